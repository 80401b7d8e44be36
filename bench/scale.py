"""Scale-out: chat trades/s (message + confirm) with 1 and 2 app processes on Redis.

Run: ``python bench/scale.py [--customers 16] [--seconds 20] [--max-trades 4000] [--write]``.

For each process count it starts a real ``tradeassist serve --workers N`` on 127.0.0.1 (the
Redis journal under a key prefix of its own, the accounts on one ``tradeassist
sandbox-server``, a data directory with ``--customers`` bench customers), opens one session
per customer, warms up, then has every customer trade in a loop for ``--seconds`` (or until
``--max-trades`` in all): "buy 0.001 BTC", then confirm the step (confirming again on a
requote). It reports trades/s, the latency of one trade, the requotes, and checks that the
venue holds exactly one order per confirmed step and nothing else. Then the ratio, and with
``--write`` the figures and the machine's load (``uptime``) are appended to
bench/RESULTS.md. Bounded in count and time; nothing leaves 127.0.0.1.

The client is one thread per customer on keep-alive HTTP/1.1 (``http.client``), in this
process: it shares the machine's CPUs with the app processes, Redis and the sandbox server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import redis

from execution.venues.sandbox.remote import RemoteSandbox
from tests.app_server import app_server
from tests.sandbox_server import REPO, SandboxProcess, clean_environment, sandbox_server
from web.auth import Principal, Principals

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
REDIS_URL = "redis://127.0.0.1:6379/15"
TEXT = "buy 0.001 BTC"
BALANCES = {"USDT": Decimal(10_000_000), "BTC": Decimal(1_000)}


#: uvicorn closes a kept-alive connection idle for 5 s: a customer idle this long (while
#: the others warm up) opens a new one rather than write into a closed one.
IDLE_S = 4.0


class Customer:
    """One customer's keep-alive connection and session."""

    def __init__(self, url: str, user_id: str, token: str) -> None:
        parts = urlsplit(url)
        assert parts.hostname is not None
        self.user_id = user_id
        self._conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.session = ""
        self._used = time.monotonic()

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body)
        if time.monotonic() - self._used > IDLE_S:  # the server may have closed it
            self._conn.close()  # http.client opens a new one for the request
        self._conn.request(method, path, body=data, headers=self._headers)
        response = self._conn.getresponse()
        raw = response.read()
        self._used = time.monotonic()
        return response.status, json.loads(raw) if raw else None

    def open(self) -> None:
        status, shown = self.call("GET", "/api/disclosures/risk?locale=en")
        assert status == 200, shown
        ack = {k: shown[k] for k in ("version", "locale", "text")}
        status, answer = self.call("POST", "/api/disclosures/risk/ack", ack)
        assert status in (200, 201), answer
        status, answer = self.call("POST", "/api/sessions")
        assert status == 201, answer
        self.session = answer["id"]

    def trade(self) -> tuple[str, int]:
        """A message and its step confirmed: the step's clientOrderId and the requotes."""
        status, turn = self.call("POST", f"/api/sessions/{self.session}/messages", {"text": TEXT})
        assert status == 200, turn
        (pending,) = turn["pending"]
        for requotes in range(20):
            path = f"/api/sessions/{self.session}/steps/{pending['step_id']}/confirm"
            status, answer = self.call("POST", path, {"token": pending["token"]})
            if status == 200:
                assert answer["step"]["state"] == "filled", answer
                return str(answer["step"]["client_order_id"]), requotes
            assert status == 409, answer
            assert answer["error"]["code"] == "requote_required", answer
            pending = answer["error"]["details"]["pending"]
        raise AssertionError(f"{self.user_id}: 20 requotes in a row")

    def close(self) -> None:
        self._conn.close()


