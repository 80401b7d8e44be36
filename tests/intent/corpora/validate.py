"""Check that corpus files follow FORMAT.md and LABELLING.md: python validate.py FILE..."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from intent.canonical import CANONICAL_KEYS

ACTIONS = {"buy", "sell", "convert", "cancel", "query", "clarify", "unsupported"}
DURATION = re.compile(r"^P(?:\d+[DWMY]|T\d+[HMS])$")
CODE = re.compile(r"^[A-Z0-9]{2,10}$")


def problems(expect: Any) -> list[str]:
    """What is wrong with one ``expect`` object (empty when it is well formed)."""
    if not isinstance(expect, dict):
        return ["expect is not an object"]
    out = []
    if sorted(expect) != sorted(CANONICAL_KEYS):
        out.append(f"keys {sorted(expect)} != {sorted(CANONICAL_KEYS)}")
        return out
    action = expect["action"]
    if action not in ACTIONS:
        out.append(f"action {action!r}")
    for key in ("asset", "to", "quote"):
        if expect[key] is not None and not CODE.match(str(expect[key])):
            out.append(f"{key} {expect[key]!r} is not an upper-case code")
    amount = expect["amount"]
    if amount is not None:
        if set(amount) != {"value", "unit"} or not isinstance(amount["value"], (int, float)):
            out.append(f"amount {amount!r}")
        elif amount["value"] <= 0:
            out.append("amount value must be > 0")
        elif amount["unit"] != "%" and not CODE.match(str(amount["unit"])):
            out.append(f"amount unit {amount['unit']!r}")
    if expect["order_type"] not in (None, "market", "limit"):
        out.append(f"order_type {expect['order_type']!r}")
    trades = action in ("buy", "sell", "convert")
    if trades and expect["order_type"] is None:
        out.append("a trade needs order_type")
    if not trades and action != "clarify":
        for key in ("order_type", "limit_price", "trigger", "schedule", "amount", "to"):
            if expect[key] is not None:
                out.append(f"{action} must have {key} null")
    if (expect["limit_price"] is not None) != (expect["order_type"] == "limit") and trades:
        out.append("order_type limit iff limit_price")
    trigger = expect["trigger"]
    if trigger is not None and (
        set(trigger) != {"op", "price"} or trigger["op"] not in ("<=", ">=")
    ):
        out.append(f"trigger {trigger!r}")
    schedule = expect["schedule"]
    if schedule is not None:
        if set(schedule) != {"every", "count", "over"}:
            out.append(f"schedule {schedule!r}")
        else:
            for key in ("every", "over"):
                if schedule[key] is not None and not DURATION.match(schedule[key]):
                    out.append(f"schedule.{key} {schedule[key]!r} is not an ISO 8601 duration")
    if expect["query"] not in (None, "price", "balance", "orders"):
        out.append(f"query {expect['query']!r}")
    if (action == "query") != (expect["query"] is not None):
        out.append("query set iff action query")
    missing = expect["missing"]
    if not isinstance(missing, list) or missing != sorted(set(missing)):
        out.append("missing must be a sorted list without repeats")
    elif not set(missing) <= {"amount", "asset", "side", "price"}:
        out.append(f"missing {missing!r}")
    elif (action == "clarify") != bool(missing):
        out.append("missing non-empty iff clarify")
    if action == "convert" and expect["to"] is None:
        out.append("convert needs to")
    return out


def check(path: Path) -> list[str]:
    """Every problem in one corpus file, as ``path:line: problem``."""
    errors = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{path}:{number}: not JSON ({exc})")
            continue
        if "turns" in row:
            turns = row["turns"]
            if (
                not isinstance(turns, list)
                or not turns
                or not all(isinstance(t, str) and t.strip() for t in turns)
            ):
                errors.append(f"{path}:{number}: turns must be non-empty strings")
        elif not isinstance(row.get("text"), str) or not row["text"].strip():
            errors.append(f"{path}:{number}: text missing")
        if row.get("lang") not in ("en", "zh"):
            errors.append(f"{path}:{number}: lang {row.get('lang')!r}")
        errors += [f"{path}:{number}: {p}" for p in problems(row.get("expect"))]
    return errors


def main(argv: list[str]) -> int:
    errors = [e for name in argv for e in check(Path(name))]
    print("\n".join(errors) if errors else f"ok: {len(argv)} file(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
