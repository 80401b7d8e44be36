"""With the venue failing one call in five, 500 plans all end in a known terminal state
and no step's order reaches the venue twice, on both journal backends.

The customer here is persistent: they re-send a message the venue could not answer,
preview again when a preview failed, confirm the new preview when asked to, and the
reconciler settles what the venue left unknown. Every fault is one of the sandbox's
seeded ccxt faults: NetworkError, RequestTimeout before and after the venue accepted the
order, and RateLimitExceeded.

The same proof runs on SQLite (the journal and the daily-limit ledger in one file) and on
Redis (``RedisJournal`` and ``RedisLimitLedger`` under the test's own key prefix).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import ccxt
import pytest
from ccxt.base.types import Trade

from execution.assistant import Assistant, PendingConfirmation, client_order_id
from execution.clock import ManualClock
from execution.errors import RequoteRequired, VenueUnavailable
from execution.journal import Journal, SQLiteJournal
from execution.journal import events as ev
from execution.journal.redis import RedisJournal
from execution.policy.limits import LimitLedger, RedisLimitLedger, SQLiteLimitLedger
from execution.session.lifecycle import PLAN_TRANSITIONS, TERMINAL_STEP_STATES
from execution.session.state import SessionState
from execution.venues.protocol import Venue
from execution.venues.sandbox import FaultPlan, MarketCatalog, SandboxMarket
from tests.execution.assistant.support import ALICE, make_assistant

PLANS = 500
TEXTS = ("buy 0.001 BTC", "sell 0.01 ETH", "convert 0.01 ETH to SOL", "buy 0.05 SOL")
FAULTS = FaultPlan(
    seed=2026, network_error=0.05, timeout_before=0.05, timeout_after=0.05, rate_limit=0.05
)
PATIENCE = 200  # attempts per action before the test calls the system stuck


class Customer:
    """Drives one plan to its end through the faults, as a persistent customer would."""

    def __init__(self, assistant: Assistant, clock: ManualClock) -> None:
        self.assistant = assistant
        self.clock = clock
        self.tokens: dict[str, PendingConfirmation] = {}
        self.faults_seen: Counter[str] = Counter()

    def run(self, text: str) -> str:
        session = self.assistant.open_session(ALICE)
        for _ in range(PATIENCE):
            try:
                turn = self.assistant.handle_message(session, ALICE, text)
            except VenueUnavailable:
                self.faults_seen["message"] += 1
                continue
            if turn.plan is not None:
                break
            raise AssertionError(f"no plan for {text!r}: {turn.reply}")
        else:
            raise AssertionError(f"{text!r}: the venue never answered")
        for pending in turn.pending:
            self.tokens[pending.step_id] = pending
        for _ in range(PATIENCE):
            state = self.assistant.state(session, ALICE)
            if all(s.state in TERMINAL_STEP_STATES for s in state.steps.values()):
                return session
            self.advance(session, state)
        raise AssertionError(f"session {session} did not end: {self.describe(session)}")

    def advance(self, session: str, state: SessionState) -> None:
        self.clock.advance(100)
        step = next(s for s in state.steps.values() if s.state not in TERMINAL_STEP_STATES)
        try:
            if step.state in ("confirmed", "submitted", "open"):
                self.faults_seen["reconcile"] += 1
                self.assistant.reconcile()
            elif step.state == "blocked":
                self.assistant.reject_step(session, step.step_id, ALICE)
            elif step.state == "awaiting_confirmation" and step.step_id in self.tokens:
                token = self.tokens.pop(step.step_id).token
                _, updates = self.assistant.confirm_step(session, step.step_id, ALICE, token)
                for update in updates:
                    if update.pending is not None:
                        self.tokens[update.step.step_id] = update.pending
            else:  # planned, waiting after a failed preview, or no token at hand
                _, pending = self.assistant.refresh_step(session, step.step_id, ALICE)
                if pending is not None:
                    self.tokens[step.step_id] = pending
        except RequoteRequired as exc:
            fresh = (exc.details or {}).get("pending")
            if fresh is not None:
                new = PendingConfirmation.model_validate(fresh)
                self.tokens[new.step_id] = new
        except VenueUnavailable:
            self.faults_seen[step.state] += 1

    def describe(self, session: str) -> str:
        state = self.assistant.state(session, ALICE)
        return ", ".join(f"{s.step_id}={s.state}" for s in state.steps.values())


@pytest.fixture(params=["sqlite", "redis"])
def stores(
    request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock
) -> Iterator[tuple[Journal, LimitLedger]]:
    """The journal and the daily-limit ledger, both on SQLite or both on the test Redis."""
    journal: SQLiteJournal | RedisJournal
    limits: LimitLedger
    if request.param == "sqlite":
        path = tmp_path / "journal.sqlite3"
        journal = SQLiteJournal(path, clock, synchronous="OFF")
        limits = SQLiteLimitLedger(path, clock)
    else:
        url = request.getfixturevalue("test_redis_url")
        prefix = request.getfixturevalue("redis_prefix")
        journal = RedisJournal.from_url(url, clock, prefix=prefix)
        limits = RedisLimitLedger.from_url(url, clock, prefix=prefix)
    yield journal, limits
    limits.close()
    journal.close()


def test_500_plans_with_a_fifth_of_venue_calls_failing(
    stores: tuple[Journal, LimitLedger], clock: ManualClock
) -> None:
    market = SandboxMarket(MarketCatalog.default(), seed=11)
    venue = market.open_account(
        balances={"USDT": Decimal(50_000), "BTC": Decimal(1), "ETH": Decimal(10)},
        clock=clock,
        account_id="alice",
        faults=FAULTS,
    )

    def venue_for(user_id: str) -> Venue:
        return venue

    journal, limits = stores
    assistant = make_assistant(journal, venue_for, clock, limits=limits)
    customer = Customer(assistant, clock)

    sessions = [customer.run(TEXTS[i % len(TEXTS)]) for i in range(PLANS)]

    # Every plan is in a terminal state of its table, and its steps are too.
    plan_states: Counter[str] = Counter()
    sent: Counter[str] = Counter()  # clientOrderId -> orders the journal says were sent
    for session in sessions:
        state = assistant.state(session, ALICE)
        for plan_id, plan_state in state.plan_states.items():
            assert PLAN_TRANSITIONS[plan_state] == frozenset(), (session, plan_id, plan_state)
            plan_states[plan_state] += 1
        for event in journal.read(session):
            if event.kind == ev.ORDER_ACCEPTED:
                sent[event.payload["order"]["clientOrderId"]] += 1
        for step in state.steps.values():
            if step.state in ("filled", "partially_filled"):
                assert step.venue_order is not None
                coid = client_order_id(session, step.step_id)
                assert step.venue_order["clientOrderId"] == coid
        assert journal.verify(session).ok
    assert sum(plan_states.values()) == PLANS
    # No step has two orders: one acceptance per clientOrderId in the journal, and the
    # venue's trades belong to exactly the orders the journal accepted.
    assert set(sent.values()) == {1}
    accepted_ids = {
        e.payload["order"]["id"]
        for session in sessions
        for e in journal.read(session)
        if e.kind in (ev.ORDER_ACCEPTED, ev.ORDER_UPDATED)
    }
    assert {t["order"] for t in _retrying(venue.fetch_my_trades)} <= accepted_ids
    # The faults did happen, on every kind of call the customer and reconciler made.
    assert customer.faults_seen["message"] > 0
    assert customer.faults_seen["reconcile"] > 0
    assert plan_states["completed"] > PLANS // 2
    # The daily-limit ledger of the same backend counted the orders that went out.
    assert limits.used(ALICE.user_id, limits.today(), "USDT") > 0
    unknown = sum(_count(journal, s, ev.ORDER_UNKNOWN) for s in sessions)
    looked_up = sum(_count(journal, s, ev.ORDER_FAILED) for s in sessions)
    print(
        f"plans: {dict(plan_states)}; faults met: {dict(customer.faults_seen)}; "
        f"orders left unknown then reconciled: {unknown}; failed orders: {looked_up}"
    )


def _count(journal: Journal, session: str, kind: str) -> int:
    return sum(1 for e in journal.read(session) if e.kind == kind)


def _retrying(call: Callable[[], list[Trade]]) -> list[Trade]:
    for _ in range(PATIENCE):
        try:
            return call()
        except ccxt.NetworkError:
            continue
    raise AssertionError("the venue never answered")
