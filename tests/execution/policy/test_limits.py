"""The daily-limit ledger contract, run against both backends: SQLite and Redis.

Each test gets a ``backend``: a temporary SQLite file, or a unique key prefix on the real
Redis server at ``TRADEASSIST_TEST_REDIS_URL`` (``test_redis_url`` and ``redis_prefix`` in
tests/conftest.py; default ``redis://127.0.0.1:6379/15``), whose keys are deleted
afterwards. A backend is plain data, so a spawned process can open its own ledger on the
same store.

The concurrency proof runs 8 threads and 4 processes at once, each with its own ledger
(its own connection or client), all reserving against one cap.
"""

from __future__ import annotations

import multiprocessing
import queue
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import redis

from execution.clock import ManualClock
from execution.errors import LimitStoreError
from execution.journal import SQLiteJournal
from execution.policy import Denial, Policy, daily_limit_denial
from execution.policy.limits import (
    QUANTUM,
    LimitLedger,
    RedisLimitLedger,
    Refusal,
    Reservation,
    SQLiteLimitLedger,
    reserve_order,
    used_today,
    utc_day,
)
from execution.preview.simulator import StepPreview
from tests.execution.policy.test_rules import eth_buy  # noqa: F401  (fixture)
from tests.support import free_port

DAY = date(2026, 1, 1)
USDT = "USDT"


@dataclass(frozen=True)
class Backend:
    """Where a ledger lives; picklable, so a spawned process can open one there too."""

    kind: str  # "sqlite" or "redis"
    target: str  # the SQLite file or the Redis URL
    prefix: str = ""

    def open(self, clock: ManualClock | None = None) -> LimitLedger:
        clock = clock or ManualClock()
        if self.kind == "sqlite":
            return SQLiteLimitLedger(self.target, clock)
        return RedisLimitLedger.from_url(self.target, clock, prefix=self.prefix)


