"""The shared journal: the same hash-chained log as :class:`SQLiteJournal`, kept in Redis.

Used when several app processes run behind a load balancer and must append to one chain.

Layout (every key starts with the configured prefix, ``tradeassist:`` by default):

* ``journal:s:<session>:log``: a list of entries, each the canonical JSON of
  :meth:`Event.to_json`, in sequence order;
* ``journal:s:<session>:head``: a hash holding ``owner``, ``opened_ms``, ``last_seq``,
  ``last_hash`` and ``last_ms``: the chain head;
* ``journal:s:<session>:turn``: while it exists, the one client allowed to append (see
  below), with a short lease;
* ``journal:sessions``: a sorted set of every session, scored by its opening time;
* ``journal:o:<owner>``: the same, for one owner's sessions.

The suffixes differ in their last character and the namespaces (``s:``, ``o:``,
``sessions``) in their first, so no session id or owner can make two keys collide.

**Atomicity.** The entry hash is SHA-256 over the previous hash, and Redis' Lua has no
SHA-256, so the hash is computed here and the append is a compare-and-set: one Lua script
(:data:`_APPEND_LUA`, loaded once and called with EVALSHA) checks that the head is still
the one the hash was computed from, then pushes the entry and moves the head, in one
step. The same script stores a segment of several entries (:meth:`append_events`, one
decision of the app) in one round trip, all or none. If another client got there first,
the script writes nothing and answers with the current head; the append is recomputed on
it and tried again, a bounded number of times.
A client refused twice claims the session's *turn*, which makes every other client's
append wait until its own lands, so a busy writer cannot starve a slower one. The last
head this client wrote is cached per session, so an uncontended append costs a single
round trip.

**Durability** is the Redis server's: an acknowledged append survives a server restart
only with ``appendonly yes`` (``appendfsync always`` to survive a power loss as
``synchronous=FULL`` does in SQLite; ``everysec`` may lose the last second).

Not for Redis Cluster: the script touches the session's keys and the global indexes,
which would live in different slots.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import redis

from execution.clock import Clock
from execution.errors import JournalError
from execution.journal.chain import (
    GENESIS_HASH,
    Event,
    SessionSummary,
    Verification,
    canonical_json,
    check_limit,
    conflict,
    hash_and_entry,
    stored_entries,
    verify_chain,
)

# KEYS: head, log, sessions index, owner index, turn.
# ARGV: expected last seq ("-1": no session yet), expected last hash, owner ("" when the
#       first payload names none), session id, this client's token, "1" to claim the turn
#       if refused, the turn's lease in ms, the new last seq, the new last hash, the first
#       entry's ts_ms, the last entry's ts_ms, then each entry's JSON, in order.
# Returns {"ok"}, {"conflict", last_seq, last_hash}, {"no_owner"} or {"orphan_log"}.
# Values are compared and stored as the strings Python sent: Lua 5.1 numbers are doubles
# and would print large integers in exponent notation.
#
# The turn makes retries fair: without it, a client that keeps appending wins every race
# against one that lost once (it learns each new head first), and the loser can starve.
# A client refused several times claims the turn; while the turn is held, every other
# client is refused, so the holder's next attempt lands. The lease frees the turn if the
# holder dies.
_APPEND_LUA = """
local head = redis.call('HMGET', KEYS[1], 'last_seq', 'last_hash')
local function refuse()
  if ARGV[6] == '1' then
    redis.call('SET', KEYS[5], ARGV[5], 'PX', ARGV[7], 'NX')
  end
  return {'conflict', head[1] or '-1', head[2] or ''}
end
local turn = redis.call('GET', KEYS[5])
if turn and turn ~= ARGV[5] then
  return refuse()
end
if not head[1] then
  if ARGV[1] ~= '-1' then
    return refuse()
  end
  if redis.call('EXISTS', KEYS[2]) == 1 then
    return {'orphan_log'}
  end
  if ARGV[3] == '' then
    return {'no_owner'}
  end
  redis.call('HSET', KEYS[1], 'owner', ARGV[3], 'opened_ms', ARGV[10], 'last_seq', ARGV[8],
             'last_hash', ARGV[9], 'last_ms', ARGV[11])
  redis.call('ZADD', KEYS[3], ARGV[10], ARGV[4])
  redis.call('ZADD', KEYS[4], ARGV[10], ARGV[4])
