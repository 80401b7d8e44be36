"""The journal's one contract, whatever stores it (:mod:`~execution.journal.sqlite`,
:mod:`~execution.journal.redis`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from execution.journal.chain import Event, SessionSummary, Verification
from execution.journal.index import SessionPage, SessionQuery


class Journal(Protocol):
    """Where events are appended and read back; one contract for every backend."""

    def append(
        self,
        session_id: str,
        kind: str,
        actor: str,
        payload: Mapping[str, Any],
        *,
        expect: tuple[int, str] | None = None,
    ) -> Event:
        """Append after the head; with ``expect`` (seq, hash), only if the head is still
        that entry (``(-1, GENESIS_HASH)``: no entry yet), else raise JournalConflict."""
        ...

    def append_events(self, events: Sequence[Event]) -> None:
        """Store entries built with :func:`chain_event` in one atomic step, all or none,
        if the first follows the session's head; else raise JournalConflict. One decision
        (an event and the plan transitions it implies, or a whole reply) is one step."""
        ...

    def read(self, session_id: str, after_seq: int = -1, limit: int | None = None) -> list[Event]:
        """The session's events with ``seq > after_seq``, in order; at most ``limit`` of
        them (None: all). ``read(s, seq - 1, 1)`` is the one entry at ``seq``."""
        ...

    def sessions(self, owner: str | None = None) -> list[SessionSummary]: ...

    def search(self, query: SessionQuery) -> SessionPage:
        """The sessions the query matches, newest first (by opening time, then id), one
        page from the session index (:mod:`~execution.journal.index`), which each append
        keeps in the same atomic step as its events."""
        ...

    def verify(self, session_id: str) -> Verification: ...
