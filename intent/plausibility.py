"""Is an LLM's reading of a text plausible? Every field it uses must be written in the text.

:func:`implausibilities` checks an :class:`Intent` (or the partial fields of a
:class:`Clarification`) against the text it was read from: every asset and currency it
uses is named in the text, its side is expressed by a verb in the text, every number in it
(amount, prices, count) is written in the text, and the text holds no word the assistant
refuses. Each problem names the field it is about, so a caller can drop exactly the
invented fields and ask for them (:meth:`intent.llm.LLMParser.parse_traced` does; the
hybrid parser relies on it).

The check is deliberately strict: a false rejection costs a clarifying question, a false
acceptance could cost money. In particular a bare "1/2 ETH" (0.5 ETH, or half of my ETH?)
supports neither reading, as in the rule parser.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from intent.lexicon import (
    ASSET_ALIASES,
    CJK_WORDS,
    CURRENCY_SYMBOLS,
    PHRASE_MAX_WORDS,
    PHRASES,
    TRAD_TO_SIMP,
    WORDS,
    Entry,
    fuzzy_asset,
)
from intent.models import Clarification, Intent
from intent.numbers import (
    CJK_NUMERAL_RE,
    EN_NUMBER_WORDS,
    NUMERIC_RE,
    parse_chinese,
    parse_english,
    parse_numeric,
)

# Verb tags of the lexicon (see intent.lexicon): B buy, g get, D spend/invest, S sell,
# C convert, X cancel, ! something the assistant does not do (or a negation).
_BUY_VERBS = frozenset("BgD")
_SELL_VERBS = frozenset("S")
_CONVERT_VERBS = frozenset("C")
_ALL_TRADE_VERBS = _BUY_VERBS | _SELL_VERBS | _CONVERT_VERBS

_WORD_RE = re.compile(r"[a-z]+(?:['’\-][a-z]+)*")
_REL_TOL = 1e-9
_HUNDRED = Decimal(100)

# A slash fraction: a share only before "of"/"my"/的/我的 ("1/2 of my ETH"), a quantity before
# "a"/"of a"/个 ("1/2 a bitcoin", 1/2个), and neither when bare ("1/2 ETH"), as in the rules.
_SLASH_FRACTION_RE = re.compile(r"(?<![\d/.,])(\d{1,3})/(\d{1,3})(?![\d/.,])")
_UNITS_AFTER_RE = re.compile(r"\s*(?:(?:of\s+)?an?\b|[个颗枚])")
_PERCENT_RE = re.compile(r"\s*(?:%|percent\b|pct\b)")
_SHARE_AFTER_RE = re.compile(r"\s*(?:(?:of|my)\b|的|我的)")
# An English share word before "a"/"of a": "half a bitcoin", "a quarter of a BTC" (0.5, 0.25).
_UNIT_ARTICLES = ("a", "an")

#: What a problem is about: the intent field that is not supported by the text, or
#: ``"refused"`` when the text holds a word the assistant does not act on.
ProblemField = Literal[
    "refused",
    "action",
    "asset",
    "to",
    "quote",
    "amount",
    "limit_price",
    "trigger",
    "take_profit",
    "stop_loss",
    "schedule",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a reading is not supported by the text."""

    field: ProblemField
    message: str
    reason: str = ""  # for "refused": the unsupported reason of the word (e.g. "withdrawal")


def _normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower()
    return folded.translate(TRAD_TO_SIMP)


