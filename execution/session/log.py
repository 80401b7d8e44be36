"""The session journal as the assistant uses it: cached folds and compare-and-set appends.

Several app processes may serve one session (behind a load balancer, on the Redis
journal). Each decision (confirm, reject, preview again, settle an order) is taken on the
session's state as folded up to some journal entry, and is written only if the journal's
head is still that entry. If another process appended first, the state is folded again
with the new entries and the decision's events are checked against the lifecycle tables
again: a confirmation that lost the race to another confirmation of the same step is
refused, never appended. So concurrent confirmations race in the journal, and exactly
one of them wins, whichever process it came from.

**One decision, one write.** An event and the plan transitions it implies are appended
together, as one atomic segment (:meth:`Journal.append_events`). A caller may widen that
to several events with :meth:`SessionLog.batch`: the events are folded into the state as
they are made, so the code in between reads them, and the journal receives them all at
once, all or none, when the batch ends. A batch must end before anything leaves the
process on its strength (an order is sent only after its ``order_submitted`` is stored).

Folds are cached per session and only the entries after the cached head are read, so a
call on a long session does not re-read its whole history.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from execution.clock import Clock
from execution.errors import InvalidTransition, JournalConflict, JournalError
from execution.journal import Event, Journal, chain_event
from execution.journal import events as ev
from execution.session.lifecycle import plan_path, plan_state_for
from execution.session.state import SessionState, fold

_MAX_ATTEMPTS = 50
_CACHE_SIZE = 512


class SessionLog:
    """Per-session locks, cached folds and compare-and-set appends over a journal."""

    def __init__(self, journal: Journal, clock: Clock, cache_size: int = _CACHE_SIZE) -> None:
        self.journal = journal
        self._clock = clock
        # The events of each open batch, by session: folded in, not yet in the journal.
        self._staged: dict[str, list[Event]] = {}
        self._cache: OrderedDict[str, SessionState] = OrderedDict()
        self._cache_size = cache_size
        self._locks: dict[str, threading.RLock] = {}
        self._guard = threading.Lock()

    def lock(self, session_id: str) -> threading.RLock:
        """The lock this process holds while it decides and appends for ``session_id``.

        It only queues this process's threads (one fold, no compare-and-set retries among
        them); it excludes nothing across processes and nothing relies on it to: the
        exclusion is the journal's compare-and-set (:meth:`_write`), which holds however
        many processes serve the session (``tests/web/test_several_processes.py``,
        ``tests/execution/assistant/test_exactly_once_processes.py``)."""
        with self._guard:
            lock = self._locks.get(session_id)
            if lock is None:
                lock = self._locks[session_id] = threading.RLock()
            return lock

    def load(self, session_id: str) -> SessionState:
        """The session folded up to the journal's head; the caller holds :meth:`lock`.

        The returned state is this process's cached copy: it changes only through
        :meth:`append` and :meth:`catch_up`, under the lock."""
        with self._guard:
            state = self._cache.get(session_id)
            if state is not None:
                self._cache.move_to_end(session_id)
        if state is None:
            state = SessionState(session_id)
            self._remember(state)
        self.catch_up(state)
        return state

    def snapshot(self, session_id: str) -> SessionState:
        """A current, private copy of the session's state, for readers.

        If a writer holds the session, the reader does not wait for it (a turn may be
        waiting on a slow parser): it folds the journal afresh instead."""
        lock = self.lock(session_id)
        if lock.acquire(blocking=False):
            try:
                return copy.deepcopy(self.load(session_id))
            finally:
                lock.release()
        return fold(session_id, self.journal.read(session_id))

    def catch_up(self, state: SessionState) -> None:
        """Fold in the entries appended after ``state.head`` (by any process).

        Inside a batch the state is ahead of the journal and the batch's end catches up,
        so this does nothing there."""
        if state.session_id in self._staged:
            return
        events = self.journal.read(state.session_id, after_seq=state.head[0])
        if events and events[0].prev_hash != state.head[1]:
            # The cached fold is not a prefix of the journal (it cannot be, unless the
            # journal was rewritten): fold it afresh and let verification say why.
            self._refold(state)
            return
        try:
            for event in events:
                state.apply(event)
        except Exception:
            self.forget(state.session_id)  # never keep a half-folded state
            raise

    def append(self, state: SessionState, payload: ev.AnyPayload, by: str) -> Event:
        """Append ``payload``'s event, with the plan transitions it implies, if it is valid
        on the journal's current head, and fold it in (inside :meth:`batch`: when it ends).

        Raises :class:`~execution.errors.InvalidTransition` when the event cannot follow
        the session as it now stands (after catching up on other processes' entries)."""
        with self.batch(state):
            return self._stage(state, payload.kind, by, payload.to_json(), payload)

    @contextmanager
    def batch(self, state: SessionState) -> Iterator[None]:
        """Append every event made inside as one segment when the block ends, even if it
        ends with an exception (what was decided before it is kept). Nested batches
        join the outermost. The caller holds the session's lock throughout."""
        if state.session_id in self._staged:
            yield
            return
        staged: list[Event] = []
        self._staged[state.session_id] = staged
        try:
            yield
        finally:
            del self._staged[state.session_id]
            if staged:
                self._write(state, staged)

    def sync_plans(self, state: SessionState) -> None:
        """Record every plan state the steps imply but the journal does not yet say (the
        app may have stopped between a step's event and its plan's, before plan moves
        were written with their step's)."""
        with self.batch(state):
            for plan_id in list(state.plans):
                self._stage_plan(state, plan_id)

    def forget(self, session_id: str) -> None:
        with self._guard:
            self._cache.pop(session_id, None)

    def _stage(
        self,
        state: SessionState,
        kind: str,
        by: str,
        payload: Mapping[str, Any],
        typed: ev.AnyPayload | None = None,
    ) -> Event:
        """Check one event on the state, fold it in and add it (with the plan moves it
        implies) to the open batch. The payload is its kind's model (``typed``, which
        validated it when it was made) or is validated as one here, so nothing the models
        do not describe reaches the journal."""
        if typed is None:
            typed = ev.parse_payload(kind, payload)
        state.check(typed)
        event = chain_event(state.session_id, state.head, self._clock.now_ms(), kind, by, payload)
        try:
            state.apply(event, typed)
        except Exception:
            self.forget(state.session_id)  # the batch's end folds the journal afresh
            raise
        self._staged[state.session_id].append(event)
        step_id = event.payload.get("step_id")
        if kind != ev.PLAN_UPDATED and isinstance(step_id, str) and step_id in state.steps:
            self._stage_plan(state, state.steps[step_id].plan_id)
        return event

    def _stage_plan(self, state: SessionState, plan_id: str) -> None:
        steps = [
            s.state
            for s in state.steps.values()
            if s.plan_id == plan_id and s.superseded_by is None
        ]
        for plan_state in plan_path(state.plan_states[plan_id], plan_state_for(steps)):
            moved = ev.PlanUpdated(plan_id=plan_id, state=plan_state)
            self._stage(state, moved.kind, "assistant", moved.to_json(), moved)

    def _write(self, state: SessionState, staged: list[Event]) -> None:
        """Store a batch; if another process appended first, fold the journal afresh and
        make the batch's events again on it (its plan moves are worked out anew). An event
        that no longer fits raises InvalidTransition, and then nothing of the batch is
        stored and the state is the journal's again."""
        try:
            for _ in range(_MAX_ATTEMPTS):
                try:
                    self.journal.append_events(staged)
                    return
                except JournalConflict:
                    self._refold(state)
                decided = [e for e in staged if e.kind != ev.PLAN_UPDATED]
                plans = {e.payload["plan_id"] for e in staged if e.kind == ev.PLAN_UPDATED}
                staged = self._staged[state.session_id] = []
                try:
                    for event in decided:
                        self._stage(state, event.kind, event.actor, event.payload)
                    for plan_id in sorted(plans):
                        self._stage_plan(state, plan_id)
                except InvalidTransition:
                    self._refold(state)
                    raise
                finally:
                    del self._staged[state.session_id]
                if not staged:
                    return
            raise JournalError(
                f"could not append {staged[0].kind!r} to {state.session_id!r}: the session "
                f"kept moving ({_MAX_ATTEMPTS} attempts)"
            )
        except InvalidTransition:
            raise  # the state was folded afresh: it is the journal's, and stays cached
        except BaseException:
            self.forget(state.session_id)  # the state may hold events the journal does not
            raise

    def _refold(self, state: SessionState) -> None:
        """Replace ``state`` (in place: callers hold it) with a fold of the whole journal."""
        try:
            fresh = fold(state.session_id, self.journal.read(state.session_id))
        except Exception:
            self.forget(state.session_id)
            raise
        state.__dict__.update(fresh.__dict__)

    def _remember(self, state: SessionState) -> None:
        # Locks are kept when a fold is evicted: a thread may be about to take one.
        with self._guard:
            self._cache[state.session_id] = state
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
