"""The assistant: one customer session from text to fill, every step journaled.

``handle_message`` parses, plans and previews; nothing is sent until ``confirm_step``
receives the token issued with the preview the customer saw. Every event goes to the
session's hash-chained journal before the next thing happens, and the session's state
is always the fold of that journal.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from execution.checkpoints import Binding, Checkpoints
from execution.clock import Clock, iso
from execution.errors import (
    ConfirmationRefused,
    InvalidTransition,
    JournalError,
    LimitExceeded,
    NotFound,
    OrderNotFound,
    PermissionDenied,
    RequoteRequired,
    StepNotConfirmable,
    TokenReused,
    VenueError,
    VenueUnavailable,
    call_translated,
)
from execution.journal import GENESIS_HASH, Event, Journal
from execution.limits import LimitLedger, Reservation, reserve_order, used_today
from execution.mandates import (
    band_breach,
    condition_holds,
    next_due_ms,
    sized,
    terms_text,
    ticker_price,
)
from execution.policy import DEFAULT_TIER, Policy, PolicyDecision
from execution.preview.pipeline import Pipeline, PreviewFailed, StepEvaluation
from execution.preview.requote import DEFAULT_TOLERANCE_BPS, requote_reasons
from execution.preview.simulator import (
    CancelPreview,
    StepPreview,
    dec,
    preview_cancel,
)
from execution.session import state as ev
from execution.session.lifecycle import IN_FLIGHT_STEP_STATES, TERMINAL_STEP_STATES
from execution.session.log import SessionLog
from execution.session.state import SessionState, StepView
from execution.venue import Venue
from intent.canonical import to_canonical
from intent.dialogue import Corrected, respond, to_record
from intent.errors import PlanningError
from intent.models import (
    Clarification,
    Intent,
    Mandate,
    Model,
    OrderSpec,
    Plan,
    PlanStep,
    Span,
    Unsupported,
    plain,
)
from intent.parser import ParseOutput, Parser, parse_traced
from intent.planner import order_words

ASSISTANT_ACTOR = "assistant"
Role = Literal["customer", "support", "product", "admin"]
Channel = Literal["chat", "api", "cli", "worker"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, in which role, through which channel."""

    user_id: str
    role: Role
    channel: Channel


# Reconciliation and the worker act for no customer: their events are the assistant's.
SYSTEM = Actor("system", "admin", "worker")


class PendingConfirmation(Model):
    """A step awaiting the customer's yes, with the token bound to its preview."""

    step_id: str
    token: str
    expires_ms: int
    expires_at: str
    preview_hash: str
    summary: str


class Turn(Model):
    """The assistant's answer to one customer message."""

    session_id: str
    reply: str
    result: Literal["intent", "clarification", "unsupported"]
    intent: dict[str, Any]
    spans: tuple[Span, ...] = ()  # which words of the message produced which field
    plan: Plan | None = None
    preview: dict[str, Any] | None = None
    pending: tuple[PendingConfirmation, ...] = ()


@dataclass(frozen=True, slots=True)
class StepUpdate:
    """A step whose state changed as a consequence, with its new token if it has one."""

    step: StepView
    pending: PendingConfirmation | None


def order_yield(order: Mapping[str, Any]) -> Decimal:
    """What a filled ccxt order yielded, net of a fee paid in what was received."""
    base, quote = str(order["symbol"]).split("/", 1)
    fee = order.get("fee") or {}
    if order["side"] == "buy":
        got, currency = dec(order.get("filled") or 0), base
    else:
        got, currency = dec(order.get("cost") or 0), quote
    if fee.get("currency") == currency and fee.get("cost") is not None:
        got -= dec(fee["cost"])
    return got


def client_order_id(session_id: str, step_id: str) -> str:
    """Deterministic per step, so a retry after a timeout can only find, never duplicate."""
    digest = hashlib.sha256(f"{session_id}\x1f{step_id}".encode()).hexdigest()
    return f"ta{digest[:30]}"


def _fmt(value: Decimal, places: int | None = None) -> str:
    return plain(value) if places is None else f"{value:,.{places}f}"


def confirmation_text(description: str, preview: StepPreview) -> str:
    """The exact sentence shown next to Confirm; it is journaled with the confirmation."""
    base, quote = preview.symbol.split("/", 1)
    avg = "n/a" if preview.average_price is None else _fmt(preview.average_price, 2)
    worst = "n/a" if preview.worst_price is None else _fmt(preview.worst_price, 2)
    after = ", ".join(f"{ccy} {_fmt(val)}" for ccy, val in preview.balances_after.items())
    verb = "pay" if preview.side == "buy" else "receive"
    text = (
        f"{description}: {_fmt(preview.amount)} {base} at ≈ {avg} {quote} average "
        f"(worst {worst}, slippage {preview.slippage_bps} bps); you {verb} ≈ "
        f"{_fmt(preview.notional, 2)} {quote}; fee {_fmt(preview.fee.cost)} "
        f"{preview.fee.currency} ({_fmt(preview.fee.rate * 100)}%). Balances after: {after}."
    )
    for warning in preview.warnings:
        text += f" Warning: {warning.message}."
    if preview.mandate is not None:
        text += " " + terms_text(preview.mandate)
    return text


def cancel_text(description: str, preview: CancelPreview) -> str:
    """The sentence shown next to Confirm for a cancel step."""
    return (
        f"{description}: frees ≈ {_fmt(preview.releases.amount)} {preview.releases.currency}. "
        "Whatever has already filled stays filled."
    )


