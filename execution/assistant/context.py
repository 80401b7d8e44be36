"""What every room of the assistant shares: its collaborators and settings, and the few
things each room does the same way (load a session under its lock, append an event, read
balances, preview one step through the pipeline).

The journal is the only state: a room appends through :meth:`Context.append`, which goes to
:class:`execution.session.log.SessionLog`; the log refuses an event that does not follow
from the session as loaded (another process moved it first) by raising
:class:`~execution.errors.InvalidTransition`. That refusal, under the session's lock, is
the exactly-once invariant every room relies on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from execution import metrics
from execution.actors import ASSISTANT_ACTOR, Actor
from execution.checkpoints import Checkpoints
from execution.clock import Clock
from execution.correlation import current_request_id
from execution.errors import NotFound, PermissionDenied, call_translated
from execution.i18n import DEFAULT_LOCALE, Locale
from execution.journal import Event, Journal, events
from execution.policy import Policy
from execution.policy.limits import LimitLedger, used_today
from execution.preview.pipeline import Pipeline, StepEvaluation
from execution.preview.simulator import dec
from execution.rate_limits import SessionBounds
from execution.session.customer import CustomerView, customer_view
from execution.session.log import SessionLog
from execution.session.overview import Overview, overview
from execution.session.state import SessionState, StepView
from execution.venues.protocol import Venue
from intent.models import Mandate, OrderSpec
from intent.parser import Parser


@dataclass(frozen=True, slots=True)
class Context:
    """The assistant's collaborators and settings, shared by its rooms."""

    journal: Journal
    log: SessionLog
    parser: Parser
    venue_for: Callable[[str], Venue]
    checkpoints: Checkpoints
    # The policy in force: a version an administrator publishes applies to the next preview
    # in every process.
    policy: Callable[[], Policy]
    clock: Clock
    tier_of: Callable[[str], str]
    limits: LimitLedger | None
    default_quote: str
    ttl_ms: int
    tolerance_bps: Decimal
    new_id: Callable[[], str]
    # How many refused confirmations and fresh previews a session may journal a minute
    # (None: no bound).
    bounds: SessionBounds | None
    # Called with the name of each point between a confirmation and the fill being journaled
    # ("confirmed", "submitted", "sent", "accepted"); the crash tests kill the process there.
    crash_point: Callable[[str], None]

    def load(self, session_id: str, actor: Actor) -> SessionState:
        """The session to decide on; the caller holds the session's lock."""
        state = self.log.load(session_id)
        self.check_visible(session_id, state.owner if state.events else None, actor)
        return state

    @staticmethod
    def check_visible(session_id: str, owner: str | None, actor: Actor) -> None:
        """``owner``: the session's (None: no such session)."""
        if owner is None or (actor.role == "customer" and owner != actor.user_id):
            raise NotFound(f"no session {session_id!r}")
        if actor.role not in ("customer", "support", "admin"):
            raise PermissionDenied(f"role {actor.role!r} cannot read sessions")

    def balances(self, user_id: str) -> dict[str, dict[str, Decimal]]:
        raw = call_translated(lambda: self.venue_for(user_id).fetch_balance())
        return {
            part: {ccy: dec(v) for ccy, v in (raw.get(part) or {}).items() if v}
            for part in ("free", "used", "total")
        }

    def pipeline_for(self, owner: str) -> Pipeline:
        """What ``owner``'s previews depend on: their account and tier, the policy in force,
        what they have traded today, the clock."""
        limits = self.limits
        return Pipeline(
            venue=self.venue_for(owner),
            policy=self.policy(),
            now_ms=self.clock.now_ms,
            ttl_ms=self.ttl_ms,
            default_quote=self.default_quote,
            tier=self.tier_of(owner),
            used_today=(lambda preview: Decimal(0))
            if limits is None
            else (lambda preview: used_today(limits, owner, preview)),
        )

    def evaluate(
        self,
        owner: str,
        step_id: str,
        order: OrderSpec,
        balances: Mapping[str, Decimal],
        mandate: Mandate | None = None,
    ) -> StepEvaluation:
        """Preview one step on the venue now and check it against the policy; no record."""
        return self.pipeline_for(owner).evaluate(step_id, order, balances, mandate)

    def append(self, state: SessionState, actor: Actor, payload: events.AnyPayload) -> Event:
        """Journal one event (see :meth:`SessionLog.append`), as ``actor``'s if it records
        what the customer did, else as the assistant's (what followed from it)."""
        by = actor.user_id if payload.kind in events.CUSTOMER_EVENTS else ASSISTANT_ACTOR
        payload = stamped(payload)
        event = self.log.append(state, payload, by)
        step = state.steps.get(str(event.payload.get("step_id")))
        if step is None or step.kind != "cancel_order":  # a cancel's own news is no order's
            metrics.count_order(payload.kind, payload)
        return event

    def overview(self, actor: Actor, locale: Locale = DEFAULT_LOCALE) -> Overview:
        """What ``actor`` (a customer) has working across all their sessions (the standing
        orders' terms in ``locale``)."""
        self.require_customer(actor, "see their orders")
        summaries = self.journal.sessions(owner=actor.user_id)
        return overview((self.log.snapshot(s.session_id) for s in summaries), locale=locale)

    def customer_view(self, customer_id: str, actor: Actor) -> CustomerView:
        """Everything of one customer's, for support staff (see
        :mod:`execution.session.customer`): an empty view for a customer with no session."""
        if actor.role not in ("support", "admin"):
            raise PermissionDenied(f"role {actor.role!r} cannot read a customer's record")
        summaries = self.journal.sessions(owner=customer_id)
        states = [self.log.snapshot(s.session_id) for s in summaries]
        return customer_view(customer_id, summaries, states)

    @staticmethod
    def step(state: SessionState, step_id: str) -> StepView:
        try:
            return state.steps[step_id]
        except KeyError:
            raise NotFound(f"no step {step_id!r} in session {state.session_id!r}") from None

    @staticmethod
    def require_customer(actor: Actor, what: str) -> None:
        if actor.role != "customer":
            raise PermissionDenied(f"role {actor.role!r} cannot {what}")


_P = TypeVar("_P", bound=events.Payload)


def stamped(payload: _P) -> _P:
    """``payload`` with the id of the request being served (the request it was decided in,
    to find its log lines), unless it has one; as it is outside a request (the worker)."""
    request_id = current_request_id()
    if request_id is None or "request_id" in payload.model_fields_set:
        return payload
    return payload.model_copy(update={"request_id": request_id})


def jsonable(value: Any) -> Any:
    """ccxt structures hold floats, None and nested dicts; keep them as JSON data."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value
