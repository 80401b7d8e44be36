"""The Parser protocol: text in, exactly one parse result out, never an exception.

A parser may also report which parser, model and prompt produced each result
(:class:`Provenance`); the journal records it with every parse.
"""

from __future__ import annotations

from typing import Protocol

from intent.models import Clarification, Intent, Model, Unsupported

ParseOutput = Intent | Clarification | Unsupported
#: Longer input is refused unread by every parser: nobody types a trade that long.
MAX_INPUT_CHARS = 2000


class Provenance(Model):
    """Where one parse result came from."""

    parser: str  # "rules" or "llm"
    version: str
    model: str | None = None
    prompt_version: str | None = None
    attempts: int = 1
    note: str | None = None  # e.g. why the LLM's answer was not used


class Parser(Protocol):
    """Anything that turns an utterance into an Intent, a Clarification or Unsupported."""

    @property
    def name(self) -> str: ...  # (read-only: a class attribute or an instance's)

    @property
    def version(self) -> str: ...

    def parse(self, text: str) -> ParseOutput: ...


def parse_traced(parser: Parser, text: str) -> tuple[ParseOutput, Provenance]:
    """Parse ``text`` and say which parser produced the result."""
    traced = getattr(parser, "parse_traced", None)
    if traced is not None:
        result, provenance = traced(text)
        return result, provenance
    return parser.parse(text), Provenance(parser=parser.name, version=parser.version)
