"""The token buckets' contract, run against both backends: this process's memory and Redis.

Each test gets ``buckets`` opened on a manual clock: in memory, or under a key prefix of
its own on the test Redis (``redis_prefix`` in tests/conftest.py). A limit of 10 a minute
gives a token back every 6,000 ms, so every figure below is exact.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from execution.clock import ManualClock
from execution.errors import RateLimited, RateLimitStoreError
from execution.rate_limits import (
    Buckets,
    Charge,
    Limit,
    MemoryBuckets,
    RedisBuckets,
    Refusal,
    admit,
    open_buckets,
)
from tests.support import free_port

TEN = Limit("ten", 10, "tries")
OTHER = Limit("other", 10, "other tries")

Opener = Callable[[ManualClock], Buckets]


@pytest.fixture(params=["memory", "redis"])
def opener(request: pytest.FixtureRequest) -> Iterator[Opener]:
    """Opens buckets on a clock; all it opens on one clock share one store (one process's
    memory, one Redis prefix)."""
    opened: list[Buckets] = []
    in_memory: dict[int, Buckets] = {}

    def open_on(clock: ManualClock) -> Buckets:
        if request.param == "memory":
            if id(clock) in in_memory:
                return in_memory[id(clock)]
            made: Buckets = MemoryBuckets(clock)
            in_memory[id(clock)] = made
        else:
            url = request.getfixturevalue("test_redis_url")
            prefix = request.getfixturevalue("redis_prefix")
            made = RedisBuckets.from_url(url, clock, prefix=prefix)
        opened.append(made)
        return made

    yield open_on
    for made in opened:
        made.close()


@pytest.fixture
def buckets(opener: Opener, clock: ManualClock) -> Buckets:
    return opener(clock)


def take(buckets: Buckets, *charges: Charge) -> Refusal | None:
    return buckets.charge(charges)


def test_a_full_bucket_gives_its_capacity_at_once_then_refuses_until_a_token_is_back(
    buckets: Buckets, clock: ManualClock
) -> None:
    assert [take(buckets, Charge(TEN, "a")) for _ in range(10)] == [None] * 10

    assert take(buckets, Charge(TEN, "a")) == Refusal(TEN, 6_000)
    clock.advance(5_999)
    assert take(buckets, Charge(TEN, "a")) == Refusal(TEN, 1)
    clock.advance(1)
    assert take(buckets, Charge(TEN, "a")) is None
    assert take(buckets, Charge(TEN, "a")) == Refusal(TEN, 6_000)


def test_after_the_window_the_bucket_is_full_again(buckets: Buckets, clock: ManualClock) -> None:
    for _ in range(10):
        assert take(buckets, Charge(TEN, "a")) is None
    clock.advance(60_000)
    assert [take(buckets, Charge(TEN, "a")) for _ in range(10)] == [None] * 10
    assert take(buckets, Charge(TEN, "a")) is not None


def test_each_subject_and_each_limit_has_its_own_bucket(
    buckets: Buckets, clock: ManualClock
) -> None:
    for _ in range(10):
        assert take(buckets, Charge(TEN, "a")) is None
    assert take(buckets, Charge(TEN, "a")) is not None
    assert take(buckets, Charge(TEN, "b")) is None
    assert take(buckets, Charge(OTHER, "a")) is None


def test_a_cost_takes_that_many_tokens(buckets: Buckets, clock: ManualClock) -> None:
    assert take(buckets, Charge(TEN, "a", 7)) is None
    assert take(buckets, Charge(TEN, "a", 4)) == Refusal(TEN, 6_000)
    assert take(buckets, Charge(TEN, "a", 3)) is None
    assert take(buckets, Charge(TEN, "a", 2)) == Refusal(TEN, 12_000)


def test_a_check_takes_nothing_and_is_refused_when_no_token_is_left(
    buckets: Buckets, clock: ManualClock
) -> None:
    for _ in range(20):
        assert take(buckets, Charge(TEN, "a", 0)) is None
    for _ in range(10):
        assert take(buckets, Charge(TEN, "a")) is None
    assert take(buckets, Charge(TEN, "a", 0)) == Refusal(TEN, 6_000)


def test_several_charges_are_taken_all_or_none(buckets: Buckets, clock: ManualClock) -> None:
    for _ in range(10):
        assert take(buckets, Charge(OTHER, "b")) is None

    assert take(buckets, Charge(TEN, "a"), Charge(OTHER, "b")) == Refusal(OTHER, 6_000)
    # "a" was not charged: all ten of its tokens are still there.
    assert [take(buckets, Charge(TEN, "a")) for _ in range(10)] == [None] * 10


def test_a_refusal_names_the_limit_with_the_longest_wait(
    buckets: Buckets, clock: ManualClock
) -> None:
    assert take(buckets, Charge(TEN, "a", 10)) is None
    assert take(buckets, Charge(OTHER, "a", 10)) is None
    clock.advance(6_000)
    assert take(buckets, Charge(OTHER, "a")) is None  # OTHER is empty again, TEN has one

    assert take(buckets, Charge(TEN, "a", 3), Charge(OTHER, "a")) == Refusal(TEN, 12_000)
    assert take(buckets, Charge(TEN, "a"), Charge(OTHER, "a", 2)) == Refusal(OTHER, 12_000)


def test_a_capacity_that_does_not_divide_the_window_still_gives_it_all_at_once(
    buckets: Buckets, clock: ManualClock
) -> None:
    seven = Limit("seven", 7, "tries")
    assert (seven.interval_ms, seven.burst_ms) == (8_572, 60_004)
    assert [take(buckets, Charge(seven, "a")) for _ in range(7)] == [None] * 7
    assert take(buckets, Charge(seven, "a")) == Refusal(seven, 8_572)


def test_two_stores_over_one_redis_share_the_buckets(opener: Opener, clock: ManualClock) -> None:
    first, second = opener(clock), opener(clock)
    for _ in range(5):
        assert take(first, Charge(TEN, "a")) is None
        assert take(second, Charge(TEN, "a")) is None
    assert take(first, Charge(TEN, "a")) is not None
    assert take(second, Charge(TEN, "a")) is not None


def test_concurrent_charges_never_take_more_than_the_capacity(
    opener: Opener, clock: ManualClock
) -> None:
    stores = [opener(clock) for _ in range(4)]
    start = threading.Barrier(16)
    granted: list[bool] = []
    lock = threading.Lock()

    def run(buckets: Buckets) -> None:
        start.wait()
        for _ in range(5):
            ok = take(buckets, Charge(TEN, "a")) is None
            with lock:
                granted.append(ok)

    threads = [threading.Thread(target=run, args=(stores[i % 4],)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert granted.count(True) == 10
    assert len(granted) == 80


def test_admit_raises_rate_limited_naming_the_limit_and_whole_seconds(
    buckets: Buckets, clock: ManualClock
) -> None:
    for _ in range(10):
        admit(buckets, Charge(TEN, "a"))
    clock.advance(4_500)
    with pytest.raises(RateLimited) as refused:
        admit(buckets, Charge(TEN, "a"))
    assert refused.value.retry_after_s == 2  # 1,500 ms, rounded up
    assert refused.value.code == "rate_limited"
    assert refused.value.details == {"limit": "ten", "retry_after_s": 2}
    assert str(refused.value) == "too many tries: at most 10 a minute; retry in 2 s"


def test_a_wait_under_a_second_is_one_second() -> None:
    assert Refusal(TEN, 1).retry_after_s == 1
    assert Refusal(TEN, 1_000).retry_after_s == 1
    assert Refusal(TEN, 1_001).retry_after_s == 2


def test_a_charge_larger_than_the_bucket_is_refused(buckets: Buckets) -> None:
    with pytest.raises(ValueError, match="cannot fit limit 'ten'"):
        take(buckets, Charge(TEN, "a", 11))
    with pytest.raises(ValueError, match="cannot fit limit 'ten'"):
        take(buckets, Charge(TEN, "a", -1))


def test_a_limit_needs_a_capacity_and_a_name() -> None:
    with pytest.raises(ValueError, match="capacity"):
        Limit("zero", 0, "nothing")
    with pytest.raises(ValueError, match="name"):
        Limit("Not a name", 1, "x")


def test_a_long_subject_is_keyed_by_its_hash(buckets: Buckets) -> None:
    long = "x" * 10_000
    assert len(Charge(TEN, long).key) < 100
    assert Charge(TEN, long).key != Charge(TEN, long + "y").key
    assert take(buckets, Charge(TEN, long, 10)) is None
    assert take(buckets, Charge(TEN, long)) is not None


@given(
    steps=st.lists(st.tuples(st.integers(0, 20_000), st.integers(0, 10)), min_size=1, max_size=60)
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_no_span_of_time_grants_more_than_the_capacity_and_its_refill(
    opener: Opener, steps: list[tuple[int, int]]
) -> None:
    """Whatever the charges and their times: from any instant to any later one, the tokens
    granted are at most the capacity plus one per interval between them; and every answer
    is the in-memory backend's (each example has a subject of its own)."""
    clock, reference_clock = ManualClock(), ManualClock()
    buckets, reference = opener(clock), MemoryBuckets(reference_clock)
    subject = uuid.uuid4().hex
    granted: list[tuple[int, int]] = []
    for advance, cost in steps:
        clock.advance(advance)
        reference_clock.advance(advance)
        answer = take(buckets, Charge(TEN, subject, cost))
        assert answer == take(reference, Charge(TEN, subject, cost))
        if answer is None and cost:
            granted.append((clock.now_ms(), cost))
    for i, (start, _) in enumerate(granted):
        for end, _ in granted[i:]:
            taken = sum(c for t, c in granted if start <= t <= end)
            assert taken <= TEN.capacity + (end - start) // TEN.interval_ms


