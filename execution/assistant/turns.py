"""Turns: one customer message in, one reply out. The message is journaled before it is
parsed; what the assistant made of it (reading, plan, each step's preview and token, the
reply shown) is journaled as one segment.

Relies on: :meth:`SessionLog.batch` (the segment lands whole or not at all) and on the
previews room for every token: a turn never sends anything.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from execution import metrics
from execution.actors import Actor
from execution.assistant.context import Context, jsonable
from execution.assistant.previews import PendingConfirmation, Previews
from execution.assistant.replies import question, refusal
from execution.assistant.stops import Stops, listed
from execution.assistant.texts import money, stop_text
from execution.errors import VenueError, call_translated
from execution.i18n import DEFAULT_LOCALE, SENTENCE_BREAK, Locale, locale_of_message
from execution.i18n.catalogue import render
from execution.i18n.plans import bracket_sentence, note_text, titled
from execution.journal import events
from execution.preview.depth import Depth, market_mid, walked_depth
from execution.preview.pipeline import PreviewFailed
from execution.preview.simulator import PreviewWarning, dec
from execution.preview.warnings import warning_text
from execution.session.state import SessionState
from intent.canonical import to_canonical
from intent.dialogue import Corrected, respond, to_record
from intent.errors import PlanningError, StandingOrderNotFound, WhichStandingOrder
from intent.models import Clarification, Intent, Model, Plan, Span, StandingOrderRef, Unsupported
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
    #: the language of ``reply`` and of every text in the plan: the message's own, else the
    #: page's (execution.i18n)
    locale: Locale = DEFAULT_LOCALE


class Turns:
    """Answer customer messages: read, plan, preview; never send."""

    def __init__(self, ctx: Context, previews: Previews, stops: Stops) -> None:
        self._ctx = ctx
        self._previews = previews
        self._stops = stops

    def handle_message(
        self,
        session_id: str,
        actor: Actor,
        text: str,
        idempotency_key: str | None = None,
        locale: Locale | None = None,
    ) -> Turn:
        """Journal the message, then read, plan and preview it. A message whose
        ``idempotency_key`` the session already received raises :class:`DuplicateMessage`
        (in any process: the journal's append refuses it) and nothing is done twice.
        ``locale``: the page's language, used when the message does not say ("0.5")."""
        self._ctx.require_customer(actor, "send messages")
        with self._ctx.log.lock(session_id):
            state = self._ctx.load(session_id, actor)
            dialogue = state.dialogue
            keyed = {} if idempotency_key is None else {"idempotency_key": idempotency_key}
            spoken = locale_of_message(text, locale or state.locale) or DEFAULT_LOCALE
            self._ctx.append(
                state,
                actor,
                events.MessageReceived(text=text, channel=actor.channel, locale=spoken, **keyed),
            )
            # The message is on record before it is parsed; what the assistant made of it
            # (reading, plan, previews and the reply shown) is stored as one segment.
            with self._ctx.log.batch(state):
                try:
                    raw, provenance = parse_traced(self._ctx.parser, text)
                except Exception:
                    metrics.PARSES.labels("error", spoken).inc()
                    raise
                metrics.PARSES.labels(raw.kind, spoken).inc()
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
                        reply=render("reply.dropped", spoken),
                        result=raw.kind,
                        intent=canonical,
                        spans=spans,
                        locale=spoken,
                    )
                else:
                    turn = self._respond(state, actor, result, canonical, spans, spoken)
                shown = {} if turn.plan is None else {"plan_id": turn.plan.plan_id}
                self._ctx.append(
                    state, actor, events.ReplySent(text=turn.reply, locale=spoken, **shown)
                )
            return turn

    def _respond(
        self,
        state: SessionState,
        actor: Actor,
        result: ParseOutput,
        canonical: dict[str, Any],
        spans: tuple[Span, ...],
        locale: Locale,
    ) -> Turn:
        corrections = () if isinstance(result, Unsupported) else result.corrections
        read_as = "".join(
            render(
                "reply.read_as", locale, {"written": c.written, "meant": f"{c.meant} ({c.code})"}
            )
            for c in corrections
        )

        def reply(text: str, **extra: Any) -> Turn:
            return Turn(
                session_id=state.session_id,
                reply=read_as + text,
                result=result.kind,
                intent=canonical,
                spans=spans,
                locale=locale,
                **extra,
            )

        if isinstance(result, Unsupported):
            return reply(refusal(result, locale))
        if isinstance(result, Clarification):
            return reply(question(result, locale))
        if result.action == "query":
            return reply(self._answer_query(actor, result, locale))
        pipeline = self._ctx.pipeline_for(state.owner)
        balances = self._ctx.balances(state.owner)["free"]
        open_orders: list[Any] = []
        # A cancel that names a standing order ("stop my weekly BTC buys") stops one of
        # the customer's mandates, in whichever session; any other cancel, open orders.
        stopping = result.action == "cancel" and result.standing_kind is not None
        standing: tuple[StandingOrderRef, ...] = ()
        if stopping:
            standing = self._stops.standing(actor)
        elif result.action == "cancel":
            open_orders = call_translated(lambda: pipeline.venue.fetch_open_orders())
        try:
            plan = pipeline.plan(
                result,
                plan_id=f"p{len(state.plans) + 1}",
                balances=balances,
                open_orders=open_orders,
                standing=standing,
            )
        except WhichStandingOrder as exc:
            self._ctx.append(state, actor, events.PlanningFailed(reason=str(exc)))
            return reply(stop_text("stop.which", locale, listed=listed(exc.candidates, locale)))
        except StandingOrderNotFound as exc:
            self._ctx.append(state, actor, events.PlanningFailed(reason=str(exc)))
            if not exc.standing:
                return reply(stop_text("stop.none", locale))
            return reply(stop_text("stop.none_but", locale, listed=listed(exc.standing, locale)))
        except PlanningError as exc:
            self._ctx.append(state, actor, events.PlanningFailed(reason=str(exc)))
            if exc.code is None:
                return reply(render("reply.planning_failed_other", locale, {"reason": exc}))
            reason = render(f"plan.{exc.code}", locale, exc.params)
            return reply(render("reply.planning_failed", locale, {"reason": reason}))
        planned_on: dict[str, Any] = {}
        if stopping:  # a stop: the standing orders it was planned on
            planned_on["standing_orders"] = [r.model_dump(mode="json") for r in standing]
        elif result.action == "cancel":  # a cancel: the open orders it was planned on
            planned_on["open_orders"] = jsonable(open_orders)
        plan = titled(plan, locale)  # the step titles shown, journaled with the plan
        self._ctx.append(
            state,
            actor,
            events.PlanCreated(
                plan=plan.model_dump(mode="json"),
                balances_snapshot={k: str(v) for k, v in balances.items()},
                **planned_on,
            ),
        )
        pending: list[PendingConfirmation] = []
        previews: list[dict[str, Any]] = []
        # What each card draws: the book side an order's preview walked; the market's mid
        depth: dict[str, Depth] = {}
        mids: dict[str, str] = {}
        failed: list[str] = []
        for step in plan.steps:  # (a cancel's plan is of cancel steps only; a stop's too)
            if step.kind == "cancel_order":
                cancel, cancel_token = self._previews.preview_cancel(
                    state, actor, state.steps[step.step_id]
                )
                previews.append(cancel.model_dump(mode="json"))
                pending.append(cancel_token)
            elif step.kind == "stop_mandate":
                stop, stop_token = self._previews.preview_stop(
                    state, actor, state.steps[step.step_id]
                )
                previews.append(stop.model_dump(mode="json"))
                if stop_token is not None:
                    pending.append(stop_token)
        number = {step.step_id: n for n, step in enumerate(plan.steps, start=1)}
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
                previews.append(_shown(evaluation.preview.model_dump(mode="json"), locale))
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
            failed.append(
                render(
                    "reply.preview_failed",
                    locale,
                    {"step": number.get(exc.step_id, exc.step_id), "error": exc},
                )
            )
        if stopping and pending:
            return reply(
                stop_text("stop.plan", locale),
                plan=plan,
                preview={"steps": previews, "policy_version": self._ctx.policy().version},
                pending=tuple(pending),
            )
        lines = [
            bracket_sentence(plan, locale)
            or (
                render("reply.plan_one", locale)
                if len(plan.steps) == 1
                else render("reply.plan_many", locale, {"steps": len(plan.steps)})
            )
        ]
        if failed:
            lines.extend(failed)
        else:
            lines.append(
                render("reply.confirm_each", locale) if pending else render("reply.blocked", locale)
            )
        return reply(
            SENTENCE_BREAK[locale].join(lines),
            plan=plan,
            preview={
                "steps": previews,
                "policy_version": self._ctx.policy().version,
                "depth": depth,
                "market_mid": mids,
            },
            pending=tuple(pending),
        )

    def _answer_query(self, actor: Actor, intent: Intent, locale: Locale) -> str:
        user_id = actor.user_id
        venue = self._ctx.venue_for(user_id)
        if intent.query == "price":
            if intent.asset is None:
                return render("ask.price_of_what", locale)
            symbol = f"{intent.asset}/{intent.quote or self._ctx.default_quote}"
            try:
                ticker = call_translated(lambda: venue.fetch_ticker(symbol))
            except VenueError:
                return render("answer.price_failed", locale, {"symbol": symbol})
            quote = symbol.split("/", 1)[1]
            return render(
                "answer.price",
                locale,
                {
                    "symbol": symbol,
                    **{
                        side: "–" if ticker.get(side) is None else money(dec(ticker[side]), quote)
                        for side in ("bid", "ask", "last")
                    },
                },
            )
        if intent.query == "balance":
            free = self._ctx.balances(user_id)["total"]
            if intent.asset is not None:
                held_one = money(free.get(intent.asset, Decimal(0)), intent.asset)
                return render("answer.holding", locale, {"amount": held_one, "asset": intent.asset})
            if not free:
                return render("answer.no_balances", locale)
            held = render("list.join", locale).join(
                f"{ccy} {money(v, ccy)}" for ccy, v in sorted(free.items())
            )
            return render("answer.balances", locale, {"list": held})
        orders = call_translated(lambda: venue.fetch_open_orders())
        # Standing orders too: a weekly purchase or a stop-loss is an order to the customer.
        standing = self._ctx.overview(actor).mandates
        if intent.asset is not None:
            prefix = f"{intent.asset}/"
            orders = [o for o in orders if str(o.get("symbol", "")).startswith(prefix)]
            standing = tuple(m for m in standing if m.symbol.startswith(prefix))
        if not orders and not standing:
            return render("answer.no_orders", locale)
        lines = []
        if orders:
            said = render("list.join", locale).join(_order_line(o, locale) for o in orders)
            lines.append(render("answer.open_orders", locale, {"list": said}))
        if standing:
            lines.append(
                render("answer.standing_orders", locale, {"list": listed(standing, locale)})
            )
        return SENTENCE_BREAK[locale].join(lines)

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


