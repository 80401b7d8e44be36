"""The assistant: one customer session from text to fill, every step journaled.

``handle_message`` parses, plans and previews; nothing is sent until ``confirm_step``
receives the token issued with the preview the customer saw. Every event goes to the
session's hash-chained journal before the next thing happens, and the session's state
is always the fold of that journal.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from execution import session_state as ev
from execution.checkpoints import Binding, Checkpoints
from execution.clock import Clock, iso
from execution.errors import (
    ConfirmationRefused,
    NotFound,
    OrderNotFound,
    PermissionDenied,
    TokenMismatch,
    TokenReused,
    VenueError,
    VenueUnavailable,
    call_translated,
)
from execution.journal import Event, Journal
from execution.plan_simulation import funded
from execution.policy import Denial, Policy
from execution.session_state import SessionState, StepView, fold
from execution.simulator import PreviewWarning, Simulator, StepPreview, dec
from execution.venue import Venue
from intent.canonical import to_canonical
from intent.dialogue import Dismissed, continue_dialogue
from intent.errors import PlanningError
from intent.models import (
    Clarification,
    Intent,
    Model,
    OrderSpec,
    Plan,
    Span,
    Unsupported,
    plain,
)
from intent.parser import ParseOutput, Parser, parse_traced
from intent.planner import plan_intent

ASSISTANT_ACTOR = "assistant"
Role = Literal["customer", "support", "product", "admin"]
Channel = Literal["chat", "api", "cli"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, in which role, through which channel."""

    user_id: str
    role: Role
    channel: Channel


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
    return text


