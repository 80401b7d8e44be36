"""The session journal's event kinds and one typed payload model per kind.

A journal entry (:class:`~execution.journal.chain.Event`) stores its kind beside its payload,
and the payload is JSON data that the hash chain covers byte for byte (its canonical JSON).
The models here describe those payloads exactly as they are stored:

- the payload has no ``kind`` key: the kind is the entry's. Each model carries it as a
  ``kind`` literal (the discriminator of :data:`EventPayload`), which :meth:`Payload.to_json`
  leaves out;
- fields are typed as their JSON is: decimals are the strings they are stored as, and what
  another model or the venue produced (a preview, a plan, a ccxt order, an order book) is
  the ``dict`` it was dumped to. Those nested shapes changed between versions (a preview
  gained ``expected_amount``, a plan step ``mandate``), so a nested model would refuse or
  rewrite an older journal's entry; the ``*_model()`` methods read them as today's models;
- an optional key absent today is absent after a round trip, and one stored as ``null`` is
  ``null`` again (``to_json`` dumps the fields that were given, whatever their value), so
  ``parse_payload(e.kind, e.payload).to_json() == e.payload`` for every entry;
- values are checked strictly, as JSON: a string is not a number, ``1.0`` is not an int;
- every kind may carry ``request_id``, the request it was decided in (absent for the
  worker's events and in entries written before it was kept);
- unknown keys are refused, so a writer's misspelt key fails loudly: every payload the app
  writes passes, and so does every shape in its history, whose retired keys are declared
  (``parser`` and ``parser_version`` of ``intent_parsed``, before provenance was journaled).
  A key added later must be added here (optional) before a process that reads with these
  models meets it: during a rolling upgrade on the shared journal, an older reader would
  refuse it.

Every writer goes through them: the assistant's rooms build these models
(:meth:`execution.assistant.context.Context.append`), :meth:`SessionLog.append` validates
each payload again as its kind's model before it is chained, and the fold
(:meth:`SessionState.apply`) and the replay read the typed payload, never the raw dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter

from execution.session.lifecycle import PlanState

if TYPE_CHECKING:
    from execution.policy import PolicyDecision
    from execution.preview.simulator import CancelPreview, StepPreview
    from execution.preview.stop import StopPreview
    from intent.models import Mandate, OrderSpec, Plan, PlanStep

# Event kinds, past tense: each names something that happened.
SESSION_OPENED = "session_opened"
MESSAGE_RECEIVED = "message_received"
INTENT_PARSED = "intent_parsed"
REPLY_SENT = "reply_sent"
PLAN_CREATED = "plan_created"
PLANNING_FAILED = "planning_failed"
STEP_PREVIEWED = "step_previewed"
PREVIEW_FAILED = "preview_failed"  # the venue could not be read; the step stays planned
POLICY_DENIED = "policy_denied"
CONFIRMATION_REFUSED = "confirmation_refused"
STEP_CONFIRMED = "step_confirmed"
STEP_REJECTED = "step_rejected"
ORDER_SUBMITTED = "order_submitted"
ORDER_ACCEPTED = "order_accepted"
ORDER_FAILED = "order_failed"
ORDER_UNKNOWN = "order_unknown"
ORDER_UPDATED = "order_updated"  # a resting order's later status, learned from the venue
ORDER_CANCELED = "order_canceled"  # a cancel step's order was canceled by the venue
STEP_SKIPPED = "step_skipped"
PLAN_UPDATED = "plan_updated"
# Mandates (steps the worker carries out after one confirmation):
STEP_ADDED = "step_added"  # one order of an armed mandate, about to be previewed and sent
MANDATE_PAUSED = "mandate_paused"  # a bound was reached: the customer is asked again
MANDATE_ENDED = "mandate_ended"  # every order placed (or expired after some)
MANDATE_STOPPED = "mandate_stopped"  # a stop step carried out: the mandate it names stopped
# Support (never read by the fold's trading state, the replay or the customer's chat):
SUPPORT_NOTE = "support_note"  # an internal note a member of staff attached to the session
#: Entries only staff read in full: a customer reading their journal gets them withheld.
STAFF_ONLY: frozenset[str] = frozenset({SUPPORT_NOTE})

#: The longest note support may attach (characters).
NOTE_MAX_CHARS = 2000

# Events that record what the customer did (the rest record what the assistant did).
CUSTOMER_EVENTS = frozenset(
    {SESSION_OPENED, MESSAGE_RECEIVED, STEP_CONFIRMED, STEP_REJECTED, CONFIRMATION_REFUSED}
)

Json = dict[str, Any]  # a JSON object as stored (a dump of another model, a ccxt structure)

_CONFIG = ConfigDict(frozen=True, extra="forbid", strict=True, ser_json_inf_nan="constants")


class Part(BaseModel):
    """A small JSON object inside a payload whose shape has not changed since it was added."""

    model_config = _CONFIG


class Payload(BaseModel):
    """Base of the payload models: frozen, strict, no unknown keys."""

    model_config = _CONFIG

    kind: str
    # The id of the request the event was decided in (X-Request-ID; web/telemetry.py), to
    # find its log lines; absent for the worker's events and in entries written before it
    # was kept (so their hashes are unchanged).
    request_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The payload as the journal stores it: the keys that were given (a ``None``
        given is ``null``, a key not given is absent), without ``kind``. ccxt's NaN and
        infinities stay floats, as the journal's JSON keeps them."""
        return self.model_dump(mode="json", exclude_unset=True, exclude={"kind"})


