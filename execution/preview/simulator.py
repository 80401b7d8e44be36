"""The simulator: what one order step would do on a venue, without sending anything.

It walks the venue's order book for the expected average and worst price, applies the
market's precision and limits, the fee, and the customer's balances, and says what it
assumed. The chat, the support replay and the simulation API all preview through here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, Literal

from pydantic import Field

from execution.i18n.numbers import money
from execution.journal import canonical_json
from execution.mandates import MandateTerms
from execution.venues.filters import check_filters
from execution.venues.protocol import Venue
from intent.models import BPS, Model, OrderSpec, Side, plain

ZERO = Decimal(0)


def dec(value: Any) -> Decimal:
    """A venue number (ccxt gives floats or strings) as an exact Decimal."""
    if value is None:
        raise ValueError("expected a number, got None")
    return value if isinstance(value, Decimal) else Decimal(str(value))


class Fee(Model):
    currency: str
    rate: Decimal
    cost: Decimal


# What a venue filter concerns, as the customer is told it (the filter's name stays in the
# warning's message, for support).
_FILTER_CONCERNS = {
    "LOT_SIZE": "amount",
    "TRADE_AMOUNT": "value",
    "MIN_NOTIONAL": "value",
    "PRICE_FILTER": "price",
}


class PreviewWarning(Model):
    """Something the customer must see before confirming. ``blocking`` ones stop confirmation.

    ``message`` is for support (it may name a venue's filter); the customer is shown the
    sentence :mod:`execution.i18n` renders from ``code`` and ``params`` in their language."""

    code: str
    message: str
    blocking: bool = False
    # absent from the JSON when empty: previews journaled before params hash as they did
    params: dict[str, str] = Field(default_factory=dict, exclude_if=lambda v: not v)


class Assumptions(Model):
    fill_model: str
    depth_used: int
    book_levels: int
    fee_tier: str
    snapshot_ms: int
    venue: str
    scenario: dict[str, str] | None = None  # the what-if applied to the book, if any


class StepPreview(Model):
    """The figures shown for one order step; its hash is what a confirmation is bound to."""

    step_id: str
    symbol: str
    side: Side
    type: Literal["market", "limit"]
    amount: Decimal  # rounded to the market's step: what would be sent
    expected_amount: Decimal  # what is expected to fill (less than amount on a thin book)
    price: Decimal | None
    average_price: Decimal | None
    worst_price: Decimal | None
    mid_price: Decimal
    best_bid: Decimal
    best_ask: Decimal
    slippage_bps: Decimal
    price_impact_bps: Decimal
    levels: int
    notional: Decimal
    fee: Fee
    balances_before: dict[str, Decimal]
    balances_after: dict[str, Decimal]
    warnings: tuple[PreviewWarning, ...] = ()
    assumptions: Assumptions
    policy_version: str
    created_ms: int
    expires_ms: int
    notes: tuple[str, ...] = Field(default=())
    mandate: MandateTerms | None = None  # a mandate step's bounds: see execution.mandates

    @property
    def received(self) -> tuple[str, Decimal]:
        """What the step is expected to yield, net of the fee: (currency, amount)."""
        base, quote = self.symbol.split("/", 1)
        if self.side == "buy":
            fee = self.fee.cost if self.fee.currency == base else Decimal(0)
            return base, self.expected_amount - fee
        fee = self.fee.cost if self.fee.currency == quote else Decimal(0)
        return quote, self.notional - fee

    @property
    def blocked(self) -> bool:
        return any(w.blocking for w in self.warnings)

    def digest(self) -> str:
        """SHA-256 over exactly what is shown: the hash a confirmation token is bound to."""
        return hashlib.sha256(canonical_json(self.model_dump(mode="json")).encode()).hexdigest()


class Released(Model):
    currency: str
    amount: Decimal


class CancelPreview(Model):
    """What cancelling one resting order would do: the order, and the funds it frees."""

    kind: Literal["cancel"] = "cancel"
    step_id: str
    order_id: str
    symbol: str
    side: Side
    type: Literal["market", "limit"]
    amount: Decimal  # what still rests, as the venue reported it
    price: Decimal | None
    releases: Released
    warnings: tuple[PreviewWarning, ...] = ()
    policy_version: str
    created_ms: int
    expires_ms: int

    @property
    def blocked(self) -> bool:
        return any(w.blocking for w in self.warnings)

    def digest(self) -> str:
        """SHA-256 over exactly what is shown: the hash a confirmation token is bound to."""
        return hashlib.sha256(canonical_json(self.model_dump(mode="json")).encode()).hexdigest()


def preview_cancel(
    step_id: str,
    order_id: str,
    order: OrderSpec,
    *,
    policy_version: str,
    now_ms: int,
    ttl_ms: int,
) -> CancelPreview:
    """The preview of cancelling ``order`` (the order as the venue reported it)."""
    base, quote = order.symbol.split("/", 1)
    amount = order.amount or ZERO
    if order.side == "buy":
        released = Released(currency=quote, amount=amount * (order.price or ZERO))
    else:
        released = Released(currency=base, amount=amount)
    return CancelPreview(
        step_id=step_id,
        order_id=order_id,
        symbol=order.symbol,
        side=order.side,
        type=order.type,
        amount=amount,
        price=order.price,
        releases=released,
        policy_version=policy_version,
        created_ms=now_ms,
        expires_ms=now_ms + ttl_ms,
    )


@dataclass(frozen=True, slots=True)
class _Walk:
    filled: Decimal
    cost: Decimal
    worst: Decimal | None
    levels: int
    exhausted: bool


def _walk_amount(
    levels: Sequence[Sequence[Any]], amount: Decimal, limit: Decimal | None, side: Side
) -> _Walk:
    """Take ``amount`` base units from the book, no further than ``limit``."""
    filled = cost = ZERO
    worst: Decimal | None = None
    used = 0
    for level in levels:
        price, size = dec(level[0]), dec(level[1])
        if limit is not None and (price > limit if side == "buy" else price < limit):
            break
        take = min(size, amount - filled)
        filled += take
        cost += take * price
        worst = price
        used += 1
        if filled >= amount:
            return _Walk(filled, cost, worst, used, exhausted=False)
    return _Walk(filled, cost, worst, used, exhausted=limit is None)


def _amount_for_cost(levels: Sequence[Sequence[Any]], budget: Decimal) -> Decimal:
    """How many base units ``budget`` quote units buy (or fetch) walking the book."""
    filled = spent = ZERO
    for level in levels:
        price, size = dec(level[0]), dec(level[1])
        level_cost = price * size
        if spent + level_cost >= budget:
            return filled + (budget - spent) / price
        filled += size
        spent += level_cost
    return filled


def _to_step(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    """Round to a multiple of the market's tick, as ccxt's TICK_SIZE precision mode does."""
    return (value / step).to_integral_value(rounding) * step if step > 0 else value


class Simulator:
    """Previews order steps against one venue."""

    def __init__(
        self, venue: Venue, *, policy_version: str, ttl_ms: int, book_depth: int = 50
    ) -> None:
        self._venue = venue
        self._policy_version = policy_version
        self._ttl_ms = ttl_ms
        self._book_depth = book_depth

    def snapshot(self, symbol: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
        """The market and order book a preview of ``symbol`` uses (journaled with it)."""
        venue = self._venue
        return venue.market(symbol), venue.fetch_order_book(symbol, self._book_depth)

    def preview(
        self,
        step_id: str,
        order: OrderSpec,
        balances: Mapping[str, Decimal],
        now_ms: int,
        *,
        market: Mapping[str, Any],
        book: Mapping[str, Any],
    ) -> StepPreview:
        """Preview ``order`` on the given market and book snapshot; sends nothing."""
        venue = self._venue
        base, quote = str(market["base"]), str(market["quote"])
        bids, asks = book["bids"], book["asks"]
        if not bids or not asks:
            raise ValueError(f"the order book of {order.symbol!r} is empty on {venue.id!r}")
        best_bid, best_ask = dec(bids[0][0]), dec(asks[0][0])
        mid = (best_bid + best_ask) / 2
        side_levels = asks if order.side == "buy" else bids
        notes: list[str] = []
        warnings: list[PreviewWarning] = []

        amount_step = dec(market["precision"]["amount"])
        price_step = dec(market["precision"]["price"])
        limit = order.price
        if limit is not None:
            limit = _to_step(limit, price_step, ROUND_HALF_UP)
            if limit != order.price:
                notes.append(
                    f"limit price rounded to the tick: {plain(order.price or ZERO)} "
                    f"→ {plain(limit)}"
                )

        if order.amount is not None:
            requested = order.amount
        elif order.quote_amount is not None:
            if limit is not None:
                requested = order.quote_amount / limit
            else:
                requested = _amount_for_cost(side_levels, order.quote_amount)
            approx = requested.quantize(Decimal("1e-12"), ROUND_DOWN)
            notes.append(
                f"{plain(order.quote_amount)} {quote} ≈ {plain(approx)} {base} at the current book"
            )
        else:
            raise ValueError(f"step {step_id!r} has neither an amount nor a quote amount")

        amount = _to_step(requested, amount_step, ROUND_DOWN)
        if order.amount is not None and amount != order.amount:
            notes.append(
                f"amount rounded to the market's step: {plain(order.amount)} → {plain(amount)}"
            )

        walk = _walk_amount(side_levels, amount, limit, order.side)
        resting = amount - walk.filled
        taker_rate, maker_rate = dec(market.get("taker") or 0), dec(market.get("maker") or 0)
        levels = walk.levels
        if order.type == "market":
            fill_model = f"market order walks the top {len(side_levels)} levels of the book"
            expected = walk.filled  # what the visible book can fill
            notional = walk.cost
            worst = walk.worst
            fee_rate = taker_rate
            if walk.exhausted and resting > 0:
                warnings.append(
                    PreviewWarning(
                        code="thin_book",
                        params={
                            "filled": money(walk.filled, base),
                            "rest": money(resting, base),
                            "base": base,
                        },
                        message=f"the visible book holds only {plain(walk.filled)} {base}: "
                        f"{plain(resting)} {base} might not fill",
                    )
                )
        else:
            assert limit is not None  # a limit OrderSpec always has a price (planner)
            expected = amount  # figures assume the resting part fills at the limit
            notional = walk.cost + resting * limit
            worst = limit if resting > 0 else walk.worst
            # Any part taken from the book pays the taker rate; quote the higher rate for
            # the whole order so the preview never understates the fee.
            fee_rate = taker_rate if walk.filled > 0 else maker_rate
            if walk.filled > 0:
                fill_model = (
                    f"limit order takes {plain(walk.filled)} {base} from the book "
                    f"up to {plain(limit)}; the rest rests at the limit"
                )
            else:
                fill_model = "limit order rests at its price; figures assume a full fill there"
        exact_average = notional / expected if expected else None
        average = (
            None
            if exact_average is None
            else exact_average.quantize(price_step / 100, ROUND_HALF_UP)
        )

        slippage = ZERO
        impact = ZERO
        if exact_average is not None and mid > 0:
            signed = (exact_average - mid) if order.side == "buy" else (mid - exact_average)
            slippage = (signed / mid * BPS).quantize(Decimal("0.01"))
            best = best_ask if order.side == "buy" else best_bid
            if worst is not None and best > 0:
                impact = (abs(worst - best) / best * BPS).quantize(Decimal("0.01"))

        if order.side == "buy":
            fee = Fee(currency=base, rate=fee_rate, cost=expected * fee_rate)
            deltas = {quote: -notional, base: expected - fee.cost}
            spend_currency, spend = quote, notional
        else:
            fee = Fee(currency=quote, rate=fee_rate, cost=notional * fee_rate)
            deltas = {base: -expected, quote: notional - fee.cost}
            spend_currency, spend = base, amount

        before = {ccy: dec(balances.get(ccy, ZERO)) for ccy in (base, quote)}
        after = {ccy: before[ccy] + deltas[ccy] for ccy in (base, quote)}
        have = before[spend_currency]
        if spend > have:
            warnings.append(
                PreviewWarning(
                    code="insufficient_balance" if have > 0 else "nothing_held",
                    blocking=True,
                    params={
                        "need": money(spend, spend_currency),
                        "have": money(have, spend_currency),
                        "short": money(spend - have, spend_currency),
                        "currency": spend_currency,
                    },
                    message=f"this needs {plain(spend)} {spend_currency} "
                    f"but you have {plain(have)} {spend_currency}",
                )
            )
        warnings.extend(self._limit_warnings(market, amount, notional, base, quote))
        if order.type == "limit" and resting > 0:
            warnings.append(
                PreviewWarning(
                    code="partial_fill_risk",
                    params={
                        "rest": money(resting, base),
                        "base": base,
                        "price": money(limit or ZERO, quote),
                    },
                    message=f"{plain(resting)} {base} would rest on the book at "
                    f"{plain(limit or ZERO)} and fills only if the market comes to that price; "
                    "it may fill in part or not at all",
                )
            )
        for violation in check_filters(
            market,
            type=order.type,
            side=order.side,
            amount=amount,
            price=limit,
            reference=mid,
            expected_average=exact_average if order.type == "market" else None,
            expected_cost=notional if order.type == "market" else None,
            now_ms=now_ms,
        ):
            banded = violation.filter in ("LIMIT_TRADING", "MARKET_TRADING")
            warnings.append(
                PreviewWarning(
                    code="outside_price_band" if banded else f"venue_{violation.filter.lower()}",
                    params={}
                    if banded
                    else {"what": _FILTER_CONCERNS.get(violation.filter, "other")},
                    message=f"the venue would reject this: {violation.message}",
                    blocking=True,
                )
            )

        return StepPreview(
            step_id=step_id,
            symbol=order.symbol,
            side=order.side,
            type=order.type,
            amount=amount,
            expected_amount=expected,
            price=limit,
            average_price=average,
            worst_price=worst,
            mid_price=mid,
            best_bid=best_bid,
            best_ask=best_ask,
            slippage_bps=slippage,
            price_impact_bps=impact,
            levels=levels,
            notional=notional,
            fee=fee,
            balances_before=before,
            balances_after=after,
            warnings=tuple(warnings),
            assumptions=Assumptions(
                fill_model=fill_model,
                depth_used=levels,
                book_levels=len(side_levels),
                fee_tier=f"{'taker' if fee_rate == taker_rate else 'maker'} "
                f"{plain(fee_rate * 100)}% (market default tier)",
                snapshot_ms=int(book.get("timestamp") or now_ms),
                venue=venue.id,
            ),
            policy_version=self._policy_version,
            created_ms=now_ms,
            expires_ms=now_ms + self._ttl_ms,
            notes=tuple(notes),
        )

    @staticmethod
    def _limit_warnings(
        market: Mapping[str, Any], amount: Decimal, notional: Decimal, base: str, quote: str
    ) -> list[PreviewWarning]:
        limits = market.get("limits") or {}
        found: list[PreviewWarning] = []
        amount_limits = limits.get("amount") or {}
        cost_limits = limits.get("cost") or {}
        if amount <= 0:
            found.append(
                PreviewWarning(
                    code="amount_rounds_to_zero",
                    blocking=True,
                    params={"step": str(market.get("precision", {}).get("amount")), "base": base},
                    message=f"the amount rounds to zero at this market's step "
                    f"({market.get('precision', {}).get('amount')} {base})",
                )
            )
            return found
        if amount_limits.get("min") is not None and amount < dec(amount_limits["min"]):
            found.append(
                PreviewWarning(
                    code="below_min_amount",
                    blocking=True,
                    params={
                        "min": money(dec(amount_limits["min"]), base),
                        "amount": money(amount, base),
                        "base": base,
                    },
                    message=f"{plain(amount)} {base} is below this market's minimum of "
                    f"{plain(dec(amount_limits['min']))} {base}",
                )
            )
        if amount_limits.get("max") is not None and amount > dec(amount_limits["max"]):
            found.append(
                PreviewWarning(
                    code="above_max_amount",
                    blocking=True,
                    params={
                        "max": money(dec(amount_limits["max"]), base),
                        "amount": money(amount, base),
                        "base": base,
                    },
                    message=f"{plain(amount)} {base} is above this market's maximum of "
                    f"{plain(dec(amount_limits['max']))} {base}",
                )
            )
        if cost_limits.get("min") is not None and notional < dec(cost_limits["min"]):
            found.append(
                PreviewWarning(
                    code="below_min_notional",
                    blocking=True,
                    params={
                        "min": money(dec(cost_limits["min"]), quote),
                        "value": money(notional, quote),
                        "quote": quote,
                    },
                    message=f"{plain(notional)} {quote} is below this market's minimum order value "
                    f"of {plain(dec(cost_limits['min']))} {quote}",
                )
            )
        return found
