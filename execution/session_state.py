"""Session state as a fold over journal events.

Nothing about a session is stored anywhere but in its journal; the state the API and the
support console show is recomputed here, so a replay shows exactly what happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from execution.journal import Event
from execution.lifecycle import StepState, check_step_transition

# Event kinds, past tense: each names something that happened.
SESSION_OPENED = "session_opened"
MESSAGE_RECEIVED = "message_received"
INTENT_PARSED = "intent_parsed"
REPLY_SENT = "reply_sent"
PLAN_CREATED = "plan_created"
PLANNING_FAILED = "planning_failed"
STEP_PREVIEWED = "step_previewed"
POLICY_DENIED = "policy_denied"
CONFIRMATION_REFUSED = "confirmation_refused"
STEP_CONFIRMED = "step_confirmed"
STEP_REJECTED = "step_rejected"
ORDER_SUBMITTED = "order_submitted"
ORDER_ACCEPTED = "order_accepted"
ORDER_FAILED = "order_failed"
ORDER_UNKNOWN = "order_unknown"
STEP_SKIPPED = "step_skipped"

# Events that record what the customer did (the rest record what the assistant did).
CUSTOMER_EVENTS = frozenset(
    {SESSION_OPENED, MESSAGE_RECEIVED, STEP_CONFIRMED, STEP_REJECTED, CONFIRMATION_REFUSED}
)


@dataclass
class StepView:
    step_id: str
    plan_id: str
    description: str
    order: dict[str, Any]
    state: StepState = "planned"
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

    def to_json(self) -> dict[str, Any]:
        return {
            "step_id": self.step_id,
            "plan_id": self.plan_id,
            "description": self.description,
            "order": self.order,
            "state": self.state,
            "preview": self.preview,
            "preview_hash": self.preview_hash,
            "expires_ms": self.expires_ms,
            "client_order_id": self.client_order_id,
            "depends_on": list(self.depends_on),
            "previewed_order": self.previewed_order,
            "venue_order": self.venue_order,
            "error": self.error,
            "confirmed_by": self.confirmed_by,
        }


@dataclass
class SessionState:
    session_id: str
    owner: str = ""
    opened_ms: int = 0
    plans: dict[str, dict[str, Any]] = field(default_factory=dict)
    steps: dict[str, StepView] = field(default_factory=dict)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0
    # The question the assistant is waiting on, and the message that raised it.
    pending_clarification: dict[str, Any] | None = None
    pending_text: str = ""

    @property
    def latest_plan_id(self) -> str | None:
        return next(reversed(self.plans), None)

    def apply(self, event: Event) -> None:
        """Fold one event in; raises InvalidTransition on an impossible step change."""
        p = event.payload
        self.events += 1
        kind = event.kind
        if kind == SESSION_OPENED:
            self.owner, self.opened_ms = str(p["owner"]), event.ts_ms
        elif kind == MESSAGE_RECEIVED:
            self.transcript.append({"role": "customer", "text": p["text"], "ts_ms": event.ts_ms})
        elif kind == INTENT_PARSED:
            dialogue = p.get("dialogue")
            effective = p["result"] if dialogue is None else dialogue["result"]
            if effective is not None and effective["kind"] == "clarification":
                if dialogue is None or dialogue["outcome"] == "new_request":
                    self.pending_text = self.transcript[-1]["text"]
                else:
                    self.pending_text = ""  # its numbers were used in the merge
                self.pending_clarification = effective
            else:
                self.pending_clarification, self.pending_text = None, ""
        elif kind == REPLY_SENT:
            self.transcript.append({"role": "assistant", "text": p["text"], "ts_ms": event.ts_ms})
        elif kind == PLAN_CREATED:
            plan = p["plan"]
            self.plans[plan["plan_id"]] = plan
            for step in plan["steps"]:
                self.steps[step["step_id"]] = StepView(
                    step_id=step["step_id"],
                    plan_id=plan["plan_id"],
                    description=step["description"],
                    order=step["order"],
                    depends_on=tuple(step.get("depends_on", ())),
                )
        elif kind == STEP_PREVIEWED:
            new: StepState = "awaiting_confirmation"
            if p.get("waiting"):
                new = "waiting"
            elif p["blocked"]:
                new = "blocked"
            step = self._move(p["step_id"], new)
            step.preview, step.preview_hash = p["preview"], p["preview_hash"]
            step.expires_ms, step.policy_version = p["expires_ms"], p["policy_version"]
            step.previewed_order = p.get("order")
        elif kind in (STEP_CONFIRMED, STEP_REJECTED):
            step = self._move(p["step_id"], "confirmed" if kind == STEP_CONFIRMED else "rejected")
            step.confirmed_by = str(p["user"]) if kind == STEP_CONFIRMED else None
        elif kind == ORDER_SUBMITTED:
            self._move(p["step_id"], "submitted").client_order_id = p["client_order_id"]
        elif kind == ORDER_ACCEPTED:
            order = p["order"]
            self._move(p["step_id"], step_state_for(order)).venue_order = order
        elif kind == ORDER_FAILED:
            self._move(p["step_id"], "failed").error = p["error"]
        elif kind == STEP_SKIPPED:
            self._move(p["step_id"], "skipped").error = p["reason"]
        elif kind == ORDER_UNKNOWN:
            self._step(p["step_id"]).error = p["error"]

    def _step(self, step_id: str) -> StepView:
        return self.steps[step_id]

    def _move(self, step_id: str, new: StepState) -> StepView:
        step = self._step(step_id)
        check_step_transition(step_id, step.state, new)
        step.state = new
        return step


def step_state_for(order: dict[str, Any]) -> StepState:
    """The step state a venue order's ccxt ``status`` means."""
    status = order.get("status")
    if status == "closed":
        return "filled"
    if status == "open":
        return "open"
    return "partially_filled" if (order.get("filled") or 0) > 0 else "failed"


def fold(session_id: str, events: Iterable[Event]) -> SessionState:
    state = SessionState(session_id)
    for event in events:
        state.apply(event)
    return state
