"""Re-run a session's parse, plan and preview on the inputs its journal recorded.

The journal keeps, with each result, what produced it: the message text and the parser's
provenance for a parse, the intent and balance snapshot for a plan, and the order,
balances, market and order book for a preview. :func:`rerun` feeds those recorded inputs
back through today's code (the same parser, ``plan_intent``, ``Simulator.preview`` and
policy check the assistant uses) and compares the outcome with what was recorded, field by
field. A difference means the code, the configuration (policy, TTL, default quote) or the
journal changed since; a check that cannot be re-run says why instead of passing.

Nothing here reads a venue or writes anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, NoReturn

from execution.i18n.plans import titled
from execution.journal import Event, canonical_json
from execution.journal import events as ev
from execution.policy import DEFAULT_TIER, Policy
from execution.preview.pipeline import judge
from execution.preview.simulator import CancelPreview, Simulator, preview_cancel
from execution.preview.stop import StopPreview, preview_stop
from execution.session.state import SessionState
from intent.canonical import to_canonical
from intent.dialogue import respond, to_record
from intent.errors import PlanningError
from intent.hybrid import HybridParser
from intent.models import Intent, OrderSpec, StandingOrderRef
from intent.parser import Parser, parse_traced
from intent.planner import plan_intent
from intent.rules import RuleParser

Status = Literal["ok", "difference", "not_rerun"]
ABSENT = "<absent>"  # how a field missing on one side of a comparison is shown
# What every re-run takes as given beyond the journaled inputs (stated with each report).
ASSUMPTIONS = (
    "a parse re-runs through the parser its provenance names, on the dialogue state the "
    "journal folds to before it",
    "a plan re-runs on the intent, balance snapshot and plan number recorded before it, "
    "with the venue symbols its previews recorded (the venue's full list is not journaled)",
    "a preview re-runs on its recorded order, balances, market and book, at the instant it "
    "recorded (created_ms), with the policy, confirmation TTL and default quote in force",
)


@dataclass(frozen=True, slots=True)
class Difference:
    """One field whose re-run value is not the recorded one (JSON values, as journaled)."""

    path: str
    recorded: Any
    rerun: Any

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "recorded": self.recorded, "rerun": self.rerun}


@dataclass(frozen=True, slots=True)
class Check:
    """One recorded result and what re-running it on its recorded inputs gave.

    ``notes`` state what the re-run assumed that the journal did not hold."""

    seq: int
    kind: str
    what: str
    status: Status
    differences: tuple[Difference, ...] = ()
    reason: str | None = None  # why it was not re-run
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "what": self.what,
            "status": self.status,
            "differences": [d.to_json() for d in self.differences],
            "reason": self.reason,
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """Every re-run check of one session, in journal order."""

    session_id: str
    checks: tuple[Check, ...]
    assumptions: tuple[str, ...] = ASSUMPTIONS

    @property
    def ok(self) -> bool:
        """No difference (a check that could not be re-run is not a difference)."""
        return all(c.status != "difference" for c in self.checks)

    @property
    def counts(self) -> dict[Status, int]:
        counts: dict[Status, int] = {"ok": 0, "difference": 0, "not_rerun": 0}
        for check in self.checks:
            counts[check.status] += 1
        return counts

    @property
    def differences(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status == "difference")

    def to_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "ok": self.ok,
            "counts": dict(self.counts),
            "assumptions": list(self.assumptions),
            "checks": [c.to_json() for c in self.checks],
        }


def rerun(
    session_id: str,
    events: Sequence[Event],
    *,
    parsers: Mapping[str, Parser],
    policy: Policy,
    ttl_ms: int,
    default_quote: str,
) -> ReplayReport:
    """Re-run every parse, plan and preview of ``events`` on its recorded inputs.

    ``parsers`` maps a provenance's parser name (``"rules"``, ``"llm"``) to the parser that
    re-runs it; a parse by a parser not in it is reported as not re-run. ``policy``,
    ``ttl_ms`` and ``default_quote`` are the configuration in force, as the assistant has
    it: a re-run under a different one shows the difference that configuration makes."""
    return _Replay(session_id, events, parsers, policy, ttl_ms, default_quote).run()


def parsers_for(configured: Parser) -> dict[str, Parser]:
    """The parsers a replay can use, by provenance name: the rule parser always; the LLM
    only if the app is configured with one (alone, or inside a hybrid parser)."""
    found: dict[str, Parser] = {"rules": RuleParser()}
    if isinstance(configured, HybridParser):
        found.update(rules=configured.rules, llm=configured.llm)
    else:
        found[configured.name] = configured
    return found


def format_report(report: ReplayReport) -> str:
    """The report as the CLI prints it: one line per check, one more per difference."""
    counts = report.counts
    lines = [
        f"re-run: {len(report.checks)} checks: {counts['ok']} ok, "
        f"{counts['difference']} with differences, {counts['not_rerun']} not re-run",
        *(f"  assumes: {assumption}" for assumption in report.assumptions),
    ]
    for check in report.checks:
        if check.status == "ok":
            outcome = "ok"
        elif check.status == "difference":
            outcome = "DIFFERS"
        else:
            outcome = f"not re-run: {check.reason}"
        lines.append(f"  #{check.seq:<4} {check.kind:<16} {check.what:<36} {outcome}")
        for note in check.notes:
            lines.append(f"        note: {note}")
        for diff in check.differences:
            lines.append(
                f"        {diff.path or '(whole)'}: recorded {_short(diff.recorded)}, "
                f"re-run {_short(diff.rerun)}"
            )
    lines.append(
        "re-run verified: no differences"
        if report.ok
        else f"re-run DIFFERS: {counts['difference']} checks"
    )
    return "\n".join(lines)


# --- comparison -----------------------------------------------------------------------


def as_journaled(value: Any) -> Any:
    """``value`` as the journal stores it (JSON data), so the two sides compare exactly."""
    return json.loads(canonical_json(value))


def diff(recorded: Any, rerun: Any, path: str = "") -> Iterator[Difference]:
    """Every leaf where ``rerun`` differs from ``recorded``, with its dotted path; lists
    of different lengths (a warning more, a denial less) are shown whole."""
    if isinstance(recorded, dict) and isinstance(rerun, dict):
        for key in list(recorded) + [k for k in rerun if k not in recorded]:
            sub = f"{path}.{key}" if path else str(key)
            yield from diff(recorded.get(key, ABSENT), rerun.get(key, ABSENT), sub)
    elif isinstance(recorded, list) and isinstance(rerun, list) and len(recorded) == len(rerun):
        for i, (left, right) in enumerate(zip(recorded, rerun, strict=True)):
            yield from diff(left, right, f"{path}[{i}]")
    elif type(recorded) is not type(rerun) or recorded != rerun:
        yield Difference(path, recorded, rerun)


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the re-run -----------------------------------------------------------------------


class _RecordedVenue:
    """Stands in for the venue a preview ran on: only its id is used, never its API."""

    def __init__(self, venue_id: str) -> None:
        self.id = venue_id

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("a replay re-runs on the recorded snapshot; it reads no venue")

    load_markets = market = fetch_ticker = fetch_order_book = fetch_balance = _refuse
    create_order = cancel_order = fetch_order = fetch_open_orders = fetch_my_trades = _refuse
    amount_to_precision = price_to_precision = _refuse


@dataclass
class _Seen:
    """What the events before the current one recorded, as the re-run needs it."""

    state: SessionState
    message: str | None = None  # the text of the latest message_received
    intent: dict[str, Any] | None = None  # the latest parse's effective result
    markets: dict[str, set[str]] = field(default_factory=dict)  # plan_id → previewed symbols


class _Replay:
    def __init__(
        self,
        session_id: str,
        events: Sequence[Event],
        parsers: Mapping[str, Parser],
        policy: Policy,
        ttl_ms: int,
        default_quote: str,
    ) -> None:
        self.session_id = session_id
        self.events = events
        self.parsers = parsers
        self.policy = policy
        self.ttl_ms = ttl_ms
        self.default_quote = default_quote

    def run(self) -> ReplayReport:
        seen = _Seen(SessionState(self.session_id))
        # The markets a plan's previews recorded: the symbols its re-plan may use.
        read: list[tuple[Event, ev.AnyPayload | Exception]] = []
        for event in self.events:
            try:
                read.append((event, ev.parse_payload(event.kind, event.payload)))
            except ValueError as exc:  # pydantic's ValidationError names the key
                read.append((event, exc))
        for _, payload in read:
            if isinstance(payload, ev.StepPreviewed) and payload.market is not None:
                symbol = payload.market.get("symbol")
                if isinstance(symbol, str):
                    seen.markets.setdefault(payload.plan_id, set()).add(symbol)
        checks: list[Check] = []
        for event, payload in read:
            if isinstance(payload, Exception):  # a malformed entry is a finding, not a crash
                checks.append(_raised(event, f"read its {event.kind} payload", payload))
                continue
            try:
                check = self._rerun(event, payload, seen)
            except Exception as exc:
                checks.append(_raised(event, _WHAT.get(event.kind, event.kind), exc))
            else:
                if check is not None:
                    checks.append(check)
            try:
                if isinstance(payload, ev.MessageReceived):
                    seen.message = payload.text
                elif isinstance(payload, ev.IntentParsed):
                    seen.intent = _effective(payload)
                seen.state.apply(event)
            except Exception as exc:
                checks.append(_raised(event, "fold into the session state", exc))
        return ReplayReport(self.session_id, tuple(checks))

    def _rerun(self, event: Event, payload: ev.AnyPayload, seen: _Seen) -> Check | None:
        """Re-run what ``event`` records, if it records a computation (None if not)."""
        match payload:
            case ev.IntentParsed():
                return self._parse(event, payload, seen)
            case ev.PlanCreated():
                return self._plan(event, payload, seen)
            case ev.PlanningFailed():
                return _not_rerun(
                    event,
                    "plan",
                    "planning failed; the balances and markets it saw are not journaled",
                )
            case ev.StepPreviewed():
                return self._preview(event, payload)
        return None

    # parse --------------------------------------------------------------------------

    def _parse(self, event: Event, p: ev.IntentParsed, seen: _Seen) -> Check:
        text = seen.message
        what = "parse" if text is None else f"parse {_quote(text)}"
        if text is None:
            return _not_rerun(event, what, "no message_received precedes it")
        provenance = p.provenance or {}
        name = str(provenance.get("parser"))
        parser = self.parsers.get(name)
        if parser is None:
            by = provenance.get("model") or f"the {name!r} parser"
            missing = "no LLM is configured" if name == "llm" else f"no {name!r} parser here"
            return _not_rerun(event, what, f"parsed by {by}; {missing}")
        # As Assistant.handle_message does, on the state the journal folds to before it.
        raw, rerun_provenance = parse_traced(parser, text)
        outcome = respond(seen.state.dialogue, text, raw)
        result = outcome.result
        payload: dict[str, Any] = {
            "provenance": {"parser": rerun_provenance.parser, "version": rerun_provenance.version},
            "result": raw.model_dump(mode="json"),
        }
        record = to_record(seen.state.dialogue, outcome)
        if record is not None:
            payload["dialogue"] = record
        payload["canonical"] = to_canonical(raw if result is None else result)
        recorded = {
            "provenance": {
                "parser": provenance.get("parser", ABSENT),
                "version": provenance.get("version", ABSENT),
            },
            "result": p.result,
            "dialogue": _given(p, "dialogue"),
            "canonical": p.canonical,
        }
        payload.setdefault("dialogue", ABSENT)
        return _compared(event, what, recorded, payload)

    # plan ---------------------------------------------------------------------------

    def _plan(self, event: Event, p: ev.PlanCreated, seen: _Seen) -> Check:
        recorded_plan = p.plan
        plan_id = f"p{len(seen.state.plans) + 1}"  # as the assistant numbers plans
        what = f"plan {recorded_plan.get('plan_id', plan_id)}"
        if seen.intent is None or seen.intent.get("kind") != "intent":
            return _not_rerun(event, what, "no parsed intent precedes it")
        symbols = seen.markets.get(str(recorded_plan.get("plan_id")), set())
        unseen = sorted({s["order"]["symbol"] for s in recorded_plan.get("steps", ())} - symbols)
        if seen.intent.get("action") == "cancel":
            # a cancel is planned on the open orders (a stop: the standing orders) it
            # journaled, not on markets
            unseen = []
        if unseen:
            return _not_rerun(
                event, what, f"no preview journaled the market of {', '.join(unseen)}"
            )
        intent = Intent.model_validate(seen.intent)
        balances = {ccy: Decimal(v) for ccy, v in p.balances_snapshot.items()}
        try:
            plan = plan_intent(
                intent,
                plan_id=plan_id,
                symbols=symbols,
                balances=balances,
                default_quote=self.default_quote,
                open_orders=p.open_orders or (),
                standing=[StandingOrderRef.model_validate(r) for r in p.standing_orders or ()],
            )
        except PlanningError as exc:
            return _check(event, what, [Difference("plan", "a plan", f"planning failed: {exc}")])
        shown = titled(plan, seen.state.language)  # as the customer was shown it
        return _compared(event, what, {"plan": recorded_plan}, {"plan": shown})

    # preview ------------------------------------------------------------------------

    def _cancel_preview(
        self, event: Event, what: str, p: ev.StepPreviewed, cancel: ev.CancelTarget
    ) -> Check:
        """A cancel step's preview: re-made from the order it names, as recorded."""
        recorded_preview = p.preview
        preview = preview_cancel(
            p.step_id,
            cancel.order_id,
            OrderSpec.model_validate(p.order),
            policy_version=self.policy.version,
            now_ms=int(recorded_preview["created_ms"]),
            ttl_ms=self.ttl_ms,
        )
        return _compared_preview(event, what, p, preview)

    def _stop_preview(
        self, event: Event, what: str, p: ev.StepPreviewed, stop: ev.StopTarget
    ) -> Check:
        """A stop step's preview: re-made from the standing order it names, as recorded
        (its state and orders placed were read from that order's session)."""
        recorded_preview = p.preview
        preview = preview_stop(
            p.step_id,
            session_id=stop.session_id,
            target_step_id=stop.step_id,
            description=str(recorded_preview["description"]),
            symbol=str(recorded_preview["symbol"]),
            state=str(recorded_preview["state"]),
            orders_placed=int(recorded_preview["orders_placed"]),
            orders_total=int(recorded_preview["orders_total"]),
            policy_version=self.policy.version,
            now_ms=int(recorded_preview["created_ms"]),
            ttl_ms=self.ttl_ms,
        )
        return _compared_preview(event, what, p, preview)

    def _preview(self, event: Event, p: ev.StepPreviewed) -> Check:
        step_id = p.step_id
        what = f"preview {step_id}"
        if p.repreview is not None:
            what += " again at confirmation"  # the fresh preview the order was sent on
        recorded_preview = p.preview
        if p.cancel is not None:
            return self._cancel_preview(event, what, p, p.cancel)
        if p.stop is not None:
            return self._stop_preview(event, what, p, p.stop)
        inputs = ("order", "balances", "market", "book")
        absent = [k for k in inputs if getattr(p, k) is None]
        if absent or p.order is None or p.balances is None or p.market is None or p.book is None:
            return _not_rerun(event, what, f"its inputs were not journaled: {', '.join(absent)}")
        order = OrderSpec.model_validate(p.order)
        book = p.book
        side = "asks" if order.side == "buy" else "bids"
        had = int(recorded_preview["assumptions"]["book_levels"])
        if len(book[side]) < had:
            return _not_rerun(
                event,
                what,
                f"the journal holds the top {len(book[side])} of the {had} {side} levels "
                "the preview had",
            )
        notes: list[str] = []
        venue_id = p.venue
        if venue_id is None:
            venue_id = recorded_preview["assumptions"]["venue"]
            notes.append("venue id: taken from the recorded preview (not journaled then)")
        recorded_ttl = int(recorded_preview["expires_ms"]) - int(recorded_preview["created_ms"])
        if recorded_ttl != self.ttl_ms:
            notes.append(f"confirmation TTL: {self.ttl_ms} ms now, {recorded_ttl} ms recorded")
        if p.policy_version != self.policy.version:
            notes.append(f"policy: {self.policy.version} in force, {p.policy_version} recorded")
        simulator = Simulator(
            _RecordedVenue(str(venue_id)), policy_version=self.policy.version, ttl_ms=self.ttl_ms
        )
        balances = {ccy: Decimal(v) for ccy, v in p.balances.items()}
        recorded_used = Decimal(p.used_today or "0")
        preview, decision, _ = judge(
            simulator,
            self.policy,
            step_id,
            order,
            balances,
            int(recorded_preview["created_ms"]),
            market=p.market,
            book=book,
            mandate=p.mandate_model(),
            tier=p.tier or DEFAULT_TIER,
            used_today=lambda preview: recorded_used,
        )
        rerun_payload = {
            "preview": preview,
            "preview_hash": preview.digest(),
            "expires_ms": preview.expires_ms,
            "policy_version": preview.policy_version,
            "blocked": preview.blocked,
            "policy": decision,
        }
        recorded = {k: _given(p, k) for k in rerun_payload}
        return _compared(event, what, recorded, rerun_payload, tuple(notes))


