"""A deterministic parser's results remembered by text, in a bounded LRU."""

from __future__ import annotations

import pytest

from intent.models import Intent
from intent.parser import ParseOutput, RememberingParser
from intent.rules.parser import RuleParser


class Counting:
    """The rule parser, counting what it is asked (a wrapper: the compiled RuleParser
    cannot be subclassed by interpreted code)."""

    name = RuleParser.name
    version = RuleParser.version
    deterministic = True

    def __init__(self) -> None:
        self.parsed: list[str] = []
        self._rules = RuleParser()

    def parse(self, text: str) -> ParseOutput:
        self.parsed.append(text)
        return self._rules.parse(text)


def test_results_are_remembered_by_text_and_the_oldest_goes_first() -> None:
    inner = Counting()
    parser = RememberingParser(inner, capacity=2)

    first = parser.parse("buy 0.1 BTC")
    assert isinstance(first, Intent)
    assert parser.parse("buy 0.1 BTC") is first
    parser.parse("sell 1 ETH")
    parser.parse("buy 0.1 BTC")  # used last: "sell 1 ETH" goes first
    parser.parse("buy 2 SOL")
    assert len(parser) == 2
    parser.parse("buy 0.1 BTC")
    assert inner.parsed == ["buy 0.1 BTC", "sell 1 ETH", "buy 2 SOL"]
    parser.parse("sell 1 ETH")
    assert inner.parsed[-1] == "sell 1 ETH"
    assert parser.parse("buy 0.1 BTC") == RuleParser().parse("buy 0.1 BTC")
    assert (parser.name, parser.version) == (RuleParser.name, RuleParser.version)


def test_only_a_parser_that_declares_itself_deterministic_is_remembered() -> None:
    class Guessing:
        name = "llm"
        version = "1"

        def parse(self, text: str) -> ParseOutput:
            raise NotImplementedError

    with pytest.raises(ValueError, match="'llm' does not declare itself deterministic"):
        RememberingParser(Guessing())
    with pytest.raises(ValueError, match="capacity"):
        RememberingParser(RuleParser(), capacity=0)