def _order_line(order: Any, locale: Locale) -> str:
    """An open venue order as the customer reads it: side, amount, asset, price, status."""
    symbol = str(order.get("symbol", ""))
    base, _, quote = symbol.partition("/")
    price = order.get("price")
    return render(
        "answer.open_order",
        locale,
        {
            "side": render(f"side.{order['side']}", locale),
            "amount": money(dec(order["amount"]), base),
            "asset": base,
            "price": render("order.market", locale) if price is None else money(dec(price), quote),
            "status": order.get("status", ""),
        },
    )


def _shown(preview: dict[str, Any], locale: Locale) -> dict[str, Any]:
    """A preview as the page is given it: each warning with the sentence shown for it, and
    its notes as shown (``note_texts``; ``notes`` stay as the simulator wrote them)."""
    warnings = preview.get("warnings") or []
    shown = [
        {**w, "text": warning_text(PreviewWarning.model_validate(w), locale)} for w in warnings
    ]
    notes = [note_text(n, locale) for n in preview.get("notes") or ()]
    return {**preview, "warnings": shown, "note_texts": notes}


# Steps a correction replaces: none of them was confirmed, so nothing was sent or armed.
_REPLACEABLE = frozenset({"planned", "awaiting_confirmation", "blocked", "waiting"})
