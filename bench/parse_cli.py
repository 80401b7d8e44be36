"""Benchmark the batch path the product team scripts against: ``tradeassist parse
--canonical`` through the CLI, the dev corpus repeated (x200 by default), start-up
subtracted (the same command on empty input), once with one parser process and once with
the default (one per CPU).

Run: ``python bench/parse_cli.py [--times 200] [--runs 3]``. Prints the load average with
each figure; take the best of the runs on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from intent.evaluate import load_corpus

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "intent" / "corpora" / "dev.jsonl"


def _seconds(command: list[str], stdin: Path) -> float:
    with stdin.open("rb") as source:
        start = time.perf_counter()
        subprocess.run(command, stdin=source, stdout=subprocess.DEVNULL, check=True)
        return time.perf_counter() - start


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--times", type=int, default=200, help="repetitions of the dev corpus")
    cli.add_argument("--runs", type=int, default=3)
    args = cli.parse_args()
    texts = [row["text"] for row in load_corpus(DEV)]
    tool = shutil.which("tradeassist") or sys.exit(
        "tradeassist is not installed (pip install -e .)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        data, empty = Path(tmp) / "in.txt", Path(tmp) / "empty.txt"
        data.write_text("\n".join(texts * args.times) + "\n", encoding="utf-8")
        empty.write_text("", encoding="utf-8")
        n = len(texts) * args.times
        print(f"{n} utterances (dev corpus x{args.times}), {os.cpu_count()} CPUs")
        for jobs in ("1", "0"):
            command = [tool, "parse", "--canonical", "--jobs", jobs]
            for _ in range(args.runs):
                startup = min(_seconds(command, empty) for _ in range(3))
                total = _seconds(command, data)
                load = "/".join(f"{x:.2f}" for x in os.getloadavg())
                label = "1 process" if jobs == "1" else "one per CPU"
                print(
                    f"{label:<12} total {total:.2f} s, start-up {startup:.2f} s: "
                    f"{n / (total - startup):,.0f} utterances/s  (load {load})"
                )


if __name__ == "__main__":
    main()
