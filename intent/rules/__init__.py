"""A deterministic rule parser: tokenizer, tag grammar and lexicon → intent.

How it works:

1. :func:`normalize` lower-cases the text, maps full-width forms and traditional Chinese to
   the forms the lexicon uses, keeping every character at its offset (spans stay valid).
   Prompt-injection phrases are blanked out: they never change the meaning.
2. :func:`tokenize` turns the text into tokens, each with a one-character *tag* (see
   :mod:`intent.lexicon` for the alphabet). Words the grammar does not know are dropped, so
   filler ("could you please", "for me", "rn") never gets in the way.
3. The grammar is a series of named phrase patterns (regular expressions over the tag
   string): schedules, take-profit/stop-loss, stops and conditions, limit prices, amounts.
   Each phrase consumes its tokens so a number is used for exactly one role.
4. :meth:`RuleParser.parse` decides the action from the verbs, the assets given and
   received from the connectors (with/for/into), and returns an :class:`Intent`, a
   :class:`Clarification` naming what is missing, or :class:`Unsupported`. It never guesses
   an amount, an asset or a side, and a number it cannot place blocks execution.

The modules, in the order the parser uses them:

- ``construct``: results built directly, without validation (section 0).
- ``normalization``: :func:`normalize`, and what is blanked out of a message (step 1).
- ``tokens``: :func:`tokenize` and the tagged :class:`Token` (step 2).
- ``grammar``: the named phrase patterns and :func:`_analyse` (step 3).
- ``context``, ``negation``, ``corrections``: tokens read in context, negations scoped over
  their clause, corrections and restatements inside one message (before step 3).
- ``interpret``: from the analysed phrases to a result: an order to cancel, a query, a
  trade (step 4).
- ``parser``: :class:`RuleParser`, the checks before the grammar and the pipeline.
- ``replies``: a reply inside a dialogue: its terms, its numbers, an amendment.
"""

from __future__ import annotations

from intent.rules.grammar import count_over, iso_duration, orders_in
from intent.rules.interpret import TradeSide
from intent.rules.negation import NOW_WORDS
from intent.rules.normalization import normalize, without_greeting
from intent.rules.parser import RuleParser
from intent.rules.replies import (
    Amendment,
    ReplyTerms,
    amendment,
    reply_terms,
    term_numbers,
    way_unsaid,
    without_timing,
)
from intent.rules.tokens import Token, tokenize

__all__ = [
    "NOW_WORDS",
    "Amendment",
    "ReplyTerms",
    "RuleParser",
    "Token",
    "TradeSide",
    "amendment",
    "count_over",
    "iso_duration",
    "normalize",
    "orders_in",
    "reply_terms",
    "term_numbers",
    "tokenize",
    "way_unsaid",
    "without_greeting",
    "without_timing",
]
