"""Session state as a fold over journal events.

Nothing about a session is stored anywhere but in its journal; the state the API and the
support console show is recomputed here, so a replay shows exactly what happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from execution.errors import DuplicateMessage, InvalidTransition
from execution.i18n import DEFAULT_LOCALE, Locale, parse_locale
from execution.i18n.plans import note_text
from execution.journal import GENESIS_HASH, Event
from execution.journal import events as ev
from execution.preview.depth import Depth, market_mid, walked_depth
from execution.preview.simulator import PreviewWarning
from execution.preview.warnings import warning_text
from execution.session.lifecycle import (
    PlanState,
    StepState,
    check_plan_transition,
    check_step_transition,
)
from execution.session.moves import step_move, step_state_for
from intent.dialogue import DialogueState, advance, from_record


@dataclass
class StepView:
    step_id: str
    plan_id: str
    description: str
    order: dict[str, Any]
    state: StepState = "planned"
    kind: str = "place_order"  # or "cancel_order", "mandate", "stop_mandate"
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
    # each of the preview's warnings as the customer was shown it, in the session's language
    warning_texts: tuple[str, ...] = ()
    note_texts: tuple[str, ...] = ()  # and its notes
    stop: dict[str, Any] | None = None  # a stop step's mandate (intent.models.MandateRef)
    stopped_by: dict[str, Any] | None = None  # a mandate stopped by a stop step: that step
    # The book side the last preview of an order walked, as [price, amount], and the
    # market's mid on the book it was taken on (execution.preview.depth): what the card draws
    depth: Depth | None = None
    market_mid: str | None = None
    # The fresh preview made at confirmation and found within tolerance of ``preview``
    # (the one the customer saw, which ``preview_hash`` and the token still name): the
    # order is sent on it. None when the order goes out on ``preview`` itself.
    sent_preview: dict[str, Any] | None = None
    sent_preview_hash: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Every field, as the API shows the step (a hand-kept list had left three out)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["depends_on"] = list(self.depends_on)
        out["warning_texts"] = list(self.warning_texts)
        out["note_texts"] = list(self.note_texts)
        return out


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the conversation, as the customer saw it."""

    role: Literal["customer", "assistant"]
    text: str
    ts_ms: int
    plan_id: str | None = None  # the plan a reply presented