class _StepEvent(Payload):
    step_id: str


# --- the conversation ---------------------------------------------------------------------


class SessionOpened(Payload):
    """The first entry of every session (the journal backends read ``owner`` from it)."""

    kind: Literal["session_opened"] = "session_opened"
    owner: str
    channel: str


class MessageReceived(Payload):
    kind: Literal["message_received"] = "message_received"
    text: str
    channel: str
    # The client's key for this message (Idempotency-Key): a second message with the same
    # key is refused, so a double submit or a retry never makes a second preview.
    idempotency_key: str | None = None
    # The language the assistant answers in (execution.i18n): the message's own, else the
    # page's; absent before replies were translated (English).
    locale: str | None = None


class IntentParsed(Payload):
    """What the parser made of the message before it, and the reading acted on."""

    kind: Literal["intent_parsed"] = "intent_parsed"
    result: Json  # the raw parse (an Intent, Clarification or Unsupported dump)
    canonical: Json  # intent.canonical's export of the reading acted on
    provenance: Json | None = None  # intent.parser.Provenance; absent in the oldest journals
    dialogue: Json | None = None  # intent.dialogue's record, when a turn was merged or dropped
    parser: str | None = None  # the oldest journals: the parser's name ...
    parser_version: str | None = None  # ... and version, before provenance


class ReplySent(Payload):
    kind: Literal["reply_sent"] = "reply_sent"
    text: str
    step_id: str | None = None  # the mandate a pause asks about
    plan_id: str | None = None  # the plan this reply presented (absent before it was kept)
    locale: str | None = None  # the language ``text`` is in (absent: English)
    codes: list[str] | None = None  # the catalogue's sentences ``text`` is made of


# --- plans and previews -------------------------------------------------------------------


class PlanCreated(Payload):
    kind: Literal["plan_created"] = "plan_created"
    plan: Json  # intent.models.Plan
    balances_snapshot: dict[str, str]  # the free balances it was planned on
    open_orders: list[Json] | None = None  # a cancel's plan: the ccxt orders it was planned on
    # a stop's plan: the standing orders it was planned on (intent.models.StandingOrderRef)
    standing_orders: list[Json] | None = None

    def plan_model(self) -> Plan:
        from intent.models import Plan

        return Plan.model_validate(self.plan)


class PlanningFailed(Payload):
    kind: Literal["planning_failed"] = "planning_failed"
    reason: str


