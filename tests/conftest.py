"""Shared fixtures: a manual clock, the fixture files in the repo, the test Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from execution.clock import ManualClock

REPO = Path(__file__).resolve().parents[1]
#: Fixture files copied into the repo (ccxt's static fixtures: see their SOURCE.md).
CCXT_STATIC = REPO / "tests" / "fixtures" / "ccxt-static"
#: The labelled intent corpora (see their README.md).
CORPORA = REPO / "tests" / "intent" / "corpora"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(scope="session")
def test_redis_url() -> str:
    """The test Redis (``TRADEASSIST_TEST_REDIS_URL``, default db 15 on 127.0.0.1:6379);
    fails when CI named it and it does not answer, skips when nobody named one."""
    url = os.environ.get("TRADEASSIST_TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL)
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        if "TRADEASSIST_TEST_REDIS_URL" in os.environ:
            pytest.fail(f"TRADEASSIST_TEST_REDIS_URL={url} does not answer: {exc}")
        pytest.skip(f"no Redis at {url} (set TRADEASSIST_TEST_REDIS_URL): {exc}")
    finally:
        client.close()
    return url


@pytest.fixture
def redis_prefix(test_redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own on the test Redis, deleted afterwards."""
    chosen = f"tradeassist-test:{uuid.uuid4().hex}:"
    yield chosen
    client = redis.Redis.from_url(test_redis_url)
    keys = list(client.scan_iter(match=f"{chosen}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
