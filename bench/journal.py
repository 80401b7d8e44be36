"""Benchmark journal appends: SQLite (WAL) at synchronous=FULL and NORMAL, and Redis.

Run: ``python bench/journal.py [--n 20000] [--sessions 100] [--batch 1,2,4,app]
[--threads 1] [--redis-url URL]``.

Each backend gets ``n`` events of a realistic ~300-byte preview payload, spread round
robin over ``sessions`` sessions per thread, from ``threads`` threads sharing one journal
(for Redis, one client), after a short warm-up, once per batch size:

* batch 1 is ``Journal.append``: one event per write, its time and hash made by the
  journal;
* batch k is how the app stores one decision (``SessionLog``): k events chained with
  ``chain_event`` on the session's head, stored by one ``Journal.append_events``;
* batch ``app`` cycles through the writes of one market buy in the app (1, 4, 2, 1 and 2
  events: 10 events in 5 writes after the session is open).

Throughput is events (and writes) over the wall time of the loop; p50/p99 are per write.
For Redis the bare round trip (a PING) is printed before and after: no write can be
faster than one, so it says how much of a figure is the machine's loopback.

The Redis URL is ``--redis-url``, else ``TRADEASSIST_TEST_REDIS_URL``, else
``redis://127.0.0.1:6379/15``; the keys written are deleted afterwards. Results are
written down in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis

from execution.clock import Clock, SystemClock
from execution.journal import Event, Journal, SQLiteJournal, canonical_json, chain_event
from execution.journal.redis import RedisJournal

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
WARM_UP = 500

Write = Callable[[str, int, int], None]  # session, first payload number, batch size


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


def _writer(journal: Journal, clock: Clock) -> Write:
    """Writes as the app does: one append for a lone event, else one chained segment on
    the head this client last wrote (no other client writes these sessions)."""
    heads: dict[str, tuple[int, str]] = {}

    def write(session: str, i: int, size: int) -> None:
        if session not in heads or size == 1:
            payload = _payload(i) if session in heads else {"owner": f"user-{i % 10}"}
            event = journal.append(session, "preview_made", "assistant", payload)
        else:
            events: list[Event] = []
            head, ts = heads[session], clock.now_ms()
            for k in range(size):
                events.append(
                    chain_event(session, head, ts, "preview_made", "assistant", _payload(i + k))
                )
                head = (events[-1].seq, events[-1].hash)
            journal.append_events(events)
            event = events[-1]
        heads[session] = (event.seq, event.hash)

    return write


# The writes of one market buy in the app after its session is open, in events per
# write: the message; reading, plan, preview and reply; confirmation and plan move; the
# submitted order; the accepted order and plan move (tests/execution/session/test_log.py).
APP_MIX = (1, 4, 2, 1, 2)


def _run(name: str, journal: Journal, clock: Clock, args: argparse.Namespace, mix: str) -> None:
    """``args.threads`` threads write ``args.n`` events between them through one journal
    (one client), each to its own sessions, in writes of the sizes ``mix`` names."""
    sizes = APP_MIX if mix == "app" else (int(mix),)
    per_thread = args.n // args.threads
    samples: list[list[int]] = [[] for _ in range(args.threads)]
    counts = [0] * args.threads
    ready = threading.Barrier(args.threads + 1)

    def work(t: int) -> None:
        write = _writer(journal, clock)
        sessions = [f"sess-{t}-{s}-{mix}" for s in range(args.sessions)]
        for s, session in enumerate(sessions):  # opened (and warmed) off the clock
            write(session, s, 1)
        for i in range(WARM_UP):
            write(sessions[i % len(sessions)], i, sizes[i % len(sizes)])
        ready.wait()
        ready.wait()
        i = events = 0
        while events < per_thread:
            size = sizes[i % len(sizes)]
            t0 = time.perf_counter_ns()
            write(sessions[i % len(sessions)], events, size)
            samples[t].append(time.perf_counter_ns() - t0)
            events += size
            i += 1
        counts[t] = events

    threads = [threading.Thread(target=work, args=(t,)) for t in range(args.threads)]
    for thread in threads:
        thread.start()
    ready.wait()
    start = time.perf_counter_ns()
    ready.wait()
    for thread in threads:
        thread.join()
    wall = (time.perf_counter_ns() - start) / 1e9
    flat = sorted(x for per in samples for x in per)
    p50 = flat[len(flat) // 2] / 1000
    p99 = flat[min(len(flat) - 1, int(len(flat) * 0.99))] / 1000
    print(
        f"{name:<30} batch {mix:<3} threads {args.threads}  n={sum(counts):<6} "
        f"{sum(counts) / wall:>7.0f} events/s {len(flat) / wall:>7.0f} writes/s  "
        f"p50 {p50:>6.1f} µs  p99 {p99:>7.1f} µs"
    )


def _round_trip_us(client: redis.Redis[bytes], n: int = 5000) -> float:
    """The floor under any one-round-trip append: a bare PING, in µs."""
    start = time.perf_counter_ns()
    for _ in range(n):
        client.ping()
    return (time.perf_counter_ns() - start) / n / 1000


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
    cli.add_argument(
        "--batch",
        default="1,2,4,app",
        help="events per write, comma-separated; 'app' cycles through the app's mix",
    )
    cli.add_argument("--threads", type=int, default=1, help="threads sharing one journal")
    args = cli.parse_args()
    mixes = args.batch.split(",")
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
            for mix in mixes:
                _run(f"sqlite WAL synchronous={synchronous}", journal, clock, args, mix)
            journal.close()

    if "redis" in only:
        prefix = f"bench:{uuid.uuid4().hex}:"
        raw = redis.Redis.from_url(args.redis_url)
        config = raw.config_get("appendonly") | raw.config_get("appendfsync")
        print(f"redis {args.redis_url} (server config {config}), prefix {prefix}")
        journal_r = RedisJournal.from_url(args.redis_url, clock, prefix=prefix)
        try:
            print(f"redis round trip (PING): {_round_trip_us(raw):.1f} µs")
            for mix in mixes:
                _run("redis, one client", journal_r, clock, args, mix)
            print(f"redis round trip (PING): {_round_trip_us(raw):.1f} µs")
        finally:
            journal_r.close()
            keys = list(raw.scan_iter(match=f"{prefix}*", count=1000))
            for i in range(0, len(keys), 1000):
                raw.delete(*keys[i : i + 1000])
            raw.close()
    print(f"load after:  {_load()}")


if __name__ == "__main__":
    main()
