"""A session's journal folded into the turns its customer saw (execution.session.transcript),
and support's notes: in the transcript, passed over by the fold's trading state and the
re-run."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from execution.actors import Actor
from execution.clock import ManualClock
from execution.errors import PermissionDenied
from execution.journal import Event
from execution.session.replay import rerun
from execution.session.state import fold
from execution.session.transcript import Piece, pretty, transcript
from intent.rules import RuleParser
from tests.execution.session.test_replay import ALICE, TTL_MS, Session

SAM = Actor("sam", "support", "chat")


@pytest.fixture
def session(tmp_path: Path, clock: ManualClock) -> Iterator[Session]:
    built = Session(tmp_path, clock)
    yield built
    built.close()


def _events_with_a_note(session: Session) -> tuple[list[Event], list[Event]]:
    (pending,) = session.say("買 0.01 BTC").pending
    session.confirm(pending.step_id, pending.token)
    before = session.events()
    session.assistant.add_note(session.id, SAM, "客戶致電確認")
    return before, session.events()


def test_each_turn_holds_what_the_customer_saw_in_their_language(session: Session) -> None:
    _, events = _events_with_a_note(session)

    told = transcript(events)

    opening, turn = told.turns
    assert (opening.number, [e.kind for e in opening.entries]) == (0, ["opened"])
    assert turn.locale == "zh-Hant"
    assert turn.language == "繁體中文"
    kinds = [e.kind for e in turn.entries]
    assert kinds[:5] == ["message", "parse", "plan", "preview", "reply"]
    assert "confirmed" in kinds
    assert kinds[-1] == "note"
    message = turn.message
    assert message is not None
    assert message.pieces[0] == Piece("買", "action")
    assert "".join(p.text for p in message.pieces) == "買 0.01 BTC"
    reply = next(e for e in turn.entries if e.kind == "reply")
    recorded = next(e.payload["text"] for e in events if e.kind == "reply_sent")
    assert (reply.text, reply.locale) == (recorded, "zh-Hant")
    confirmed = next(e for e in turn.entries if e.kind == "confirmed")
    assert confirmed.text is not None
    assert confirmed.text.startswith("買入 0.01 BTC")
    (row,) = told.steps
    assert (row.step_id, row.state, row.amount) == ("p1.1", "filled", "0.01 BTC")
    assert row.price.endswith(" USDT")
    (note,) = told.notes
    assert (note.text, note.title) == ("客戶致電確認", "Note by sam (support)")
    assert told.turn_of(note.seq) is turn
    assert told.turn_of(10_000) is None
    assert '"買 0.01 BTC"' in pretty(message.payload)


def test_a_note_changes_neither_the_trading_state_nor_the_re_run(session: Session) -> None:
    before, after = _events_with_a_note(session)

    folded_before, folded_after = fold(session.id, before), fold(session.id, after)
    assert folded_after.steps == folded_before.steps
    assert folded_after.plans == folded_before.plans
    assert folded_after.transcript == folded_before.transcript  # the customer's chat
    assert folded_after.dialogue == folded_before.dialogue

    def checks(events: list[Event]) -> list[tuple[int, str, str]]:
        report = rerun(
            session.id,
            events,
            parsers={"rules": RuleParser()},
            policy=session.policy,
            ttl_ms=TTL_MS,
            default_quote="USDT",
        )
        assert report.ok
        return [(c.seq, c.kind, c.status) for c in report.checks]

    assert checks(after) == checks(before)


def test_only_staff_attach_notes(session: Session) -> None:
    with pytest.raises(PermissionDenied):
        session.assistant.add_note(session.id, ALICE, "my own note")
    with pytest.raises(PermissionDenied):
        session.assistant.add_note(session.id, Actor("p", "product", "api"), "x")
    admin = session.assistant.add_note(session.id, Actor("ada", "admin", "chat"), "checked")
    assert (admin.kind, admin.actor, admin.payload["role"]) == ("support_note", "ada", "admin")


def test_a_span_that_does_not_match_its_text_is_left_out(session: Session) -> None:
    session.say("buy 0.01 BTC")
    events = session.events()
    parsed = next(e for e in events if e.kind == "intent_parsed")
    spans = parsed.payload["result"]["spans"]
    moved = [{**s, "start": s["start"] + 1, "end": s["end"] + 1} for s in spans[:1]] + spans[1:]
    result = {**parsed.payload["result"], "spans": moved}
    shifted = dataclasses.replace(parsed, payload={**parsed.payload, "result": result})
    forged = [shifted if e is parsed else e for e in events]

    message = transcript(forged).turns[1].message

    assert message is not None
    assert "".join(p.text for p in message.pieces) == "buy 0.01 BTC"
    assert "action" not in [p.field for p in message.pieces]  # the shifted span, left out
    assert "asset" in [p.field for p in message.pieces]


def test_an_entry_the_app_would_not_write_is_shown_not_fatal(session: Session) -> None:
    session.say("buy 0.01 BTC")
    events = session.events()
    parsed = next(e for e in events if e.kind == "intent_parsed")
    odd = dataclasses.replace(parsed, payload={**parsed.payload, "surprise": 1})

    told = transcript([odd if e is parsed else e for e in events])

    (entry,) = told.flagged("unreadable")
    assert entry.seq == parsed.seq
    assert "surprise" in (entry.detail or "")
    assert any(e.kind == "preview" for e in told.turns[1].entries)  # the rest still reads


def test_a_transcript_needs_its_session() -> None:
    assert transcript([], session_id="s").turns[0].entries == ()
    with pytest.raises(ValueError, match="no events and no session_id"):
        transcript([])


def test_the_fresh_preview_an_order_was_sent_on_is_shown_to_support(session: Session) -> None:
    (pending,) = session.say("buy 0.01 BTC").pending
    session.venue.create_order("ETH/USDT", "market", "buy", 0.5)  # funded, figures within
    session.confirm(pending.step_id, pending.token)

    (turn,) = transcript(session.events()).turns[1:]

    fresh = [e for e in turn.entries if e.kind == "preview"][-1]
    assert fresh.title == "Preview of p1.1 again at confirmation (sent on it)"
    assert fresh.detail is not None
    assert f"within tolerance of the preview confirmed ({pending.preview_hash[:12]}" in fresh.detail
    confirmed = next(e for e in turn.entries if e.kind == "confirmed")
    assert confirmed.text == pending.summary  # the sentence the customer confirmed
    assert confirmed.detail is not None
    assert "; sent on preview " in confirmed.detail
