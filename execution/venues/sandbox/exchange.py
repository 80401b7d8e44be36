"""One account on the sandbox venue: :class:`SandboxExchange`, implementing
:class:`execution.venues.protocol.Venue` with ccxt's unified (sync) API.

The account keeps its balances (totals and what open orders reserve), its orders and its
fills; it places orders (checked by :mod:`.validation`, matched against the book by
:mod:`.matching`, charged the fees of :mod:`.rules`), rests limit orders and waits
triggered ones, catching up with the clock on every call, cancels them and looks them up by
id or ``clientOrderId``; :mod:`.shapes` writes what it returns. Many accounts (one per
customer) share a :class:`~execution.venues.sandbox.market.SandboxMarket` and so see the
same books. The execution model is described in the package's docstring
(:mod:`execution.venues.sandbox`).

A little over 600 lines, on purpose: what is left is the account's own state and the order
lifecycle that changes it (place, rest, trigger, fill, cancel), which reads as one piece
under one lock; every part with a life of its own is in a sibling module.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import ccxt

from execution.clock import Clock
from execution.venues.filters import check_filters
from execution.venues.sandbox import shapes, validation
from execution.venues.sandbox.catalog import MarketCatalog
from execution.venues.sandbox.faults import FaultInjector, FaultPlan, faultable
from execution.venues.sandbox.market import DEFAULT_DEPTH, DEFAULT_SPREAD_BPS, SandboxMarket
from execution.venues.sandbox.matching import totals, walk, within_budget
from execution.venues.sandbox.orders import FILL_SYMBOL, Fill, OrderState
from execution.venues.sandbox.rules import parse_number, price_to_precision, truncate_amount

if TYPE_CHECKING:
    from ccxt.base.types import Balances, MarketInterface, Order, OrderBook, Ticker, Trade

__all__ = [
    "DEFAULT_DEPTH",
    "DEFAULT_SPREAD_BPS",
    "TRIGGER_MARKET_BUY_BUFFER",
    "SandboxExchange",
    "SandboxMarket",
]

#: Extra quote reserved for a stop-market buy above ``amount × trigger`` when the market has
#: no ``MARKET_TRADING`` band: room for the book's spread and slippage at activation.
TRIGGER_MARKET_BUY_BUFFER = Decimal("0.1")

_ZERO = Decimal(0)


class SandboxExchange:
    """One account on the sandbox venue, implementing :class:`execution.venues.protocol.Venue`.

    ``balances`` are the account's starting totals (all free). Either pass ``shared`` (a
    :class:`SandboxMarket` several accounts use) or let the exchange build its own from
    ``catalog``, ``seed``, ``spread_bps`` and ``depth``; with ``shared``, any of those given
    must agree with it. ``faults`` injects seeded failures (see
    :mod:`execution.venues.sandbox.faults`); its decisions are logged in ``self.faults.log``. See
    the package docstring for the execution model.
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
        self.shared = SandboxMarket.for_account(
            catalog, seed=seed, spread_bps=spread_bps, depth=depth, shared=shared
        )
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
        self._orders: dict[str, OrderState] = {}
        # Open orders only, in creation order: what a clock catch-up has to look at.
        self._active: dict[str, OrderState] = {}
        self._synced_to = clock.now_ms()
        self.faults: FaultInjector | None = (
            None if faults is None else FaultInjector(faults, account_id)
        )
        self._client_ids: dict[str, str] = {}
        self._fills: list[Fill] = []
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
        """Every market, as ccxt's ``exchange.markets``: the catalog's own frozen mapping,
        shared by every account and never copied (the catalog cannot change, so ``reload``
        has nothing to reload)."""
        return self.catalog.all_markets()

    def market(self, symbol: str) -> MarketInterface:
        """The (frozen, shared) ccxt market of ``symbol``; ``ccxt.BadSymbol`` if unknown."""
        return self.catalog.market(symbol)

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
        number = parse_number(self.id, amount, "amount")
        return truncate_amount(self.id, symbol, market, step, number, amount)

    def price_to_precision(self, symbol: str, price: Any) -> str:
        """``price`` rounded to the market's tick (ccxt's ROUND, TICK_SIZE mode)."""
        return price_to_precision(self.id, self._market(symbol), price)

    # -- market data ----------------------------------------------------------------------

    @faultable
    def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        """The seeded book of ``symbol`` now, ``limit`` levels per side (all if ``None``)."""
        with self._lock:
            now = self._sync()
            return self.shared.book(symbol, now).to_ccxt(now, limit)

    @faultable
    def fetch_ticker(self, symbol: str) -> Ticker:
        """A ccxt ``Ticker``: touch prices from the book, last/close at the reference.

        Fields a snapshot venue has no history for (open, high, low, volumes) are ``None``.
        """
        with self._lock:
            now = self._sync()
            market = self._market(symbol)
            book = self.shared.book(symbol, now)
            last = Decimal(self.price_to_precision(symbol, book.reference_price))
            return shapes.ticker_dict(symbol, market, book, last, now)

    # -- account ----------------------------------------------------------------------------

    @faultable
    def fetch_balance(self) -> Balances:
        """ccxt ``Balances``: per-currency and free/used/total views, ``free + used == total``."""
        with self._lock:
            now = self._sync()
            return shapes.balance_dict(self.account_id, self._total, self._used, now)

    def _free(self, code: str) -> Decimal:
        return self._total.get(code, _ZERO) - self._used.get(code, _ZERO)

    def _reserve(self, order: OrderState, amount: Decimal) -> None:
        code = order.reserve_currency
        self._used[code] = self._used.get(code, _ZERO) + amount
        order.reserved += amount

    def _release(self, order: OrderState, amount: Decimal) -> None:
        code = order.reserve_currency
        self._used[code] -= amount
        order.reserved -= amount

    # -- orders -----------------------------------------------------------------------------

    @faultable
    def create_order(
        self,
        symbol: str,
        type: str,
        side: str,
        amount: float,
        price: float | None = None,
        params: dict[str, Any] | None = None,
    ) -> Order:
        """Place an order; see the package docstring for how it executes.

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
            validation.check_type_and_side(self.id, type, side)
            qty = validation.checked_amount(self.id, self.shared, symbol, market, amount)
            tif, post_only = validation.time_in_force(self.id, type, params)
            limit_price = validation.checked_price(self.id, symbol, market, type, price)
            trigger = validation.checked_trigger(self.id, symbol, market, side, params)
            client_id = validation.checked_client_id(
                self.id, self.account_id, params, self._client_ids
            )
            if trigger is not None:
                if post_only:
                    raise ccxt.InvalidOrder(f"{self.id} a triggered order cannot be post-only")
                return self._place_triggered(
                    symbol, market, type, side, qty, limit_price, tif, client_id, trigger, now
                )

            book = self.shared.book(symbol, now)
            plan = walk(book, side, qty, limit_price)
            planned_qty, planned_cost = totals(plan)
            validation.check_executable(self.id, symbol, type, side, post_only, limit_price, plan)

            # Notional checked against the market's cost limits: the limit notional for a
            # limit order, the executable cost for a market order.
            notional = qty * limit_price if limit_price is not None else planned_cost
            validation.check_order_limits(
                self.id,
                self.shared,
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
            validation.check_funds(self.id, self.account_id, spend_code, needed, free)

            order = self._new_order(
                symbol, market, type, side, qty, limit_price, tif, post_only, client_id, now
            )
            order.seen_reference = book.reference_price
            if tif == "FOK" and planned_qty < qty:
                self._close(order, "canceled", "fill-or-kill could not fill completely")
                return shapes.order_dict(order, self.account_id, self.catalog)
            self._fill(order, plan, self.shared.rules(symbol).taker, "taker", now)
            self._settle_taken(order, "book exhausted")
            return shapes.order_dict(order, self.account_id, self.catalog)

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
    ) -> OrderState:
        """Record a new order (status 'open') under its id and client id; ``market`` is the
        catalog's market of ``symbol``."""
        self._order_seq += 1
        order = OrderState(
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

    def _settle_taken(self, order: OrderState, exhausted_reason: str) -> None:
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

    def _close(self, order: OrderState, status: str, reason: str | None = None) -> None:
        order.status = status
        if reason is not None:
            order.cancel_reason = reason
        self._active.pop(order.id, None)

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
        validation.check_trigger_not_immediate(self.id, symbol, side, trigger, reference)
        # Checked as the order will be when it fires, priced at its trigger (the best
        # estimate of the price then); the band is re-checked on activation.
        notional = qty * (limit_price if limit_price is not None else trigger_price)
        validation.check_order_limits(
            self.id,
            self.shared,
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
        validation.check_funds(self.id, self.account_id, spend_code, needed, free, kind)
        order = self._new_order(
            symbol, market, type, side, qty, limit_price, tif, False, client_id, now
        )
        order.trigger_kind, order.trigger_price, order.trigger_above = kind, trigger_price, above
        order.seen_reference = reference
        self._reserve(order, needed)
        if side == "buy" and limit_price is None:
            order.reserve_cap = needed
        return shapes.order_dict(order, self.account_id, self.catalog)

    def _fill(
        self,
        order: OrderState,
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
        new: list[Fill] = []
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

    def _rest(self, order: OrderState, ref: Decimal, t: int) -> None:
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
        depth = sum((q for _, q in walk(book, order.side, order.remaining, order.price)), _ZERO)
        if depth == 0:
            return
        self._release(order, depth * order.price if order.side == "buy" else depth)
        self._fill(order, ((order.price, depth),), order.maker_rate, "maker", t)
        if order.remaining == 0:
            self._close(order, "closed")

    def _activate(self, order: OrderState, t: int) -> None:
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
        full = walk(book, order.side, order.remaining, order.price)
        plan = full
        if budget is not None:
            plan = within_budget(full, budget, Decimal(str(market["precision"]["amount"])))
        planned_qty, planned_cost = totals(plan)
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

    def _find(
        self, id: str | None, symbol: str | None, params: Mapping[str, Any] | None
    ) -> OrderState:
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

    @faultable
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
            return shapes.order_dict(order, self.account_id, self.catalog)

    @faultable
    def fetch_order(
        self, id: str, symbol: str | None = None, params: dict[str, Any] | None = None
    ) -> Order:
        """One order by id, or by ``params={'clientOrderId': ...}``; ``ccxt.OrderNotFound``."""
        with self._lock:
            self._sync()
            return shapes.order_dict(self._find(id, symbol, params), self.account_id, self.catalog)

    @faultable
    def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open orders of this account, oldest first, optionally for one symbol."""
        with self._lock:
            self._sync()
            if symbol is not None:
                self._market(symbol)
            return [
                shapes.order_dict(order, self.account_id, self.catalog)
                for order in self._orders.values()
                if order.status == "open" and (symbol is None or order.symbol == symbol)
            ]

    @faultable
    def fetch_my_trades(self, symbol: str | None = None) -> list[Trade]:
        """This account's fills (ccxt ``Trade`` dicts), oldest first."""
        with self._lock:
            self._sync()
            if symbol is not None:
                self._market(symbol)
            return [
                shapes.trade_dict(fill, self.account_id, self.catalog)
                for fill in self._fills
                if symbol is None or fill[FILL_SYMBOL] == symbol
            ]
