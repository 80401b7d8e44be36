"""The evaluation harness, and the rule parser's score on the shared dev corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from intent.canonical import CANONICAL_KEYS
from intent.evaluate import evaluate, format_report, load_corpus, main
from intent.models import Amount, Clarification, Intent, Unsupported
from intent.rules import RuleParser
from tests.conftest import CORPORA

DEV_CORPUS = CORPORA / "dev.jsonl"

# The level the rule parser reached on the dev corpus; it must not regress.
DEV_MIN_EXACT = 140


def _expect(**kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(CANONICAL_KEYS)
    out["missing"] = []
    out.update(kw)
    return out


class _AlwaysBuyOneBtc:
    def parse(self, text: str) -> Intent | Clarification | Unsupported:
        return Intent(
            action="buy", asset="BTC", amount=Amount(value=1, unit="BTC"), order_type="market"
        )


ROWS = [
    {
        "text": "buy 1 btc",
        "lang": "en",
        "expect": _expect(
            action="buy", asset="BTC", amount={"value": 1, "unit": "BTC"}, order_type="market"
        ),
    },
    {
        "text": "sell 1 btc",
        "lang": "en",
        "expect": _expect(
            action="sell", asset="BTC", amount={"value": 1, "unit": "BTC"}, order_type="market"
        ),
    },
    {"text": "hello", "lang": "en", "expect": _expect(action="unsupported")},
]


def test_report_counts() -> None:
    report = evaluate(ROWS, _AlwaysBuyOneBtc())
    assert report.n == 3
    assert report.exact == 1
    assert report.wrong_executable == 2
    assert report.per_action == {"buy": (1, 1), "sell": (0, 1), "unsupported": (0, 1)}
    assert report.per_field["asset"] == (2, 3)
    assert len(report.failures) == 2
    text = format_report(report)
    assert text.splitlines()[-1] == "exact: 0.333 (1/3)"


def test_the_module_command_keeps_a_blind_corpus_failures_hidden(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = {**ROWS[0], "text": "buy 1 eth"}  # read as ETH, labelled BTC: a failure
    for name in ("tune.jsonl", "blind.jsonl"):
        (tmp_path / name).write_text(json.dumps(row) + "\n", encoding="utf-8")

    assert main([str(tmp_path / "tune.jsonl")]) == 0
    assert "buy 1 eth" in capsys.readouterr().out
    assert main([str(tmp_path / "blind.jsonl")]) == 0
    shown = capsys.readouterr().out
    assert "failures: not shown for a blind corpus" in shown
    assert "buy 1 eth" not in shown


def test_rule_parser_on_small_rows() -> None:
    report = evaluate(ROWS, RuleParser())
    assert report.exact == 3
    assert report.wrong_executable == 0
    assert format_report(report).splitlines()[-1] == "exact: 1.000 (3/3)"


def test_load_corpus(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n\n", encoding="utf-8")
    assert load_corpus(path) == ROWS


def test_dev_corpus_score() -> None:
    report = evaluate(load_corpus(DEV_CORPUS), RuleParser())
    assert report.wrong_executable == 0, format_report(report)
    assert report.exact >= DEV_MIN_EXACT, format_report(report)