class Requote(Part):
    """Why a step was previewed again at confirmation, and the preview it replaces.
    ``reasons``: in English, for support; ``said``: each reason as its code and figures
    (:class:`execution.preview.requote.Reason`), to say it in the customer's language
    (absent from entries written before it was kept)."""

    reasons: list[str]
    replaces: str | None
    said: list[dict[str, Any]] = Field(default_factory=list, exclude_if=lambda v: not v)


class Repreview(Part):
    """The step previewed again at its confirmation and found within tolerance of the
    preview the customer saw (:func:`execution.preview.requote.material_change`): their
    confirmation of that preview stands, and the order is sent on this one."""

    confirms: str  # the hash of the preview the customer saw (the one the token binds)


class CancelTarget(Part):
    order_id: str  # the venue's id of the order a cancel step cancels


class StopTarget(Part):
    """The mandate a stop step stops: its session and step."""

    session_id: str
    step_id: str


class StepPreviewed(_StepEvent):
    """A step's preview, the hash a confirmation binds to, and (for an order) the inputs a
    replay re-runs it on. A cancel step's preview has ``cancel`` and no inputs."""

    kind: Literal["step_previewed"] = "step_previewed"
    plan_id: str
    preview: Json  # execution.preview.simulator.StepPreview, or CancelPreview (kind "cancel")
    preview_hash: str
    expires_ms: int
    policy_version: str
    blocked: bool
    waiting: bool | None = None  # absent before dependent steps (converts) existed
    order: Json | None = None  # intent.models.OrderSpec as previewed
    venue: str | None = None  # the inputs: absent in older journals (replay says so)
    market: Json | None = None
    balances: dict[str, str] | None = None
    book: Json | None = None  # {"timestamp", "bids", "asks"}
    policy: Json | None = None  # execution.policy.PolicyDecision
    tier: str | None = None
    used_today: str | None = None
    mandate: Json | None = None  # intent.models.Mandate, for a mandate step
    requote: Requote | None = None
    # a fresh preview made at confirmation, within tolerance: the order is sent on it
    repreview: Repreview | None = None
    cancel: CancelTarget | None = None
    stop: StopTarget | None = None  # a stop step's preview: the mandate it stops

    def preview_model(self) -> StepPreview | CancelPreview | StopPreview:
        from execution.preview.simulator import CancelPreview, StepPreview
        from execution.preview.stop import StopPreview

        if self.cancel is not None or self.preview.get("kind") == "cancel":
            return CancelPreview.model_validate(self.preview)
        if self.stop is not None or self.preview.get("kind") == "stop":
            return StopPreview.model_validate(self.preview)
        return StepPreview.model_validate(self.preview)

    def order_model(self) -> OrderSpec | None:
        from intent.models import OrderSpec

        return None if self.order is None else OrderSpec.model_validate(self.order)

    def policy_model(self) -> PolicyDecision | None:
        from execution.policy import PolicyDecision

        return None if self.policy is None else PolicyDecision.model_validate(self.policy)

    def mandate_model(self) -> Mandate | None:
        from intent.models import Mandate

        return None if self.mandate is None else Mandate.model_validate(self.mandate)


class PreviewFailed(_StepEvent):
    kind: Literal["preview_failed"] = "preview_failed"
    error: str


class PolicyDenied(_StepEvent):
    kind: Literal["policy_denied"] = "policy_denied"
    decision: Json  # execution.policy.PolicyDecision

    def decision_model(self) -> PolicyDecision:
        from execution.policy import PolicyDecision

        return PolicyDecision.model_validate(self.decision)


# --- the customer's answers ---------------------------------------------------------------


class ConfirmationRefused(_StepEvent):
    kind: Literal["confirmation_refused"] = "confirmation_refused"
    code: str  # execution.errors.ConfirmationRefused.code
    message: str
    user: str
    channel: str


class DailyReservation(Part):
    """The daily notional counted at confirmation (execution.policy.limits.Reservation)."""

    reservation_id: str
    user_id: str
    day: str  # ISO date
    quote: str
    amount: str
    used: str
    cap: str


