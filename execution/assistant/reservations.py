"""The daily cap, counted when an order is about to be sent: a reservation in the shared
ledger (:mod:`execution.policy.limits`), given back if the order is not sent or fails.

Relies on: the ledger's reservation being atomic across processes, so no two concurrent
confirmations can together take a day past its cap.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from execution.actors import Actor
from execution.assistant.context import Context
from execution.assistant.previews import Previews
from execution.errors import LimitExceeded
from execution.journal import events
from execution.policy import PolicyDecision
from execution.policy.limits import Reservation, reserve_order
from execution.preview.simulator import StepPreview
from execution.session.state import SessionState, StepView


class Reservations:
    """Reserve a step's notional against the day's cap, and give it back."""

    def __init__(self, ctx: Context, previews: Previews) -> None:
        self._ctx = ctx
        self._previews = previews

    def reserve_daily(
        self, state: SessionState, actor: Actor, step: StepView, shown: StepPreview
    ) -> Reservation | None:
        """Count the step's notional against the customer's daily cap, atomically across
        processes; if the day is full, journal the denial and refuse: nothing is sent."""
        if self._ctx.limits is None:
            return None
        tier = self._ctx.tier_of(state.owner)
        outcome = reserve_order(
            self._ctx.limits, self._ctx.policy(), user_id=state.owner, tier=tier, preview=shown
        )
        if isinstance(outcome, Reservation):
            return outcome
        # Counted before the denial is journaled: past the session's bound, nothing is
        # (and the reservation was refused, so nothing is held).
        self._previews.admit_refusal(state, actor)
        decision = PolicyDecision(
            policy_version=shown.policy_version, allowed=False, denials=(outcome,)
        )
        self._ctx.append(
            state,
            actor,
            events.PolicyDenied(step_id=step.step_id, decision=decision.model_dump(mode="json")),
        )
        refused = LimitExceeded(f"{outcome.message}. Nothing was sent")
        self._previews.refused(state, actor, step.step_id, refused, admitted=True)
        raise refused

    def release(self, reservation: Reservation | None) -> None:
        if reservation is not None and self._ctx.limits is not None:
            self._ctx.limits.release(reservation)

    def release_for(self, state: SessionState, step_id: str) -> None:
        """Give back the daily notional of a step whose order was not sent or failed."""
        confirmed = state.steps[step_id].reservation
        if confirmed is not None and self._ctx.limits is not None:
            self._ctx.limits.release(reservation_from_json(confirmed))


def reservation_json(reservation: Reservation | None) -> dict[str, str] | None:
    if reservation is None:
        return None
    return {
        "reservation_id": reservation.reservation_id,
        "user_id": reservation.user_id,
        "day": reservation.day.isoformat(),
        "quote": reservation.quote,
        "amount": str(reservation.amount),
        "used": str(reservation.used),
        "cap": str(reservation.cap),
    }


def reservation_from_json(data: Mapping[str, str]) -> Reservation:
    return Reservation(
        reservation_id=data["reservation_id"],
        user_id=data["user_id"],
        day=date.fromisoformat(data["day"]),
        quote=data["quote"],
        amount=Decimal(data["amount"]),
        used=Decimal(data["used"]),
        cap=Decimal(data["cap"]),
    )
