"""The Parser protocol: text in, exactly one parse result out, never an exception."""

from __future__ import annotations

from typing import Protocol

from intent.models import Clarification, Intent, Unsupported


class Parser(Protocol):
    """Anything that turns an utterance into an Intent, a Clarification or Unsupported."""

    name: str
    version: str

    def parse(self, text: str) -> Intent | Clarification | Unsupported: ...