def test_memory_buckets_drop_the_buckets_that_have_refilled(clock: ManualClock) -> None:
    buckets = MemoryBuckets(clock, sweep_at=100)
    for i in range(100):
        assert take(buckets, Charge(TEN, f"user-{i}")) is None
    assert len(buckets) == 100
    clock.advance(TEN.interval_ms)  # each of them is full again
    assert take(buckets, Charge(TEN, "one-more")) is None
    assert len(buckets) == 1


def test_redis_keys_expire_when_their_bucket_is_full_again(
    test_redis_url: str, redis_prefix: str, clock: ManualClock
) -> None:
    buckets = RedisBuckets.from_url(test_redis_url, clock, prefix=redis_prefix)
    client = redis.Redis.from_url(test_redis_url)
    try:
        assert take(buckets, Charge(TEN, "a", 3)) is None
        assert take(buckets, Charge(TEN, "b", 0)) is None  # a check writes nothing
        key = f"{redis_prefix}ratelimit:ten:a"
        assert 17_000 < client.pttl(key) <= 18_000  # 3 x 6,000 ms, less the time to ask
        assert client.exists(f"{redis_prefix}ratelimit:ten:b") == 0
    finally:
        client.close()
        buckets.close()


def test_redis_failures_become_rate_limit_store_errors(clock: ManualClock) -> None:
    buckets = RedisBuckets.from_url(f"redis://127.0.0.1:{free_port()}/0", clock, prefix="x:")
    try:
        with pytest.raises(RateLimitStoreError, match="could not charge the rate limits"):
            take(buckets, Charge(TEN, "a"))
    finally:
        buckets.close()


def test_open_buckets_is_memory_without_a_redis_url(clock: ManualClock) -> None:
    assert isinstance(open_buckets(clock), MemoryBuckets)
