"""Benchmark the walking skeleton in process: parse, message → preview, confirm → fill.

Run: ``python bench/flow.py [--n 300]``. Prints one line per stage with throughput and
latency percentiles; results are written down in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from execution.actors import Actor
from execution.clock import SystemClock
from intent.evaluate import load_corpus
from intent.rules import RuleParser
from web.services import build_services
from web.settings import Settings

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "intent" / "corpora" / "dev.jsonl"


def _report(name: str, samples_ns: list[int]) -> None:
    samples = sorted(samples_ns)
    p50 = samples[len(samples) // 2] / 1000
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] / 1000
    rate = len(samples) / (sum(samples) / 1e9)
    print(f"{name:<28} n={len(samples):<6} {rate:>10.0f}/s  p50 {p50:>9.1f} µs  p99 {p99:>9.1f} µs")


def _time(fn: Callable[[], object]) -> int:
    start = time.perf_counter_ns()
    fn()
    return time.perf_counter_ns() - start


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--n", type=int, default=300, help="orders to place")
    cli.add_argument("--synchronous", default="FULL", choices=["FULL", "NORMAL"])
    args = cli.parse_args()

    parser = RuleParser()
    texts = [row["text"] for row in load_corpus(CORPUS)] if CORPUS.is_file() else ["buy 1 BTC"]
    parse_samples = [_time(lambda t=t: parser.parse(t)) for _ in range(20) for t in texts]
    _report("parse (rules, dev corpus)", parse_samples)

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            journal_synchronous=args.synchronous,
            demo_balances={"USDT": 10**9, "BTC": 10**3},
        )
        services = build_services(settings, SystemClock())
        actor = Actor("demo-customer", "customer", "api")
        assistant = services.assistant
        message_samples, confirm_samples = [], []
        for _ in range(args.n):
            session = assistant.open_session(actor)  # a fresh session: a customer's usual case
            start = time.perf_counter_ns()
            turn = assistant.handle_message(session, actor, "buy 0.01 BTC")
            message_samples.append(time.perf_counter_ns() - start)
            (pending,) = turn.pending
            confirm_samples.append(
                _time(
                    lambda p=pending, s=session: assistant.confirm_step(
                        s, p.step_id, actor, p.token
                    )
                )
            )
        services.close()
    _report(f"message→preview (sync={args.synchronous})", message_samples)
    _report(f"confirm→fill (sync={args.synchronous})", confirm_samples)
    print(f"median confirm→fill: {statistics.median(confirm_samples) / 1e6:.2f} ms")


if __name__ == "__main__":
    main()
