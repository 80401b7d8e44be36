"""The shared journal: the same hash-chained log as :class:`SQLiteJournal`, kept in Redis.

Used when several app processes run behind a load balancer and must append to one chain.

Layout (every key starts with the configured prefix, ``tradeassist:`` by default):

* ``journal:s:<session>:log``: a list of entries, each the canonical JSON of
  :meth:`Event.to_json`, in sequence order;
* ``journal:s:<session>:head``: a hash holding ``owner``, ``opened_ms``, ``last_seq``,
  ``last_hash`` and ``last_ms``: the chain head; and the session's index
  (:mod:`~execution.journal.index`): ``index`` (its JSON), ``index_seq`` (the entry it
  covers) and ``text`` (what a text search reads);
* ``journal:s:<session>:turn``: while it exists, the one client allowed to append (see
  below), with a short lease;
* ``journal:sessions``: a sorted set of every session, scored by its opening time;
* ``journal:o:<owner>``: the same, for one owner's sessions;
* ``journal:x:all`` and ``journal:x:<tag>``: the session index's sets, every session and
  those with a tag (``owner:…``, ``state:…``, ``symbol:…``, ``flag:…``, ``said``), all
  scored 0 and sorted by member (the opening time zero-padded, then the id), so a page
  is a ``ZREVRANGEBYLEX`` below the cursor.

The suffixes differ in their last character and the namespaces (``s:``, ``o:``, ``x:``,
``sessions``) in their first, so no session id or owner can make two keys collide.

**Atomicity.** The entry hash is SHA-256 over the previous hash, and Redis' Lua has no
SHA-256, so the hash is computed here and the append is a compare-and-set: one Lua script
(:data:`_APPEND_LUA`, loaded once and called with EVALSHA) checks that the head is still
the one the hash was computed from, then pushes the entry and moves the head, in one
step, and stores the session's index beside them (computed here by
:func:`~execution.journal.index.index_events` from the index stored with that head). The
same script stores a segment of several entries (:meth:`append_events`, one
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
from dataclasses import dataclass
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

# KEYS: head, log, sessions index, owner index, turn, the session index's time order, then
#       the tag sets the session joins, then those it leaves.
# ARGV: expected last seq ("-1": no session yet), expected last hash, owner ("" when the
#       first payload names none), session id, this client's token, "1" to claim the turn
#       if refused, the turn's lease in ms, the new last seq, the new last hash, the first
#       entry's ts_ms, the last entry's ts_ms, the new session index (JSON), its search
#       text, its member (execution.journal.index.order_key), how many tag sets it joins,
#       the index_seq expected ("": none stored), then each entry's JSON, in order.
# Returns {"ok"}, {"conflict", last_seq, last_hash, index}, {"no_owner"} or {"orphan_log"}.
# Values are compared and stored as the strings Python sent: Lua 5.1 numbers are doubles
# and would print large integers in exponent notation.
#
# The index the new one was computed from must be the one stored (``index_seq``): a head
# moved by a version without the index leaves it behind, and the caller then recomputes
# it from the whole log.
#
# The turn makes retries fair: without it, a client that keeps appending wins every race
# against one that lost once (it learns each new head first), and the loser can starve.
# A client refused several times claims the turn; while the turn is held, every other
# client is refused, so the holder's next attempt lands. The lease frees the turn if the
# holder dies.
_APPEND_LUA = """
local head = redis.call('HMGET', KEYS[1], 'last_seq', 'last_hash', 'index_seq', 'index')
local function refuse()
  if ARGV[6] == '1' then
    redis.call('SET', KEYS[5], ARGV[5], 'PX', ARGV[7], 'NX')
  end
  return {'conflict', head[1] or '-1', head[2] or '', head[4] or ''}
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
  if head[1] ~= ARGV[1] or head[2] ~= ARGV[2] or (head[3] or '') ~= ARGV[16] then
    return refuse()
  end
  redis.call('HSET', KEYS[1], 'last_seq', ARGV[8], 'last_hash', ARGV[9], 'last_ms', ARGV[11])
end
redis.call('RPUSH', KEYS[2], unpack(ARGV, 17))
redis.call('HSET', KEYS[1], 'index', ARGV[12], 'index_seq', ARGV[8], 'text', ARGV[13])
redis.call('ZADD', KEYS[6], 0, ARGV[14])
local joins = tonumber(ARGV[15])
for i = 7, #KEYS do
  if i < 7 + joins then
    redis.call('ZADD', KEYS[i], 0, ARGV[14])
  else
    redis.call('ZREM', KEYS[i], ARGV[14])
  end
end
if turn then
  redis.call('DEL', KEYS[5])
