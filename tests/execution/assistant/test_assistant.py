"""The assistant's checkpoints: requote on confirm, plan lifecycles, the race between
concurrent confirmations, and reconciliation after a crash — on a real sandbox venue and
real journals (SQLite here; test_exactly_once_processes.py runs both backends
across processes)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from execution.assistant import Assistant, PendingConfirmation
from execution.assistant.texts import confirmation_text
from execution.clock import ManualClock
from execution.errors import (
    ConfirmationRefused,
    InvalidTransition,
    LimitExceeded,
    RequoteRequired,
    TokenMismatch,
    TokenReused,
)
from execution.journal import SQLiteJournal
from execution.journal import events as ev
from execution.policy import Policy
from execution.policy.limits import SQLiteLimitLedger
from execution.preview.simulator import StepPreview
from execution.session.lifecycle import (
    PLAN_TRANSITIONS,
    STEP_TRANSITIONS,
    check_plan_transition,
    plan_path,
    plan_state_for,
)
from execution.venues.protocol import Venue
from execution.venues.sandbox import MarketCatalog, SandboxMarket
from tests.execution.assistant.support import (
    ALICE,
    Accounts,
    Counting,
    MovablePrices,
    make_assistant,
)


@pytest.fixture
def journal(tmp_path: Path, clock: ManualClock) -> SQLiteJournal:
    return SQLiteJournal(tmp_path / "journal.sqlite3", clock, synchronous="NORMAL")


@pytest.fixture
def prices() -> MovablePrices:
    return MovablePrices(MarketCatalog.default())


@pytest.fixture
def accounts(clock: ManualClock, prices: MovablePrices) -> Accounts:
    return Accounts(clock, SandboxMarket(MarketCatalog.default(), seed=7, prices=prices))


@pytest.fixture
def assistant(journal: SQLiteJournal, accounts: Accounts, clock: ManualClock) -> Assistant:
    return make_assistant(journal, accounts, clock)


def _plan(assistant: Assistant, text: str = "buy 0.01 BTC") -> tuple[str, PendingConfirmation]:
    session = assistant.open_session(ALICE)
    turn = assistant.handle_message(session, ALICE, text)
    assert turn.pending, turn.reply
    return session, turn.pending[0]


def _kinds(journal: SQLiteJournal, session: str) -> list[str]:
    return [e.kind for e in journal.read(session)]


# --- lifecycle tables ----------------------------------------------------------------


def test_every_state_in_the_tables_is_reachable_or_initial() -> None:
    reachable = {s for targets in STEP_TRANSITIONS.values() for s in targets}
    assert set(STEP_TRANSITIONS) - reachable == {"planned"}
    plan_reachable = {s for targets in PLAN_TRANSITIONS.values() for s in targets}
    assert set(PLAN_TRANSITIONS) - plan_reachable == {"proposed"}


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (["awaiting_confirmation"], "proposed"),
        (["rejected", "waiting"], "proposed"),
        (["confirmed"], "in_progress"),
        (["filled", "awaiting_confirmation"], "in_progress"),
        (["filled"], "completed"),
        (["filled", "filled"], "completed"),
        (["filled", "skipped"], "partially_completed"),
        (["partially_filled"], "partially_completed"),
        (["rejected"], "canceled"),
        (["rejected", "skipped"], "canceled"),
        (["canceled"], "canceled"),
        (["failed", "skipped"], "failed"),
    ],
)
def test_plan_state_follows_its_steps(steps: list[Any], expected: str) -> None:
    assert plan_state_for(steps) == expected


def test_plan_transitions_outside_the_table_raise() -> None:
    with pytest.raises(InvalidTransition, match="plan 'p1' cannot go from 'completed'"):
        check_plan_transition("p1", "completed", "in_progress")
    assert plan_path("proposed", "failed") == ["in_progress", "failed"]
    with pytest.raises(InvalidTransition):
        plan_path("canceled", "completed")


def test_a_filled_plan_records_each_plan_transition(
    assistant: Assistant, journal: SQLiteJournal
) -> None:
    session, pending = _plan(assistant)

    step, _ = assistant.confirm_step(session, pending.step_id, ALICE, pending.token)

    assert step.state == "filled"
    plan_events = [e.payload["state"] for e in journal.read(session) if e.kind == ev.PLAN_UPDATED]
    assert plan_events == ["in_progress", "completed"]
    kinds = _kinds(journal, session)
    assert (
        kinds.index(ev.STEP_CONFIRMED)
        < kinds.index(ev.PLAN_UPDATED)
        < kinds.index(ev.ORDER_SUBMITTED)
    )
    assert assistant.state(session, ALICE).plans_json()[0]["state"] == "completed"


def test_a_rejected_plan_is_canceled(assistant: Assistant, journal: SQLiteJournal) -> None:
    session, pending = _plan(assistant, "convert 1 ETH to SOL")

    assistant.reject_step(session, pending.step_id, ALICE)

    state = assistant.state(session, ALICE)
    assert [s.state for s in state.steps.values()] == ["rejected", "skipped"]
    assert state.plan_states == {"p1": "canceled"}
    assert [e.payload["state"] for e in journal.read(session) if e.kind == ev.PLAN_UPDATED] == [
        "canceled"
    ]


# --- requote on confirm ------------------------------------------------------------------


def test_a_price_move_within_tolerance_confirms_as_shown(
    assistant: Assistant, prices: MovablePrices, clock: ManualClock, journal: SQLiteJournal
) -> None:
    session, pending = _plan(assistant)
    prices.factor["BTC/USDT"] = Decimal("1.003")  # 30 bps: inside the 50 bps tolerance
    clock.advance(1_000)

    step, _ = assistant.confirm_step(session, pending.step_id, ALICE, pending.token)

    assert step.state == "filled"
    assert ev.CONFIRMATION_REFUSED not in _kinds(journal, session)


def test_a_price_move_beyond_tolerance_needs_a_new_confirmation(
    assistant: Assistant,
    prices: MovablePrices,
    clock: ManualClock,
    journal: SQLiteJournal,
    accounts: Accounts,
) -> None:
    session, pending = _plan(assistant)
    prices.factor["BTC/USDT"] = Decimal("1.01")  # 100 bps
    clock.advance(1_000)

    with pytest.raises(RequoteRequired, match=r"expected price moved 10\d\.\d bps") as refused:
        assistant.confirm_step(session, pending.step_id, ALICE, pending.token)

    assert accounts("alice").fetch_my_trades() == []  # nothing was sent
    details = refused.value.details
    assert details is not None
    new = PendingConfirmation.model_validate(details["pending"])
    assert new.preview_hash != pending.preview_hash
    events = journal.read(session)
    refusal = next(e for e in events if e.kind == ev.CONFIRMATION_REFUSED)
    assert refusal.payload["code"] == "requote_required"
    requoted = [e for e in events if e.kind == ev.STEP_PREVIEWED][-1]
    assert requoted.payload["requote"]["replaces"] == pending.preview_hash
    assert requoted.payload["preview_hash"] == new.preview_hash
    # The old token is for the old preview; the new one confirms the new preview.
    with pytest.raises(TokenMismatch):
        assistant.confirm_step(session, pending.step_id, ALICE, pending.token)
    step, _ = assistant.confirm_step(session, pending.step_id, ALICE, new.token)
    assert step.state == "filled"
    assert step.venue_order is not None
    assert Decimal(str(step.venue_order["average"])) > _shown_average(journal, session, pending)


def _shown_average(journal: SQLiteJournal, session: str, pending: PendingConfirmation) -> Decimal:
    """The average price the preview behind ``pending`` showed."""
    shown = next(
        e
        for e in journal.read(session)
        if e.kind == ev.STEP_PREVIEWED and e.payload["preview_hash"] == pending.preview_hash
    )
    return Decimal(shown.payload["preview"]["average_price"])


def test_a_balance_change_that_leaves_the_order_funded_confirms_on_a_fresh_preview(
    assistant: Assistant, accounts: Accounts, journal: SQLiteJournal
) -> None:
    session, pending = _plan(assistant, "buy 0.01 BTC")
    # Spend USDT elsewhere between the preview and the confirmation: still funded.
    accounts("alice").create_order("ETH/USDT", "market", "buy", 0.1)

    step, _ = assistant.confirm_step(session, pending.step_id, ALICE, pending.token)

    assert step.state == "filled"
    events = journal.read(session)
    kinds = [e.kind for e in events]
    assert ev.CONFIRMATION_REFUSED not in kinds
    # The fresh preview is journaled, in the confirmation's segment, before the order.
    fresh = [e for e in events if e.kind == ev.STEP_PREVIEWED][-1]
    confirmed = next(e for e in events if e.kind == ev.STEP_CONFIRMED)
    submitted = next(e for e in events if e.kind == ev.ORDER_SUBMITTED)
    assert fresh.seq + 1 == confirmed.seq < submitted.seq
    assert fresh.payload["repreview"] == {"confirms": pending.preview_hash}
    assert (
        fresh.payload["balances"]["USDT"] != _shown(journal, session, pending)["balances"]["USDT"]
    )
    # The confirmation is of what the customer saw (the token's hash, the sentence shown);
    # the order went out on the fresh preview's figures.
    assert confirmed.payload["preview_hash"] == pending.preview_hash
    assert confirmed.payload["sent_on"] == fresh.payload["preview_hash"]
    assert confirmed.payload["shown_text"] == pending.summary
    # ... and that sentence describes what was sent: the same one, made from the fresh preview.
    sent = StepPreview.model_validate(fresh.payload["preview"])
    assert confirmation_text(step.description, sent) == pending.summary
    assert submitted.payload["request"]["amount"] == fresh.payload["preview"]["amount"]
    assert step.preview_hash == pending.preview_hash
    assert step.sent_preview_hash == fresh.payload["preview_hash"]
    # The token was used: a second confirmation says so, and sends nothing more.
    with pytest.raises(TokenReused):
        assistant.confirm_step(session, pending.step_id, ALICE, pending.token)
    assert len(accounts("alice").fetch_my_trades()) == 2  # the ETH buy, and this one
    assert journal.verify(session).ok


def test_a_confirmation_with_nothing_changed_journals_no_second_preview(
    assistant: Assistant, journal: SQLiteJournal
) -> None:
    session, pending = _plan(assistant, "buy 0.01 BTC")

    assistant.confirm_step(session, pending.step_id, ALICE, pending.token)

    events = journal.read(session)
    assert [e.kind for e in events].count(ev.STEP_PREVIEWED) == 1
    assert "sent_on" not in next(e for e in events if e.kind == ev.STEP_CONFIRMED).payload


def _shown(journal: SQLiteJournal, session: str, pending: PendingConfirmation) -> dict[str, Any]:
    """The ``step_previewed`` payload behind ``pending``."""
    return next(
        e.payload
        for e in journal.read(session)
        if e.kind == ev.STEP_PREVIEWED and e.payload["preview_hash"] == pending.preview_hash
    )


def test_a_balance_change_that_leaves_the_order_unfunded_needs_a_new_confirmation(
    assistant: Assistant, accounts: Accounts
) -> None:
    session, pending = _plan(assistant, "buy 0.3 BTC")  # about 19,500 of 25,000 USDT
    accounts("alice").create_order("ETH/USDT", "market", "buy", 2)  # about 6,400 USDT

    with pytest.raises(RequoteRequired, match=r"needs 19509\.75 USDT but you have"):
        assistant.confirm_step(session, pending.step_id, ALICE, pending.token)

    assert len(accounts("alice").fetch_my_trades()) == 1  # only the ETH buy


def test_a_new_policy_version_with_the_same_verdict_confirms_as_shown(
    journal: SQLiteJournal, accounts: Accounts, clock: ManualClock
) -> None:
    first = make_assistant(journal, accounts, clock, policy=Policy(version="v1"))
    session, pending = _plan(first)
    later = make_assistant(journal, accounts, clock, policy=Policy(version="v2"))

    step, _ = later.confirm_step(session, pending.step_id, ALICE, pending.token)

    assert step.state == "filled"
    fresh = [e for e in journal.read(session) if e.kind == ev.STEP_PREVIEWED][-1]
    assert fresh.payload["policy_version"] == "v2"  # the order was checked under v2
    assert fresh.payload["repreview"] == {"confirms": pending.preview_hash}


def test_a_new_policy_version_with_another_verdict_needs_a_new_confirmation(
    journal: SQLiteJournal, accounts: Accounts, clock: ManualClock
) -> None:
    first = make_assistant(journal, accounts, clock, policy=Policy(version="v1"))
    session, pending = _plan(first)
    strict = Policy(version="v2", allowed_assets=frozenset({"ETH", "USDT"}))
    later = make_assistant(journal, accounts, clock, policy=strict)

    with pytest.raises(RequoteRequired, match="policy changed from v1 to v2") as refused:
        later.confirm_step(session, pending.step_id, ALICE, pending.token)

    assert refused.value.details is not None
    assert refused.value.details["pending"] is None  # BTC is not allowed: blocked
    assert accounts("alice").fetch_my_trades() == []


def test_a_change_that_blocks_the_step_leaves_nothing_to_confirm(
    assistant: Assistant, accounts: Accounts
) -> None:
    session, pending = _plan(assistant, "buy 0.3 BTC")  # about 19,500 of 25,000 USDT
    accounts("alice").create_order("ETH/USDT", "market", "buy", 2)  # about 6,400 USDT

    with pytest.raises(RequoteRequired, match=r"needs 19509\.75 USDT but you have") as refused:
        assistant.confirm_step(session, pending.step_id, ALICE, pending.token)

    assert refused.value.details is not None
    assert refused.value.details["pending"] is None
    assert assistant.state(session, ALICE).steps[pending.step_id].state == "blocked"


# --- the race: many confirmations of one step ------------------------------------------


def test_concurrent_confirmations_from_separate_assistants_send_one_order(
    journal: SQLiteJournal, accounts: Accounts, clock: ManualClock
) -> None:
    counting = Counting(accounts("alice"))

    def venue_for(user_id: str) -> Venue:
        return counting

    # Eight assistants are eight processes' worth of caches and locks on one journal.
    assistants = [make_assistant(journal, venue_for, clock) for _ in range(8)]
    session, pending = _plan(assistants[0])
    outcomes: Counter[str] = Counter()
    barrier = threading.Barrier(40)

    def confirm(i: int) -> None:
        barrier.wait()
        try:
            assistants[i % 8].confirm_step(session, pending.step_id, ALICE, pending.token)
            outcomes["confirmed"] += 1
        except ConfirmationRefused as exc:
            outcomes[exc.code] += 1

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes["confirmed"] == 1
    assert outcomes["token_reused"] == 39
    assert len(counting.created) == 1
    kinds = Counter(_kinds(journal, session))
    assert kinds[ev.STEP_CONFIRMED] == kinds[ev.ORDER_SUBMITTED] == kinds[ev.ORDER_ACCEPTED] == 1
    assert journal.verify(session).ok


def test_a_reject_racing_a_confirm_leaves_one_outcome(
    journal: SQLiteJournal, accounts: Accounts, clock: ManualClock
) -> None:
    a, b = make_assistant(journal, accounts, clock), make_assistant(journal, accounts, clock)
    session, pending = _plan(a)
    a.state(session, ALICE)
    b.state(session, ALICE)  # both have the session cached as awaiting confirmation

    a.confirm_step(session, pending.step_id, ALICE, pending.token)

    with pytest.raises(InvalidTransition, match="already filled"):
        b.reject_step(session, pending.step_id, ALICE)


# --- crashes and reconciliation ----------------------------------------------------------


class Crash(BaseException):
    """Stands for the process dying at a point (test_exactly_once_processes.py
    really kills it)."""


@pytest.mark.parametrize(
    ("point", "sent", "final"),
    [
        ("confirmed", False, "failed"),
        ("submitted", False, "failed"),
        ("sent", True, "filled"),
        ("accepted", True, "filled"),
    ],
)
def test_reconcile_settles_a_step_left_at_each_point(
    journal: SQLiteJournal,
    accounts: Accounts,
    clock: ManualClock,
    point: str,
    sent: bool,
    final: str,
) -> None:
    def crash_at(name: str) -> None:
        if name == point:
            raise Crash(name)

    crashing = make_assistant(journal, accounts, clock, crash_point=crash_at)
    session, pending = _plan(crashing)
    with pytest.raises(Crash):
        crashing.confirm_step(session, pending.step_id, ALICE, pending.token)
    clock.advance(5_000)

    restarted = make_assistant(journal, accounts, clock)
    report = restarted.reconcile()

    state = restarted.state(session, ALICE)
    assert state.steps[pending.step_id].state == final
    assert len(accounts("alice").fetch_my_trades()) == (1 if sent else 0)
    assert state.plan_states["p1"] == ("completed" if sent else "failed")
    assert report.unsettled == []
    if point != "accepted":
        assert report.settled == [f"{session}/{pending.step_id}: {final}"]
    assert journal.verify(session).ok
    # A second pass finds nothing left to do, and confirming again sends nothing.
    assert restarted.reconcile().checked == 0
    with pytest.raises(ConfirmationRefused):
        restarted.confirm_step(session, pending.step_id, ALICE, pending.token)
    assert len(accounts("alice").fetch_my_trades()) == (1 if sent else 0)


def test_reconcile_leaves_recent_steps_to_the_process_working_on_them(
    journal: SQLiteJournal, accounts: Accounts, clock: ManualClock
) -> None:
    def crash_at(name: str) -> None:
        if name == "submitted":
            raise Crash(name)

    crashing = make_assistant(journal, accounts, clock, crash_point=crash_at)
    session, pending = _plan(crashing)
    with pytest.raises(Crash):
        crashing.confirm_step(session, pending.step_id, ALICE, pending.token)
    clock.advance(1_000)

    assert make_assistant(journal, accounts, clock).reconcile(grace_ms=30_000).checked == 0
    assert crashing.state(session, ALICE).steps[pending.step_id].state == "submitted"


def test_reconcile_records_a_resting_order_that_filled_later(
    journal: SQLiteJournal, accounts: Accounts, clock: ManualClock, prices: MovablePrices
) -> None:
    assistant = make_assistant(journal, accounts, clock)
    session, pending = _plan(assistant, "buy 0.01 BTC at 55000")
    step, _ = assistant.confirm_step(session, pending.step_id, ALICE, pending.token)
    assert step.state == "open"
    assert assistant.reconcile().settled == []  # nothing changed yet

    prices.factor["BTC/USDT"] = Decimal("0.8")  # 52,000: the price falls through the limit
    clock.advance(60_000)
    report = assistant.reconcile()

    assert report.settled == [f"{session}/{pending.step_id}: filled"]
    state = assistant.state(session, ALICE)
    assert state.steps[pending.step_id].state == "filled"
    assert state.plan_states["p1"] == "completed"
    assert _kinds(journal, session).count(ev.ORDER_UPDATED) == 1


def test_state_is_cached_but_sees_other_processes_appends(
    journal: SQLiteJournal, accounts: Accounts, clock: ManualClock
) -> None:
    a, b = make_assistant(journal, accounts, clock), make_assistant(journal, accounts, clock)
    session, pending = _plan(a)
    assert b.state(session, ALICE).steps[pending.step_id].state == "awaiting_confirmation"

    a.confirm_step(session, pending.step_id, ALICE, pending.token)

    assert b.state(session, ALICE).steps[pending.step_id].state == "filled"
    turn = b.handle_message(session, ALICE, "buy 0.02 BTC")
    assert turn.plan is not None
    assert turn.plan.plan_id == "p2"


class Interfering:
    """A venue proxy that, on the first balance read, lets another process act first."""

    def __init__(self, venue: Venue) -> None:
        self._venue = venue
        self.before_balance: list[Callable[[], object]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._venue, name)

    def fetch_balance(self) -> Any:
        while self.before_balance:
            self.before_balance.pop()()
        return self._venue.fetch_balance()


def test_a_confirmation_that_loses_the_race_during_its_requote_is_refused_as_reused(
    journal: SQLiteJournal, accounts: Accounts, clock: ManualClock
) -> None:
    a = make_assistant(journal, accounts, clock)
    session, pending = _plan(a)
    interfering = Interfering(accounts("alice"))
    b = make_assistant(journal, lambda user: interfering, clock)
    # b has checked the token and is previewing again when a's confirmation lands (and
    # fills, so b's new preview sees a changed balance and wants a requote).
    interfering.before_balance.append(
        lambda: a.confirm_step(session, pending.step_id, ALICE, pending.token)
    )

    with pytest.raises(TokenReused):
        b.confirm_step(session, pending.step_id, ALICE, pending.token)

    kinds = Counter(_kinds(journal, session))
    assert kinds[ev.STEP_CONFIRMED] == kinds[ev.ORDER_SUBMITTED] == 1
    assert kinds[ev.CONFIRMATION_REFUSED] == 1
    assert len(accounts("alice").fetch_my_trades()) == 1
    assert journal.verify(session).ok


# --- daily limits by tier ------------------------------------------------------------------


@pytest.fixture
def ledger(tmp_path: Path, clock: ManualClock) -> SQLiteLimitLedger:
    return SQLiteLimitLedger(tmp_path / "journal.sqlite3", clock)


def _basic(
    journal: SQLiteJournal,
    accounts: Accounts,
    clock: ManualClock,
    ledger: SQLiteLimitLedger,
    crash_point: Callable[[str], None] | None = None,
) -> Assistant:
    """An assistant for a ``basic`` customer: 5,000 USDT per order, 10,000 per day."""
    return make_assistant(
        journal, accounts, clock, tier="basic", limits=ledger, crash_point=crash_point
    )


def test_a_preview_past_the_days_cap_is_blocked(
    journal: SQLiteJournal, accounts: Accounts, clock: ManualClock, ledger: SQLiteLimitLedger
) -> None:
    assistant = _basic(journal, accounts, clock, ledger)
    for _ in range(2):  # two orders of about 4,550 USDT: 9,100 of the day's 10,000
        session, pending = _plan(assistant, "buy 0.07 BTC")
        assistant.confirm_step(session, pending.step_id, ALICE, pending.token)

    session = assistant.open_session(ALICE)
    turn = assistant.handle_message(session, ALICE, "buy 0.03 BTC")

    assert turn.pending == ()
    assert turn.preview is not None
    codes = [w["code"] for w in turn.preview["steps"][0]["warnings"]]
    assert "NOTIONAL_EXCEEDS_MAX_PER_DAY" in codes
    previewed = next(e for e in journal.read(session) if e.kind == ev.STEP_PREVIEWED)
    assert previewed.payload["tier"] == "basic"
    assert Decimal(previewed.payload["used_today"]) > Decimal(9_000)


def test_a_day_filled_since_the_preview_needs_a_new_confirmation(
    journal: SQLiteJournal, accounts: Accounts, clock: ManualClock, ledger: SQLiteLimitLedger
) -> None:
    assistant = _basic(journal, accounts, clock, ledger)
    session, pending = _plan(assistant, "buy 0.07 BTC")  # about 4,550 USDT, inside the day
    ledger.reserve("alice", ledger.today(), "USDT", Decimal(8_000), Decimal(10_000))

    with pytest.raises(RequoteRequired, match="NOTIONAL_EXCEEDS_MAX_PER_DAY") as refused:
        assistant.confirm_step(session, pending.step_id, ALICE, pending.token)

    assert refused.value.details is not None
    assert refused.value.details["pending"] is None  # blocked: nothing to confirm
    assert accounts("alice").fetch_my_trades() == []


class RacingLedger(SQLiteLimitLedger):
    """Another process reserves part of the day just before this one's reservation."""

    racing: Decimal = Decimal(0)

    def reserve(self, user_id: str, day: date, quote: str, amount: Decimal, cap: Decimal) -> Any:
        if self.racing:
            other, self.racing = self.racing, Decimal(0)
            super().reserve(user_id, day, quote, other, cap)
        return super().reserve(user_id, day, quote, amount, cap)


