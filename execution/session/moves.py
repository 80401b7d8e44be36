"""Which event moves which step, and to what state: the one reading of the step table
that the session fold (:mod:`~execution.session.state`) and the session index
(:mod:`~execution.journal.index`) share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from execution.journal import events as ev
from execution.session.lifecycle import StepState


def step_move(p: ev.AnyPayload, step_kind: Callable[[str], str]) -> tuple[str, StepState] | None:
    """The step an event moves and the state it moves it to (None: no step moves).

    ``step_kind`` names a step's kind (``place_order``, ``mandate``, ...): a confirmation
    arms a mandate and confirms anything else."""
    new: StepState
    match p:
        case ev.StepPreviewed():
            new = "waiting" if p.waiting else "blocked" if p.blocked else "awaiting_confirmation"
        case ev.StepConfirmed():
            new = "armed" if step_kind(p.step_id) == "mandate" else "confirmed"
        case ev.StepRejected():
            new = "rejected"
        case ev.OrderSubmitted():
            new = "submitted"
        case ev.OrderAccepted():
            new = step_state_for(p.order)
        case ev.OrderUpdated():
            new = step_state_for(p.order, resting=True)
        case ev.OrderCanceled() | ev.MandateEnded() | ev.MandateStopped():
            new = "done"
        case ev.OrderFailed():
            new = "failed"
        case ev.StepSkipped():
            new = "skipped"
        case ev.MandatePaused():
            new = "paused"
        case _:
            return None
    return p.step_id, new


def step_state_for(order: Mapping[str, Any], *, resting: bool = False) -> StepState:
    """The step state a venue order's ccxt ``status`` means. An order that ends unfilled
    failed when the venue ended it on arrival, and was canceled once it had rested."""
    status = order.get("status")
    if status == "closed":
        return "filled"
    if status == "open":
        return "open"
    if (order.get("filled") or 0) > 0:
        return "partially_filled"
    return "canceled" if resting and status == "canceled" else "failed"


__all__ = ["step_move", "step_state_for"]
