"""Previews and checkpoints: a step previewed on the venue now, checked against the policy,
journaled with every input a replay needs, and the single-use token that lets the customer
confirm exactly that preview.

Relies on: the token is bound to the preview's hash, the session's owner, the expiry and the
policy version (:mod:`execution.checkpoints`), so a confirmation can only be of what was
shown; and on :class:`SessionLog` refusing a preview of a step another process moved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from execution.actors import Actor
from execution.assistant.context import Context, jsonable
from execution.assistant.texts import cancel_text, confirmation_text, stop_text
from execution.checkpoints import Binding
from execution.clock import iso
from execution.errors import ConfirmationRefused, StepNotConfirmable, TokenReused
from execution.i18n import Locale
from execution.journal import events
from execution.preview.pipeline import StepEvaluation
from execution.preview.simulator import CancelPreview, StepPreview, preview_cancel
from execution.preview.stop import StopPreview, preview_stop
from execution.session.lifecycle import UNSENT_STEP_STATES
from execution.session.state import SessionState, StepView
from intent.models import Mandate, Model, OrderSpec


class PendingConfirmation(Model):
    """A step awaiting the customer's yes, with the token bound to its preview."""

    step_id: str
    token: str
    expires_ms: int
    expires_at: str
    preview_hash: str
    summary: str


@dataclass(frozen=True, slots=True)
class StepUpdate:
    """A step whose state changed as a consequence, with its new token if it has one."""

    step: StepView
    pending: PendingConfirmation | None


