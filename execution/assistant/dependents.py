"""Steps that wait on another: a sell of what a buy bought is previewed again, with its own
token, on what that buy actually yielded; if the buy failed or was rejected, it is skipped.
A bracket's exits (mandates) are skipped if the entry bought nothing.

Relies on: the source step's outcome being journaled (filled, failed, ...) before its
dependents are advanced, so a dependent is never previewed on an expected yield.
"""

from __future__ import annotations

import copy
from decimal import Decimal

from execution.actors import Actor
from execution.assistant.context import Context
from execution.assistant.executor import order_yield
from execution.assistant.previews import PendingConfirmation, Previews, StepUpdate
from execution.errors import InvalidTransition, VenueError
from execution.journal import events
from execution.session.lifecycle import TERMINAL_STEP_STATES
from execution.session.state import SessionState, StepView
from intent.models import OrderSpec


class Dependents:
    """Move the steps waiting on a step once that step has ended."""

    def __init__(self, ctx: Context, previews: Previews) -> None:
        self._ctx = ctx
        self._previews = previews

    def advance_dependents(
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
                if step.state not in TERMINAL_STEP_STATES and bought(state, source) == 0:
                    self._ctx.append(
                        state,
                        actor,
                        events.StepSkipped(
                            step_id=step.step_id, reason=f"step {step_id} bought nothing"
                        ),
                    )
                    updates.append(StepUpdate(copy.copy(self._ctx.step(state, step.step_id)), None))
                continue
            if step.state not in ("waiting", "planned"):
                continue
            if source.state in ("filled", "partially_filled") and source.venue_order:
                try:
                    pending = self.preview_dependent(state, actor, step)
                except VenueError as exc:
                    # The order went through; only the next preview failed. The step keeps
                    # waiting and can be previewed again (refresh) on the same yield.
                    self._ctx.append(
                        state,
                        actor,
                        events.PreviewFailed(step_id=step.step_id, error=str(exc)),
                    )
                    pending = None
            elif source.state in ("failed", "rejected", "skipped", "canceled"):
                pending = None
                self._ctx.append(
                    state,
                    actor,
                    events.StepSkipped(
                        step_id=step.step_id, reason=f"step {step_id} {source.state}"
                    ),
                )
            else:
                continue  # still open or unknown: keep waiting
            updates.append(StepUpdate(copy.copy(self._ctx.step(state, step.step_id)), pending))
        return updates

    def preview_dependent(
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
        _, pending = self._previews.preview_step(
            state, actor, step, order, self._ctx.balances(state.owner)["free"]
        )
        return pending


def bought(state: SessionState, source: StepView) -> Decimal | None:
    """What ``source`` (an order step, or a mandate's orders) bought, net of a fee paid
    in it; None while it may still buy more."""
    if source.state not in TERMINAL_STEP_STATES:
        return None
    if source.kind == "mandate":
        return sum(
            (bought(state, c) or Decimal(0) for c in state.children(source.step_id)),
            Decimal(0),
        )
    if source.state in ("filled", "partially_filled") and source.venue_order:
        return order_yield(source.venue_order)
    return Decimal(0)
