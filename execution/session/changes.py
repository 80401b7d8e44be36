"""What each journal entry changed, as a page following a session needs to hear it: the
source of the live stream (``web/routes/live.py``).

An entry yields one :class:`Change`, small and self-contained:

- ``step``: the step the entry names, as it now stands (state, venue order, outcome, its
  mandate's k-of-N), without its preview: a preview is shown when it is made, in the reply
  that presents it, and the page keeps it;
- ``reply``: a line the assistant said (the page shows it unless it already did);
- ``plan``: a plan's new state;
- ``position``: nothing the page shows changed; only the resume position moves past it.

A change carries the entry's ``seq``: the position a client resumes after. Changes are
computed on a :class:`~execution.session.state.SessionState` folded up to that entry
(:func:`follow`), or, for entries the state has already folded (a client catching up after
a reconnect), from the state as it is now (:func:`catch_up`): each step and plan is then
sent once, as it stands, at the last entry that touched it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from execution.journal import Event
from execution.journal import events as ev
from execution.session.lifecycle import UNSENT_STEP_STATES
from execution.session.state import SessionState, StepView

ChangeKind = Literal["step", "reply", "plan", "position"]

#: The entry kinds that change what the orders panel shows (open orders, standing orders
#: and their k-of-N, fills): a step previewed, decided, sent, filled, paused or ended.
CONCERNS_ORDERS: frozenset[str] = frozenset(
    {
        ev.STEP_PREVIEWED,
        ev.STEP_CONFIRMED,
        ev.STEP_REJECTED,
        ev.ORDER_SUBMITTED,
        ev.ORDER_ACCEPTED,
        ev.ORDER_FAILED,
        ev.ORDER_UNKNOWN,
        ev.ORDER_UPDATED,
        ev.ORDER_CANCELED,
        ev.STEP_SKIPPED,
        ev.STEP_ADDED,
        ev.MANDATE_PAUSED,
        ev.MANDATE_ENDED,
    }
)

# What a step change leaves out: the preview (kilobytes, shown once with its reply), the
# day's reservation, and the venue's raw copy of its order (ccxt's ``info``, ``trades``).
_NOT_SENT = frozenset({"preview", "previewed_order", "reservation"})
_ORDER_NOT_SENT = frozenset({"info", "trades", "fees"})


@dataclass(frozen=True, slots=True)
class Change:
    """One entry's change: ``seq`` is the entry's, ``key`` what it is about (a step's or a
    plan's id; None for a reply or a position)."""

    seq: int
    kind: ChangeKind
    data: dict[str, Any]
    key: str | None = None


def step_change(state: SessionState, step: StepView) -> dict[str, Any]:
    """A step as it now stands, without its preview; a mandate's step, or one it placed,
    also says how many of the mandate's orders are placed of how many."""
    data = {k: v for k, v in step.to_json().items() if k not in _NOT_SENT}
    if step.venue_order:
        data["venue_order"] = {
            k: v for k, v in step.venue_order.items() if k not in _ORDER_NOT_SENT
        }
    mandate = state.steps.get(step.parent) if step.parent else step
    if mandate is not None and mandate.kind == "mandate":
        terms = (mandate.preview or {}).get("mandate") or {}
        placed = [c for c in state.children(mandate.step_id) if c.state not in UNSENT_STEP_STATES]
        data["mandate_progress"] = {
            "step_id": mandate.step_id,
            "state": mandate.state,
            "placed": len(placed),
            "total": terms.get("orders"),
        }
    return data


def change_for(state: SessionState, event: Event) -> Change:
    """The change ``event`` made, read on ``state`` (folded at least up to it)."""
    if event.kind == ev.REPLY_SENT:  # before steps: a reply may name the step it is about
        text = event.payload.get("text")
        plan_id = event.payload.get("plan_id")
        return Change(event.seq, "reply", {"text": text, "plan_id": plan_id, "ts_ms": event.ts_ms})
    step_id = event.payload.get("step_id")
    if event.kind != ev.PLAN_UPDATED and isinstance(step_id, str) and step_id in state.steps:
        step = state.steps[step_id]
        return Change(event.seq, "step", step_change(state, step), key=step_id)
    if event.kind in (ev.PLAN_CREATED, ev.PLAN_UPDATED):
        plan = event.payload.get("plan")
        plan_id = plan.get("plan_id") if isinstance(plan, dict) else event.payload.get("plan_id")
        if isinstance(plan_id, str) and plan_id in state.plan_states:
            data = {"plan_id": plan_id, "state": state.plan_states[plan_id]}
            return Change(event.seq, "plan", data, key=plan_id)
    return Change(event.seq, "position", {})


def follow(state: SessionState, events: Iterable[Event]) -> list[Change]:
    """Fold ``events`` (the entries after ``state.head``) into ``state``, one change each."""
    changes = []
    for event in events:
        state.apply(event)
        changes.append(change_for(state, event))
    return changes


def catch_up(state: SessionState, events: Sequence[Event]) -> list[Change]:
    """The changes of entries ``state`` has already folded, for a client that last heard
    the entry before ``events[0]``: each reply, and each step and plan once, as it now
    stands, at the last entry that touched it; then the position of the last entry."""
    changes = [change_for(state, event) for event in events]
    last_of: dict[tuple[str, str], int] = {}
    for index, change in enumerate(changes):
        if change.key is not None:
            last_of[(change.kind, change.key)] = index
    kept = [
        change
        for index, change in enumerate(changes)
        if change.kind == "reply"
        or (change.key is not None and last_of[(change.kind, change.key)] == index)
    ]
    if events and (not kept or kept[-1].seq != events[-1].seq):
        kept.append(Change(events[-1].seq, "position", {}))
    return kept


__all__ = ["CONCERNS_ORDERS", "Change", "ChangeKind", "catch_up", "change_for", "follow"]