@dataclass
class Run:
    processes: int
    trades: int = 0
    seconds: float = 0.0
    requotes: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    orders_checked: int = 0
    problems: list[str] = field(default_factory=list)
    # CPU seconds spent during the timed window, by whom.
    cpu_s: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.trades / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0

    def line(self) -> str:
        return (
            f"{self.processes} process(es): {self.trades} trades in {self.seconds:.1f} s = "
            f"{self.rate:.1f} trades/s; trade p50 {self.percentile(0.5):.0f} ms, "
            f"p99 {self.percentile(0.99):.0f} ms; requotes {self.requotes}; "
            f"venue: {self.orders_checked} orders, one per confirmed step"
            + "; CPU ms per trade: "
            + ", ".join(f"{k} {v * 1000 / max(self.trades, 1):.1f}" for k, v in self.cpu_s.items())
            + ("" if not self.problems else f"; PROBLEMS: {self.problems[:3]}")
        )


def _cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of ``pids`` so far (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def _app_pids(parent: int) -> list[int]:
    """``tradeassist serve`` and the processes it spawned to serve."""
    found = [parent]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return found


def _customers(data_dir: Path, label: str, count: int) -> list[tuple[str, str]]:
    """``count`` bench customers in the principals store the app processes will open."""
    data_dir.mkdir(parents=True, exist_ok=True)
    principals = Principals(data_dir / "tradeassist.sqlite3")
    made = []
    try:
        for i in range(count):
            user_id, token = f"bench-{label}-{i}", f"bench-token-{label}-{i}-{uuid.uuid4().hex}"
            principals.put(
                Principal(user_id, f"Bench {i}", "customer", frozenset({"trade"})), token
            )
            made.append((user_id, token))
    finally:
        principals.close()
    return made


@contextmanager
def _worker(env: dict[str, str], tmp: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``tradeassist worker`` beside the app, stopped with SIGTERM after."""
    with (tmp / "worker.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "web.cli", "worker"],
            cwd=REPO,
            env=clean_environment(**env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.terminate()
            process.wait(timeout=30)


def measure(processes: int, args: argparse.Namespace, venue: SandboxProcess, tmp: Path) -> Run:
    venue_url = venue.url
    label = f"w{processes}-{uuid.uuid4().hex[:6]}"
    prefix = f"bench-scale:{label}:"
    data_dir = tmp / label
    accounts = _customers(data_dir, label, args.customers)
    env = {
        "TRADEASSIST_DATA_DIR": str(data_dir),
        "TRADEASSIST_JOURNAL_URL": args.redis_url,
        "TRADEASSIST_JOURNAL_PREFIX": prefix,
        "TRADEASSIST_VENUE": "sandbox-remote",
        "TRADEASSIST_VENUE_URL": venue_url,
        # As docker-compose.yml deploys it: the worker is its own process, not a thread
        # of each app process (its pass folds every session: the leader would pay for all).
        "TRADEASSIST_EMBEDDED_WORKER": "false",
        # The abuse limits are checked, but the load is the point: no bound is reached.
        "TRADEASSIST_RATE_MESSAGES_PER_PRINCIPAL": "1000000",
        "TRADEASSIST_RATE_SESSION_REFUSALS": "1000000",
    }
    run = Run(processes)
    confirmed: dict[str, list[str]] = {user: [] for user, _ in accounts}
    try:
        with app_server(tmp, env, workers=processes) as app, _worker(env, tmp) as worker:
            customers = [Customer(app.url, user, token) for user, token in accounts]
            for customer in customers:
                customer.open()
            for _ in range(args.warmup):  # every process's caches, both ways
                for customer in customers:
                    confirmed[customer.user_id].append(customer.trade()[0])
            budget = threading.Semaphore(args.max_trades)
            lock = threading.Lock()
            start = threading.Barrier(len(customers) + 1)
            stop_at = [0.0]

            def loop(customer: Customer) -> None:
                start.wait()
                while time.perf_counter() < stop_at[0] and budget.acquire(blocking=False):
                    began = time.perf_counter()
                    try:
                        client_order_id, requotes = customer.trade()
                    except (AssertionError, OSError, http.client.HTTPException) as exc:
                        with lock:
                            run.problems.append(f"{customer.user_id}: {exc!r}"[:200])
                        return
                    took = time.perf_counter() - began
                    with lock:
                        confirmed[customer.user_id].append(client_order_id)
                        run.trades += 1
                        run.requotes += requotes
                        run.latencies_ms.append(took * 1000)

            threads = [threading.Thread(target=loop, args=(c,)) for c in customers]
            for thread in threads:
                thread.start()
            who = {
                "app": _app_pids(app.process.pid),
                "sandbox server": [venue.process.pid],
                "worker": [worker.pid],
                "bench client": [os.getpid()],
            }
            cpu_before = {name: _cpu_s(pids) for name, pids in who.items()}
            began = time.perf_counter()
            stop_at[0] = began + args.seconds
            start.wait()
            for thread in threads:
                thread.join(timeout=args.seconds + 120)
            run.seconds = time.perf_counter() - began
            run.cpu_s = {name: _cpu_s(pids) - cpu_before[name] for name, pids in who.items()}
            for customer in customers:
                customer.close()
    finally:
        client = redis.Redis.from_url(args.redis_url)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
    # Exactly one order per confirmed step at the venue, and no order besides.
    for user, steps in confirmed.items():
        orders = Counter(o["clientOrderId"] for o in RemoteSandbox(venue_url, user).fetch_orders())
        run.orders_checked += sum(orders.values())
        if orders != Counter(steps) or any(n != 1 for n in orders.values()):
            run.problems.append(f"{user}: venue orders {dict(orders)} for steps {steps}")
    return run


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--customers", type=int, default=16)
    cli.add_argument("--seconds", type=float, default=20.0, help="timed window per run")
    cli.add_argument("--max-trades", type=int, default=4000, help="per run, in all")
    cli.add_argument("--warmup", type=int, default=2, help="trades per customer before timing")
    cli.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    cli.add_argument("--redis-url", default=REDIS_URL)
    cli.add_argument("--write", action="store_true", help="append to bench/RESULTS.md")
    args = cli.parse_args()

    load_before = _uptime()
    runs = []
    with tempfile.TemporaryDirectory() as tmp, sandbox_server(seed=7, balances=BALANCES) as venue:
        for processes in args.processes:
            run = measure(processes, args, venue, Path(tmp))
            print(run.line(), flush=True)
            runs.append(run)
    load_after = _uptime()
    by_count = {r.processes: r for r in runs}
    ratio = (
        by_count[2].rate / by_count[1].rate
        if 1 in by_count and 2 in by_count and by_count[1].rate
        else None
    )
    if ratio is not None:
        print(f"scale-out ratio (2 / 1 processes): {ratio:.2f}x (target >= 1.6x)")
    print(f"load before: {load_before}\nload after:  {load_after}")
    if not args.write:
        return
    lines = [
        "",
        f"## Scale-out: chat trades/s with 1 and 2 app processes on Redis "
        f"({time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, `python bench/scale.py"
        f" --customers {args.customers} --seconds {args.seconds:g}`)",
        "",
        f"{args.customers} customers at once, each its own session, each trade '{TEXT}' and "
        "its confirmation over HTTP (keep-alive, client threads in the bench process); real "
        "`tradeassist serve --workers N` on 127.0.0.1 (embedded worker off), one `tradeassist "
        "worker`, the Redis journal, one sandbox server.",
        "",
        *(f"- {r.line()}" for r in runs),
        *([f"- ratio: **{ratio:.2f}x** (target >= 1.6x)"] if ratio is not None else []),
        f"- load before: `{load_before}`",
        f"- load after: `{load_after}`",
        "",
    ]
    with RESULTS.open("a") as out:
        out.write("\n".join(lines))
    if any(r.problems for r in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
