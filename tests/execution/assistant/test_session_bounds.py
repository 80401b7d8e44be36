"""A session's journal growth is bounded: past so many refused confirmations (of every
kind: a token refused, a requote, the day's cap lost to another process) or fresh previews
a minute, the attempt is refused with RateLimited and nothing of it is journaled; without
bounds nothing changes. (tests/web/test_rate_limits.py covers the token and requote cases
over HTTP.)
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from execution.assistant import Assistant, PendingConfirmation
from execution.clock import ManualClock
from execution.errors import RateLimited, RequoteRequired, TokenMismatch
from execution.journal import SQLiteJournal
from execution.policy.limits import SQLiteLimitLedger
from execution.rate_limits import MemoryBuckets, SessionBounds, previews_limit, refusals_limit
from tests.execution.assistant.support import ALICE, Accounts, make_assistant


class RacingLedger(SQLiteLimitLedger):
    """Another process fills the day just before this one's reservation."""

    racing: Decimal = Decimal(0)

    def reserve(self, user_id: str, day: date, quote: str, amount: Decimal, cap: Decimal) -> Any:
        if self.racing:
            other, self.racing = self.racing, Decimal(0)
            super().reserve(user_id, day, quote, other, cap)
        return super().reserve(user_id, day, quote, amount, cap)


@pytest.fixture
def journal(tmp_path: Path, clock: ManualClock) -> SQLiteJournal:
    return SQLiteJournal(tmp_path / "journal.sqlite3", clock, synchronous="NORMAL")


@pytest.fixture
def ledger(tmp_path: Path, clock: ManualClock) -> RacingLedger:
    return RacingLedger(tmp_path / "journal.sqlite3", clock)


def _assistant(
    journal: SQLiteJournal, clock: ManualClock, ledger: RacingLedger, refusals: int = 3
) -> Assistant:
    """A ``basic`` customer's assistant (10,000 USDT a day) with a session bound."""
    bounds = SessionBounds(MemoryBuckets(clock), refusals_limit(refusals), previews_limit(1))
    return make_assistant(
        journal, Accounts(clock), clock, tier="basic", limits=ledger, session_bounds=bounds
    )


def _plan(assistant: Assistant, text: str = "buy 0.07 BTC") -> tuple[str, PendingConfirmation]:
    session = assistant.open_session(ALICE)
    turn = assistant.handle_message(session, ALICE, text)  # about 4,550 USDT
    assert turn.pending, turn.reply
    return session, turn.pending[0]


def test_a_days_cap_refusal_beyond_the_bound_journals_nothing(
    journal: SQLiteJournal, clock: ManualClock, ledger: RacingLedger
) -> None:
    assistant = _assistant(journal, clock, ledger)
    session, pending = _plan(assistant)
    for _ in range(3):
        with pytest.raises(TokenMismatch):
            assistant.confirm_step(session, pending.step_id, ALICE, "forged")
    before = journal.read(session)
    ledger.racing = Decimal(8_000)  # lands after the confirm-time preview, before ours

    with pytest.raises(RateLimited, match="too many refused confirmations in this session"):
        assistant.confirm_step(session, pending.step_id, ALICE, pending.token)

    assert journal.read(session) == before  # no policy denial, no refusal
    assert ledger.used("alice", ledger.today(), "USDT") == Decimal(8_000)  # nothing held
    clock.advance(20_000)  # one refusal back; the token (30 s) is still good
    with pytest.raises(RequoteRequired, match="NOTIONAL_EXCEEDS_MAX_PER_DAY"):  # now seen
        assistant.confirm_step(session, pending.step_id, ALICE, pending.token)
    kinds = [e.kind for e in journal.read(session)[len(before) :]]
    assert kinds[-1] == "confirmation_refused"


def test_fresh_previews_beyond_the_bound_journal_nothing(
    journal: SQLiteJournal, clock: ManualClock, ledger: RacingLedger
) -> None:
    assistant = _assistant(journal, clock, ledger)
    session, pending = _plan(assistant)
    assistant.refresh_step(session, pending.step_id, ALICE)
    before = journal.read(session)

    with pytest.raises(RateLimited) as refused:
        assistant.refresh_step(session, pending.step_id, ALICE)

    assert refused.value.limit == "session_previews"
    assert refused.value.retry_after_s == 60
    assert journal.read(session) == before


def test_each_session_has_its_own_bound(
    journal: SQLiteJournal, clock: ManualClock, ledger: RacingLedger
) -> None:
    assistant = _assistant(journal, clock, ledger, refusals=1)
    first, first_pending = _plan(assistant)
    second, second_pending = _plan(assistant)
    with pytest.raises(TokenMismatch):
        assistant.confirm_step(first, first_pending.step_id, ALICE, "forged")
    with pytest.raises(RateLimited):
        assistant.confirm_step(first, first_pending.step_id, ALICE, "forged")
    with pytest.raises(TokenMismatch):
        assistant.confirm_step(second, second_pending.step_id, ALICE, "forged")


def test_without_bounds_every_refusal_is_journaled(
    journal: SQLiteJournal, clock: ManualClock
) -> None:
    assistant = make_assistant(journal, Accounts(clock), clock)
    session, pending = _plan(assistant, "buy 0.01 BTC")
    for _ in range(100):
        with pytest.raises(TokenMismatch):
            assistant.confirm_step(session, pending.step_id, ALICE, "forged")
    kinds = [e.kind for e in journal.read(session)]
    assert kinds.count("confirmation_refused") == 100