class Assistant:
    """Orchestrates parse → plan → preview → confirm → submit for customer sessions.

    Every decision is appended to the session's journal through :class:`SessionLog`,
    which refuses it if another process changed the session first; that is what makes
    a step's order go out once, however many processes confirm it at the same time.
    """

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
    ) -> None:
        self._journal = journal
        self._log = SessionLog(journal, clock)
        self._parser = parser
        self._venue_for = venue_for
        self._checkpoints = checkpoints
        # The policy in force: a version an administrator publishes applies to the next
        # preview in every process.
        self._policy_source = policy if callable(policy) else (lambda: policy)
        self._tier_of = tier_of
        self._limits = limits
        self._clock = clock
        self._default_quote = default_quote
        self._ttl_ms = confirmation_ttl_ms
        self._tolerance_bps = requote_tolerance_bps
        self._new_id = new_id
        # Called with the name of each point between a confirmation and the fill being
        # journaled ("confirmed", "submitted", "sent", "accepted"); the crash tests kill
        # the process there.
        self._crash_point = crash_point or (lambda point: None)

    # --- sessions -----------------------------------------------------------------

    def open_session(self, actor: Actor) -> str:
        self._require_customer(actor, "open a session")
        session_id = self._new_id()
        self._journal.append(
            session_id,
            ev.SESSION_OPENED,
            actor.user_id,
            {"owner": actor.user_id, "channel": actor.channel},
            expect=(-1, GENESIS_HASH),
        )
        return session_id

    def state(self, session_id: str, actor: Actor) -> SessionState:
        """The session as its journal folds (a private copy); customers see only their own."""
        state = self._log.snapshot(session_id)
        self._check_visible(session_id, state.owner if state.events else None, actor)
        return state

    def events(self, session_id: str, actor: Actor) -> list[Event]:
        """The session's journal, under the same visibility rule (read once, no fold)."""
        events = self._journal.read(session_id)
        owner = str(events[0].payload.get("owner", "")) if events else None
        self._check_visible(session_id, owner, actor)
        return events

    def balances(self, user_id: str) -> dict[str, dict[str, Decimal]]:
        raw = call_translated(lambda: self._venue_for(user_id).fetch_balance())
        return {
            part: {ccy: dec(v) for ccy, v in (raw.get(part) or {}).items() if v}
            for part in ("free", "used", "total")
        }

    def _load(self, session_id: str, actor: Actor) -> SessionState:
        """The session to decide on; the caller holds the session's lock."""
        state = self._log.load(session_id)
        self._check_visible(session_id, state.owner if state.events else None, actor)
        return state

    @staticmethod
    def _check_visible(session_id: str, owner: str | None, actor: Actor) -> None:
        """``owner``: the session's (None: no such session)."""
        if owner is None or (actor.role == "customer" and owner != actor.user_id):
            raise NotFound(f"no session {session_id!r}")
        if actor.role not in ("customer", "support", "admin"):
            raise PermissionDenied(f"role {actor.role!r} cannot read sessions")

    # --- one customer message -----------------------------------------------------

    def handle_message(self, session_id: str, actor: Actor, text: str) -> Turn:
        self._require_customer(actor, "send messages")
        with self._log.lock(session_id):
            state = self._load(session_id, actor)
            dialogue = state.dialogue
            self._append(
                state, actor, ev.MESSAGE_RECEIVED, {"text": text, "channel": actor.channel}
            )
            # The message is on record before it is parsed; what the assistant made of it
            # (reading, plan, previews and the reply shown) is stored as one segment.
            with self._log.batch(state):
                raw, provenance = parse_traced(self._parser, text)
                # What the message means after what was said before (intent.dialogue).
                outcome = respond(dialogue, text, raw)
                result = outcome.result
                payload: dict[str, Any] = {
                    "provenance": provenance.model_dump(mode="json"),
                    "result": raw.model_dump(mode="json"),
                }
                record = to_record(dialogue, outcome)
                if record is not None:
                    payload["dialogue"] = record
                canonical = to_canonical(raw if result is None else result)
                payload["canonical"] = canonical
                self._append(state, actor, ev.INTENT_PARSED, payload)
                spans = () if isinstance(raw, Unsupported) else raw.spans
                if isinstance(outcome, Corrected) and isinstance(result, Intent):
                    # A correction replaces the request it corrects: the old plan's steps
                    # still awaiting confirmation can no longer be confirmed.
                    self._replace_unconfirmed(state, actor, "replaced by the corrected request")
                if result is None and dialogue.pending is None:
                    # "buy 1 BTC" → "never mind", "leave it": the request shown is withdrawn,
                    # so none of its steps can still be confirmed
                    self._replace_unconfirmed(state, actor, "withdrawn by the customer")
                if result is None:
                    turn = Turn(
                        session_id=session_id,
                        reply="OK, I dropped that request. Nothing was sent.",
                        result=raw.kind,
                        intent=canonical,
                        spans=spans,
                    )
                else:
                    turn = self._respond(state, actor, result, canonical, spans)
                self._append(state, actor, ev.REPLY_SENT, {"text": turn.reply})
            return turn

    def _respond(
        self,
        state: SessionState,
        actor: Actor,
        result: ParseOutput,
        canonical: dict[str, Any],
        spans: tuple[Span, ...],
    ) -> Turn:
        corrections = () if isinstance(result, Unsupported) else result.corrections
        read_as = "".join(f'I read "{c.written}" as {c.meant} ({c.code}). ' for c in corrections)

        def reply(text: str, **extra: Any) -> Turn:
            return Turn(
                session_id=state.session_id,
                reply=read_as + text,
                result=result.kind,
                intent=canonical,
                spans=spans,
                **extra,
            )

        if isinstance(result, Unsupported):
            return reply(result.message)
        if isinstance(result, Clarification):
            return reply(result.question)
        if result.action == "query":
            return reply(self._answer_query(state.owner, result))
        pipeline = self._pipeline_for(state.owner)
        balances = self.balances(state.owner)["free"]
        open_orders: list[Any] = []
        if result.action == "cancel":
            open_orders = call_translated(lambda: pipeline.venue.fetch_open_orders())
        try:
            plan = pipeline.plan(
                result,
                plan_id=f"p{len(state.plans) + 1}",
                balances=balances,
                open_orders=open_orders,
            )
        except PlanningError as exc:
            self._append(state, actor, ev.PLANNING_FAILED, {"reason": str(exc)})
            return reply(f"I understood the request, but {exc}.")
        created: dict[str, Any] = {
            "plan": plan.model_dump(mode="json"),
            "balances_snapshot": {k: str(v) for k, v in balances.items()},
        }
        if result.action == "cancel":
            created["open_orders"] = _jsonable(open_orders)  # what the cancel was planned on
        self._append(state, actor, ev.PLAN_CREATED, created)
        pending: list[PendingConfirmation] = []
        previews: list[dict[str, Any]] = []
        failed: list[str] = []
        for step in plan.steps:  # (a cancel's plan is of cancel steps only)
            if step.kind == "cancel_order":
                cancel, cancel_token = self._preview_cancel(state, actor, state.steps[step.step_id])
                previews.append(cancel.model_dump(mode="json"))
                pending.append(cancel_token)
        try:
            for step, evaluation in pipeline.evaluate_plan(plan, balances):
                # A dependent order is previewed on what the earlier step is expected to
                # yield; it gets its own preview and token once that step has actually
                # filled. A bracket exit is confirmed up front, as a mandate on what the
                # entry buys.
                token = self._record_preview(
                    state,
                    actor,
                    state.steps[step.step_id],
                    evaluation,
                    waiting=bool(step.depends_on) and step.kind != "mandate",
                )
                previews.append(evaluation.preview.model_dump(mode="json"))
                if token is not None:
                    pending.append(token)
        except PreviewFailed as exc:
            # Nothing is guessed: the step stays planned, to be previewed again.
            self._append(
                state, actor, ev.PREVIEW_FAILED, {"step_id": exc.step_id, "error": str(exc)}
            )
            failed.append(f"step {exc.step_id} could not be previewed ({exc})")
        lines = [f"Here is the plan ({len(plan.steps)} step{'s' if len(plan.steps) > 1 else ''})."]
        if failed:
            lines.append(f"Nothing was sent: {'; '.join(failed)}. Ask me to preview it again.")
        else:
            lines.append(
                "Nothing is sent until you confirm each step."
                if pending
                else "It cannot be confirmed as it stands: see the warnings."
            )
        return reply(
            " ".join(lines),
            plan=plan,
            preview={"steps": previews, "policy_version": self._policy_source().version},
            pending=tuple(pending),
        )

    def _answer_query(self, user_id: str, intent: Intent) -> str:
        venue = self._venue_for(user_id)
        if intent.query == "price":
            if intent.asset is None:
                return "Which asset's price would you like?"
            symbol = f"{intent.asset}/{intent.quote or self._default_quote}"
            try:
                ticker = call_translated(lambda: venue.fetch_ticker(symbol))
            except VenueError as exc:
                return f"I could not get a price for {symbol}: {exc}"
            return (
                f"{symbol}: bid {ticker.get('bid')}, ask {ticker.get('ask')}, "
                f"last {ticker.get('last')}."
            )
        if intent.query == "balance":
            free = self.balances(user_id)["total"]
            if intent.asset is not None:
                return f"You hold {_fmt(free.get(intent.asset, Decimal(0)))} {intent.asset}."
            held = ", ".join(f"{ccy} {_fmt(v)}" for ccy, v in sorted(free.items()))
            return f"Your balances: {held or 'none'}."
        orders = call_translated(lambda: venue.fetch_open_orders())
        if intent.asset is not None:
            orders = [o for o in orders if str(o.get("symbol", "")).startswith(f"{intent.asset}/")]
        if not orders:
            return "You have no open orders."
        return (
            "Open orders: "
            + "; ".join(
                f"{o['side']} {o['amount']} {o['symbol']} at {o['price']} ({o['status']})"
                for o in orders
            )
            + "."
        )

    # --- previews ---------------------------------------------------------------------

    def _pipeline_for(self, owner: str) -> Pipeline:
        """What ``owner``'s previews depend on: their account and tier, the policy in force,
        what they have traded today, the clock."""
        limits = self._limits
        return Pipeline(
            venue=self._venue_for(owner),
            policy=self._policy_source(),
            now_ms=self._clock.now_ms,
            ttl_ms=self._ttl_ms,
            default_quote=self._default_quote,
            tier=self._tier_of(owner),
            used_today=(lambda preview: Decimal(0))
            if limits is None
            else (lambda preview: used_today(limits, owner, preview)),
        )

    def _evaluate(
        self,
        owner: str,
        step_id: str,
        order: OrderSpec,
        balances: Mapping[str, Decimal],
        mandate: Mandate | None = None,
    ) -> StepEvaluation:
        """Preview one step on the venue now and check it against the policy; no record."""
        return self._pipeline_for(owner).evaluate(step_id, order, balances, mandate)

    def _preview_step(
        self,
        state: SessionState,
        actor: Actor,
        step: StepView,
        order_spec: OrderSpec | Mapping[str, Any],
        balances: Mapping[str, Decimal],
        *,
        waiting: bool = False,
    ) -> tuple[StepPreview, PendingConfirmation | None]:
        """Preview one step and journal it; a token only if it can be confirmed now."""
        order = OrderSpec.model_validate(order_spec)
        mandate = None if step.mandate is None else Mandate.model_validate(step.mandate)
        evaluation = self._evaluate(state.owner, step.step_id, order, balances, mandate)
        return evaluation.preview, self._record_preview(state, actor, step, evaluation, waiting)

    def _record_preview(
        self,
        state: SessionState,
        actor: Actor,
        step: StepView,
        evaluation: StepEvaluation,
        waiting: bool = False,
        requote: Mapping[str, Any] | None = None,
    ) -> PendingConfirmation | None:
        preview, decision, book = evaluation.preview, evaluation.decision, evaluation.book
        preview_hash = preview.digest()
        payload: dict[str, Any] = {
            "plan_id": step.plan_id,
            "step_id": step.step_id,
            "preview": preview.model_dump(mode="json"),
            "preview_hash": preview_hash,
            "expires_ms": preview.expires_ms,
            "policy_version": preview.policy_version,
            "blocked": preview.blocked,
            "waiting": waiting,
            "order": evaluation.order.model_dump(mode="json"),
            # The inputs of this preview, so a replay can re-run it exactly.
            "venue": evaluation.venue_id,
            "market": _jsonable(evaluation.market),
            "balances": {ccy: str(v) for ccy, v in evaluation.balances.items()},
            "book": {
                "timestamp": book.get("timestamp"),
                # Every level fetched (Simulator book_depth): a preview may walk them all.
                "bids": list(book["bids"]),
                "asks": list(book["asks"]),
            },
            "policy": decision.model_dump(mode="json"),
            "tier": evaluation.tier,
            "used_today": str(evaluation.used_today),
        }
        if evaluation.mandate is not None:
            payload["mandate"] = evaluation.mandate.model_dump(mode="json")
        if requote is not None:
            payload["requote"] = dict(requote)
        self._append(state, actor, ev.STEP_PREVIEWED, payload)
        if not decision.allowed:
            self._append(
                state,
                actor,
                ev.POLICY_DENIED,
                {"step_id": step.step_id, "decision": decision.model_dump(mode="json")},
            )
        if preview.blocked or waiting:
            return None
        return self._issue(state, step, preview, confirmation_text(step.description, preview))

    def _issue(
        self,
        state: SessionState,
        step: StepView,
        preview: StepPreview | CancelPreview,
        summary: str,
    ) -> PendingConfirmation:
        """The single-use token for ``preview``, bound to the session's owner."""
        preview_hash = preview.digest()
        binding = Binding(
            state.session_id,
            step.plan_id,
            step.step_id,
            preview_hash,
            state.owner,
            preview.expires_ms,
            preview.policy_version,
        )
        return PendingConfirmation(
            step_id=step.step_id,
            token=self._checkpoints.issue(binding),
            expires_ms=preview.expires_ms,
            expires_at=iso(preview.expires_ms),
            preview_hash=preview_hash,
            summary=summary,
        )

    def _preview_cancel(
        self, state: SessionState, actor: Actor, step: StepView
    ) -> tuple[CancelPreview, PendingConfirmation]:
        """Preview a cancel step (the order it names, the funds it frees) and journal it."""
        assert step.cancel_order_id is not None  # a cancel step names its order
        order = OrderSpec.model_validate(step.order)
        preview = preview_cancel(
            step.step_id,
            step.cancel_order_id,
            order,
            policy_version=self._policy_source().version,
            now_ms=self._clock.now_ms(),
            ttl_ms=self._ttl_ms,
        )
        self._append(
            state,
            actor,
            ev.STEP_PREVIEWED,
            {
                "plan_id": step.plan_id,
                "step_id": step.step_id,
                "preview": preview.model_dump(mode="json"),
                "preview_hash": preview.digest(),
                "expires_ms": preview.expires_ms,
                "policy_version": preview.policy_version,
                "blocked": False,
                "waiting": False,
                "order": order.model_dump(mode="json"),
                "cancel": {"order_id": step.cancel_order_id},
            },
        )
        return preview, self._issue(state, step, preview, cancel_text(step.description, preview))

    # --- checkpoints ------------------------------------------------------------------

    def refresh_step(
        self, session_id: str, step_id: str, actor: Actor
    ) -> tuple[StepView, PendingConfirmation | None]:
        """A new preview and token for a step still awaiting confirmation (e.g. expired)."""
        self._require_customer(actor, "preview orders")
        with self._log.lock(session_id):
            state = self._load(session_id, actor)
            step = self._step(state, step_id)
            if step.state not in (
                "planned",
                "waiting",
                "awaiting_confirmation",
                "blocked",
                "paused",
            ):
                raise InvalidTransition(
                    f"step {step_id!r} is {step.state}; it cannot be previewed again now"
                )
            if step.kind == "mandate":
                order, balances = self._mandate_inputs(state, step)
                _, pending = self._preview_step(state, actor, step, order, balances)
                return copy.copy(self._step(state, step_id)), pending
            if step.state in ("planned", "waiting") and step.depends_on:
                pending = self._preview_dependent(state, actor, step)
                return copy.copy(self._step(state, step_id)), pending
            if step.kind == "cancel_order":
                _, pending = self._preview_cancel(state, actor, step)
                return copy.copy(self._step(state, step_id)), pending
            _, pending = self._preview_step(
                state,
                actor,
                step,
                step.previewed_order or step.order,
                self.balances(state.owner)["free"],
            )
            return copy.copy(self._step(state, step_id)), pending

    def reject_step(
        self, session_id: str, step_id: str, actor: Actor
    ) -> tuple[StepView, list[StepUpdate]]:
        """Say no to a step: nothing is sent, and the steps depending on it are skipped.
        An armed or paused mandate stops: it places no more orders (those already sent
        stay as they are)."""
        self._require_customer(actor, "reject steps")
        with self._log.lock(session_id):
            state = self._load(session_id, actor)
            step = self._step(state, step_id)
            stoppable = ("armed", "paused") if step.kind == "mandate" else ()
            if step.state not in ("planned", "awaiting_confirmation", "blocked", *stoppable):
                raise InvalidTransition(f"step {step_id!r} is already {step.state}")
            try:
                self._append(
                    state,
                    actor,
                    ev.STEP_REJECTED,
                    {"step_id": step_id, "user": actor.user_id, "channel": actor.channel},
                )
            except InvalidTransition:
                # Another process moved the step first (confirmed it, say).
                raise InvalidTransition(
                    f"step {step_id!r} is already {state.steps[step_id].state}"
                ) from None
            updates = self._advance_dependents(state, actor, step_id)
            return copy.copy(self._step(state, step_id)), updates

    def confirm_step(
        self, session_id: str, step_id: str, actor: Actor, token: str
    ) -> tuple[StepView, list[StepUpdate]]:
        """Check the token against the preview shown, preview again, then submit the order
        exactly once.

        Returns the step and what its outcome did to the steps depending on it (a fresh
        preview and token on what it actually yielded, or skipped). Raises
        :class:`RequoteRequired` (with the new preview and token) when the market, fees,
        balances or policy moved beyond tolerance since the preview."""
        self._require_customer(actor, "confirm orders")
        with self._log.lock(session_id):
            state = self._load(session_id, actor)
            for _ in range(_CONFIRM_ATTEMPTS):
                step = self._step(state, step_id)
                self._check_token_journaled(state, step, actor, token)
                assert step.preview is not None  # the token check ensured a preview was shown
                if step.kind == "cancel_order":
                    if not self._confirm_cancel(state, actor, step):
                        continue  # another process got there first: the token check says how
                    return copy.copy(self._step(state, step_id)), []
                shown = StepPreview.model_validate(step.preview)
                if step.kind == "mandate":
                    if not self._arm(state, actor, step, shown):
                        continue  # another process got there first: the token check says how
                    return copy.copy(self._step(state, step_id)), []
                try:
                    self._requote_if_moved(state, actor, step, shown)
                except InvalidTransition:
                    continue  # another process moved the step: the token check says how
                reservation = self._reserve_daily(state, actor, step, shown)
                try:
                    self._journal_confirmation(
                        state,
                        actor,
                        step_id,
                        confirmation_text(step.description, shown),
                        reservation=_reservation_json(reservation),
                    )
                except BaseException as exc:
                    self._release(reservation)
                    if isinstance(exc, InvalidTransition):
                        continue  # another process got there first: the token check says how
                    raise
                self._crash_point("confirmed")
                self._submit(state, actor, step_id, shown)
                updates = self._advance_dependents(state, actor, step_id)
                return copy.copy(self._step(state, step_id)), updates
            raise JournalError(f"step {step_id!r} kept changing while it was being confirmed")

    def _journal_confirmation(
        self, state: SessionState, actor: Actor, step_id: str, shown_text: str, **extra: Any
    ) -> None:
        """Journal the confirmation of the preview the step shows now: who, through which
        channel, and the exact text shown. Raises InvalidTransition if another process
        moved the step first."""
        step = state.steps[step_id]
        self._append(
            state,
            actor,
            ev.STEP_CONFIRMED,
            {
                "step_id": step_id,
                "user": actor.user_id,
                "channel": actor.channel,
                "preview_hash": step.preview_hash,
                "policy_version": step.policy_version,
                "shown_text": shown_text,
                **extra,
            },
        )

    def _check_token_journaled(
        self, state: SessionState, step: StepView, actor: Actor, token: str
    ) -> None:
        try:
            self._check_token(state, step, actor, token)
        except ConfirmationRefused as exc:
            self._refused(state, actor, step.step_id, exc)
            raise

    def _refused(
        self, state: SessionState, actor: Actor, step_id: str, exc: ConfirmationRefused
    ) -> None:
        self._append(
            state,
            actor,
            ev.CONFIRMATION_REFUSED,
            {
                "step_id": step_id,
                "code": exc.code,
                "message": str(exc),
                "user": actor.user_id,
                "channel": actor.channel,
            },
        )

    def _requote_if_moved(
        self, state: SessionState, actor: Actor, step: StepView, shown: StepPreview
    ) -> None:
        """Preview the step again now; if it moved beyond tolerance, record the new
        preview and raise RequoteRequired with its token. Nothing is sent either way."""
        order = OrderSpec.model_validate(step.previewed_order or step.order)
        now = self._evaluate(state.owner, step.step_id, order, self.balances(state.owner)["free"])
        reasons = requote_reasons(shown, now.preview, self._tolerance_bps)
        if not reasons:
            return
        message = "the preview is out of date: " + "; ".join(reasons) + ". Nothing was sent"
        refused = RequoteRequired(message, {})
        # The new preview first: if another process moved the step meanwhile (confirmed
        # it, say), this raises InvalidTransition and the caller checks the token again.
        pending = self._record_preview(
            state,
            actor,
            step,
            now,
            requote={"reasons": reasons, "replaces": step.preview_hash},
        )
        self._refused(state, actor, step.step_id, refused)
        refused.details = {
            "step": self._step(state, step.step_id).to_json(),
            "pending": None if pending is None else pending.model_dump(mode="json"),
            "reasons": reasons,
        }
        raise refused

    def _arm(self, state: SessionState, actor: Actor, step: StepView, shown: StepPreview) -> bool:
        """Journal a mandate's confirmation (it becomes armed) and run it once now: an
        order already due goes out at once. False if another process moved it first.

        Nothing is re-quoted and no daily notional is counted here: the customer agreed
        to terms, not to today's figures, and each order the mandate places is previewed,
        checked against the terms and the policy, and counted when it is due."""
        try:
            self._journal_confirmation(
                state, actor, step.step_id, confirmation_text(step.description, shown)
            )
        except InvalidTransition:
            return False
        # It is armed either way; if the venue fails now, the worker's next pass tries again.
        with contextlib.suppress(VenueError, InvalidTransition):
            self._run_mandate(state, step.step_id)
        return True

    def _confirm_cancel(self, state: SessionState, actor: Actor, step: StepView) -> bool:
        """Journal the confirmation of a cancel step and cancel the order; False if another
        process changed the step first."""
        assert step.preview is not None
        shown = CancelPreview.model_validate(step.preview)
        try:
            self._journal_confirmation(
                state, actor, step.step_id, cancel_text(step.description, shown)
            )
        except InvalidTransition:
            return False
        self._crash_point("confirmed")
        self._submit_cancel(state, actor, step.step_id, shown)
        return True

    def _submit_cancel(
        self, state: SessionState, actor: Actor, step_id: str, shown: CancelPreview
    ) -> None:
        """Cancel the order a cancel step names, once; settle a timeout by looking it up."""
        venue = self._venue_for(state.owner)
        self._append(
            state,
            actor,
            ev.ORDER_SUBMITTED,
            {
                "step_id": step_id,
                "client_order_id": None,
                "request": {"cancel": shown.order_id, "symbol": shown.symbol},
            },
        )
        self._crash_point("submitted")
        try:
            order = call_translated(lambda: venue.cancel_order(shown.order_id, shown.symbol))
        except (VenueUnavailable, OrderNotFound) as exc:
            # Did the cancel land (or had the order already ended)? Ask, never resend.
            self._settle_cancel(state, actor, step_id, shown, str(exc))
            return
        except VenueError as exc:
            self._append(state, actor, ev.ORDER_FAILED, {"step_id": step_id, "error": str(exc)})
            return
        self._crash_point("sent")
        self._canceled(state, actor, step_id, order)

    def _settle_cancel(
        self, state: SessionState, actor: Actor, step_id: str, shown: CancelPreview, why: str
    ) -> bool:
        """Journal what the venue says of a cancel step's order; True if settled."""
        venue = self._venue_for(state.owner)
        try:
            order = call_translated(lambda: venue.fetch_order(shown.order_id, shown.symbol))
        except VenueError as exc:
            self._append(
                state,
                actor,
                ev.ORDER_UNKNOWN,
                {"step_id": step_id, "error": f"{why}; the lookup failed too: {exc}"},
            )
            return False
        if order.get("status") == "canceled":
            self._canceled(state, actor, step_id, order)
        else:
            self._append(
                state,
                actor,
                ev.ORDER_FAILED,
                {
                    "step_id": step_id,
                    "error": f"not canceled: the order is {order.get('status')} ({why})",
                    "order": _jsonable(order),
                },
            )
        return True

    def _canceled(
        self, state: SessionState, actor: Actor, step_id: str, order: Mapping[str, Any]
    ) -> None:
        """Record a cancel step done, and the canceled order on the step that placed it."""
        data = _jsonable(order)
        self._append(state, actor, ev.ORDER_CANCELED, {"step_id": step_id, "order": data})
        for placed in list(state.steps.values()):
            if placed.state == "open" and placed.client_order_id == order.get("clientOrderId"):
                self._append(
                    state, actor, ev.ORDER_UPDATED, {"step_id": placed.step_id, "order": data}
                )

    def _reserve_daily(
        self, state: SessionState, actor: Actor, step: StepView, shown: StepPreview
    ) -> Reservation | None:
        """Count the step's notional against the customer's daily cap, atomically across
        processes; if the day is full, journal the denial and refuse: nothing is sent."""
        if self._limits is None:
            return None
        tier = self._tier_of(state.owner)
        outcome = reserve_order(
            self._limits, self._policy_source(), user_id=state.owner, tier=tier, preview=shown
        )
        if isinstance(outcome, Reservation):
            return outcome
        decision = PolicyDecision(
            policy_version=shown.policy_version, allowed=False, denials=(outcome,)
        )
        self._append(
            state,
            actor,
            ev.POLICY_DENIED,
            {"step_id": step.step_id, "decision": decision.model_dump(mode="json")},
        )
        refused = LimitExceeded(f"{outcome.message}. Nothing was sent")
        self._refused(state, actor, step.step_id, refused)
        raise refused

    def _release(self, reservation: Reservation | None) -> None:
        if reservation is not None and self._limits is not None:
            self._limits.release(reservation)

    def _release_for(self, state: SessionState, step_id: str) -> None:
        """Give back the daily notional of a step whose order was not sent or failed."""
        confirmed = state.steps[step_id].reservation
        if confirmed is not None and self._limits is not None:
            self._limits.release(_reservation_from_json(confirmed))

    def _advance_dependents(
        self, state: SessionState, actor: Actor, step_id: str
    ) -> list[StepUpdate]:
        """Re-preview the steps waiting on ``step_id`` with what it yielded, or skip them."""
        source = state.steps[step_id]
        updates: list[StepUpdate] = []
        for step in list(state.steps.values()):
            if step_id not in step.depends_on:
                continue
            if step.kind == "mandate":
                # A bracket exit: the worker sells what the entry bought; if it bought
                # nothing, there is nothing to protect.
                if step.state not in TERMINAL_STEP_STATES and self._bought(state, source) == 0:
                    self._append(
                        state,
                        actor,
                        ev.STEP_SKIPPED,
                        {"step_id": step.step_id, "reason": f"step {step_id} bought nothing"},
                    )
                    updates.append(StepUpdate(copy.copy(self._step(state, step.step_id)), None))
                continue
            if step.state not in ("waiting", "planned"):
                continue
            if source.state in ("filled", "partially_filled") and source.venue_order:
                try:
                    pending = self._preview_dependent(state, actor, step)
                except VenueError as exc:
                    # The order went through; only the next preview failed. The step keeps
                    # waiting and can be previewed again (refresh) on the same yield.
                    self._append(
                        state,
                        actor,
                        ev.PREVIEW_FAILED,
                        {"step_id": step.step_id, "error": str(exc)},
                    )
                    pending = None
            elif source.state in ("failed", "rejected", "skipped", "canceled"):
                pending = None
                self._append(
                    state,
                    actor,
                    ev.STEP_SKIPPED,
                    {"step_id": step.step_id, "reason": f"step {step_id} {source.state}"},
                )
            else:
                continue  # still open or unknown: keep waiting
            updates.append(StepUpdate(copy.copy(self._step(state, step.step_id)), pending))
        return updates

    def _preview_dependent(
        self, state: SessionState, actor: Actor, step: StepView
    ) -> PendingConfirmation | None:
        """Preview a step on what the step it depends on actually yielded."""
        (source_id,) = step.depends_on
        source = state.steps[source_id]
        if source.state not in ("filled", "partially_filled") or not source.venue_order:
            raise InvalidTransition(
                f"step {step.step_id!r} is previewed once step {source_id} has filled "
                f"(it is {source.state})"
            )
        order = OrderSpec.model_validate(step.order).model_copy(
            update={"quote_amount": order_yield(source.venue_order)}
        )
        _, pending = self._preview_step(
            state, actor, step, order, self.balances(state.owner)["free"]
        )
        return pending

    def _check_token(self, state: SessionState, step: StepView, actor: Actor, token: str) -> None:
        if step.preview_hash is None or step.expires_ms is None or step.policy_version is None:
            raise StepNotConfirmable(f"step {step.step_id!r} has no preview to confirm")
        binding = Binding(
            state.session_id,
            step.plan_id,
            step.step_id,
            step.preview_hash,
            actor.user_id,
            step.expires_ms,
            step.policy_version,
        )
        if step.state != "awaiting_confirmation":
            if step.confirmed_by is not None and self._checkpoints.matches(token, binding):
                raise TokenReused(
                    f"this token was already used: step {step.step_id!r} is "
                    f"{step.state}; nothing more was sent"
                )
            # ("confirming a rejected step said token_reused": no token was used)
            raise StepNotConfirmable(
                f"step {step.step_id!r} is {step.state} and cannot be confirmed; nothing was sent"
            )
        self._checkpoints.check(token, binding, self._clock.now_ms())

    # --- the executor: send once, settle by clientOrderId -------------------------------

    def _submit(
        self, state: SessionState, actor: Actor, step_id: str, preview: StepPreview
    ) -> None:
        venue = self._venue_for(state.owner)
        coid = client_order_id(state.session_id, step_id)
        request = {
            "symbol": preview.symbol,
            "type": preview.type,
            "side": preview.side,
            "amount": str(preview.amount),
            "price": None if preview.price is None else str(preview.price),
            "params": {"clientOrderId": coid},
        }
        # Journaled before sending: after a crash the id is known and can be looked up.
        self._append(
            state,
            actor,
            ev.ORDER_SUBMITTED,
            {"step_id": step_id, "client_order_id": coid, "request": request},
        )
        self._crash_point("submitted")
        try:
            order = call_translated(
                lambda: venue.create_order(
                    preview.symbol,
                    preview.type,
                    preview.side,
                    float(preview.amount),
                    None if preview.price is None else float(preview.price),
                    {"clientOrderId": coid},
                )
            )
        except VenueUnavailable as exc:
            # Never resend blindly: find out whether the venue took it.
            self._settle_by_lookup(state, actor, step_id, preview.symbol, str(exc))
            return
        except VenueError as exc:
            self._append(state, actor, ev.ORDER_FAILED, {"step_id": step_id, "error": str(exc)})
            self._release_for(state, step_id)
            return
        self._crash_point("sent")
        self._append(
            state, actor, ev.ORDER_ACCEPTED, {"step_id": step_id, "order": _jsonable(order)}
        )
        self._crash_point("accepted")

    def _settle_by_lookup(
        self, state: SessionState, actor: Actor, step_id: str, symbol: str, why: str
    ) -> bool:
        """Ask the venue for the step's order by clientOrderId and journal the answer:
        accepted (it has the order) or failed (it has none). True if settled."""
        try:
            order = self._order_by_client_id(state, step_id, symbol)
        except OrderNotFound:
            self._append(
                state,
                actor,
                ev.ORDER_FAILED,
                {"step_id": step_id, "error": f"not accepted by the venue: {why}"},
            )
            self._release_for(state, step_id)
            return True
        except VenueError as lookup_exc:
            self._append(
                state,
                actor,
                ev.ORDER_UNKNOWN,
                {
                    "step_id": step_id,
                    "error": f"{why}; the lookup by clientOrderId failed too: {lookup_exc}; "
                    "it will be reconciled, not resent",
                },
            )
            return False
        self._append(
            state, actor, ev.ORDER_ACCEPTED, {"step_id": step_id, "order": _jsonable(order)}
        )
        return True

    # --- mandates: what the worker does after one confirmation --------------------------

    def run_mandates(self) -> MandateReport:
        """One pass over every armed mandate: place each order that is due and whose
        condition holds, inside the agreed terms; pause and ask at a bound. Every order is
        a step of its own, journaled like a confirmed one, so reconciliation covers it."""
        report = MandateReport()
        for summary in self._journal.sessions():
            with self._log.lock(summary.session_id):
                state = self._log.load(summary.session_id)
                for step in list(state.steps.values()):
                    if step.kind != "mandate" or step.state != "armed":
                        continue
                    report.checked += 1
                    try:
                        report.actions.extend(
                            f"{state.session_id}/{done}"
                            for done in self._run_mandate(state, step.step_id)
                        )
                    except VenueError as exc:
                        report.errors.append(f"{state.session_id}/{step.step_id}: {exc}")
                    except InvalidTransition:
                        continue  # another process moved it; the next pass sees how
                self._log.sync_plans(state)
        return report

    def _run_mandate(self, state: SessionState, mandate_id: str) -> list[str]:
        """Act on one armed mandate until nothing more is due now; what was done."""
        done: list[str] = []
        for _ in range(_MANDATE_ACTIONS):
            action = self._mandate_action(state, mandate_id)
            if action is None:
                break
            done.append(f"{mandate_id}: {action}")
        return done

    def _mandate_action(self, state: SessionState, mandate_id: str) -> str | None:
        """Take the next action a mandate calls for now, if any; a word for what it was."""
        step = state.steps[mandate_id]
        if step.state != "armed" or step.preview is None or step.armed_ms is None:
            return None
        terms = StepPreview.model_validate(step.preview).mandate
        assert terms is not None  # a mandate's preview carries its terms
        now = self._clock.now_ms()
        children = state.children(mandate_id)
        unfinished = [c for c in children if c.state not in TERMINAL_STEP_STATES]
        if any(c.state in IN_FLIGHT_STEP_STATES for c in unfinished):
            return None  # an order is out; reconciliation follows it
        last = children[-1] if children else None
        if last is not None and last.state == "failed" and last.updated_ms >= step.armed_ms:
            self._pause(state, step, f"order {last.step_id} failed: {last.error}")
            return "paused"
        sent = [c for c in children if c.state not in ("failed", *_UNSENT)]
        placed = len(sent)
        if placed >= terms.orders:
            return self._end(state, step, f"all {terms.orders} orders placed")
        if now > terms.expires_ms:
            if placed:
                return self._end(state, step, f"expired after {placed} of {terms.orders} orders")
            return self._skip(state, step, "expired before its condition was met; nothing sent")
        if now < next_due_ms(terms, step.armed_ms, sent[-1].created_ms if sent else None):
            return None
        amount: Decimal | None = None
        if terms.amount_from is not None:
            bought = self._bought(state, state.steps[terms.amount_from])
            if bought is None:
                return None  # the entry has not ended yet
            if bought <= 0:
                return self._skip(state, step, f"step {terms.amount_from} bought nothing")
            amount = bought
        order = sized(step.order, amount)
        venue = self._venue_for(state.owner)
        ticker = call_translated(lambda: venue.fetch_ticker(order.symbol))
        price = ticker_price(ticker)
        if price is None or not condition_holds(terms.condition, price):
            return None
        child = unfinished[0] if unfinished else None  # added, not sent: the worker stopped
        child_id = child.step_id if child else f"{mandate_id}.{len(children) + 1}"
        evaluation = self._evaluate(
            state.owner, child_id, order, self.balances(state.owner)["free"]
        )
        reasons = [w.message for w in evaluation.preview.warnings if w.blocking]
        if order.type == "market":
            breach = band_breach(terms, evaluation.preview.average_price)
            if breach is not None:
                reasons.append(breach)
        if reasons:
            self._pause(state, step, "; ".join(reasons))
            return "paused"
        for other in terms.oco_with:  # one cancels the other: this exit fires, the rest end
            if state.steps[other].state not in TERMINAL_STEP_STATES:
                self._append(
                    state,
                    SYSTEM,
                    ev.STEP_SKIPPED,
                    {
                        "step_id": other,
                        "reason": f"one cancels the other: {mandate_id} fired at {plain(price)}",
                        "superseded_by": mandate_id,
                    },
                )
        if child is None:
            n = len(children) + 1
            self._append(
                state,
                SYSTEM,
                ev.STEP_ADDED,
                {
                    "plan_id": step.plan_id,
                    "step_id": child_id,
                    "parent": mandate_id,
                    "price": plain(price),
                    "step": PlanStep(
                        step_id=child_id,
                        kind="place_order",
                        description=f"{order_words(order)} (order {n} of {terms.orders} "
                        f"of {mandate_id})",
                        order=order,
                    ).model_dump(mode="json"),
                },
            )
        self._send_for_mandate(state, step, self._step(state, child_id), evaluation)
        return f"order {child_id} {state.steps[child_id].state}"

    def _send_for_mandate(
        self, state: SessionState, mandate: StepView, child: StepView, evaluation: StepEvaluation
    ) -> None:
        """Preview, confirm (under the mandate) and send one of its orders."""
        self._record_preview(state, SYSTEM, child, evaluation)
        shown = evaluation.preview
        try:
            reservation = self._reserve_daily(state, SYSTEM, child, shown)
        except LimitExceeded as exc:
            self._pause(state, mandate, str(exc))
            return
        try:
            self._journal_confirmation(
                state,
                SYSTEM,
                child.step_id,
                confirmation_text(child.description, shown),
                parent=mandate.step_id,
                mandate_confirmed_by=mandate.confirmed_by,
                reservation=_reservation_json(reservation),
            )
        except BaseException:
            self._release(reservation)
            raise
        self._crash_point("confirmed")
        self._submit(state, SYSTEM, child.step_id, shown)

    def _pause(self, state: SessionState, step: StepView, reason: str) -> None:
        """Stop a mandate at a bound and ask the customer (in the session's transcript)."""
        self._append(state, SYSTEM, ev.MANDATE_PAUSED, {"step_id": step.step_id, "reason": reason})
        self._append(
            state,
            SYSTEM,
            ev.REPLY_SENT,
            {
                "text": f"I paused step {step.step_id} ({step.description}): {reason}. "
                "Nothing more is sent until you preview it again and confirm, or stop it.",
                "step_id": step.step_id,
            },
        )

    def _end(self, state: SessionState, step: StepView, reason: str) -> str:
        self._append(state, SYSTEM, ev.MANDATE_ENDED, {"step_id": step.step_id, "reason": reason})
        self._advance_dependents(state, SYSTEM, step.step_id)
        return "done"

    def _replace_unconfirmed(self, state: SessionState, actor: Actor, reason: str) -> None:
        """Skip the latest plan's steps not yet confirmed: a correction replaced them, or the
        customer withdrew the request."""
        latest = state.latest_plan_id
        if latest is None:
            return
        for step in list(state.steps.values()):
            if step.plan_id == latest and step.state in _REPLACEABLE:
                self._append(
                    state,
                    actor,
                    ev.STEP_SKIPPED,
                    {"step_id": step.step_id, "reason": reason},
                )

    def _skip(self, state: SessionState, step: StepView, reason: str) -> str:
        self._append(state, SYSTEM, ev.STEP_SKIPPED, {"step_id": step.step_id, "reason": reason})
        self._advance_dependents(state, SYSTEM, step.step_id)
        return "skipped"

    def _bought(self, state: SessionState, source: StepView) -> Decimal | None:
        """What ``source`` (an order step, or a mandate's orders) bought, net of a fee paid
        in it; None while it may still buy more."""
        if source.state not in TERMINAL_STEP_STATES:
            return None
        if source.kind == "mandate":
            return sum(
                (self._bought(state, c) or Decimal(0) for c in state.children(source.step_id)),
                Decimal(0),
            )
        if source.state in ("filled", "partially_filled") and source.venue_order:
            return order_yield(source.venue_order)
        return Decimal(0)

    def _mandate_inputs(
        self, state: SessionState, step: StepView
    ) -> tuple[OrderSpec, dict[str, Decimal]]:
        """The order and balances a mandate is previewed on again: a bracket exit sells
        what its entry bought, or, before the entry has ended, what it is expected to buy
        on the balances it is expected to leave."""
        free = self.balances(state.owner)["free"]
        source_id = (step.mandate or {}).get("amount_from")
        if source_id is None:
            return OrderSpec.model_validate(step.order), free
        source = state.steps[source_id]
        bought = self._bought(state, source)
        if bought is not None:
            return sized(step.order, bought), free
        if source.preview is None:
            raise InvalidTransition(f"step {step.step_id!r} is previewed once step {source_id} is")
        expected = StepPreview.model_validate(source.preview)
        return sized(step.order, expected.received[1]), {**free, **expected.balances_after}

    # --- reconciliation -----------------------------------------------------------------

    def reconcile(self, *, grace_ms: int = 0) -> ReconcileReport:
        """Settle every step left in flight with the venue, by its clientOrderId.

        Run at start-up (and by the worker): a step confirmed but never journaled as sent
        was not sent; one sent but not acknowledged is looked up; a resting order's later
        status is recorded. Steps whose last event is younger than ``grace_ms`` are left to
        the process that may still be working on them. Nothing is ever sent from here."""
        report = ReconcileReport()
        now = self._clock.now_ms()
        for summary in self._journal.sessions():
            with self._log.lock(summary.session_id):
                state = self._log.load(summary.session_id)
                for step in list(state.steps.values()):
                    if step.state not in IN_FLIGHT_STEP_STATES or now - step.updated_ms < grace_ms:
                        continue
                    report.checked += 1
                    try:
                        settled = self._reconcile_step(state, step)
                    except VenueError as exc:
                        report.unsettled.append(f"{state.session_id}/{step.step_id}: {exc}")
                        continue
                    if settled:
                        report.settled.append(
                            f"{state.session_id}/{step.step_id}: {state.steps[step.step_id].state}"
                        )
                        self._advance_dependents(state, SYSTEM, step.step_id)
                    elif step.state != "open":
                        report.unsettled.append(f"{state.session_id}/{step.step_id}: unknown")
                self._log.sync_plans(state)
        return report

    def _reconcile_step(self, state: SessionState, step: StepView) -> bool:
        """Journal what the venue says about one in-flight step; True if it moved."""
        if step.kind == "cancel_order":
            assert step.preview is not None
            shown = CancelPreview.model_validate(step.preview)
            if step.state == "confirmed":  # the cancel was never journaled as sent
                self._append(
                    state,
                    SYSTEM,
                    ev.ORDER_FAILED,
                    {"step_id": step.step_id, "error": "not sent: the app stopped first"},
                )
                return True
            return self._settle_cancel(
                state, SYSTEM, step.step_id, shown, "the app stopped before the venue answered"
            )
        symbol = str((step.previewed_order or step.order)["symbol"])
        if step.state == "confirmed":
            # Confirmed, but the send was never journaled, so it was never sent: the
            # order must not exist. Check anyway before saying so.
            try:
                order = self._order_by_client_id(state, step.step_id, symbol)
            except OrderNotFound:
                self._append(
                    state,
                    SYSTEM,
                    ev.ORDER_FAILED,
                    {
                        "step_id": step.step_id,
                        "error": "not sent: the app stopped after the confirmation and "
                        "before sending; nothing was sent. Ask for a new preview",
                    },
                )
                self._release_for(state, step.step_id)
                return True
            self._append(
                state,
                SYSTEM,
                ev.ORDER_SUBMITTED,
                {
                    "step_id": step.step_id,
                    "client_order_id": client_order_id(state.session_id, step.step_id),
                    "recovered": True,
                },
            )
            self._append(
                state,
                SYSTEM,
                ev.ORDER_ACCEPTED,
                {"step_id": step.step_id, "order": _jsonable(order)},
            )
            return True
        if step.state == "submitted":
            return self._settle_by_lookup(
                state, SYSTEM, step.step_id, symbol, "the app stopped before the venue answered"
            )
        order = self._order_by_client_id(state, step.step_id, symbol)
        known = step.venue_order or {}
        if (order.get("status"), order.get("filled")) == (known.get("status"), known.get("filled")):
            return False
        self._append(
            state, SYSTEM, ev.ORDER_UPDATED, {"step_id": step.step_id, "order": _jsonable(order)}
        )
        return True

    def _order_by_client_id(
        self, state: SessionState, step_id: str, symbol: str
    ) -> Mapping[str, Any]:
        """The venue's order for a step, found by the step's deterministic clientOrderId
        (raises OrderNotFound if the venue never took it)."""
        venue = self._venue_for(state.owner)
        coid = client_order_id(state.session_id, step_id)
        return call_translated(lambda: venue.fetch_order("", symbol, {"clientOrderId": coid}))

    # --- plumbing ---------------------------------------------------------------------

    def _append(
        self, state: SessionState, actor: Actor, kind: str, payload: dict[str, Any]
    ) -> Event:
        # What the customer did is theirs; what followed from it is the assistant's.
        by = actor.user_id if kind in ev.CUSTOMER_EVENTS else ASSISTANT_ACTOR
        return self._log.append(state, kind, by, payload)

    @staticmethod
    def _step(state: SessionState, step_id: str) -> StepView:
        try:
            return state.steps[step_id]
        except KeyError:
            raise NotFound(f"no step {step_id!r} in session {state.session_id!r}") from None

    @staticmethod
    def _require_customer(actor: Actor, what: str) -> None:
        if actor.role != "customer":
            raise PermissionDenied(f"role {actor.role!r} cannot {what}")


