"""A deterministic sandbox exchange speaking ccxt's unified (sync) API.

:class:`SandboxMarket` is the shared world (catalog, seed, book shape, price source);
:class:`SandboxExchange` is one account on it and implements :class:`execution.venue.Venue`.
Many accounts (one per customer) share a :class:`SandboxMarket` and so see the same books.

Execution model, chosen to be simple, reproducible and honest about what it simulates:

* **Liquidity is a snapshot, not a queue.** Every order walks the full generated book;
  fills do not deplete it for the next order or for other accounts, and resting sandbox
  orders do not appear in it. Depth therefore bounds a *single* order's size.
* **Market orders** walk the book and execute immediately. If the book runs out, what
  filled stands and the rest is cancelled: status ``'canceled'`` with ``filled > 0`` and
  ``info['cancelReason'] == 'book exhausted'`` (ccxt's convention for a partly filled,
  then cancelled order; ``'closed'`` always means fully filled). If nothing at all can
  fill, ``ccxt.InvalidOrder`` is raised and no order is recorded.
* **Limit orders** take liquidity up to their limit price (each level at its own price,
  as taker); the remainder rests ``'open'`` at the limit and reserves funds (``used``).
  ``timeInForce`` ``'IOC'`` cancels the remainder, ``'FOK'`` cancels the whole order
  unless it fills completely, ``'PO'``/``postOnly`` rejects a crossing order with
  ``ccxt.OrderImmediatelyFillable``. A resting order fills in full, at its limit price,
  as maker, once the reference price has moved (a price process) and the book crosses it.
* **Fees** are ``market['taker']`` on taking fills and ``market['maker']`` on resting
  fills, charged in the currency received (base on a buy, quote on a sell), as most spot
  venues do (ccxt ``feeSide: 'get'``). An account therefore never needs spare balance to
  pay a fee: a buy needs only its quote cost, a sell only its base amount.
* **Arithmetic** is exact :class:`~decimal.Decimal` inside; returned structures use floats
  as ccxt's Python does, with exact decimal strings kept in ``info``. In balances the
  float ``total`` is computed as ``free + used`` so the identity holds on the numbers
  returned.
* **Determinism.** Time comes only from the injected clock, randomness only from the
  seed, and ids from per-account counters (``<account_id>-000001``).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import ccxt
from ccxt.base.decimal_to_precision import (
    NO_PADDING,
    ROUND,
    TICK_SIZE,
    TRUNCATE,
    decimal_to_precision,
)

from execution.clock import Clock, iso
from execution.sandbox.book import Book, BookParams, Level, PriceSource, StaticPrices, generate_book
from execution.sandbox.markets import MarketCatalog

if TYPE_CHECKING:
    from ccxt.base.types import Balances, MarketInterface, Order, OrderBook, Ticker, Trade

__all__ = ["DEFAULT_DEPTH", "DEFAULT_SPREAD_BPS", "SandboxExchange", "SandboxMarket"]

DEFAULT_SPREAD_BPS = Decimal(10)
DEFAULT_DEPTH = 20

_ORDER_TYPES = ("market", "limit")
_SIDES = ("buy", "sell")
_TIME_IN_FORCE = ("GTC", "IOC", "FOK", "PO")
_ZERO = Decimal(0)


class SandboxMarket:
    """The shared side of the sandbox: markets, seeded books and reference prices.

    ``prices`` is the hook for a price process; by default prices are the catalog's
    static reference prices. Books are cached per ``(symbol, reference price)`` since
    generation is deterministic in those.
    """

    def __init__(
        self,
        catalog: MarketCatalog,
        *,
        seed: int = 0,
        params: BookParams | None = None,
        prices: PriceSource | None = None,
    ) -> None:
        self.catalog = catalog
        self.seed = seed
        self.params = params or BookParams(spread_bps=DEFAULT_SPREAD_BPS, depth=DEFAULT_DEPTH)
        self.prices: PriceSource = prices or StaticPrices(catalog)
        self._books: dict[tuple[str, Decimal], Book] = {}
        self._lock = threading.Lock()

    def reference_price(self, symbol: str, now_ms: int) -> Decimal:
        """The price ``symbol``'s book is centred on at ``now_ms``."""
        self.catalog.market(symbol)  # BadSymbol before asking the price source
        return self.prices.reference_price(symbol, now_ms)

    def book(self, symbol: str, now_ms: int) -> Book:
        """The (exact, Decimal) book of ``symbol`` at ``now_ms``."""
        price = self.reference_price(symbol, now_ms)
        key = (symbol, price)
        with self._lock:
            book = self._books.get(key)
            if book is None:
                market = self.catalog.markets[symbol]
                book = generate_book(
                    seed=self.seed,
                    market=market,
                    reference_price=price,
                    params=self.params,
                    quote_usd_rate=self.catalog.usd_rate(market["quote"]),
                )
                if len(self._books) > 4096:  # a moving price process must not grow this forever
                    self._books.clear()
                self._books[key] = book
            return book

    def open_account(
        self,
        *,
        balances: Mapping[str, Decimal | int | str],
        clock: Clock,
        account_id: str = "sandbox",
    ) -> SandboxExchange:
        """A new :class:`SandboxExchange` account trading on these shared books."""
        return SandboxExchange(
            self.catalog, balances=balances, clock=clock, account_id=account_id, shared=self
        )


