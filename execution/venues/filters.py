"""HashKey-style exchange filters (``market['info']['filters']``), as pure checks.

HashKey Global publishes per-symbol filters in its ``exchangeInfo`` (kept verbatim by ccxt
in ``market['info']['filters']``). ccxt maps ``PRICE_FILTER`` and ``LOT_SIZE`` min/max
onto ``market['limits']``, which the sandbox already enforces; this module covers what
ccxt leaves in ``info``:

* ``LIMIT_TRADING`` ``buyPriceUpRate`` / ``sellPriceDownRate``: a limit buy may not be
  priced above ``reference × (1 + buyPriceUpRate)``, a limit sell not below
  ``reference × (1 − sellPriceDownRate)``.
* ``MARKET_TRADING`` (the same rates): a market order's *expected average execution
  price* (the volume-weighted price of walking the book) must lie within the same kind of
  band. The sandbox rejects such an order outright rather than filling it up to the band:
  nothing is sent that the customer could not have previewed.
* ``LOT_SIZE`` ``marketOrderMinQty`` / ``marketOrderMaxQty``: base amount of a market
  order.
* ``MIN_NOTIONAL`` ``minNotional`` and ``TRADE_AMOUNT`` ``minAmount`` / ``maxAmount``: the
  notional (quote value) of any order; for market orders ``marketOrderMinAmount`` /
  ``marketOrderMaxAmount`` replace ``minAmount`` / ``maxAmount`` when present.
* ``OPEN_QUOTE`` ``noAllowMarketStartTime`` / ``noAllowMarketEndTime``: no market orders
  inside that window (listing auctions).

The reference price of the bands is the book's mid (the sandbox's reference price) at the
time of the check; HashKey does not document which price it uses, and the mid is what a
customer sees. A field of ``"0"`` means "not set", as in HashKey's own data. Band bounds are
rounded *inwards* to the market's tick, so a price shown as the bound is itself accepted.

Everything here is pure: the simulator calls :func:`price_band` and :func:`check_filters`
to warn before sending anything, and the sandbox exchange raises ``ccxt.InvalidOrder``
with the first violation's message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from functools import cached_property
from typing import Any, Literal

from execution.venues.frozen import FrozenDict
from intent.models import plain

__all__ = [
    "FilterViolation",
    "MarketFilters",
    "check_filters",
    "parse_filters",
    "price_band",
]

OrderKind = Literal["limit", "market"]


def _positive(value: object) -> Decimal | None:
    """``value`` as a Decimal, or ``None`` for absent, zero or unparsable values."""
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and number > 0 else None


@dataclass(frozen=True)
class MarketFilters:
    """The filters of one market that ccxt leaves in ``info`` (``None``: not set)."""

    symbol: str
    tick: Decimal | None = None
    limit_buy_up_rate: Decimal | None = None
    limit_sell_down_rate: Decimal | None = None
    market_buy_up_rate: Decimal | None = None
    market_sell_down_rate: Decimal | None = None
    market_min_qty: Decimal | None = None
    market_max_qty: Decimal | None = None
    min_notional: Decimal | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    market_min_amount: Decimal | None = None
    market_max_amount: Decimal | None = None
    no_market_from_ms: int | None = None
    no_market_until_ms: int | None = None

    @cached_property
    def empty(self) -> bool:
        """True when no filter is set (the market needs no extra checks); computed once."""
        return all(
            getattr(self, name) is None
            for name in self.__dataclass_fields__
            if name not in ("symbol", "tick")
        )


#: The filters of frozen (shared, unchangeable) markets, parsed once: id -> (market, filters).
#: The market is held, so its id cannot be reused while it is here; bounded all the same.
_PARSED: dict[int, tuple[Mapping[str, Any], MarketFilters]] = {}
_PARSED_MAX = 1024


def filters_of(market: Mapping[str, Any] | MarketFilters) -> MarketFilters:
    """The filters of ``market``: parsed once for a frozen market (which cannot change),
    else each time."""
    if isinstance(market, MarketFilters):
        return market
    if not isinstance(market, FrozenDict):
        return parse_filters(market)
    found = _PARSED.get(id(market))
    if found is not None and found[0] is market:
        return found[1]
    filters = parse_filters(market)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[id(market)] = (market, filters)
    return filters


def parse_filters(market: Mapping[str, Any]) -> MarketFilters:
    """Read ``market['info']['filters']`` (HashKey's list of ``filterType`` dicts)."""
    info = market.get("info") or {}
    raw = info.get("filters") if isinstance(info, Mapping) else None
    by_type: dict[str, Mapping[str, Any]] = {}
    for item in raw or ():
        if isinstance(item, Mapping) and isinstance(item.get("filterType"), str):
            by_type[item["filterType"]] = item
    lot = by_type.get("LOT_SIZE", {})
    trade = by_type.get("TRADE_AMOUNT", {})
    limit = by_type.get("LIMIT_TRADING", {})
    market_trading = by_type.get("MARKET_TRADING", {})
    quote = by_type.get("OPEN_QUOTE", {})
    start, end = (
        _positive(quote.get("noAllowMarketStartTime")),
        _positive(quote.get("noAllowMarketEndTime")),
    )
    precision = market.get("precision") or {}
    return MarketFilters(
        symbol=str(market.get("symbol")),
        tick=_positive(precision.get("price")),
        limit_buy_up_rate=_positive(limit.get("buyPriceUpRate")),
        limit_sell_down_rate=_positive(limit.get("sellPriceDownRate")),
        market_buy_up_rate=_positive(market_trading.get("buyPriceUpRate")),
        market_sell_down_rate=_positive(market_trading.get("sellPriceDownRate")),
        market_min_qty=_positive(lot.get("marketOrderMinQty")),
        market_max_qty=_positive(lot.get("marketOrderMaxQty")),
        min_notional=_positive(by_type.get("MIN_NOTIONAL", {}).get("minNotional")),
        min_amount=_positive(trade.get("minAmount")),
        max_amount=_positive(trade.get("maxAmount")),
        market_min_amount=_positive(trade.get("marketOrderMinAmount")),
        market_max_amount=_positive(trade.get("marketOrderMaxAmount")),
        no_market_from_ms=None if start is None or end is None else int(start),
        no_market_until_ms=None if start is None or end is None else int(end),
    )


@dataclass(frozen=True)
class FilterViolation:
    """One broken filter: which (``filter``/``field``), the offending value, the bound."""

    filter: str
    field: str
    value: Decimal
    bound: Decimal
    message: str


def _inward(value: Decimal, tick: Decimal | None, rounding: str) -> Decimal:
    if tick is None:
        return value
    return (value / tick).to_integral_value(rounding=rounding) * tick


def _band(
    filters: MarketFilters, reference: Decimal, kind: OrderKind
) -> tuple[Decimal | None, Decimal | None] | None:
    up, down = (
        (filters.limit_buy_up_rate, filters.limit_sell_down_rate)
        if kind == "limit"
        else (filters.market_buy_up_rate, filters.market_sell_down_rate)
    )
    if up is None and down is None:
        return None
    high = None if up is None else _inward(reference * (1 + up), filters.tick, ROUND_FLOOR)
    low = None if down is None else _inward(reference * (1 - down), filters.tick, ROUND_CEILING)
    return low, high


def price_band(
    market: Mapping[str, Any] | MarketFilters,
    reference: Decimal,
    kind: OrderKind = "limit",
) -> tuple[Decimal | None, Decimal | None] | None:
    """The ``(low, high)`` price band around ``reference``, or ``None`` without one.

    ``low`` is the lowest price a sell may have (``None``: unbounded), ``high`` the highest
    a buy may have. ``kind`` selects ``LIMIT_TRADING`` (a limit order's price) or
    ``MARKET_TRADING`` (a market order's expected average price).
    """
    return _band(filters_of(market), reference, kind)


def check_filters(
    market: Mapping[str, Any] | MarketFilters,
    *,
    type: OrderKind,
    side: str,
    amount: Decimal,
    price: Decimal | None = None,
    reference: Decimal | None = None,
    expected_average: Decimal | None = None,
    expected_cost: Decimal | None = None,
    now_ms: int | None = None,
) -> list[FilterViolation]:
    """Every filter the order would break, in a fixed order (empty: it passes).

    ``price`` is a limit order's price; ``expected_average`` and ``expected_cost`` are a
    market order's volume-weighted price and quote cost from walking the book. Checks
    whose inputs are missing (a band without ``reference``, a market notional without
    ``expected_cost``) are skipped, so a caller may check what it knows.
    """
    f = filters_of(market)
    out: list[FilterViolation] = []
    symbol = f.symbol

    def add(filter_: str, field: str, value: Decimal, bound: Decimal, message: str) -> None:
        out.append(FilterViolation(filter_, field, value, bound, message))

    if type == "market":
        if (
            now_ms is not None
            and f.no_market_from_ms is not None
            and f.no_market_until_ms is not None
            and f.no_market_from_ms <= now_ms < f.no_market_until_ms
        ):
            add(
                "OPEN_QUOTE",
                "noAllowMarketStartTime",
                Decimal(now_ms),
                Decimal(f.no_market_until_ms),
                f"market orders on {symbol} are not allowed until {f.no_market_until_ms} "
                f"(OPEN_QUOTE noAllowMarketStartTime {f.no_market_from_ms})",
            )
        if f.market_max_qty is not None and amount > f.market_max_qty:
            add(
                "LOT_SIZE",
                "marketOrderMaxQty",
                amount,
                f.market_max_qty,
                f"market order amount {plain(amount)} of {symbol} is above LOT_SIZE "
                f"marketOrderMaxQty {plain(f.market_max_qty)}",
            )
        if f.market_min_qty is not None and amount < f.market_min_qty:
            add(
                "LOT_SIZE",
                "marketOrderMinQty",
                amount,
                f.market_min_qty,
                f"market order amount {plain(amount)} of {symbol} is below LOT_SIZE "
                f"marketOrderMinQty {plain(f.market_min_qty)}",
            )

    notional = amount * price if type == "limit" and price is not None else expected_cost
    if notional is not None:
        if f.min_notional is not None and notional < f.min_notional:
            add(
                "MIN_NOTIONAL",
                "minNotional",
                notional,
                f.min_notional,
                f"order notional {plain(notional)} on {symbol} is below MIN_NOTIONAL "
                f"minNotional {plain(f.min_notional)}",
            )
        if type == "market" and (f.market_min_amount or f.market_max_amount):
            low, high = f.market_min_amount, f.market_max_amount
            low_field, high_field = "marketOrderMinAmount", "marketOrderMaxAmount"
        else:
            low, high = f.min_amount, f.max_amount
            low_field, high_field = "minAmount", "maxAmount"
        if low is not None and notional < low:
            add(
                "TRADE_AMOUNT",
                low_field,
                notional,
                low,
                f"{type} order notional {plain(notional)} on {symbol} is below TRADE_AMOUNT "
                f"{low_field} {plain(low)}",
            )
        if high is not None and notional > high:
            add(
                "TRADE_AMOUNT",
                high_field,
                notional,
                high,
                f"{type} order notional {plain(notional)} on {symbol} is above TRADE_AMOUNT "
                f"{high_field} {plain(high)}",
            )

    checked = price if type == "limit" else expected_average
    if reference is not None and checked is not None:
        band = _band(f, reference, type)
        if band is not None:
            low_bound, high_bound = band
            name = "LIMIT_TRADING" if type == "limit" else "MARKET_TRADING"
            # The offending price is only formatted for a violation.
            what = f"market {side} expected average" if type == "market" else f"{type} {side}"
            if side == "buy" and high_bound is not None and checked > high_bound:
                rate = f.limit_buy_up_rate if type == "limit" else f.market_buy_up_rate
                add(
                    name,
                    "buyPriceUpRate",
                    checked,
                    high_bound,
                    f"{what} price {plain(checked)} of {symbol} is above the {name} price band: "
                    f"at most {plain(high_bound)} (reference {plain(reference)} x "
                    f"(1 + buyPriceUpRate {plain(rate or Decimal(0))}))",
                )
            if side == "sell" and low_bound is not None and checked < low_bound:
                rate = f.limit_sell_down_rate if type == "limit" else f.market_sell_down_rate
                add(
                    name,
                    "sellPriceDownRate",
                    checked,
                    low_bound,
                    f"{what} price {plain(checked)} of {symbol} is below the {name} price band: "
                    f"at least {plain(low_bound)} (reference {plain(reference)} x "
                    f"(1 - sellPriceDownRate {plain(rate or Decimal(0))}))",
                )
    return out
