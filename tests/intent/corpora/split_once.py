"""How the persona corpora were split, once, before any grammar change (kept as a record).

It read the seven helpers' files (``personas/*.jsonl``, ``dialogues/*.jsonl``, since removed
so that no blind row is left where it could be studied), dropped rows equal to a dev or
``heldout_own`` sentence and repeats, and split each persona's rows in half by a salted
SHA-256 of the text: the first half (by hash) blind, the rest for tuning.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
SALT = "tradeassist-split-2026-12-04:"


def _text(row: dict[str, Any]) -> str:
    return str(row.get("text") or "\u241e".join(row["turns"]))


def _rows(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def split(folder: str, tune_name: str, blind_name: str, seen: set[str]) -> None:
    """Write ``tune_name`` and ``blind_name`` from the persona files in ``folder``."""
    tune: list[dict[str, Any]] = []
    blind: list[dict[str, Any]] = []
    for path in sorted((ROOT / folder).glob("*.jsonl")):
        rows = []
        for row in _rows(path):
            key = _text(row).strip().lower()
            if key not in seen:
                seen.add(key)
                rows.append(row)
        rows.sort(key=lambda r: hashlib.sha256((SALT + _text(r)).encode()).hexdigest())
        half = len(rows) // 2
        blind += rows[:half]
        tune += rows[half:]
    for name, part in ((tune_name, tune), (blind_name, blind)):
        with (ROOT / name).open("w", encoding="utf-8") as out:
            for row in part:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    tuned = (ROOT / "dev.jsonl", ROOT.parent / "heldout_own.jsonl")
    seen = {_text(row).strip().lower() for path in tuned for row in _rows(path)}
    split("personas", "tune.jsonl", "blind.jsonl", seen)
    split("dialogues", "dialogues_tune.jsonl", "dialogues_blind.jsonl", seen)


if __name__ == "__main__":
    main()
