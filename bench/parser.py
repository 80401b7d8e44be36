"""Benchmark ``RuleParser().parse`` on one core over the dev corpus.

Run: ``python bench/parser.py [--rounds 50] [--corpus PATH]``. The corpus defaults to
``tests/intent/corpora/dev.jsonl`` and falls back to ``tests/intent/heldout_own.jsonl``
when the dev corpus is missing. The process is pinned to one CPU where the OS allows it; one
warm-up round is not measured. Prints the load average, throughput (utterances per second
of wall time, the timer included), per-call latency p50/p99/max, and the CPU-time figure
(the parser's own cost on a shared machine). Targets: ≥ 20,000/s and p99 ≤ 250 µs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from intent.evaluate import load_corpus  # noqa: E402
from intent.rules import RuleParser  # noqa: E402

DEV = ROOT / "tests" / "intent" / "corpora" / "dev.jsonl"
OWN = ROOT / "tests" / "intent" / "heldout_own.jsonl"


def _pin_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[-1]})
    return f"pinned to CPU {cpus[-1]}"


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--rounds", type=int, default=50, help="passes over the corpus")
    cli.add_argument("--corpus", type=Path, default=None)
    args = cli.parse_args()
    corpus = args.corpus or (DEV if DEV.is_file() else OWN)
    texts = [row["text"] for row in load_corpus(corpus)]
    pinned = _pin_one_core()
    parser = RuleParser()
    for text in texts:  # warm-up: regex compilation, lru caches
        parser.parse(text)

    parse = parser.parse
    clock = time.perf_counter_ns
    samples: list[int] = []
    append = samples.append
    cpu_start = time.thread_time()
    wall_start = clock()
    for _ in range(args.rounds):
        for text in texts:
            start = clock()
            parse(text)
            append(clock() - start)
    wall = (clock() - wall_start) / 1e9
    cpu = time.thread_time() - cpu_start

    samples.sort()
    n = len(samples)
    p50 = samples[n // 2] / 1000
    p99 = samples[min(n - 1, int(n * 0.99))] / 1000
    load = "/".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(f"corpus {corpus.name}: {len(texts)} utterances x {args.rounds} rounds, {pinned}")
    print(f"load average (1/5/15 min) at the end: {load}")
    print(
        f"parse (rules)  n={n}  {n / wall:,.0f}/s  p50 {p50:.1f} µs  p99 {p99:.1f} µs  "
        f"max {samples[-1] / 1000:.1f} µs"
    )
    # On a shared machine wall time includes waiting for the CPU; this is the parser's own.
    print(f"cpu time: {n / cpu:,.0f}/s ({cpu / n * 1e6:.1f} µs per parse, timer included)")


if __name__ == "__main__":
    main()
