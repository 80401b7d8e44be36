"""Benchmark ``POST /v1/simulations`` in process (FastAPI's TestClient, no socket).

Run: ``python bench/simulations.py [--n 400] [--runs 3]``. Four texts in turn (a market
buy, a limit sell, a two-leg convert, a quote-amount buy) on a throwaway data directory;
prints throughput and latency percentiles per run, with the machine's load. Results are
written down in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient

from execution.clock import ManualClock
from web.app import create_app
from web.services import build_services
from web.settings import Settings

TEXTS = ("buy 0.01 BTC", "sell 1 ETH at 3250", "convert 1 ETH to SOL", "buy 500 USDT of ETH")
HEADERS = {"Authorization": "Bearer demo-product-api-key"}
BALANCES = {"USDT": "10000", "ETH": "2"}


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--n", type=int, default=400)
    args.add_argument("--runs", type=int, default=3)
    opts = args.parse_args()
    # The simulation limits are checked (their cost is measured); no bound is reached.
    settings = Settings(
        data_dir=Path(tempfile.mkdtemp()),
        rate_simulations_per_principal=10**9,
        rate_simulations_per_ip=10**9,
    )
    services = build_services(settings, ManualClock())
    with TestClient(create_app(settings, services=services)) as client:

        def post(i: int) -> None:
            body = {"text": TEXTS[i % len(TEXTS)], "balances": BALANCES}
            response = client.post("/v1/simulations", headers=HEADERS, json=body)
            assert response.status_code == 200, response.text

        for i in range(40):  # warm-up
            post(i)
        for _ in range(opts.runs):
            latencies = []
            start = time.perf_counter()
            for i in range(opts.n):
                began = time.perf_counter()
                post(i)
                latencies.append(time.perf_counter() - began)
            total = time.perf_counter() - start
            latencies.sort()
            p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
            load = "/".join(f"{x:.2f}" for x in os.getloadavg())
            print(
                f"POST /v1/simulations  n={opts.n}  {opts.n / total:,.0f}/s  "
                f"p50 {p50 * 1000:.2f} ms  p99 {p99 * 1000:.2f} ms  (load {load})"
            )


if __name__ == "__main__":
    main()
