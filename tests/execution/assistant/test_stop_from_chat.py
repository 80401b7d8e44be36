"""Stopping a standing order from the chat: "stop my weekly BTC buys" names one mandate of
the customer's, in whichever session; the stop step is previewed and confirmed like any
step, stops the mandate in its own session exactly once, and replays."""

from __future__ import annotations

from pathlib import Path

import pytest

from execution.assistant import Assistant, PendingConfirmation
from execution.clock import ManualClock
from execution.errors import ConfirmationRefused
from execution.journal import SQLiteJournal
from execution.journal import events as ev
from execution.policy import Policy
from execution.session.replay import format_report, rerun
from execution.venues.sandbox import MarketCatalog, SandboxMarket
from intent.rules import RuleParser
from tests.execution.assistant.support import ALICE, Accounts, Counting, make_assistant

WEEK_MS = 7 * 86_400_000
WEEKLY_BTC = "buy 100 USDT of BTC every week for 10 weeks"


class Crash(BaseException):
    """The process stops here (the crash tests' stand-in for SIGKILL in one process)."""


@pytest.fixture
def venue(clock: ManualClock) -> Counting:
    accounts = Accounts(clock, SandboxMarket(MarketCatalog.default(), seed=7))
    return Counting(accounts(ALICE.user_id))


@pytest.fixture
def journal(tmp_path: Path, clock: ManualClock) -> SQLiteJournal:
    return SQLiteJournal(tmp_path / "journal.sqlite3", clock, synchronous="NORMAL")


@pytest.fixture
def assistant(journal: SQLiteJournal, venue: Counting, clock: ManualClock) -> Assistant:
    return make_assistant(journal, lambda user: venue, clock)


def _arm(assistant: Assistant, text: str) -> tuple[str, str]:
    """A mandate armed in a session of its own: (session, mandate step)."""
    session = assistant.open_session(ALICE)
    turn = assistant.handle_message(session, ALICE, text)
    assert turn.pending, turn.reply
    for pending in turn.pending:
        step, _ = assistant.confirm_step(session, pending.step_id, ALICE, pending.token)
        assert step.state in ("armed", "filled")  # (a bracket: the entry fills)
    return session, turn.pending[0].step_id


def _ask_stop(assistant: Assistant, text: str) -> tuple[str, PendingConfirmation]:
    session = assistant.open_session(ALICE)
    turn = assistant.handle_message(session, ALICE, text)
    assert len(turn.pending) == 1, turn.reply
    return session, turn.pending[0]


def test_stop_my_weekly_btc_buys_plans_one_stop_of_that_mandate(
    assistant: Assistant, venue: Counting, clock: ManualClock
) -> None:
    dca, mandate = _arm(assistant, WEEKLY_BTC)
    _arm(assistant, "buy 0.01 ETH if it drops below 2000")  # another kind: not named
    clock.advance(WEEK_MS)
    assistant.run_mandates()  # the second order
    assert len(venue.created) == 2

    session = assistant.open_session(ALICE)
    turn = assistant.handle_message(session, ALICE, "stop my weekly BTC buys")

    assert turn.plan is not None
    (step,) = turn.plan.steps
    assert step.kind == "stop_mandate"
    assert step.stop is not None
    assert (step.stop.session_id, step.stop.step_id) == (dca, mandate)
    assert step.description.startswith("Stop: Buy 100 USDT of BTC")
    (pending,) = turn.pending
    assert pending.summary.endswith("— 2 of 10 orders placed; orders already placed stay placed.")
    assert turn.preview is not None
    assert turn.preview["steps"][0]["kind"] == "stop"
    # nothing changed yet: the mandate is still armed
    assert assistant.state(dca, ALICE).steps[mandate].state == "armed"


def test_confirming_the_stop_stops_the_mandate_in_its_own_session_once(
    assistant: Assistant, venue: Counting, clock: ManualClock
) -> None:
    dca, mandate = _arm(assistant, WEEKLY_BTC)
    session, pending = _ask_stop(assistant, "停止每週買BTC")

    step, updates = assistant.confirm_step(session, pending.step_id, ALICE, pending.token)

    assert (step.state, updates) == ("done", [])
    target = assistant.state(dca, ALICE).steps[mandate]
    assert target.state == "rejected"
    assert target.stopped_by == {"session_id": session, "step_id": pending.step_id}
    stopped = [e for e in assistant.events(session, ALICE) if e.kind == ev.MANDATE_STOPPED]
    assert len(stopped) == 1
    assert stopped[0].payload["outcome"] == "stopped"
    assert stopped[0].payload["orders_placed"] == 1
    assert assistant.overview(ALICE).mandates == ()
    # the worker places nothing more for it
    clock.advance(WEEK_MS)
    assistant.run_mandates()
    assert len(venue.created) == 1
    # a second confirmation is refused, and nothing more is written
    with pytest.raises(ConfirmationRefused) as refused:
        assistant.confirm_step(session, pending.step_id, ALICE, pending.token)
    assert refused.value.code == "token_reused"
    rejected = [e for e in assistant.events(dca, ALICE) if e.kind == ev.STEP_REJECTED]
    assert len(rejected) == 1


