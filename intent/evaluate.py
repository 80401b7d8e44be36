"""Scoring a parser against a labeled corpus in the canonical format.

``python -m intent.evaluate path/to/corpus.jsonl`` prints the report for the rule parser.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from intent.canonical import (
    CANONICAL_KEYS,
    normalize_convert,
    same_field,
    same_meaning,
    to_canonical,
)
from intent.dialogue import DialogueState, Outcome, advance, respond
from intent.models import Clarification, Intent, Unsupported

_EXECUTABLE = frozenset({"buy", "sell", "convert"})


class Parser(Protocol):
    """Anything with ``parse(text)`` returning a parse result."""

    def parse(self, text: str) -> Intent | Clarification | Unsupported: ...


@dataclass(frozen=True)
class Failure:
    """One utterance the parser got wrong."""

    text: str
    expected: dict[str, Any]
    got: dict[str, Any]
    executable: bool  # the parser would have traded (buy/sell/convert) on a wrong meaning


@dataclass(frozen=True)
class EvalReport:
    """Scores of one parser over one corpus."""

    n: int
    exact: int
    per_action: dict[str, tuple[int, int]]  # expected action -> (correct, total)
    per_field: dict[str, tuple[int, int]]  # canonical key -> (correct, total)
    wrong_executable: int
    failures: tuple[Failure, ...]

    @property
    def accuracy(self) -> float:
        """Share of utterances whose meaning matched exactly."""
        return self.exact / self.n if self.n else 0.0


def load_corpus(path: str | Path) -> list[dict[str, Any]]:
    """Rows of a JSON Lines corpus (``text``, ``lang``, ``expect``); blank lines skipped."""
    rows: list[dict[str, Any]] = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def final_reading(turns: Iterable[str], parser: Parser) -> dict[str, Any]:
    """The canonical reading after the last of ``turns``, each parsed and put through the
    dialogue engine as the chat does (:func:`intent.dialogue.respond`, then
    :func:`~intent.dialogue.advance`). A dropped request reads as ``unsupported``."""
    state = DialogueState()
    outcome: Outcome | None = None
    for turn in turns:
        outcome = respond(state, turn, parser.parse(turn))
        state = advance(state, turn, outcome)
    if outcome is None or outcome.result is None:
        return to_canonical(Unsupported(reason="dismissed", message=""))
    return to_canonical(outcome.result)


def evaluate_dialogues(rows: Iterable[dict[str, Any]], parser: Parser) -> EvalReport:
    """Score dialogues (``turns``, ``expect``): the final reading against ``expect``."""
    return score(
        ((" ⏎ ".join(row["turns"]), row["expect"], final_reading(row["turns"], parser)))
        for row in rows
    )


def evaluate(rows: Iterable[dict[str, Any]], parser: Parser) -> EvalReport:
    """Parse every row's ``text`` and compare with its ``expect`` (see :func:`same_meaning`).

    Per-field accuracy is over all canonical keys of every row, with converts to or from a
    quote currency rewritten as the equivalent sell or buy first.
    """
    return score(
        (row["text"], row["expect"], to_canonical(parser.parse(row["text"]))) for row in rows
    )


def score(cases: Iterable[tuple[str, dict[str, Any], dict[str, Any]]]) -> EvalReport:
    """The report over (text, expected, got) triples: what :func:`evaluate` and
    :func:`evaluate_dialogues` compute, for any source of readings."""
    n = exact = wrong_executable = 0
    per_action: dict[str, list[int]] = {}
    per_field: dict[str, list[int]] = {key: [0, 0] for key in CANONICAL_KEYS}
    failures: list[Failure] = []
    for text, expected, got in cases:
        n += 1
        action = str(normalize_convert(expected).get("action"))
        counts = per_action.setdefault(action, [0, 0])
        counts[1] += 1
        for key in CANONICAL_KEYS:
            per_field[key][1] += 1
            if same_field(expected, got, key):
                per_field[key][0] += 1
        if same_meaning(expected, got):
            exact += 1
            counts[0] += 1
            continue
        executable = got["action"] in _EXECUTABLE
        wrong_executable += executable
        failures.append(Failure(text, expected, got, executable))
    return EvalReport(
        n=n,
        exact=exact,
        per_action={k: (v[0], v[1]) for k, v in sorted(per_action.items())},
        per_field={k: (v[0], v[1]) for k, v in per_field.items()},
        wrong_executable=wrong_executable,
        failures=tuple(failures),
    )


def _ratio(correct: int, total: int) -> str:
    return f"{correct / total:.3f} ({correct}/{total})" if total else "n/a (0/0)"


def is_blind(name: str) -> bool:
    """Whether a corpus is a blind split, whose failures are never shown (see
    tests/intent/corpora/README.md): studying them would turn it into a tuning set."""
    return Path(name).stem.startswith(("blind", "dialogues_blind"))


def format_side_by_side(reports: dict[str, EvalReport], items: str = "utterances") -> str:
    """One column per corpus: size (``items``), exact share, wrong executable trades, and
    the exact share per expected action."""
    names = list(reports)
    width = max(12, *(len(n) + 2 for n in names))
    head = f"{'':<20}" + "".join(f"{n:>{width}}" for n in names)
    rows = [head]

    def row(label: str, cells: list[str]) -> None:
        rows.append(f"{label:<20}" + "".join(f"{c:>{width}}" for c in cells))

    row(items, [str(r.n) for r in reports.values()])
    row("exact", [f"{r.accuracy:.3f}" for r in reports.values()])
    row("wrong executable", [str(r.wrong_executable) for r in reports.values()])
    actions = sorted({a for r in reports.values() for a in r.per_action})
    for action in actions:
        cells = []
        for r in reports.values():
            correct, total = r.per_action.get(action, (0, 0))
            cells.append(f"{correct}/{total}" if total else "-")
        row(f"  {action}", cells)
    return "\n".join(rows)


def format_report(report: EvalReport, *, name: str = "") -> str:
    """A readable report; the last line is ``exact: 0.xxx (k/n)``. Failures are listed
    unless ``name`` is a blind corpus."""
    lines = ["per action:"]
    lines += [f"  {a:<12} {_ratio(*c)}" for a, c in report.per_action.items()]
    lines.append("per field:")
    lines += [f"  {k:<12} {_ratio(*c)}" for k, c in report.per_field.items()]
    lines.append(f"wrong executable: {report.wrong_executable}")
    if report.failures and is_blind(name):
        lines.append("failures: not shown for a blind corpus")
    elif report.failures:
        lines.append("failures:")
        for failure in report.failures:
            flag = "!!" if failure.executable else "  "
            lines.append(f"  {flag} {failure.text}")
            lines.append(f"       expected {json.dumps(failure.expected, ensure_ascii=False)}")
            lines.append(f"       got      {json.dumps(failure.got, ensure_ascii=False)}")
    lines.append(f"exact: {report.accuracy:.3f} ({report.exact}/{report.n})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Score the rule parser on the corpus given as the only argument."""
    from intent.rules import RuleParser

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m intent.evaluate CORPUS.jsonl", file=sys.stderr)
        return 2
    report = evaluate(load_corpus(args[0]), RuleParser())
    print(format_report(report, name=args[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
