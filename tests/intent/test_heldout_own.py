"""Our own held-out style corpus (never tuned sentence by sentence): accuracy and safety."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from intent.evaluate import evaluate, format_report, load_corpus
from intent.models import PARSE_RESULT_ADAPTER
from intent.rules import RuleParser
from tests.conftest import CORPORA

CORPUS = Path(__file__).with_name("heldout_own.jsonl")


def test_heldout_own_corpus_shape() -> None:
    rows = load_corpus(CORPUS)
    assert len(rows) >= 150
    assert {row["lang"] for row in rows} == {"en", "zh"}
    actions = {row["expect"]["action"] for row in rows}
    assert {"buy", "sell", "convert", "cancel", "query", "clarify", "unsupported"} <= actions


def test_heldout_own_exact_and_no_wrong_trade() -> None:
    report = evaluate(load_corpus(CORPUS), RuleParser())
    assert report.wrong_executable == 0, format_report(report)
    assert report.accuracy >= 0.95, format_report(report)


DEV = CORPORA / "dev.jsonl"


def _all_texts() -> list[str]:
    texts = [row["text"] for row in load_corpus(CORPUS)]
    if DEV.is_file():
        texts += [row["text"] for row in load_corpus(DEV)]
    return texts


def test_constructed_results_equal_validated_ones() -> None:
    """Results are built without validation (speed): validating them changes nothing."""
    parser = RuleParser()
    for text in _all_texts():
        result = parser.parse(text)
        validated = type(result).model_validate(result.model_dump())
        assert validated == result, text
        assert validated.model_dump() == result.model_dump(), text
        assert PARSE_RESULT_ADAPTER.validate_python(result.model_dump()) == result, text


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="buysel 0123456789.,/$%kmBTCETHatifwhenbelowor买卖个万千比特币", max_size=60)
)
def test_constructed_results_validate_on_random_text(text: str) -> None:
    result = RuleParser().parse(text)
    assert type(result).model_validate(result.model_dump()) == result
