"""The mandate runner: what the worker does after one confirmation of standing terms (a
schedule, a take-profit or stop-loss, a bracket's exits). Each order a mandate places is
a step of its own, previewed, checked against the terms and the policy, confirmed under
the mandate and sent by the executor, so reconciliation covers it like any other.

Relies on: the session's lock and :class:`SessionLog` (two workers cannot both place the
same order: the second one's ``step_added`` or confirmation is refused), and the executor's
send-once rule for each order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from execution import metrics
from execution.actors import SYSTEM
from execution.assistant.context import Context
from execution.assistant.dependents import Dependents, bought
from execution.assistant.executor import Executor
from execution.assistant.previews import Previews
from execution.assistant.reservations import Reservations, reservation_json
from execution.assistant.texts import confirmation_text
from execution.errors import InvalidTransition, LimitExceeded, VenueError, call_translated
from execution.i18n.catalogue import render
from execution.journal import events
from execution.journal.index import sessions_in
from execution.mandates import band_breach, condition_holds, next_due_ms, sized, ticker_price
from execution.preview.pipeline import StepEvaluation
from execution.preview.simulator import StepPreview
from execution.preview.warnings import warning_text
from execution.session.lifecycle import (
    IN_FLIGHT_STEP_STATES,
    TERMINAL_STEP_STATES,
    UNSENT_STEP_STATES,
)
from execution.session.state import SessionState, StepView
from intent.models import OrderSpec, PlanStep, plain
from intent.planner import order_words


class MandateRunner:
    """Run armed mandates: place what is due inside the terms, pause at a bound, end."""

    def __init__(
        self,
        ctx: Context,
        previews: Previews,
        reservations: Reservations,
        executor: Executor,
        dependents: Dependents,
    ) -> None:
        self._ctx = ctx
        self._previews = previews
        self._reservations = reservations
        self._executor = executor
        self._dependents = dependents

    def run_mandates(self) -> MandateReport:
        """One pass over every armed mandate: place each order that is due and whose
        condition holds, inside the agreed terms; pause and ask at a bound. Every order is
        a step of its own, journaled like a confirmed one, so reconciliation covers it."""
        report = MandateReport()
        # Only the sessions the index says have a mandate armed (not every session).
        for session_id in sessions_in(self._ctx.journal.search, {"armed"}):
            with self._ctx.log.lock(session_id):
                state = self._ctx.log.load(session_id)
                for step in list(state.steps.values()):
                    if step.kind != "mandate" or step.state != "armed":
                        continue
                    report.checked += 1
                    try:
                        done = self.run_mandate(state, step.step_id)
                    except VenueError as exc:
                        metrics.MANDATE_RUNS.labels("venue_error").inc()
                        report.errors.append(f"{state.session_id}/{step.step_id}: {exc}")
                    except InvalidTransition:
                        metrics.MANDATE_RUNS.labels("conflict").inc()
                        continue  # another process moved it; the next pass sees how
                    else:
                        metrics.MANDATE_RUNS.labels("acted" if done else "idle").inc()
                        report.actions.extend(f"{state.session_id}/{line}" for line in done)
                self._ctx.log.sync_plans(state)
        return report

    def run_mandate(self, state: SessionState, mandate_id: str) -> list[str]:
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
        now = self._ctx.clock.now_ms()
        children = state.children(mandate_id)
        unfinished = [c for c in children if c.state not in TERMINAL_STEP_STATES]
        if any(c.state in IN_FLIGHT_STEP_STATES for c in unfinished):
            return None  # an order is out; reconciliation follows it
        last = children[-1] if children else None
        if last is not None and last.state == "failed" and last.updated_ms >= step.armed_ms:
            self._pause(state, step, f"order {last.step_id} failed: {last.error}")
            return "paused"
        sent = [c for c in children if c.state not in UNSENT_STEP_STATES]
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
            got = bought(state, state.steps[terms.amount_from])
            if got is None:
                return None  # the entry has not ended yet
            if got <= 0:
                return self._skip(state, step, f"step {terms.amount_from} bought nothing")
            amount = got
        order = sized(step.order, amount)
        venue = self._ctx.venue_for(state.owner)
        ticker = call_translated(lambda: venue.fetch_ticker(order.symbol))
        price = ticker_price(ticker)
        if price is None or not condition_holds(terms.condition, price):
            return None
        child = unfinished[0] if unfinished else None  # added, not sent: the worker stopped
        child_id = child.step_id if child else f"{mandate_id}.{len(children) + 1}"
        evaluation = self._ctx.evaluate(
            state.owner, child_id, order, self._ctx.balances(state.owner)["free"]
        )
        reasons = [
            warning_text(w, state.language) for w in evaluation.preview.warnings if w.blocking
        ]
        if order.type == "market":
            breach = band_breach(terms, evaluation.preview.average_price)
            if breach is not None:
                reasons.append(breach)
        if reasons:
            self._pause(state, step, "; ".join(reasons))
            return "paused"
        for other in terms.oco_with:  # one cancels the other: this exit fires, the rest end
            if state.steps[other].state not in TERMINAL_STEP_STATES:
                self._ctx.append(
                    state,
                    SYSTEM,
                    events.StepSkipped(
                        step_id=other,
                        reason=f"one cancels the other: {mandate_id} fired at {plain(price)}",
                        superseded_by=mandate_id,
                    ),
                )
        if child is None:
            n = len(children) + 1
            self._ctx.append(
                state,
                SYSTEM,
                events.StepAdded(
                    plan_id=step.plan_id,
                    step_id=child_id,
                    parent=mandate_id,
                    price=plain(price),
                    step=PlanStep(
                        step_id=child_id,
                        kind="place_order",
                        description=f"{order_words(order)} (order {n} of {terms.orders} "
                        f"of {mandate_id})",
                        order=order,
                    ).model_dump(mode="json"),
                ),
            )
        self._send_for_mandate(state, step, self._ctx.step(state, child_id), evaluation)
        return f"order {child_id} {state.steps[child_id].state}"

    def _send_for_mandate(
        self, state: SessionState, mandate: StepView, child: StepView, evaluation: StepEvaluation
    ) -> None:
        """Preview, confirm (under the mandate) and send one of its orders."""
        self._previews.record_preview(state, SYSTEM, child, evaluation)
        shown = evaluation.preview
        try:
            reservation = self._reservations.reserve_daily(state, SYSTEM, child, shown)
        except LimitExceeded as exc:
            self._pause(state, mandate, str(exc))
            return
        try:
            self._previews.journal_confirmation(
                state,
                SYSTEM,
                child.step_id,
                confirmation_text(child.description, shown, state.language),
                parent=mandate.step_id,
                mandate_confirmed_by=mandate.confirmed_by,
                reservation=reservation_json(reservation),
            )
        except BaseException:
            self._reservations.release(reservation)
            raise
        self._ctx.crash_point("confirmed")
        self._executor.submit(state, SYSTEM, child.step_id, shown)

    def _pause(self, state: SessionState, step: StepView, reason: str) -> None:
        """Stop a mandate at a bound and ask the customer (in the session's transcript)."""
        self._ctx.append(state, SYSTEM, events.MandatePaused(step_id=step.step_id, reason=reason))
        self._ctx.append(
            state,
            SYSTEM,
            events.ReplySent(
                text=render(
                    "reply.paused", state.language, {"title": step.description, "reason": reason}
                ),
                step_id=step.step_id,
                **({} if state.locale is None else {"locale": state.locale}),
            ),
        )

    def _end(self, state: SessionState, step: StepView, reason: str) -> str:
        self._ctx.append(state, SYSTEM, events.MandateEnded(step_id=step.step_id, reason=reason))
        self._dependents.advance_dependents(state, SYSTEM, step.step_id)
        return "done"

    def _skip(self, state: SessionState, step: StepView, reason: str) -> str:
        self._ctx.append(state, SYSTEM, events.StepSkipped(step_id=step.step_id, reason=reason))
        self._dependents.advance_dependents(state, SYSTEM, step.step_id)
        return "skipped"

    def mandate_inputs(
        self, state: SessionState, step: StepView
    ) -> tuple[OrderSpec, dict[str, Decimal]]:
        """The order and balances a mandate is previewed on again: a bracket exit sells
        what its entry bought, or, before the entry has ended, what it is expected to buy
        on the balances it is expected to leave."""
        free = self._ctx.balances(state.owner)["free"]
        source_id = (step.mandate or {}).get("amount_from")
        if source_id is None:
            return OrderSpec.model_validate(step.order), free
        source = state.steps[source_id]
        got = bought(state, source)
        if got is not None:
            return sized(step.order, got), free
        if source.preview is None:
            raise InvalidTransition(f"step {step.step_id!r} is previewed once step {source_id} is")
        # (the entry's order went out on its fresh preview, if one was made at confirmation)
        expected = StepPreview.model_validate(source.sent_preview or source.preview)
        return sized(step.order, expected.received[1]), {**free, **expected.balances_after}


_MANDATE_ACTIONS = 4  # per mandate per pass: e.g. skip the other exit, place, end


@dataclass
class MandateReport:
    """What a pass over the armed mandates did."""

    checked: int = 0
    actions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