class StepConfirmed(_StepEvent):
    """The customer's yes to one preview (or the worker's, under an armed mandate)."""

    kind: Literal["step_confirmed"] = "step_confirmed"
    user: str
    channel: str
    preview_hash: str
    policy_version: str
    shown_text: str  # the sentence shown next to Confirm
    locale: str | None = None  # the language it was shown in (absent: English)
    reservation: DailyReservation | None = None  # an order step: null without a daily cap
    parent: str | None = None  # an order placed under a mandate: the mandate ...
    mandate_confirmed_by: str | None = None  # ... and who armed it
    # the hash of the fresh preview the order is sent on (its ``step_previewed`` with
    # ``repreview`` comes just before); absent: sent on the preview confirmed
    sent_on: str | None = None


class StepRejected(_StepEvent):
    kind: Literal["step_rejected"] = "step_rejected"
    user: str
    channel: str
    # a mandate stopped from another step (a stop step, in any session): that step
    stopped_by: StopTarget | None = None


# --- orders -------------------------------------------------------------------------------


class OrderSubmitted(_StepEvent):
    """Journaled before the order (or cancel) leaves, so a crash leaves an id to look up."""

    kind: Literal["order_submitted"] = "order_submitted"
    client_order_id: str | None  # null for a cancel step, which places no order
    request: Json | None = None  # what was sent; absent when reconciliation found the order
    recovered: bool | None = None  # True: found at the venue after a crash, not seen sent


class OrderAccepted(_StepEvent):
    kind: Literal["order_accepted"] = "order_accepted"
    order: Json  # the ccxt order


class OrderFailed(_StepEvent):
    kind: Literal["order_failed"] = "order_failed"
    error: str
    order: Json | None = None  # a cancel that found its order filled: that order


class OrderUnknown(_StepEvent):
    kind: Literal["order_unknown"] = "order_unknown"
    error: str


class OrderUpdated(_StepEvent):
    kind: Literal["order_updated"] = "order_updated"
    order: Json


class OrderCanceled(_StepEvent):
    kind: Literal["order_canceled"] = "order_canceled"
    order: Json


class StepSkipped(_StepEvent):
    kind: Literal["step_skipped"] = "step_skipped"
    reason: str
    superseded_by: str | None = None  # the bracket exit that fired first


class PlanUpdated(Payload):
    kind: Literal["plan_updated"] = "plan_updated"
    plan_id: str
    state: PlanState


# --- mandates -----------------------------------------------------------------------------


class StepAdded(_StepEvent):
    """One order of an armed mandate, as a step of its own."""

    kind: Literal["step_added"] = "step_added"
    plan_id: str
    parent: str  # the mandate
    price: str  # the price that made it due
    step: Json  # intent.models.PlanStep

    def step_model(self) -> PlanStep:
        from intent.models import PlanStep

        return PlanStep.model_validate(self.step)


class MandatePaused(_StepEvent):
    kind: Literal["mandate_paused"] = "mandate_paused"
    reason: str


class MandateEnded(_StepEvent):
    kind: Literal["mandate_ended"] = "mandate_ended"
    reason: str


class MandateStopped(_StepEvent):
    """A stop step carried out (it is done): what became of the mandate it names."""

    kind: Literal["mandate_stopped"] = "mandate_stopped"
    target: StopTarget
    # "stopped": it was working and places no more orders; "ended": it had already ended
    # (done, skipped or rejected) before the stop reached it, so nothing changed
    outcome: Literal["stopped", "ended"]
    state: str  # the mandate's state after the stop
    orders_placed: int
    orders_total: int


# --- support ------------------------------------------------------------------------------


class SupportNote(Payload):
    """An internal note support (or an admin) attached to the session: who wrote it and
    what. It is an entry like any other (chained, never edited or deleted); the session's
    trading state and its re-run pass over it."""

    kind: Literal["support_note"] = "support_note"
    author: str  # the member of staff's user id
    role: Literal["support", "admin"]
    text: Annotated[str, StringConstraints(min_length=1, max_length=NOTE_MAX_CHARS)]