else
  if head[1] ~= ARGV[1] or head[2] ~= ARGV[2] then
    return refuse()
  end
  redis.call('HSET', KEYS[1], 'last_seq', ARGV[8], 'last_hash', ARGV[9], 'last_ms', ARGV[11])
end
redis.call('RPUSH', KEYS[2], unpack(ARGV, 12))
if turn then
  redis.call('DEL', KEYS[5])
end
return {'ok'}
"""

_NO_HEAD = (-1, GENESIS_HASH)
# Refused on the head or on another client's turn: either way the caller must catch up
# and decide again.
_TURN_NOTE = " (or another client holds its turn)"
_CLAIM_TURN_AFTER = 2  # refusals before a client claims the turn
_TURN_LEASE_MS = 50  # well under a refused client's patience (~100 tries, <= 4 ms apart)
_LOCK_STRIPES = 64
_HEAD_CACHE_SIZE = 4096


def _text(value: bytes | str) -> str:
    """Redis answers bytes unless the client decodes; accept either kind of client."""
    return value.decode() if isinstance(value, bytes) else value


class RedisJournal:
    """A :class:`~execution.journal.Journal` kept in Redis; safe across threads and processes.

    The first event of a session must carry ``payload["owner"]``. ``close()`` closes the
    client only when this journal created it (:meth:`from_url`).
    """

    def __init__(
        self,
        client: redis.Redis[Any],
        clock: Clock,
        *,
        prefix: str = "tradeassist:",
        max_attempts: int = 100,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {max_attempts!r}")
        self._client = client
        self._clock = clock
        self._prefix = prefix
        self._max_attempts = max_attempts
        self._owns_client = False
        self._token = uuid.uuid4().hex  # names this client when it holds a session's turn
        # Registering only hashes the script; redis-py loads it on the first EVALSHA that
        # answers NOSCRIPT, so constructing a journal needs no connection.
        self._append_script = client.register_script(_APPEND_LUA)
        # Appends to one session from this process queue on a lock instead of racing each
        # other through compare-and-set retries; other processes still race, safely.
        self._locks = [threading.Lock() for _ in range(_LOCK_STRIPES)]
        self._heads: OrderedDict[str, tuple[int, str]] = OrderedDict()
        self._heads_lock = threading.Lock()

    @classmethod
    def from_url(
        cls, url: str, clock: Clock, *, prefix: str = "tradeassist:", max_attempts: int = 100
    ) -> RedisJournal:
        """A journal on its own client for ``url`` (``redis://host:port/db``)."""
        journal = cls(redis.Redis.from_url(url), clock, prefix=prefix, max_attempts=max_attempts)
        journal._owns_client = True
        return journal

    def close(self) -> None:
        """Release the client's connections if this journal created the client."""
        if self._owns_client:
            self._client.close()

    # --- keys -------------------------------------------------------------------------

    def _head_key(self, session_id: str) -> str:
        return f"{self._prefix}journal:s:{session_id}:head"

    def _log_key(self, session_id: str) -> str:
        return f"{self._prefix}journal:s:{session_id}:log"

    def _turn_key(self, session_id: str) -> str:
        return f"{self._prefix}journal:s:{session_id}:turn"

    def _sessions_key(self) -> str:
        return f"{self._prefix}journal:sessions"

    def _owner_key(self, owner: str) -> str:
        return f"{self._prefix}journal:o:{owner}"

    # --- the head cache ---------------------------------------------------------------

    def _cached_head(self, session_id: str) -> tuple[int, str]:
        with self._heads_lock:
            return self._heads.get(session_id, _NO_HEAD)

    def _remember_head(self, session_id: str, head: tuple[int, str]) -> None:
        with self._heads_lock:
            self._heads[session_id] = head
            self._heads.move_to_end(session_id)
            if len(self._heads) > _HEAD_CACHE_SIZE:
                self._heads.popitem(last=False)

    # --- the protocol -----------------------------------------------------------------

    def append(
        self,
        session_id: str,
        kind: str,
        actor: str,
        payload: Mapping[str, Any],
        *,
        expect: tuple[int, str] | None = None,
    ) -> Event:
        """Append one event after the session's chain head, atomically; return it.

        With ``expect``, one compare-and-set against that head and no retry: a refusal
        raises :class:`JournalConflict` with the head Redis reported."""
        payload_json = canonical_json(payload)  # fails early on what JSON cannot hold
        data = json.loads(payload_json)  # the payload as it will be read back
        owner = data.get("owner")
        stripe = self._locks[zlib.crc32(session_id.encode()) % _LOCK_STRIPES]
        with stripe:
            last_seq, prev = self._cached_head(session_id) if expect is None else expect
            for attempt in range(self._max_attempts if expect is None else 1):
                # The time is read after the head is known, so a later entry never carries
                # an earlier time than the one it follows.
                seq, ts = last_seq + 1, self._clock.now_ms()
                digest, entry = hash_and_entry(session_id, seq, ts, kind, actor, payload_json, prev)
                head = self._store(
                    session_id,
                    (last_seq, prev),
                    owner,
                    (seq, digest),
                    (ts, ts),
                    [entry],
                    claim_turn=attempt >= _CLAIM_TURN_AFTER,
                    what=repr(kind),
                )
                if head is None:
                    return Event(session_id, seq, ts, kind, actor, data, prev, digest)
                # Refused: another writer moved the head or holds the turn. Retry on the
                # head it reports; after the first miss (often just a cold cache), back off
                # with jitter so contending processes stop colliding in lockstep.
                last_seq, prev = head
                if expect is not None:
                    raise conflict(session_id, head, expect, repr(kind), _TURN_NOTE)
                if attempt:
                    time.sleep(random.uniform(0, min(0.004, 0.0001 * 2**attempt)))  # noqa: S311
        raise JournalError(
            f"could not append {kind!r} to {session_id!r}: the chain head kept moving "
            f"({self._max_attempts} attempts)"
        )

    def append_events(self, events: Sequence[Event]) -> None:
        """Store a segment built with :func:`~execution.journal.chain_event`, all or none,
        in one round trip; a refusal raises :class:`JournalConflict` (no retry: the
        segment is chained to the head it names)."""
        entries = stored_entries(events)
        first, last = events[0], events[-1]
        session_id = first.session_id
        what = f"{len(events)} entries"
        expect = (first.seq - 1, first.prev_hash)
        stripe = self._locks[zlib.crc32(session_id.encode()) % _LOCK_STRIPES]
        with stripe:
            head = self._store(
                session_id,
                expect,
                first.payload.get("owner"),
                (last.seq, last.hash),
                (first.ts_ms, last.ts_ms),
                entries,
                claim_turn=False,
                what=what,
            )
        if head is not None:
            raise conflict(session_id, head, expect, what, _TURN_NOTE)

    def _store(
        self,
        session_id: str,
        expect: tuple[int, str],
        owner: object,
        new_head: tuple[int, str],
        span_ms: tuple[int, int],
        entries: list[str],
        *,
        claim_turn: bool,
        what: str,
    ) -> tuple[int, str] | None:
        """Run the append script once: None when the entries landed, else the head that
        refused them (the caller holds the session's stripe lock)."""
        owner_text = owner if isinstance(owner, str) else ""
        keys = [
            self._head_key(session_id),
            self._log_key(session_id),
            self._sessions_key(),
            self._owner_key(owner_text),
            self._turn_key(session_id),
        ]
        args = [
            str(expect[0]),
            expect[1],
            owner_text,
            session_id,
            self._token,
            "1" if claim_turn else "0",
            str(_TURN_LEASE_MS),
            str(new_head[0]),
            new_head[1],
            str(span_ms[0]),
            str(span_ms[1]),
            *entries,
        ]
        try:
            reply = self._append_script(keys=keys, args=args)
        except redis.RedisError as exc:
            raise JournalError(
                f"could not append {what} to {session_id!r}: {type(exc).__name__}: {exc}"
            ) from exc
        status = _text(reply[0])
        if status == "ok":
            self._remember_head(session_id, new_head)
            return None
        if status == "no_owner":
            raise JournalError(
                f"the first event of session {session_id!r} must name its owner (got {what})"
            )
        if status == "orphan_log":
            raise JournalError(
                f"could not append {what} to {session_id!r}: the session has entries but no "
                "chain head (the head was deleted)"
            )
        last_seq = int(_text(reply[1]))
        head = (last_seq, _text(reply[2]) if last_seq >= 0 else GENESIS_HASH)
        self._remember_head(session_id, head)
        return head

    def read(self, session_id: str, after_seq: int = -1, limit: int | None = None) -> list[Event]:
        """The session's events after ``after_seq`` in log order, at most ``limit`` (the
        list index is the seq, so a page is one LRANGE; an empty list for an unknown
        session)."""
        check_limit(limit)
        start = max(after_seq + 1, 0)
        if limit == 0:
            return []
        stop = -1 if limit is None else start + limit - 1
        try:
            raw = self._client.lrange(self._log_key(session_id), start, stop)
        except redis.RedisError as exc:
            raise JournalError(
                f"could not read session {session_id!r}: {type(exc).__name__}: {exc}"
            ) from exc
        return [_decode(session_id, start + index, _text(item)) for index, item in enumerate(raw)]

    def sessions(self, owner: str | None = None) -> list[SessionSummary]:
        """Sessions newest first (ties by id), optionally only ``owner``'s."""
        index = self._sessions_key() if owner is None else self._owner_key(owner)
        try:
            ids = [_text(member) for member in self._client.zrange(index, 0, -1)]
            pipe = self._client.pipeline(transaction=False)
            for session_id in ids:
                pipe.hmget(
                    self._head_key(session_id), ["owner", "opened_ms", "last_seq", "last_ms"]
                )
            heads = pipe.execute()
        except redis.RedisError as exc:
            raise JournalError(
                f"could not list sessions (owner {owner!r}): {type(exc).__name__}: {exc}"
            ) from exc
        summaries = [
            SessionSummary(
                session_id,
                _text(head[0]),
                int(_text(head[1])),
                int(_text(head[2])) + 1,
                int(_text(head[3])),
            )
            for session_id, head in zip(ids, heads, strict=True)
            if head[0] is not None  # an indexed session whose head is gone: nothing to show
        ]
        summaries.sort(key=lambda s: (-s.opened_ms, s.session_id))
        return summaries

    def verify(self, session_id: str) -> Verification:
        """Recompute the chain and compare its end with the head: names what was tampered."""
        try:
            pipe = self._client.pipeline(transaction=True)  # log and head from one instant
            pipe.lrange(self._log_key(session_id), 0, -1)
            pipe.hmget(self._head_key(session_id), ["last_seq", "last_hash"])
            raw, head = pipe.execute()
        except redis.RedisError as exc:
            raise JournalError(
                f"could not verify session {session_id!r}: {type(exc).__name__}: {exc}"
            ) from exc
        events: list[Event] = []
        for index, item in enumerate(raw):
            try:
                events.append(_decode(session_id, index, _text(item)))
            except JournalError as exc:
                return Verification(session_id, False, len(raw), (str(exc),))
        result = verify_chain(session_id, events)
        if head[0] is None:
            if not events:
                return result
            problem = "the session has entries but no chain head: the head was removed"
            return Verification(session_id, False, len(events), (*result.problems, problem))
        head_seq, head_hash = int(_text(head[0])), _text(head[1])
        last = (events[-1].seq, events[-1].hash) if events else (-1, GENESIS_HASH)
        if (head_seq, head_hash) != last:
            # A deleted tail leaves a valid-looking chain; the head remembers the last entry.
            end = f"entry {last[0]}" if events else "no entry (the log is empty)"
            problem = (
                f"chain head is entry {head_seq} but the log ends at {end}: "
                "entries were removed or replaced"
            )
            return Verification(session_id, False, len(events), (*result.problems, problem))
        return result


def _decode(session_id: str, index: int, raw: str) -> Event:
    """One stored entry back into an Event; a malformed one is reported, not guessed at."""
    try:
        entry = json.loads(raw)
        return Event(
            str(entry["session_id"]),
            int(entry["seq"]),
            int(entry["ts_ms"]),
            str(entry["kind"]),
            str(entry["actor"]),
            entry["payload"],
            str(entry["prev_hash"]),
            str(entry["hash"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise JournalError(
            f"entry {index} of session {session_id!r} is not a journal entry: {exc}"
        ) from exc
