"""Confirmations: the customer's yes or no to a step they were shown. A yes checks the token
against the preview shown, previews again (a requote only if the fresh preview changed
materially: :func:`execution.preview.requote.material_change`), reserves the day's
notional, journals the fresh preview the order goes out on together with the confirmation
and the exact text shown, and only then hands the order to the executor.

Relies on: the confirmation being appended through :class:`SessionLog` under the session's
lock; if another process moved the step first the append is refused and the token is
checked again, which then says how (used, expired, replaced). That is what makes a step's
order go out once however many processes confirm it at the same time.
"""

from __future__ import annotations

import contextlib
import copy

from execution import metrics
from execution.actors import Actor
from execution.assistant.context import Context
from execution.assistant.dependents import Dependents
from execution.assistant.executor import Executor
from execution.assistant.mandate_runner import MandateRunner
from execution.assistant.previews import PendingConfirmation, Previews, StepUpdate, stop_summary
from execution.assistant.reservations import Reservations, reservation_json
from execution.assistant.stops import Stops
from execution.assistant.texts import cancel_text, confirmation_text
from execution.errors import (
    ConfirmationRefused,
    InvalidTransition,
    JournalError,
    RequoteRequired,
    VenueError,
)
from execution.journal import events
from execution.policy import PolicyDecision
from execution.preview.pipeline import StepEvaluation
from execution.preview.requote import material_change, same_figures
from execution.preview.simulator import CancelPreview, StepPreview
from execution.preview.stop import StopPreview
from execution.session.state import SessionState, StepView
from intent.models import OrderSpec


