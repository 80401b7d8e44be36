"""The assistant: one customer session from text to fill, every step journaled.

``handle_message`` parses, plans and previews; nothing is sent until ``confirm_step``
receives the token issued with the preview the customer saw. Every event goes to the
session's hash-chained journal before the next thing happens, and the session's state
is always the fold of that journal.

This class only wires the rooms together and keeps the public methods; each room is a
module with one job and says which exactly-once invariant it relies on:

========================  =============================================================
:mod:`.turns`             a message in, a reply out (reading, plan, previews; never sends)
:mod:`.previews`          preview a step, journal it, issue and check its token
:mod:`.confirmations`     confirm, reject, re-preview; requote when the market moved
:mod:`.reservations`      the day's cap, reserved just before a send
:mod:`.executor`          send once by clientOrderId; settle doubt by lookup
:mod:`.dependents`        steps waiting on another step's outcome
:mod:`.mandate_runner`    standing orders the worker places after one confirmation
:mod:`.reconciler`        in-flight steps settled with the venue
:mod:`.texts`             the sentences shown next to Confirm
:mod:`.notes`             support's internal notes on a session (never trading state)
:mod:`.context`           what the rooms share (the log, the venue, the clock, settings)
========================  =============================================================

The invariants themselves live in one place, :class:`execution.session.log.SessionLog`:
under the session's lock it refuses any event that does not follow from the session as
loaded, so a step's order goes out once however many processes confirm it at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal

from execution.actors import Actor
from execution.assistant.confirmations import Confirmations
from execution.assistant.context import Context, stamped
from execution.assistant.dependents import Dependents
from execution.assistant.executor import Executor
from execution.assistant.mandate_runner import MandateReport, MandateRunner
from execution.assistant.notes import Notes
from execution.assistant.previews import PendingConfirmation, Previews, StepUpdate
from execution.assistant.reconciler import Reconciler, ReconcileReport
from execution.assistant.reservations import Reservations
from execution.assistant.stops import Stops
from execution.assistant.turns import Turn, Turns
from execution.checkpoints import Checkpoints
from execution.clock import Clock
from execution.i18n import DEFAULT_LOCALE, Locale
from execution.journal import (
    DEFAULT_PAGE,
    GENESIS_HASH,
    Event,
    Journal,
    Page,
    SessionSummary,
    events,
    read_page,
    withhold,
)
from execution.policy import DEFAULT_TIER, Policy
from execution.policy.limits import LimitLedger
from execution.preview.requote import DEFAULT_TOLERANCE_BPS
from execution.rate_limits import SessionBounds
from execution.session.customer import CustomerView
from execution.session.log import SessionLog
from execution.session.overview import Overview
from execution.session.state import SessionState, StepView
from execution.venues.protocol import Venue
from intent.parser import Parser


class Assistant:
    """Orchestrates parse → plan → preview → confirm → submit for customer sessions."""

    def __init__(
        self,
        *,
        journal: Journal,
        parser: Parser,
        venue_for: Callable[[str], Venue],
        checkpoints: Checkpoints,
        policy: Policy | Callable[[], Policy],
        clock: Clock,
        tier_of: Callable[[str], str] = lambda user_id: DEFAULT_TIER,
        limits: LimitLedger | None = None,
        default_quote: str = "USDT",
        confirmation_ttl_ms: int = 30_000,
        requote_tolerance_bps: Decimal = DEFAULT_TOLERANCE_BPS,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        crash_point: Callable[[str], None] | None = None,
        session_bounds: SessionBounds | None = None,
    ) -> None:
        self._ctx = ctx = Context(
            journal=journal,
            log=SessionLog(journal, clock),
            parser=parser,
            venue_for=venue_for,
            checkpoints=checkpoints,
            policy=policy if callable(policy) else (lambda: policy),
            clock=clock,
            tier_of=tier_of,
            limits=limits,
            default_quote=default_quote,
            ttl_ms=confirmation_ttl_ms,
            tolerance_bps=requote_tolerance_bps,
            new_id=new_id,
            bounds=session_bounds,
            crash_point=crash_point or (lambda point: None),
        )
        previews = Previews(ctx)
        reservations = Reservations(ctx, previews)
        executor = Executor(ctx, reservations)
        dependents = Dependents(ctx, previews)
        mandates = MandateRunner(ctx, previews, reservations, executor, dependents)
        stops = Stops(ctx, dependents)
        self._turns = Turns(ctx, previews, stops)
        self._confirmations = Confirmations(
            ctx, previews, reservations, executor, dependents, mandates, stops
        )
        self._mandates = mandates
        self._notes = Notes(ctx)
        self._reconciler = Reconciler(ctx, executor, reservations, dependents, stops)

    # --- sessions -----------------------------------------------------------------

    def open_session(self, actor: Actor) -> str:
        self._ctx.require_customer(actor, "open a session")
        session_id = self._ctx.new_id()
        opened = stamped(events.SessionOpened(owner=actor.user_id, channel=actor.channel))
        self._ctx.journal.append(
            session_id, opened.kind, actor.user_id, opened.to_json(), expect=(-1, GENESIS_HASH)
        )
        return session_id

    def state(self, session_id: str, actor: Actor) -> SessionState:
        """The session as its journal folds (a private copy); customers see only their own."""
        state = self._ctx.log.snapshot(session_id)
        self._ctx.check_visible(session_id, state.owner if state.events else None, actor)
        return state

    def events(self, session_id: str, actor: Actor) -> list[Event]:
        """The session's journal, under the same visibility rule (read once, no fold)."""
        events = self._ctx.journal.read(session_id)
        owner = str(events[0].payload.get("owner", "")) if events else None
        self._ctx.check_visible(session_id, owner, actor)
        return events

    def events_page(
        self, session_id: str, actor: Actor, after: int = -1, limit: int = DEFAULT_PAGE
    ) -> Page:
        """One page of the session's journal (see :func:`~execution.journal.read_page`),
        under the same visibility rule: the owner is read from the first entry alone. The
        customer does not read staff's internal notes: their payload is withheld."""
        first = self._ctx.journal.read(session_id, -1, 1)
        owner = str(first[0].payload.get("owner", "")) if first else None
        self._ctx.check_visible(session_id, owner, actor)
        page = read_page(self._ctx.journal, session_id, after, limit)
        return withhold(page, events.STAFF_ONLY) if actor.role == "customer" else page

    def balances(self, user_id: str) -> dict[str, dict[str, Decimal]]:
        return self._ctx.balances(user_id)

    def sessions(self, actor: Actor) -> list[SessionSummary]:
        """The customer's own sessions, newest activity first."""
        self._ctx.require_customer(actor, "list their sessions")
        mine = self._ctx.journal.sessions(owner=actor.user_id)
        return sorted(mine, key=lambda s: (s.last_ms, s.session_id), reverse=True)

    def overview(self, actor: Actor, locale: Locale = DEFAULT_LOCALE) -> Overview:
        """What the customer has working across all their sessions (see
        :mod:`execution.session.overview`), the standing orders' terms in ``locale``."""
        return self._ctx.overview(actor, locale)

    def customer_view(self, customer_id: str, actor: Actor) -> CustomerView:
        """One customer's sessions, orders, fills and standing orders, for support staff
        (see :mod:`execution.session.customer`)."""
        return self._ctx.customer_view(customer_id, actor)

    # --- the customer's messages and decisions ---------------------------------------

    def handle_message(
        self,
        session_id: str,
        actor: Actor,
        text: str,
        idempotency_key: str | None = None,
        locale: Locale | None = None,
    ) -> Turn:
        return self._turns.handle_message(session_id, actor, text, idempotency_key, locale)

    def refresh_step(
        self, session_id: str, step_id: str, actor: Actor
    ) -> tuple[StepView, PendingConfirmation | None]:
        """A new preview and token for a step still awaiting confirmation (e.g. expired)."""
        return self._confirmations.refresh_step(session_id, step_id, actor)

    def reject_step(
        self, session_id: str, step_id: str, actor: Actor
    ) -> tuple[StepView, list[StepUpdate]]:
        return self._confirmations.reject_step(session_id, step_id, actor)

    def confirm_step(
        self, session_id: str, step_id: str, actor: Actor, token: str
    ) -> tuple[StepView, list[StepUpdate]]:
        return self._confirmations.confirm_step(session_id, step_id, actor, token)

    # --- support -----------------------------------------------------------------------

    def add_note(self, session_id: str, actor: Actor, text: str) -> Event:
        """Attach a support (or admin) member's internal note to the session's journal."""
        return self._notes.add_note(session_id, actor, text)

    # --- what the worker does ---------------------------------------------------------

    def run_mandates(self) -> MandateReport:
        return self._mandates.run_mandates()

    def reconcile(self, *, grace_ms: int = 0) -> ReconcileReport:
        return self._reconciler.reconcile(grace_ms=grace_ms)