def test_a_reservation_that_loses_the_race_for_the_day_refuses_the_confirmation(
    journal: SQLiteJournal, accounts: Accounts, clock: ManualClock, tmp_path: Path
) -> None:
    ledger = RacingLedger(tmp_path / "journal.sqlite3", clock)
    assistant = _basic(journal, accounts, clock, ledger)
    session, pending = _plan(assistant, "buy 0.07 BTC")  # about 4,550 USDT, inside the day
    ledger.racing = Decimal(8_000)  # lands after the confirm-time preview, before ours

    with pytest.raises(LimitExceeded, match="NOTIONAL_EXCEEDS_MAX_PER_DAY"):
        assistant.confirm_step(session, pending.step_id, ALICE, pending.token)

    assert accounts("alice").fetch_my_trades() == []
    kinds = _kinds(journal, session)
    assert ev.POLICY_DENIED in kinds
    assert ev.STEP_CONFIRMED not in kinds
    assert assistant.state(session, ALICE).steps[pending.step_id].state == "awaiting_confirmation"
    assert ledger.used("alice", ledger.today(), "USDT") == Decimal(8_000)


def test_an_order_never_sent_gives_its_daily_notional_back(
    journal: SQLiteJournal, accounts: Accounts, clock: ManualClock, ledger: SQLiteLimitLedger
) -> None:
    def crash_at(name: str) -> None:
        if name == "confirmed":
            raise Crash(name)

    crashing = _basic(journal, accounts, clock, ledger, crash_at)
    session, pending = _plan(crashing, "buy 0.07 BTC")
    with pytest.raises(Crash):
        crashing.confirm_step(session, pending.step_id, ALICE, pending.token)
    assert ledger.used("alice", ledger.today(), "USDT") > Decimal(4_000)
    clock.advance(60_000)

    _basic(journal, accounts, clock, ledger).reconcile()

    assert ledger.used("alice", ledger.today(), "USDT") == Decimal(0)


