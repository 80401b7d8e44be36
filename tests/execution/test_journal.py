"""The SQLite journal: append order, hash chain, and tamper detection."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from execution.clock import ManualClock
from execution.errors import JournalError
from execution.journal import GENESIS_HASH, SQLiteJournal


@pytest.fixture
def journal(tmp_path: Path, clock: ManualClock) -> Iterator[SQLiteJournal]:
    j = SQLiteJournal(tmp_path / "journal.sqlite3", clock)
    yield j
    j.close()


def _fill(journal: SQLiteJournal, clock: ManualClock, session: str = "s1", n: int = 4) -> None:
    journal.append(session, "session_opened", "alice", {"owner": "alice"})
    for i in range(1, n):
        clock.advance(10)
        journal.append(session, "message_received", "alice", {"text": f"message {i}", "n": i})


def test_appends_are_numbered_and_chained(journal: SQLiteJournal, clock: ManualClock) -> None:
    _fill(journal, clock)

    events = journal.read("s1")

    assert [e.seq for e in events] == [0, 1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert [e.ts_ms for e in events] == [clock.now_ms() - 30 + 10 * i for i in range(4)]
    assert journal.verify("s1").ok


def test_sessions_are_independent_and_listed(journal: SQLiteJournal, clock: ManualClock) -> None:
    _fill(journal, clock, "s1", 2)
    clock.advance(1000)
    _fill(journal, clock, "s2", 3)

    listed = journal.sessions()

    assert [(s.session_id, s.owner, s.events) for s in listed] == [
        ("s2", "alice", 3),
        ("s1", "alice", 2),
    ]
    assert [s.session_id for s in journal.sessions(owner="bob")] == []
    assert journal.read("s2")[0].prev_hash == GENESIS_HASH


def test_first_event_must_name_an_owner(journal: SQLiteJournal) -> None:
    with pytest.raises(JournalError, match="owner"):
        journal.append("s1", "message_received", "alice", {"text": "hi"})
    assert journal.read("s1") == []


def test_edited_payload_is_detected(
    journal: SQLiteJournal, clock: ManualClock, tmp_path: Path
) -> None:
    _fill(journal, clock)
    db = sqlite3.connect(tmp_path / "journal.sqlite3")
    db.execute(
        "UPDATE events SET payload = ? WHERE session_id = 's1' AND seq = 2",
        ('{"n":2,"text":"message 2 (edited)"}',),
    )
    db.commit()

    result = journal.verify("s1")

    assert not result.ok
    assert any("entry 2" in p and "does not match its hash" in p for p in result.problems)


def test_deleted_middle_entry_is_detected(
    journal: SQLiteJournal, clock: ManualClock, tmp_path: Path
) -> None:
    _fill(journal, clock)
    db = sqlite3.connect(tmp_path / "journal.sqlite3")
    db.execute("DELETE FROM events WHERE session_id = 's1' AND seq = 1")
    db.commit()

    result = journal.verify("s1")

    assert not result.ok
    assert any("missing entry" in p for p in result.problems)


def test_deleted_last_entry_is_detected(
    journal: SQLiteJournal, clock: ManualClock, tmp_path: Path
) -> None:
    _fill(journal, clock)
    db = sqlite3.connect(tmp_path / "journal.sqlite3")
    db.execute("DELETE FROM events WHERE session_id = 's1' AND seq = 3")
    db.commit()

    result = journal.verify("s1")

    assert not result.ok
    assert any("chain head" in p for p in result.problems)


def test_payload_that_is_not_json_is_refused_whole(journal: SQLiteJournal) -> None:
    journal.append("s1", "session_opened", "alice", {"owner": "alice"})
    with pytest.raises(TypeError):
        journal.append("s1", "bad", "alice", {"value": object()})
    assert len(journal.read("s1")) == 1
    assert journal.verify("s1").ok


def test_reopened_journal_continues_the_chain(tmp_path: Path, clock: ManualClock) -> None:
    first = SQLiteJournal(tmp_path / "j.sqlite3", clock)
    _fill(first, clock, n=2)
    first.close()

    second = SQLiteJournal(tmp_path / "j.sqlite3", clock)
    event = second.append("s1", "reply_sent", "assistant", {"text": "ok"})

    assert event.seq == 2
    assert second.verify("s1").ok
    second.close()
