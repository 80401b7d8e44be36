"""The Parser protocol: text in, exactly one parse result out, never an exception.

A parser may also report which parser, model and prompt produced each result
(:class:`Provenance`); the journal records it with every parse.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
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


class RememberingParser:
    """A deterministic parser (one that declares ``deterministic = True``: the same text
    always gives the same, immutable result) with its last ``capacity`` results remembered
    by text, least recently used first out. The simulation API parses the same plan texts
    again and again with other balances, seeds and scenarios."""

    def __init__(self, parser: Parser, capacity: int = 4096) -> None:
        if not getattr(parser, "deterministic", False):
            raise ValueError(f"{parser.name!r} does not declare itself deterministic")
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity!r}")
        self.parser = parser
        self.capacity = capacity
        self._results: OrderedDict[str, ParseOutput] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.parser.name

    @property
    def version(self) -> str:
        return self.parser.version

    def __len__(self) -> int:
        return len(self._results)

    def parse(self, text: str) -> ParseOutput:
        with self._lock:
            found = self._results.get(text)
            if found is not None:
                self._results.move_to_end(text)
                return found
        result = self.parser.parse(text)
        with self._lock:
            self._results[text] = result
            while len(self._results) > self.capacity:
                self._results.popitem(last=False)
        return result
