"""Step lifecycle: the explicit table of allowed state changes."""

from __future__ import annotations

from typing import Literal

from execution.errors import InvalidTransition

StepState = Literal[
    "planned",  # in a plan, not yet previewed
    "waiting",  # previewed on expected figures; waits for the step it depends on to fill
    "awaiting_confirmation",  # previewed, a token was issued, nothing sent
    "blocked",  # previewed, but a blocking warning or policy denial stops confirmation
    "rejected",  # the customer said no
    "confirmed",  # token accepted; about to be sent
    "submitted",  # clientOrderId journaled, order sent
    "open",  # the venue accepted it and it rests (limit)
    "filled",  # fully filled
    "partially_filled",  # part filled, the rest canceled by the venue (book exhausted)
    "skipped",  # never sent: the step it depended on did not fill
    "failed",  # the venue rejected it
]

STEP_TRANSITIONS: dict[StepState, frozenset[StepState]] = {
    "planned": frozenset({"awaiting_confirmation", "blocked", "waiting"}),
    "waiting": frozenset({"awaiting_confirmation", "blocked", "skipped", "rejected"}),
    "awaiting_confirmation": frozenset(
        {"awaiting_confirmation", "blocked", "rejected", "confirmed"}
    ),
    "blocked": frozenset({"awaiting_confirmation", "blocked", "rejected"}),
    "confirmed": frozenset({"submitted"}),
    "submitted": frozenset({"open", "filled", "partially_filled", "failed"}),
    "open": frozenset({"filled"}),
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