_WHAT = {
    ev.INTENT_PARSED: "parse",
    ev.PLAN_CREATED: "plan",
    ev.PLANNING_FAILED: "plan",
    ev.STEP_PREVIEWED: "preview",
}


def _compared_preview(
    event: Event, what: str, p: ev.StepPreviewed, preview: CancelPreview | StopPreview
) -> Check:
    """A cancel's or a stop's re-made preview against the one journaled: the preview, its
    hash, its expiry and the policy version it was made under."""
    rerun_payload = {
        "preview": preview,
        "preview_hash": preview.digest(),
        "expires_ms": preview.expires_ms,
        "policy_version": preview.policy_version,
    }
    recorded = {k: _given(p, k) for k in rerun_payload}
    return _compared(event, what, recorded, rerun_payload, ())


def _effective(payload: ev.IntentParsed) -> dict[str, Any] | None:
    """The parse result the assistant acted on: the dialogue's merge, if there was one."""
    dialogue = payload.dialogue
    effective = payload.result if dialogue is None else dialogue.get("result")
    return None if effective is None else dict(effective)


def _given(payload: ev.Payload, key: str) -> Any:
    """The value recorded under ``key``, or ABSENT if the entry has no such key (a key
    stored as null is None)."""
    return getattr(payload, key) if key in payload.model_fields_set else ABSENT