@dataclass(frozen=True)
class _Fill:
    id: str
    order_id: str
    symbol: str
    type: str
    side: str
    price: Decimal
    amount: Decimal
    cost: Decimal
    fee_cost: Decimal
    fee_currency: str
    fee_rate: Decimal
    taker_or_maker: str
    timestamp: int


@dataclass
class _OrderState:
    """Mutable bookkeeping of one order (only the owning exchange touches it)."""

    id: str
    client_order_id: str | None
    symbol: str
    base: str
    quote: str
    type: str
    side: str
    time_in_force: str
    post_only: bool
    amount: Decimal
    price: Decimal | None
    timestamp: int
    maker_rate: Decimal
    seen_reference: Decimal
    status: str = "open"
    filled: Decimal = _ZERO
    cost: Decimal = _ZERO
    fee_cost: Decimal = _ZERO
    fills: list[_Fill] = field(default_factory=list)
    last_trade_timestamp: int | None = None
    last_update_timestamp: int | None = None
    reserved: Decimal = _ZERO
    cancel_reason: str | None = None

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.filled

    @property
    def fee_currency(self) -> str:
        return self.base if self.side == "buy" else self.quote

    @property
    def reserve_currency(self) -> str:
        return self.quote if self.side == "buy" else self.base


def _fnum(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _rate(market: Mapping[str, Any], key: str) -> Decimal:
    value = market.get(key)
    # Some fixtures omit fees; a missing rate is treated as free rather than an error.
    return _ZERO if value is None else Decimal(str(value))


class SandboxExchange:
    """One account on the sandbox venue, implementing :class:`execution.venue.Venue`.

    ``balances`` are the account's starting totals (all free). Either pass ``shared`` (a
    :class:`SandboxMarket` several accounts use) or let the exchange build its own from
    ``catalog``, ``seed``, ``spread_bps`` and ``depth``; with ``shared``, any of those given
    must agree with it. See the module docstring for the execution model.
    """

    id = "sandbox"

    def __init__(
        self,
        catalog: MarketCatalog,
        *,
        balances: Mapping[str, Decimal | int | str],
        clock: Clock,
        seed: int | None = None,
        account_id: str = "sandbox",
        spread_bps: Decimal | int | str | None = None,
        depth: int | None = None,
        shared: SandboxMarket | None = None,
    ) -> None:
        if shared is None:
            params = BookParams(
                spread_bps=DEFAULT_SPREAD_BPS if spread_bps is None else Decimal(str(spread_bps)),
                depth=DEFAULT_DEPTH if depth is None else depth,
            )
            shared = SandboxMarket(catalog, seed=0 if seed is None else seed, params=params)
        else:
            mismatches = []
            if shared.catalog is not catalog:
                mismatches.append("catalog")
            if seed is not None and seed != shared.seed:
                mismatches.append(f"seed {seed} != {shared.seed}")
            if spread_bps is not None and Decimal(str(spread_bps)) != shared.params.spread_bps:
                mismatches.append(f"spread_bps {spread_bps} != {shared.params.spread_bps}")
            if depth is not None and depth != shared.params.depth:
                mismatches.append(f"depth {depth} != {shared.params.depth}")
            if mismatches:
                raise ValueError(f"arguments disagree with the shared market: {mismatches}")
        self.shared = shared
        self.catalog = catalog
        self.account_id = account_id
        self._clock = clock
        self._lock = threading.RLock()
        self._total: dict[str, Decimal] = {}
        self._used: dict[str, Decimal] = {}
        for code, amount in balances.items():
            value = Decimal(str(amount))
            if not value.is_finite() or value < 0:
                raise ValueError(f"starting balance of {code} must be >= 0, got {amount!r}")
            self._total[code] = value
            self._used[code] = _ZERO
        self._markets: dict[str, MarketInterface] | None = None
        self._orders: dict[str, _OrderState] = {}
        self._client_ids: dict[str, str] = {}
        self._fills: list[_Fill] = []
        self._order_seq = 0
        self._trade_seq = 0

    def __repr__(self) -> str:
        return f"SandboxExchange(account_id={self.account_id!r}, seed={self.shared.seed})"

    # -- markets and precision --------------------------------------------------------------

    @property
    def symbols(self) -> list[str]:
        """Sorted symbols of the venue, as ccxt's ``exchange.symbols``."""
        return self.catalog.symbols

    def load_markets(self, reload: bool = False) -> dict[str, MarketInterface]:
        """Every market, copied from the catalog once per account and cached, as ccxt
        caches ``exchange.markets``; ``reload`` copies them again."""
        with self._lock:
            if self._markets is None or reload:
                self._markets = self.catalog.all_markets()
            return self._markets

    def market(self, symbol: str) -> MarketInterface:
        """The ccxt market of ``symbol``; ``ccxt.BadSymbol`` if unknown."""
        found = self.load_markets().get(symbol)
        return found if found is not None else self.catalog.market(symbol)

    def _market(self, symbol: str) -> Mapping[str, Any]:
        # Internal, uncopied view; BadSymbol with the catalog's message when unknown.
        market = self.catalog.markets.get(symbol)
        if market is None:
            self.catalog.market(symbol)
            raise AssertionError("unreachable")  # pragma: no cover
        return market

    def amount_to_precision(self, symbol: str, amount: Any) -> str:
        """``amount`` truncated to the market's step (ccxt's TRUNCATE, TICK_SIZE mode).

        Raises ``ccxt.InvalidOrder`` if it truncates to zero, as ccxt does.
        """
        market = self._market(symbol)
        step = market["precision"]["amount"]
        result = self._to_precision(amount, TRUNCATE, step, "amount")
        if Decimal(result) == 0:
            raise ccxt.InvalidOrder(
                f"{self.id} amount {amount} of {symbol} rounds to zero: "
                f"must be at least the amount precision {step}"
            )
        return result

    def price_to_precision(self, symbol: str, price: Any) -> str:
        """``price`` rounded to the market's tick (ccxt's ROUND, TICK_SIZE mode)."""
        market = self._market(symbol)
        return self._to_precision(price, ROUND, market["precision"]["price"], "price")

    def _to_precision(self, value: Any, rounding: int, step: Any, what: str) -> str:
        number = self._number(value, what)
        return str(decimal_to_precision(str(number), rounding, step, TICK_SIZE, NO_PADDING))

    def _number(self, value: Any, what: str) -> Decimal:
        if isinstance(value, bool):
            raise ccxt.InvalidOrder(f"{self.id} {what} must be a number, got {value!r}")
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise ccxt.InvalidOrder(f"{self.id} {what} must be a number, got {value!r}") from None
        if not number.is_finite():
            raise ccxt.InvalidOrder(f"{self.id} {what} must be finite, got {value!r}")
        return number

    # -- market data ----------------------------------------------------------------------

    def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        """The seeded book of ``symbol`` now, ``limit`` levels per side (all if ``None``)."""
        with self._lock:
            now = self._sync()
            return self.shared.book(symbol, now).to_ccxt(now, limit)

    def fetch_ticker(self, symbol: str) -> Ticker:
        """A ccxt ``Ticker``: touch prices from the book, last/close at the reference.

        Fields a snapshot venue has no history for (open, high, low, volumes) are ``None``.
        """
        with self._lock:
            now = self._sync()
            market = self._market(symbol)
            book = self.shared.book(symbol, now)
            last = Decimal(self.price_to_precision(symbol, book.reference_price))
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
                "datetime": iso(now),
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

    # -- account ----------------------------------------------------------------------------

    def fetch_balance(self) -> Balances:
        """ccxt ``Balances``: per-currency and free/used/total views, ``free + used == total``."""
        with self._lock:
            now = self._sync()
            result: dict[str, Any] = {
                "info": {
                    "accountId": self.account_id,
                    "balances": [
                        {
                            "asset": code,
                            "free": str(self._total[code] - self._used[code]),
                            "locked": str(self._used[code]),
                            "total": str(self._total[code]),
                        }
                        for code in sorted(self._total)
                    ],
                },
                "timestamp": now,
                "datetime": iso(now),
                "free": {},
                "used": {},
                "total": {},
            }
            for code in sorted(self._total):
                free = float(self._total[code] - self._used[code])
                used = float(self._used[code])
                total = free + used  # float identity on what is returned (see module doc)
                result[code] = {"free": free, "used": used, "total": total}
                result["free"][code] = free
                result["used"][code] = used
                result["total"][code] = total
            return result

    def _free(self, code: str) -> Decimal:
        return self._total.get(code, _ZERO) - self._used.get(code, _ZERO)

    def _credit(self, code: str, amount: Decimal) -> None:
        self._total[code] = self._total.get(code, _ZERO) + amount
        self._used.setdefault(code, _ZERO)

    def _reserve(self, order: _OrderState, amount: Decimal) -> None:
        code = order.reserve_currency
        self._used[code] = self._used.get(code, _ZERO) + amount
        order.reserved += amount

    def _release(self, order: _OrderState, amount: Decimal) -> None:
        code = order.reserve_currency
        self._used[code] -= amount
        order.reserved -= amount

    # -- orders -----------------------------------------------------------------------------

    def create_order(
        self,
        symbol: str,
        type: str,
        side: str,
        amount: float,
        price: float | None = None,
        params: dict[str, Any] | None = None,
    ) -> Order:
        """Place an order; see the module docstring for how it executes.

        ``params`` understood: ``clientOrderId`` (unique per account, else
        ``ccxt.DuplicateOrderId``), ``timeInForce`` (GTC, IOC, FOK, PO) and ``postOnly``.
        """
        params = dict(params or {})
        with self._lock:
            now = self._sync()
            market = self._market(symbol)
            if type not in _ORDER_TYPES:
                raise ccxt.InvalidOrder(
                    f"{self.id} does not support order type {type!r}; use one of {_ORDER_TYPES}"
                )
            if side not in _SIDES:
                raise ccxt.InvalidOrder(
                    f"{self.id} order side must be 'buy' or 'sell', got {side!r}"
                )
            qty = self._checked_amount(symbol, market, amount)
            tif, post_only = self._time_in_force(type, params)
            limit_price = self._checked_price(symbol, market, type, price)
            client_id = params.get("clientOrderId")
            if client_id is not None:
                client_id = str(client_id)
                if client_id in self._client_ids:
                    raise ccxt.DuplicateOrderId(
                        f"{self.id} clientOrderId {client_id!r} is already used by order "
                        f"{self._client_ids[client_id]} on account {self.account_id}"
                    )

            book = self.shared.book(symbol, now)
            plan = self._walk(book, side, qty, limit_price)
            planned_qty = sum((q for _, q in plan), _ZERO)
            planned_cost = sum((p * q for p, q in plan), _ZERO)
            if post_only and plan:
                touch = plan[0][0]
                raise ccxt.OrderImmediatelyFillable(
                    f"{self.id} post-only {side} at {limit_price} would take liquidity at "
                    f"{touch} on {symbol}"
                )
            if type == "market" and not plan:
                raise ccxt.InvalidOrder(f"{self.id} no {side} liquidity in the {symbol} book")

            # Notional checked against the market's cost limits: the limit notional for a
            # limit order, the executable cost for a market order.
            notional = qty * limit_price if limit_price is not None else planned_cost
            self._check_cost(symbol, market, notional)

            base, quote = market["base"], market["quote"]
            spend_code = quote if side == "buy" else base
            needed = notional if side == "buy" else qty
            free = self._free(spend_code)
            if needed > free:
                raise ccxt.InsufficientFunds(
                    f"{self.id} account {self.account_id} has insufficient {spend_code}: "
                    f"needs {needed} {spend_code}, free {free} {spend_code}"
                )

            self._order_seq += 1
            order = _OrderState(
                id=f"{self.account_id}-{self._order_seq:06d}",
                client_order_id=client_id,
                symbol=symbol,
                base=base,
                quote=quote,
                type=type,
                side=side,
                time_in_force=tif,
                post_only=post_only,
                amount=qty,
                price=limit_price,
                timestamp=now,
                maker_rate=_rate(market, "maker"),
                seen_reference=book.reference_price,
                last_update_timestamp=now,
            )
            self._orders[order.id] = order
            if client_id is not None:
                self._client_ids[client_id] = order.id

            if tif == "FOK" and planned_qty < qty:
                order.status = "canceled"
                order.cancel_reason = "fill-or-kill could not fill completely"
                return self._order_dict(order)
            taker_rate = _rate(market, "taker")
            for fill_price, fill_qty in plan:
                self._fill(order, fill_price, fill_qty, taker_rate, "taker", now)

            if order.remaining == 0:
                order.status = "closed"
            elif type == "market":
                order.status = "canceled"
                order.cancel_reason = "book exhausted"
            elif tif == "IOC":
                order.status = "canceled"
                order.cancel_reason = "immediate-or-cancel remainder"
            else:
                assert limit_price is not None
                self._reserve(
                    order, order.remaining * limit_price if side == "buy" else order.remaining
                )
            return self._order_dict(order)

    def _checked_amount(self, symbol: str, market: Mapping[str, Any], amount: Any) -> Decimal:
        raw = self._number(amount, "amount")
        if raw <= 0:
            raise ccxt.InvalidOrder(f"{self.id} amount must be positive, got {amount!r}")
        qty = Decimal(self.amount_to_precision(symbol, raw))
        limits = (market.get("limits") or {}).get("amount") or {}
        low, high = limits.get("min"), limits.get("max")
        if low is not None and qty < Decimal(str(low)):
            raise ccxt.InvalidOrder(
                f"{self.id} amount {qty} of {symbol} is below the minimum amount {low}"
            )
        if high is not None and qty > Decimal(str(high)):
            raise ccxt.InvalidOrder(
                f"{self.id} amount {qty} of {symbol} is above the maximum amount {high}"
            )
        return qty

    def _checked_price(
        self, symbol: str, market: Mapping[str, Any], type: str, price: Any
    ) -> Decimal | None:
        if type == "market":
            return None  # a market order's price argument is ignored, as on most venues
        if price is None:
            raise ccxt.InvalidOrder(f"{self.id} a limit order on {symbol} requires a price")
        raw = self._number(price, "price")
        if raw <= 0:
            raise ccxt.InvalidOrder(f"{self.id} price must be positive, got {price!r}")
        rounded = Decimal(self.price_to_precision(symbol, raw))
        limits = (market.get("limits") or {}).get("price") or {}
        low, high = limits.get("min"), limits.get("max")
        if rounded <= 0 or (low is not None and rounded < Decimal(str(low))):
            raise ccxt.InvalidOrder(
                f"{self.id} price {price} of {symbol} is below the minimum price {low}"
            )
        if high is not None and rounded > Decimal(str(high)):
            raise ccxt.InvalidOrder(
                f"{self.id} price {price} of {symbol} is above the maximum price {high}"
            )
        return rounded

    def _check_cost(self, symbol: str, market: Mapping[str, Any], notional: Decimal) -> None:
        limits = (market.get("limits") or {}).get("cost") or {}
        low, high = limits.get("min"), limits.get("max")
        quote = market["quote"]
        if low is not None and notional < Decimal(str(low)):
            raise ccxt.InvalidOrder(
                f"{self.id} order cost {notional} {quote} on {symbol} is below the minimum "
                f"cost {low} {quote}"
            )
        if high is not None and notional > Decimal(str(high)):
            raise ccxt.InvalidOrder(
                f"{self.id} order cost {notional} {quote} on {symbol} is above the maximum "
                f"cost {high} {quote}"
            )

    def _time_in_force(self, type: str, params: Mapping[str, Any]) -> tuple[str, bool]:
        raw_tif = params.get("timeInForce")
        post_only = bool(params.get("postOnly", False))
        if type == "market":
            if post_only or raw_tif == "PO":
                raise ccxt.InvalidOrder(f"{self.id} a market order cannot be post-only")
            return "IOC", False
        tif = "GTC" if raw_tif is None else str(raw_tif).upper()
        if tif not in _TIME_IN_FORCE:
            raise ccxt.InvalidOrder(
                f"{self.id} timeInForce {raw_tif!r} is not supported; use one of {_TIME_IN_FORCE}"
            )
        if tif == "PO":
            post_only = True
        elif post_only and tif != "GTC":
            raise ccxt.InvalidOrder(f"{self.id} postOnly cannot be combined with {tif}")
        return ("PO" if post_only else tif), post_only

    @staticmethod
    def _walk(
        book: Book, side: str, qty: Decimal, limit: Decimal | None
    ) -> list[tuple[Decimal, Decimal]]:
        """Fills ``(price, amount)`` taking ``qty`` from the opposite side up to ``limit``."""
        levels: tuple[Level, ...] = book.asks if side == "buy" else book.bids
        plan: list[tuple[Decimal, Decimal]] = []
        left = qty
        for level in levels:
            if limit is not None and (
                (side == "buy" and level.price > limit) or (side == "sell" and level.price < limit)
            ):
                break
            take = min(left, level.amount)
            plan.append((level.price, take))
            left -= take
            if left == 0:
                break
        return plan

    def _fill(
        self,
        order: _OrderState,
        price: Decimal,
        qty: Decimal,
        rate: Decimal,
        taker_or_maker: str,
        now: int,
    ) -> None:
        cost = price * qty
        if order.side == "buy":
            fee = qty * rate
            self._credit(order.quote, -cost)
            self._credit(order.base, qty - fee)
        else:
            fee = cost * rate
            self._credit(order.base, -qty)
            self._credit(order.quote, cost - fee)
        self._trade_seq += 1
        fill = _Fill(
            id=f"{self.account_id}-t{self._trade_seq:06d}",
            order_id=order.id,
            symbol=order.symbol,
            type=order.type,
            side=order.side,
            price=price,
            amount=qty,
            cost=cost,
            fee_cost=fee,
            fee_currency=order.fee_currency,
            fee_rate=rate,
            taker_or_maker=taker_or_maker,
            timestamp=now,
        )
        self._fills.append(fill)
        order.fills.append(fill)
        order.filled += qty
        order.cost += cost
        order.fee_cost += fee
        order.last_trade_timestamp = now
        order.last_update_timestamp = now

    def _sync(self) -> int:
        """Read the clock and fill resting orders the (moved) book now crosses.

        A resting order is only re-examined once its book's reference price has changed
        since it was last seen: with a static price nothing ever fills passively, and an
        order that outgrew the book at placement does not refill from the same snapshot.
        """
        now = self._clock.now_ms()
        for order in list(self._orders.values()):
            if order.status != "open" or order.price is None:
                continue
            book = self.shared.book(order.symbol, now)
            if book.reference_price == order.seen_reference:
                continue
            order.seen_reference = book.reference_price
            touch = book.best_ask if order.side == "buy" else book.best_bid
            if touch is None:
                continue
            crosses = (
                touch.price <= order.price if order.side == "buy" else touch.price >= order.price
            )
            if crosses:
                qty = order.remaining
                self._release(order, qty * order.price if order.side == "buy" else qty)
                self._fill(order, order.price, qty, order.maker_rate, "maker", now)
                order.status = "closed"
        return now

    def _find(
        self, id: str | None, symbol: str | None, params: Mapping[str, Any] | None
    ) -> _OrderState:
        client_id = (params or {}).get("clientOrderId")
        if symbol is not None:
            self._market(symbol)
        if client_id is not None:
            order_id = self._client_ids.get(str(client_id))
            if order_id is None:
                raise ccxt.OrderNotFound(
                    f"{self.id} account {self.account_id} has no order with clientOrderId "
                    f"{client_id!r}"
                )
        else:
            order_id = id
        order = self._orders.get(order_id) if order_id is not None else None
        if order is None:
            raise ccxt.OrderNotFound(f"{self.id} account {self.account_id} has no order {id!r}")
        if symbol is not None and order.symbol != symbol:
            raise ccxt.OrderNotFound(
                f"{self.id} order {order.id!r} is on {order.symbol}, not {symbol}"
            )
        return order

    def cancel_order(
        self, id: str, symbol: str | None = None, params: dict[str, Any] | None = None
    ) -> Order:
        """Cancel an open order and release its reserved funds.

        ``ccxt.OrderNotFound`` if the order is unknown or no longer open (as venues answer
        "unknown order" for a closed one). ``params={'clientOrderId': ...}`` selects by
        client id.
        """
        with self._lock:
            now = self._sync()
            order = self._find(id, symbol, params)
            if order.status != "open":
                raise ccxt.OrderNotFound(
                    f"{self.id} order {order.id!r} is {order.status}, not open; cannot cancel"
                )
            self._release(order, order.reserved)
            order.status = "canceled"
            order.cancel_reason = "canceled by user"
            order.last_update_timestamp = now
            return self._order_dict(order)

    def fetch_order(
        self, id: str, symbol: str | None = None, params: dict[str, Any] | None = None
    ) -> Order:
        """One order by id, or by ``params={'clientOrderId': ...}``; ``ccxt.OrderNotFound``."""
        with self._lock:
            self._sync()
            return self._order_dict(self._find(id, symbol, params))

    def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open orders of this account, oldest first, optionally for one symbol."""
        with self._lock:
            self._sync()
            if symbol is not None:
                self._market(symbol)
            return [
                self._order_dict(order)
                for order in self._orders.values()
                if order.status == "open" and (symbol is None or order.symbol == symbol)
            ]

    def fetch_my_trades(self, symbol: str | None = None) -> list[Trade]:
        """This account's fills (ccxt ``Trade`` dicts), oldest first."""
        with self._lock:
            self._sync()
            if symbol is not None:
                self._market(symbol)
            return [
                self._trade_dict(fill)
                for fill in self._fills
                if symbol is None or fill.symbol == symbol
            ]

    # -- ccxt structures ---------------------------------------------------------------------

    def _trade_dict(self, fill: _Fill) -> Trade:
        fee = {
            "currency": fill.fee_currency,
            "cost": float(fill.fee_cost),
            "rate": float(fill.fee_rate),
        }
        return {
            "info": {
                "tradeId": fill.id,
                "orderId": fill.order_id,
                "accountId": self.account_id,
                "symbol": self._market(fill.symbol)["id"],
                "price": str(fill.price),
                "qty": str(fill.amount),
                "quoteQty": str(fill.cost),
                "commission": str(fill.fee_cost),
                "commissionAsset": fill.fee_currency,
                "isMaker": fill.taker_or_maker == "maker",
                "time": fill.timestamp,
            },
            "amount": float(fill.amount),
            "datetime": iso(fill.timestamp),
            "id": fill.id,
            "order": fill.order_id,
            "price": float(fill.price),
            "timestamp": fill.timestamp,
            "type": fill.type,
            "side": fill.side,
            "symbol": fill.symbol,
            "takerOrMaker": fill.taker_or_maker,
            "cost": float(fill.cost),
            "fee": fee,
            "fees": [dict(fee)],
        }

    def _order_dict(self, order: _OrderState) -> Order:
        average = order.cost / order.filled if order.filled else None
        rates = {fill.fee_rate for fill in order.fills}
        if not order.fills:
            rate: Decimal | None = order.maker_rate if order.status == "open" else None
        else:
            rate = rates.pop() if len(rates) == 1 else None  # mixed taker/maker: no one rate
        fee = {"currency": order.fee_currency, "cost": float(order.fee_cost), "rate": _fnum(rate)}
        venue_status = {
            "open": "PARTIALLY_FILLED" if order.filled else "NEW",
            "closed": "FILLED",
            "canceled": "CANCELED",
        }[order.status]
        return {
            "id": order.id,
            "clientOrderId": order.client_order_id,
            "datetime": iso(order.timestamp),
            "timestamp": order.timestamp,
            "lastTradeTimestamp": order.last_trade_timestamp,
            "lastUpdateTimestamp": order.last_update_timestamp,
            "status": order.status,
            "symbol": order.symbol,
            "type": order.type,
            "timeInForce": order.time_in_force,
            "side": order.side,
            # Market orders have no price of their own; ccxt reports the average there.
            "price": _fnum(order.price if order.price is not None else average),
            "average": _fnum(average),
            "amount": float(order.amount),
            "filled": float(order.filled),
            "remaining": float(order.remaining),
            "stopPrice": None,
            "triggerPrice": None,
            "takeProfitPrice": None,
            "stopLossPrice": None,
            "cost": float(order.cost),
            "trades": [self._trade_dict(fill) for fill in order.fills],
            "fee": fee,
            "fees": [dict(fee)] if order.fills else [],
            "reduceOnly": False,
            "postOnly": order.post_only,
            "marginMode": None,
            "leverage": None,
            "hedged": None,
            "info": {
                "orderId": order.id,
                "clientOrderId": order.client_order_id,
                "accountId": self.account_id,
                "symbol": self._market(order.symbol)["id"],
                "side": order.side.upper(),
                "type": order.type.upper(),
                "timeInForce": order.time_in_force,
                "price": None if order.price is None else str(order.price),
                "origQty": str(order.amount),
                "executedQty": str(order.filled),
                "cummulativeQuoteQty": str(order.cost),
                "commission": str(order.fee_cost),
                "commissionAsset": order.fee_currency,
                "reserved": str(order.reserved),
                "status": venue_status,
                "cancelReason": order.cancel_reason,
                "time": order.timestamp,
                "updateTime": order.last_update_timestamp,
            },
        }