@pytest.fixture(params=["sqlite", "redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield Backend("sqlite", str(tmp_path / "tradeassist.sqlite3"))
        return
    url = request.getfixturevalue("test_redis_url")
    yield Backend("redis", url, request.getfixturevalue("redis_prefix"))


@pytest.fixture
def ledger(backend: Backend, clock: ManualClock) -> Iterator[LimitLedger]:
    opened = backend.open(clock)
    yield opened
    opened.close()


def _reserved(outcome: Reservation | Refusal) -> Reservation:
    assert isinstance(outcome, Reservation), outcome
    return outcome


def _refused(outcome: Reservation | Refusal) -> Refusal:
    assert isinstance(outcome, Refusal), outcome
    return outcome


# --- reserving, refusing, releasing ---------------------------------------------------


def test_reserves_up_to_the_cap_exactly_then_refuses(ledger: LimitLedger) -> None:
    first = _reserved(ledger.reserve("alice", DAY, USDT, Decimal(60), Decimal(100)))
    second = _reserved(ledger.reserve("alice", DAY, USDT, Decimal(40), Decimal(100)))
    refused = _refused(ledger.reserve("alice", DAY, USDT, QUANTUM, Decimal(100)))

    assert (first.amount, first.used, first.cap) == (Decimal(60), Decimal(60), Decimal(100))
    assert (second.amount, second.used) == (Decimal(40), Decimal(100))
    assert first.reservation_id != second.reservation_id
    assert (refused.used, refused.amount, refused.cap) == (Decimal(100), QUANTUM, Decimal(100))
    assert ledger.used("alice", DAY, USDT) == Decimal(100)


def test_a_refusal_is_the_policys_daily_denial(ledger: LimitLedger) -> None:
    ledger.reserve("alice", DAY, USDT, Decimal(60), Decimal(100))

    refused = _refused(ledger.reserve("alice", DAY, USDT, Decimal(50), Decimal(100)))
    denial = refused.denial("verified")

    assert refused.code == denial.code == "NOTIONAL_EXCEEDS_MAX_PER_DAY"
    assert denial == daily_limit_denial(USDT, Decimal(100), Decimal(60), Decimal(50), "verified")
    assert "max=100 USDT per day (tier verified)" in denial.message
    assert "already used=60.00 USDT, this order=50.00 USDT" in denial.message
    assert ledger.used("alice", DAY, USDT) == Decimal(60)  # the refusal counted nothing


def test_users_days_and_quotes_are_counted_apart(ledger: LimitLedger) -> None:
    ledger.reserve("alice", DAY, USDT, Decimal(70), Decimal(100))

    assert isinstance(ledger.reserve("bob", DAY, USDT, Decimal(70), Decimal(100)), Reservation)
    assert isinstance(
        ledger.reserve("alice", date(2026, 1, 2), USDT, Decimal(70), Decimal(100)), Reservation
    )
    assert isinstance(ledger.reserve("alice", DAY, "USDC", Decimal(70), Decimal(100)), Reservation)
    assert isinstance(ledger.reserve("alice", DAY, USDT, Decimal(70), Decimal(100)), Refusal)
    assert [
        ledger.used(user, day, quote)
        for user, day, quote in [
            ("alice", DAY, USDT),
            ("bob", DAY, USDT),
            ("alice", date(2026, 1, 2), USDT),
            ("alice", DAY, "USDC"),
            ("carol", DAY, USDT),
        ]
    ] == [Decimal(70), Decimal(70), Decimal(70), Decimal(70), Decimal(0)]


def test_user_ids_with_separators_do_not_share_a_count(ledger: LimitLedger) -> None:
    ledger.reserve("a:USDT:b", DAY, USDT, Decimal(70), Decimal(100))

    assert ledger.used("b", DAY, USDT) == 0
    assert ledger.used("a", DAY, USDT) == 0
    assert isinstance(ledger.reserve("a", DAY, USDT, Decimal(70), Decimal(100)), Reservation)


def test_release_uncounts_exactly_once(ledger: LimitLedger) -> None:
    kept = _reserved(ledger.reserve("alice", DAY, USDT, Decimal("10.5"), Decimal(100)))
    dropped = _reserved(ledger.reserve("alice", DAY, USDT, Decimal("89.5"), Decimal(100)))
    assert isinstance(ledger.reserve("alice", DAY, USDT, Decimal(1), Decimal(100)), Refusal)

    assert ledger.release(dropped) is True
    assert ledger.release(dropped) is False  # already released: nothing more is uncounted
    assert ledger.used("alice", DAY, USDT) == Decimal("10.5")
    assert isinstance(
        ledger.reserve("alice", DAY, USDT, Decimal("89.5"), Decimal(100)), Reservation
    )
    assert ledger.used("alice", DAY, USDT) == Decimal(100)
    assert kept.amount == Decimal("10.5")


def test_releasing_everything_leaves_zero(ledger: LimitLedger) -> None:
    held = [
        _reserved(ledger.reserve("alice", DAY, USDT, Decimal(a), Decimal(100)))
        for a in ("0.1", "0.2", "33.33333333")
    ]

    assert ledger.used("alice", DAY, USDT) == Decimal("33.63333333")
    assert all(ledger.release(r) for r in reversed(held))
    assert ledger.used("alice", DAY, USDT) == 0


def test_amounts_round_up_and_caps_down_to_the_quantum(ledger: LimitLedger) -> None:
    counted = _reserved(ledger.reserve("alice", DAY, "BTC", Decimal("0.123456781"), Decimal(1)))
    capped = _refused(
        ledger.reserve("alice", DAY, "BTC", Decimal("0.87654322"), Decimal("0.999999999"))
    )

    assert counted.amount == Decimal("0.12345679")  # never less than the order
    assert capped.cap == Decimal("0.99999999")  # never more than the policy allows
    assert capped.used == Decimal("0.12345679")
    assert ledger.used("alice", DAY, "BTC") == Decimal("0.12345679")


def test_sums_stay_exact_beyond_double_precision(ledger: LimitLedger) -> None:
    # 10000000000000003 units of 10^-8 is past 2^53: a double cannot hold it exactly, so a
    # ledger that computes in floats (or in Lua numbers) gets the boundary wrong.
    cap = Decimal("100000000.00000003")
    a = _reserved(ledger.reserve("alice", DAY, USDT, Decimal("50000000.00000001"), cap))
    b = _reserved(ledger.reserve("alice", DAY, USDT, Decimal("50000000.00000002"), cap))
    over = _refused(ledger.reserve("alice", DAY, USDT, QUANTUM, cap))

    assert (a.used, b.used) == (Decimal("50000000.00000001"), cap)
    assert over.used == cap
    assert ledger.used("alice", DAY, USDT) == cap
    assert ledger.release(a)
    assert ledger.used("alice", DAY, USDT) == Decimal("50000000.00000002")


def test_a_zero_cap_refuses_everything(ledger: LimitLedger) -> None:
    refused = _refused(ledger.reserve("alice", DAY, USDT, QUANTUM, Decimal(0)))

    assert (refused.used, refused.cap) == (Decimal(0), Decimal(0))
    assert ledger.used("alice", DAY, USDT) == 0


@pytest.mark.parametrize(
    ("user", "day", "quote", "amount", "cap", "match"),
    [
        ("", DAY, USDT, Decimal(1), Decimal(1), "user_id"),
        ("alice", "2026-01-01", USDT, Decimal(1), Decimal(1), "day"),
        ("alice", utc_day(1_767_225_600_000), "US:DT", Decimal(1), Decimal(1), "quote"),
        ("alice", DAY, USDT, Decimal(0), Decimal(1), "amount must be positive"),
        ("alice", DAY, USDT, Decimal(-1), Decimal(1), "amount must be positive"),
        ("alice", DAY, USDT, Decimal("NaN"), Decimal(1), "finite"),
        ("alice", DAY, USDT, 1.5, Decimal(1), "finite Decimal"),
        ("alice", DAY, USDT, Decimal(1), Decimal(-1), "cap must not be negative"),
        ("alice", DAY, USDT, Decimal(1), Decimal("Infinity"), "finite"),
        ("alice", DAY, USDT, Decimal(10**10 + 1), Decimal(1), "maximum"),
    ],
)
def test_invalid_requests_are_refused_before_the_store(
    ledger: LimitLedger, user: Any, day: Any, quote: Any, amount: Any, cap: Any, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        ledger.reserve(user, day, quote, amount, cap)

    assert ledger.used("alice", DAY, USDT) == 0


def test_today_is_the_utc_day_of_the_injected_clock(backend: Backend) -> None:
    clock = ManualClock(1_767_311_999_999)  # 2026-01-01T23:59:59.999Z
    ledger = backend.open(clock)

    before = ledger.today()
    clock.advance(1)
    after = ledger.today()

    assert (before, after) == (date(2026, 1, 1), date(2026, 1, 2))
    ledger.close()


def test_usage_outlives_the_ledger_and_is_shared_between_ledgers(backend: Backend) -> None:
    one, two = backend.open(), backend.open()
    held = _reserved(one.reserve("alice", DAY, USDT, Decimal(30), Decimal(100)))
    one.close()

    assert two.used("alice", DAY, USDT) == Decimal(30)
    assert two.release(held)  # released by another ledger than the one that reserved
    assert two.used("alice", DAY, USDT) == 0
    two.close()


# --- what the assistant calls: used_today at preview, reserve_order at confirmation ----


def test_reserve_order_counts_against_the_tiers_daily_cap(
    ledger: LimitLedger,
    eth_buy: StepPreview,  # noqa: F811  (the fixture imported above)
) -> None:
    preview = eth_buy.model_copy(update={"notional": Decimal(6000)})
    policy = Policy()  # basic: 10,000 USDT a day

    first = reserve_order(ledger, policy, user_id="alice", tier="basic", preview=preview)
    used = used_today(ledger, "alice", preview)
    second = reserve_order(ledger, policy, user_id="alice", tier="basic", preview=preview)
    verified = reserve_order(ledger, policy, user_id="alice", tier="verified", preview=preview)

    assert isinstance(first, Reservation)
    assert (first.day, first.quote, first.amount, first.cap) == (
        ledger.today(),
        USDT,
        Decimal(6000),
        Decimal(10_000),
    )
    assert used == Decimal(6000)
    assert second == Denial(
        code="NOTIONAL_EXCEEDS_MAX_PER_DAY",
        message="NOTIONAL_EXCEEDS_MAX_PER_DAY: max=10000 USDT per day (tier basic), "
        "already used=6000.00 USDT, this order=6000.00 USDT",
        params={"cap": "10,000.00", "left": "4,000.00", "quote": "USDT"},
    )
    # The same day's usage under a higher tier's cap: the customer was moved up.
    assert isinstance(verified, Reservation)
    assert verified.used == Decimal(12_000)
    # What preview time then sees, and the policy's check agrees with the ledger.
    assert not policy.check(preview, "basic", used_today(ledger, "alice", preview)).allowed


def test_reserve_order_without_caps_reserves_nothing(
    ledger: LimitLedger,
    eth_buy: StepPreview,  # noqa: F811  (the fixture imported above)
) -> None:
    unknown = reserve_order(ledger, Policy(), user_id="alice", tier="gold", preview=eth_buy)
    no_quote = reserve_order(
        ledger,
        Policy(),
        user_id="alice",
        tier="pro",
        preview=eth_buy.model_copy(update={"symbol": "ETH/DAI"}),
    )

    assert isinstance(unknown, Denial)
    assert isinstance(no_quote, Denial)
    assert (unknown.code, no_quote.code) == ("TIER_UNKNOWN", "QUOTE_NOT_ALLOWED")
    assert used_today(ledger, "alice", eth_buy) == 0


# --- concurrency: 8 threads and 4 processes against one cap ---------------------------

AMOUNT = Decimal("12.34567891")
CAP = Decimal(1000)
FIT = 81  # 81 x 12.34567891 = 999.99999171; one more is past the cap
THREADS, PROCESSES, ATTEMPTS = 8, 4, 20


def _reserve_many(
    backend: Backend,
    barrier: Any,
    results: Any,
    worker: int,
    release_every: int,
) -> None:
    """One worker with its own ledger: ATTEMPTS reservations, releasing every
    ``release_every``-th one it got (0: none); reports each outcome."""
    ledger = backend.open()
    outcomes: list[tuple[str, str, str]] = []
    try:
        barrier.wait(timeout=120)
        granted = 0
        for _ in range(ATTEMPTS):
            got = ledger.reserve("alice", DAY, USDT, AMOUNT, CAP)
            if isinstance(got, Refusal):
                outcomes.append(("refused", str(got.amount), str(got.used)))
                continue
            granted += 1
            if release_every and granted % release_every == 0:
                released = ledger.release(got)
                outcomes.append(("released" if released else "lost", str(got.amount), ""))
            else:
                outcomes.append(("kept", str(got.amount), str(got.used)))
    except BaseException as exc:  # reported to the test, not lost in the worker
        outcomes.append(("error", repr(exc), ""))
    finally:
        ledger.close()
        results.put((worker, outcomes))


def _run_everywhere(backend: Backend, release_every: int) -> list[tuple[str, str, str]]:
    """THREADS threads here and PROCESSES spawned processes, started together."""
    context = multiprocessing.get_context("spawn")  # a fresh interpreter and client each
    barrier = context.Barrier(THREADS + PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=_reserve_many, args=(backend, barrier, results, w, release_every))
        for w in range(PROCESSES)
    ]
    threads = [
        threading.Thread(
            target=_reserve_many, args=(backend, barrier, results, PROCESSES + t, release_every)
        )
        for t in range(THREADS)
    ]
    for process in processes:
        process.start()
    for thread in threads:
        thread.start()
    reports = []
    try:
        for _ in range(THREADS + PROCESSES):
            reports.append(results.get(timeout=180))
    except queue.Empty:
        pytest.fail(f"only {len(reports)} of {THREADS + PROCESSES} workers reported")
    finally:
        for thread in threads:
            thread.join(timeout=60)
        for process in processes:
            process.join(timeout=60)
    assert sorted(w for w, _ in reports) == list(range(THREADS + PROCESSES))
    assert [p.exitcode for p in processes] == [0] * PROCESSES
    return [outcome for _, outcomes in reports for outcome in outcomes]


def test_concurrent_reservations_never_exceed_the_cap(backend: Backend) -> None:
    outcomes = _run_everywhere(backend, release_every=0)

    assert [o for o in outcomes if o[0] == "error"] == []
    kept = [o for o in outcomes if o[0] == "kept"]
    refused = [o for o in outcomes if o[0] == "refused"]
    assert len(kept) + len(refused) == (THREADS + PROCESSES) * ATTEMPTS
    # Exactly as many as fit were granted, each saw a different running total (the
    # reservations happened one after another), and every refusal saw a full day.
    assert len(kept) == FIT
    assert sorted(Decimal(used) for _, _, used in kept) == [AMOUNT * n for n in range(1, FIT + 1)]
    assert {Decimal(used) for _, _, used in refused} == {AMOUNT * FIT}
    ledger = backend.open()
    assert ledger.used("alice", DAY, USDT) == AMOUNT * FIT <= CAP
    ledger.close()


def test_concurrent_reservations_and_releases_keep_an_exact_count(backend: Backend) -> None:
    outcomes = _run_everywhere(backend, release_every=3)

    assert [o for o in outcomes if o[0] in ("error", "lost")] == []
    kept = [o for o in outcomes if o[0] == "kept"]
    released = [o for o in outcomes if o[0] == "released"]
    assert released  # the releases did interleave with the reservations
    assert all(Decimal(used) <= CAP for _, _, used in kept)
    ledger = backend.open()
    assert ledger.used("alice", DAY, USDT) == AMOUNT * len(kept) <= CAP
    ledger.close()


# --- the stores' errors become LimitStoreError --------------------------------------


def test_a_broken_store_raises_limit_store_error(backend: Backend) -> None:
    ledger = backend.open()
    ledger.reserve("alice", DAY, USDT, Decimal(1), Decimal(100))
    if backend.kind == "sqlite":  # the table dropped behind the ledger's back
        db = sqlite3.connect(backend.target)
        db.execute("DROP TABLE limit_usage")
        db.commit()
        db.close()
    else:  # the key overwritten with a value of another type
        assert isinstance(ledger, RedisLimitLedger)
        raw = redis.Redis.from_url(backend.target)
        raw.set(ledger.key("alice", DAY, USDT), "not a hash")
        raw.close()

    with pytest.raises(LimitStoreError, match=r"could not reserve 1 USDT for 'alice'") as caught:
        ledger.reserve("alice", DAY, USDT, Decimal(1), Decimal(100))
    with pytest.raises(LimitStoreError, match=r"could not read the usage of 'alice'"):
        ledger.used("alice", DAY, USDT)

    assert caught.value.code == "limit_store_error"
    assert isinstance(caught.value.__cause__, sqlite3.Error | redis.RedisError)
    ledger.close()


def test_an_unreachable_redis_raises_limit_store_error(clock: ManualClock) -> None:
    ledger = RedisLimitLedger.from_url(f"redis://127.0.0.1:{free_port()}/0", clock)

    with pytest.raises(LimitStoreError, match=r"ConnectionError"):
        ledger.reserve("alice", DAY, USDT, Decimal(1), Decimal(100))
    ledger.close()


# --- backend specifics --------------------------------------------------------------


def test_sqlite_ledger_shares_the_journals_file(tmp_path: Any, clock: ManualClock) -> None:
    path = tmp_path / "tradeassist.sqlite3"
    journal = SQLiteJournal(path, clock)
    ledger = SQLiteLimitLedger(path, clock)
    journal.append("s1", "session_opened", "alice", {"owner": "alice"})

    ledger.reserve("alice", DAY, USDT, Decimal("0.1"), Decimal(100))
    ledger.reserve("alice", DAY, USDT, Decimal("0.2"), Decimal(100))

    db = sqlite3.connect(path)
    (stored,) = db.execute("SELECT used FROM limit_usage").fetchone()
    db.close()
    assert stored == "0.30000000"  # a decimal string, never a float
    assert journal.verify("s1").ok
    journal.close()
    ledger.close()


def test_redis_keeps_integer_units_and_expires_the_day(
    test_redis_url: str, redis_prefix: str, clock: ManualClock
) -> None:
    ledger = RedisLimitLedger.from_url(
        test_redis_url, clock, prefix=redis_prefix, ttl_ms=3 * 86_400_000
    )
    raw = redis.Redis.from_url(test_redis_url)

    held = _reserved(ledger.reserve("alice", DAY, USDT, Decimal("0.3"), Decimal(100)))
    key = ledger.key("alice", DAY, USDT)

    assert key == f"{redis_prefix}limits:2026-01-01:USDT:alice"
    assert raw.hget(key, "used") == b"30000000"
    assert raw.hget(key, f"r:{held.reservation_id}") == b"30000000"
    assert 0 < raw.pttl(key) <= 3 * 86_400_000
    raw.close()
    ledger.close()


def test_redis_ttl_must_cover_the_day(clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="two days"):
        RedisLimitLedger(redis.Redis(), clock, ttl_ms=86_400_000)