class _Text:
    """What a text names: its words, tags, asset/currency codes and numbers."""

    def __init__(self, text: str) -> None:
        self.norm = _normalize(text)
        self.words = [w.removesuffix("'s").removesuffix("’s") for w in _WORD_RE.findall(self.norm)]
        self.tags: dict[str, list[str]] = {}  # tag -> the words that carry it
        self.refusals: list[str] = []  # the unsupported reasons of refused words, in order
        self.fractions = 0  # slash fractions written ("1/2")
        self._collect_tags()
        self.codes = self._codes()
        self.numbers, self.shares = self._numbers()

    def _add(self, word: str, entry: Entry) -> None:
        for tag, payload in entry:
            if tag == "^":  # a negation: the rules scope it; an LLM reading of it is not used
                tag, payload = "!", "negation"
            self.tags.setdefault(tag, []).append(word)
            if tag == "!":
                self.refusals.append(payload)

    def _collect_tags(self) -> None:
        # Phrases first, longest first, and a phrase's words carry only the phrase's tags,
        # as in the rule tokenizer: "send me" and "short term" are no refusals.
        words = self.words
        i = 0
        while i < len(words):
            for size in range(min(PHRASE_MAX_WORDS, len(words) - i), 1, -1):
                phrase = tuple(words[i : i + size])
                entry = PHRASES.get(phrase)
                if entry is not None:
                    self._add(" ".join(phrase), entry)
                    i += size
                    break
            else:
                entry = WORDS.get(words[i])
                if entry is not None:
                    self._add(words[i], entry)
                i += 1
        for word, entry in CJK_WORDS.items():
            if word in self.norm:
                self._add(word, entry)

    def has(self, tags: Iterable[str]) -> bool:
        return any(t in self.tags for t in tags)

    def _codes(self) -> set[str]:
        codes: set[str] = set()
        for word in self.words:
            if word in ASSET_ALIASES:
                codes.add(ASSET_ALIASES[word])
            elif word not in WORDS and (found := fuzzy_asset(word)) is not None:
                codes.add(found.code)
            codes.add(word.upper())  # a code written as such, listed or not ("PEPE")
        for alias, code in ASSET_ALIASES.items():
            if not alias.isascii() and alias in self.norm:
                codes.add(code)
        rest = self.norm
        for symbol in sorted(CURRENCY_SYMBOLS, key=len, reverse=True):  # hk$ before $
            if symbol in rest:
                codes.add(CURRENCY_SYMBOLS[symbol])
                rest = rest.replace(symbol, " ")
        # "100u" is USDT (FORMAT.md); so is a "u" next to Chinese (我的U).
        if re.search(r"\d\s?u(?![a-z])|[\u4e00-\u9fff]u(?![a-z])|(?<![a-z])u[\u4e00-\u9fff]", rest):
            codes.add("USDT")
        return codes

    def _slash_fractions(self, numbers: set[Decimal], shares: set[Decimal]) -> str:
        """Read "1/2" by what follows it; the text with the fractions blanked out.

        Blanked, so that the digits of "1/2" are not numbers of their own (an LLM answer of
        "sell 1 ETH" or "sell 2 ETH" for "sell 1/2 ETH" is not written in the text).
        """
        norm = self.norm
        for m in _SLASH_FRACTION_RE.finditer(norm):
            self.fractions += 1
            num, den = int(m.group(1)), int(m.group(2))
            if not 0 < num < den:
                continue
            share = Decimal(num) * _HUNDRED / Decimal(den)
            if _UNITS_AFTER_RE.match(norm, m.end()):
                numbers.add(share / _HUNDRED)
            elif _SHARE_AFTER_RE.match(norm, m.end()):
                shares.add(share)
        if not self.fractions:
            return norm
        return _SLASH_FRACTION_RE.sub(lambda m: " " * len(m.group()), norm)

    def _share_words(self, numbers: set[Decimal], shares: set[Decimal]) -> None:
        """Share words: "half my ETH" is 50%, but "half a bitcoin" is 0.5 and 半个 is 0.5."""
        words = self.words
        for i in range(len(words)):
            value = _share_word(words, i)
            if value is None:
                continue
            after = words[i + 1 : i + 3]
            if after[:1] in (["a"], ["an"]) or after in (["of", "a"], ["of", "an"]):
                numbers.add(value / _HUNDRED)
            else:
                shares.add(value)
        for word, entry in CJK_WORDS.items():
            for tag, payload in entry:
                if tag != "H" or not payload or word not in self.norm:
                    continue
                for m in re.finditer(re.escape(word), self.norm):
                    if self.norm[m.end() : m.end() + 1] in ("个", "颗", "枚"):
                        numbers.add(Decimal(payload) / _HUNDRED)
                    else:
                        shares.add(Decimal(payload))

    def _numbers(self) -> tuple[set[Decimal], set[Decimal]]:
        """Plain numbers, and shares of holdings in percent, written in the text."""
        numbers: set[Decimal] = set()
        shares: set[Decimal] = set()
        norm = self._slash_fractions(numbers, shares)
        for m in NUMERIC_RE.finditer(norm):
            value = parse_numeric(m.group())
            if value is None:
                continue
            numbers.add(value)
            percent = _PERCENT_RE.match(norm, m.end())
            if percent is None:
                continue
            if _UNITS_AFTER_RE.match(norm, percent.end()):  # "30% of a bitcoin" is 0.3
                numbers.add(value / _HUNDRED)
            else:
                shares.add(value)
        for m in CJK_NUMERAL_RE.finditer(norm):
            value = parse_chinese(m.group())
            if value is None:
                continue
            numbers.add(value)
            if norm.startswith("成", m.end()):
                shares.add(value * 10)
            if norm[: m.start()].endswith("百分之"):
                shares.add(value)
        run: list[str] = []
        for word in [*self.words, ""]:  # "" flushes the last run
            pieces = word.split("-")
            if word and (
                all(p in EN_NUMBER_WORDS for p in pieces)
                or (word in ("a", "and") and run and run[-1] != "a")
                or (word == "a" and not run)
            ):
                run.extend(pieces)
                continue
            while run and run[-1] in ("a", "and"):
                run.pop()
            if run and (value := parse_english(run)) is not None:
                numbers.add(value)
            run = []
        self._share_words(numbers, shares)
        # "sell my ETH" is all of it (FORMAT.md), but only with no other amount in sight:
        # not after a vague word ("some of my ETH"), a share word, a percentage or a fraction.
        self.my_all = self.has("m") and not self.has("VH") and not shares and not self.fractions
        # "buy a bitcoin" is one; "half a bitcoin" and "half of a bitcoin" are not.
        words = self.words
        for i, word in enumerate(words[:-1]):
            if word not in _UNIT_ARTICLES or words[i + 1] not in ASSET_ALIASES:
                continue
            before = i - 2 if i >= 2 and words[i - 1] == "of" else i - 1
            if before < 0 or _share_word(words, before) is None:
                numbers.add(Decimal(1))
        return numbers, shares


