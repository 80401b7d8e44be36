"""The catalogue: every sentence in three languages with the same parameters, and the
customer's language told from the message and from Accept-Language."""

from __future__ import annotations

import pytest

from execution.i18n import LOCALES, locale_of_message, negotiate, parse_locale
from execution.i18n.catalogue import MESSAGES, placeholders, render


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_sentence_is_in_three_languages_with_the_same_parameters(code: str) -> None:
    english, simplified, traditional = MESSAGES[code]
    assert all(MESSAGES[code]), "a sentence is empty"
    assert placeholders(english) == placeholders(simplified) == placeholders(traditional)


def test_a_missing_parameter_is_a_bug_not_a_guess() -> None:
    with pytest.raises(KeyError):
        render("answer.holding", "en", {"asset": "BTC"})
    assert render("answer.holding", "zh-Hant", {"asset": "BTC", "amount": "0.5"}) == (
        "您持有 0.5 BTC。"
    )


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("buy 0.1 BTC", None, "en"),
        ("卖掉一半的以太坊", None, "zh-Hans"),
        ("賣掉一半的以太幣", None, "zh-Hant"),
        ("幫我買 0.1 個比特幣", "en", "zh-Hant"),
        ("0.5", "zh-Hant", "zh-Hant"),  # figures only: the conversation's language
        ("0.5", None, None),
        ("取消", "zh-Hant", "zh-Hant"),  # the same in both scripts: stays in the one spoken
        ("取消", None, "zh-Hans"),
        ("BTC 0.1 買", "en", "zh-Hant"),
    ],
)
def test_the_language_follows_the_message(text: str, current: str | None, expected: str) -> None:
    assert locale_of_message(text, parse_locale(current)) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-HK,zh;q=0.9,en;q=0.8", "zh-Hant"),
        ("zh-TW", "zh-Hant"),
        ("zh-Hant-HK", "zh-Hant"),
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("en-GB,en;q=0.9,zh-HK;q=0.5", "en"),
        ("fr-FR, zh-TW;q=0.4", "zh-Hant"),
        ("de, fr", "en"),
        ("", "en"),
        (None, "en"),
        ("zh;q=abc, en;q=0.1", "en"),  # a broken quality value is skipped, not a crash
        ("zh-CN;q=0, en", "en"),  # q=0: not acceptable
    ],
)
def test_the_default_comes_from_accept_language(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


def test_locale_names_are_read_in_any_case() -> None:
    assert [parse_locale(v) for v in ("ZH-hant", "zh_Hans", "en", "fr", None)] == [
        "zh-Hant",
        "zh-Hans",
        "en",
        None,
        None,
    ]
    assert LOCALES == ("en", "zh-Hans", "zh-Hant")
