"""Stops: a standing order (a mandate) stopped from the chat, by a ``stop_mandate`` step in
the session where the customer asked, whatever session the mandate is in.

A confirmed stop is carried out in two writes, each under its own session's lock, never
both locks at once: the mandate's ``step_rejected`` (with ``stopped_by`` naming the stop
step) in its session, then the stop step's ``mandate_stopped`` in the stop's session.
Relies on: the stop step staying ``confirmed`` until the second write, so a process that
stops between the two leaves it in flight and the reconciler finishes it
(:meth:`Stops.carry_out` again: the first write is not repeated, since the mandate already
says who stopped it); and on the journal refusing a second ``mandate_stopped``, so the
outcome is recorded once.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from execution.actors import Actor
from execution.assistant.context import Context
from execution.assistant.dependents import Dependents
from execution.assistant.previews import STOPPABLE_MANDATE_STATES
from execution.assistant.texts import stop_text
from execution.errors import InvalidTransition
from execution.i18n import Locale
from execution.i18n.catalogue import render
from execution.journal import events
from execution.session.lifecycle import UNSENT_STEP_STATES
from execution.session.overview import StandingOrder, overview
from execution.session.state import StepView
from intent.models import Mandate, OrderSpec, StandingOrderRef, standing_kind_of


class Stops:
    """The customer's standing orders as a stop names them, and the stop carried out."""

    def __init__(self, ctx: Context, dependents: Dependents) -> None:
        self._ctx = ctx
        self._dependents = dependents

    def standing(self, actor: Actor) -> tuple[StandingOrderRef, ...]:
        """What ``actor`` has standing across their sessions (the orders panel's list), each
        with its kind and order, as a cancel that names one is planned on."""
        self._ctx.require_customer(actor, "see their orders")
        refs: list[StandingOrderRef] = []
        for summary in self._ctx.journal.sessions(owner=actor.user_id):
            state = self._ctx.log.snapshot(summary.session_id)
            for shown in overview([state]).mandates:
                step = state.steps[shown.step_id]
                if step.mandate is None:
                    continue
                order = OrderSpec.model_validate(step.order)
                refs.append(
                    StandingOrderRef(
                        session_id=shown.session_id,
                        step_id=shown.step_id,
                        description=shown.description,
                        kind=standing_kind_of(order, Mandate.model_validate(step.mandate)),
                        order=order,
                        state=shown.state,
                        orders_placed=shown.orders_placed,
                        orders_total=shown.orders_total,
                    )
                )
        return tuple(refs)

    def carry_out(self, session_id: str, step_id: str, actor: Actor) -> StepView:
        """Stop the mandate the confirmed stop step ``step_id`` names, then record the
        outcome on the stop step. Takes one session's lock at a time; the caller holds
        none. A stop step no longer ``confirmed`` was carried out already: returned as is."""
        with self._ctx.log.lock(session_id):
            state = self._ctx.log.load(session_id)
            step = self._ctx.step(state, step_id)
            if step.state != "confirmed" or step.stop is None:
                return copy.copy(step)
            owner, confirmed_by = state.owner, step.confirmed_by or actor.user_id
            target = events.StopTarget(
                session_id=str(step.stop["session_id"]), step_id=str(step.stop["step_id"])
            )
        me = events.StopTarget(session_id=session_id, step_id=step_id)
        outcome = self._stop_mandate(target, me, owner, confirmed_by, actor)
        self._ctx.crash_point("stopped")
        with self._ctx.log.lock(session_id):
            state = self._ctx.log.load(session_id)
            if state.steps[step_id].state == "confirmed":
                try:
                    if outcome is None:
                        self._ctx.append(
                            state,
                            actor,
                            events.OrderFailed(
                                step_id=step_id, error=stop_text("stop.not_found", state.language)
                            ),
                        )
                    else:
                        self._ctx.append(state, actor, outcome)
                except InvalidTransition:
                    pass  # another process recorded it first: once is enough
            return copy.copy(self._ctx.step(state, step_id))

    def _stop_mandate(
        self,
        target: events.StopTarget,
        me: events.StopTarget,
        owner: str,
        confirmed_by: str,
        actor: Actor,
    ) -> events.MandateStopped | None:
        """Reject the mandate ``target`` (under its session's lock) unless it has ended or
        this stop already did; the outcome to record on the stop step (None: not found)."""
        with self._ctx.log.lock(target.session_id):
            state = self._ctx.log.load(target.session_id)
            mandate = state.steps.get(target.step_id)
            if state.owner != owner or mandate is None or mandate.kind != "mandate":
                return None  # (never someone else's: the stop step's owner must own it)
            outcome: str = "ended"
            if mandate.stopped_by == me.model_dump():
                outcome = "stopped"  # this stop did it before the process stopped
            elif mandate.state in STOPPABLE_MANDATE_STATES:
                try:
                    self._ctx.append(
                        state,
                        actor,
                        events.StepRejected(
                            step_id=target.step_id,
                            user=confirmed_by,
                            channel=actor.channel,
                            stopped_by=me,
                        ),
                    )
                    outcome = "stopped"
                    self._dependents.advance_dependents(state, actor, target.step_id)
                except InvalidTransition:
                    outcome = "ended"  # the worker ended it first: nothing left to stop
            mandate = state.steps[target.step_id]
            placed = sum(
                1 for c in state.children(target.step_id) if c.state not in UNSENT_STEP_STATES
            )
            return events.MandateStopped(
                step_id=me.step_id,
                target=target,
                outcome="stopped" if outcome == "stopped" else "ended",
                state=mandate.state,
                orders_placed=placed,
                orders_total=int((mandate.mandate or {}).get("count") or 1),
            )


def listed(standing: Sequence[StandingOrderRef | StandingOrder], locale: Locale) -> str:
    """Standing orders as the customer reads them: plain descriptions, no ids (a stop's
    question, and the answer to "what orders do I have")."""
    return render("list.join", locale).join(
        stop_text(
            "answer.standing_order",
            locale,
            description=ref.description,
            state=stop_text(f"state.{ref.state}", locale),
            placed=ref.orders_placed,
            total=ref.orders_total,
        )
        for ref in standing
    )
