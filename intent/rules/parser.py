""":class:`RuleParser`: the checks before the grammar (length, injection, explain,
withdrawn, misspelt grammar words) and the pipeline normalize → tokenize → analyse →
interpret."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import ClassVar

from rapidfuzz.distance import OSA

from intent.language.assets import common_words
from intent.lexicon import ASSET_ALIASES, PHRASES, WORDS, fuzzy_asset
from intent.models import Intent, Unsupported
from intent.numbers import EN_NUMBER_WORDS
from intent.parser import MAX_INPUT_CHARS, ParseOutput
from intent.rules.construct import _UNSUPPORTED_T, _construct, _unsupported
from intent.rules.context import _in_context
from intent.rules.corrections import _asked_then_requested, _restatements, _self_corrections
from intent.rules.grammar import _analyse
from intent.rules.interpret import _interpret
from intent.rules.negation import _scope_negations
from intent.rules.normalization import (
    _CONDITIONAL,
    _EXPLAIN,
    _EXPLAIN_HINT,
    _INJECTION_HINT,
    _INJECTION_RE,
    _LEFT_LOOSELY,
    _ORDER_WORD,
    _REQUESTING_TAGS,
    _WITHDRAWN,
    _WITHDRAWN_HINT,
    _blank,
    _readable,
    _without_courtesy,
    normalize,
)
from intent.rules.tokens import _HARMLESS_AFTER_NUMBER, _WORD_TABLE, Token, _asset_entry, tokenize

#: Tags of the words whose misspelling could change what is done: numbers and shares, sides,
#: times and schedules, conditions, negations, currencies and prices.
_MEANINGFUL_TAGS = frozenset("NHPBSCXDEFYjxOnT^#iI<>=duQLKJRZ@%Wplhr")
_LONG_WORD = re.compile(r"[a-z]{4,}")


@lru_cache(maxsize=1)
def _meaningful_words() -> frozenset[str]:
    """The grammar words of four letters or more whose misspelling could change an order."""
    entries = [((word,), entry) for word, entry in WORDS.items()] + list(PHRASES.items())
    entries += [((alias,), _asset_entry(code)) for alias, code in ASSET_ALIASES.items()]
    said = {
        word
        for words, entry in entries
        if any(tag in _MEANINGFUL_TAGS for tag, _ in entry)
        for word in words  # ("take profti at 4,200": the words of a phrase too)
        if _LONG_WORD.fullmatch(word)
    }
    return frozenset(said | {w for w in EN_NUMBER_WORDS if _LONG_WORD.fullmatch(w)})


#: Words one letter from a grammar word that are words of their own (slang, plurals).
_NOT_MISSPELT = frozenset(
    {
        "yeet",
        "drip",
        "slips",
        "zeros",
        "mooning",
        "doesn",
        "crabbing",
        "exits",
        "breakouts",
        "nought",
        "tranche",
        "rugs",
        "hodl",
        "scalp",
    }
)


def _misspelt_grammar(norm: str, tokens: list[Token]) -> tuple[str, str] | None:
    """A word no token read, one letter away from a grammar word that could change the order
    ("sell a quarer of my eth", "every monay", "for the next eght weeks"), with that word;
    ``None`` when there is none. Common English words are never taken for one."""
    common, meaningful = common_words(), _meaningful_words()
    read: bytearray | None = None  # which characters a token read (made once it is needed)
    for m in _LONG_WORD.finditer(norm):
        word = m.group()
        if (
            word in _WORD_TABLE
            or word in meaningful
            or word in common
            or word in _NOT_MISSPELT
            or word in EN_NUMBER_WORDS
            or word in _HARMLESS_AFTER_NUMBER
            or (word.endswith("s") and word[:-1] in meaningful)  # a plural: "bleeds"
        ):
            continue  # (a word of a phrase said alone, "lighten", is in ``meaningful``)
        if read is None:
            read = bytearray(len(norm))
            for t in tokens:
                read[t.start : t.end] = b"\x01" * (t.end - t.start)
        if any(read[m.start() : m.end()]) or fuzzy_asset(word) is not None:
            continue
        meant = _close_grammar_word(word)
        if meant is not None:
            return word, meant
    return None


@lru_cache(maxsize=4096)
def _close_grammar_word(word: str) -> str | None:
    """The grammar word one letter from ``word``: the longest, then the first in the alphabet
    ("evey" is "every", not "evry")."""
    close = [
        meant
        for meant in _meaningful_words()
        if abs(len(meant) - len(word)) <= 1 and OSA.distance(word, meant, score_cutoff=1) <= 1
    ]
    return min(close, key=lambda meant: (-len(meant), meant)) if close else None


def _withdrawal(norm: str) -> re.Match[str] | None:
    """Where ``norm`` takes its request back: a withdrawal at its end, or one followed only by
    words that ask for nothing ("buy 1 BTC... actually forget it, I'll wait for the CPI
    print"); not one a new request follows ("forget it, buy 2 ETH")."""
    for m in _WITHDRAWN.finditer(norm):
        if m.end() == len(norm):
            return m
        if not _conditional(norm[: m.start()]) and not any(
            t.tag in _REQUESTING_TAGS for t in tokenize(norm[m.end() :])
        ):
            return m
    return None


def _conditional(before: str) -> bool:
    """Whether a withdrawal after ``before`` holds only under a condition said just before it
    ("If it is not filled, never mind"), not one of the request ("sell 20 sol if it pumps to
    250 -- scratch that")."""
    said = [m.end() for m in _CONDITIONAL.finditer(before)]
    return bool(said) and not any(t.tag in "NABSCPDgt" for t in tokenize(before[said[-1] :]))


class RuleParser:
    """Deterministic parser from an utterance (English or Chinese) to a parse result."""

    name: ClassVar[str] = "rules"  # (ClassVar: a class attribute once compiled too)
    version: ClassVar[str] = "1.0.0"
    # The same text always gives the same (immutable) result: results may be remembered.
    deterministic: ClassVar[bool] = True

    def parse(self, text: str) -> ParseOutput:
        """Parse ``text``; never raises for any string."""
        try:
            return self._parse(text)
        except Exception:  # last-resort safety net: a parser bug must not become a trade
            return Unsupported(
                reason="parse_error",
                message="Sorry, I couldn't understand that. Please rephrase the request, "
                'e.g. "buy 0.1 BTC".',
            )

    def _parse(self, text: str) -> ParseOutput:
        if len(text) > MAX_INPUT_CHARS:
            return _unsupported("too_long")
        norm = _without_courtesy(normalize(text))
        injected = False
        if _INJECTION_HINT.search(norm) and _INJECTION_RE.search(norm):
            injected = True
            norm = _INJECTION_RE.sub(_blank, norm)
        if _EXPLAIN_HINT.search(norm) and _EXPLAIN.search(norm):
            return _unsupported("explain")  # "what does 'limit order' mean?", "什么是市价单？"
        withdrawn = _withdrawal(norm) if _WITHDRAWN_HINT.search(norm) else None
        before = norm[: withdrawn.start()] if withdrawn is not None else ""
        said_before = bool(before.strip())
        if said_before and not _ORDER_WORD.search(before):
            return _unsupported("withdrawn")  # "buy 100u of link... nah forget it"
        norm = _readable(norm)
        tokens = _in_context(tokenize(norm, text), norm)
        for tok in tokens:
            if tok.tag == "!":
                return _unsupported(tok.code)
        if injected:
            # An attempt to change the rules refuses the whole message: the customer sends
            # the trade on its own, and support sees the attempt (it is never half-obeyed).
            return _unsupported("injection")
        if "?" in norm or "wh" in norm or "how" in norm:
            tokens = _asked_then_requested(norm, tokens)
        if "alone" in norm and _LEFT_LOOSELY.search(norm):
            return _unsupported("negation")  # "leave not the BTC alone": what is left alone?
        scoped = _scope_negations(norm, _self_corrections(norm, _restatements(norm, tokens)))
        if scoped is None:
            return _unsupported("negation")
        an = _analyse(scoped, norm)
        # "convert my USDC, not all of it": a denied amount leaves "my X" no default of all
        denied = [t for t in tokens if t not in scoped] if len(scoped) < len(tokens) else []
        an.denied_amount = any(t.tag in "NPH" for t in denied)
        an.denied_verb = any(t.tag in "BSCDg" for t in denied)
        result = _interpret(text, an)
        if isinstance(result, Intent) and result.action in ("buy", "sell", "convert"):
            if said_before:
                # "Grab 1.5m PEPE, market order. nvm": an order's kind named, then withdrawn
                return _unsupported("withdrawn")
            misspelt = _misspelt_grammar(norm, tokens)
            if misspelt is not None:
                # "sell a quarer of my eth" is no sale of all of it: the word is asked about
                return _construct(
                    Unsupported,
                    _UNSUPPORTED_T,
                    {
                        "reason": "unclear_word",
                        "message": f'I couldn\'t read "{misspelt[0]}" (did you mean '
                        f'"{misspelt[1]}"?), and it could change the order. Please write the '
                        "request again.",
                    },
                )
        return result
