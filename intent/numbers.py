"""Number parsing for intents: digits with suffixes, English number words, Chinese numerals.

Every function returns :class:`~decimal.Decimal` (never ``float``) or ``None`` when the text
is not a number. The tokenizer in :mod:`intent.rules` uses :data:`NUMERIC_RE` and
:data:`CJK_NUMERAL_RE` to find numbers, then these functions to evaluate them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

# Multipliers written right after digits: ``60k``, ``1.5m``, ``6万``. ``b`` is a billion.
SUFFIX_MULTIPLIERS: dict[str, Decimal] = {
    "k": Decimal(1_000),
    "w": Decimal(10_000),  # 2w, 1.5w: 万 as mainland users type it
    "m": Decimal(1_000_000),
    "mm": Decimal(1_000_000),
    "b": Decimal(1_000_000_000),
    "bn": Decimal(1_000_000_000),
    "thousand": Decimal(1_000),
    "million": Decimal(1_000_000),
    "billion": Decimal(1_000_000_000),
    "百": Decimal(100),
    "千": Decimal(1_000),
    "万": Decimal(10_000),
    "亿": Decimal(100_000_000),
}

# ``2,500`` (thousands groups), ``0.25``, ``.25``, optionally followed by a multiplier.
# The letter multipliers must not run into a word (``5 bnb`` is not five billion).
NUMERIC_RE = re.compile(
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?:(?P<mult>mm|bn|k|m|b|w)(?![a-tv-z])|\s?(?P<word_mult>thousand|million|billion)\b"
    r"|\s?(?P<cjk_mult>[百千万亿])(?P<cjk_tail>\d[千百]|\d+(?:\.\d+)?)?)?"
)

# The digit places a tail after a Chinese multiplier must fill to be read literally
# (``5万5000`` = 55000); a single digit means one step below it (``5万5`` = 55000).
_CJK_TAIL_PLACES: dict[str, int] = {"百": 2, "千": 3, "万": 4, "亿": 8}

_CJK_DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CJK_SMALL_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
_CJK_BIG_UNITS: dict[str, int] = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}

# A run of Chinese numerals, with an optional decimal part (``零点五``).
CJK_NUMERAL_RE = re.compile(
    r"[零〇一二两兩三四五六七八九十百千万萬亿億]+(?:点[零〇一二两三四五六七八九]+)?"
)

_EN_UNITS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_EN_SCALES: dict[str, int] = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
}
_EN_FRACTIONS: dict[str, Decimal] = {"half": Decimal("0.5"), "quarter": Decimal("0.25")}

#: Words that can be part of an English number phrase (``a`` only before a scale).
EN_NUMBER_WORDS: frozenset[str] = (
    frozenset(_EN_UNITS) | frozenset(_EN_SCALES) | {"dozen", "zero", "point"}
)

# Shares of holdings written as words: the value is a percentage.
_SHARE_WORDS: dict[str, Decimal] = {
    "half": Decimal(50),
    "a half": Decimal(50),
    "quarter": Decimal(25),
    "a quarter": Decimal(25),
    "a third": Decimal("33.33333333333333333333333333"),
    "all": Decimal(100),
    "everything": Decimal(100),
    "一半": Decimal(50),
    "半": Decimal(50),
    "全部": Decimal(100),
    "所有": Decimal(100),
    "全": Decimal(100),
}


def parse_decimal(digits: str) -> Decimal | None:
    """``"2,500"`` → 2500, ``".25"`` → 0.25; ``None`` if not a plain decimal."""
    try:
        return Decimal(digits.replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


def numeric_value(match: re.Match[str]) -> Decimal | None:
    """The value of a :data:`NUMERIC_RE` match; ``None`` when it cannot be read for sure.

    Colloquial Chinese tails: ``1万2`` = 12000, ``3千5`` = 3500, ``1万2千`` = 12000,
    ``5万5000`` = 55000. A tail that fits neither reading (``1万25``, ``1.5万2``) is ``None``.
    """
    value = parse_decimal(match["digits"])
    if value is None:
        return None
    suffix = match["mult"] or match["word_mult"] or match["cjk_mult"]
    if suffix:
        value *= SUFFIX_MULTIPLIERS[suffix]
    tail = match["cjk_tail"]
    if tail:
        return _with_cjk_tail(value, match["digits"], match["cjk_mult"], tail)
    return value


def _with_cjk_tail(value: Decimal, digits: str, mult: str, tail: str) -> Decimal | None:
    if not digits.isdigit():  # 1.5万2: no reading is certain
        return None
    if not tail.isdigit() and tail[-1] not in "千百":
        return None  # 1万2.5: no reading is certain (the digits are never a number apart)
    places = _CJK_TAIL_PLACES[mult]
    if tail[-1] in "千百":
        unit = SUFFIX_MULTIPLIERS[tail[-1]]
        if unit >= SUFFIX_MULTIPLIERS[mult]:
            return None
        return value + int(tail[0]) * unit
    if len(tail) == 1:
        return value + int(tail) * (SUFFIX_MULTIPLIERS[mult] / 10)
    if len(tail) == places:
        return value + int(tail)
    return None


def parse_numeric(text: str) -> Decimal | None:
    """Digits with an optional multiplier: ``60k``, ``1.5m``, ``2,500``, ``.25``, ``6万``."""
    match = NUMERIC_RE.fullmatch(text.strip().lower())
    if match is None:
        return None
    return numeric_value(match)


def parse_english(words: Sequence[str]) -> Decimal | None:
    """English number words: ``["five", "hundred"]`` → 500, ``["a", "thousand"]`` → 1000,
    ``["zero", "point", "two", "five"]`` → 0.25, ``["point", "five"]`` → 0.5.

    ``and`` is allowed between parts (``one hundred and fifty``); ``a`` counts as one only
    when a scale follows. Returns ``None`` if any word is not part of a number, or if the
    words are no number as English writes one: "two five", "one twenty" (120 or 1.20?),
    "zero zero three" are never added up.
    """
    items = [w.lower() for w in words]
    if "point" in items:
        at = items.index("point")
        digits = items[at + 1 :]
        if not digits or any(_EN_UNITS.get(d, 10) > 9 for d in digits):
            return None  # "point five" only: one digit word after another
        whole = parse_english(items[:at]) if at else Decimal(0)
        if whole is None:
            return None
        return Decimal(f"{int(whole)}.{''.join(str(_EN_UNITS[d]) for d in digits)}")
    total = 0
    current = 0
    seen = False
    last = ""  # the kind of the word before: unit, teen, tens, hundred, scale
    for i, word in enumerate(items):
        if word == "zero":
            if len(items) > 1:
                return None
            seen = True
        elif word in _EN_UNITS:
            value = _EN_UNITS[word]
            kind = "unit" if value < 10 else "teen" if value < 20 else "tens"
            allowed = ("", "hundred", "scale", "and") + (("tens",) if kind == "unit" else ())
            if last not in allowed:
                return None  # "two five", "one twenty", "twenty thirty"
            current += value
            last = kind
            seen = True
        elif word in _EN_SCALES:
            scale = _EN_SCALES[word]
            if scale == 100:
                if last in ("hundred",):
                    return None
                current = (current or 1) * scale
                last = "hundred"
            else:
                total += (current or 1) * scale
                current = 0
                last = "scale"
            seen = True
        elif word == "dozen":
            current = (current or 1) * 12
            last = "scale"
            seen = True
        elif (
            word == "a"
            and i + 1 < len(items)
            and (items[i + 1] in _EN_SCALES or items[i + 1] == "dozen")
        ):
            current += 1
            last = "unit"
        elif word == "and" and seen:
            last = last if last in ("", "tens") else "and"
            continue
        else:
            return None
    if not seen:
        return None
    return Decimal(total + current)


def parse_chinese(text: str) -> Decimal | None:
    """Chinese numerals: ``五十`` → 50, ``两千五`` → 2500, ``六万`` → 60000, ``零点五`` → 0.5."""
    text = text.strip()
    if not text:
        return None
    integer_part, _, fraction_part = text.partition("点")
    if len(integer_part) > 1 and integer_part[-1] == "零" and integer_part[-2] in "十百千万萬亿億":
        return None  # 千零蚊: a thousand-odd (Cantonese), no number we may guess
    whole = _parse_chinese_integer(integer_part)
    if whole is None:
        return None
    if not fraction_part:
        return Decimal(whole)
    digits = []
    for ch in fraction_part:
        if ch not in _CJK_DIGITS:
            return None
        digits.append(str(_CJK_DIGITS[ch]))
    return Decimal(f"{whole}.{''.join(digits)}")


def _parse_chinese_integer(text: str) -> int | None:
    if not text:
        return None
    total = 0  # completed 亿/万 sections
    section = 0  # completed 十/百/千 parts of the current section
    digit: int | None = None  # the pending digit (or digit string, as in 二零二四)
    last_unit = 1
    zero_seen = False  # 一千零五 is 1005: a 零 stops the "one step below" shorthand
    for ch in text:
        if ch in _CJK_DIGITS:
            zero_seen = zero_seen or _CJK_DIGITS[ch] == 0
            digit = _CJK_DIGITS[ch] if digit is None else digit * 10 + _CJK_DIGITS[ch]
        elif ch in _CJK_SMALL_UNITS:
            unit = _CJK_SMALL_UNITS[ch]
            section += (1 if digit is None else digit) * unit
            digit = None
            last_unit = unit
        elif ch in _CJK_BIG_UNITS:
            big = _CJK_BIG_UNITS[ch]
            value = section + (digit or 0)
            if big == 100_000_000:
                total = (total + value) * big
            else:
                total += (value or 1) * big
            section = 0
            digit = None
            last_unit = big
        else:
            return None
    if digit is not None:
        # 两千五 means 2500: a trailing digit after a unit is one step below that unit.
        if last_unit >= 100 and (section or total) and 0 < digit < 10 and not zero_seen:
            section += digit * (last_unit // 10)
        else:
            section += digit
    return total + section


def parse_share(text: str) -> Decimal | None:
    """A share of holdings as a percentage: ``half`` → 50, ``30%`` → 30, ``三成`` → 30."""
    key = text.strip().lower()
    if key in _SHARE_WORDS:
        return _SHARE_WORDS[key]
    if key.endswith("%"):
        return parse_number(key[:-1])
    if key.endswith("percent"):
        return parse_number(key[: -len("percent")])
    if key.endswith("成"):
        tenths = parse_chinese(key[:-1])
        return None if tenths is None else tenths * 10
    return None


def parse_number(text: str) -> Decimal | None:
    """Any single number: digits (``60k``), English words (``five hundred``) or Chinese."""
    key = text.strip().lower()
    if not key:
        return None
    value = parse_numeric(key)
    if value is not None:
        return value
    if key in _EN_FRACTIONS:
        return _EN_FRACTIONS[key]
    if key.isascii():
        return parse_english(re.split(r"[\s-]+", key))
    if key[-1] in SUFFIX_MULTIPLIERS and key[:-1] and key[:-1][0].isdigit():
        base = parse_numeric(key[:-1])
        return None if base is None else base * SUFFIX_MULTIPLIERS[key[-1]]
    return parse_chinese(key)
