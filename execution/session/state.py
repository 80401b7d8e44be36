"""Session state as a fold over journal events.

Nothing about a session is stored anywhere but in its journal; the state the API and the
support console show is recomputed here, so a replay shows exactly what happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from execution.errors import InvalidTransition
from execution.journal import GENESIS_HASH, Event

# The event kinds live with their payload models; they are re-exported here, where they
# have always been read from (``from execution.session import state as ev``): see __all__.
from execution.journal.events import (
    CONFIRMATION_REFUSED,
    CUSTOMER_EVENTS,
    INTENT_PARSED,
    MANDATE_ENDED,
    MANDATE_PAUSED,
    MESSAGE_RECEIVED,
    ORDER_ACCEPTED,
    ORDER_CANCELED,
    ORDER_FAILED,
    ORDER_SUBMITTED,
    ORDER_UNKNOWN,
    ORDER_UPDATED,
    PLAN_CREATED,
    PLAN_UPDATED,
    PLANNING_FAILED,
    POLICY_DENIED,
    PREVIEW_FAILED,
    REPLY_SENT,
    SESSION_OPENED,
    STEP_ADDED,
    STEP_CONFIRMED,
    STEP_PREVIEWED,
    STEP_REJECTED,
    STEP_SKIPPED,
)
from execution.session.lifecycle import (
    PlanState,
    StepState,
    check_plan_transition,
    check_step_transition,
)
from intent.dialogue import DialogueState, advance, from_record


@dataclass
class StepView:
    step_id: str
    plan_id: str
    description: str
    order: dict[str, Any]
    state: StepState = "planned"
    kind: str = "place_order"  # or "cancel_order"
    cancel_order_id: str | None = None  # the venue order a cancel step names
    depends_on: tuple[str, ...] = ()
    preview: dict[str, Any] | None = None
    previewed_order: dict[str, Any] | None = None  # the order as previewed (funded amounts)
    preview_hash: str | None = None
    expires_ms: int | None = None
    policy_version: str | None = None
    client_order_id: str | None = None
    venue_order: dict[str, Any] | None = None
    error: str | None = None
    confirmed_by: str | None = None
    updated_ms: int = 0  # when the step last changed state
    reservation: dict[str, Any] | None = None  # daily notional counted at confirmation
    mandate: dict[str, Any] | None = None  # a mandate step's bounds (intent.models.Mandate)
    parent: str | None = None  # the mandate that placed this step's order
    created_ms: int | None = None  # when the mandate added this step
    armed_ms: int | None = None  # when the mandate was (last) confirmed
    superseded_by: str | None = None  # the bracket exit that fired first and skipped this

    def to_json(self) -> dict[str, Any]:
        """Every field, as the API shows the step (a hand-kept list had left three out)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["depends_on"] = list(self.depends_on)
        return out