def _quote(text: str, limit: int = 28) -> str:
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def _dumped(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dumped(v) for k, v in value.items()}
    dump = getattr(value, "model_dump", None)
    return dump(mode="json") if dump is not None else value


def _compared(
    event: Event,
    what: str,
    recorded: Mapping[str, Any],
    rerun: Mapping[str, Any],
    notes: Sequence[str] = (),
) -> Check:
    found = list(diff(as_journaled(dict(recorded)), as_journaled(_dumped(dict(rerun)))))
    return _check(event, what, found, notes)


def _check(
    event: Event, what: str, differences: Sequence[Difference], notes: Sequence[str] = ()
) -> Check:
    status: Status = "difference" if differences else "ok"
    return Check(event.seq, event.kind, what, status, tuple(differences), None, tuple(notes))


def _not_rerun(event: Event, what: str, reason: str) -> Check:
    return Check(event.seq, event.kind, what, "not_rerun", reason=reason)


def _raised(event: Event, what: str, exc: Exception) -> Check:
    found = f"raised {type(exc).__name__}: {exc}"
    return Check(
        event.seq,
        event.kind,
        what,
        "difference",
        (Difference("(re-run)", "recorded without error", found),),
    )


__all__ = [
    "Check",
    "Difference",
    "ReplayReport",
    "as_journaled",
    "diff",
    "format_report",
    "parsers_for",
    "rerun",
]
