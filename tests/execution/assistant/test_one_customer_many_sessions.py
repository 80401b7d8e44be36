"""One customer buying from many sessions at once (a DCA mandate's worker, several tabs):
each fill changes the balances every other pending preview was made on, and that alone
must not ask the customer to confirm again while the orders stay funded. Still exactly
one order per confirmed step."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest

from execution.assistant import Assistant, PendingConfirmation, client_order_id
from execution.clock import ManualClock
from execution.errors import ConfirmationRefused
from execution.journal import SQLiteJournal
from execution.journal import events as ev
from execution.venues.protocol import Venue
from tests.execution.assistant.support import ALICE, Accounts, Counting, make_assistant

SESSIONS = 16


@pytest.fixture
def journal(tmp_path: Path, clock: ManualClock) -> SQLiteJournal:
    return SQLiteJournal(tmp_path / "journal.sqlite3", clock, synchronous="NORMAL")


def _previewed(assistant: Assistant, text: str) -> list[tuple[str, PendingConfirmation]]:
    """``SESSIONS`` sessions of one customer, each with ``text`` previewed, none confirmed."""
    previewed = []
    for _ in range(SESSIONS):
        session = assistant.open_session(ALICE)
        (pending,) = assistant.handle_message(session, ALICE, text).pending
        previewed.append((session, pending))
    return previewed


def _one_order_per_confirmed_step(journal: SQLiteJournal, counting: Counting) -> int:
    """The confirmed order steps, checked against the orders that reached the venue."""
    confirmed = [
        client_order_id(summary.session_id, e.payload["step_id"])
        for summary in journal.sessions()
        for e in journal.read(summary.session_id)
        if e.kind == ev.STEP_CONFIRMED
    ]
    assert sorted(counting.created) == sorted(confirmed)  # one each, none twice
    return len(confirmed)


def test_sixteen_sessions_of_one_customer_confirming_at_once_need_no_requote(
    journal: SQLiteJournal, clock: ManualClock
) -> None:
    counting = Counting(Accounts(clock)("alice"))

    def venue_for(user_id: str) -> Venue:
        return counting

    assistant = make_assistant(journal, venue_for, clock)
    previewed = _previewed(assistant, "buy 0.01 BTC")  # about 650 of 25,000 USDT each
    outcomes: Counter[str] = Counter()
    barrier = threading.Barrier(SESSIONS)

    def confirm(session: str, pending: PendingConfirmation) -> None:
        barrier.wait()
        try:
            step, _ = assistant.confirm_step(session, pending.step_id, ALICE, pending.token)
            outcomes[step.state] += 1
        except ConfirmationRefused as exc:
            outcomes[exc.code] += 1

    threads = [threading.Thread(target=confirm, args=each) for each in previewed]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # Every other session's fill changed the balances each preview was made on; none
    # left an order unfunded, so none needed a new confirmation (the target: <= 5%).
    assert outcomes == {"filled": SESSIONS}
    assert _one_order_per_confirmed_step(journal, counting) == SESSIONS
    for summary in journal.sessions():
        assert journal.verify(summary.session_id).ok


def test_the_sessions_a_fill_leaves_unfunded_are_requoted_and_only_those(
    journal: SQLiteJournal, clock: ManualClock
) -> None:
    counting = Counting(Accounts(clock)("alice"))

    def venue_for(user_id: str) -> Venue:
        return counting

    assistant = make_assistant(journal, venue_for, clock)
    # About 3,900 USDT each: the 25,000 USDT cover six of them, not sixteen.
    previewed = _previewed(assistant, "buy 0.06 BTC")
    outcomes: Counter[str] = Counter()
    reasons: list[str] = []

    for session, pending in previewed:  # one after the other: deterministic
        try:
            step, _ = assistant.confirm_step(session, pending.step_id, ALICE, pending.token)
            outcomes[step.state] += 1
        except ConfirmationRefused as exc:
            outcomes[exc.code] += 1
            reasons.append(str(exc))

    assert outcomes == {"filled": 6, "requote_required": SESSIONS - 6}
    # The only reason each time: the balance no longer covers the order.
    assert all(r.count(";") == 0 and "but you have" in r for r in reasons)
    assert _one_order_per_confirmed_step(journal, counting) == 6
