"""Which of the three languages a customer is spoken to in: English, 简体中文 or 繁體中文.

The language follows the customer's message when the message says which (Han characters,
told apart by the characters only one script uses; Latin letters); a message of only figures
("0.5", "60000") keeps the language of the conversation. Before the first message the page's
switch, else the browser's Accept-Language, decides.
"""

from __future__ import annotations

import re
from typing import Final, Literal, get_args

from intent.lexicon import TRAD_TO_SIMP

Locale = Literal["en", "zh-Hans", "zh-Hant"]
LOCALES: Final[tuple[Locale, ...]] = get_args(Locale)
DEFAULT_LOCALE: Final[Locale] = "en"
#: what goes between two sentences: Chinese puts no space after 。
SENTENCE_BREAK: Final[dict[Locale, str]] = {"en": " ", "zh-Hans": "", "zh-Hant": ""}

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_PAIRS = {(chr(t), chr(s)) for t, s in TRAD_TO_SIMP.items() if isinstance(s, int) and t != s}
# Characters written in one script only: 買 is traditional, 买 simplified; 里 (both) is neither.
_TRADITIONAL_ONLY = frozenset(t for t, _ in _PAIRS) - frozenset(s for _, s in _PAIRS)
_SIMPLIFIED_ONLY = frozenset(s for _, s in _PAIRS) - frozenset(t for t, _ in _PAIRS)


def parse_locale(value: str | None) -> Locale | None:
    """``value`` if it names one of our locales (any case, ``_`` or ``-``), else None."""
    if value is None:
        return None
    wanted = value.strip().replace("_", "-").lower()
    for locale in LOCALES:
        if locale.lower() == wanted:
            return locale
    return None


def locale_of_message(text: str, current: Locale | None = None) -> Locale | None:
    """The language ``text`` is written in; ``current`` when it does not say (figures only).
    Chinese is 繁體 when it has more traditional-only than simplified-only characters, and,
    when it has neither ("取消"), stays in the Chinese already spoken, else 简体."""
    han = _HAN.findall(text)
    if han:
        traditional = sum(ch in _TRADITIONAL_ONLY for ch in han)
        simplified = sum(ch in _SIMPLIFIED_ONLY for ch in han)
        if traditional > simplified:
            return "zh-Hant"
        if simplified > traditional:
            return "zh-Hans"
        return current if current in ("zh-Hans", "zh-Hant") else "zh-Hans"
    if _LATIN_WORD.search(text):
        return "en"
    return current


def negotiate(accept_language: str | None) -> Locale:
    """The best of our locales for an Accept-Language header (RFC 9110 quality values):
    zh-TW, zh-HK, zh-MO and zh-Hant → 繁體; zh, zh-CN, zh-SG and zh-Hans → 简体; en-* → English;
    anything else, or nothing → English."""
    best: tuple[float, int, Locale] | None = None
    for position, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        match = re.search(r"q\s*=\s*([^;\s]*)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                continue
        locale = _locale_of_tag(tag.strip().lower())
        if locale is None or quality <= 0:
            continue
        candidate = (quality, -position, locale)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return DEFAULT_LOCALE if best is None else best[2]


def _locale_of_tag(tag: str) -> Locale | None:
    if tag == "en" or tag.startswith("en-"):
        return "en"
    if tag == "zh" or tag.startswith("zh-"):
        subtags = set(tag.split("-")[1:])
        return "zh-Hant" if subtags & {"hant", "tw", "hk", "mo"} else "zh-Hans"
    return None
