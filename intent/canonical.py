"""Export of parse results to the canonical intent format, and the scorer's comparison.

See ``tests/intent/corpora/FORMAT.md``: every key present, in order, ``null`` where it does
not apply; numbers as JSON numbers.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from intent.lexicon import QUOTE_CURRENCIES
from intent.models import Clarification, Intent, Unsupported

#: The canonical keys, in output order.
CANONICAL_KEYS: tuple[str, ...] = (
    "action",
    "asset",
    "to",
    "quote",
    "amount",
    "order_type",
    "limit_price",
    "trigger",
    "take_profit",
    "stop_loss",
    "schedule",
    "query",
    "missing",
)

_TRADES = frozenset({"buy", "sell", "convert"})
_REL_TOL = 1e-9


def _number(value: Decimal | None) -> int | float | None:
    """A JSON number: int when integral, float otherwise."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _empty(action: str) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(CANONICAL_KEYS)
    out["action"] = action
    out["missing"] = []
    return out


def to_canonical(result: Intent | Clarification | Unsupported) -> dict[str, Any]:
    """The canonical dict of a parse result (keys in :data:`CANONICAL_KEYS` order)."""
    if isinstance(result, Unsupported):
        return _empty("unsupported")
    if isinstance(result, Clarification):
        out = _empty("clarify")
        out["asset"] = result.asset
        out["quote"] = result.quote
        if result.amount is not None:
            out["amount"] = {"value": _number(result.amount.value), "unit": result.amount.unit}
        out["missing"] = sorted(result.missing)
        return out
    out = _empty(result.action)
    out["asset"] = result.asset
    out["to"] = result.to
    out["quote"] = result.quote
    if result.amount is not None:
        out["amount"] = {"value": _number(result.amount.value), "unit": result.amount.unit}
    if result.action in _TRADES:
        out["order_type"] = result.order_type
    out["limit_price"] = _number(result.limit_price)
    if result.trigger is not None:
        out["trigger"] = {"op": result.trigger.op, "price": _number(result.trigger.price)}
    out["take_profit"] = _number(result.take_profit)
    out["stop_loss"] = _number(result.stop_loss)
    if result.schedule is not None:
        out["schedule"] = {
            "every": result.schedule.every,
            "count": result.schedule.count,
            "over": result.schedule.over,
        }
    out["query"] = result.query
    return out


def normalize_convert(canonical: dict[str, Any]) -> dict[str, Any]:
    """A convert to (from) a quote currency, rewritten as the equivalent sell (buy).

    ``convert SOL → USDC`` is ``sell SOL`` with quote ``USDC``; ``convert USDT → ETH`` is
    ``buy ETH`` with quote ``USDT``; between two quote currencies, a sale of one is a buy of
    the other (``convert HKD → USDT`` is ``buy USDT`` with quote ``HKD``). Other dicts are
    returned unchanged (as a copy).
    """
    out = dict(canonical)
    if out.get("action") == "convert":
        source, target = out.get("asset"), out.get("to")
        if target in QUOTE_CURRENCIES:
            out.update(action="sell", asset=source, to=None, quote=target)
        elif source in QUOTE_CURRENCIES:
            out.update(action="buy", asset=target, to=None, quote=source)
    if (
        out.get("action") == "sell"
        and out.get("asset") in QUOTE_CURRENCIES
        and out.get("quote") in QUOTE_CURRENCIES
    ):
        # "convert 5,000 HKD into USDT": selling one money for another is buying the other
        out.update(action="buy", asset=out["quote"], quote=out["asset"])
    return out


_DURATION = re.compile(r"^P(?:(\d+)([DW])|T(\d+)([HM]))$")
#: Seconds per unit of the durations whose length is fixed (months and years are not).
_SECONDS = {"D": 86_400, "W": 604_800, "H": 3_600, "M": 60}


def _duration(value: Any) -> Any:
    """An ISO 8601 duration of fixed length as its seconds ("PT24H" and "P1D" are one
    length, as "PT60M" and "PT1H"); anything else unchanged."""
    m = _DURATION.match(value) if isinstance(value, str) else None
    if m is None:
        return value
    n, unit = (m[1], m[2]) if m[1] else (m[3], m[4])
    return ("seconds", int(n) * _SECONDS[unit])


def _comparable(canonical: dict[str, Any]) -> dict[str, Any]:
    """What the scorer compares: converts to or from a quote currency as the sell or buy
    they are, and schedule durations by their length."""
    out = normalize_convert(canonical)
    schedule = out.get("schedule")
    if isinstance(schedule, dict):
        out["schedule"] = {k: _duration(v) for k, v in schedule.items()}
    return out


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float | Decimal) and isinstance(b, int | float | Decimal):
        fa, fb = float(a), float(b)
        return math.isclose(fa, fb, rel_tol=_REL_TOL, abs_tol=0.0)
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return False
        return all(_same_value(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def compared_keys(action: str | None) -> tuple[str, ...]:
    """The keys the scorer compares for an expected ``action`` (FORMAT.md)."""
    if action == "clarify":
        return ("action", "missing")
    if action == "unsupported":
        return ("action",)
    if action == "query":
        return ("action", "query", "asset")
    if action == "cancel":
        return ("action", "asset")
    return CANONICAL_KEYS


def same_field(expected: dict[str, Any], got: dict[str, Any], key: str) -> bool:
    """Whether one canonical key matches (after rewriting equivalent converts)."""
    e, g = _comparable(expected), _comparable(got)
    return _same_value(e.get(key), g.get(key))


def same_meaning(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    """The scorer: do two canonical dicts mean the same thing?

    Compares per expected action (clarify: action and missing; unsupported: action; query:
    action, query, asset; cancel: action, asset; trades: every key), numbers with a relative
    tolerance of 1e-9, a convert to/from a quote currency equal to the sell/buy, and
    schedule durations of one length equal ("PT24H" and "P1D").
    """
    e, g = _comparable(expected), _comparable(got)
    if e.get("action") != g.get("action"):
        return False
    missing_e = e.get("missing")
    missing_g = g.get("missing")
    for key in compared_keys(e.get("action")):
        if key == "missing" and isinstance(missing_e, list) and isinstance(missing_g, list):
            if sorted(missing_e) != sorted(missing_g):
                return False
            continue
        if not _same_value(e.get(key), g.get(key)):
            return False
    return True