class Assistant:
    """Orchestrates parse → plan → preview → confirm → submit for customer sessions."""

    def __init__(
        self,
        *,
        journal: Journal,
        parser: Parser,
        venue_for: Callable[[str], Venue],
        checkpoints: Checkpoints,
        policy: Policy,
        clock: Clock,
        default_quote: str = "USDT",
        confirmation_ttl_ms: int = 30_000,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self._journal = journal
        self._parser = parser
        self._venue_for = venue_for
        self._checkpoints = checkpoints
        self._policy = policy
        self._clock = clock
        self._default_quote = default_quote
        self._ttl_ms = confirmation_ttl_ms
        self._new_id = new_id
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    # --- sessions -----------------------------------------------------------------

    def open_session(self, actor: Actor) -> str:
        self._require_customer(actor, "open a session")
        session_id = self._new_id()
        self._journal.append(
            session_id,
            ev.SESSION_OPENED,
            actor.user_id,
            {"owner": actor.user_id, "channel": actor.channel},
        )
        return session_id

    def state(self, session_id: str, actor: Actor) -> SessionState:
        """The session as its journal folds; customers see only their own."""
        events = self._journal.read(session_id)
        state = fold(session_id, events)
        if not events or (actor.role == "customer" and state.owner != actor.user_id):
            raise NotFound(f"no session {session_id!r}")
        if actor.role not in ("customer", "support", "admin"):
            raise PermissionDenied(f"role {actor.role!r} cannot read sessions")
        return state

    def events(self, session_id: str, actor: Actor) -> list[Event]:
        self.state(session_id, actor)  # the same visibility rule
        return self._journal.read(session_id)

    def balances(self, user_id: str) -> dict[str, dict[str, Decimal]]:
        raw = call_translated(lambda: self._venue_for(user_id).fetch_balance())
        return {
            part: {ccy: dec(v) for ccy, v in (raw.get(part) or {}).items() if v}
            for part in ("free", "used", "total")
        }

    # --- one customer message -----------------------------------------------------

    def handle_message(self, session_id: str, actor: Actor, text: str) -> Turn:
        self._require_customer(actor, "send messages")
        with self._lock(session_id):
            state = self.state(session_id, actor)
            self._append(
                session_id, actor, ev.MESSAGE_RECEIVED, {"text": text, "channel": actor.channel}
            )
            raw, provenance = parse_traced(self._parser, text)
            result: ParseOutput | None = raw
            payload: dict[str, Any] = {
                "provenance": provenance.model_dump(mode="json"),
                "result": raw.model_dump(mode="json"),
            }
            if state.pending_clarification is not None:
                # A reply to the question we asked: merge it with what was said before.
                pending = Clarification.model_validate(state.pending_clarification)
                outcome = continue_dialogue(pending, state.pending_text, text, raw)
                result = None if isinstance(outcome, Dismissed) else outcome.result
                payload["dialogue"] = {
                    "outcome": outcome.kind,
                    "result": None if result is None else result.model_dump(mode="json"),
                }
            canonical = to_canonical(raw if result is None else result)
            payload["canonical"] = canonical
            self._append(session_id, actor, ev.INTENT_PARSED, payload)
            if result is None:
                turn = Turn(
                    session_id=session_id,
                    reply="OK, I dropped that request. Nothing was sent.",
                    result=raw.kind,
                    intent=canonical,
                    spans=() if isinstance(raw, Unsupported) else raw.spans,
                )
                self._append(session_id, actor, ev.REPLY_SENT, {"text": turn.reply})
                return turn
            spans = () if isinstance(raw, Unsupported) else raw.spans
            turn = self._respond(session_id, actor, state, result, canonical, spans)
            self._append(session_id, actor, ev.REPLY_SENT, {"text": turn.reply})
            return turn

    def _respond(
        self,
        session_id: str,
        actor: Actor,
        state: SessionState,
        result: ParseOutput,
        canonical: dict[str, Any],
        spans: tuple[Span, ...],
    ) -> Turn:
        def reply(text: str, **extra: Any) -> Turn:
            return Turn(
                session_id=session_id,
                reply=text,
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
            return reply(self._answer_query(actor.user_id, result))
        venue = self._venue_for(actor.user_id)
        balances = self.balances(actor.user_id)["free"]
        plan_id = f"p{len(state.plans) + 1}"
        try:
            symbols = call_translated(lambda: venue.load_markets()).keys()
            plan = plan_intent(
                result,
                plan_id=plan_id,
                symbols=symbols,
                balances=balances,
                default_quote=self._default_quote,
            )
        except PlanningError as exc:
            self._append(session_id, actor, ev.PLANNING_FAILED, {"reason": str(exc)})
            return reply(f"I understood the request, but {exc}.")
        self._append(
            session_id,
            actor,
            ev.PLAN_CREATED,
            {
                "plan": plan.model_dump(mode="json"),
                "balances_snapshot": {k: str(v) for k, v in balances.items()},
            },
        )
        pending: list[PendingConfirmation] = []
        previews: list[dict[str, Any]] = []
        running = dict(balances)
        yields: dict[str, Decimal] = {}
        for step in plan.steps:
            # A dependent step is previewed on what the earlier step is expected to yield;
            # it gets its own preview and token once that step has actually filled.
            preview, token = self._preview_step(
                session_id,
                actor,
                plan.plan_id,
                step.step_id,
                step.description,
                funded(step.order, yields),
                running,
                waiting=bool(step.depends_on),
            )
            running.update(preview.balances_after)
            yields[step.step_id] = preview.received[1]
            previews.append(preview.model_dump(mode="json"))
            if token is not None:
                pending.append(token)
        lines = [f"Here is the plan ({len(plan.steps)} step{'s' if len(plan.steps) > 1 else ''})."]
        lines.append(
            "Nothing is sent until you confirm each step."
            if pending
            else "It cannot be confirmed as it stands: see the warnings."
        )
        return reply(
            " ".join(lines),
            plan=plan,
            preview={"steps": previews, "policy_version": self._policy.version},
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

    def _preview_step(
        self,
        session_id: str,
        actor: Actor,
        plan_id: str,
        step_id: str,
        description: str,
        order_spec: OrderSpec | Mapping[str, Any],
        balances: Mapping[str, Decimal],
        *,
        waiting: bool = False,
    ) -> tuple[StepPreview, PendingConfirmation | None]:
        """Preview one step and journal it; a token only if it can be confirmed now."""
        order = OrderSpec.model_validate(order_spec)
        venue = self._venue_for(actor.user_id)
        simulator = Simulator(venue, policy_version=self._policy.version, ttl_ms=self._ttl_ms)
        market, book = call_translated(lambda: simulator.snapshot(order.symbol))
        now = self._clock.now_ms()
        preview = simulator.preview(step_id, order, balances, now, market=market, book=book)
        decision = self._policy.check(preview)
        if not decision.allowed:
            preview = preview.model_copy(
                update={
                    "warnings": preview.warnings
                    + tuple(_denial_warning(d) for d in decision.denials)
                }
            )
        preview_hash = preview.digest()
        self._append(
            session_id,
            actor,
            ev.STEP_PREVIEWED,
            {
                "plan_id": plan_id,
                "step_id": step_id,
                "preview": preview.model_dump(mode="json"),
                "preview_hash": preview_hash,
                "expires_ms": preview.expires_ms,
                "policy_version": preview.policy_version,
                "blocked": preview.blocked,
                "waiting": waiting,
                "order": order.model_dump(mode="json"),
                "book": {
                    "timestamp": book.get("timestamp"),
                    "bids": list(book["bids"][:20]),
                    "asks": list(book["asks"][:20]),
                },
                "policy": decision.model_dump(mode="json"),
            },
        )
        if not decision.allowed:
            self._append(
                session_id,
                actor,
                ev.POLICY_DENIED,
                {"step_id": step_id, "decision": decision.model_dump(mode="json")},
            )
        if preview.blocked or waiting:
            return preview, None
        binding = Binding(
            session_id,
            plan_id,
            step_id,
            preview_hash,
            actor.user_id,
            preview.expires_ms,
            preview.policy_version,
        )
        return preview, PendingConfirmation(
            step_id=step_id,
            token=self._checkpoints.issue(binding),
            expires_ms=preview.expires_ms,
            expires_at=iso(preview.expires_ms),
            preview_hash=preview_hash,
            summary=confirmation_text(description, preview),
        )

    # --- checkpoints ------------------------------------------------------------------

    def refresh_step(
        self, session_id: str, step_id: str, actor: Actor
    ) -> tuple[StepView, PendingConfirmation | None]:
        """A new preview and token for a step still awaiting confirmation (e.g. expired)."""
        self._require_customer(actor, "preview orders")
        with self._lock(session_id):
            state = self.state(session_id, actor)
            step = self._step(state, step_id)
            if step.state not in ("awaiting_confirmation", "blocked"):
                raise TokenReused(
                    f"step {step_id!r} is {step.state}; it cannot be previewed again now"
                )
            balances = self.balances(actor.user_id)["free"]
            _, pending = self._preview_step(
                session_id,
                actor,
                step.plan_id,
                step_id,
                step.description,
                step.previewed_order or step.order,
                balances,
            )
            return self._step(self.state(session_id, actor), step_id), pending

    def reject_step(
        self, session_id: str, step_id: str, actor: Actor
    ) -> tuple[StepView, list[StepUpdate]]:
        """Say no to a step: nothing is sent, and the steps depending on it are skipped."""
        self._require_customer(actor, "reject steps")
        with self._lock(session_id):
            step = self._step(self.state(session_id, actor), step_id)
            if step.state not in ("awaiting_confirmation", "blocked"):
                raise TokenReused(f"step {step_id!r} is already {step.state}")
            self._append(
                session_id,
                actor,
                ev.STEP_REJECTED,
                {"step_id": step_id, "user": actor.user_id, "channel": actor.channel},
            )
            updates = self._advance_dependents(session_id, actor, step_id)
            return self._step(self.state(session_id, actor), step_id), updates

    def confirm_step(
        self, session_id: str, step_id: str, actor: Actor, token: str
    ) -> tuple[StepView, list[StepUpdate]]:
        """Check the token against the preview shown, then submit the order exactly once.

        Returns the step and what its outcome did to the steps depending on it (a fresh
        preview and token on what it actually yielded, or skipped)."""
        self._require_customer(actor, "confirm orders")
        with self._lock(session_id):
            state = self.state(session_id, actor)
            step = self._step(state, step_id)
            try:
                self._check_token(session_id, step, actor, token)
            except ConfirmationRefused as exc:
                self._append(
                    session_id,
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
                raise
            assert step.preview is not None  # _check_token ensured a preview was shown
            preview = StepPreview.model_validate(step.preview)
            self._append(
                session_id,
                actor,
                ev.STEP_CONFIRMED,
                {
                    "step_id": step_id,
                    "user": actor.user_id,
                    "channel": actor.channel,
                    "preview_hash": step.preview_hash,
                    "policy_version": step.policy_version,
                    "shown_text": confirmation_text(step.description, preview),
                },
            )
            self._submit(session_id, actor, step_id, preview)
            updates = self._advance_dependents(session_id, actor, step_id)
            return self._step(self.state(session_id, actor), step_id), updates

    def _advance_dependents(self, session_id: str, actor: Actor, step_id: str) -> list[StepUpdate]:
        """Re-preview the steps waiting on ``step_id`` with what it yielded, or skip them."""
        state = self.state(session_id, actor)
        source = state.steps[step_id]
        updates: list[StepUpdate] = []
        for step in list(state.steps.values()):
            if step_id not in step.depends_on or step.state != "waiting":
                continue
            if source.state in ("filled", "partially_filled") and source.venue_order:
                order = OrderSpec.model_validate(step.order).model_copy(
                    update={"quote_amount": order_yield(source.venue_order)}
                )
                _, pending = self._preview_step(
                    session_id,
                    actor,
                    step.plan_id,
                    step.step_id,
                    step.description,
                    order,
                    self.balances(actor.user_id)["free"],
                )
            elif source.state in ("failed", "rejected", "skipped"):
                pending = None
                self._append(
                    session_id,
                    actor,
                    ev.STEP_SKIPPED,
                    {"step_id": step.step_id, "reason": f"step {step_id} {source.state}"},
                )
            else:
                continue  # still open or unknown: keep waiting
            updates.append(
                StepUpdate(self._step(self.state(session_id, actor), step.step_id), pending)
            )
        return updates

    def _check_token(self, session_id: str, step: StepView, actor: Actor, token: str) -> None:
        if step.preview_hash is None or step.expires_ms is None or step.policy_version is None:
            raise TokenMismatch(f"step {step.step_id!r} has no preview to confirm")
        binding = Binding(
            session_id,
            step.plan_id,
            step.step_id,
            step.preview_hash,
            actor.user_id,
            step.expires_ms,
            step.policy_version,
        )
        if step.state != "awaiting_confirmation":
            if self._checkpoints.matches(token, binding):
                raise TokenReused(
                    f"this token was already used: step {step.step_id!r} is "
                    f"{step.state}; nothing more was sent"
                )
            raise TokenMismatch(f"step {step.step_id!r} is {step.state} and cannot be confirmed")
        self._checkpoints.check(token, binding, self._clock.now_ms())

    def _submit(self, session_id: str, actor: Actor, step_id: str, preview: StepPreview) -> None:
        venue = self._venue_for(actor.user_id)
        coid = client_order_id(session_id, step_id)
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
            session_id,
            actor,
            ev.ORDER_SUBMITTED,
            {"step_id": step_id, "client_order_id": coid, "request": request},
        )
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
            try:
                order = call_translated(
                    lambda: venue.fetch_order("", preview.symbol, {"clientOrderId": coid})
                )
            except OrderNotFound:
                self._append(
                    session_id,
                    actor,
                    ev.ORDER_FAILED,
                    {"step_id": step_id, "error": f"not accepted by the venue: {exc}"},
                )
                return
            except VenueError as lookup_exc:
                self._append(
                    session_id,
                    actor,
                    ev.ORDER_UNKNOWN,
                    {
                        "step_id": step_id,
                        "error": f"{exc}; the lookup by clientOrderId failed too: {lookup_exc}; "
                        "it will be reconciled, not resent",
                    },
                )
                return
        except VenueError as exc:
            self._append(
                session_id, actor, ev.ORDER_FAILED, {"step_id": step_id, "error": str(exc)}
            )
            return
        self._append(
            session_id, actor, ev.ORDER_ACCEPTED, {"step_id": step_id, "order": _jsonable(order)}
        )

    # --- plumbing ---------------------------------------------------------------------

    def _append(self, session_id: str, actor: Actor, kind: str, payload: dict[str, Any]) -> Event:
        # What the customer did is theirs; what followed from it is the assistant's.
        by = actor.user_id if kind in ev.CUSTOMER_EVENTS else ASSISTANT_ACTOR
        return self._journal.append(session_id, kind, by, payload)

    def _lock(self, session_id: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(session_id, threading.Lock())

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


def _denial_warning(denial: Denial) -> PreviewWarning:
    return PreviewWarning(code=denial.code, message=denial.message, blocking=True)


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
    "PendingConfirmation",
    "StepUpdate",
    "Turn",
    "client_order_id",
    "confirmation_text",
]
