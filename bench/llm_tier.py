"""What the LLM tier buys: the hybrid parser (rules, then the real local model where the
rules ask or give up) against the rules alone, on a corpus; exact share, wrong executable
trades and per-utterance latency.

Run: ``python bench/llm_tier.py [--corpus tests/intent/corpora/blind.jsonl] [--mode MODE]``.
It starts llama-cpp-python's server with Gemma 3 270M (``bash .ci/llm-setup`` installs
both) on 127.0.0.1 and stops it at the end. Only scores are printed, never failures: the
default corpus is the blind split.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, get_args

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from intent.canonical import to_canonical  # noqa: E402
from intent.evaluate import EvalReport, load_corpus, score  # noqa: E402
from intent.hybrid import HybridParser, rules_could_not_parse  # noqa: E402
from intent.llm import LLMMode, LLMParser, LLMSettings  # noqa: E402
from intent.parser import ParseOutput, Parser  # noqa: E402
from intent.rules import RuleParser  # noqa: E402
from tests.llm.server import llm_server  # noqa: E402


def _run(
    parser: Parser, rows: list[dict[str, Any]]
) -> tuple[EvalReport, list[float], list[ParseOutput]]:
    """The report over ``rows``, each parse's latency, and the readings."""
    latencies: list[float] = []
    readings: list[ParseOutput] = []
    for row in rows:
        start = time.perf_counter()
        readings.append(parser.parse(row["text"]))
        latencies.append(time.perf_counter() - start)
    cases = (
        (row["text"], row["expect"], to_canonical(result))
        for row, result in zip(rows, readings, strict=True)
    )
    return score(cases), latencies, readings


def _line(name: str, report: EvalReport, latencies: list[float]) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p50 = statistics.median(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return (
        f"{name:<22} exact {report.accuracy:.3f} ({report.exact}/{report.n})  "
        f"wrong executable {report.wrong_executable}  "
        f"latency p50 {p50:.2f} ms  p99 {p99:.1f} ms  max {ms[-1]:.0f} ms"
    )


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--corpus", type=Path, default=ROOT / "tests/intent/corpora/blind.jsonl")
    # llama-cpp-python 0.3 accepts json_object with a schema, not OpenAI's json_schema.
    cli.add_argument("--mode", choices=get_args(LLMMode), default="json_object")
    args = cli.parse_args()
    rows = load_corpus(args.corpus)
    print(f"corpus {args.corpus.name}: {len(rows)} utterances; load {os.getloadavg()}")
    rules_report, rules_ms, rules_read = _run(RuleParser(), rows)
    print(_line("rules", rules_report, rules_ms))
    with tempfile.TemporaryDirectory() as workdir, llm_server(Path(workdir)) as server:
        llm = LLMParser(
            LLMSettings(
                base_url=server.base_url,
                model=server.model,
                timeout_s=120,
                mode=args.mode,
                system_role=server.system_role,
            )
        )
        hybrid_report, hybrid_ms, _ = _run(HybridParser(llm), rows)
    print(_line(f"hybrid ({args.mode})", hybrid_report, hybrid_ms))
    asked = sum(rules_could_not_parse(result) for result in rules_read)
    print(f"the model was asked about {asked} utterances; load after {os.getloadavg()}")


if __name__ == "__main__":
    main()
