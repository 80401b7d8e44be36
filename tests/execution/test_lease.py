"""The worker's lease in Redis: one holder at a time, renewed only by its holder, taken over
once it lapses; and the worker acting only while it holds it (threads, and real
``tradeassist worker`` processes, one killed with SIGKILL).

Redis is the test server (tests/conftest.py), under a key prefix of each test's own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from execution.clock import ManualClock
from execution.journal import SQLiteJournal
from execution.lease import RedisLease
from execution.worker import Worker, WorkerSettings
from tests.execution.assistant.support import Accounts, make_assistant
from tests.sandbox_server import REPO, clean_environment


@pytest.fixture
def client(test_redis_url: str) -> Iterator[redis.Redis[bytes]]:
    c: redis.Redis[bytes] = redis.Redis.from_url(test_redis_url)
    yield c
    c.close()


def _lease(client: redis.Redis[bytes], prefix: str, name: str, lease_ms: int = 5_000) -> RedisLease:
    return RedisLease(client, f"{prefix}worker:lease", lease_ms, holder=name)


def test_one_holder_at_a_time_and_a_release_hands_over(
    client: redis.Redis[bytes], redis_prefix: str
) -> None:
    a, b = _lease(client, redis_prefix, "a"), _lease(client, redis_prefix, "b")

    assert a.hold()
    assert not b.hold()
    assert a.hold()  # renewed
    assert client.get(a.key) == b"a"
    first = a.epoch

    a.release()
    assert b.hold()
    assert not a.hold()
    assert client.get(a.key) == b"b"
    assert first is not None
    assert b.epoch == first + 1


def test_a_holder_that_doubted_its_lease_finds_it_still_its_own(
    client: redis.Redis[bytes], redis_prefix: str
) -> None:
    a, b = _lease(client, redis_prefix, "a"), _lease(client, redis_prefix, "b")
    assert a.hold()
    taken = a.epoch
    a.epoch = None  # as after a Redis error: not acting, but the key still names a

    assert a.hold()
    assert a.epoch == taken
    assert not b.hold()


def test_a_lapsed_lease_is_taken_over_and_never_renewed_by_its_old_holder(
    client: redis.Redis[bytes], redis_prefix: str
) -> None:
    a, b = (_lease(client, redis_prefix, name, lease_ms=200) for name in ("a", "b"))
    assert a.hold()
    assert not b.hold()

    time.sleep(0.3)  # a stalls past its lease
    assert b.hold()
    assert not a.hold()  # it learns it lost: it neither renews nor frees b's lease
    assert a.epoch is None
    a.release()
    assert client.get(a.key) == b"b"
    assert client.pttl(a.key) > 0


def test_an_unreachable_redis_counts_as_not_holding(redis_prefix: str) -> None:
    from tests.support import free_port

    lease = RedisLease.from_url(f"redis://127.0.0.1:{free_port()}/0", f"{redis_prefix}l", 1_000)
    try:
        assert not lease.hold()
    finally:
        lease.close()


def test_of_two_workers_on_one_lease_only_the_holder_makes_passes(
    client: redis.Redis[bytes], redis_prefix: str, tmp_path: Path, clock: ManualClock
) -> None:
    assistant = make_assistant(SQLiteJournal(tmp_path / "j.sqlite3", clock), Accounts(clock), clock)
    settings = WorkerSettings(interval_s=0.02, grace_ms=0)
    first = Worker(assistant, settings, _lease(client, redis_prefix, "first"))
    second = Worker(assistant, settings, _lease(client, redis_prefix, "second"))
    threads = [first.start_thread(), second.start_thread()]
    time.sleep(0.5)
    for worker in (first, second):
        worker.stop()
    for thread in threads:
        thread.join(timeout=10)

    acting, idle = sorted((first, second), key=lambda w: w.passes, reverse=True)
    assert acting.passes > 5
    assert acting.waited == 0
    assert idle.passes == 0
    assert idle.waited > 5
    assert client.get(f"{redis_prefix}worker:lease") is None  # released on stop


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "web.cli", "worker"],
        cwd=REPO,
        env=clean_environment(**env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _holder_pid(client: redis.Redis[bytes], key: str, timeout_s: float) -> int | None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = client.get(key)
        if value is not None:
            return int(value.split(b":")[1])
        time.sleep(0.05)
    return None


def test_two_worker_processes_one_acts_and_the_other_takes_over_after_a_sigkill(
    client: redis.Redis[bytes], redis_prefix: str, test_redis_url: str, tmp_path: Path
) -> None:
    env = {
        "TRADEASSIST_DATA_DIR": str(tmp_path),
        "TRADEASSIST_JOURNAL_URL": test_redis_url,
        "TRADEASSIST_JOURNAL_PREFIX": redis_prefix,
        "TRADEASSIST_WORKER_INTERVAL_S": "0.1",
        "TRADEASSIST_WORKER_LEASE_S": "1.5",
    }
    key = f"{redis_prefix}worker:lease"
    workers = [_worker(env), _worker(env)]
    try:
        leader = _holder_pid(client, key, timeout_s=60)
        assert leader in {w.pid for w in workers}
        time.sleep(1)  # the follower has made attempts meanwhile; the leader kept it
        assert _holder_pid(client, key, timeout_s=1) == leader

        (follower,) = (w for w in workers if w.pid != leader)
        os.kill(leader, signal.SIGKILL)
        killed_at = time.monotonic()
        deadline = killed_at + 10
        while _holder_pid(client, key, timeout_s=1) != follower.pid:
            assert time.monotonic() < deadline, "the other worker never took over"
            time.sleep(0.05)
        waited = time.monotonic() - killed_at
        assert 0.5 < waited < 3.5  # after the lease lapsed (1.5 s), within a pass or so
        assert follower.poll() is None
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=20)
    assert client.get(key) is None  # the survivor released it as it stopped


def test_the_worker_refuses_an_interval_the_lease_would_not_outlive(
    test_redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "web.cli", "worker", "--interval", "20"],
        cwd=REPO,
        env=clean_environment(
            TRADEASSIST_DATA_DIR=str(tmp_path),
            TRADEASSIST_JOURNAL_URL=test_redis_url,
            TRADEASSIST_JOURNAL_PREFIX=redis_prefix,
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "must be shorter than TRADEASSIST_WORKER_LEASE_S=10.0" in done.stderr


def test_a_lease_shorter_than_the_interval_is_refused_by_name() -> None:
    from pydantic import ValidationError

    from web.settings import Settings

    with pytest.raises(ValidationError, match=r"TRADEASSIST_WORKER_LEASE_S=1\.0 must be longer"):
        Settings(worker_lease_s=1, worker_interval_s=2)


def test_two_apps_with_embedded_workers_on_redis_run_one_worker_between_them(
    test_redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from web.app import create_app
    from web.settings import Settings

    settings = Settings(
        data_dir=tmp_path,
        journal_url=test_redis_url,
        journal_prefix=redis_prefix,
        embedded_worker=True,
        worker_interval_s=0.02,
        worker_lease_s=2,
    )
    first, second = create_app(settings), create_app(settings)
    with TestClient(first), TestClient(second):
        time.sleep(0.5)
        workers = [first.state.worker, second.state.worker]
        # Each made its start-up pass; after that only the lease's holder makes passes.
        acting, idle = sorted(workers, key=lambda w: w.passes, reverse=True)
        assert acting.passes > 5
        assert idle.passes == 1
        assert idle.waited > 5