end
return {'ok'}
"""

# Backfill: store an index computed from the log if the head and the stored index are still
# the ones it was computed on. KEYS: head, time order, tag sets joined, then left.
# ARGV: last seq, index_seq expected ("": none), index JSON, text, member, joins.
_BACKFILL_LUA = """
local head = redis.call('HMGET', KEYS[1], 'last_seq', 'index_seq')
if head[1] ~= ARGV[1] or (head[2] or '') ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], 'index', ARGV[3], 'index_seq', ARGV[1], 'text', ARGV[4])
redis.call('ZADD', KEYS[2], 0, ARGV[5])
local joins = tonumber(ARGV[6])
for i = 3, #KEYS do
  if i < 3 + joins then
    redis.call('ZADD', KEYS[i], 0, ARGV[5])
  else
    redis.call('ZREM', KEYS[i], ARGV[5])
  end
end
return 1
"""

# Search: walk one sorted set of members (execution.journal.index.order_key) newest first,
# from ARGV[1] down to ARGV[2] (ZREVRANGEBYLEX bounds), keeping those that are in every
# other set in KEYS and whose search text holds ARGV[5] ("" : any), until ARGV[3] are kept
# or ARGV[4] were looked at. The text lives in each session's head (ARGV[6] .. id ..
# ':head'), a key the script names itself: fine on one server, not on a cluster.
# Returns {status, last member looked at, kept...}; status "more": the walk stopped on its
# budget (call again below the last member), "done": nothing more to find.
_SEARCH_LUA = """
local wanted, budget = tonumber(ARGV[3]), tonumber(ARGV[4])
local found, last, looked, upper = {}, '', 0, ARGV[1]
while looked < budget do
  local batch = redis.call('ZREVRANGEBYLEX', KEYS[1], upper, ARGV[2], 'LIMIT', 0, 256)
  for _, member in ipairs(batch) do
    looked = looked + 1
    last = member
    local ok = true
    for k = 2, #KEYS do
      if not redis.call('ZSCORE', KEYS[k], member) then
        ok = false
        break
      end
    end
    if ok and ARGV[5] ~= '' then
      local id = string.sub(member, 17)
      local text = redis.call('HGET', ARGV[6] .. id .. ':head', 'text')
      ok = text and string.find(text, ARGV[5], 1, true) ~= nil
    end
    if ok then
      found[#found + 1] = member
      if #found >= wanted then
        return {'done', last, unpack(found)}
      end
    end
  end
  if #batch < 256 then
    return {'done', last, unpack(found)}
  end
  upper = '(' .. last
end
return {'more', last, unpack(found)}
"""
_SEARCH_BUDGET = 5000  # members one script call looks at: keeps each call short

_NO_HEAD = (-1, GENESIS_HASH)


#: Each append's time (the metric ``tradeassist_journal_append_seconds``).
_APPEND_TIME = JOURNAL_APPEND.labels("redis")


@dataclass(frozen=True, slots=True)
class _Known:
    """What this client last heard of a session: its chain head and the index stored with
    it (None: none stored, or a session not yet known)."""

    head: tuple[int, str]
    index: SessionIndex | None


_UNKNOWN = _Known(_NO_HEAD, None)
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
        self._backfill_script = client.register_script(_BACKFILL_LUA)
        self._search_script = client.register_script(_SEARCH_LUA)
        self._backfilled = False  # the index is checked against the logs on first search
        # Appends to one session from this process queue on a lock instead of racing each
        # other through compare-and-set retries; other processes still race, safely.
        self._locks = [threading.Lock() for _ in range(_LOCK_STRIPES)]
        self._heads: OrderedDict[str, _Known] = OrderedDict()
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

    def _index_key(self, tag: str | None = None) -> str:
        """The session index's sets: every session (``tag`` None) or those with a tag
        (tags all hold a colon or are ``said``, so none is ``all``)."""
        return f"{self._prefix}journal:x:{'all' if tag is None else tag}"

    # --- the head cache ---------------------------------------------------------------

    def _cached(self, session_id: str) -> _Known:
        with self._heads_lock:
            return self._heads.get(session_id, _UNKNOWN)

    def _remember(self, session_id: str, known: _Known) -> None:
        with self._heads_lock:
            self._heads[session_id] = known
            self._heads.move_to_end(session_id)
            if len(self._heads) > _HEAD_CACHE_SIZE:
                self._heads.popitem(last=False)

    def _known(self, session_id: str, expect: tuple[int, str]) -> _Known:
        """The head and stored index, when the head is ``expect``: from the cache, else
        read; a different head raises JournalConflict for the caller's ``what``."""
        known = self._cached(session_id)
        if known.head == expect:
            return known
        return self._refresh(session_id)

    def _heard(
        self, session_id: str, seq: bytes | str | None, digest: bytes | str | None, index: object
    ) -> _Known:
        """Remember what Redis answered about a session's head and index."""
        last_seq = -1 if seq is None else int(_text(seq))
        head = (last_seq, _text(digest) if last_seq >= 0 and digest is not None else GENESIS_HASH)
        text = _text(index) if isinstance(index, bytes | str) else ""
        known = _Known(head, loads(text) if text else None)
        self._remember(session_id, known)
        return known

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
        with _APPEND_TIME.time():
            return self._append(session_id, kind, actor, payload, expect=expect)

    def append_events(self, events: Sequence[Event]) -> None:
        """Store a segment built with :func:`~execution.journal.chain_event`, all or none,
        in one round trip; a head other than the one the segment names raises
        :class:`JournalConflict` (no retry: the segment is chained to that head)."""
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
        payload_json = canonical_json(payload)  # fails early on what JSON cannot hold
        data = json.loads(payload_json)  # the payload as it will be read back
        owner = data.get("owner")
        stripe = self._locks[zlib.crc32(session_id.encode()) % _LOCK_STRIPES]
        with stripe:
            if expect is None:
                known = self._cached(session_id)
            else:
                known = self._known(session_id, expect)
                if known.head != expect:
                    raise conflict(session_id, known.head, expect, repr(kind), _TURN_NOTE)
            # With ``expect``, a second try only if the head is still ``expect`` (the index
            # stored with it was not the one this client knew: a backfill, say).
            for attempt in range(self._max_attempts if expect is None else 2):
                # The time is read after the head is known, so a later entry never carries
                # an earlier time than the one it follows.
                (last_seq, prev) = known.head
                seq, ts = last_seq + 1, self._clock.now_ms()
                digest, entry = hash_and_entry(session_id, seq, ts, kind, actor, payload_json, prev)
                event = Event(session_id, seq, ts, kind, actor, data, prev, digest)
                refused = self._store(
                    session_id,
                    known,
                    owner,
                    [event],
                    [entry],
                    claim_turn=attempt >= _CLAIM_TURN_AFTER,
                    what=repr(kind),
                )
                if refused is None:
                    return event
                # Refused: another writer moved the head or holds the turn. Retry on the
                # head it reports; after the first miss (often just a cold cache), back off
                # with jitter so contending processes stop colliding in lockstep.
                if expect is not None and refused.head != expect:
                    raise conflict(session_id, refused.head, expect, repr(kind), _TURN_NOTE)
                known = refused
                if attempt:
                    time.sleep(random.uniform(0, min(0.004, 0.0001 * 2**attempt)))  # noqa: S311
        raise JournalError(
            f"could not append {kind!r} to {session_id!r}: the chain head kept moving "
            f"({self._max_attempts} attempts)"
        )

    def _append_events(self, events: Sequence[Event]) -> None:
        entries = stored_entries(events)
        first = events[0]
        session_id = first.session_id
        what = f"{len(events)} entries"
        expect = (first.seq - 1, first.prev_hash)
        stripe = self._locks[zlib.crc32(session_id.encode()) % _LOCK_STRIPES]
        with stripe:
            known = self._known(session_id, expect)
            # A second try only if the head is still ``expect`` (the index stored with it
            # was not the one this client knew: a backfill, say).
            for _ in range(2):
                if known.head != expect:
                    break
                refused = self._store(
                    session_id,
                    known,
                    first.payload.get("owner"),
                    events,
                    entries,
                    claim_turn=False,
                    what=what,
                )
                if refused is None:
                    return
                known = refused
        raise conflict(session_id, known.head, expect, what, _TURN_NOTE)

    def _indexed(self, session_id: str, known: _Known, events: Sequence[Event]) -> SessionIndex:
        """The session's index after ``events``, which follow ``known.head``: from the
        stored index when it is current, else from the whole log (a journal written
        before the index, or by a version without it)."""
        if known.head[0] < 0:
            return index_events(None, events)
        if known.index is not None and known.index.last_seq == known.head[0]:
            return index_events(known.index, events)
        logged = self.read(session_id)[: known.head[0] + 1]
        return index_events(None, [*logged, *events])

    def _store(
        self,
        session_id: str,
        known: _Known,
        owner: object,
        events: Sequence[Event],
        entries: list[str],
        *,
        claim_turn: bool,
        what: str,
    ) -> _Known | None:
        """Run the append script once: None when the entries landed, else what Redis
        holds (the caller holds the session's stripe lock)."""
        first, last = events[0], events[-1]
        try:
            index = self._indexed(session_id, known, events)
        except JournalError:
            if known.head[0] < 0:
                raise
            # The log did not lead to the head this append follows (it moved meanwhile):
            # ask again what the head is now.
            return self._refresh(session_id)
        before = set() if known.index is None else known.index.tags()
        after = index.tags()
        joins, leaves = sorted(after - before), sorted(before - after)
        owner_text = owner if isinstance(owner, str) else ""
        keys = [
            self._head_key(session_id),
            self._log_key(session_id),
            self._sessions_key(),
            self._owner_key(owner_text),
            self._turn_key(session_id),
            self._index_key(),
            *(self._index_key(tag) for tag in joins),
            *(self._index_key(tag) for tag in leaves),
        ]
        args = [
            str(known.head[0]),
            known.head[1],
            owner_text,
            session_id,
            self._token,
            "1" if claim_turn else "0",
            str(_TURN_LEASE_MS),
            str(last.seq),
            last.hash,
            str(first.ts_ms),
            str(last.ts_ms),
            dumps(index),
            index.text,
            index.member,
            str(len(joins)),
            "" if known.index is None else str(known.index.last_seq),
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
            self._remember(session_id, _Known((last.seq, last.hash), index))
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
        return self._heard(session_id, reply[1], reply[2], reply[3])

    def _refresh(self, session_id: str) -> _Known:
        try:
            raw = self._client.hmget(self._head_key(session_id), ["last_seq", "last_hash", "index"])
        except redis.RedisError as exc:
            raise JournalError(
                f"could not read the head of {session_id!r}: {type(exc).__name__}: {exc}"
            ) from exc
        return self._heard(session_id, raw[0], raw[1], raw[2])

    # --- the session index ------------------------------------------------------------

    def backfill_index(self) -> int:
        """Index every session whose index is missing or behind its log (a journal written
        before the index existed); idempotent. Returns how many were indexed."""
        done = 0
        try:
            ids = [_text(m) for m in self._client.zrange(self._sessions_key(), 0, -1)]
            for start in range(0, len(ids), 1000):
                chunk = ids[start : start + 1000]
                pipe = self._client.pipeline(transaction=False)
                for session_id in chunk:
                    pipe.hmget(self._head_key(session_id), ["last_seq", "index_seq"])
                for session_id, head in zip(chunk, pipe.execute(), strict=True):
                    if head[0] is None or head[0] == head[1]:
                        continue  # gone, or current
                    done += self._backfill(session_id, head)
        except redis.RedisError as exc:
            raise JournalError(
                f"could not backfill the session index: {type(exc).__name__}: {exc}"
            ) from exc
        self._backfilled = True
        return done

    def _backfill(self, session_id: str, head: list[Any]) -> int:
        last_seq = int(_text(head[0]))
        events = self.read(session_id)[: last_seq + 1]
        if len(events) != last_seq + 1:
            return 0  # a damaged log: verify() names it; nothing to index it from
        kept = self._client.hget(self._head_key(session_id), "index")
        stored = None if kept is None else loads(_text(kept))
        index = index_events(None, events)
        before = set() if stored is None else stored.tags()
        after = index.tags()
        joins, leaves = sorted(after - before), sorted(before - after)
        keys = [
            self._head_key(session_id),
            self._index_key(),
            *(self._index_key(tag) for tag in joins),
            *(self._index_key(tag) for tag in leaves),
        ]
        args = [
            str(last_seq),
            "" if head[1] is None else _text(head[1]),
            dumps(index),
            index.text,
            index.member,
            str(len(joins)),
        ]
        # Refused: an append moved the session meanwhile, and indexed it on the way.
        return int(self._backfill_script(keys=keys, args=args))

    def search(self, query: SessionQuery) -> SessionPage:
        """The sessions the query matches, newest first: one walk of the most selective
        tag's set (or of every session), checked server-side, a bounded slice per call."""
        if not self._backfilled:
            self.backfill_index()
        tags = query.tags()
        keys = [self._index_key(tags[0] if tags else None)]
        keys += [self._index_key(tag) for tag in tags[1:]]
        upper, lower = query.upper_member(), query.lower_member()
        bounds = ["+" if upper is None else f"({upper}", "-" if lower is None else f"[{lower}"]
        needle = query.needle or ""
        members: list[str] = []
        try:
            while len(members) <= query.limit:
                wanted = query.limit + 1 - len(members)
                reply = self._search_script(
                    keys=keys,
                    args=[*bounds, wanted, _SEARCH_BUDGET, needle, f"{self._prefix}journal:s:"],
                )
                status, last = _text(reply[0]), _text(reply[1])
                members += [_text(m) for m in reply[2:]]
                if status != "more":
                    break
                bounds[0] = f"({last}"
            pipe = self._client.pipeline(transaction=False)
            for member in members:
                pipe.hget(self._head_key(member[16:]), "index")
            found = pipe.execute()
        except redis.RedisError as exc:
            raise JournalError(f"could not search sessions: {type(exc).__name__}: {exc}") from exc
        return page_of(query, [loads(_text(raw)) for raw in found if raw is not None])

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