@dataclass
class SessionState:
    session_id: str
    owner: str = ""
    opened_ms: int = 0
    plans: dict[str, dict[str, Any]] = field(default_factory=dict)
    plan_states: dict[str, PlanState] = field(default_factory=dict)
    steps: dict[str, StepView] = field(default_factory=dict)
    transcript: list[Line] = field(default_factory=list)
    events: int = 0
    # The last entry folded in: (seq, hash). A decision taken on this state is appended
    # only if the journal's head is still this entry.
    head: tuple[int, str] = (-1, GENESIS_HASH)
    # The idempotency keys of the messages received (a repeat is refused, not handled).
    message_keys: set[str] = field(default_factory=set)
    # The conversation: the question the assistant is waiting on, the last request.
    dialogue: DialogueState = field(default_factory=DialogueState)
    # The language the assistant last answered in (None: English, before it was recorded).
    locale: Locale | None = None

    def plans_json(self) -> list[dict[str, Any]]:
        """Each plan with the state its lifecycle is in."""
        return [{**plan, "state": self.plan_states[pid]} for pid, plan in self.plans.items()]

    @property
    def language(self) -> Locale:
        """The language to speak to the customer in: the last one answered in."""
        return self.locale or DEFAULT_LOCALE

    @property
    def latest_plan_id(self) -> str | None:
        return next(reversed(self.plans), None)

    def check(self, payload: ev.AnyPayload) -> None:
        """Raise :class:`InvalidTransition` if ``payload``'s event cannot follow now."""
        if isinstance(payload, ev.MessageReceived) and payload.idempotency_key in self.message_keys:
            raise DuplicateMessage(
                "this message was already received (same idempotency key); it was not handled again"
            )
        if isinstance(payload, ev.StepConfirmed):
            step = self._step(payload.step_id)
            if step.preview_hash != payload.preview_hash:
                raise InvalidTransition(
                    f"step {step.step_id!r} was previewed again; the confirmation was for "
                    "an earlier preview"
                )
            if payload.sent_on is not None and payload.sent_on != step.sent_preview_hash:
                raise InvalidTransition(
                    f"step {step.step_id!r}: the confirmation sends on preview "
                    f"{payload.sent_on[:12]}, which is not its fresh preview"
                )
        if isinstance(payload, ev.StepPreviewed) and payload.repreview is not None:
            step = self._step(payload.step_id)
            if step.preview_hash != payload.repreview.confirms:
                raise InvalidTransition(
                    f"step {step.step_id!r} was previewed again; the fresh preview is of "
                    "an earlier one"
                )
        target = self._step_target(payload)
        if target is not None:
            step_id, new = target
            check_step_transition(step_id, self._step(step_id).state, new)
        elif isinstance(payload, ev.PlanUpdated):
            check_plan_transition(payload.plan_id, self.plan_states[payload.plan_id], payload.state)
        elif isinstance(payload, ev.PlanCreated) and payload.plan["plan_id"] in self.plans:
            raise InvalidTransition(f"plan {payload.plan['plan_id']!r} already exists")
        if isinstance(payload, ev.StepAdded) and payload.step_id in self.steps:
            raise InvalidTransition(f"step {payload.step_id!r} already exists")
        if isinstance(payload, ev.StepAdded | ev.StepConfirmed) and payload.parent is not None:
            mandate = self._step(payload.parent)
            if mandate.state != "armed":
                raise InvalidTransition(
                    f"mandate {mandate.step_id!r} is {mandate.state}: it places no order now"
                )

    def apply(self, event: Event, payload: ev.AnyPayload | None = None) -> None:
        """Fold one event in (``payload``: its payload as a model, if the caller has it);
        raises InvalidTransition on an impossible change, and pydantic's ValidationError,
        naming the key, on a payload its kind does not allow."""
        p = ev.parse_payload(event.kind, event.payload) if payload is None else payload
        target = self._step_target(p)
        if target is not None:
            step = self._move(*target)
            step.updated_ms = event.ts_ms
            match p:
                case ev.StepPreviewed() if p.repreview is not None:
                    # The customer's confirmation is of the preview they saw: it stays the
                    # step's preview (and the token's); the order goes out on this one.
                    step.sent_preview, step.sent_preview_hash = p.preview, p.preview_hash
                case ev.StepPreviewed():
                    step.sent_preview = step.sent_preview_hash = None
                    step.preview, step.preview_hash = p.preview, p.preview_hash
                    step.expires_ms, step.policy_version = p.expires_ms, p.policy_version
                    step.previewed_order = p.order
                    step.warning_texts = _warning_texts(p.preview, self.language)
                    notes = p.preview.get("notes") or ()
                    step.note_texts = tuple(note_text(n, self.language) for n in notes)
                    step.depth, step.market_mid = None, market_mid(p.book)
                    if p.cancel is None and p.mandate is None:  # (a waiting mandate's
                        # preview walked the book moved to its trigger, not this one)
                        side, worst = str(p.preview.get("side")), p.preview.get("worst_price")
                        step.depth = walked_depth(side, worst, p.book)
                case ev.StepConfirmed():
                    step.confirmed_by = p.user
                    step.reservation = None if p.reservation is None else p.reservation.model_dump()
                    if step.state == "armed":
                        step.armed_ms = event.ts_ms
                case ev.OrderSubmitted():
                    step.client_order_id = p.client_order_id
                case ev.OrderAccepted() | ev.OrderUpdated() | ev.OrderCanceled():
                    step.venue_order = p.order
                case ev.OrderFailed():
                    step.error = p.error
                case ev.StepSkipped():
                    step.error, step.superseded_by = p.reason, p.superseded_by
                case ev.MandatePaused() | ev.MandateEnded():
                    step.error = p.reason
                case ev.StepRejected() if p.stopped_by is not None:
                    step.stopped_by = p.stopped_by.model_dump()
        else:
            match p:
                case ev.SessionOpened():
                    self.owner, self.opened_ms = p.owner, event.ts_ms
                case ev.MessageReceived():
                    self.transcript.append(Line("customer", p.text, event.ts_ms))
                    if p.idempotency_key is not None:
                        self.message_keys.add(p.idempotency_key)
                    self.locale = parse_locale(p.locale) or self.locale
                case ev.IntentParsed():
                    outcome = from_record(p.dialogue, p.result)
                    self.dialogue = advance(self.dialogue, self.transcript[-1].text, outcome)
                case ev.ReplySent():
                    self.transcript.append(Line("assistant", p.text, event.ts_ms, p.plan_id))
                case ev.PlanCreated():
                    plan_id = p.plan["plan_id"]
                    self.plans[plan_id] = p.plan
                    self.plan_states[plan_id] = "proposed"
                    for planned in p.plan["steps"]:
                        self._add_step(plan_id, planned)
                case ev.StepAdded():
                    self._add_step(p.plan_id, p.step, parent=p.parent)
                    self.steps[p.step_id].created_ms = event.ts_ms
                case ev.PlanUpdated():
                    check_plan_transition(p.plan_id, self.plan_states[p.plan_id], p.state)
                    self.plan_states[p.plan_id] = p.state
                case ev.OrderUnknown():
                    self._step(p.step_id).error = p.error
        self.events += 1
        self.head = (event.seq, event.hash)

    def _step_target(self, p: ev.AnyPayload) -> tuple[str, StepState] | None:
        """The step an event moves and the state it moves it to (None: no step moves)."""
        return step_move(p, lambda step_id: self._step(step_id).kind)

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
            stop=step.get("stop"),
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


def fold(session_id: str, events: Iterable[Event]) -> SessionState:
    """The state of a session whose journal holds ``events``, in order."""
    state = SessionState(session_id)
    for event in events:
        state.apply(event)
    return state


__all__ = ["Line", "SessionState", "StepView", "fold", "step_state_for"]


def _warning_texts(preview: dict[str, Any], locale: Locale) -> tuple[str, ...]:
    """The sentences shown for a preview's warnings (a cancel's preview has none)."""
    return tuple(
        warning_text(PreviewWarning.model_validate(w), locale)
        for w in preview.get("warnings") or ()
    )
