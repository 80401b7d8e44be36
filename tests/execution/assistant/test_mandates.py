"""Mandates, end to end on the sandbox: confirmed once, carried out by the worker within
their terms, paused when an order would fall outside them, and never placed twice."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from execution.assistant import Assistant, PendingConfirmation
from execution.clock import ManualClock
from execution.journal import Journal, SQLiteJournal
from execution.journal import events as ev
from execution.policy import Policy
from execution.session.replay import format_report, rerun
from execution.venues.sandbox import FaultPlan, MarketCatalog, SandboxMarket
from intent.rules import RuleParser
from tests.execution.assistant.support import (
    ALICE,
    OPENING,
    Accounts,
    Counting,
    MovablePrices,
    make_assistant,
)

DAY_MS = 86_400_000


@pytest.fixture
def prices() -> MovablePrices:
    return MovablePrices(MarketCatalog.default())


@pytest.fixture
def venue(clock: ManualClock, prices: MovablePrices) -> Counting:
    accounts = Accounts(clock, SandboxMarket(MarketCatalog.default(), seed=7, prices=prices))
    return Counting(accounts(ALICE.user_id))


@pytest.fixture
def journal(tmp_path: Path, clock: ManualClock) -> SQLiteJournal:
    return SQLiteJournal(tmp_path / "journal.sqlite3", clock, synchronous="NORMAL")


@pytest.fixture
def assistant(journal: SQLiteJournal, venue: Counting, clock: ManualClock) -> Assistant:
    return make_assistant(journal, lambda user: venue, clock)


def _ask(assistant: Assistant, text: str) -> tuple[str, tuple[PendingConfirmation, ...]]:
    session = assistant.open_session(ALICE)
    turn = assistant.handle_message(session, ALICE, text)
    assert turn.pending, turn.reply
    return session, turn.pending


def _confirm(assistant: Assistant, session: str, pending: PendingConfirmation) -> str:
    step, _ = assistant.confirm_step(session, pending.step_id, ALICE, pending.token)
    return step.state


def _state(assistant: Assistant, session: str, step_id: str) -> str:
    return assistant.state(session, ALICE).steps[step_id].state


# --- price conditions ------------------------------------------------------------------


def test_a_price_condition_places_its_order_once_when_the_price_gets_there(
    assistant: Assistant, venue: Counting, prices: MovablePrices, clock: ManualClock
) -> None:
    session, (pending,) = _ask(assistant, "buy 0.01 BTC if it drops below 60k")
    assert _confirm(assistant, session, pending) == "armed"

    assert assistant.run_mandates().actions == []  # BTC at 65000: nothing is due
    prices.factor["BTC/USDT"] = Decimal("0.915")  # 59,475
    clock.advance(60_000)
    report = assistant.run_mandates()
    assistant.run_mandates()
    clock.advance(60_000)
    assistant.run_mandates()

    state = assistant.state(session, ALICE)
    assert report.actions == [f"{session}/p1.1: order p1.1.1 filled", f"{session}/p1.1: done"]
    assert state.steps["p1.1"].state == "done"
    child = state.steps["p1.1.1"]
    assert (child.parent, child.state, child.confirmed_by) == ("p1.1", "filled", "system")
    assert child.venue_order is not None
    assert Decimal(str(child.venue_order["filled"])) == Decimal("0.01"), child.venue_order
    assert len(venue.created) == 1
    assert state.plan_states["p1"] == "completed"
    confirmed = [e for e in assistant.events(session, ALICE) if e.kind == ev.STEP_CONFIRMED]
    assert confirmed[0].payload["user"] == ALICE.user_id  # the customer armed it ...
    assert confirmed[1].payload["parent"] == "p1.1"  # ... the worker placed under it
    assert confirmed[1].payload["mandate_confirmed_by"] == ALICE.user_id


def test_a_gap_through_the_band_pauses_and_asks_then_resumes_on_the_new_preview(
    assistant: Assistant, venue: Counting, prices: MovablePrices, clock: ManualClock
) -> None:
    session, (pending,) = _ask(assistant, "sell 0.01 BTC if it drops below 60k")
    _confirm(assistant, session, pending)
    prices.factor["BTC/USDT"] = Decimal("0.77")  # 50,050: far below the 58,200 floor

    assistant.run_mandates()

    state = assistant.state(session, ALICE)
    assert state.steps["p1.1"].state == "paused"
    assert "outside the agreed band 58200–61800" in (state.steps["p1.1"].error or "")
    assert state.transcript[-1].text.startswith(f"I paused {state.steps['p1.1'].description}:")
    assert venue.created == []

    step, fresh = assistant.refresh_step(session, "p1.1", ALICE)  # the customer looks again
    assert fresh is not None
    assert step.preview is not None
    assert Decimal(step.preview["mandate"]["reference_price"]) < Decimal(51_000)  # as it is
    assert _confirm(assistant, session, fresh) == "done"  # the price is there: sold at once
    assert len(venue.created) == 1
    assert _state(assistant, session, "p1.1.1") == "filled"


def test_an_unmet_condition_expires_and_a_stopped_mandate_places_nothing(
    assistant: Assistant, venue: Counting, clock: ManualClock
) -> None:
    session, (first,) = _ask(assistant, "buy 0.01 BTC if it drops below 50k")
    _confirm(assistant, session, first)
    other, (second,) = _ask(assistant, "buy 0.01 BTC if it breaks 70k")
    _confirm(assistant, other, second)
    assistant.reject_step(other, second.step_id, ALICE)  # the customer stops it

    clock.advance(31 * DAY_MS)
    assistant.run_mandates()

    assert _state(assistant, session, "p1.1") == "skipped"
    assert assistant.state(session, ALICE).plan_states["p1"] == "canceled"
    assert _state(assistant, other, "p1.1") == "rejected"
    assert venue.created == []


# --- take-profit / stop-loss ---------------------------------------------------------------


def test_a_bracket_sells_what_the_entry_bought_when_one_exit_fires_and_skips_the_other(
    assistant: Assistant, venue: Counting, prices: MovablePrices, clock: ManualClock
) -> None:
    session, pending = _ask(assistant, "buy 0.01 BTC with take profit at 70k and stop loss at 60k")
    assert [p.step_id for p in pending] == ["p1.1", "p1.2", "p1.3"]  # all confirmed up front
    for each in pending:
        _confirm(assistant, session, each)
    state = assistant.state(session, ALICE)
    assert [state.steps[s].state for s in ("p1.1", "p1.2", "p1.3")] == ["filled", "armed", "armed"]
    entry = state.steps["p1.1"].venue_order
    assert entry is not None
    bought = Decimal(str(entry["filled"]))
    if entry["fee"]["currency"] == "BTC":  # a buy's fee is taken from what it bought
        bought -= Decimal(str(entry["fee"]["cost"]))

    assistant.run_mandates()
    assert len(venue.created) == 1  # 65,000: neither exit
    prices.factor["BTC/USDT"] = Decimal("1.08")  # 70,200: take profit
    clock.advance(60_000)
    assistant.run_mandates()

    state = assistant.state(session, ALICE)
    assert state.steps["p1.2"].state == "done"
    sold = state.steps["p1.2.1"]
    assert sold.state == "filled"
    assert sold.venue_order is not None
    assert Decimal(str(sold.venue_order["amount"])) == bought
    stop = state.steps["p1.3"]
    assert (stop.state, stop.superseded_by) == ("skipped", "p1.2")
    assert len(venue.created) == 2
    assert state.plan_states["p1"] == "completed"

    prices.factor["BTC/USDT"] = Decimal("0.9")  # the stop's price now: it is gone
    clock.advance(60_000)
    assistant.run_mandates()
    assert len(venue.created) == 2


def test_exits_are_skipped_when_the_entry_is_rejected(
    assistant: Assistant, venue: Counting
) -> None:
    session, pending = _ask(assistant, "buy 0.01 BTC with stop loss at 60k")
    _confirm(assistant, session, pending[1])  # the exit first: armed, waiting for the entry

    _, updates = assistant.reject_step(session, "p1.1", ALICE)

    assert [(u.step.step_id, u.step.state) for u in updates] == [("p1.2", "skipped")]
    assistant.run_mandates()
    assert venue.created == []
    assert assistant.state(session, ALICE).plan_states["p1"] == "canceled"


# --- schedules ---------------------------------------------------------------------------


def test_dca_places_one_order_per_period_and_ends(
    assistant: Assistant, venue: Counting, clock: ManualClock
) -> None:
    session, (pending,) = _ask(assistant, "buy 100 USDT of BTC every day for 3 days")

    assert _confirm(assistant, session, pending) == "armed"
    assert len(venue.created) == 1  # the first order goes out when armed
    for _ in range(3):
        assistant.run_mandates()  # not due yet: nothing more
    assert len(venue.created) == 1
    clock.advance(DAY_MS)
    assistant.run_mandates()
    clock.advance(DAY_MS)
    assistant.run_mandates()
    clock.advance(DAY_MS)
    assistant.run_mandates()

    state = assistant.state(session, ALICE)
    assert [state.steps[f"p1.1.{n}"].state for n in (1, 2, 3)] == ["filled"] * 3
    assert state.steps["p1.1"].state == "done"
    assert state.plan_states["p1"] == "completed"
    assert len(venue.created) == len(set(venue.created)) == 3


def test_twap_slices_on_time_and_a_move_outside_the_band_pauses_it(
    assistant: Assistant, venue: Counting, prices: MovablePrices, clock: ManualClock
) -> None:
    session, (pending,) = _ask(assistant, "sell 0.6 ETH over the next 30 minutes")
    assert "at most 6 orders, one every 5 minutes" in pending.summary
    _confirm(assistant, session, pending)
    clock.advance(300_000)
    assistant.run_mandates()
    assert len(venue.created) == 2

    prices.factor["ETH/USDT"] = Decimal("0.9")  # -10%: outside the 3% band
    clock.advance(300_000)
    assistant.run_mandates()
    assert _state(assistant, session, "p1.1") == "paused"
    assert len(venue.created) == 2

    _, fresh = assistant.refresh_step(session, "p1.1", ALICE)
    assert fresh is not None
    _confirm(assistant, session, fresh)  # re-armed on today's price: slice 3 goes now
    for _ in range(4):
        clock.advance(300_000)
        assistant.run_mandates()
    state = assistant.state(session, ALICE)
    assert len(state.children("p1.1")) == 6
    assert all(c.order["amount"] == "0.1" for c in state.children("p1.1"))
    assert state.steps["p1.1"].state == "done"
    assert len(venue.created) == len(set(venue.created)) == 6


# --- exactly once: concurrent workers, a crash mid-order ------------------------------------


def test_eight_workers_racing_on_due_orders_place_each_once(
    shared_journal: Callable[[], Journal], venue: Counting, clock: ManualClock
) -> None:
    workers = [make_assistant(shared_journal(), lambda user: venue, clock) for _ in range(8)]
    sessions = []
    for n in range(5):
        session, (pending,) = _ask(workers[n], "buy 20 USDT of BTC every day for 4 days")
        _confirm(workers[n], session, pending)
        sessions.append(session)

    for _ in range(3):
        clock.advance(DAY_MS)
        barrier = threading.Barrier(len(workers))

        def run(worker: Assistant, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            worker.run_mandates()

        threads = [threading.Thread(target=run, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert len(venue.created) == len(set(venue.created)) == 5 * 4
    for session in sessions:
        state = workers[0].state(session, ALICE)
        assert state.steps["p1.1"].state == "done"
        assert len(state.children("p1.1")) == 4


class Crash(BaseException):
    """The process stops here (the crash tests' stand-in for SIGKILL in one process)."""


@pytest.mark.parametrize("point", ["submitted", "sent", "accepted"])
def test_a_worker_stopped_mid_order_is_reconciled_and_never_sends_twice(
    journal: SQLiteJournal, venue: Counting, prices: MovablePrices, clock: ManualClock, point: str
) -> None:
    customer = make_assistant(journal, lambda user: venue, clock)
    session, (pending,) = _ask(customer, "buy 0.01 BTC if it drops below 60k")
    _confirm(customer, session, pending)
    prices.factor["BTC/USDT"] = Decimal("0.915")

    def crash(at: str) -> None:
        if at == point:
            raise Crash(at)

    dying = make_assistant(journal, lambda user: venue, clock, crash_point=crash)
    with pytest.raises(Crash):
        dying.run_mandates()
    restarted = make_assistant(journal, lambda user: venue, clock)
    restarted.reconcile()
    restarted.run_mandates()
    restarted.run_mandates()

    state = restarted.state(session, ALICE)
    sent = 0 if point == "submitted" and not venue.created else 1
    assert len(venue.created) == sent
    child = state.steps["p1.1.1"]
    if sent:
        assert (child.state, state.steps["p1.1"].state) == ("filled", "done")
    else:  # stopped before the venue had it: nothing sent; the mandate asks again
        assert (child.state, state.steps["p1.1"].state) == ("failed", "paused")


def test_a_mandate_session_replays_with_no_difference(
    assistant: Assistant, journal: SQLiteJournal, prices: MovablePrices, clock: ManualClock
) -> None:
    session, pending = _ask(assistant, "buy 0.01 BTC with take profit at 70k and stop loss at 60k")
    for each in pending:
        _confirm(assistant, session, each)
    prices.factor["BTC/USDT"] = Decimal("0.92")  # 59,800: the stop fires
    clock.advance(60_000)
    assistant.run_mandates()
    assert _state(assistant, session, "p1.3.1") == "filled"

    report = rerun(
        session,
        journal.read(session),
        parsers={"rules": RuleParser()},
        policy=Policy(),
        ttl_ms=30_000,
        default_quote="USDT",
    )

    assert report.ok, format_report(report)
    assert [c.what for c in report.checks if c.kind == ev.STEP_PREVIEWED] == [
        "preview p1.1",
        "preview p1.2",
        "preview p1.3",
        "preview p1.3.1",
    ]


def test_under_venue_faults_every_mandate_ends_known_and_no_order_is_sent_twice(
    journal: SQLiteJournal, clock: ManualClock
) -> None:
    """20% of venue calls fail (network errors, timeouts before and after the venue took
    the order, rate limits): the worker keeps passing, and each DCA mandate ends done or
    paused with every order it sent accounted for once."""
    market = SandboxMarket(MarketCatalog.default(), seed=7)
    faults = FaultPlan(
        seed=11, network_error=0.05, timeout_before=0.05, timeout_after=0.05, rate_limit=0.05
    )
    clean = Counting(market.open_account(balances=OPENING, clock=clock, account_id=ALICE.user_id))
    faulty = Counting(
        market.open_account(balances=OPENING, clock=clock, account_id="alice-f", faults=faults)
    )
    customer = make_assistant(journal, lambda user: clean, clock)
    worker = make_assistant(journal, lambda user: faulty, clock)
    sessions = []
    for _ in range(30):
        session, (pending,) = _ask(customer, "buy 10 USDT of BTC every day for 3 days")
        _confirm(customer, session, pending)
        sessions.append(session)

    for _ in range(4):
        clock.advance(DAY_MS)
        for _ in range(20):  # several passes a day, as the worker makes
            worker.reconcile()
            worker.run_mandates()

    outcomes: Counter[str] = Counter()
    for session in sessions:
        state = customer.state(session, ALICE)
        mandate = state.steps["p1.1"]
        outcomes[mandate.state] += 1
        assert mandate.state in ("done", "paused"), (session, mandate.state, mandate.error)
        children = state.children("p1.1")
        assert all(c.state in ("filled", "failed") for c in children), children
        if mandate.state == "done":
            assert sum(c.state == "filled" for c in children) == 3
    sent = clean.created + faulty.created
    assert len(sent) == len(set(sent)), "an order was sent twice"
    assert faulty.created, "the faulty venue was never used"
    assert outcomes["done"] > 0, outcomes
