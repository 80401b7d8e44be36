"""Number parsing: digits with suffixes, English words, Chinese numerals; always Decimal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from intent.numbers import parse_chinese, parse_english, parse_number, parse_numeric, parse_share


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("60k", "60000"),
        ("1.5m", "1500000"),
        ("2,500", "2500"),
        (".25", "0.25"),
        ("2.5k", "2500"),
        ("12,345.5", "12345.5"),
        ("6万", "60000"),
        ("1.5万", "15000"),
        ("3 thousand", "3000"),
        ("7", "7"),
    ],
)
def test_numeric_forms(text: str, expected: str) -> None:
    value = parse_numeric(text)
    assert value == Decimal(expected)
    assert isinstance(value, Decimal)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("two", 2),
        ("five hundred", 500),
        ("a thousand", 1000),
        ("one hundred and twenty", 120),
        ("twenty-two", 22),
        ("three million", 3_000_000),
        ("a dozen", 12),
    ],
)
def test_english_number_words(words: str, expected: int) -> None:
    assert parse_number(words) == Decimal(expected)


def test_english_rejects_non_numbers() -> None:
    assert parse_english(["five", "apples"]) is None
    assert parse_english(["and"]) is None
    assert parse_number("hello") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("五", "5"),
        ("十二", "12"),
        ("五十", "50"),
        ("两百", "200"),
        ("两千五", "2500"),
        ("一千零五", "1005"),
        ("六万", "60000"),
        ("一万五", "15000"),
        ("三亿", "300000000"),
        ("零点五", "0.5"),
        ("二零二四", "2024"),
    ],
)
def test_chinese_numerals(text: str, expected: str) -> None:
    assert parse_chinese(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("half", "50"),
        ("a quarter", "25"),
        ("all", "100"),
        ("everything", "100"),
        ("一半", "50"),
        ("全部", "100"),
        ("三成", "30"),
        ("45%", "45"),
        ("12.5 percent", "12.5"),
    ],
)
def test_shares_are_percentages(text: str, expected: str) -> None:
    assert parse_share(text) == Decimal(expected)


def test_half_as_a_number() -> None:
    assert parse_number("half") == Decimal("0.5")


def test_garbage_is_none() -> None:
    for text in ("", "   ", "k", "1.2.3", "万万万x", "$"):
        assert parse_number(text) is None or isinstance(parse_number(text), Decimal)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1万2", "12000"),
        ("3千5", "3500"),
        ("5万5", "55000"),
        ("1万2千", "12000"),
        ("5万5000", "55000"),
        ("2百5", "250"),
    ],
)
def test_colloquial_chinese_tails(text: str, expected: str) -> None:
    assert parse_numeric(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["1万25", "1.5万2", "3千2万", "1万2.5", "1万23456"])
def test_ambiguous_chinese_tails_are_not_read(text: str) -> None:
    assert parse_numeric(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a tail before a comma or a full stop is still the tail: "止盈7万5，止损5万8" once
        # read 7万 and 5 apart, and bought 5 BTC
        ("止盈7万5，止损5万8", ["75000", "58000"]),
        ("止损5万8，0.1个", ["58000", "0.1"]),
        ("跌到5万8。买", ["58000"]),
    ],
)
def test_a_tail_is_never_a_number_apart(text: str, expected: list[str]) -> None:
    from intent.rules import normalize, tokenize

    norm = normalize(text)
    numbers = [t.value for t in tokenize(norm, text) if t.tag == "N"]
    assert numbers == [Decimal(v) for v in expected]