# --- cancel steps ------------------------------------------------------------------------


def _resting_buy(assistant: Assistant) -> tuple[str, str]:
    session, pending = _plan(assistant, "buy 0.01 BTC at 55000")
    step, _ = assistant.confirm_step(session, pending.step_id, ALICE, pending.token)
    assert step.state == "open"
    return session, pending.step_id


def test_cancel_previews_the_order_and_cancels_it_once_confirmed(
    assistant: Assistant, accounts: Accounts, journal: SQLiteJournal
) -> None:
    session, placed = _resting_buy(assistant)
    venue = accounts("alice")
    assert venue.fetch_balance()["used"]["USDT"] == pytest.approx(550)

    turn = assistant.handle_message(session, ALICE, "cancel my BTC order")

    assert turn.plan is not None
    (step,) = turn.plan.steps
    assert step.kind == "cancel_order"
    assert turn.preview is not None
    preview = turn.preview["steps"][0]
    assert (preview["kind"], preview["amount"], preview["price"]) == ("cancel", "0.01", "55000")
    assert preview["releases"] == {"currency": "USDT", "amount": "550.00"}
    assert venue.fetch_open_orders() != []  # nothing is canceled before the confirmation
    (pending,) = turn.pending
    assert "frees ≈ 550" in pending.summary

    done, _ = assistant.confirm_step(session, step.step_id, ALICE, pending.token)

    assert done.state == "done"
    assert venue.fetch_open_orders() == []
    assert not venue.fetch_balance()["used"].get("USDT")
    state = assistant.state(session, ALICE)
    assert state.steps[placed].state == "canceled"  # the order's own step follows
    assert state.plan_states == {"p1": "canceled", "p2": "completed"}
    with pytest.raises(TokenReused):
        assistant.confirm_step(session, step.step_id, ALICE, pending.token)
    assert journal.verify(session).ok


