"""SessionLog: one decision is one journal write, and a race never stores half of one.

Runs on both journals (``shared_journal``). "Another process" is a second SessionLog on
its own connection to the same store, which is how two app processes behind a load
balancer share a session.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from execution.assistant import Assistant
from execution.clock import ManualClock
from execution.errors import DuplicateMessage, InvalidTransition, JournalError
from execution.journal import Event, Journal
from execution.journal import events as ev
from execution.session.log import SessionLog
from execution.session.state import SessionState, fold
from execution.venues.sandbox import MarketCatalog, SandboxMarket
from tests.execution.assistant.support import ALICE, Accounts, make_assistant

SESSION = "s1"


class Recording:
    """A journal that records each write (the kinds it stored together) and can fail."""

    def __init__(self, inner: Journal) -> None:
        self.inner = inner
        self.writes: list[list[str]] = []
        self.fail = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def append(self, session_id: str, kind: str, *args: Any, **kwargs: Any) -> Event:
        event = self.inner.append(session_id, kind, *args, **kwargs)
        self.writes.append([kind])
        return event

    def append_events(self, events: Sequence[Event]) -> None:
        if self.fail:
            raise JournalError("the journal is down (test)")
        self.inner.append_events(events)
        self.writes.append([e.kind for e in events])


def _step(step_id: str) -> dict[str, Any]:
    order = {"symbol": "BTC/USDT", "side": "buy", "type": "market", "amount": "0.01"}
    return {"step_id": step_id, "description": f"buy 0.01 BTC ({step_id})", "order": order}


def _open(log: SessionLog) -> SessionState:
    """A session with one proposed plan of two steps."""
    log.journal.append(SESSION, ev.SESSION_OPENED, "alice", {"owner": "alice", "channel": "chat"})
    state = log.load(SESSION)
    plan = {"plan_id": "p1", "steps": [_step("p1.1"), _step("p1.2")]}
    log.append(state, ev.PlanCreated(plan=plan, balances_snapshot={}), "assistant")
    return state


def _reject(step_id: str) -> ev.StepRejected:
    return ev.StepRejected(step_id=step_id, user="alice", channel="web")


def _journal_fold(journal: Journal) -> SessionState:
    return fold(SESSION, journal.read(SESSION))


def test_an_event_and_the_plan_move_it_implies_are_one_write(
    shared_journal: Callable[[], Journal], clock: ManualClock
) -> None:
    journal = Recording(shared_journal())
    log = SessionLog(journal, clock)
    state = _open(log)

    log.append(state, _reject("p1.1"), "alice")
    log.append(state, _reject("p1.2"), "alice")

    assert journal.writes[-1] == [ev.STEP_REJECTED, ev.PLAN_UPDATED]
    assert state.plan_states["p1"] == "canceled"
    assert state == _journal_fold(journal)
    assert journal.verify(SESSION).ok


def test_a_batch_is_one_write_and_the_code_inside_reads_its_events(
    shared_journal: Callable[[], Journal], clock: ManualClock
) -> None:
    journal = Recording(shared_journal())
    log = SessionLog(journal, clock)
    state = _open(log)
    writes = len(journal.writes)

    with log.batch(state):
        log.append(state, ev.MessageReceived(text="no thanks", channel="chat"), "alice")
        log.append(state, _reject("p1.1"), "alice")
        log.append(state, _reject("p1.2"), "alice")
        assert state.plan_states["p1"] == "canceled"  # folded in as it was decided
        assert log.load(SESSION) is state  # loading inside the batch does not undo it
        assert len(journal.read(SESSION)) == 2  # nothing stored yet

    assert journal.writes[writes:] == [
        [ev.MESSAGE_RECEIVED, ev.STEP_REJECTED, ev.STEP_REJECTED, ev.PLAN_UPDATED]
    ]
    assert state == _journal_fold(journal)


def test_a_batch_that_raises_keeps_what_was_decided_before(
    shared_journal: Callable[[], Journal], clock: ManualClock
) -> None:
    journal = shared_journal()
    log = SessionLog(journal, clock)
    state = _open(log)

    def reject_twice() -> None:
        with log.batch(state):
            log.append(state, _reject("p1.1"), "alice")
            log.append(state, _reject("p1.1"), "alice")  # already rejected

    with pytest.raises(InvalidTransition):
        reject_twice()

    assert [e.kind for e in journal.read(SESSION)][-1] == ev.STEP_REJECTED
    assert state == _journal_fold(journal)
    assert log.load(SESSION) == _journal_fold(journal)


def test_a_batch_overtaken_by_another_process_is_made_again_on_the_new_head(
    shared_journal: Callable[[], Journal], clock: ManualClock
) -> None:
    ours, theirs = SessionLog(shared_journal(), clock), SessionLog(shared_journal(), clock)
    state = _open(ours)
    other = theirs.load(SESSION)

    with ours.batch(state):
        ours.append(state, ev.MessageReceived(text="ours", channel="chat"), "alice")
        ours.append(state, _reject("p1.1"), "alice")
        clock.advance(5)
        theirs.append(other, ev.MessageReceived(text="theirs", channel="chat"), "alice")
        theirs.append(other, _reject("p1.2"), "alice")

    journal = ours.journal
    kinds = [
        (e.kind, e.payload.get("text") or e.payload.get("state")) for e in journal.read(SESSION)
    ]
    assert kinds[2:] == [
        (ev.MESSAGE_RECEIVED, "theirs"),
        (ev.STEP_REJECTED, None),
        (ev.MESSAGE_RECEIVED, "ours"),
        (ev.STEP_REJECTED, None),
        (ev.PLAN_UPDATED, "canceled"),  # worked out again: both steps are rejected now
    ]
    assert journal.verify(SESSION).ok
    assert state == _journal_fold(journal)


def test_an_overtaken_event_that_no_longer_fits_is_refused_with_its_whole_batch(
    shared_journal: Callable[[], Journal], clock: ManualClock
) -> None:
    ours, theirs = SessionLog(shared_journal(), clock), SessionLog(shared_journal(), clock)
    state = _open(ours)
    other = theirs.load(SESSION)

    def overtaken() -> None:
        with ours.batch(state):
            ours.append(state, ev.MessageReceived(text="ours", channel="chat"), "alice")
            ours.append(state, _reject("p1.1"), "alice")
            theirs.append(other, _reject("p1.1"), "alice")  # decides first

    with pytest.raises(InvalidTransition):
        overtaken()

    journal = ours.journal
    assert [e.payload.get("text") for e in journal.read(SESSION)].count("ours") == 0
    assert [e.kind for e in journal.read(SESSION)].count(ev.STEP_REJECTED) == 1
    assert state == _journal_fold(journal)  # the caller may look again and decide anew
    assert ours.load(SESSION) == state
    assert journal.verify(SESSION).ok


def test_a_journal_failure_at_the_end_of_a_batch_leaves_nothing_unstored_behind(
    shared_journal: Callable[[], Journal], clock: ManualClock
) -> None:
    journal = Recording(shared_journal())
    log = SessionLog(journal, clock)
    state = _open(log)
    journal.fail = True

    with pytest.raises(JournalError, match="down"):
        log.append(state, _reject("p1.1"), "alice")

    journal.fail = False
    reloaded = log.load(SESSION)
    assert reloaded.steps["p1.1"].state == "planned"
    assert reloaded == _journal_fold(journal)


def test_a_message_turn_is_two_writes_the_message_then_all_that_answers_it(
    shared_journal: Callable[[], Journal], clock: ManualClock
) -> None:
    journal = Recording(shared_journal())
    accounts = Accounts(clock, SandboxMarket(MarketCatalog.default(), seed=7))
    assistant: Assistant = make_assistant(journal, accounts, clock)
    session = assistant.open_session(ALICE)

    turn = assistant.handle_message(session, ALICE, "buy 0.01 BTC")

    assert turn.pending
    assert journal.writes[1:] == [
        [ev.MESSAGE_RECEIVED],
        [ev.INTENT_PARSED, ev.PLAN_CREATED, ev.STEP_PREVIEWED, ev.REPLY_SENT],
    ]
    step, _ = assistant.confirm_step(session, turn.pending[0].step_id, ALICE, turn.pending[0].token)
    assert step.state == "filled"
    assert journal.writes[3:] == [
        [ev.STEP_CONFIRMED, ev.PLAN_UPDATED],
        [ev.ORDER_SUBMITTED],
        [ev.ORDER_ACCEPTED, ev.PLAN_UPDATED],
    ]
    assert journal.verify(session).ok


def test_a_message_key_another_process_appended_first_is_refused_on_the_new_head(
    shared_journal: Callable[[], Journal], clock: ManualClock
) -> None:
    """Both processes folded the session before either received the message; the one that
    appends second meets the journal's new head, folds it, and the repeat is refused."""
    ours, theirs = SessionLog(shared_journal(), clock), SessionLog(shared_journal(), clock)
    state = _open(ours)
    other = theirs.load(SESSION)
    keyed = ev.MessageReceived(text="buy 0.01 BTC", channel="chat", idempotency_key="k-000001")

    theirs.append(other, keyed, "alice")
    with pytest.raises(DuplicateMessage, match="already received"):
        ours.append(state, keyed, "alice")

    folded = _journal_fold(ours.journal)
    assert [line.text for line in folded.transcript] == ["buy 0.01 BTC"]
    assert folded.message_keys == {"k-000001"}
    # A different key is a different message.
    ours.append(state, keyed.model_copy(update={"idempotency_key": "k-000002"}), "alice")
    assert len(_journal_fold(ours.journal).transcript) == 2
