"""Benchmark journal appends: SQLite (WAL) at synchronous=FULL and NORMAL, and Redis.

Run: ``python bench/journal.py [--n 20000] [--sessions 100] [--redis-url URL]``.

Each backend gets ``n`` appends of a realistic ~300-byte preview payload, spread round
robin over ``sessions`` sessions, from one thread and (for Redis) one client, after a
short warm-up. Throughput is appends over the wall time of the loop; p50/p99 are per
append. The Redis URL is ``--redis-url``, else ``TRADEASSIST_TEST_REDIS_URL``, else
``redis://127.0.0.1:6379/15``; the keys written are deleted afterwards. Results are
written down in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import redis

from execution.clock import SystemClock
from execution.journal import SQLiteJournal, canonical_json
from execution.journal_redis import RedisJournal

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
WARM_UP = 500

Append = Callable[[str, str, str, Mapping[str, Any]], object]


def _payload(i: int) -> dict[str, Any]:
    """A preview event as the simulator records it: about 300 bytes of canonical JSON."""
    return {
        "step_id": f"step-{i:08d}",
        "symbol": "BTC/USDT",
        "side": "buy",
        "type": "limit",
        "amount": "0.01000000",
        "price": "61234.50",
        "expected_avg_price": "61240.17",
        "fee": {"currency": "USDT", "cost": "0.6124017"},
        "slippage_bps": "0.93",
        "impact_bps": "1.41",
        "book": {"levels": 20, "ts_ms": 1_767_225_600_000 + i},
        "warnings": ["price moved 0.4%"],
    }


def _run(name: str, append: Append, n: int, sessions: int) -> None:
    for s in range(sessions):  # every session opened (and the client warmed) off the clock
        append(f"sess-{s}", "session_opened", "bench", {"owner": f"user-{s % 10}"})
    for i in range(WARM_UP):
        append(f"sess-{i % sessions}", "preview_made", "assistant", _payload(i))
    samples = []
    start = time.perf_counter_ns()
    for i in range(n):
        t0 = time.perf_counter_ns()
        append(f"sess-{i % sessions}", "preview_made", "assistant", _payload(i))
        samples.append(time.perf_counter_ns() - t0)
    wall = (time.perf_counter_ns() - start) / 1e9
    samples.sort()
    p50 = samples[len(samples) // 2] / 1000
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] / 1000
    print(
        f"{name:<32} n={n:<6} {n / wall:>8.0f}/s  p50 {p50:>8.1f} µs  p99 {p99:>8.1f} µs  "
        f"max {samples[-1] / 1000:>8.1f} µs"
    )


def _load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--n", type=int, default=20_000, help="appends measured per backend")
    cli.add_argument("--sessions", type=int, default=100)
    cli.add_argument(
        "--redis-url",
        default=os.environ.get("TRADEASSIST_TEST_REDIS_URL", DEFAULT_REDIS_URL),
    )
    cli.add_argument("--only", choices=["FULL", "NORMAL", "redis"], action="append")
    args = cli.parse_args()
    only = set(args.only or ["FULL", "NORMAL", "redis"])

    size = len(canonical_json(_payload(0)).encode())
    print(f"payload {size} bytes, {args.sessions} sessions, warm-up {WARM_UP}")
    print(f"load before: {_load()}")
    clock = SystemClock()
    for synchronous in ("FULL", "NORMAL"):
        if synchronous not in only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            journal = SQLiteJournal(Path(tmp) / "j.sqlite3", clock, synchronous=synchronous)
            _run(f"sqlite WAL synchronous={synchronous}", journal.append, args.n, args.sessions)
            journal.close()

    if "redis" in only:
        prefix = f"bench:{uuid.uuid4().hex}:"
        raw = redis.Redis.from_url(args.redis_url)
        config = raw.config_get("appendonly") | raw.config_get("appendfsync")
        print(f"redis {args.redis_url} (server config {config}), prefix {prefix}")
        journal_r = RedisJournal.from_url(args.redis_url, clock, prefix=prefix)
        try:
            _run("redis, one client", journal_r.append, args.n, args.sessions)
        finally:
            journal_r.close()
            keys = list(raw.scan_iter(match=f"{prefix}*", count=1000))
            for i in range(0, len(keys), 1000):
                raw.delete(*keys[i : i + 1000])
            raw.close()
    print(f"load after:  {_load()}")


if __name__ == "__main__":
    main()
