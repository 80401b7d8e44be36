"""The embedded journal: one SQLite file in WAL mode."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from execution.clock import Clock
from execution.errors import JournalError
from execution.journal.chain import (
    GENESIS_HASH,
    Event,
    SessionSummary,
    Verification,
    canonical_json,
    chain_event,
    check_limit,
    conflict,
    stored_entries,
    verify_chain,
)
from execution.journal.index import (
    SessionIndex,
    SessionPage,
    SessionQuery,
    dumps,
    index_events,
    loads,
    page_of,
)
from execution.metrics import JOURNAL_APPEND
from execution.stores import immediate_transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    session_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    ts_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
);
CREATE TABLE IF NOT EXISTS session_heads (
    session_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    opened_ms INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    last_hash TEXT NOT NULL,
    last_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS session_heads_owner ON session_heads (owner, opened_ms);
-- The session index (execution.journal.index), written in the transaction of the events
-- it covers: one row per session (``data``: its JSON; ``member``: its place in time order)
-- and one row per tag it carries (owner, state, symbol, flag, said).
CREATE TABLE IF NOT EXISTS session_index (
    session_id TEXT PRIMARY KEY,
    member TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS session_index_member ON session_index (member);
CREATE TABLE IF NOT EXISTS session_tags (
    tag TEXT NOT NULL,
    member TEXT NOT NULL,
    session_id TEXT NOT NULL,
    PRIMARY KEY (tag, member)
) WITHOUT ROWID;
"""


#: Each append's time (the metric ``tradeassist_journal_append_seconds``).
_APPEND_TIME = JOURNAL_APPEND.labels("sqlite")


