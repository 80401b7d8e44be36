"""The hash chain: each entry's hash covers its session, sequence number, time, kind, actor,
payload and the previous entry's hash, so an edited, reordered or deleted entry breaks it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from execution.errors import JournalConflict, JournalError

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


def check_limit(limit: int | None) -> None:
    """Refuse a negative page size given to :meth:`Journal.read` (None: no limit)."""
    if limit is not None and limit < 0:
        raise JournalError(f"a read's limit must be at least 0 (or None), not {limit!r}")


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


def verify_chain(
    session_id: str, events: list[Event], after: tuple[int, str] = (-1, GENESIS_HASH)
) -> Verification:
    """Recompute every hash and link; name each entry that does not match.

    ``events`` are the entries that follow ``after`` (seq, hash): the whole log by default,
    or one page of it, whose first entry must link to the hash of the entry before it."""
    problems: list[str] = []
    prev = after[1]
    for expected_seq, event in enumerate(events, start=after[0] + 1):
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


def conflict(
    session_id: str, head: tuple[int, str], expect: tuple[int, str], what: str, why: str = ""
) -> JournalConflict:
    """The refusal of an append decided on ``expect`` when the session's head is ``head``."""
    return JournalConflict(
        f"session {session_id!r} is at entry {head[0]}, not the expected entry {expect[0]}"
        f"{why}; {what} was not appended",
        head,
    )