def test_cancel_with_nothing_open_says_so(assistant: Assistant) -> None:
    session = assistant.open_session(ALICE)

    turn = assistant.handle_message(session, ALICE, "cancel all open orders")

    assert turn.plan is None
    assert "no open orders" in turn.reply


def test_cancel_of_an_order_that_filled_meanwhile_fails_and_says_why(
    assistant: Assistant, prices: MovablePrices, clock: ManualClock
) -> None:
    session, _ = _resting_buy(assistant)
    turn = assistant.handle_message(session, ALICE, "cancel my BTC order")
    (pending,) = turn.pending
    prices.factor["BTC/USDT"] = Decimal("0.8")  # the limit fills before the cancel
    clock.advance(1_000)

    step, _ = assistant.confirm_step(session, pending.step_id, ALICE, pending.token)

    assert step.state == "failed"
    assert step.error is not None
    assert "not canceled: the order is closed" in step.error


@pytest.mark.parametrize(("point", "final"), [("submitted", "failed"), ("sent", "done")])
def test_reconcile_settles_a_cancel_left_in_flight(
    journal: SQLiteJournal, accounts: Accounts, clock: ManualClock, point: str, final: str
) -> None:
    def crash_at(name: str) -> None:
        if name == point:
            raise Crash(name)

    crashing = make_assistant(journal, accounts, clock, crash_point=crash_at)
    session, _ = _resting_buy(make_assistant(journal, accounts, clock))
    (pending,) = crashing.handle_message(session, ALICE, "cancel my BTC order").pending
    with pytest.raises(Crash):
        crashing.confirm_step(session, pending.step_id, ALICE, pending.token)
    clock.advance(60_000)

    make_assistant(journal, accounts, clock).reconcile()

    state = crashing.state(session, ALICE)
    assert state.steps[pending.step_id].state == final
    assert (accounts("alice").fetch_open_orders() == []) == (final == "done")
