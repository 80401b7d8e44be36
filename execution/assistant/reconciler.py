"""Reconciliation: settle every step left in flight with the venue, by its clientOrderId.
Run at start-up and by the worker; nothing is ever sent from here.

Relies on: ``order_submitted`` being journaled before a send (a step confirmed but never
journaled as submitted was never sent), and the deterministic clientOrderId (a step's order
can be found however the process that sent it died).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from execution.actors import SYSTEM
from execution.assistant.context import Context, jsonable
from execution.assistant.dependents import Dependents
from execution.assistant.executor import Executor, client_order_id
from execution.assistant.reservations import Reservations
from execution.assistant.stops import Stops
from execution.errors import OrderNotFound, VenueError
from execution.journal import events
from execution.journal.index import sessions_in
from execution.preview.simulator import CancelPreview
from execution.session.lifecycle import IN_FLIGHT_STEP_STATES
from execution.session.state import SessionState, StepView


class Reconciler:
    """Settle in-flight steps with what the venue says."""

    def __init__(
        self,
        ctx: Context,
        executor: Executor,
        reservations: Reservations,
        dependents: Dependents,
        stops: Stops,
    ) -> None:
        self._ctx = ctx
        self._stops = stops
        self._executor = executor
        self._reservations = reservations
        self._dependents = dependents

    def reconcile(self, *, grace_ms: int = 0) -> ReconcileReport:
        """Settle every step left in flight with the venue, by its clientOrderId.

        Run at start-up (and by the worker): a step confirmed but never journaled as sent
        was not sent; one sent but not acknowledged is looked up; a resting order's later
        status is recorded. Steps whose last event is younger than ``grace_ms`` are left to
        the process that may still be working on them. Nothing is ever sent from here."""
        report = ReconcileReport()
        now = self._ctx.clock.now_ms()
        # Only the sessions the index says have a step in flight (not every session).
        for session_id in sessions_in(self._ctx.journal.search, IN_FLIGHT_STEP_STATES):
            stops: list[str] = []  # confirmed stop steps: finished once the lock is released
            with self._ctx.log.lock(session_id):
                state = self._ctx.log.load(session_id)
                for step in list(state.steps.values()):
                    if step.state not in IN_FLIGHT_STEP_STATES or now - step.updated_ms < grace_ms:
                        continue
                    report.checked += 1
                    if step.kind == "stop_mandate":
                        stops.append(step.step_id)
                        continue
                    try:
                        settled = self._reconcile_step(state, step)
                    except VenueError as exc:
                        report.unsettled.append(f"{state.session_id}/{step.step_id}: {exc}")
                        continue
                    if settled:
                        report.settled.append(
                            f"{state.session_id}/{step.step_id}: {state.steps[step.step_id].state}"
                        )
                        self._dependents.advance_dependents(state, SYSTEM, step.step_id)
                    elif step.state != "open":
                        report.unsettled.append(f"{state.session_id}/{step.step_id}: unknown")
                self._ctx.log.sync_plans(state)
            for step_id in stops:
                # The app stopped between a stop's confirmation and its outcome: finish it
                # (the customer's yes stands; stopping sends nothing).
                stopped = self._stops.carry_out(session_id, step_id, SYSTEM)
                report.settled.append(f"{session_id}/{step_id}: {stopped.state}")
        return report

    def _reconcile_step(self, state: SessionState, step: StepView) -> bool:
        """Journal what the venue says about one in-flight step; True if it moved."""
        if step.kind == "cancel_order":
            assert step.preview is not None
            shown = CancelPreview.model_validate(step.preview)
            if step.state == "confirmed":  # the cancel was never journaled as sent
                self._ctx.append(
                    state,
                    SYSTEM,
                    events.OrderFailed(
                        step_id=step.step_id, error="not sent: the app stopped first"
                    ),
                )
                return True
            return self._executor.settle_cancel(
                state, SYSTEM, step.step_id, shown, "the app stopped before the venue answered"
            )
        symbol = str((step.previewed_order or step.order)["symbol"])
        if step.state == "confirmed":
            # Confirmed, but the send was never journaled, so it was never sent: the
            # order must not exist. Check anyway before saying so.
            try:
                order = self._executor.order_by_client_id(state, step.step_id, symbol)
            except OrderNotFound:
                self._ctx.append(
                    state,
                    SYSTEM,
                    events.OrderFailed(
                        step_id=step.step_id,
                        error="not sent: the app stopped after the confirmation and "
                        "before sending; nothing was sent. Ask for a new preview",
                    ),
                )
                self._reservations.release_for(state, step.step_id)
                return True
            self._ctx.append(
                state,
                SYSTEM,
                events.OrderSubmitted(
                    step_id=step.step_id,
                    client_order_id=client_order_id(state.session_id, step.step_id),
                    recovered=True,
                ),
            )
            self._ctx.append(
                state,
                SYSTEM,
                events.OrderAccepted(step_id=step.step_id, order=jsonable(order)),
            )
            return True
        if step.state == "submitted":
            return self._executor.settle_by_lookup(
                state, SYSTEM, step.step_id, symbol, "the app stopped before the venue answered"
            )
        order = self._executor.order_by_client_id(state, step.step_id, symbol)
        known = step.venue_order or {}
        if (order.get("status"), order.get("filled")) == (known.get("status"), known.get("filled")):
            return False
        self._ctx.append(
            state, SYSTEM, events.OrderUpdated(step_id=step.step_id, order=jsonable(order))
        )
        return True


@dataclass
class ReconcileReport:
    """What a reconciliation pass found: steps checked, settled and still unknown."""

    checked: int = 0
    settled: list[str] = field(default_factory=list)
    unsettled: list[str] = field(default_factory=list)
