"""ccxt's unified shapes the sandbox returns: ``Ticker``, ``Balances``, ``Order``, ``Trade``.

Pure functions of the account's records (:mod:`execution.venues.sandbox.orders`), its
balances and the book: floats as ccxt's Python uses them, exact decimal strings and
HashKey's field names in ``info``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from execution.clock import iso
from execution.venues.sandbox.book import Book
from execution.venues.sandbox.catalog import MarketCatalog
from execution.venues.sandbox.orders import FILL_FEE_RATE, Fill, OrderState

if TYPE_CHECKING:
    from ccxt.base.types import Balances, Order, Ticker, Trade

__all__ = ["balance_dict", "order_dict", "ticker_dict", "trade_dict"]

# ccxt order status -> HashKey's (an open order is NEW or PARTIALLY_FILLED).
_VENUE_STATUS = {"closed": "FILLED", "canceled": "CANCELED"}
# ccxt's ISO formatting costs ~10 us; orders and their trades repeat the same few times.
_iso = functools.lru_cache(maxsize=4096)(iso)


def _fnum(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def ticker_dict(
    symbol: str, market: Mapping[str, Any], book: Book, last: Decimal, now: int
) -> Ticker:
    """A ccxt ``Ticker`` of ``book`` at ``now``: touch prices from the book, last/close
    ``last``; fields a snapshot venue has no history for (open, high, low, volumes) are
    ``None``."""
    bid, ask = book.best_bid, book.best_ask
    return {
        "symbol": symbol,
        "info": {
            "symbol": market["id"],
            "referencePrice": str(book.reference_price),
            "bestBidPrice": None if bid is None else str(bid.price),
            "bestAskPrice": None if ask is None else str(ask.price),
        },
        "timestamp": now,
        "datetime": _iso(now),
        "high": None,
        "low": None,
        "bid": None if bid is None else float(bid.price),
        "bidVolume": None if bid is None else float(bid.amount),
        "ask": None if ask is None else float(ask.price),
        "askVolume": None if ask is None else float(ask.amount),
        "vwap": None,
        "open": None,
        "close": float(last),
        "last": float(last),
        "previousClose": None,
        "change": None,
        "percentage": None,
        "average": None,
        "quoteVolume": None,
        "baseVolume": None,
        "indexPrice": None,
        "markPrice": None,
    }


def balance_dict(
    account_id: str, total_of: Mapping[str, Decimal], used_of: Mapping[str, Decimal], now: int
) -> Balances:
    """ccxt ``Balances`` of exact totals and reserved (used) amounts per currency:
    per-currency and free/used/total views, ``free + used == total``."""
    result: dict[str, Any] = {
        "info": {
            "accountId": account_id,
            "balances": [
                {
                    "asset": code,
                    "free": str(total_of[code] - used_of[code]),
                    "locked": str(used_of[code]),
                    "total": str(total_of[code]),
                }
                for code in sorted(total_of)
            ],
        },
        "timestamp": now,
        "datetime": _iso(now),
        "free": {},
        "used": {},
        "total": {},
    }
    for code in sorted(total_of):
        free = float(total_of[code] - used_of[code])
        used = float(used_of[code])
        total = free + used  # float identity on what is returned (see the exchange module's doc)
        result[code] = {"free": free, "used": used, "total": total}
        result["free"][code] = free
        result["used"][code] = used
        result["total"][code] = total
    return result


def trade_dict(fill: Fill, account_id: str, catalog: MarketCatalog) -> Trade:
    """The ccxt ``Trade`` of one fill of ``account_id``."""
    (
        trade_id,
        order_id,
        symbol,
        type,
        side,
        price,
        amount,
        cost,
        fee_cost,
        fee_currency,
        fee_rate,
        taker_or_maker,
        timestamp,
    ) = fill
    fee = {"currency": fee_currency, "cost": float(fee_cost), "rate": float(fee_rate)}
    return {
        "info": {
            "tradeId": trade_id,
            "orderId": order_id,
            "accountId": account_id,
            "symbol": catalog.markets[symbol]["id"],
            "price": str(price),
            "qty": str(amount),
            "quoteQty": str(cost),
            "commission": str(fee_cost),
            "commissionAsset": fee_currency,
            "isMaker": taker_or_maker == "maker",
            "time": timestamp,
        },
        "amount": float(amount),
        "datetime": _iso(timestamp),
        "id": trade_id,
        "order": order_id,
        "price": float(price),
        "timestamp": timestamp,
        "type": type,
        "side": side,
        "symbol": symbol,
        "takerOrMaker": taker_or_maker,
        "cost": float(cost),
        "fee": fee,
        "fees": [dict(fee)],
    }


def order_dict(order: OrderState, account_id: str, catalog: MarketCatalog) -> Order:
    """The ccxt ``Order`` of ``order`` of ``account_id``, as it stands."""
    filled, fills, status = order.filled, order.fills, order.status
    average = _fnum(order.cost / filled) if filled else None
    if not fills:
        rate: Decimal | None = order.maker_rate if status == "open" else None
    else:
        rates = {fill[FILL_FEE_RATE] for fill in fills}
        rate = rates.pop() if len(rates) == 1 else None  # mixed taker/maker: no one rate
    fee_currency = order.fee_currency
    fee = {"currency": fee_currency, "cost": float(order.fee_cost), "rate": _fnum(rate)}
    trigger = _fnum(order.trigger_price)
    if status == "open":
        venue_status = "PARTIALLY_FILLED" if filled else "NEW"
    else:
        venue_status = _VENUE_STATUS[status]
    return {
        "id": order.id,
        "clientOrderId": order.client_order_id,
        "datetime": _iso(order.timestamp),
        "timestamp": order.timestamp,
        "lastTradeTimestamp": order.last_trade_timestamp,
        "lastUpdateTimestamp": order.last_update_timestamp,
        "status": order.status,
        "symbol": order.symbol,
        "type": order.type,
        "timeInForce": order.time_in_force,
        "side": order.side,
        # Market orders have no price of their own; ccxt reports the average there.
        "price": average if order.price is None else float(order.price),
        "average": average,
        "amount": float(order.amount),
        "filled": float(filled),
        "remaining": float(order.amount - filled),
        # ccxt reports a trigger as triggerPrice and its older alias stopPrice.
        "stopPrice": trigger,
        "triggerPrice": trigger,
        "takeProfitPrice": trigger if order.trigger_kind == "take_profit" else None,
        "stopLossPrice": trigger if order.trigger_kind == "stop_loss" else None,
        "cost": float(order.cost),
        # HashKey's createOrder / fetchOrder carry no fills; fetch_my_trades lists them.
        "trades": [],
        "fee": fee,
        "fees": [dict(fee)] if fills else [],
        "reduceOnly": False,
        "postOnly": order.post_only,
        "marginMode": None,
        "leverage": None,
        "hedged": None,
        "info": {
            "orderId": order.id,
            "clientOrderId": order.client_order_id,
            "accountId": account_id,
            "symbol": catalog.markets[order.symbol]["id"],
            "side": order.side.upper(),
            "type": order.type.upper(),
            "timeInForce": order.time_in_force,
            "price": None if order.price is None else str(order.price),
            "origQty": str(order.amount),
            "executedQty": str(filled),
            "cummulativeQuoteQty": str(order.cost),
            "commission": str(order.fee_cost),
            "commissionAsset": fee_currency,
            "reserved": str(order.reserved),
            "status": venue_status,
            "cancelReason": order.cancel_reason,
            "stopPrice": None if order.trigger_price is None else str(order.trigger_price),
            "triggerType": order.trigger_kind,
            "triggered": order.triggered if order.trigger_kind else None,
            "triggerTime": order.trigger_time,
            "time": order.timestamp,
            "updateTime": order.last_update_timestamp,
        },
    }
