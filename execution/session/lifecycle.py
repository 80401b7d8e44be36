"""Step and plan lifecycles: the explicit tables of allowed state changes.

Every change is an event in the session's journal; the fold checks each one against
these tables, and so does the assistant before it appends, so an impossible change is
refused rather than recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from execution.errors import InvalidTransition

StepState = Literal[
    "planned",  # in a plan, not yet previewed
    "waiting",  # previewed on expected figures; waits for the step it depends on to fill
    "awaiting_confirmation",  # previewed, a token was issued, nothing sent
    "blocked",  # previewed, but a blocking warning or policy denial stops confirmation
    "rejected",  # the customer said no
    "confirmed",  # token accepted; about to be sent
    "armed",  # a mandate confirmed: the worker places its orders when they are due
    "paused",  # a mandate stopped at a bound; it asks the customer to preview it again
    "submitted",  # clientOrderId journaled, order sent
    "open",  # the venue accepted it and it rests (limit)
    "filled",  # fully filled
    "partially_filled",  # part filled, the rest canceled (book exhausted, or by request)
    "canceled",  # a resting order canceled before anything filled
    "done",  # a cancel or stop step carried out, or a mandate that has placed its orders
    "skipped",  # never sent: the step it depended on did not fill, the mandate expired,
    # or the other exit of a take-profit / stop-loss pair fired first
    "failed",  # the venue rejected it, or it was never sent (interrupted before sending)
]

STEP_TRANSITIONS: dict[StepState, frozenset[StepState]] = {
    # planned -> rejected: the preview failed (venue unavailable) and the customer gave up.
    "planned": frozenset({"awaiting_confirmation", "blocked", "waiting", "rejected", "skipped"}),
    "waiting": frozenset({"awaiting_confirmation", "blocked", "skipped", "rejected"}),
    # -> armed: a mandate confirmed; -> skipped: the step a bracket exit sells from
    # ended unfilled before the exit was confirmed.
    "awaiting_confirmation": frozenset(
        {"awaiting_confirmation", "blocked", "rejected", "confirmed", "armed", "skipped"}
    ),
    "blocked": frozenset({"awaiting_confirmation", "blocked", "rejected", "skipped"}),
    "armed": frozenset({"paused", "done", "skipped", "rejected"}),
    "paused": frozenset({"awaiting_confirmation", "blocked", "rejected", "skipped", "done"}),
    # confirmed -> failed: the app stopped after the confirmation, before journaling the
    # send; reconciliation found no order under the step's clientOrderId.
    # confirmed -> done: a stop step carried out (the mandate it names stopped; no order).
    "confirmed": frozenset({"submitted", "failed", "done"}),
    "submitted": frozenset({"open", "filled", "partially_filled", "failed", "done"}),
    "open": frozenset({"open", "filled", "partially_filled", "canceled"}),
    "canceled": frozenset(),
    "done": frozenset(),
    "rejected": frozenset(),
    "filled": frozenset(),
    "partially_filled": frozenset(),
    "skipped": frozenset(),
    "failed": frozenset(),
}


def check_step_transition(step_id: str, current: StepState, new: StepState) -> None:
    """Raise :class:`InvalidTransition` unless ``current -> new`` is in the table."""
    if new not in STEP_TRANSITIONS[current]:
        raise InvalidTransition(f"step {step_id!r} cannot go from {current!r} to {new!r}")


# Steps in these states will not change any more.
TERMINAL_STEP_STATES: frozenset[StepState] = frozenset(
    state for state, successors in STEP_TRANSITIONS.items() if not successors
)
# Steps in these states were sent (or may have been): the venue must be asked about them.
IN_FLIGHT_STEP_STATES: frozenset[StepState] = frozenset({"confirmed", "submitted", "open"})
# A mandate's orders that never reached the venue (not counted among those it placed).
UNSENT_STEP_STATES: frozenset[StepState] = frozenset(
    {"planned", "awaiting_confirmation", "blocked", "rejected", "skipped", "failed"}
)

PlanState = Literal[
    "proposed",  # previewed; nothing confirmed yet
    "in_progress",  # at least one step confirmed; not every step has ended
    "completed",  # every step ended filled
    "partially_completed",  # every step ended; some filled, some did not
    "failed",  # every step ended; something was sent and nothing filled
    "canceled",  # every step ended and nothing was sent (rejected, skipped)
]

PLAN_TRANSITIONS: dict[PlanState, frozenset[PlanState]] = {
    "proposed": frozenset({"in_progress", "canceled"}),
    "in_progress": frozenset({"completed", "partially_completed", "failed", "canceled"}),
    "completed": frozenset(),
    "partially_completed": frozenset(),
    "failed": frozenset(),
    "canceled": frozenset(),
}

_FILLED: frozenset[StepState] = frozenset({"filled", "partially_filled"})
_NOTHING_DONE: frozenset[StepState] = frozenset({"rejected", "skipped", "canceled"})
_UNTOUCHED: frozenset[StepState] = frozenset(
    {"planned", "waiting", "awaiting_confirmation", "blocked", "rejected", "skipped"}
)


def plan_state_for(steps: Iterable[StepState]) -> PlanState:
    """The state a plan is in, given its steps' states (a bracket exit skipped because
    the other exit fired is left out by the caller: it ended as planned)."""
    states = list(steps)
    if not all(state in TERMINAL_STEP_STATES for state in states):
        return "proposed" if all(state in _UNTOUCHED for state in states) else "in_progress"
    if all(state in ("filled", "done") for state in states):
        return "completed"
    if any(state in _FILLED or state == "done" for state in states):
        return "partially_completed"
    if all(state in _NOTHING_DONE for state in states):
        return "canceled"
    return "failed"


def plan_path(current: PlanState, target: PlanState) -> list[PlanState]:
    """The transitions that take a plan from ``current`` to ``target`` through the table:
    a plan whose steps ended while it was still ``proposed`` (the app stopped before it
    recorded the progress) goes through ``in_progress``."""
    if current == target or (current == "in_progress" and target == "proposed"):
        return []  # a paused mandate previewed again: the plan stays in progress
    if target in PLAN_TRANSITIONS[current]:
        return [target]
    if current == "proposed" and target in PLAN_TRANSITIONS["in_progress"]:
        return ["in_progress", target]
    raise InvalidTransition(f"no path for a plan from {current!r} to {target!r}")


def check_plan_transition(plan_id: str, current: PlanState, new: PlanState) -> None:
    """Raise :class:`InvalidTransition` unless ``current -> new`` is in the plan table."""
    if new not in PLAN_TRANSITIONS[current]:
        raise InvalidTransition(f"plan {plan_id!r} cannot go from {current!r} to {new!r}")
