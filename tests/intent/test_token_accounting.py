"""Every meaningful token is accounted for: a number, a negation or a time phrase put into a
valid order never yields an executable reading that ignores it.

The property is what makes a wrong executable trade impossible by construction rather than a
matter of lexicon coverage: whatever the grammar does not place turns the reading into a
question or a refusal.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intent.canonical import to_canonical
from intent.lexicon import CJK_WORDS, PHRASES, WORDS
from intent.numbers import NUMERIC_RE, parse_number
from intent.rules import NOW_WORDS, RuleParser, normalize
from tests.conftest import CORPORA

PARSER = RuleParser()
_TRADES = ("buy", "sell", "convert")


def _orders() -> list[str]:
    """Utterances of the dev and tuning corpora that the parser reads as an executable trade."""
    out = []
    for name in ("dev.jsonl", "tune.jsonl"):
        for line in (CORPORA / name).read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"]
            if to_canonical(PARSER.parse(text))["action"] in _TRADES:
                out.append(text)
    return out


ORDERS = _orders()

NUMBERS = ["7", "0.3", "5k", "12,500", "三", "两万", "$40", "2x"]
NEGATIONS = ["not", "don't", "never", "no", "不要", "别", "唔好", "唔係", "不"]
TIMES = [
    "tomorrow",
    "next week",
    "at 9pm",
    "on Monday",
    "tonight",
    "in 3 days",
    "明天",
    "下周",
    "今晚",
    "聽日",
    "星期五",
    "9点",
]

# Places to insert: between words, or between Chinese characters, never inside a number or
# a word (that would make a different token, not add one).
# (not after the comma or point of "3,000" or "0.5": that is inside a number)
_BOUNDARY = re.compile(
    r"(?<=[\s，。!?])|(?<=[,.])(?!\d)|(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff\s])|^|$"
)


# A place after a negation in its own clause: a number put there is denied ("not BTC 7").
_NEGATED = re.compile(
    r"(?:\bnot|n't|\bdont|\bno|\bnever|不|别|別|唔|冇|没|沒|母湯)[^,，。.;；!?！？—]*$",
    re.IGNORECASE,
)


def _boundaries(text: str) -> list[int]:
    return sorted({m.start() for m in _BOUNDARY.finditer(text)})


def _insert(text: str, at: int, words: str) -> str:
    return f"{text[:at]} {words} {text[at:]}".strip()


@st.composite
def _altered(draw: st.DrawFn, inserts: list[str]) -> tuple[str, str, int]:
    text = draw(st.sampled_from(ORDERS))
    words = draw(st.sampled_from(inserts))
    if inserts is NUMBERS and _repeats(text, words):
        words = "7"  # the same amount said twice is one amount ("sell 2 SOL… yes, 2 SOL")
    places = _boundaries(text)
    if inserts is NUMBERS or inserts is TIMES:
        # "not 7", "not BTC $40", "(not tomorrow, now)": what is denied is used
        places = [at for at in places if not _NEGATED.search(text[:at])] or [len(text)]
    at = draw(st.sampled_from(places))
    return text, _insert(text, at, words), at


def _repeats(text: str, number: str) -> bool:
    """Whether the value of ``number`` is already written in ``text`` ("5k" and "5000")."""
    value = parse_number(number.lstrip("$"))
    written = (parse_number(m.group()) for m in NUMERIC_RE.finditer(text.lower()))
    return value is not None and value in set(written)


def _reading(text: str) -> dict[str, object]:
    result = PARSER.parse(text)
    return {"canonical": to_canonical(result), "model": result.model_dump(exclude={"spans"})}


# A number said before a correction is what the correction replaces ("7, oops, make that
# 0.15"), a use of it, as a denied number is. The markers are the lexicon's own.
_MARKERS = sorted(
    [" ".join(k) for k, v in PHRASES.items() if ("#", "") in v]
    + [k for k, v in {**WORDS, **CJK_WORDS}.items() if ("#", "") in v],
    key=len,
    reverse=True,
)
_CORRECTION_AHEAD = re.compile(
    # (an English marker may touch Chinese: "no sorry係2.6")
    "|".join(
        rf"(?<![a-z]){re.escape(m)}(?![a-z])" if m.isascii() else re.escape(m) for m in _MARKERS
    )
    # "買BTC，唔係，係賣": a no, a pause, then the other side is a correction too
    + r"|(?:唔系|不是)[\s,，、…]+(?:是|系|係)?\s*(?:卖|买|沽|入)",
    re.IGNORECASE,
)


# "no" said beside a correction is the correction's own: "3,500, no, make that 3,550",
# "150. Sorry, no 148".
_NO = r"(?:no|nope|唔系|唔|不是)"  # normalized, as the parser reads them
_NO_BEFORE = re.compile(rf"^\s*{_NO}[\s,，]*(?:{_CORRECTION_AHEAD.pattern})", re.IGNORECASE)
_NO_AFTER = re.compile(rf"(?:{_CORRECTION_AHEAD.pattern})[\s,，.。…]*$", re.IGNORECASE)


# Chinese words an insertion must not split: negations (a negation put there takes the
# place of the one it broke), words that mean nothing ("搏一搏", "直接": split, their
# characters are no phrase, and may be words of their own: 一 a number, 接 a verb) and the
# names of coins ("比特幣|現金（BCH）": split, its halves are other names, and a ticker in
# brackets after it still names the coin)
_CJK_UNSPLIT = [
    w
    for w, entry in CJK_WORDS.items()
    if ("^", "") in entry
    or (not entry and len(w) > 1)
    or (len(w) > 2 and entry[:1] and entry[0][0] == "A")
]


def _splits_a_word(original: str, at: int) -> bool:
    """Whether ``at`` falls inside a Chinese negation ("母|湯") or set phrase ("搏|一搏"), or
    inside one of the lexicon's English phrases ("lift | the offer", "Hong | Kong dollars"):
    split, its words are no phrase, as a word split is no word."""
    norm = normalize(original)
    if any(m.start() < at < m.end() for w in _CJK_UNSPLIT for m in re.finditer(re.escape(w), norm)):
        return True
    words = list(re.finditer(r"[a-z]+(?:['’-][a-z]+)*", norm))
    return any(
        words[i].start() < at < words[i + size - 1].end()
        and tuple(m.group() for m in words[i : i + size]) in PHRASES
        for i in range(len(words))
        for size in _PHRASE_LENGTHS
        if size > 1 and i + size <= len(words)
    )


_PHRASE_LENGTHS = sorted({len(k) for k in PHRASES})


def _forms_a_phrase(before: str, after: str) -> bool:
    """Whether the inserted word and the words around it make one of the lexicon's phrases
    ("…or no lower", "…, no  no wait 10m", "I would rather | not hold …"): the phrase is
    read as a whole, with the meaning the lexicon gives it, not as the inserted word beside
    the words it took."""
    word = r"[a-z]+(?:['’-][a-z]+)*"
    ahead = re.findall(word, normalize(after))
    behind = re.findall(word, normalize(before))[-max(_PHRASE_LENGTHS) :]
    words = (*behind, *ahead)
    at = len(behind)  # the inserted word
    return any(
        words[start : start + size] in PHRASES
        for size in _PHRASE_LENGTHS
        for start in range(max(0, at - size + 1), at + 1)
    )


_TIME_WORD = re.compile(
    r"\s*(?:morning|tonight|tomorrow|later|evening|afternoon|today|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday|明天|今晚|下午|早上|聽日|听日)",
    re.IGNORECASE,
)


def _ignores_insertion(original: str, altered: str, at: int) -> bool:
    """The altered text (``original`` with words put in at ``at``) is executable and means
    exactly what the original meant (in every field of the reading, also those the canonical
    form has no place for)."""
    got = _reading(altered)
    before, after = original[:at], altered[len(original[:at].rstrip()) :].lstrip()
    inserted = after.split(None, 1)[0]
    if _splits_a_word(original, at) or _forms_a_phrase(before, after):
        return False
    if (
        inserted in NEGATIONS
        and _TIME_WORD.match(normalize(after), len(inserted))
        and NOW_WORDS.search(normalize(altered))
    ):
        return False  # "not morning … just now": a time denied, now kept (a use of it)
    if re.fullmatch(_NO, normalize(inserted), re.IGNORECASE) and (
        _NO_BEFORE.match(normalize(after)) or _NO_AFTER.search(normalize(before).rstrip())
    ):
        return False
    if (
        parse_number(inserted.lstrip("$")) is not None or inserted in NEGATIONS
    ) and _CORRECTION_AHEAD.search(
        normalize(after)  # the lexicon's Chinese is simplified
    ):
        # a number or a denial said before a correction is taken back with what it stood
        # beside ("not sell 0.5 eth. no wait, BUY 0.5 eth")
        return False
    return got["canonical"]["action"] in _TRADES and got == _reading(original)


def test_there_are_orders_to_alter() -> None:
    assert len(ORDERS) >= 300


@settings(max_examples=600, deadline=None)
@given(_altered(NUMBERS))
def test_an_inserted_number_is_never_ignored(case: tuple[str, str, int]) -> None:
    original, altered, at = case
    assert not _ignores_insertion(original, altered, at), altered


@settings(max_examples=600, deadline=None)
@given(_altered(NEGATIONS))
def test_an_inserted_negation_is_never_ignored(case: tuple[str, str, int]) -> None:
    original, altered, at = case
    assert not _ignores_insertion(original, altered, at), altered


@settings(max_examples=600, deadline=None)
@given(_altered(TIMES))
def test_an_inserted_time_is_never_ignored(case: tuple[str, str, int]) -> None:
    original, altered, at = case
    assert not _ignores_insertion(original, altered, at), altered


# Exhaustive: every order × every place. It takes a minute or two on a quiet machine and
# several times that on a loaded one, past the suite's 300 s guard against hangs.
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("words", ["7", "not", "tomorrow", "不要", "明天"])
def test_every_insertion_place_of_every_order_for_each_kind(words: str) -> None:
    """The same property, exhaustively for one insertion of each kind (no sampling)."""
    failures = []
    for text in ORDERS:
        for at in _boundaries(text):
            if words in ("7", "tomorrow", "明天") and _NEGATED.search(text[:at]):
                continue  # "not 7", "not tomorrow": denied, a use of it
            altered = _insert(text, at, words)
            if _ignores_insertion(text, altered, at):
                failures.append(altered)
    assert not failures, f"{len(failures)} ignored insertions, e.g. {failures[:20]}"