def test_several_matches_are_listed_and_asked_about_without_ids(assistant: Assistant) -> None:
    _arm(assistant, WEEKLY_BTC)
    _arm(assistant, "buy 50 USDT of BTC every day for 5 days")

    session = assistant.open_session(ALICE)
    turn = assistant.handle_message(session, ALICE, "cancel my DCA")

    assert turn.plan is None
    assert not turn.pending
    assert turn.reply.startswith("Several standing orders match: ")
    assert "Buy 100 USDT of BTC" in turn.reply
    assert "Buy 50 USDT of BTC" in turn.reply
    assert "Which one should I stop?" in turn.reply
    assert "p1.1" not in turn.reply
    assert session not in turn.reply


def test_none_matching_says_so_and_lists_what_there_is(assistant: Assistant) -> None:
    session = assistant.open_session(ALICE)
    empty = assistant.handle_message(session, ALICE, "取消止损")
    assert (empty.reply, empty.plan) == ("您没有这样的自动执行指令。", None)  # in its language

    _arm(assistant, WEEKLY_BTC)
    turn = assistant.handle_message(session, ALICE, "cancel my stop loss")
    assert turn.reply.startswith("You have no standing order like that. Your standing orders: ")
    assert "Buy 100 USDT of BTC" in turn.reply
    assert "(active, 1 of 10 orders placed)" in turn.reply


def test_a_stop_loss_exit_is_named_by_its_kind(assistant: Assistant) -> None:
    bracket, _ = _arm(assistant, "buy 0.01 BTC with take profit at 90k and stop loss at 50k")
    session, pending = _ask_stop(assistant, "取消止损")

    step, _ = assistant.confirm_step(session, pending.step_id, ALICE, pending.token)

    assert step.state == "done"
    exits = assistant.state(bracket, ALICE).steps
    assert exits["p1.3"].state == "rejected"  # the stop-loss
    assert exits["p1.2"].state == "armed"  # the take-profit stays


def test_cancel_phrasings_without_a_standing_order_still_cancel_open_orders(
    assistant: Assistant,
) -> None:
    _arm(assistant, WEEKLY_BTC)
    session = assistant.open_session(ALICE)
    turn = assistant.handle_message(session, ALICE, "cancel all my orders")
    assert turn.plan is None
    assert turn.reply == (
        "I understood the request, but you have no open orders, so there is nothing to cancel."
    )


@pytest.mark.parametrize("point", ["confirmed", "stopped"])
def test_a_crash_between_the_two_writes_is_finished_by_the_reconciler(
    journal: SQLiteJournal, venue: Counting, clock: ManualClock, point: str
) -> None:
    customer = make_assistant(journal, lambda user: venue, clock)
    dca, mandate = _arm(customer, WEEKLY_BTC)
    session, pending = _ask_stop(customer, "stop my weekly BTC buys")

    def crash(at: str) -> None:
        if at == point:
            raise Crash(at)

    dying = make_assistant(journal, lambda user: venue, clock, crash_point=crash)
    with pytest.raises(Crash):
        dying.confirm_step(session, pending.step_id, ALICE, pending.token)
    restarted = make_assistant(journal, lambda user: venue, clock)
    assert restarted.state(session, ALICE).steps[pending.step_id].state == "confirmed"

    report = restarted.reconcile()

    assert f"{session}/{pending.step_id}: done" in report.settled
    assert restarted.state(session, ALICE).steps[pending.step_id].state == "done"
    assert restarted.state(dca, ALICE).steps[mandate].state == "rejected"
    assert [e.kind for e in restarted.events(dca, ALICE)].count(ev.STEP_REJECTED) == 1
    (stopped,) = [e for e in restarted.events(session, ALICE) if e.kind == ev.MANDATE_STOPPED]
    assert stopped.payload["outcome"] == "stopped"
    assert restarted.reconcile().settled == []  # nothing left in flight


def test_a_stop_session_replays_with_no_difference(
    assistant: Assistant, journal: SQLiteJournal
) -> None:
    _arm(assistant, WEEKLY_BTC)
    session, pending = _ask_stop(assistant, "stop the weekly BTC purchase")
    assistant.confirm_step(session, pending.step_id, ALICE, pending.token)

    report = rerun(
        session,
        journal.read(session),
        parsers={"rules": RuleParser()},
        policy=Policy(),
        ttl_ms=30_000,
        default_quote="USDT",
    )

    assert report.ok, format_report(report)
    assert [c.what for c in report.checks if c.kind == ev.PLAN_CREATED] == ["plan p1"]
    assert [c.what for c in report.checks if c.kind == ev.STEP_PREVIEWED] == ["preview p1.1"]
    assert all(c.status == "ok" for c in report.checks), format_report(report)


def test_a_stop_asked_in_the_mandates_own_session_stops_it_there(
    assistant: Assistant, venue: Counting
) -> None:
    session, mandate = _arm(assistant, WEEKLY_BTC)
    turn = assistant.handle_message(session, ALICE, "取消每周买比特币")
    (pending,) = turn.pending

    step, _ = assistant.confirm_step(session, pending.step_id, ALICE, pending.token)

    state = assistant.state(session, ALICE)
    assert (step.state, state.steps[mandate].state) == ("done", "rejected")
    assert state.plan_states["p2"] == "completed"
    assert len(venue.created) == 1


def test_rejecting_the_stop_leaves_the_mandate_working(assistant: Assistant) -> None:
    dca, mandate = _arm(assistant, WEEKLY_BTC)
    session, pending = _ask_stop(assistant, "cancel my recurring BTC buy")

    step, _ = assistant.reject_step(session, pending.step_id, ALICE)

    assert step.state == "rejected"
    assert assistant.state(dca, ALICE).steps[mandate].state == "armed"
    assert len(assistant.overview(ALICE).mandates) == 1
