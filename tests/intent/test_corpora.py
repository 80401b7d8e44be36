"""The labelled corpora: well formed, and the parser's level on the ones it may be tuned on.

The blind corpora are scored by ``tradeassist eval-intents`` / ``eval-dialogues`` and
written down in README.md; no test pins them, and no test or command shows their failures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from intent.evaluate import evaluate, evaluate_dialogues, format_report, load_corpus
from intent.rules import RuleParser
from tests.conftest import CORPORA
from tests.intent.corpora.validate import check

FILES = sorted(CORPORA.glob("*.jsonl"))


def test_every_corpus_file_is_there() -> None:
    names = {f.name for f in FILES}
    assert names == {
        "dev.jsonl",
        "tune.jsonl",
        "blind.jsonl",
        "dialogues_tune.jsonl",
        "dialogues_blind.jsonl",
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_corpus_follows_the_format(path: Path) -> None:
    assert check(path) == []


def test_the_persona_corpora_are_as_large_as_asked() -> None:
    utterances = sum(len(load_corpus(CORPORA / f"{n}.jsonl")) for n in ("tune", "blind"))
    dialogues = sum(
        len(load_corpus(CORPORA / f"{n}.jsonl")) for n in ("dialogues_tune", "dialogues_blind")
    )
    assert utterances >= 1500
    assert dialogues >= 150


def test_no_blind_row_is_also_a_tuning_row() -> None:
    for kind in ("", "dialogues_"):
        tune = {
            str(r.get("text") or r["turns"]) for r in load_corpus(CORPORA / f"{kind}tune.jsonl")
        }
        blind = {
            str(r.get("text") or r["turns"]) for r in load_corpus(CORPORA / f"{kind}blind.jsonl")
        }
        assert not tune & blind


@pytest.mark.parametrize(("name", "floor"), [("dev", 0.97), ("tune", 0.85)])
def test_the_parser_on_what_it_is_tuned_on(name: str, floor: float) -> None:
    report = evaluate(load_corpus(CORPORA / f"{name}.jsonl"), RuleParser())

    assert report.wrong_executable == 0, format_report(report)
    assert report.accuracy >= floor, format_report(report)


def test_the_dialogue_engine_on_the_tuning_dialogues() -> None:
    report = evaluate_dialogues(load_corpus(CORPORA / "dialogues_tune.jsonl"), RuleParser())

    assert report.wrong_executable == 0, format_report(report)
    assert report.accuracy >= 0.90, format_report(report)
