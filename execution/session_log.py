"""The session journal as the assistant uses it: cached folds and compare-and-set appends.

Several app processes may serve one session (behind a load balancer, on the Redis
journal). Each decision (confirm, reject, preview again, settle an order) is taken on the
session's state as folded up to some journal entry, and :meth:`SessionLog.append` writes
it only if the journal's head is still that entry. If another process appended first,
the state catches up on the new entries and the event is checked against the lifecycle
tables again: a confirmation that lost the race to another confirmation of the same step
is refused, never appended. So concurrent confirmations race in the journal, and exactly
one of them wins, whichever process it came from.

Folds are cached per session and only the entries after the cached head are read, so a
call on a long session does not re-read its whole history.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from execution import session_state as ev
from execution.errors import InvalidTransition, JournalConflict, JournalError
from execution.journal import Event, Journal
from execution.lifecycle import plan_path, plan_state_for
from execution.session_state import SessionState

_MAX_ATTEMPTS = 50
_CACHE_SIZE = 512


class SessionLog:
    """Per-session locks, cached folds and compare-and-set appends over a journal."""

    def __init__(self, journal: Journal, cache_size: int = _CACHE_SIZE) -> None:
        self.journal = journal
        self._cache: OrderedDict[str, SessionState] = OrderedDict()
        self._cache_size = cache_size
        self._locks: dict[str, threading.RLock] = {}
        self._guard = threading.Lock()

    def lock(self, session_id: str) -> threading.RLock:
        """The lock this process holds while it decides and appends for ``session_id``."""
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
        state = SessionState(session_id)
        for event in self.journal.read(session_id):
            state.apply(event)
        return state

    def catch_up(self, state: SessionState) -> None:
        """Fold in the entries appended after ``state.head`` (by any process)."""
        events = self.journal.read(state.session_id, after_seq=state.head[0])
        if events and events[0].prev_hash != state.head[1]:
            # The cached fold is not a prefix of the journal (it cannot be, unless the
            # journal was rewritten): fold it afresh and let verification say why.
            fresh = SessionState(state.session_id)
            events = self.journal.read(state.session_id)
            state.__dict__.update(fresh.__dict__)
        try:
            for event in events:
                state.apply(event)
        except Exception:
            self.forget(state.session_id)  # never keep a half-folded state
            raise

    def append(self, state: SessionState, kind: str, by: str, payload: Mapping[str, Any]) -> Event:
        """Append ``kind`` if it is valid on the journal's current head, and fold it in.

        Raises :class:`~execution.errors.InvalidTransition` when the event cannot follow
        the session as it now stands (after catching up on other processes' entries)."""
        for _ in range(_MAX_ATTEMPTS):
            state.check(kind, payload)
            try:
                event = self.journal.append(state.session_id, kind, by, payload, expect=state.head)
            except JournalConflict:
                self.catch_up(state)
                continue
            try:
                state.apply(event)
            except Exception:
                self.forget(state.session_id)
                raise
            if kind != ev.PLAN_UPDATED:
                self._sync_plan(state, event)
            return event
        raise JournalError(
            f"could not append {kind!r} to {state.session_id!r}: the session kept moving "
            f"({_MAX_ATTEMPTS} attempts)"
        )

    def sync_plans(self, state: SessionState) -> None:
        """Record every plan state the steps imply but the journal does not yet say (the
        app may have stopped between a step's event and its plan's)."""
        for plan_id in list(state.plans):
            self._advance_plan(state, plan_id)

    def forget(self, session_id: str) -> None:
        with self._guard:
            self._cache.pop(session_id, None)

    def _sync_plan(self, state: SessionState, event: Event) -> None:
        step_id = event.payload.get("step_id")
        if isinstance(step_id, str) and step_id in state.steps:
            self._advance_plan(state, state.steps[step_id].plan_id)

    def _advance_plan(self, state: SessionState, plan_id: str) -> None:
        """Append the plan transitions its steps imply, one at a time. Another process may
        record the same transition first; then the state has caught up, and the path is
        computed again from there."""
        for _ in range(_MAX_ATTEMPTS):
            steps = [
                s.state
                for s in state.steps.values()
                if s.plan_id == plan_id and s.superseded_by is None
            ]
            path = plan_path(state.plan_states[plan_id], plan_state_for(steps))
            if not path:
                return
            try:
                self.append(
                    state, ev.PLAN_UPDATED, "assistant", {"plan_id": plan_id, "state": path[0]}
                )
            except InvalidTransition:
                continue
        raise JournalError(f"plan {plan_id!r} of {state.session_id!r} kept changing")

    def _remember(self, state: SessionState) -> None:
        # Locks are kept when a fold is evicted: a thread may be about to take one.
        with self._guard:
            self._cache[state.session_id] = state
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
