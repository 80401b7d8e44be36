"""One customer as the support console sees them: every session (when it opened, its last
event, how it ended), every order sent for them, every fill and every standing order in
its current state.

A read model over the sessions' folds, like :mod:`execution.session.overview` (whose
fills and standing orders it takes, all of them rather than the customer panel's recent
and working ones); nothing here is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from execution.i18n import DEFAULT_LOCALE
from execution.journal import SessionSummary
from execution.preview.simulator import dec
from execution.session.lifecycle import StepState
from execution.session.overview import Fill, StandingOrder, overview
from execution.session.state import SessionState, StepView
from intent.models import Model

NO_PLAN = "no_plan"


class CustomerSession(Model):
    """``outcome``: the state of the session's last plan (``completed``, ``canceled``, …),
    or ``no_plan`` when nothing was planned (questions, a conversation only)."""

    session_id: str
    opened_ms: int
    last_ms: int
    events: int
    plans: int
    outcome: str


class OrderFee(Model):
    """The fee the venue charged, exactly (ccxt reports a float)."""

    cost: Decimal
    currency: str


class CustomerOrder(Model):
    """An order the assistant sent (or was about to send) for the customer: the step's
    state, and the venue's figures for what filled."""

    session_id: str
    step_id: str
    order_id: str | None  # the venue's id (None: never accepted)
    client_order_id: str
    symbol: str
    side: str
    amount: Decimal | None  # the quantity asked for, in base units
    state: StepState
    filled: Decimal
    average: Decimal | None  # the fills' average price
    fee: OrderFee | None


class CustomerView(Model):
    customer_id: str
    sessions: tuple[CustomerSession, ...] = ()
    orders: tuple[CustomerOrder, ...] = ()
    fills: tuple[Fill, ...] = ()
    mandates: tuple[StandingOrder, ...] = ()


def customer_view(
    customer_id: str, summaries: Sequence[SessionSummary], states: Sequence[SessionState]
) -> CustomerView:
    """``summaries`` and ``states``: the customer's sessions, in the same order (newest
    first). Standing orders' terms are in the language the customer last spoke."""
    by_activity = sorted(
        zip(summaries, states, strict=True), key=lambda pair: pair[0].last_ms, reverse=True
    )
    locale = next((s.locale for _, s in by_activity if s.locale), DEFAULT_LOCALE)
    seen = overview(states, recent=None, locale=locale, ended=True)
    return CustomerView(
        customer_id=customer_id,
        sessions=tuple(_session(summary, state) for summary, state in by_activity),
        orders=tuple(_orders(s for _, s in by_activity)),
        fills=seen.fills,
        mandates=seen.mandates,
    )


def _session(summary: SessionSummary, state: SessionState) -> CustomerSession:
    last_plan = state.latest_plan_id
    return CustomerSession(
        session_id=summary.session_id,
        opened_ms=summary.opened_ms,
        last_ms=summary.last_ms,
        events=summary.events,
        plans=len(state.plans),
        outcome=NO_PLAN if last_plan is None else state.plan_states[last_plan],
    )


def _orders(states: Iterable[SessionState]) -> list[CustomerOrder]:
    return [
        _order(state, step)
        for state in states
        for step in state.steps.values()
        if step.client_order_id is not None and step.kind == "place_order"
    ]


def _order(state: SessionState, step: StepView) -> CustomerOrder:
    venue = step.venue_order or {}
    asked = step.previewed_order or step.order
    amount = venue.get("amount") or asked.get("amount")
    average = venue.get("average")
    fee = venue.get("fee")
    return CustomerOrder(
        session_id=state.session_id,
        step_id=step.step_id,
        order_id=None if venue.get("id") is None else str(venue["id"]),
        client_order_id=str(step.client_order_id),
        symbol=str(venue.get("symbol") or asked.get("symbol", "")),
        side=str(venue.get("side") or asked.get("side", "")),
        amount=None if amount is None else dec(amount),
        state=step.state,
        filled=dec(venue.get("filled") or 0),
        average=None if average is None else dec(average),
        fee=_fee(fee),
    )


def _fee(fee: Any) -> OrderFee | None:
    if not isinstance(fee, dict) or fee.get("cost") is None:
        return None
    return OrderFee(cost=dec(fee["cost"]), currency=str(fee.get("currency") or ""))


__all__ = [
    "NO_PLAN",
    "CustomerOrder",
    "CustomerSession",
    "CustomerView",
    "OrderFee",
    "customer_view",
]