class Confirmations:
    """Confirm, reject and re-preview steps awaiting the customer."""

    def __init__(
        self,
        ctx: Context,
        previews: Previews,
        reservations: Reservations,
        executor: Executor,
        dependents: Dependents,
        mandates: MandateRunner,
        stops: Stops,
    ) -> None:
        self._ctx = ctx
        self._previews = previews
        self._reservations = reservations
        self._executor = executor
        self._dependents = dependents
        self._mandates = mandates
        self._stops = stops

    def refresh_step(
        self, session_id: str, step_id: str, actor: Actor
    ) -> tuple[StepView, PendingConfirmation | None]:
        """A new preview and token for a step still awaiting confirmation (e.g. expired)."""
        self._ctx.require_customer(actor, "preview orders")
        with self._ctx.log.lock(session_id):
            state = self._ctx.load(session_id, actor)
            step = self._ctx.step(state, step_id)
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
            self._previews.admit_preview(state, actor)  # past the bound, nothing is journaled
            if step.kind == "mandate":
                order, balances = self._mandates.mandate_inputs(state, step)
                _, pending = self._previews.preview_step(state, actor, step, order, balances)
                return copy.copy(self._ctx.step(state, step_id)), pending
            if step.state in ("planned", "waiting") and step.depends_on:
                pending = self._dependents.preview_dependent(state, actor, step)
                return copy.copy(self._ctx.step(state, step_id)), pending
            if step.kind == "cancel_order":
                _, pending = self._previews.preview_cancel(state, actor, step)
                return copy.copy(self._ctx.step(state, step_id)), pending
            if step.kind == "stop_mandate":
                _, stop_pending = self._previews.preview_stop(state, actor, step)
                return copy.copy(self._ctx.step(state, step_id)), stop_pending
            _, pending = self._previews.preview_step(
                state,
                actor,
                step,
                step.previewed_order or step.order,
                self._ctx.balances(state.owner)["free"],
            )
            return copy.copy(self._ctx.step(state, step_id)), pending

    def reject_step(
        self, session_id: str, step_id: str, actor: Actor
    ) -> tuple[StepView, list[StepUpdate]]:
        """Say no to a step: nothing is sent, and the steps depending on it are skipped.
        An armed or paused mandate stops: it places no more orders (those already sent
        stay as they are)."""
        self._ctx.require_customer(actor, "reject steps")
        with self._ctx.log.lock(session_id):
            state = self._ctx.load(session_id, actor)
            step = self._ctx.step(state, step_id)
            stoppable = ("armed", "paused") if step.kind == "mandate" else ()
            if step.state not in ("planned", "awaiting_confirmation", "blocked", *stoppable):
                raise InvalidTransition(f"step {step_id!r} is already {step.state}")
            try:
                self._ctx.append(
                    state,
                    actor,
                    events.StepRejected(step_id=step_id, user=actor.user_id, channel=actor.channel),
                )
            except InvalidTransition:
                # Another process moved the step first (confirmed it, say).
                raise InvalidTransition(
                    f"step {step_id!r} is already {state.steps[step_id].state}"
                ) from None
            updates = self._dependents.advance_dependents(state, actor, step_id)
            return copy.copy(self._ctx.step(state, step_id)), updates

    def confirm_step(
        self, session_id: str, step_id: str, actor: Actor, token: str
    ) -> tuple[StepView, list[StepUpdate]]:
        """Check the token against the preview shown, preview again, then submit the order
        exactly once.

        Returns the step and what its outcome did to the steps depending on it (a fresh
        preview and token on what it actually yielded, or skipped). Raises
        :class:`RequoteRequired` (with the new preview and token) when the fresh preview
        is no longer what the customer agreed to (price, amounts or fee beyond tolerance,
        another policy verdict, a new blocking warning such as an unfunded order); a
        balance that changed but still covers the order is not such a change."""
        try:
            done = self._confirm_step(session_id, step_id, actor, token)
        except RequoteRequired:
            metrics.CONFIRMATIONS.labels("requote").inc()
            raise
        except ConfirmationRefused:
            metrics.CONFIRMATIONS.labels("refused").inc()
            raise
        except InvalidTransition:
            metrics.CONFIRMATIONS.labels("conflict").inc()
            raise
        except Exception:
            metrics.CONFIRMATIONS.labels("error").inc()
            raise
        metrics.CONFIRMATIONS.labels("confirmed").inc()
        return done

    def _confirm_step(
        self, session_id: str, step_id: str, actor: Actor, token: str
    ) -> tuple[StepView, list[StepUpdate]]:
        self._ctx.require_customer(actor, "confirm orders")
        with self._ctx.log.lock(session_id):
            state = self._ctx.load(session_id, actor)
            for _ in range(_CONFIRM_ATTEMPTS):
                step = self._ctx.step(state, step_id)
                self._previews.check_token_journaled(state, step, actor, token)
                assert step.preview is not None  # the token check ensured a preview was shown
                if step.kind == "cancel_order":
                    if not self._confirm_cancel(state, actor, step):
                        continue  # another process got there first: the token check says how
                    return copy.copy(self._ctx.step(state, step_id)), []
                if step.kind == "stop_mandate":
                    if not self._confirm_stop(state, actor, step):
                        continue  # another process got there first: the token check says how
                    break  # carried out below, once this session's lock is released
                shown = StepPreview.model_validate(step.preview)
                if step.kind == "mandate":
                    if not self._arm(state, actor, step, shown):
                        continue  # another process got there first: the token check says how
                    return copy.copy(self._ctx.step(state, step_id)), []
                try:
                    fresh = self._requote_if_moved(state, actor, step, shown)
                except InvalidTransition:
                    continue  # another process moved the step: the token check says how
                sent = shown if fresh is None else fresh.preview
                reservation = self._reservations.reserve_daily(state, actor, step, sent)
                try:
                    # The fresh preview (if its figures are new), then the confirmation of
                    # the one shown, in one segment: the confirmation is never stored
                    # without the preview its order is sent on.
                    with self._ctx.log.batch(state):
                        sent_on: dict[str, str] = {}
                        if fresh is not None:
                            self._previews.record_repreview(state, actor, step, fresh)
                            sent_on["sent_on"] = sent.digest()
                        self._previews.journal_confirmation(
                            state,
                            actor,
                            step_id,
                            confirmation_text(step.description, shown, state.language),
                            reservation=reservation_json(reservation),
                            **sent_on,
                        )
                except BaseException as exc:
                    self._reservations.release(reservation)
                    if isinstance(exc, InvalidTransition):
                        continue  # another process got there first: the token check says how
                    raise
                self._ctx.crash_point("confirmed")
                self._executor.submit(state, actor, step_id, sent)
                updates = self._dependents.advance_dependents(state, actor, step_id)
                return copy.copy(self._ctx.step(state, step_id)), updates
            else:
                raise JournalError(f"step {step_id!r} kept changing while it was being confirmed")
        # A stop step, confirmed: the mandate it names is stopped under its own session's
        # lock (never while holding this one), then the outcome is recorded here.
        return self._stops.carry_out(session_id, step_id, actor), []

    def _requote_if_moved(
        self, state: SessionState, actor: Actor, step: StepView, shown: StepPreview
    ) -> StepEvaluation | None:
        """Preview the step again now. If it changed materially since ``shown``
        (:func:`material_change`), record the new preview and raise RequoteRequired with
        its token; nothing is sent. Otherwise the confirmation of ``shown`` stands, and
        this returns the fresh evaluation to send the order on (None if its figures are
        exactly ``shown``'s)."""
        order = OrderSpec.model_validate(step.previewed_order or step.order)
        now = self._ctx.evaluate(
            state.owner, step.step_id, order, self._ctx.balances(state.owner)["free"]
        )
        # A token is issued only for a preview the policy allowed (a denial blocks it).
        seen_verdict = PolicyDecision(policy_version=shown.policy_version, allowed=True)
        changes = material_change(
            shown,
            now.preview,
            seen_verdict=seen_verdict,
            fresh_verdict=now.decision,
            tolerance_bps=self._ctx.tolerance_bps,
        )
        if not changes:
            return None if same_figures(shown, now.preview) else now
        reasons = [change.message for change in changes]  # English, for support
        message = "the preview is out of date: " + "; ".join(reasons) + ". Nothing was sent"
        refused = RequoteRequired(message, {})
        # Counted before the new preview is journaled: past the session's bound, nothing is.
        self._previews.admit_refusal(state, actor)
        # The new preview first: if another process moved the step meanwhile (confirmed
        # it, say), this raises InvalidTransition and the caller checks the token again.
        pending = self._previews.record_preview(
            state,
            actor,
            step,
            now,
            requote=events.Requote(
                reasons=reasons,
                replaces=step.preview_hash,
                said=[change.to_json() for change in changes],
            ),
        )
        self._previews.refused(state, actor, step.step_id, refused, admitted=True)
        metrics.REQUOTES.inc()
        refused.details = {
            "step": self._ctx.step(state, step.step_id).to_json(),
            "pending": None if pending is None else pending.model_dump(mode="json"),
            # As the customer reads them: in the language of their conversation.
            "reasons": [change.text(state.language) for change in changes],
        }
        raise refused

    def _arm(self, state: SessionState, actor: Actor, step: StepView, shown: StepPreview) -> bool:
        """Journal a mandate's confirmation (it becomes armed) and run it once now: an
        order already due goes out at once. False if another process moved it first.

        Nothing is re-quoted and no daily notional is counted here: the customer agreed
        to terms, not to today's figures, and each order the mandate places is previewed,
        checked against the terms and the policy, and counted when it is due."""
        try:
            self._previews.journal_confirmation(
                state,
                actor,
                step.step_id,
                confirmation_text(step.description, shown, state.language),
            )
        except InvalidTransition:
            return False
        # It is armed either way; if the venue fails now, the worker's next pass tries again.
        with contextlib.suppress(VenueError, InvalidTransition):
            self._mandates.run_mandate(state, step.step_id)
        return True

    def _confirm_cancel(self, state: SessionState, actor: Actor, step: StepView) -> bool:
        """Journal the confirmation of a cancel step and cancel the order; False if another
        process changed the step first."""
        assert step.preview is not None
        shown = CancelPreview.model_validate(step.preview)
        try:
            self._previews.journal_confirmation(
                state,
                actor,
                step.step_id,
                cancel_text(step.description, shown, state.language),
            )
        except InvalidTransition:
            return False
        self._ctx.crash_point("confirmed")
        self._executor.submit_cancel(state, actor, step.step_id, shown)
        return True

    def _confirm_stop(self, state: SessionState, actor: Actor, step: StepView) -> bool:
        """Journal the confirmation of a stop step, with the sentence shown; False if
        another process changed the step first."""
        assert step.preview is not None
        try:
            self._previews.journal_confirmation(
                state,
                actor,
                step.step_id,
                stop_summary(StopPreview.model_validate(step.preview), state.language),
            )
        except InvalidTransition:
            return False
        self._ctx.crash_point("confirmed")
        return True


_CONFIRM_ATTEMPTS = 5
