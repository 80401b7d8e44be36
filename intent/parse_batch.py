"""The batch path of ``tradeassist parse``: many utterances to JSON lines, fast.

One rule parser per process (it is deterministic and holds no state between calls), and
orjson for the output (the C serialiser ccxt already depends on; 1.5x the standard
library on these objects)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import orjson

from intent.canonical import to_canonical
from intent.rules import RuleParser


@cache
def _parser() -> RuleParser:
    return RuleParser()


def parse_lines(lines: Sequence[str], *, canonical: bool) -> bytes:
    """One JSON object per line of ``lines`` (the canonical format, or the full result),
    each followed by a newline."""
    parser = _parser()
    out: list[bytes] = []
    for line in lines:
        result = parser.parse(line)
        data = to_canonical(result) if canonical else result.model_dump(mode="json")
        out.append(orjson.dumps(data))
    out.append(b"")
    return b"\n".join(out)
