"""Benchmark the sandbox venue and the simulator, with ccxt's own cost as the reference.

Run: ``python bench/venue.py [--n 20000]``. Prints, on one core, wall-clock and CPU
(thread time) rates of:

- sandbox ``create_order``: market buys walking at most 5 levels of the seeded book;
- preview: ``Simulator.preview`` of one market step on a fixed snapshot;
- ccxt reference: ``ccxt.hashkey().create_order`` with its HTTP ``fetch`` stubbed to
  return the recorded response (request building, signing and response parsing only),
  and the ratio of the sandbox's cost to it.

Results are written down in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import ccxt

from execution.clock import ManualClock
from execution.preview.simulator import Simulator
from execution.venues.sandbox import MarketCatalog, SandboxExchange
from intent.models import OrderSpec

SHARED = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "ccxt-static"


def _rate(name: str, n: int, fn: Callable[[int], object]) -> float:
    """Run ``fn(i)`` for i in range(n); print wall and CPU rates, return the CPU rate.

    Wall: elapsed time, which includes waiting for the core while other processes run. CPU:
    this thread's CPU time (``time.thread_time``), the code's own cost, steadier under load.
    The garbage collector stays on (its cost is part of the code's); a full collection
    first starts every section from the same clean heap, without collection debt left by
    imports or by the previous section.
    """
    gc.collect()
    wall, cpu = time.perf_counter(), time.thread_time()
    for i in range(n):
        fn(i)
    cpu = time.thread_time() - cpu
    wall = time.perf_counter() - wall
    print(
        f"{name:<44} n={n:<7} {n / wall:>10,.0f}/s {wall / n * 1e6:>7.1f} µs each"
        f"   cpu {n / cpu:>10,.0f}/s {cpu / n * 1e6:>7.1f} µs"
    )
    return n / cpu


def bench_sandbox(n: int) -> float:
    clock = ManualClock()
    venue = SandboxExchange(
        MarketCatalog.default(),
        balances={"USDT": Decimal(10**12), "BTC": Decimal(0)},
        clock=clock,
        seed=7,
    )
    best = venue.fetch_order_book("BTC/USDT", 5)["asks"]
    amount = float(sum(Decimal(str(size)) for _, size in best[:5]) * Decimal("0.9"))  # ≤ 5 levels
    return _rate(
        "sandbox create_order (market, ≤5 levels)",
        n,
        lambda i: venue.create_order(
            "BTC/USDT", "market", "buy", amount, None, {"clientOrderId": f"b{i}"}
        ),
    )


def bench_preview(n: int) -> float:
    clock = ManualClock()
    venue = SandboxExchange(
        MarketCatalog.default(), balances={"USDT": Decimal(10**6)}, clock=clock, seed=7
    )
    simulator = Simulator(venue, policy_version="bench", ttl_ms=30_000)
    market, book = simulator.snapshot("BTC/USDT")
    order = OrderSpec(symbol="BTC/USDT", side="buy", type="market", amount=Decimal("1.5"))
    balances = {"USDT": Decimal(10**6)}
    return _rate(
        "preview (market step, fixed snapshot)",
        n,
        lambda i: simulator.preview(
            "p1.1", order, balances, clock.now_ms(), market=market, book=book
        ),
    )


def bench_ccxt_reference(n: int) -> float | None:
    responses = SHARED / "response" / "hashkey.json"
    markets = SHARED / "markets" / "hashkey.json"
    if not responses.is_file():
        print(f"ccxt reference skipped: no fixtures at {SHARED}")
        return None
    recorded = next(
        case
        for case in json.loads(responses.read_text())["methods"]["createOrder"]
        if case["input"][1] == "market"
    )
    body = json.dumps(recorded["httpResponse"])
    # No rate limiter: its throttle sleeps 100 ms a call (hashkey's rateLimit), which is
    # waiting, not work, and would make the run take minutes.
    exchange = ccxt.hashkey(
        {"apiKey": "bench-key", "secret": "bench-secret", "enableRateLimit": False}
    )
    exchange.markets = json.loads(markets.read_text())
    exchange.markets_by_id = None
    exchange.set_markets(exchange.markets)

    def fetch(url: str, method: str = "GET", headers: Any = None, body_: Any = None) -> Any:
        # What ccxt's fetch does after the socket: decode JSON and let the exchange check it.
        parsed = json.loads(body)
        exchange.handle_errors(200, "OK", url, method, {}, body, parsed, headers, body_)
        return parsed

    exchange.fetch = fetch
    symbol, kind, side, amount, price = recorded["input"]
    return _rate(
        "ccxt hashkey create_order (fetch stubbed)",
        n,
        lambda i: exchange.create_order(symbol, kind, side, amount, price),
    )


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--n", type=int, default=20_000)
    args = cli.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    sandbox = bench_sandbox(args.n)
    bench_preview(args.n)
    reference = bench_ccxt_reference(max(args.n // 4, 1000))
    if reference:
        print(
            f"sandbox create_order costs {reference / sandbox:.2f}x ccxt's own "
            "build-and-parse of one create_order (CPU time)"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