AnyPayload = (
    SessionOpened
    | MessageReceived
    | IntentParsed
    | ReplySent
    | PlanCreated
    | PlanningFailed
    | StepPreviewed
    | PreviewFailed
    | PolicyDenied
    | ConfirmationRefused
    | StepConfirmed
    | StepRejected
    | OrderSubmitted
    | OrderAccepted
    | OrderFailed
    | OrderUnknown
    | OrderUpdated
    | OrderCanceled
    | StepSkipped
    | PlanUpdated
    | StepAdded
    | MandatePaused
    | MandateEnded
    | MandateStopped
    | SupportNote
)
#: Every payload, discriminated by ``kind``.
EventPayload = Annotated[AnyPayload, Field(discriminator="kind")]
EVENT_PAYLOAD_ADAPTER: TypeAdapter[AnyPayload] = TypeAdapter(EventPayload)

#: The model of each kind, in the order of the union above (its one list of the models).
PAYLOAD_MODELS: Mapping[str, type[Payload]] = {
    model.model_fields["kind"].default: model for model in get_args(AnyPayload)
}
EVENT_KINDS: frozenset[str] = frozenset(PAYLOAD_MODELS)


def parse_payload(kind: str, payload: Mapping[str, Any]) -> AnyPayload:
    """Validate a payload as stored (without ``kind``) as the model of ``kind``.

    Raises :class:`pydantic.ValidationError` naming each missing, unknown or mistyped key
    (an unknown kind is a ``union_tag_invalid`` error), or :class:`ValueError` if the
    payload has a ``kind`` key of its own (no payload is written with one)."""
    if "kind" in payload:
        raise ValueError(f"a {kind!r} payload has a 'kind' key; the kind is the entry's")
    return EVENT_PAYLOAD_ADAPTER.validate_python({**payload, "kind": kind})


__all__ = [
    "CONFIRMATION_REFUSED",
    "CUSTOMER_EVENTS",
    "EVENT_KINDS",
    "EVENT_PAYLOAD_ADAPTER",
    "INTENT_PARSED",
    "MANDATE_ENDED",
    "MANDATE_PAUSED",
    "MANDATE_STOPPED",
    "MESSAGE_RECEIVED",
    "NOTE_MAX_CHARS",
    "ORDER_ACCEPTED",
    "ORDER_CANCELED",
    "ORDER_FAILED",
    "ORDER_SUBMITTED",
    "ORDER_UNKNOWN",
    "ORDER_UPDATED",
    "PAYLOAD_MODELS",
    "PLANNING_FAILED",
    "PLAN_CREATED",
    "PLAN_UPDATED",
    "POLICY_DENIED",
    "PREVIEW_FAILED",
    "REPLY_SENT",
    "SESSION_OPENED",
    "STAFF_ONLY",
    "STEP_ADDED",
    "STEP_CONFIRMED",
    "STEP_PREVIEWED",
    "STEP_REJECTED",
    "STEP_SKIPPED",
    "SUPPORT_NOTE",
    "AnyPayload",
    "CancelTarget",
    "ConfirmationRefused",
    "DailyReservation",
    "EventPayload",
    "IntentParsed",
    "MandateEnded",
    "MandatePaused",
    "MandateStopped",
    "MessageReceived",
    "OrderAccepted",
    "OrderCanceled",
    "OrderFailed",
    "OrderSubmitted",
    "OrderUnknown",
    "OrderUpdated",
    "Part",
    "Payload",
    "PlanCreated",
    "PlanUpdated",
    "PlanningFailed",
    "PolicyDenied",
    "PreviewFailed",
    "ReplySent",
    "Repreview",
    "Requote",
    "SessionOpened",
    "StepAdded",
    "StepConfirmed",
    "StepPreviewed",
    "StepRejected",
    "StepSkipped",
    "StopTarget",
    "SupportNote",
    "parse_payload",
]
