"""The hybrid parser: rules first, the LLM only for what the rules cannot parse.

The LLM is asked only when the rule parser returned a :class:`Clarification` or an
:class:`Unsupported` whose reason is ``off_topic`` or ``parse_error`` (it could not make
sense of the text). Explicit refusals (withdrawal, transfer, leverage, negation, advice,
injection, too long, ...) stay refused: the text never reaches the LLM.

The LLM's answer replaces the rule result only if it is an :class:`Intent` that passes
:func:`plausibility_problems` against the text: every asset and currency it uses is named in
the text, its side is expressed by a verb in the text, and every number in it (amount,
prices, count) is written in the text. Otherwise the rule result is kept and
:attr:`Provenance.note` says why the LLM's answer was not used. The check is deliberately
strict: a false rejection costs a clarifying question, a false acceptance could cost money.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from intent.lexicon import (
    ASSET_ALIASES,
    CJK_WORDS,
    CURRENCY_SYMBOLS,
    PHRASES,
    TRAD_TO_SIMP,
    WORDS,
    Entry,
    fuzzy_asset,
)
from intent.llm import LLMParser
from intent.models import Clarification, Intent, Unsupported
from intent.numbers import (
    CJK_NUMERAL_RE,
    EN_NUMBER_WORDS,
    NUMERIC_RE,
    parse_chinese,
    parse_english,
    parse_numeric,
)
from intent.parser import ParseOutput, Parser, Provenance, parse_traced
from intent.rules import RuleParser

#: Unsupported reasons that mean "the rules could not parse it" (the LLM may try).
LLM_FALLBACK_REASONS: frozenset[str] = frozenset({"off_topic", "parse_error"})

# Verb tags of the lexicon (see intent.lexicon): B buy, g get, D spend/invest, S sell,
# C convert, X cancel, ! something the assistant does not do (or a negation).
_BUY_VERBS = frozenset("BgD")
_SELL_VERBS = frozenset("S")
_CONVERT_VERBS = frozenset("C")
_ALL_TRADE_VERBS = _BUY_VERBS | _SELL_VERBS | _CONVERT_VERBS

_WORD_RE = re.compile(r"[a-z]+(?:['’\-][a-z]+)*")
_REL_TOL = 1e-9


def rules_could_not_parse(result: ParseOutput) -> bool:
    """Whether the LLM may be asked: a clarification, or an off-topic/parse-error refusal."""
    if isinstance(result, Clarification):
        return True
    return isinstance(result, Unsupported) and result.reason in LLM_FALLBACK_REASONS


def _normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower()
    return folded.translate(TRAD_TO_SIMP)


class _Text:
    """What a text names: its words, tags, asset/currency codes and numbers."""

    def __init__(self, text: str) -> None:
        self.norm = _normalize(text)
        self.words = [w.removesuffix("'s").removesuffix("’s") for w in _WORD_RE.findall(self.norm)]
        self.tags: dict[str, list[str]] = {}  # tag -> the words that carry it
        self._collect_tags()
        self.codes = self._codes()
        self.numbers, self.shares = self._numbers()

    def _add(self, word: str, entry: Entry) -> None:
        for tag, _payload in entry:
            self.tags.setdefault(tag, []).append(word)

    def _collect_tags(self) -> None:
        joined = f" {' '.join(self.words)} "
        for word in self.words:
            entry = WORDS.get(word)
            if entry is not None:
                self._add(word, entry)
        for phrase, entry in PHRASES.items():
            if f" {' '.join(phrase)} " in joined:
                self._add(" ".join(phrase), entry)
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
            elif word not in WORDS and (code := fuzzy_asset(word)) is not None:
                codes.add(code)
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

    def _numbers(self) -> tuple[set[Decimal], set[Decimal]]:
        """Plain numbers, and shares of holdings in percent, written in the text."""
        numbers: set[Decimal] = set()
        shares: set[Decimal] = set()
        for m in NUMERIC_RE.finditer(self.norm):
            value = parse_numeric(m.group())
            if value is None:
                continue
            numbers.add(value)
            after = self.norm[m.end() : m.end() + 9].lstrip()
            if after.startswith(("%", "percent", "pct")):
                shares.add(value)
        for m in CJK_NUMERAL_RE.finditer(self.norm):
            value = parse_chinese(m.group())
            if value is None:
                continue
            numbers.add(value)
            if self.norm.startswith("成", m.end()):
                shares.add(value * 10)
            if self.norm[: m.start()].endswith("百分之"):
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
        for tag_words in self.tags.get("H", []):  # half, all, 一半, a quarter, ...
            entry = WORDS.get(tag_words) or CJK_WORDS.get(tag_words)
            entry = entry or PHRASES.get(tuple(tag_words.split()))
            for tag, payload in entry or ():
                if tag == "H" and payload:
                    shares.add(Decimal(payload))
        # "sell my ETH" is all of it (FORMAT.md), but only with no other amount in sight:
        # not after a vague word ("some of my ETH"), a share word or a percentage.
        self.my_all = self.has("m") and not self.has("VH") and not shares
        # "buy a bitcoin" is one; "half a bitcoin" is 0.5.
        for i, word in enumerate(self.words[:-1]):
            if word in ("a", "an") and self.words[i + 1] in ASSET_ALIASES:
                numbers.add(Decimal(1))
                if i > 0 and self.words[i - 1] == "half":
                    numbers.add(Decimal("0.5"))
        return numbers, shares


def _close(value: Decimal, candidates: set[Decimal]) -> bool:
    return any(
        math.isclose(float(value), float(c), rel_tol=_REL_TOL, abs_tol=0.0) for c in candidates
    )


def plausibility_problems(text: str, intent: Intent) -> list[str]:
    """Why ``intent`` is not supported by ``text``; empty when it is plausible.

    Checked: each asset/currency code the intent uses (asset, to, quote, amount unit) is
    named in the text (by code, a lexicon alias, a close typo of a long name, or a currency
    symbol); the action is expressed by a verb in the text (buy: buy/get/spend...; sell:
    sell...; either may also be a convert verb; a convert: any trade verb; cancel: a cancel
    verb; a query: a price/balance/orders/show word), with no verb of the opposite side;
    every number (amount, limit, trigger,
    take-profit, stop-loss, schedule count) is written in the text, a share of holdings as a
    percentage or share word; and the text holds no word the assistant refuses.
    """
    seen = _Text(text)
    problems: list[str] = []
    refused = seen.tags.get("!")
    if refused:
        problems.append(f"the text contains {refused[0]!r}, which is not acted on")

    if intent.action in ("buy", "sell", "convert"):
        if intent.action == "buy":
            ok = seen.has(_CONVERT_VERBS) or (seen.has(_BUY_VERBS) and not seen.has(_SELL_VERBS))
        elif intent.action == "sell":
            ok = seen.has(_CONVERT_VERBS) or (seen.has(_SELL_VERBS) and not seen.has("BD"))
        else:
            ok = seen.has(_ALL_TRADE_VERBS)
        if not ok:
            problems.append(f"no unambiguous word in the text says {intent.action}")
    elif intent.action == "cancel" and not seen.has("X"):
        problems.append("no word in the text says cancel")
    elif intent.action == "query" and not seen.has("plhvrW"):
        problems.append("no word in the text asks for a price, balance or orders")

    for role, code in (
        ("asset", intent.asset),
        ("to", intent.to),
        ("quote", intent.quote),
        ("amount unit", intent.amount.unit if intent.amount is not None else None),
    ):
        if code is not None and code != "%" and code not in seen.codes:
            problems.append(f"{role} {code} is not named in the text")

    prices = {
        "limit price": intent.limit_price,
        "trigger price": intent.trigger.price if intent.trigger is not None else None,
        "take-profit": intent.take_profit,
        "stop-loss": intent.stop_loss,
    }
    if intent.amount is not None:
        pool = seen.shares if intent.amount.is_share else seen.numbers
        used = {p for p in prices.values() if p is not None}
        all_of_mine = (
            intent.amount.is_share
            and intent.amount.value == 100
            and seen.my_all
            # every number written is a price of the intent, so none of them is an amount
            and all(_close(n, used) for n in seen.numbers)
        )
        if not _close(intent.amount.value, pool) and not all_of_mine:
            unit = "%" if intent.amount.is_share else f" {intent.amount.unit}"
            problems.append(f"amount {intent.amount.value}{unit} is not written in the text")
    for role, price in prices.items():
        if price is not None and not _close(price, seen.numbers):
            problems.append(f"{role} {price} is not written in the text")
    count = intent.schedule.count if intent.schedule is not None else None
    if count is not None and not _close(Decimal(count), seen.numbers):
        problems.append(f"count {count} is not written in the text")
    return problems


def _describe(result: ParseOutput) -> str:
    if isinstance(result, Unsupported):
        return f"unsupported ({result.reason})"
    if isinstance(result, Clarification):
        return f"a clarification (missing {', '.join(result.missing)})"
    return f"an intent ({result.action})"


class HybridParser:
    """Rules first; the LLM only where they fail, and only a plausible LLM intent is used.

    :meth:`parse_traced` reports ``parser="rules"`` or ``parser="llm"`` for whichever
    produced the final result; whenever the LLM was asked, the model and prompt version are
    recorded too, and ``note`` says why its answer was not used.
    """

    name = "hybrid"

    def __init__(self, llm: LLMParser, rules: Parser | None = None) -> None:
        self.llm = llm
        self.rules: Parser = rules if rules is not None else RuleParser()
        self.version = f"rules-{self.rules.version}+llm-{llm.version}"
        self.model = llm.model

    def parse(self, text: str) -> ParseOutput:
        """Parse ``text``; never raises."""
        return self.parse_traced(text)[0]

    def parse_traced(self, text: str) -> tuple[ParseOutput, Provenance]:
        """Parse ``text`` and say which parser's result was used, and why."""
        result, provenance = parse_traced(self.rules, text)
        if not rules_could_not_parse(result):
            return result, provenance
        answer, llm_provenance = self.llm.parse_traced(text)
        if isinstance(answer, Intent):
            problems = plausibility_problems(text, answer)
            if not problems:
                return answer, llm_provenance
            why = "implausible: " + "; ".join(problems)
        else:
            why = f"it gave {_describe(answer)}"
            if llm_provenance.note:
                why += f" [{llm_provenance.note}]"
        return result, provenance.model_copy(
            update={
                "model": llm_provenance.model,
                "prompt_version": llm_provenance.prompt_version,
                "attempts": llm_provenance.attempts,
                "note": f"LLM answer not used: {why}"[:1000],
            }
        )