@dataclass
class SessionState:
    session_id: str
    owner: str = ""
    opened_ms: int = 0
    plans: dict[str, dict[str, Any]] = field(default_factory=dict)
    plan_states: dict[str, PlanState] = field(default_factory=dict)
    steps: dict[str, StepView] = field(default_factory=dict)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0
    # The last entry folded in: (seq, hash). A decision taken on this state is appended
    # only if the journal's head is still this entry.
    head: tuple[int, str] = (-1, GENESIS_HASH)
    # The conversation: the question the assistant is waiting on, the last request.
    dialogue: DialogueState = field(default_factory=DialogueState)

    def plans_json(self) -> list[dict[str, Any]]:
        """Each plan with the state its lifecycle is in."""
        return [{**plan, "state": self.plan_states[pid]} for pid, plan in self.plans.items()]

    @property
    def latest_plan_id(self) -> str | None:
        return next(reversed(self.plans), None)

    def check(self, kind: str, payload: Mapping[str, Any]) -> None:
        """Raise :class:`InvalidTransition` if an event of ``kind`` cannot follow now."""
        if kind == STEP_CONFIRMED:
            step = self._step(payload["step_id"])
            if step.preview_hash != payload.get("preview_hash"):
                raise InvalidTransition(
                    f"step {step.step_id!r} was previewed again; the confirmation was for "
                    "an earlier preview"
                )
        target = self._step_target(kind, payload)
        if target is not None:
            step_id, new = target
            check_step_transition(step_id, self._step(step_id).state, new)
        elif kind == PLAN_UPDATED:
            plan_id = payload["plan_id"]
            check_plan_transition(plan_id, self.plan_states[plan_id], payload["state"])
        elif kind == PLAN_CREATED and payload["plan"]["plan_id"] in self.plans:
            raise InvalidTransition(f"plan {payload['plan']['plan_id']!r} already exists")
        if kind == STEP_ADDED and payload["step_id"] in self.steps:
            raise InvalidTransition(f"step {payload['step_id']!r} already exists")
        if kind in (STEP_ADDED, STEP_CONFIRMED) and payload.get("parent") is not None:
            parent = self._step(payload["parent"])
            if parent.state != "armed":
                raise InvalidTransition(
                    f"mandate {parent.step_id!r} is {parent.state}: it places no order now"
                )

    def apply(self, event: Event) -> None:
        """Fold one event in; raises InvalidTransition on an impossible change."""
        p = event.payload
        kind = event.kind
        target = self._step_target(kind, p)
        if target is not None:
            step = self._move(*target)
            step.updated_ms = event.ts_ms
            if kind == STEP_PREVIEWED:
                step.preview, step.preview_hash = p["preview"], p["preview_hash"]
                step.expires_ms, step.policy_version = p["expires_ms"], p["policy_version"]
                step.previewed_order = p.get("order")
            elif kind == STEP_CONFIRMED:
                step.confirmed_by, step.reservation = str(p["user"]), p.get("reservation")
                if step.state == "armed":
                    step.armed_ms = event.ts_ms
            elif kind == ORDER_SUBMITTED:
                step.client_order_id = p["client_order_id"]
            elif kind in (ORDER_ACCEPTED, ORDER_UPDATED, ORDER_CANCELED):
                step.venue_order = p["order"]
            elif kind == ORDER_FAILED:
                step.error = p["error"]
            elif kind == STEP_SKIPPED:
                step.error, step.superseded_by = p["reason"], p.get("superseded_by")
            elif kind in (MANDATE_PAUSED, MANDATE_ENDED):
                step.error = p["reason"]
        elif kind == SESSION_OPENED:
            self.owner, self.opened_ms = str(p["owner"]), event.ts_ms
        elif kind == MESSAGE_RECEIVED:
            self.transcript.append({"role": "customer", "text": p["text"], "ts_ms": event.ts_ms})
        elif kind == INTENT_PARSED:
            outcome = from_record(p.get("dialogue"), p["result"])
            self.dialogue = advance(self.dialogue, self.transcript[-1]["text"], outcome)
        elif kind == REPLY_SENT:
            self.transcript.append({"role": "assistant", "text": p["text"], "ts_ms": event.ts_ms})
        elif kind == PLAN_CREATED:
            plan = p["plan"]
            self.plans[plan["plan_id"]] = plan
            self.plan_states[plan["plan_id"]] = "proposed"
            for step in plan["steps"]:
                self._add_step(plan["plan_id"], step)
        elif kind == STEP_ADDED:
            self._add_step(p["plan_id"], p["step"], parent=p["parent"])
            self.steps[p["step_id"]].created_ms = event.ts_ms
        elif kind == PLAN_UPDATED:
            plan_id, new_state = p["plan_id"], p["state"]
            check_plan_transition(plan_id, self.plan_states[plan_id], new_state)
            self.plan_states[plan_id] = new_state
        elif kind == ORDER_UNKNOWN:
            self._step(p["step_id"]).error = p["error"]
        self.events += 1
        self.head = (event.seq, event.hash)

    def _step_target(self, kind: str, p: Mapping[str, Any]) -> tuple[str, StepState] | None:
        """The step an event moves and the state it moves it to (None: no step moves)."""
        new: StepState
        if kind == STEP_PREVIEWED:
            new = "awaiting_confirmation"
            if p.get("waiting"):
                new = "waiting"
            elif p["blocked"]:
                new = "blocked"
        elif kind == STEP_CONFIRMED:
            new = "armed" if self._step(p["step_id"]).kind == "mandate" else "confirmed"
        elif kind == STEP_REJECTED:
            new = "rejected"
        elif kind == ORDER_SUBMITTED:
            new = "submitted"
        elif kind == ORDER_ACCEPTED:
            new = step_state_for(p["order"])
        elif kind == ORDER_UPDATED:
            new = step_state_for(p["order"], resting=True)
        elif kind == ORDER_CANCELED:
            new = "done"
        elif kind == ORDER_FAILED:
            new = "failed"
        elif kind == STEP_SKIPPED:
            new = "skipped"
        elif kind == MANDATE_PAUSED:
            new = "paused"
        elif kind == MANDATE_ENDED:
            new = "done"
        else:
            return None
        return str(p["step_id"]), new

    def _add_step(self, plan_id: str, step: Mapping[str, Any], parent: str | None = None) -> None:
        self.steps[step["step_id"]] = StepView(
            step_id=step["step_id"],
            plan_id=plan_id,
            description=step["description"],
            order=step["order"],
            depends_on=tuple(step.get("depends_on", ())),
            kind=step.get("kind", "place_order"),
            cancel_order_id=step.get("cancel_order_id"),
            mandate=step.get("mandate"),
            parent=parent,
        )

    def children(self, mandate_id: str) -> list[StepView]:
        """The steps a mandate has placed, in order."""
        return [s for s in self.steps.values() if s.parent == mandate_id]

    def _step(self, step_id: str) -> StepView:
        try:
            return self.steps[step_id]
        except KeyError:
            raise InvalidTransition(f"no step {step_id!r} in this session") from None

    def _move(self, step_id: str, new: StepState) -> StepView:
        step = self._step(step_id)
        check_step_transition(step_id, step.state, new)
        step.state = new
        return step


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


def fold(session_id: str, events: Iterable[Event]) -> SessionState:
    """The state of a session whose journal holds ``events``, in order."""
    state = SessionState(session_id)
    for event in events:
        state.apply(event)
    return state


__all__ = [
    "CONFIRMATION_REFUSED",
    "CUSTOMER_EVENTS",
    "INTENT_PARSED",
    "MANDATE_ENDED",
    "MANDATE_PAUSED",
    "MESSAGE_RECEIVED",
    "ORDER_ACCEPTED",
    "ORDER_CANCELED",
    "ORDER_FAILED",
    "ORDER_SUBMITTED",
    "ORDER_UNKNOWN",
    "ORDER_UPDATED",
    "PLANNING_FAILED",
    "PLAN_CREATED",
    "PLAN_UPDATED",
    "POLICY_DENIED",
    "PREVIEW_FAILED",
    "REPLY_SENT",
    "SESSION_OPENED",
    "STEP_ADDED",
    "STEP_CONFIRMED",
    "STEP_PREVIEWED",
    "STEP_REJECTED",
    "STEP_SKIPPED",
    "SessionState",
    "StepView",
    "fold",
    "step_state_for",
]
