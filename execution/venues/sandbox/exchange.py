"""A deterministic sandbox exchange speaking ccxt's unified (sync) API.

:class:`SandboxMarket` is the shared world (catalog, seed, book shape, price source);
:class:`SandboxExchange` is one account on it and implements
:class:`execution.venues.protocol.Venue`.
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
  as maker, once the reference price has moved (a price process) and the book crosses it:
  it takes at its limit price what the book offers at or better than that price, so it
  fills *partially* where that depth is short and the remainder stays open.
* **Time.** On every account call the exchange catches up with the clock: with a stepped
  price process (:class:`~execution.venues.sandbox.prices.RandomWalkPrices`) it visits each grid
  time since the last call, in order, firing triggers and filling resting orders at the
  prices of that moment; other price sources are evaluated at the current time only.
* **Triggered orders** (``params`` ``triggerPrice``/``stopPrice`` for stop and
  stop-limit, ``takeProfitPrice``/``stopLossPrice``) wait ``'open'`` with the trigger
  fields set, and activate when the reference price crosses the trigger (a stop or
  stop-loss sell at ``price <= trigger``, a take-profit sell at ``>=``, buys mirrored);
  they then execute as the market or limit order they carry. One that would fire at once
  is rejected (``ccxt.OrderImmediatelyFillable``), as venues reject it. **Funds are
  reserved at placement**, as HashKey and Binance lock them for conditional orders: the
  base amount for a sell, ``amount × limit`` for a stop-limit buy and ``amount × trigger ×
  (1 + buffer)`` for a stop-market buy (buffer: the market's ``MARKET_TRADING``
  ``buyPriceUpRate``, else :data:`TRIGGER_MARKET_BUY_BUFFER`). A triggered market buy spends
  at most that reservation; what it cannot pay for is cancelled.
* **Filters.** Beyond ``limits`` (amount, price, cost), HashKey's ``info.filters`` are
  enforced with ``ccxt.InvalidOrder`` (:mod:`execution.venues.filters`); the price bands
  use the book's reference price at the time (for a triggered order at placement: its
  trigger price; at activation: the price then, cancelling the order if it is outside).
* **Faults** (optional :class:`~execution.venues.sandbox.faults.FaultPlan`): seeded network
  errors, timeouts before or after the venue processed the request, rate limits and
  latency on the methods that would go over the network.
* **Order responses** carry ``trades: []``, as HashKey's ``createOrder`` and ``fetchOrder``
  responses do; ``fetch_my_trades`` lists the fills.
* **Fees** are ``market['taker']`` on taking fills and ``market['maker']`` on resting
  fills, charged in the currency received (base on a buy, quote on a sell), as most spot
  venues do (ccxt ``feeSide: 'get'``). An account therefore never needs spare balance to
  pay a fee: a buy needs only its quote cost, a sell only its base amount.
* **Arithmetic** is exact :class:`~decimal.Decimal` inside; returned structures use floats
  as ccxt's Python does, with exact decimal strings kept in ``info``. In balances the
  float ``total`` is computed as ``free + used`` so the identity holds on the numbers
  returned.
* **Determinism.** Time comes only from the injected clock, randomness only from the
  seeds (books, price process, faults: independent), and ids from per-account counters
  (``<account_id>-000001``).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, Final, ParamSpec, TypeVar

import ccxt
from ccxt.base.decimal_to_precision import (
    NO_PADDING,
    ROUND,
    TICK_SIZE,
    TRUNCATE,
    decimal_to_precision,
)

from execution.clock import Clock, iso
from execution.venues.filters import MarketFilters, check_filters, parse_filters
from execution.venues.sandbox.book import (
    Book,
    BookParams,
    Level,
    PriceSource,
    StaticPrices,
    book_from_snapshot,
    generate_book,
    shift_book,
)
from execution.venues.sandbox.faults import FaultInjector, FaultPlan
from execution.venues.sandbox.markets import MarketCatalog
from execution.venues.sandbox.prices import SteppedPriceSource

if TYPE_CHECKING:
    from ccxt.base.types import Balances, MarketInterface, Order, OrderBook, Ticker, Trade

__all__ = [
    "DEFAULT_DEPTH",
    "DEFAULT_SPREAD_BPS",
    "TRIGGER_MARKET_BUY_BUFFER",
    "SandboxExchange",
    "SandboxMarket",
]

DEFAULT_SPREAD_BPS = Decimal(10)
DEFAULT_DEPTH = 20
#: Extra quote reserved for a stop-market buy above ``amount × trigger`` when the market has
#: no ``MARKET_TRADING`` band: room for the book's spread and slippage at activation.
TRIGGER_MARKET_BUY_BUFFER = Decimal("0.1")

_ORDER_TYPES = ("market", "limit")
_SIDES = ("buy", "sell")
_TIME_IN_FORCE = ("GTC", "IOC", "FOK", "PO")
_ZERO = Decimal(0)
# ccxt order status -> HashKey's (an open order is NEW or PARTIALLY_FILLED).
_VENUE_STATUS = {"closed": "FILLED", "canceled": "CANCELED"}
_TRIGGER_PARAMS = ("triggerPrice", "stopPrice", "takeProfitPrice", "stopLossPrice")
# ccxt's ISO formatting costs ~10 us; orders and their trades repeat the same few times.
_iso = functools.lru_cache(maxsize=4096)(iso)

_P = ParamSpec("_P")
_R = TypeVar("_R")


class SandboxMarket:
    """The shared side of the sandbox: markets, seeded books and reference prices.

    ``prices`` is the hook for a price process; by default prices are the catalog's
    static reference prices (pass a :class:`~execution.venues.sandbox.prices.RandomWalkPrices` to
    move them). ``snapshot`` replaces generated books by recorded ones for the symbols it
    holds: a path to a JSON file or a mapping ``{symbol: ccxt OrderBook}``; those books are
    used as they are with static prices, and moved proportionally with the price process
    otherwise (their mid follows ``price(t) / catalog reference price``). Books are cached
    per ``(symbol, reference price)`` since they are deterministic in those.
    """

    def __init__(
        self,
        catalog: MarketCatalog,
        *,
        seed: int = 0,
        params: BookParams | None = None,
        prices: PriceSource | None = None,
        snapshot: str | Path | Mapping[str, Any] | None = None,
    ) -> None:
        self.catalog = catalog
        self.seed = seed
        self.params = params or BookParams(spread_bps=DEFAULT_SPREAD_BPS, depth=DEFAULT_DEPTH)
        self.prices: PriceSource = prices or StaticPrices(catalog)
        self._static = prices is None or isinstance(prices, StaticPrices)
        # The grid the price changes on, if the source declares one (else: evaluate "now").
        self.grid_step: tuple[int, int] | None = None
        if isinstance(prices, SteppedPriceSource):
            self.grid_step = (int(prices.step_ms), int(prices.origin_ms))
        self.snapshots: dict[str, Book] = {}
        if snapshot is not None:
            self.snapshots = self._load_snapshot(snapshot)
        self._books: dict[tuple[str, Decimal], Book] = {}
        self._filters: dict[str, MarketFilters] = {}
        self._rules: dict[str, _MarketRules] = {}
        self._lock = threading.Lock()

    def _load_snapshot(self, snapshot: str | Path | Mapping[str, Any]) -> dict[str, Book]:
        if isinstance(snapshot, Mapping):
            document: Mapping[str, Any] = snapshot
        else:
            document = json.loads(Path(snapshot).read_text(encoding="utf-8"))
        books: dict[str, Book] = {}
        for symbol, raw in document.items():
            if not isinstance(raw, Mapping):
                continue  # comments and metadata next to the books
            self.catalog.market(symbol)  # BadSymbol: a snapshot for a market not listed
            books[symbol] = book_from_snapshot(symbol, raw)
        return books

    def filters(self, symbol: str) -> MarketFilters:
        """The parsed ``info.filters`` of ``symbol`` (cached; the catalog is immutable)."""
        found = self._filters.get(symbol)
        if found is None:
            found = parse_filters(self.catalog.markets[symbol])
            self._filters[symbol] = found
        return found

    def rules(self, symbol: str) -> _MarketRules:
        """The converted limits, steps and fees of ``symbol`` (cached, like :meth:`filters`)."""
        found = self._rules.get(symbol)
        if found is None:
            found = self._rules[symbol] = _MarketRules(self.catalog.markets[symbol])
        return found

    def reference_price(self, symbol: str, now_ms: int) -> Decimal:
        """The price ``symbol``'s book is centred on at ``now_ms``."""
        if symbol not in self.catalog.markets:
            self.catalog.market(symbol)  # BadSymbol before asking the price source
        snap = self.snapshots.get(symbol)
        if snap is None:
            return self.prices.reference_price(symbol, now_ms)
        if self._static:
            return snap.reference_price
        try:
            anchor = self.catalog.reference_price(symbol)
        except ccxt.BadSymbol:
            return snap.reference_price  # no price to move relative to: the snapshot stands
        tick = Decimal(str(self.catalog.markets[symbol]["precision"]["price"]))
        moved = snap.reference_price * self.prices.reference_price(symbol, now_ms) / anchor
        return max((moved / tick).to_integral_value() * tick, tick)

    def book(self, symbol: str, now_ms: int) -> Book:
        """The (exact, Decimal) book of ``symbol`` at ``now_ms``."""
        price = self.reference_price(symbol, now_ms)
        key = (symbol, price)
        with self._lock:
            book = self._books.get(key)
            if book is None:
                market = self.catalog.markets[symbol]
                snap = self.snapshots.get(symbol)
                if snap is not None:
                    book = shift_book(snap, market, price)
                else:
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

    def grid(self, after_ms: int, until_ms: int) -> Iterable[int]:
        """The times in ``(after_ms, until_ms]`` at which prices may have changed.

        A stepped source's grid times; for any other source just ``until_ms`` (its price is
        only known "now"), so an account call always looks at the current price.
        """
        if self.grid_step is None:
            return (until_ms,)
        step, origin = self.grid_step
        first = origin + ((after_ms - origin) // step + 1) * step
        return range(first, until_ms + 1, step)

    def open_account(
        self,
        *,
        balances: Mapping[str, Decimal | int | str],
        clock: Clock,
        account_id: str = "sandbox",
        faults: FaultPlan | None = None,
    ) -> SandboxExchange:
        """A new :class:`SandboxExchange` account trading on these shared books."""
        return SandboxExchange(
            self.catalog,
            balances=balances,
            clock=clock,
            account_id=account_id,
            shared=self,
            faults=faults,
        )


# One fill: ``(id, order_id, symbol, type, side, price, amount, cost, fee_cost,
# fee_currency, fee_rate, taker_or_maker, timestamp)``. A plain tuple rather than an object
# because an account keeps every fill it ever made: the garbage collector stops tracking a
# tuple of atoms (str, int, Decimal) after its first collection, whereas every dataclass
# instance is traversed again by each full collection (with five fills per order, those
# collections were about a quarter of a market order's cost in bench/venue.py).
_Fill = tuple[str, str, str, str, str, Decimal, Decimal, Decimal, Decimal, str, Decimal, str, int]
_FILL_SYMBOL: Final = 2
_FILL_FEE_RATE: Final = 10


@dataclass(slots=True)
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
    fills: tuple[_Fill, ...] = ()
    last_trade_timestamp: int | None = None
    last_update_timestamp: int | None = None
    reserved: Decimal = _ZERO
    cancel_reason: str | None = None
    # Conditional orders: which trigger param, its price, and the side of it that fires.
    trigger_kind: str | None = None
    trigger_price: Decimal | None = None
    trigger_above: bool = False
    triggered: bool = False
    trigger_time: int | None = None
    reserve_cap: Decimal | None = None  # spending cap of a triggered market buy

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


def _faultable(
    method: Callable[Concatenate[SandboxExchange, _P], _R],
) -> Callable[Concatenate[SandboxExchange, _P], _R]:
    """Run ``method`` through the account's fault injector, if it has one."""
    name = method.__name__

    @functools.wraps(method)
    def wrapper(self: SandboxExchange, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        injector = self.faults
        if injector is None:
            return method(self, *args, **kwargs)
        decision = injector.decide(name)
        injector.raise_before(decision, self.id)
        try:
            result = method(self, *args, **kwargs)
        except ccxt.BaseError as exc:
            # The venue answered with an error, but the answer was lost on the way back.
            injector.raise_after(decision, self.id, cause=exc)
            raise
        injector.raise_after(decision, self.id)
        return result

    return wrapper


@functools.lru_cache(maxsize=8192)
def _decimal_to_precision(number: str, rounding: int, step: str) -> str:
    """ccxt's own rounding (TICK_SIZE mode, no padding), memoised: it is a pure function
    of its arguments and costs several microseconds a call."""
    return str(decimal_to_precision(number, rounding, step, TICK_SIZE, NO_PADDING))


def _totals(plan: Iterable[tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal]:
    """``(sum of amounts, sum of price x amount)`` of a plan of fills, added up from zero in
    plan order (as ``sum(..., Decimal(0))`` does), in one pass."""
    qty = cost = _ZERO
    for price, amount in plan:
        qty += amount
        cost += price * amount
    return qty, cost


def _rate(market: Mapping[str, Any], key: str) -> Decimal:
    value = market.get(key)
    # Some fixtures omit fees; a missing rate is treated as free rather than an error.
    return _ZERO if value is None else Decimal(str(value))


def _min_max(market: Mapping[str, Any], kind: str) -> tuple[Any, Any]:
    limits = (market.get("limits") or {}).get(kind) or {}
    return limits.get("min"), limits.get("max")


class _MarketRules:
    """What an order on one market is checked and charged with, converted from its catalog
    entry once rather than on every order (the catalog is immutable): the amount step as
    ccxt's precision string, the fee rates and the amount and cost limits as Decimals.

    Each value is a ``cached_property`` computed on first use: a malformed catalog value
    raises where, and every time, it is used, as converting it on each order did.
    """

    def __init__(self, market: Mapping[str, Any]) -> None:
        self.market = market

    @cached_property
    def amount_step(self) -> str:
        return str(self.market["precision"]["amount"])

    @cached_property
    def taker(self) -> Decimal:
        return _rate(self.market, "taker")

    @cached_property
    def maker(self) -> Decimal:
        return _rate(self.market, "maker")

    @cached_property
    def amount_limits(self) -> tuple[Any, Any]:
        """``limits.amount`` ``(min, max)`` as the catalog has them (``None``: no limit)."""
        return _min_max(self.market, "amount")

    @cached_property
    def amount_min(self) -> Decimal:  # read only when there is a minimum
        return Decimal(str(self.amount_limits[0]))

    @cached_property
    def amount_max(self) -> Decimal:  # read only when there is a maximum
        return Decimal(str(self.amount_limits[1]))

    @cached_property
    def cost_limits(self) -> tuple[Any, Any]:
        """``limits.cost`` ``(min, max)`` as the catalog has them (``None``: no limit)."""
        return _min_max(self.market, "cost")

    @cached_property
    def cost_min(self) -> Decimal:  # read only when there is a minimum
        return Decimal(str(self.cost_limits[0]))

    @cached_property
    def cost_max(self) -> Decimal:  # read only when there is a maximum
        return Decimal(str(self.cost_limits[1]))


class SandboxExchange:
    """One account on the sandbox venue, implementing :class:`execution.venues.protocol.Venue`.

    ``balances`` are the account's starting totals (all free). Either pass ``shared`` (a
    :class:`SandboxMarket` several accounts use) or let the exchange build its own from
    ``catalog``, ``seed``, ``spread_bps`` and ``depth``; with ``shared``, any of those given
    must agree with it. ``faults`` injects seeded failures (see
    :mod:`execution.venues.sandbox.faults`); its decisions are logged in ``self.faults.log``. See
    the module docstring for the execution model.
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
        faults: FaultPlan | None = None,
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
        # Open orders only, in creation order: what a clock catch-up has to look at.
        self._active: dict[str, _OrderState] = {}
        self._synced_to = clock.now_ms()
        self.faults: FaultInjector | None = (
            None if faults is None else FaultInjector(faults, account_id)
        )
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
        step = self.shared.rules(symbol).amount_step
        return self._truncated(symbol, market, step, self._number(amount, "amount"), amount)

    def _truncated(
        self, symbol: str, market: Mapping[str, Any], step: str, number: Decimal, amount: Any
    ) -> str:
        """:meth:`amount_to_precision` of ``amount``, already parsed into ``number``."""
        result = _decimal_to_precision(str(number), TRUNCATE, step)
        if Decimal(result) == 0:
            raise ccxt.InvalidOrder(
                f"{self.id} amount {amount} of {symbol} rounds to zero: "
                f"must be at least the amount precision {market['precision']['amount']}"
            )
        return result

    def price_to_precision(self, symbol: str, price: Any) -> str:
        """``price`` rounded to the market's tick (ccxt's ROUND, TICK_SIZE mode)."""
        market = self._market(symbol)
        return self._to_precision(price, ROUND, market["precision"]["price"], "price")

    def _to_precision(self, value: Any, rounding: int, step: Any, what: str) -> str:
        number = self._number(value, what)
        return _decimal_to_precision(str(number), rounding, str(step))

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

    @_faultable
    def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        """The seeded book of ``symbol`` now, ``limit`` levels per side (all if ``None``)."""
        with self._lock:
            now = self._sync()
            return self.shared.book(symbol, now).to_ccxt(now, limit)

    @_faultable
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

    # -- account ----------------------------------------------------------------------------

    @_faultable
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
                "datetime": _iso(now),
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

    def _reserve(self, order: _OrderState, amount: Decimal) -> None:
        code = order.reserve_currency
        self._used[code] = self._used.get(code, _ZERO) + amount
        order.reserved += amount

    def _release(self, order: _OrderState, amount: Decimal) -> None:
        code = order.reserve_currency
        self._used[code] -= amount
        order.reserved -= amount

    # -- orders -----------------------------------------------------------------------------

    @_faultable
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
        ``ccxt.DuplicateOrderId``), ``timeInForce`` (GTC, IOC, FOK, PO), ``postOnly``, and
        one trigger: ``triggerPrice`` (alias ``stopPrice``), ``takeProfitPrice`` or
        ``stopLossPrice``, which makes a ``market`` order a stop(-market) order and a
        ``limit`` order a stop-limit order.
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
            trigger = self._checked_trigger(symbol, market, side, params)
            client_id = params.get("clientOrderId")
            if client_id is not None:
                client_id = str(client_id)
                if client_id in self._client_ids:
                    raise ccxt.DuplicateOrderId(
                        f"{self.id} clientOrderId {client_id!r} is already used by order "
                        f"{self._client_ids[client_id]} on account {self.account_id}"
                    )
            if trigger is not None:
                if post_only:
                    raise ccxt.InvalidOrder(f"{self.id} a triggered order cannot be post-only")
                return self._place_triggered(
                    symbol, market, type, side, qty, limit_price, tif, client_id, trigger, now
                )

            book = self.shared.book(symbol, now)
            plan = self._walk(book, side, qty, limit_price)
            planned_qty, planned_cost = _totals(plan)
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
            self._check_order_limits(
                symbol,
                market,
                notional,
                type=type,
                side=side,
                amount=qty,
                price=limit_price,
                reference=book.reference_price,
                expected_average=planned_cost / planned_qty if planned_qty else None,
                expected_cost=planned_cost if type == "market" else None,
                now_ms=now,
            )

            base, quote = market["base"], market["quote"]
            spend_code = quote if side == "buy" else base
            needed = notional if side == "buy" else qty
            free = self._free(spend_code)
            if needed > free:
                raise ccxt.InsufficientFunds(
                    f"{self.id} account {self.account_id} has insufficient {spend_code}: "
                    f"needs {needed} {spend_code}, free {free} {spend_code}"
                )

            order = self._new_order(
                symbol, market, type, side, qty, limit_price, tif, post_only, client_id, now
            )
            order.seen_reference = book.reference_price
            if tif == "FOK" and planned_qty < qty:
                self._close(order, "canceled", "fill-or-kill could not fill completely")
                return self._order_dict(order)
            self._fill(order, plan, self.shared.rules(symbol).taker, "taker", now)
            self._settle_taken(order, "book exhausted")
            return self._order_dict(order)

    def _new_order(
        self,
        symbol: str,
        market: Mapping[str, Any],
        type: str,
        side: str,
        qty: Decimal,
        limit_price: Decimal | None,
        tif: str,
        post_only: bool,
        client_id: str | None,
        now: int,
    ) -> _OrderState:
        """Record a new order (status 'open') under its id and client id; ``market`` is the
        catalog's market of ``symbol``."""
        self._order_seq += 1
        order = _OrderState(
            id=f"{self.account_id}-{self._order_seq:06d}",
            client_order_id=client_id,
            symbol=market["symbol"],
            base=market["base"],
            quote=market["quote"],
            type=type,
            side=side,
            time_in_force=tif,
            post_only=post_only,
            amount=qty,
            price=limit_price,
            timestamp=now,
            maker_rate=self.shared.rules(symbol).maker,
            seen_reference=_ZERO,
            last_update_timestamp=now,
        )
        self._orders[order.id] = order
        self._active[order.id] = order
        if client_id is not None:
            self._client_ids[client_id] = order.id
        return order

    def _settle_taken(self, order: _OrderState, exhausted_reason: str) -> None:
        """After an order took liquidity: close it, cancel its remainder, or rest it."""
        if order.remaining == 0:
            self._close(order, "closed")
        elif order.type == "market":
            self._close(order, "canceled", exhausted_reason)
        elif order.time_in_force == "IOC":
            self._close(order, "canceled", "immediate-or-cancel remainder")
        else:
            assert order.price is not None
            self._reserve(
                order, order.remaining * order.price if order.side == "buy" else order.remaining
            )

    def _close(self, order: _OrderState, status: str, reason: str | None = None) -> None:
        order.status = status
        if reason is not None:
            order.cancel_reason = reason
        self._active.pop(order.id, None)

    def _check_order_limits(
        self, symbol: str, market: Mapping[str, Any], notional: Decimal, **order: Any
    ) -> None:
        """The market's cost limits, then its venue filters: ``ccxt.InvalidOrder`` at the first
        one broken. ``order`` is what :func:`check_filters` takes."""
        self._check_cost(symbol, market, notional)
        filters = self.shared.filters(symbol)
        if filters.empty:
            return
        violations = check_filters(filters, **order)
        if violations:
            raise ccxt.InvalidOrder(f"{self.id} {violations[0].message}")

    def _checked_trigger(
        self, symbol: str, market: Mapping[str, Any], side: str, params: Mapping[str, Any]
    ) -> tuple[str, Decimal, bool] | None:
        """``(kind, trigger price, fires when the price is >= it)`` or ``None``."""
        given = {key: params[key] for key in _TRIGGER_PARAMS if params.get(key) is not None}
        if not given:
            return None
        stop = {given.pop(k) for k in ("triggerPrice", "stopPrice") if k in given}
        kinds = ([("stop", stop.pop())] if len(stop) == 1 else []) + [
            ("take_profit" if key == "takeProfitPrice" else "stop_loss", value)
            for key, value in given.items()
        ]
        if len(stop) > 0 or len(kinds) != 1:
            named = sorted(params.keys() & set(_TRIGGER_PARAMS))
            raise ccxt.InvalidOrder(
                f"{self.id} an order takes one trigger (triggerPrice/stopPrice, "
                f"takeProfitPrice or stopLossPrice), got {named}"
            )
        kind, raw = kinds[0]
        number = self._number(raw, f"{kind} trigger price")
        if number <= 0:
            raise ccxt.InvalidOrder(f"{self.id} trigger price must be positive, got {raw!r}")
        trigger = Decimal(self.price_to_precision(symbol, number))
        # A stop buys a breakout (fires on the way up) and sells a breakdown; a take-profit
        # sells high / buys low; a stop-loss sells low / buys (covers) high.
        above = {"stop": side == "buy", "take_profit": side == "sell", "stop_loss": side == "buy"}
        return kind, trigger, above[kind]

    def _place_triggered(
        self,
        symbol: str,
        market: Mapping[str, Any],
        type: str,
        side: str,
        qty: Decimal,
        limit_price: Decimal | None,
        tif: str,
        client_id: str | None,
        trigger: tuple[str, Decimal, bool],
        now: int,
    ) -> Order:
        kind, trigger_price, above = trigger
        reference = self.shared.reference_price(symbol, now)
        if (reference >= trigger_price) if above else (reference <= trigger_price):
            relation = "at or above" if above else "at or below"
            raise ccxt.OrderImmediatelyFillable(
                f"{self.id} {kind} {side} trigger {trigger_price} on {symbol} would trigger "
                f"immediately: the reference price {reference} is already {relation} it"
            )
        # Checked as the order will be when it fires, priced at its trigger (the best
        # estimate of the price then); the band is re-checked on activation.
        notional = qty * (limit_price if limit_price is not None else trigger_price)
        self._check_order_limits(
            symbol,
            market,
            notional,
            type=type,
            side=side,
            amount=qty,
            price=limit_price,
            reference=trigger_price,
            expected_cost=notional if type == "market" else None,
        )
        base, quote = market["base"], market["quote"]
        if side == "sell":
            spend_code, needed = base, qty
        elif limit_price is not None:
            spend_code, needed = quote, qty * limit_price
        else:
            buffer = self.shared.filters(symbol).market_buy_up_rate or TRIGGER_MARKET_BUY_BUFFER
            spend_code, needed = quote, qty * trigger_price * (1 + buffer)
        free = self._free(spend_code)
        if needed > free:
            raise ccxt.InsufficientFunds(
                f"{self.id} account {self.account_id} has insufficient {spend_code}: "
                f"needs {needed} {spend_code}, free {free} {spend_code} (reserved for the "
                f"{kind} order until it triggers)"
            )
        order = self._new_order(
            symbol, market, type, side, qty, limit_price, tif, False, client_id, now
        )
        order.trigger_kind, order.trigger_price, order.trigger_above = kind, trigger_price, above
        order.seen_reference = reference
        self._reserve(order, needed)
        if side == "buy" and limit_price is None:
            order.reserve_cap = needed
        return self._order_dict(order)

    def _checked_amount(self, symbol: str, market: Mapping[str, Any], amount: Any) -> Decimal:
        raw = self._number(amount, "amount")
        if raw <= 0:
            raise ccxt.InvalidOrder(f"{self.id} amount must be positive, got {amount!r}")
        rules = self.shared.rules(symbol)
        qty = Decimal(self._truncated(symbol, market, rules.amount_step, raw, raw))
        low, high = rules.amount_limits
        if low is not None and qty < rules.amount_min:
            raise ccxt.InvalidOrder(
                f"{self.id} amount {qty} of {symbol} is below the minimum amount {low}"
            )
        if high is not None and qty > rules.amount_max:
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
        rules = self.shared.rules(symbol)
        low, high = rules.cost_limits
        quote = market["quote"]
        if low is not None and notional < rules.cost_min:
            raise ccxt.InvalidOrder(
                f"{self.id} order cost {notional} {quote} on {symbol} is below the minimum "
                f"cost {low} {quote}"
            )
        if high is not None and notional > rules.cost_max:
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
        plan: Sequence[tuple[Decimal, Decimal]],
        rate: Decimal,
        taker_or_maker: str,
        now: int,
    ) -> None:
        """Execute ``plan``'s ``(price, amount)`` fills of ``order`` in turn: balances, the
        account's trades and the order's totals, with the same Decimal operations in the
        same order as one fill at a time (the arithmetic is not associative once it rounds).
        """
        if not plan:
            return
        total = self._total
        buy = order.side == "buy"
        spend, get = (order.quote, order.base) if buy else (order.base, order.quote)
        prefix = f"{self.account_id}-t"
        fee_currency = order.fee_currency
        order_id, symbol, type, side = order.id, order.symbol, order.type, order.side
        filled, bought, fees = order.filled, order.cost, order.fee_cost
        seq = self._trade_seq
        new: list[_Fill] = []
        for price, qty in plan:
            cost = price * qty
            if buy:
                fee = qty * rate
                total[spend] = total.get(spend, _ZERO) + -cost
                total[get] = total.get(get, _ZERO) + (qty - fee)
            else:
                fee = cost * rate
                total[spend] = total.get(spend, _ZERO) + -qty
                total[get] = total.get(get, _ZERO) + (cost - fee)
            seq += 1
            new.append(
                (
                    f"{prefix}{seq:06d}",
                    order_id,
                    symbol,
                    type,
                    side,
                    price,
                    qty,
                    cost,
                    fee,
                    fee_currency,
                    rate,
                    taker_or_maker,
                    now,
                )
            )
            filled += qty
            bought += cost
            fees += fee
        used = self._used
        used.setdefault(spend, _ZERO)
        used.setdefault(get, _ZERO)
        self._trade_seq = seq
        self._fills.extend(new)
        order.fills += tuple(new)
        order.filled, order.cost, order.fee_cost = filled, bought, fees
        order.last_trade_timestamp = now
        order.last_update_timestamp = now

    def _sync(self) -> int:
        """Read the clock and catch up with it: fire triggers and fill resting orders.

        Grid times since the last call are visited in order (see :meth:`SandboxMarket.grid`);
        at each, open orders are examined oldest first. A resting limit is only re-examined
        once its book's reference price has changed since it was last seen: with a static
        price nothing ever fills passively, and an order that outgrew the book at placement
        does not refill from the same snapshot.
        """
        now = self._clock.now_ms()
        if self._active:
            for t in self.shared.grid(self._synced_to, now):
                if not self._active:
                    break
                prices: dict[str, Decimal] = {}
                for order in list(self._active.values()):
                    if order.status != "open":
                        continue
                    ref = prices.get(order.symbol)
                    if ref is None:
                        ref = prices[order.symbol] = self.shared.reference_price(order.symbol, t)
                    if order.trigger_price is not None and not order.triggered:
                        fires = (
                            ref >= order.trigger_price
                            if order.trigger_above
                            else ref <= order.trigger_price
                        )
                        if fires:
                            self._activate(order, t)
                    elif order.price is not None:
                        self._rest(order, ref, t)
        self._synced_to = max(self._synced_to, now)
        return now

    def _rest(self, order: _OrderState, ref: Decimal, t: int) -> None:
        """Fill a resting limit as maker from what the book at ``t`` offers through it."""
        if ref == order.seen_reference:
            return
        order.seen_reference = ref
        assert order.price is not None
        # The touch is never better than the reference price (books are uncrossed around
        # it), so most steps are settled without building the book.
        if (order.side == "buy" and ref > order.price) or (
            order.side == "sell" and ref < order.price
        ):
            return
        book = self.shared.book(order.symbol, t)
        depth = sum(
            (q for _, q in self._walk(book, order.side, order.remaining, order.price)), _ZERO
        )
        if depth == 0:
            return
        self._release(order, depth * order.price if order.side == "buy" else depth)
        self._fill(order, ((order.price, depth),), order.maker_rate, "maker", t)
        if order.remaining == 0:
            self._close(order, "closed")

    def _activate(self, order: _OrderState, t: int) -> None:
        """A trigger fired at ``t``: execute the order it carries, as if placed then."""
        order.triggered = True
        order.trigger_time = t
        order.last_update_timestamp = t
        book = self.shared.book(order.symbol, t)
        order.seen_reference = book.reference_price
        budget = order.reserve_cap
        # The reservation was for the order as placed; it is recomputed for what rests.
        self._release(order, order.reserved)
        market = self._market(order.symbol)
        full = self._walk(book, order.side, order.remaining, order.price)
        plan = full
        if budget is not None:
            plan = self._within_budget(full, budget, Decimal(str(market["precision"]["amount"])))
        planned_qty, planned_cost = _totals(plan)
        filters = self.shared.filters(order.symbol)
        violations = check_filters(
            filters,
            type="market" if order.type == "market" else "limit",
            side=order.side,
            amount=order.remaining,
            price=order.price,
            reference=book.reference_price,
            expected_average=planned_cost / planned_qty if planned_qty else None,
        )
        bands = [v for v in violations if v.filter in ("LIMIT_TRADING", "MARKET_TRADING")]
        if bands:
            self._close(order, "canceled", f"rejected at trigger: {bands[0].message}")
            return
        if order.type == "market" and not plan:
            self._close(order, "canceled", "no liquidity at trigger")
            return
        if order.time_in_force == "FOK" and planned_qty < order.remaining:
            self._close(order, "canceled", "fill-or-kill could not fill completely")
            return
        self._fill(order, plan, self.shared.rules(order.symbol).taker, "taker", t)
        self._settle_taken(order, "reserved funds exhausted" if plan != full else "book exhausted")

    @staticmethod
    def _within_budget(
        plan: list[tuple[Decimal, Decimal]], budget: Decimal, step: Decimal
    ) -> list[tuple[Decimal, Decimal]]:
        """The prefix of ``plan`` a buyer with ``budget`` quote can pay for (whole steps)."""
        kept: list[tuple[Decimal, Decimal]] = []
        left = budget
        for price, qty in plan:
            if price * qty <= left:
                kept.append((price, qty))
                left -= price * qty
                continue
            part = (left / price / step).to_integral_value(rounding=ROUND_FLOOR) * step
            if part > 0:
                kept.append((price, part))
            break
        return kept

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

    @_faultable
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
            self._close(order, "canceled", "canceled by user")
            order.last_update_timestamp = now
            return self._order_dict(order)

    @_faultable
    def fetch_order(
        self, id: str, symbol: str | None = None, params: dict[str, Any] | None = None
    ) -> Order:
        """One order by id, or by ``params={'clientOrderId': ...}``; ``ccxt.OrderNotFound``."""
        with self._lock:
            self._sync()
            return self._order_dict(self._find(id, symbol, params))

    @_faultable
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

    @_faultable
    def fetch_my_trades(self, symbol: str | None = None) -> list[Trade]:
        """This account's fills (ccxt ``Trade`` dicts), oldest first."""
        with self._lock:
            self._sync()
            if symbol is not None:
                self._market(symbol)
            return [
                self._trade_dict(fill)
                for fill in self._fills
                if symbol is None or fill[_FILL_SYMBOL] == symbol
            ]

    # -- ccxt structures ---------------------------------------------------------------------

    def _trade_dict(self, fill: _Fill) -> Trade:
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
                "accountId": self.account_id,
                "symbol": self.catalog.markets[symbol]["id"],
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

    def _order_dict(self, order: _OrderState) -> Order:
        filled, fills, status = order.filled, order.fills, order.status
        average = _fnum(order.cost / filled) if filled else None
        if not fills:
            rate: Decimal | None = order.maker_rate if status == "open" else None
        else:
            rates = {fill[_FILL_FEE_RATE] for fill in fills}
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
                "accountId": self.account_id,
                "symbol": self.catalog.markets[order.symbol]["id"],
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
