"""The journal: an append-only, hash-chained log of events per session.

Each entry's hash covers its session, sequence number, time, kind, actor, payload and
the previous entry's hash, so an edited, reordered or deleted entry breaks the chain.
Session state is a fold over these events (:mod:`execution.session_state`).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from execution.clock import Clock
from execution.errors import JournalConflict, JournalError
from execution.stores import immediate_transaction

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8 kept."""
    return _canonical(value)


# canonical_json's settings, built once: json.dumps builds an encoder per call otherwise.
_canonical = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def entry_hash(
    session_id: str,
    seq: int,
    ts_ms: int,
    kind: str,
    actor: str,
    payload: Mapping[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 over the canonical JSON of the entry's fields other than its hash."""
    return hash_and_entry(session_id, seq, ts_ms, kind, actor, _canonical(payload), prev_hash)[0]


def hash_and_entry(
    session_id: str, seq: int, ts_ms: int, kind: str, actor: str, payload_json: str, prev: str
) -> tuple[str, str]:
    """The entry hash and the entry's canonical JSON (``canonical_json(event.to_json())``),
    from the payload already serialised.

    The hashed body is the canonical JSON of the entry without ``"hash"``, built by hand
    so the payload is serialised once; the stored entry is that body with ``"hash"``
    spliced in where sorting puts it, between ``"actor"`` and ``"kind"`` (the tests hold
    both to ``canonical_json``)."""
    head = f'{{"actor":{_canonical(actor)},'
    tail = (
        f'"kind":{_canonical(kind)},"payload":{payload_json},"prev_hash":{_canonical(prev)},'
        f'"seq":{seq},"session_id":{_canonical(session_id)},"ts_ms":{ts_ms}}}'
    )
    digest = hashlib.sha256((head + tail).encode()).hexdigest()
    return digest, f'{head}"hash":"{digest}",{tail}'


@dataclass(frozen=True, slots=True)
class Event:
    """One journal entry. ``payload`` is JSON data (decimals as strings)."""

    session_id: str
    seq: int
    ts_ms: int
    kind: str
    actor: str
    payload: Mapping[str, Any]
    prev_hash: str
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "seq": self.seq,
            "ts_ms": self.ts_ms,
            "kind": self.kind,
            "actor": self.actor,
            "payload": dict(self.payload),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def chain_event(
    session_id: str,
    after: tuple[int, str],
    ts_ms: int,
    kind: str,
    actor: str,
    payload: Mapping[str, Any],
) -> Event:
    """The entry that follows ``after`` (seq, hash), for :meth:`Journal.append_events`.

    The payload is stored as it will be read back (a round trip through JSON), so this
    fails early on what JSON cannot hold."""
    payload_json = _canonical(payload)
    seq, prev = after[0] + 1, after[1]
    digest, _ = hash_and_entry(session_id, seq, ts_ms, kind, actor, payload_json, prev)
    return Event(session_id, seq, ts_ms, kind, actor, json.loads(payload_json), prev, digest)


def stored_entries(events: Sequence[Event]) -> list[str]:
    """Each entry's canonical JSON, after refusing a segment that is empty, spans
    sessions, or does not chain by itself: each entry must follow the one before and
    match its own hash (a caller's bug, never a race). So a backend stores only entries
    :func:`verify_chain` will accept."""
    if not events:
        raise JournalError("nothing to append: the segment is empty")
    first = events[0]
    entries: list[str] = []
    for before, event in zip((None, *events), events, strict=False):
        if event.session_id != first.session_id:
            raise JournalError(
                f"a segment belongs to one session: {event.session_id!r} after {first.session_id!r}"
            )
        if before is not None and (event.seq, event.prev_hash) != (before.seq + 1, before.hash):
            raise JournalError(
                f"entry {event.seq} ({event.kind}) of {event.session_id!r} does not follow "
                f"entry {before.seq}"
            )
        digest, entry = hash_and_entry(
            event.session_id,
            event.seq,
            event.ts_ms,
            event.kind,
            event.actor,
            _canonical(event.payload),
            event.prev_hash,
        )
        if digest != event.hash:
            raise JournalError(
                f"entry {event.seq} ({event.kind}) of {event.session_id!r} does not match its hash"
            )
        entries.append(entry)
    return entries


@dataclass(frozen=True, slots=True)
class Verification:
    """The result of checking one session's chain."""

    session_id: str
    ok: bool
    events: int
    problems: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SessionSummary:
    session_id: str
    owner: str
    opened_ms: int
    events: int
    last_ms: int


def verify_chain(session_id: str, events: list[Event]) -> Verification:
    """Recompute every hash and link; name each entry that does not match."""
    problems: list[str] = []
    prev = GENESIS_HASH
    for expected_seq, event in enumerate(events):
        if event.seq != expected_seq:
            problems.append(f"entry {expected_seq}: found seq {event.seq!r} (missing entry?)")
        if event.prev_hash != prev:
            problems.append(f"entry {event.seq}: prev_hash does not link to the entry before")
        recomputed = entry_hash(
            event.session_id,
            event.seq,
            event.ts_ms,
            event.kind,
            event.actor,
            event.payload,
            event.prev_hash,
        )
        if recomputed != event.hash:
            problems.append(f"entry {event.seq} ({event.kind}): content does not match its hash")
        prev = event.hash
    return Verification(session_id, not problems, len(events), tuple(problems))


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

    def read(self, session_id: str, after_seq: int = -1) -> list[Event]:
        """The session's events with ``seq > after_seq``, in order."""
        ...

    def sessions(self, owner: str | None = None) -> list[SessionSummary]: ...

    def verify(self, session_id: str) -> Verification: ...


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
"""


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

    def append_events(self, events: Sequence[Event]) -> None:
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

    def read(self, session_id: str, after_seq: int = -1) -> list[Event]:
        with self._lock:
            rows = self._db.execute(
                "SELECT session_id, seq, ts_ms, kind, actor, payload, prev_hash, hash "
                "FROM events WHERE session_id = ? AND seq > ? ORDER BY seq",
                (session_id, after_seq),
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


def conflict(
    session_id: str, head: tuple[int, str], expect: tuple[int, str], what: str, why: str = ""
) -> JournalConflict:
    """The refusal of an append decided on ``expect`` when the session's head is ``head``."""
    return JournalConflict(
        f"session {session_id!r} is at entry {head[0]}, not the expected entry {expect[0]}"
        f"{why}; {what} was not appended",
        head,
    )