def _share_word(words: list[str], i: int) -> Decimal | None:
    """The share (percent) the word at ``i`` ends, alone or as a phrase ("three quarters")."""
    if i > 0:
        for tag, payload in PHRASES.get((words[i - 1], words[i]), ()):
            if tag == "H" and payload:
                return Decimal(payload)
    for tag, payload in WORDS.get(words[i], ()):
        if tag == "H" and payload:
            return Decimal(payload)
    return None


def _close(value: Decimal, candidates: set[Decimal]) -> bool:
    return any(
        math.isclose(float(value), float(c), rel_tol=_REL_TOL, abs_tol=0.0) for c in candidates
    )


def implausibilities(text: str, reading: Intent | Clarification) -> list[Problem]:
    """Why ``reading`` is not supported by ``text``, field by field; empty when plausible.

    Checked: each asset/currency code the reading uses (asset, to, quote, amount unit) is
    named in the text (by code, a lexicon alias, a close typo of a long name, or a currency
    symbol); the action is expressed by a verb in the text (buy: buy/get/spend...; sell:
    sell...; either may also be a convert verb; a convert: any trade verb; cancel: a cancel
    verb; a query: a price/balance/orders/show word), with no verb of the opposite side;
    every number (amount, limit, trigger, take-profit, stop-loss, schedule count) is written
    in the text, a share of holdings as a percentage, share word or "1/2 of my"; and the
    text holds no word the assistant refuses. A clarification's side is checked as an
    intent's action is; what it leaves out is not checked.
    """
    seen = _Text(text)
    problems: list[Problem] = []
    refused = seen.tags.get("!")
    if refused:
        message = f"the text contains {refused[0]!r}, which is not acted on"
        problems.append(Problem("refused", message, seen.refusals[0]))

    action = reading.action if isinstance(reading, Intent) else reading.side
    if action in ("buy", "sell", "convert"):
        if action == "buy":
            ok = seen.has(_CONVERT_VERBS) or (seen.has(_BUY_VERBS) and not seen.has(_SELL_VERBS))
        elif action == "sell":
            ok = seen.has(_CONVERT_VERBS) or (seen.has(_SELL_VERBS) and not seen.has("BD"))
        else:
            ok = seen.has(_ALL_TRADE_VERBS)
        if not ok:
            problems.append(Problem("action", f"no unambiguous word in the text says {action}"))
    elif action == "cancel" and not seen.has("X"):
        problems.append(Problem("action", "no word in the text says cancel"))
    elif action == "query" and not seen.has("plhvrW"):
        problems.append(
            Problem("action", "no word in the text asks for a price, balance or orders")
        )

    amount = reading.amount
    roles: tuple[tuple[ProblemField, str, str | None], ...] = (
        ("asset", "asset", reading.asset),
        ("to", "to", reading.to),
        ("quote", "quote", reading.quote),
        ("amount", "amount unit", amount.unit if amount is not None else None),
    )
    for name, role, code in roles:
        if code is not None and code != "%" and code not in seen.codes:
            problems.append(Problem(name, f"{role} {code} is not named in the text"))

    prices: dict[ProblemField, tuple[str, Decimal | None]] = {
        "limit_price": ("limit price", reading.limit_price),
        "trigger": ("trigger price", reading.trigger.price if reading.trigger else None),
        "take_profit": ("take-profit", reading.take_profit),
        "stop_loss": ("stop-loss", reading.stop_loss),
    }
    if amount is not None:
        pool = seen.shares if amount.is_share else seen.numbers
        used = {p for _, p in prices.values() if p is not None}
        all_of_mine = (
            amount.is_share
            and amount.value == 100
            and seen.my_all
            # every number written is a price of the reading, so none of them is an amount
            and all(_close(n, used) for n in seen.numbers)
        )
        if not _close(amount.value, pool) and not all_of_mine:
            unit = "%" if amount.is_share else f" {amount.unit}"
            message = f"amount {amount.value}{unit} is not written in the text"
            problems.append(Problem("amount", message))
    for name, (role, price) in prices.items():
        if price is not None and not _close(price, seen.numbers):
            problems.append(Problem(name, f"{role} {price} is not written in the text"))
    count = reading.schedule.count if reading.schedule is not None else None
    if count is not None and not _close(Decimal(count), seen.numbers):
        problems.append(Problem("schedule", f"count {count} is not written in the text"))
    return problems


def plausibility_problems(text: str, intent: Intent | Clarification) -> list[str]:
    """Why ``intent`` is not supported by ``text``, in words; empty when it is plausible."""
    return [p.message for p in implausibilities(text, intent)]