class SQLiteJournal:
    """The embedded journal: one SQLite file in WAL mode.

    Durability: ``synchronous=FULL`` by default, so an acknowledged append survives a
    power loss; ``NORMAL`` survives a process crash but may lose the last appends on
    power loss. The first event of a session must carry ``payload["owner"]``.
    """

    def __init__(self, path: Path | str, clock: Clock, *, synchronous: str = "FULL") -> None:
        if synchronous not in {"FULL", "NORMAL", "OFF"}:
            raise ValueError(f"synchronous must be FULL, NORMAL or OFF, not {synchronous!r}")
        self._clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=30
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.executescript(_SCHEMA)
        self.backfill_index()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def append(
        self,
        session_id: str,
        kind: str,
        actor: str,
        payload: Mapping[str, Any],
        *,
        expect: tuple[int, str] | None = None,
    ) -> Event:
        with _APPEND_TIME.time():
            return self._append(session_id, kind, actor, payload, expect=expect)

    def append_events(self, events: Sequence[Event]) -> None:
        with _APPEND_TIME.time():
            self._append_events(events)

    def _append(
        self,
        session_id: str,
        kind: str,
        actor: str,
        payload: Mapping[str, Any],
        *,
        expect: tuple[int, str] | None = None,
    ) -> Event:
        with self._lock:
            try:
                with immediate_transaction(self._db):
                    current = self._head(session_id)
                    if expect is not None and current != expect:
                        raise conflict(session_id, current, expect, repr(kind))
                    # The time is read after the head is known, so a later entry never
                    # carries an earlier time than the one it follows.
                    event = chain_event(
                        session_id, current, self._clock.now_ms(), kind, actor, payload
                    )
                    self._store(current, [event])
            except sqlite3.Error as exc:
                raise JournalError(f"could not append {kind!r} to {session_id!r}: {exc}") from exc
        return event

    def _append_events(self, events: Sequence[Event]) -> None:
        stored_entries(events)  # checks the segment
        first = events[0]
        expect = (first.seq - 1, first.prev_hash)
        with self._lock:
            try:
                with immediate_transaction(self._db):
                    current = self._head(first.session_id)
                    if current != expect:
                        raise conflict(first.session_id, current, expect, f"{len(events)} entries")
                    self._store(current, events)
            except sqlite3.Error as exc:
                raise JournalError(
                    f"could not append {len(events)} entries to {first.session_id!r}: {exc}"
                ) from exc

    def _head(self, session_id: str) -> tuple[int, str]:
        head = self._db.execute(
            "SELECT last_seq, last_hash FROM session_heads WHERE session_id = ?", (session_id,)
        ).fetchone()
        return (-1, GENESIS_HASH) if head is None else (int(head[0]), str(head[1]))

    def _store(self, current: tuple[int, str], events: Sequence[Event]) -> None:
        """Insert a checked segment that follows ``current``; the caller's transaction."""
        first, last = events[0], events[-1]
        if current[0] < 0:
            owner = first.payload.get("owner")
            if not isinstance(owner, str) or not owner:
                raise JournalError(
                    f"the first event of session {first.session_id!r} must name its owner"
                )
            self._db.execute(
                "INSERT INTO session_heads VALUES (?, ?, ?, ?, ?, ?)",
                (first.session_id, owner, first.ts_ms, -1, GENESIS_HASH, first.ts_ms),
            )
        self._db.executemany(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    e.session_id,
                    e.seq,
                    e.ts_ms,
                    e.kind,
                    e.actor,
                    canonical_json(e.payload),
                    e.prev_hash,
                    e.hash,
                )
                for e in events
            ],
        )
        self._db.execute(
            "UPDATE session_heads SET last_seq = ?, last_hash = ?, last_ms = ? "
            "WHERE session_id = ?",
            (last.seq, last.hash, last.ts_ms, last.session_id),
        )
        self._index(first.session_id, events)

    # --- the session index ------------------------------------------------------------

    def _index(self, session_id: str, events: Sequence[Event]) -> None:
        """Move the session's index over ``events``, just stored; the caller's transaction."""
        stored = self._stored_index(session_id)
        prior = stored
        if prior is not None and prior.last_seq != events[0].seq - 1:
            prior = None  # behind (written by a version without the index): start over
        if prior is None and events[0].seq > 0:
            events = self._read(session_id, -1)  # the whole log, this segment included
        self._write_index(stored, index_events(prior, events))

    def _stored_index(self, session_id: str) -> SessionIndex | None:
        row = self._db.execute(
            "SELECT data FROM session_index WHERE session_id = ?", (session_id,)
        ).fetchone()
        return None if row is None else loads(row[0])

    def _write_index(self, stored: SessionIndex | None, index: SessionIndex) -> None:
        """Replace the stored index (and its tags) with ``index``."""
        before = set() if stored is None else stored.tags()
        after = index.tags()
        self._db.execute(
            "INSERT OR REPLACE INTO session_index VALUES (?, ?, ?, ?, ?)",
            (index.session_id, index.member, index.last_seq, index.text, dumps(index)),
        )
        self._db.executemany(
            "DELETE FROM session_tags WHERE tag = ? AND member = ?",
            [(tag, index.member) for tag in before - after],
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO session_tags VALUES (?, ?, ?)",
            [(tag, index.member, index.session_id) for tag in after - before],
        )

    def backfill_index(self) -> int:
        """Index every session whose index is missing or behind its log (a journal written
        before the index existed); idempotent. Returns how many were indexed."""
        with self._lock:
            behind = [
                r[0]
                for r in self._db.execute(
                    "SELECT h.session_id FROM session_heads h LEFT JOIN session_index i "
                    "ON i.session_id = h.session_id "
                    "WHERE i.last_seq IS NULL OR i.last_seq != h.last_seq"
                ).fetchall()
            ]
            for session_id in behind:
                with immediate_transaction(self._db):
                    events = self._read(session_id, -1)
                    if events:
                        stored = self._stored_index(session_id)
                        self._write_index(stored, index_events(None, events))
        return len(behind)

    def search(self, query: SessionQuery) -> SessionPage:
        sql, args = _search_sql(query)
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return page_of(query, [loads(r[0]) for r in rows])

    def read(self, session_id: str, after_seq: int = -1, limit: int | None = None) -> list[Event]:
        check_limit(limit)
        with self._lock:
            return self._read(session_id, after_seq, limit)

    def _read(self, session_id: str, after_seq: int, limit: int | None = None) -> list[Event]:
        # LIMIT -1: no limit; the primary key (session_id, seq) serves the range.
        rows = self._db.execute(
            "SELECT session_id, seq, ts_ms, kind, actor, payload, prev_hash, hash "
            "FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            (session_id, after_seq, -1 if limit is None else limit),
        ).fetchall()
        return [
            Event(r[0], int(r[1]), int(r[2]), r[3], r[4], json.loads(r[5]), r[6], r[7])
            for r in rows
        ]

    def sessions(self, owner: str | None = None) -> list[SessionSummary]:
        query = "SELECT session_id, owner, opened_ms, last_seq, last_ms FROM session_heads"
        args: tuple[str, ...] = ()
        if owner is not None:
            query += " WHERE owner = ?"
            args = (owner,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY opened_ms DESC, session_id", args).fetchall()
        return [SessionSummary(r[0], r[1], int(r[2]), int(r[3]) + 1, int(r[4])) for r in rows]

    def verify(self, session_id: str) -> Verification:
        events = self.read(session_id)
        result = verify_chain(session_id, events)
        with self._lock:
            head = self._db.execute(
                "SELECT last_seq, last_hash FROM session_heads WHERE session_id = ?",
                (session_id,),
            ).fetchone()
        if head is None:
            return result
        # A deleted tail leaves a valid-looking chain; the head remembers the last entry.
        last = (events[-1].seq, events[-1].hash) if events else (-1, GENESIS_HASH)
        if (int(head[0]), head[1]) != last:
            problems = (
                *result.problems,
                f"chain head is entry {head[0]} but the log ends at entry {last[0]}: "
                "entries were removed or replaced",
            )
            return Verification(session_id, False, len(events), problems)
        return result


def _search_sql(query: SessionQuery) -> tuple[str, list[object]]:
    """The query as one SELECT of index rows in newest-first order: it walks the first
    tag's rows (the most selective filter) backwards and checks the rest per row."""
    tags = query.tags()
    args: list[object] = []
    where: list[str] = []
    if tags:
        sql = (
            "SELECT i.data FROM session_tags t JOIN session_index i ON i.session_id = t.session_id"
        )
        member = "t.member"
        where.append("t.tag = ?")
        args.append(tags[0])
        for tag in tags[1:]:
            where.append(
                "EXISTS (SELECT 1 FROM session_tags o WHERE o.tag = ? AND o.member = t.member)"
            )
            args.append(tag)
    else:
        sql, member = "SELECT i.data FROM session_index i", "i.member"
    upper, lower = query.upper_member(), query.lower_member()
    if upper is not None:
        where.append(f"{member} < ?")
        args.append(upper)
    if lower is not None:
        where.append(f"{member} >= ?")
        args.append(lower)
    needle = query.needle
    if needle is not None:
        where.append("instr(i.text, ?) > 0")
        args.append(needle)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {member} DESC LIMIT ?"
    args.append(query.limit + 1)
    return sql, args
