"""Words that change nothing change no trade.

Every dev row and every fourth tuning row is read again with courtesy around it: a greeting
or "please" before, thanks, "pls", "asap" or 🙏 after. When the new reading is a trade it must
be the trade the row reads as without them, or the one it is labelled with. Before this
test such words turned a withdrawn request, questions and asked sums into trades ("buy 100u
of link... nah forget it, thanks", "hi, is my DOGE sell still open", "大饼买1000，谢谢"):
rules anchored at the start or end of a message no longer saw what they were anchored on. A
trade read without them that becomes a question with them is allowed (it asks, it sends
nothing).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from intent.canonical import same_meaning, to_canonical
from intent.evaluate import load_corpus
from intent.rules import RuleParser
from tests.conftest import CORPORA

_CJK = re.compile(r"[\u3400-\u9fff]")
_TRADES = {"buy", "sell", "convert"}


def _zh(text: str) -> bool:
    return _CJK.search(text) is not None


def _decapitalised(text: str) -> str:
    return text[:1].lower() + text[1:]


def _ended(text: str) -> str:
    return text.rstrip(".。!！ ")


#: name → how the text is said with the words that change nothing
WRAPPINGS: dict[str, Callable[[str], str]] = {
    "greeting": lambda t: ("你好，" if _zh(t) else "hi, ") + t,
    "please": lambda t: ("麻烦" if _zh(t) else "please ") + (t if _zh(t) else _decapitalised(t)),
    "thanks": lambda t: t.rstrip() + ("，谢谢" if _zh(t) else ", thanks"),
    "pls": lambda t: _ended(t) + (" 唔該" if _zh(t) else " pls"),
    "asap": lambda t: _ended(t) + (" 快啲" if _zh(t) else " asap"),
    "emoji": lambda t: t.rstrip() + " 🙏",
}

ROWS = [
    (row["text"], row["expect"])
    for name, step in (("dev", 1), ("tune", 4))
    for row in load_corpus(CORPORA / f"{name}.jsonl")[::step]
]


@pytest.mark.parametrize("wrapping", sorted(WRAPPINGS))
def test_courtesy_around_a_request_changes_no_trade(wrapping: str) -> None:
    parser = RuleParser()
    wrap = WRAPPINGS[wrapping]
    changed = []
    for text, expected in ROWS:
        said = wrap(text)
        got = to_canonical(parser.parse(said))
        if (
            got["action"] in _TRADES
            and not same_meaning(expected, got)
            and not same_meaning(to_canonical(parser.parse(text)), got)
        ):
            changed.append(said)
    assert not changed, f"{len(changed)} rows trade otherwise, e.g. {changed[:10]}"