class Previews:
    """Preview steps, journal them, and issue and check the tokens that confirm them."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def preview_step(
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
        evaluation = self._ctx.evaluate(state.owner, step.step_id, order, balances, mandate)
        return evaluation.preview, self.record_preview(state, actor, step, evaluation, waiting)

    def record_preview(
        self,
        state: SessionState,
        actor: Actor,
        step: StepView,
        evaluation: StepEvaluation,
        waiting: bool = False,
        requote: events.Requote | None = None,
    ) -> PendingConfirmation | None:
        preview, decision = evaluation.preview, evaluation.decision
        optional: dict[str, Any] = {}  # keys written only when they apply
        if requote is not None:
            optional["requote"] = requote
        self._ctx.append(state, actor, _order_previewed(step, evaluation, waiting, **optional))
        if not decision.allowed:
            self._ctx.append(
                state,
                actor,
                events.PolicyDenied(
                    step_id=step.step_id, decision=decision.model_dump(mode="json")
                ),
            )
        if preview.blocked or waiting:
            return None
        return self._issue(
            state,
            step,
            preview,
            confirmation_text(step.description, preview, state.language),
        )

    def record_repreview(
        self, state: SessionState, actor: Actor, step: StepView, evaluation: StepEvaluation
    ) -> None:
        """Journal the fresh preview made at the confirmation of the preview the step
        shows, found within tolerance of it: the order goes out on it. No token: the
        customer's confirmation of what they saw stands (the caller journals it next, in
        the same segment)."""
        assert step.preview_hash is not None  # a confirmation is of a preview shown
        # (a denial or a blocking warning is a material change: a requote, not this)
        assert evaluation.decision.allowed
        assert not evaluation.preview.blocked
        repreview = events.Repreview(confirms=step.preview_hash)
        self._ctx.append(
            state, actor, _order_previewed(step, evaluation, False, repreview=repreview)
        )

    def _issue(
        self,
        state: SessionState,
        step: StepView,
        preview: StepPreview | CancelPreview | StopPreview,
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
            token=self._ctx.checkpoints.issue(binding),
            expires_ms=preview.expires_ms,
            expires_at=iso(preview.expires_ms),
            preview_hash=preview_hash,
            summary=summary,
        )

    def preview_cancel(
        self, state: SessionState, actor: Actor, step: StepView
    ) -> tuple[CancelPreview, PendingConfirmation]:
        """Preview a cancel step (the order it names, the funds it frees) and journal it."""
        assert step.cancel_order_id is not None  # a cancel step names its order
        order = OrderSpec.model_validate(step.order)
        preview = preview_cancel(
            step.step_id,
            step.cancel_order_id,
            order,
            policy_version=self._ctx.policy().version,
            now_ms=self._ctx.clock.now_ms(),
            ttl_ms=self._ctx.ttl_ms,
        )
        self._ctx.append(
            state,
            actor,
            _previewed(
                step,
                preview,
                order,
                blocked=False,
                waiting=False,
                cancel=events.CancelTarget(order_id=step.cancel_order_id),
            ),
        )
        return preview, self._issue(
            state,
            step,
            preview,
            cancel_text(step.description, preview, state.language),
        )

    def preview_stop(
        self, state: SessionState, actor: Actor, step: StepView
    ) -> tuple[StopPreview, PendingConfirmation | None]:
        """Preview a stop step (the standing order it names, as it stands now: how many of
        its orders are placed) and journal it. No token if the standing order has ended
        meanwhile: there is nothing left to stop, and the preview says its state."""
        assert step.stop is not None  # a stop step names its mandate
        session_id, target_id = str(step.stop["session_id"]), str(step.stop["step_id"])
        target = self._ctx.log.snapshot(session_id)
        mandate = target.steps.get(target_id) if target.owner == state.owner else None
        if mandate is None:
            state_now, placed, total = "not_found", 0, 1
        else:
            placed = sum(1 for c in target.children(target_id) if c.state not in UNSENT_STEP_STATES)
            total = int((mandate.mandate or {}).get("count") or 1)
            state_now = mandate.state
        preview = preview_stop(
            step.step_id,
            session_id=session_id,
            target_step_id=target_id,
            description=str(step.stop["description"]),
            symbol=str(step.order["symbol"]),
            state=state_now,
            orders_placed=placed,
            orders_total=total,
            policy_version=self._ctx.policy().version,
            now_ms=self._ctx.clock.now_ms(),
            ttl_ms=self._ctx.ttl_ms,
        )
        stoppable = state_now in STOPPABLE_MANDATE_STATES
        self._ctx.append(
            state,
            actor,
            _previewed(
                step,
                preview,
                OrderSpec.model_validate(step.order),
                blocked=not stoppable,
                waiting=False,
                stop=events.StopTarget(session_id=session_id, step_id=target_id),
            ),
        )
        if not stoppable:
            return preview, None
        return preview, self._issue(state, step, preview, stop_summary(preview, state.language))

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
            if step.confirmed_by is not None and self._ctx.checkpoints.matches(token, binding):
                raise TokenReused(
                    f"this token was already used: step {step.step_id!r} is "
                    f"{step.state}; nothing more was sent"
                )
            # ("confirming a rejected step said token_reused": no token was used)
            raise StepNotConfirmable(
                f"step {step.step_id!r} is {step.state} and cannot be confirmed; nothing was sent"
            )
        self._ctx.checkpoints.check(token, binding, self._ctx.clock.now_ms())

    def check_token_journaled(
        self, state: SessionState, step: StepView, actor: Actor, token: str
    ) -> None:
        try:
            self._check_token(state, step, actor, token)
        except ConfirmationRefused as exc:
            self.refused(state, actor, step.step_id, exc)
            raise

    def admit_refusal(self, state: SessionState, actor: Actor) -> None:
        """Count a refused confirmation of the customer's against the session's bound, before
        anything of it is journaled: past the bound, RateLimited and nothing is journaled.
        The worker's own refusals (a standing order's) are not counted."""
        bounds = self._ctx.bounds
        if bounds is not None and actor.role == "customer":
            bounds.admit_refusal(state.session_id)

    def admit_preview(self, state: SessionState, actor: Actor) -> None:
        """Count a fresh preview the customer asked for against the session's bound:
        past the bound, RateLimited and nothing is journaled."""
        bounds = self._ctx.bounds
        if bounds is not None and actor.role == "customer":
            bounds.admit_preview(state.session_id)

    def refused(
        self,
        state: SessionState,
        actor: Actor,
        step_id: str,
        exc: ConfirmationRefused,
        *,
        admitted: bool = False,
    ) -> None:
        """Journal a refused confirmation; counted against the session's bound first
        (:meth:`admit_refusal`) unless the caller already did (``admitted``)."""
        if not admitted:
            self.admit_refusal(state, actor)
        self._ctx.append(
            state,
            actor,
            events.ConfirmationRefused(
                step_id=step_id,
                code=exc.code,
                message=str(exc),
                user=actor.user_id,
                channel=actor.channel,
            ),
        )

    def journal_confirmation(
        self, state: SessionState, actor: Actor, step_id: str, shown_text: str, **extra: Any
    ) -> None:
        """Journal the confirmation of the preview the step shows now: who, through which
        channel, and the exact text shown. Raises InvalidTransition if another process
        moved the step first."""
        step = state.steps[step_id]
        # (the token check, or the mandate's own preview, ensured the step was previewed)
        assert step.preview_hash is not None
        assert step.policy_version is not None
        self._ctx.append(
            state,
            actor,
            events.StepConfirmed(
                step_id=step_id,
                user=actor.user_id,
                channel=actor.channel,
                preview_hash=step.preview_hash,
                policy_version=step.policy_version,
                shown_text=shown_text,
                **({} if state.locale is None else {"locale": state.locale}),
                **extra,
            ),
        )


#: A mandate in these states is still working, or waiting to: a stop step can stop it.
STOPPABLE_MANDATE_STATES = frozenset(
    {"planned", "awaiting_confirmation", "blocked", "armed", "paused"}
)


def stop_summary(preview: StopPreview, locale: Locale) -> str:
    """The sentence shown next to Confirm for a stop step, and journaled with its yes."""
    return stop_text(
        "stop.shown",
        locale,
        description=preview.description,
        placed=preview.orders_placed,
        total=preview.orders_total,
    )


def _order_previewed(
    step: StepView, evaluation: StepEvaluation, waiting: bool, **optional: Any
) -> events.StepPreviewed:
    """The ``step_previewed`` event of an order step's ``evaluation``, with every input a
    replay needs to re-run it, and ``optional`` keys (a requote, a repreview)."""
    preview, book = evaluation.preview, evaluation.book
    if evaluation.mandate is not None:
        optional["mandate"] = evaluation.mandate.model_dump(mode="json")
    return _previewed(
        step,
        preview,
        evaluation.order,
        blocked=preview.blocked,
        waiting=waiting,
        # The inputs of this preview, so a replay can re-run it exactly.
        venue=evaluation.venue_id,
        market=jsonable(evaluation.market),
        balances={ccy: str(v) for ccy, v in evaluation.balances.items()},
        book={
            "timestamp": book.get("timestamp"),
            # Every level fetched (Simulator book_depth): a preview may walk them all.
            "bids": list(book["bids"]),
            "asks": list(book["asks"]),
        },
        policy=evaluation.decision.model_dump(mode="json"),
        tier=evaluation.tier,
        used_today=str(evaluation.used_today),
        **optional,
    )


def _previewed(
    step: StepView,
    preview: StepPreview | CancelPreview | StopPreview,
    order: OrderSpec,
    *,
    blocked: bool,
    waiting: bool,
    **more: Any,
) -> events.StepPreviewed:
    """The ``step_previewed`` event of ``preview``: what was shown and the hash, expiry and
    policy version a confirmation binds to, with ``more`` (an order's replay inputs, or the
    order a cancel names)."""
    return events.StepPreviewed(
        plan_id=step.plan_id,
        step_id=step.step_id,
        preview=preview.model_dump(mode="json"),
        preview_hash=preview.digest(),
        expires_ms=preview.expires_ms,
        policy_version=preview.policy_version,
        blocked=blocked,
        waiting=waiting,
        order=order.model_dump(mode="json"),
        **more,
    )
