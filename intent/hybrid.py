"""The hybrid parser: rules first, the LLM only for what the rules cannot parse.

The LLM is asked only when the rule parser returned a :class:`Clarification` or an
:class:`Unsupported` whose reason is ``off_topic`` or ``parse_error`` (it could not make
sense of the text). Explicit refusals (withdrawal, transfer, leverage, negation, advice,
injection, too long, ...) stay refused: the text never reaches the LLM.

The LLM's answer replaces the rule result only if it is an :class:`Intent`. The LLM parser
returns an Intent only when it passes :func:`intent.plausibility.implausibilities` against
the text (every asset and currency it uses is named in the text, its side is expressed by a
verb in the text, every number in it is written in the text); an implausible answer comes
back as a clarification whose provenance note says why. Otherwise the rule result is kept
and :attr:`Provenance.note` says why the LLM's answer was not used. The check is
deliberately strict: a false rejection costs a clarifying question, a false acceptance
could cost money.
"""

from __future__ import annotations

from intent.llm import LLMParser
from intent.models import Clarification, Intent, Unsupported
from intent.parser import ParseOutput, Parser, Provenance, parse_traced
from intent.rules import RuleParser

#: Unsupported reasons that mean "the rules could not parse it" (the LLM may try).
LLM_FALLBACK_REASONS: frozenset[str] = frozenset({"off_topic", "parse_error"})


def rules_could_not_parse(result: ParseOutput) -> bool:
    """Whether the LLM may be asked: a clarification, or an off-topic/parse-error refusal."""
    if isinstance(result, Clarification):
        return True
    return isinstance(result, Unsupported) and result.reason in LLM_FALLBACK_REASONS


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
        # The LLM parser checks its answer against the text: an Intent is a plausible one.
        answer, llm_provenance = self.llm.parse_traced(text)
        if isinstance(answer, Intent):
            return answer, llm_provenance
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
