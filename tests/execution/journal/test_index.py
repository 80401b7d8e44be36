"""The session index's one function, alone: what it keeps, what it ignores, its cursor."""

from __future__ import annotations

from pathlib import Path

import pytest

from execution.clock import ManualClock
from execution.errors import JournalError
from execution.journal import GENESIS_HASH, Event, SQLiteJournal, chain_event
from execution.journal import events as ev
from execution.journal.index import Cursor, SessionQuery, index_events
from execution.journal.redis import RedisJournal


def _chain(*payloads: ev.Payload | tuple[str, dict[str, object]]) -> list[Event]:
    events: list[Event] = []
    head = (-1, GENESIS_HASH)
    for i, p in enumerate(payloads):
        kind, body = (p.kind, p.to_json()) if isinstance(p, ev.Payload) else p
        event = chain_event("s1", head, 1000 + i, kind, "test", body)
        events.append(event)
        head = (event.seq, event.hash)
    return events


def test_a_session_opened_and_left_is_empty() -> None:
    index = index_events(None, _chain(ev.SessionOpened(owner="ann", channel="chat")))
    assert (index.owner, index.events, index.messages, index.outcome) == ("ann", 1, 0, "empty")
    assert "said" not in index.tags()


def test_what_the_journal_accepts_but_no_model_reads_only_counts() -> None:
    events = _chain(
        ev.SessionOpened(owner="ann", channel="chat"),
        ("something_new", {"text": "buy 1 BTC"}),
        ("message_received", {"text": 7}),  # not a message: its text is no string
        ev.MessageReceived(text="  Buy   0.1 ETH ", channel="chat"),
    )
    index = index_events(None, events)
    assert (index.events, index.messages, index.first_request) == (4, 1, "Buy 0.1 ETH")
    assert index.text == "buy 0.1 eth"
    assert index.outcome == "no_plan"


def test_a_segment_must_follow_the_index() -> None:
    events = _chain(
        ev.SessionOpened(owner="ann", channel="chat"),
        ev.MessageReceived(text="hi", channel="chat"),
        ev.MessageReceived(text="buy", channel="chat"),
    )
    with pytest.raises(JournalError, match="starts at its first entry"):
        index_events(None, events[1:])
    with pytest.raises(JournalError, match="does not follow"):
        index_events(index_events(None, events[:1]), events[2:])


def test_a_cursor_round_trips_and_nothing_else_decodes() -> None:
    cursor = Cursor(1_780_000_000_000, "a:b/c-中")
    assert Cursor.decode(cursor.encode()) == cursor
    for bad in ("", ".", "abc", cursor.encode()[:-1], "x" + cursor.encode()):
        with pytest.raises(ValueError, match="cursor"):
            Cursor.decode(bad)


def test_a_query_is_checked_when_made() -> None:
    with pytest.raises(ValueError, match="limit"):
        SessionQuery(limit=201)
    with pytest.raises(ValueError, match="unknown flag 'odd'"):
        SessionQuery(flags=("odd",))  # type: ignore[arg-type]
    assert SessionQuery(text="  以太坊  ").needle == "以太坊"
    assert SessionQuery(text="   ").needle is None


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_events_are_stored_only_with_their_index(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The index is written in the events' own step: when it cannot be, neither are they."""
    journal: SQLiteJournal | RedisJournal
    if backend == "sqlite":
        journal = SQLiteJournal(tmp_path / "journal.sqlite3", clock)
    else:
        url = request.getfixturevalue("test_redis_url")
        journal = RedisJournal.from_url(url, clock, prefix=request.getfixturevalue("redis_prefix"))
    opened = ev.SessionOpened(owner="ann", channel="chat")
    journal.append("s1", opened.kind, "test", opened.to_json())

    def broken(prior: object, events: object) -> None:
        raise RuntimeError("the index could not be computed")

    monkeypatch.setattr(f"execution.journal.{backend}.index_events", broken)
    said = ev.MessageReceived(text="buy 1 BTC", channel="chat")
    with pytest.raises(RuntimeError, match="could not be computed"):
        journal.append("s1", said.kind, "test", said.to_json())
    monkeypatch.undo()
    assert [e.kind for e in journal.read("s1")] == ["session_opened"]
    found = journal.search(SessionQuery(include_empty=True)).sessions
    assert [(s.session_id, s.events, s.messages) for s in found] == [("s1", 1, 0)]
    journal.append("s1", said.kind, "test", said.to_json())
    assert journal.search(SessionQuery(text="BUY 1")).sessions[0].events == 2
    journal.close()