_CONFIRM_ATTEMPTS = 5
_MANDATE_ACTIONS = 4  # per mandate per pass: e.g. skip the other exit, place, end
_UNSENT = ("planned", "awaiting_confirmation", "blocked", "rejected", "skipped")
# Steps a correction replaces: none of them was confirmed, so nothing was sent or armed.
_REPLACEABLE = frozenset({"planned", "awaiting_confirmation", "blocked", "waiting"})


@dataclass
class MandateReport:
    """What a pass over the armed mandates did."""

    checked: int = 0
    actions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class ReconcileReport:
    """What a reconciliation pass found: steps checked, settled and still unknown."""

    checked: int = 0
    settled: list[str] = field(default_factory=list)
    unsettled: list[str] = field(default_factory=list)


def _reservation_json(reservation: Reservation | None) -> dict[str, str] | None:
    if reservation is None:
        return None
    return {
        "reservation_id": reservation.reservation_id,
        "user_id": reservation.user_id,
        "day": reservation.day.isoformat(),
        "quote": reservation.quote,
        "amount": str(reservation.amount),
        "used": str(reservation.used),
        "cap": str(reservation.cap),
    }


def _reservation_from_json(data: Mapping[str, str]) -> Reservation:
    return Reservation(
        reservation_id=data["reservation_id"],
        user_id=data["user_id"],
        day=date.fromisoformat(data["day"]),
        quote=data["quote"],
        amount=Decimal(data["amount"]),
        used=Decimal(data["used"]),
        cap=Decimal(data["cap"]),
    )


def _jsonable(value: Any) -> Any:
    """ccxt structures hold floats, None and nested dicts; keep them as JSON data."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


__all__ = [
    "Actor",
    "Assistant",
    "MandateReport",
    "PendingConfirmation",
    "ReconcileReport",
    "StepUpdate",
    "Turn",
    "client_order_id",
    "confirmation_text",
]
