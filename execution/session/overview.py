"""What a customer has working across all their sessions: open orders, standing orders
(mandates) and recent fills, as the orders panel and the chat's "what orders do I have"
show them.

A read model over the sessions' folds (nothing here is stored). ``GET /api/orders`` returns
it, and the chat's answer to an orders question takes its standing orders from it (its open
orders it still asks the venue for).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal

from execution.i18n import DEFAULT_LOCALE, Locale
from execution.mandates import MandateTerms, next_due_ms, terms_text
from execution.preview.simulator import StepPreview, dec
from execution.session.lifecycle import UNSENT_STEP_STATES, StepState
from execution.session.state import SessionState, StepView
from intent.models import Model

RECENT_FILLS = 20
MandateShown = Literal["awaiting_confirmation", "armed", "paused"]
# The mandates the panel shows: waiting for the customer's yes, working, or paused at a bound.
_SHOWN: dict[str, MandateShown] = {
    "awaiting_confirmation": "awaiting_confirmation",
    "armed": "armed",
    "paused": "paused",
}


class OpenOrder(Model):
    """An order resting at the venue, and the step that placed it."""

    session_id: str
    step_id: str
    description: str
    symbol: str
    side: str
    type: str
    amount: Decimal
    price: Decimal | None
    filled: Decimal
    status: str


class StandingOrder(Model):
    """A mandate: orders the worker places on agreed terms after one confirmation."""

    session_id: str
    step_id: str
    # the working states (MandateShown) in the customer's panel; any state for support
    state: StepState
    description: str
    symbol: str
    terms: str  # the terms as one sentence
    orders_placed: int
    orders_total: int
    next_run_ms: int | None  # when the next order is due (armed, on a schedule)
    reason: str | None  # why it paused (or ended)


class Fill(Model):
    session_id: str
    step_id: str
    order_id: str | None = None  # the venue's id: its contract note (/api/contract-notes/{id})
    description: str
    symbol: str
    side: str
    amount: Decimal  # filled
    average: Decimal | None
    cost: Decimal
    fee: dict[str, Any] | None
    status: str
    ts_ms: int


class Overview(Model):
    orders: tuple[OpenOrder, ...] = ()
    mandates: tuple[StandingOrder, ...] = ()
    fills: tuple[Fill, ...] = ()


def overview(
    states: Iterable[SessionState],
    *,
    recent: int | None = RECENT_FILLS,
    locale: Locale = DEFAULT_LOCALE,
    ended: bool = False,
) -> Overview:
    """Everything working in ``states`` (one customer's sessions), newest first; the
    standing orders' terms in ``locale``. ``recent``: how many fills (None: all);
    ``ended``: every standing order whatever its state (rejected, stopped, done), as the
    support console's customer view shows them, not only the working ones."""
    orders: list[OpenOrder] = []
    mandates: list[StandingOrder] = []
    fills: list[Fill] = []
    for state in states:
        for step in state.steps.values():
            if step.kind == "mandate":
                standing = _standing(state, step, locale, ended=ended)
                if standing is not None:
                    mandates.append(standing)
                continue
            order = step.venue_order
            if not order:
                continue
            if step.state in ("open", "partially_filled") and order.get("status") == "open":
                orders.append(_open_order(state, step, order))
            if dec(order.get("filled") or 0) > 0:
                fills.append(_fill(state, step, order))
    fills.sort(key=lambda f: f.ts_ms, reverse=True)
    return Overview(
        orders=tuple(orders),
        mandates=tuple(mandates),
        fills=tuple(fills if recent is None else fills[:recent]),
    )


def _open_order(state: SessionState, step: StepView, order: dict[str, Any]) -> OpenOrder:
    price = order.get("price")
    return OpenOrder(
        session_id=state.session_id,
        step_id=step.step_id,
        description=step.description,
        symbol=str(order["symbol"]),
        side=str(order["side"]),
        type=str(order.get("type") or ""),
        amount=dec(order.get("amount") or 0),
        price=None if price is None else dec(price),
        filled=dec(order.get("filled") or 0),
        status=str(order.get("status")),
    )


def _fill(state: SessionState, step: StepView, order: dict[str, Any]) -> Fill:
    average = order.get("average")
    fee = order.get("fee")
    return Fill(
        session_id=state.session_id,
        step_id=step.step_id,
        order_id=None if order.get("id") is None else str(order["id"]),
        description=step.description,
        symbol=str(order["symbol"]),
        side=str(order["side"]),
        amount=dec(order.get("filled") or 0),
        average=None if average is None else dec(average),
        cost=dec(order.get("cost") or 0),
        fee=dict(fee) if isinstance(fee, dict) else None,
        status=str(order.get("status")),
        ts_ms=int(order.get("lastTradeTimestamp") or order.get("timestamp") or step.updated_ms),
    )


def _standing(
    state: SessionState, step: StepView, locale: Locale, *, ended: bool = False
) -> StandingOrder | None:
    shown: StepState | None = step.state if ended else _SHOWN.get(step.state)
    if shown is None or step.preview is None:
        return None
    terms: MandateTerms | None = StepPreview.model_validate(step.preview).mandate
    if terms is None:
        return None
    placed = [c for c in state.children(step.step_id) if c.state not in UNSENT_STEP_STATES]
    next_run: int | None = None
    if shown == "armed" and step.armed_ms is not None and terms.every_s is not None:
        last = placed[-1].created_ms if placed else None
        if len(placed) < terms.orders:
            next_run = next_due_ms(terms, step.armed_ms, last)
    return StandingOrder(
        session_id=state.session_id,
        step_id=step.step_id,
        state=shown,
        description=step.description,
        symbol=str(step.order.get("symbol", "")),
        terms=terms_text(terms, locale),
        orders_placed=len(placed),
        orders_total=terms.orders,
        next_run_ms=next_run,
        # why it paused (or, for support, why it ended: expired, stopped, failed)
        reason=step.error if shown not in ("armed", "awaiting_confirmation") else None,
    )


__all__ = ["RECENT_FILLS", "Fill", "OpenOrder", "Overview", "StandingOrder", "overview"]
