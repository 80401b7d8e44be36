"""Turns: one customer message in, one reply out. The message is journaled before it is
parsed; what the assistant made of it (reading, plan, each step's preview and token, the
reply shown) is journaled as one segment.

Relies on: :meth:`SessionLog.batch` (the segment lands whole or not at all) and on the
previews room for every token: a turn never sends anything.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from execution.actors import Actor
from execution.assistant.context import Context, jsonable
from execution.assistant.previews import PendingConfirmation, Previews
from execution.assistant.texts import money
from execution.errors import VenueError, call_translated
from execution.journal import events
from execution.preview.depth import Depth, market_mid, walked_depth
from execution.preview.pipeline import PreviewFailed
from execution.session.state import SessionState
from intent.canonical import to_canonical
from intent.dialogue import Corrected, respond, to_record
from intent.errors import PlanningError
from intent.models import Clarification, Intent, Model, Plan, Span, Unsupported
from intent.parser import ParseOutput, parse_traced


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


class Turns:
    """Answer customer messages: read, plan, preview; never send."""

    def __init__(self, ctx: Context, previews: Previews) -> None:
        self._ctx = ctx
        self._previews = previews

    def handle_message(
        self, session_id: str, actor: Actor, text: str, idempotency_key: str | None = None
    ) -> Turn:
        """Journal the message, then read, plan and preview it. A message whose
        ``idempotency_key`` the session already received raises :class:`DuplicateMessage`
        (in any process: the journal's append refuses it) and nothing is done twice."""
        self._ctx.require_customer(actor, "send messages")
        with self._ctx.log.lock(session_id):
            state = self._ctx.load(session_id, actor)
            dialogue = state.dialogue
            keyed = {} if idempotency_key is None else {"idempotency_key": idempotency_key}
            self._ctx.append(
                state, actor, events.MessageReceived(text=text, channel=actor.channel, **keyed)
            )
            # The message is on record before it is parsed; what the assistant made of it
            # (reading, plan, previews and the reply shown) is stored as one segment.
            with self._ctx.log.batch(state):
                raw, provenance = parse_traced(self._ctx.parser, text)
                # What the message means after what was said before (intent.dialogue).
                outcome = respond(dialogue, text, raw)
                result = outcome.result
                record = to_record(dialogue, outcome)
                canonical = to_canonical(raw if result is None else result)
                self._ctx.append(
                    state,
                    actor,
                    events.IntentParsed(
                        provenance=provenance.model_dump(mode="json"),
                        result=raw.model_dump(mode="json"),
                        canonical=canonical,
                        # only when a turn was merged with, or dropped, what came before
                        **({} if record is None else {"dialogue": record}),
                    ),
                )
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
                shown = {} if turn.plan is None else {"plan_id": turn.plan.plan_id}
                self._ctx.append(state, actor, events.ReplySent(text=turn.reply, **shown))
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
            return reply(self._answer_query(actor, result))
        pipeline = self._ctx.pipeline_for(state.owner)
        balances = self._ctx.balances(state.owner)["free"]
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
            self._ctx.append(state, actor, events.PlanningFailed(reason=str(exc)))
            return reply(f"I understood the request, but {exc}.")
        self._ctx.append(
            state,
            actor,
            events.PlanCreated(
                plan=plan.model_dump(mode="json"),
                balances_snapshot={k: str(v) for k, v in balances.items()},
                # a cancel: the open orders it was planned on
                **({"open_orders": jsonable(open_orders)} if result.action == "cancel" else {}),
            ),
        )
        pending: list[PendingConfirmation] = []
        previews: list[dict[str, Any]] = []
        # What each card draws: the book side an order's preview walked; the market's mid
        depth: dict[str, Depth] = {}
        mids: dict[str, str] = {}
        failed: list[str] = []
        for step in plan.steps:  # (a cancel's plan is of cancel steps only)
            if step.kind == "cancel_order":
                cancel, cancel_token = self._previews.preview_cancel(
                    state, actor, state.steps[step.step_id]
                )
                previews.append(cancel.model_dump(mode="json"))
                pending.append(cancel_token)
        try:
            for step, evaluation in pipeline.evaluate_plan(plan, balances):
                # A dependent order is previewed on what the earlier step is expected to
                # yield; it gets its own preview and token once that step has actually
                # filled. A bracket exit is confirmed up front, as a mandate on what the
                # entry buys.
                token = self._previews.record_preview(
                    state,
                    actor,
                    state.steps[step.step_id],
                    evaluation,
                    waiting=bool(step.depends_on) and step.kind != "mandate",
                )
                previews.append(evaluation.preview.model_dump(mode="json"))
                walked = walked_depth(
                    evaluation.preview.side, evaluation.preview.worst_price, evaluation.book
                )
                if walked is not None and evaluation.mandate is None:
                    depth[step.step_id] = walked
                mid = market_mid(evaluation.book)
                if mid is not None:
                    mids[step.step_id] = mid
                if token is not None:
                    pending.append(token)
        except PreviewFailed as exc:
            # Nothing is guessed: the step stays planned, to be previewed again.
            self._ctx.append(
                state, actor, events.PreviewFailed(step_id=exc.step_id, error=str(exc))
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
            preview={
                "steps": previews,
                "policy_version": self._ctx.policy().version,
                "depth": depth,
                "market_mid": mids,
            },
            pending=tuple(pending),
        )

    def _answer_query(self, actor: Actor, intent: Intent) -> str:
        user_id = actor.user_id
        venue = self._ctx.venue_for(user_id)
        if intent.query == "price":
            if intent.asset is None:
                return "Which asset's price would you like?"
            symbol = f"{intent.asset}/{intent.quote or self._ctx.default_quote}"
            try:
                ticker = call_translated(lambda: venue.fetch_ticker(symbol))
            except VenueError as exc:
                return f"I could not get a price for {symbol}: {exc}"
            return (
                f"{symbol}: bid {ticker.get('bid')}, ask {ticker.get('ask')}, "
                f"last {ticker.get('last')}."
            )
        if intent.query == "balance":
            free = self._ctx.balances(user_id)["total"]
            if intent.asset is not None:
                held_one = money(free.get(intent.asset, Decimal(0)), intent.asset)
                return f"You hold {held_one} {intent.asset}."
            held = ", ".join(f"{ccy} {money(v, ccy)}" for ccy, v in sorted(free.items()))
            return f"Your balances: {held or 'none'}."
        orders = call_translated(lambda: venue.fetch_open_orders())
        # Standing orders too: a weekly purchase or a stop-loss is an order to the customer.
        standing = self._ctx.overview(actor).mandates
        if intent.asset is not None:
            prefix = f"{intent.asset}/"
            orders = [o for o in orders if str(o.get("symbol", "")).startswith(prefix)]
            standing = tuple(m for m in standing if m.symbol.startswith(prefix))
        if not orders and not standing:
            return "You have no open orders and no standing orders."
        lines = []
        if orders:
            listed = "; ".join(
                f"{o['side']} {o['amount']} {o['symbol']} at {o['price']} ({o['status']})"
                for o in orders
            )
            lines.append(f"Open orders: {listed}.")
        if standing:
            listed = "; ".join(
                f"{m.description} ({_MANDATE_STATE[m.state]}, "
                f"{m.orders_placed} of {m.orders_total} orders placed)"
                for m in standing
            )
            lines.append(f"Standing orders: {listed}.")
        return " ".join(lines)

    def _replace_unconfirmed(self, state: SessionState, actor: Actor, reason: str) -> None:
        """Skip the latest plan's steps not yet confirmed: a correction replaced them, or the
        customer withdrew the request."""
        latest = state.latest_plan_id
        if latest is None:
            return
        for step in list(state.steps.values()):
            if step.plan_id == latest and step.state in _REPLACEABLE:
                self._ctx.append(
                    state,
                    actor,
                    events.StepSkipped(step_id=step.step_id, reason=reason),
                )


# How a standing order's state is said to the customer.
_MANDATE_STATE = {
    "armed": "active",
    "paused": "paused",
    "awaiting_confirmation": "awaiting your confirmation",
}
# Steps a correction replaces: none of them was confirmed, so nothing was sent or armed.
_REPLACEABLE = frozenset({"planned", "awaiting_confirmation", "blocked", "waiting"})
