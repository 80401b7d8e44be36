"""The journal contract, run against every backend we ship: SQLite and Redis.

Each test gets a ``journal`` on a fresh store (a temporary SQLite file, or a unique key
prefix on the real Redis server at ``TRADEASSIST_TEST_REDIS_URL``, default
``redis://127.0.0.1:6379/15``, whose keys are deleted afterwards). Tampering goes
through the ``store`` fixture, which edits the backend's storage directly, behind the
journal's back, the way an attacker or a careless operator would.

The Redis-only tests at the end cover what SQLite has no counterpart for: the
compare-and-set append racing other clients and processes, and translating redis-py's
errors.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import multiprocessing
import sqlite3
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
import redis

from execution.clock import ManualClock
from execution.errors import JournalConflict, JournalError
from execution.journal import (
    GENESIS_HASH,
    Event,
    Journal,
    SQLiteJournal,
    canonical_json,
    chain_event,
    entry_hash,
    read_page,
)
from execution.journal.redis import RedisJournal


class ClosableJournal(Journal, Protocol):
    def close(self) -> None: ...


class Store(Protocol):
    """One backend's storage: opens journals on it and tampers with it directly."""

    def open(self) -> ClosableJournal: ...

    def edit_payload(self, session_id: str, seq: int, payload: dict[str, Any]) -> None: ...

    def delete(self, session_id: str, seq: int) -> None: ...

    def swap(self, session_id: str, a: int, b: int) -> None: ...


class SQLiteStore:
    def __init__(self, path: Path, clock: ManualClock) -> None:
        self.path = path
        self.clock = clock

    def open(self) -> ClosableJournal:
        return SQLiteJournal(self.path, self.clock)

    def _execute(self, *statements: tuple[str, tuple[object, ...]]) -> None:
        db = sqlite3.connect(self.path)
        with db:
            for sql, args in statements:
                db.execute(sql, args)
        db.close()

    def edit_payload(self, session_id: str, seq: int, payload: dict[str, Any]) -> None:
        self._execute(
            (
                "UPDATE events SET payload = ? WHERE session_id = ? AND seq = ?",
                (canonical_json(payload), session_id, seq),
            )
        )

    def delete(self, session_id: str, seq: int) -> None:
        self._execute(("DELETE FROM events WHERE session_id = ? AND seq = ?", (session_id, seq)))

    def swap(self, session_id: str, a: int, b: int) -> None:
        move = "UPDATE events SET seq = ? WHERE session_id = ? AND seq = ?"
        self._execute(
            (move, (-1, session_id, a)), (move, (a, session_id, b)), (move, (b, session_id, -1))
        )


class RedisStore:
    def __init__(self, url: str, clock: ManualClock) -> None:
        self.url = url
        self.clock = clock
        self.prefix = f"tradeassist-test:{uuid.uuid4().hex}:"
        self.raw = redis.Redis.from_url(url)

    def open(self) -> ClosableJournal:
        return RedisJournal.from_url(self.url, self.clock, prefix=self.prefix)

    def log_key(self, session_id: str) -> str:
        return f"{self.prefix}journal:s:{session_id}:log"

    def head_key(self, session_id: str) -> str:
        return f"{self.prefix}journal:s:{session_id}:head"

    def edit_payload(self, session_id: str, seq: int, payload: dict[str, Any]) -> None:
        stored = self.raw.lindex(self.log_key(session_id), seq)
        assert stored is not None, f"no entry {seq} in {session_id!r} to edit"
        entry = json.loads(stored)
        entry["payload"] = payload  # the stored hash is left as it was
        self.raw.lset(self.log_key(session_id), seq, canonical_json(entry))

    def delete(self, session_id: str, seq: int) -> None:
        tombstone = f"deleted-{uuid.uuid4().hex}"
        self.raw.lset(self.log_key(session_id), seq, tombstone)
        self.raw.lrem(self.log_key(session_id), 1, tombstone)

    def swap(self, session_id: str, a: int, b: int) -> None:
        key = self.log_key(session_id)
        first, second = self.raw.lindex(key, a), self.raw.lindex(key, b)
        assert first is not None, f"no entry {a} to swap"
        assert second is not None, f"no entry {b} to swap"
        self.raw.lset(key, a, second)
        self.raw.lset(key, b, first)

    def cleanup(self) -> None:
        keys = list(self.raw.scan_iter(match=f"{self.prefix}*", count=1000))
        if keys:
            self.raw.delete(*keys)
        self.raw.close()


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock) -> Iterator[Store]:
    if request.param == "sqlite":
        yield SQLiteStore(tmp_path / "journal.sqlite3", clock)
        return
    redis_store = RedisStore(request.getfixturevalue("test_redis_url"), clock)
    yield redis_store
    redis_store.cleanup()


@pytest.fixture
def journal(store: Store) -> Iterator[ClosableJournal]:
    j = store.open()
    yield j
    j.close()


def _fill(journal: Journal, clock: ManualClock, session: str = "s1", n: int = 4) -> None:
    journal.append(session, "session_opened", "alice", {"owner": "alice"})
    for i in range(1, n):
        clock.advance(10)
        journal.append(session, "message_received", "alice", {"text": f"message {i}", "n": i})


# --- appending and reading -----------------------------------------------------------


def test_appends_are_numbered_and_chained(journal: Journal, clock: ManualClock) -> None:
    _fill(journal, clock)

    events = journal.read("s1")

    assert [e.seq for e in events] == [0, 1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert [e.ts_ms for e in events] == [clock.now_ms() - 30 + 10 * i for i in range(4)]
    assert journal.verify("s1").ok


def test_read_returns_exactly_what_append_returned(journal: Journal) -> None:
    payload = {
        "owner": "alice",
        "text": "卖掉一半的以太坊 — ok?",
        "amount": "0.123456789012345678",
        "big": 2**70,
        "ratio": 0.1,
        "nested": {"b": [1, None, True, {"z": "", "a": []}], "a": False},
    }

    appended = journal.append("s1", "session_opened", "alice", payload)
    (read,) = journal.read("s1")

    assert read == appended
    assert read.payload == payload
    assert read.to_json() == appended.to_json()


def test_unknown_session_reads_empty_and_verifies(journal: Journal) -> None:
    result = journal.verify("nobody")

    assert journal.read("nobody") == []
    assert (result.ok, result.events, result.problems) == (True, 0, ())


def test_sessions_are_independent_and_listed(journal: Journal, clock: ManualClock) -> None:
    _fill(journal, clock, "s1", 2)
    clock.advance(1000)
    _fill(journal, clock, "s2", 3)
    clock.advance(1000)
    journal.append("s3", "session_opened", "bob", {"owner": "bob"})

    listed = journal.sessions()

    assert [(s.session_id, s.owner, s.events) for s in listed] == [
        ("s3", "bob", 1),
        ("s2", "alice", 3),
        ("s1", "alice", 2),
    ]
    assert [s.session_id for s in journal.sessions(owner="alice")] == ["s2", "s1"]
    assert [s.session_id for s in journal.sessions(owner="carol")] == []
    assert journal.read("s2")[0].prev_hash == GENESIS_HASH
    s2 = listed[1]
    assert (s2.opened_ms, s2.last_ms) == (clock.now_ms() - 1000 - 20, clock.now_ms() - 1000)


def test_sessions_opened_together_are_listed_by_id(journal: Journal) -> None:
    for session in ("b", "c", "a"):
        journal.append(session, "session_opened", "alice", {"owner": "alice"})

    listed = journal.sessions()

    assert [s.session_id for s in listed] == ["a", "b", "c"]


@pytest.mark.parametrize("payload", [{"text": "hi"}, {"owner": ""}, {"owner": 7}])
def test_first_event_must_name_an_owner(journal: Journal, payload: dict[str, Any]) -> None:
    with pytest.raises(JournalError, match=r"owner"):
        journal.append("s1", "message_received", "alice", payload)

    assert journal.read("s1") == []
    assert journal.sessions() == []


def test_later_events_need_no_owner(journal: Journal) -> None:
    journal.append("s1", "session_opened", "alice", {"owner": "alice"})

    event = journal.append("s1", "message_received", "alice", {"text": "hi"})

    assert event.seq == 1
    assert journal.sessions(owner="alice")[0].events == 2


def test_payload_that_is_not_json_is_refused_whole(journal: Journal) -> None:
    journal.append("s1", "session_opened", "alice", {"owner": "alice"})

    with pytest.raises(TypeError):
        journal.append("s1", "bad", "alice", {"value": object()})

    assert len(journal.read("s1")) == 1
    assert journal.verify("s1").ok
    assert journal.append("s1", "good", "alice", {}).seq == 1


def test_reopened_journal_continues_the_chain(store: Store, clock: ManualClock) -> None:
    first = store.open()
    _fill(first, clock, n=2)
    first.close()

    second = store.open()
    event = second.append("s1", "reply_sent", "assistant", {"text": "ok"})

    assert event.seq == 2
    assert event.prev_hash == second.read("s1")[1].hash
    assert second.verify("s1").ok
    second.close()


# --- tampering -----------------------------------------------------------------------


def test_edited_payload_is_detected(journal: Journal, clock: ManualClock, store: Store) -> None:
    _fill(journal, clock)
    store.edit_payload("s1", 2, {"n": 2, "text": "message 2 (edited)"})

    result = journal.verify("s1")

    assert not result.ok
    assert any("entry 2" in p and "does not match its hash" in p for p in result.problems)


def test_deleted_middle_entry_is_detected(
    journal: Journal, clock: ManualClock, store: Store
) -> None:
    _fill(journal, clock)
    store.delete("s1", 1)

    result = journal.verify("s1")

    assert not result.ok
    assert any("missing entry" in p for p in result.problems)


def test_deleted_last_entry_is_detected(journal: Journal, clock: ManualClock, store: Store) -> None:
    _fill(journal, clock)
    store.delete("s1", 3)

    result = journal.verify("s1")

    assert not result.ok
    assert any("chain head" in p for p in result.problems)


def test_every_entry_deleted_is_detected(
    journal: Journal, clock: ManualClock, store: Store
) -> None:
    _fill(journal, clock, n=2)
    store.delete("s1", 1)
    store.delete("s1", 0)

    result = journal.verify("s1")

    assert not result.ok
    assert result.events == 0


def test_reordered_entries_are_detected(journal: Journal, clock: ManualClock, store: Store) -> None:
    _fill(journal, clock)
    store.swap("s1", 1, 2)

    result = journal.verify("s1")

    assert not result.ok
    assert any("does not link" in p for p in result.problems)


def test_tampering_one_session_leaves_the_others_valid(
    journal: Journal, clock: ManualClock, store: Store
) -> None:
    _fill(journal, clock, "s1")
    _fill(journal, clock, "s2")
    store.edit_payload("s1", 1, {"n": 1, "text": "edited"})

    assert not journal.verify("s1").ok
    assert journal.verify("s2").ok


# --- concurrency ---------------------------------------------------------------------


def _run_threads(count: int, target: Callable[[int], None]) -> list[BaseException]:
    """Start ``count`` threads together; return what they raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            target(index)
        except BaseException as exc:  # reported to the test, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def _assert_one_linear_chain(
    journal: Journal, session: str, expected: Counter[tuple[int, int]]
) -> list[Event]:
    events = journal.read(session)
    assert [e.seq for e in events] == list(range(sum(expected.values())))
    assert len({e.prev_hash for e in events}) == len(events)  # no two entries share a parent
    assert Counter((e.payload["worker"], e.payload["i"]) for e in events) == expected
    assert journal.verify(session).ok
    return events


def test_concurrent_appends_form_one_chain(journal: Journal) -> None:
    threads, per_thread = 8, 200

    def work(worker: int) -> None:
        for i in range(per_thread):
            # Every payload names the owner: whichever append lands first opens the session.
            journal.append(
                "s1", "message_received", "alice", {"owner": "alice", "worker": worker, "i": i}
            )

    errors = _run_threads(threads, work)

    assert errors == []
    _assert_one_linear_chain(
        journal, "s1", Counter({(w, i): 1 for w in range(threads) for i in range(per_thread)})
    )
    assert journal.sessions()[0].events == threads * per_thread


# --- compare-and-set appends: how concurrent decisions race -----------------------------


def test_read_after_seq_returns_the_tail(journal: Journal, clock: ManualClock) -> None:
    _fill(journal, clock, n=5)

    everything = journal.read("s1")

    assert journal.read("s1", after_seq=2) == everything[3:]
    assert journal.read("s1", after_seq=-1) == everything
    assert journal.read("s1", after_seq=4) == []
    assert journal.read("unknown", after_seq=3) == []


def test_read_with_a_limit_returns_a_range(journal: Journal, clock: ManualClock) -> None:
    _fill(journal, clock, n=6)
    everything = journal.read("s1")

    assert journal.read("s1", 1, 2) == everything[2:4]
    assert journal.read("s1", 2, 1) == [everything[3]]  # the one entry at seq 3
    assert journal.read("s1", -1, 100) == everything
    assert journal.read("s1", 4, 5) == everything[5:]
    assert journal.read("s1", 1, 0) == []
    assert journal.read("s1", 5, 3) == []
    assert journal.read("unknown", -1, 3) == []
    with pytest.raises(JournalError, match="limit must be at least 0"):
        journal.read("s1", -1, -1)


def test_a_page_is_checked_against_the_entry_before_it(
    journal: Journal, clock: ManualClock
) -> None:
    _fill(journal, clock, n=7)
    everything = journal.read("s1")

    page = read_page(journal, "s1", after=2, limit=3)

    assert page.events == everything[3:6]
    assert page.next_after == 5
    assert page.chain.ok
    assert page.chain.events == 3
    last = read_page(journal, "s1", after=5, limit=3)
    assert (last.events, last.next_after, last.chain.ok) == (everything[6:], None, True)
    assert read_page(journal, "s1", after=6).events == []
    with pytest.raises(ValueError, match="limit must be from 1 to 1000"):
        read_page(journal, "s1", limit=1001)
    with pytest.raises(ValueError, match="after must be -1"):
        read_page(journal, "s1", after=-2)


def test_a_page_names_an_edited_entry_and_a_missing_one(
    journal: Journal, clock: ManualClock, store: Store
) -> None:
    _fill(journal, clock, n=8)
    store.edit_payload("s1", 4, {"n": 4, "text": "message 4 (edited)"})

    edited = read_page(journal, "s1", after=2, limit=3)
    assert edited.chain.problems == ("entry 4 (message_received): content does not match its hash",)
    assert read_page(journal, "s1", after=4, limit=3).chain.ok  # 4's stored hash still links

    store.delete("s1", 6)
    after_gap = read_page(journal, "s1", after=5, limit=3)
    assert not after_gap.chain.ok
    assert any("entry 6" in problem for problem in after_gap.chain.problems)


def test_append_with_the_current_head_lands(journal: Journal) -> None:
    first = journal.append(
        "s1", "session_opened", "alice", {"owner": "alice"}, expect=(-1, GENESIS_HASH)
    )

    second = journal.append("s1", "step_confirmed", "alice", {}, expect=(first.seq, first.hash))

    assert (second.seq, second.prev_hash) == (1, first.hash)
    assert journal.verify("s1").ok


def test_append_with_a_stale_head_is_refused_and_writes_nothing(
    journal: Journal, clock: ManualClock
) -> None:
    _fill(journal, clock, n=3)
    events = journal.read("s1")
    stale = (events[1].seq, events[1].hash)

    with pytest.raises(JournalConflict) as refused:
        journal.append("s1", "step_confirmed", "alice", {"n": 1}, expect=stale)

    assert refused.value.head == (events[-1].seq, events[-1].hash)
    assert journal.read("s1") == events
    assert journal.verify("s1").ok
    # The same decision, taken again on the head the refusal named, lands.
    landed = journal.append("s1", "step_confirmed", "alice", {"n": 1}, expect=refused.value.head)
    assert landed.seq == 3


def test_expecting_a_new_session_is_refused_once_it_exists(journal: Journal) -> None:
    journal.append("s1", "session_opened", "alice", {"owner": "alice"})

    with pytest.raises(JournalConflict):
        journal.append("s1", "session_opened", "bob", {"owner": "bob"}, expect=(-1, GENESIS_HASH))

    assert [e.actor for e in journal.read("s1")] == ["alice"]


def test_concurrent_expecting_appends_let_exactly_one_land(journal: Journal) -> None:
    opened = journal.append("s1", "session_opened", "alice", {"owner": "alice"})
    head = (opened.seq, opened.hash)
    threads, rounds = 8, 25
    landed: list[tuple[int, int]] = []
    barrier = threading.Barrier(threads)

    def run(worker: int) -> None:
        nonlocal head
        for r in range(rounds):
            barrier.wait()
            try:
                journal.append(
                    "s1", "step_confirmed", "alice", {"round": r, "worker": worker}, expect=head
                )
                landed.append((r, worker))
            except JournalConflict:
                pass
            barrier.wait()
            if worker == 0:
                last = journal.read("s1")[-1]
                head = (last.seq, last.hash)
            barrier.wait()

    errors = _run_threads(threads, run)

    assert errors == []
    assert sorted(r for r, _ in landed) == list(range(rounds))  # one winner per round
    assert len(journal.read("s1")) == 1 + rounds
    assert journal.verify("s1").ok


# --- segments: the events of one decision, stored together ---------------------------


def _segment(
    session: str, after: tuple[int, str], ts_ms: int, *payloads: dict[str, Any]
) -> list[Event]:
    events: list[Event] = []
    for payload in payloads:
        events.append(chain_event(session, after, ts_ms, "message_received", "alice", payload))
        after = (events[-1].seq, events[-1].hash)
    return events


def test_a_segment_opens_a_session_and_reads_back_exactly(
    journal: Journal, clock: ManualClock
) -> None:
    segment = _segment(
        "s1", (-1, GENESIS_HASH), clock.now_ms(), {"owner": "alice"}, {"n": 1}, {"n": "卖"}
    )

    journal.append_events(segment)

    assert journal.read("s1") == segment
    assert journal.verify("s1").ok
    (summary,) = journal.sessions("alice")
    assert (summary.events, summary.opened_ms, summary.last_ms) == (
        3,
        clock.now_ms(),
        clock.now_ms(),
    )
    # A single append continues after the segment's last entry.
    assert journal.append("s1", "reply_sent", "assistant", {}).seq == 3


def test_a_segment_continues_the_chain_and_a_reopened_journal_follows_it(
    store: Store, clock: ManualClock
) -> None:
    first = store.open()
    _fill(first, clock, n=2)
    last = first.read("s1")[-1]
    clock.advance(5)
    first.append_events(_segment("s1", (last.seq, last.hash), clock.now_ms(), {"a": 1}, {"b": 2}))
    first.close()

    second = store.open()
    appended = second.append("s1", "reply_sent", "assistant", {})
    second.close()

    assert appended.seq == 4
    assert [e.seq for e in store.open().read("s1")] == [0, 1, 2, 3, 4]


def test_a_stale_segment_is_refused_whole(journal: Journal, clock: ManualClock) -> None:
    _fill(journal, clock, n=3)
    events = journal.read("s1")
    stale = (events[1].seq, events[1].hash)

    with pytest.raises(JournalConflict) as refused:
        journal.append_events(_segment("s1", stale, clock.now_ms(), {"a": 1}, {"b": 2}))

    assert refused.value.head == (events[-1].seq, events[-1].hash)
    assert journal.read("s1") == events
    assert journal.verify("s1").ok


def test_a_segment_opening_a_session_must_name_its_owner(
    journal: Journal, clock: ManualClock
) -> None:
    with pytest.raises(JournalError, match="owner"):
        journal.append_events(_segment("s1", (-1, GENESIS_HASH), clock.now_ms(), {"a": 1}))

    assert journal.read("s1") == []
    assert journal.sessions() == []


def _forged(events: list[Event], index: int, **changes: Any) -> list[Event]:
    forged = list(events)
    forged[index] = dataclasses.replace(events[index], **changes)
    return forged


@pytest.mark.parametrize(
    ("how", "problem"),
    [
        ("empty", "empty"),
        ("gap", "does not follow"),
        ("unlinked", "does not follow"),
        ("edited", "does not match its hash"),
        ("two sessions", "one session"),
    ],
)
def test_a_malformed_segment_is_refused_and_writes_nothing(
    journal: Journal, clock: ManualClock, how: str, problem: str
) -> None:
    _fill(journal, clock, n=2)
    before = journal.read("s1")
    good = _segment("s1", (before[-1].seq, before[-1].hash), clock.now_ms(), {"a": 1}, {"b": 2})
    segment = {
        "empty": [],
        "gap": _forged(good, 1, seq=good[1].seq + 1),
        "unlinked": _forged(good, 1, prev_hash=GENESIS_HASH),
        "edited": _forged(good, 1, payload={"b": 3}),
        "two sessions": _forged(good, 1, session_id="s2"),
    }[how]

    with pytest.raises(JournalError, match=problem):
        journal.append_events(segment)

    assert journal.read("s1") == before
    assert journal.read("s2") == []


def test_concurrent_segments_land_whole_and_in_one_chain(journal: Journal) -> None:
    journal.append("s1", "session_opened", "alice", {"owner": "alice"})
    threads, per_thread, size = 6, 40, 3

    def work(worker: int) -> None:
        for i in range(per_thread):
            while True:  # decide on the head as read, retry on a refusal: SessionLog's loop
                last = journal.read("s1")[-1]
                payloads = [{"worker": worker, "i": i, "part": part} for part in range(size)]
                try:
                    journal.append_events(
                        _segment("s1", (last.seq, last.hash), last.ts_ms, *payloads)
                    )
                    break
                except JournalConflict:
                    continue

    errors = _run_threads(threads, work)

    assert errors == []
    events = journal.read("s1")[1:]
    assert len(events) == threads * per_thread * size
    for start in range(0, len(events), size):  # no segment interleaves with another
        parts = [(e.payload["worker"], e.payload["i"]) for e in events[start : start + size]]
        assert len(set(parts)) == 1
        assert [e.payload["part"] for e in events[start : start + size]] == list(range(size))
    assert journal.verify("s1").ok


# --- Redis only: compare-and-set against other clients, and error translation ----------


@pytest.fixture
def redis_store(test_redis_url: str, clock: ManualClock) -> Iterator[RedisStore]:
    s = RedisStore(test_redis_url, clock)
    yield s
    s.cleanup()


class InterferingClock:
    """A clock that lets another client append just before each read of the time.

    The journal reads the time after it has chosen the head to chain onto, so every
    interference lands between that choice and the compare-and-set.
    """

    def __init__(self, other: Journal, session: str, times: int) -> None:
        self.other = other
        self.session = session
        self.times = times
        self.now = 1_767_225_600_000

    def now_ms(self) -> int:
        if self.times:
            self.times -= 1
            self.other.append(self.session, "interfering", "other", {})
        return self.now


def test_redis_append_retries_when_another_client_moved_the_head(
    redis_store: RedisStore, clock: ManualClock
) -> None:
    other = redis_store.open()
    other.append("s1", "session_opened", "alice", {"owner": "alice"})
    mine = RedisJournal.from_url(
        redis_store.url, InterferingClock(other, "s1", times=2), prefix=redis_store.prefix
    )

    event = mine.append("s1", "message_received", "alice", {"text": "hi"})

    events = mine.read("s1")
    assert [e.kind for e in events] == [
        "session_opened",
        "interfering",
        "interfering",
        "message_received",
    ]
    assert event == events[-1]
    assert mine.verify("s1").ok
    mine.close()
    other.close()


def test_redis_append_gives_up_after_bounded_attempts_and_writes_nothing(
    redis_store: RedisStore,
) -> None:
    other = redis_store.open()
    other.append("s1", "session_opened", "alice", {"owner": "alice"})
    mine = RedisJournal.from_url(
        redis_store.url,
        InterferingClock(other, "s1", times=10**6),
        prefix=redis_store.prefix,
        max_attempts=3,
    )

    with pytest.raises(JournalError, match=r"'message_received' to 's1'.*3 attempts"):
        mine.append("s1", "message_received", "alice", {"text": "hi"})

    assert [e.actor for e in other.read("s1")] == ["alice", "other", "other", "other"]
    assert other.verify("s1").ok
    mine.close()
    other.close()


def _append_from_process(url: str, prefix: str, worker: int, count: int) -> None:
    """A separate process with its own client, appending to the shared session."""
    journal = RedisJournal.from_url(url, ManualClock(), prefix=prefix)
    for i in range(count):
        journal.append(
            "s1", "message_received", "alice", {"owner": "alice", "worker": worker, "i": i}
        )
    journal.close()


def test_redis_appends_from_several_processes_form_one_chain(redis_store: RedisStore) -> None:
    processes, per_process = 4, 200
    context = multiprocessing.get_context("spawn")  # a fresh interpreter and client each
    workers = [
        context.Process(
            target=_append_from_process, args=(redis_store.url, redis_store.prefix, w, per_process)
        )
        for w in range(processes)
    ]

    for p in workers:
        p.start()
    for p in workers:
        p.join(timeout=120)

    assert [p.exitcode for p in workers] == [0] * processes
    journal = redis_store.open()
    _assert_one_linear_chain(
        journal, "s1", Counter({(w, i): 1 for w in range(processes) for i in range(per_process)})
    )
    journal.close()


@pytest.mark.parametrize(
    "text", ['quote " and backslash \\', "控制\x01\n\t", "emoji 🙂", "line\u2028sep", ""]
)
def test_redis_stores_each_entry_as_canonical_json(redis_store: RedisStore, text: str) -> None:
    journal = redis_store.open()
    payload = {"owner": text or "alice", text: [text, {text: text}]}

    event = journal.append(f"s-{text}", text, text, payload)

    stored = redis_store.raw.lindex(redis_store.log_key(f"s-{text}"), 0)
    assert stored is not None
    assert stored.decode() == canonical_json(event.to_json())
    assert event.hash == entry_hash(f"s-{text}", 0, event.ts_ms, text, text, payload, GENESIS_HASH)
    journal.close()


def test_redis_deleted_log_is_detected(redis_store: RedisStore, clock: ManualClock) -> None:
    journal = redis_store.open()
    _fill(journal, clock)
    redis_store.raw.delete(redis_store.log_key("s1"))

    result = journal.verify("s1")

    assert not result.ok
    assert any("chain head is entry 3" in p and "empty" in p for p in result.problems)
    journal.close()


def test_redis_deleted_head_is_detected_and_refuses_appends(
    redis_store: RedisStore, clock: ManualClock
) -> None:
    journal = redis_store.open()
    _fill(journal, clock)
    redis_store.raw.delete(redis_store.head_key("s1"))
    fresh = redis_store.open()  # a client that never cached the head

    result = fresh.verify("s1")

    assert not result.ok
    assert any("no chain head" in p for p in result.problems)
    with pytest.raises(JournalError, match=r"'reply_sent' to 's1'.*no chain head"):
        fresh.append("s1", "reply_sent", "assistant", {"owner": "alice"})
    assert len(fresh.read("s1")) == 4
    fresh.close()
    journal.close()


def test_redis_unreadable_entry_is_reported(redis_store: RedisStore, clock: ManualClock) -> None:
    journal = redis_store.open()
    _fill(journal, clock)
    redis_store.raw.lset(redis_store.log_key("s1"), 1, "not json")

    result = journal.verify("s1")

    assert not result.ok
    assert any("entry 1 of session 's1' is not a journal entry" in p for p in result.problems)
    with pytest.raises(JournalError, match=r"entry 1"):
        journal.read("s1")
    journal.close()


def test_redis_server_errors_become_journal_errors(redis_store: RedisStore) -> None:
    journal = redis_store.open()
    redis_store.raw.set(redis_store.head_key("s1"), "not a hash")  # WRONGTYPE for HMGET

    with pytest.raises(JournalError, match=r"'session_opened' to 's1'") as caught:
        journal.append("s1", "session_opened", "alice", {"owner": "alice"})

    assert isinstance(caught.value.__cause__, redis.ResponseError)
    journal.close()


def test_redis_unreachable_server_becomes_journal_errors(clock: ManualClock) -> None:
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    journal = RedisJournal.from_url("redis://127.0.0.1:1/0", clock, prefix="unused:")

    with pytest.raises(JournalError, match=r"'session_opened' to 's1'") as appended:
        journal.append("s1", "session_opened", "alice", {"owner": "alice"})
    with pytest.raises(JournalError, match=r"'s1'"):
        journal.read("s1")
    with pytest.raises(JournalError, match=r"'s1'"):
        journal.verify("s1")
    with pytest.raises(JournalError, match=r"'alice'"):
        journal.sessions(owner="alice")

    assert isinstance(appended.value.__cause__, redis.ConnectionError)
    journal.close()


@pytest.mark.parametrize("decode_responses", [False, True])
def test_redis_journal_works_on_a_caller_owned_client(
    redis_store: RedisStore, clock: ManualClock, decode_responses: bool
) -> None:
    client: redis.Redis[Any] = redis.Redis.from_url(
        redis_store.url,
        decode_responses=decode_responses,  # type: ignore[call-overload]
    )
    journal = RedisJournal(client, clock, prefix=redis_store.prefix)
    _fill(journal, clock)

    journal.close()  # the caller's client stays open

    assert client.ping()
    assert [e.seq for e in journal.read("s1")] == [0, 1, 2, 3]
    assert journal.verify("s1").ok
    assert [(s.session_id, s.events) for s in journal.sessions(owner="alice")] == [("s1", 4)]
    client.close()


def test_redis_prefixes_keep_journals_apart(redis_store: RedisStore, clock: ManualClock) -> None:
    journal = redis_store.open()
    neighbour = RedisStore(redis_store.url, clock)
    other = neighbour.open()
    _fill(journal, clock)

    assert other.sessions() == []
    assert other.read("s1") == []
    assert other.append("s1", "session_opened", "bob", {"owner": "bob"}).seq == 0
    other.close()
    neighbour.cleanup()
    journal.close()
