"""Replay re-runs parse, plan and preview on a real session's recorded inputs."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from execution.actors import Actor
from execution.assistant import Assistant
from execution.checkpoints import Checkpoints
from execution.clock import ManualClock
from execution.journal import Event, SQLiteJournal
from execution.journal import events as ev
from execution.policy import Policy
from execution.session.replay import (
    ABSENT,
    Check,
    Difference,
    ReplayReport,
    diff,
    format_report,
    parsers_for,
    rerun,
)
from execution.venues.sandbox import MarketCatalog, SandboxExchange
from intent.hybrid import HybridParser
from intent.llm import LLMParser, LLMSettings
from intent.models import Amount, Intent
from intent.parser import ParseOutput, Parser, Provenance, parse_traced
from intent.rules import RuleParser

ALICE = Actor("alice", "customer", "chat")
TTL_MS = 30_000
BALANCES = {"USDT": Decimal(100_000), "BTC": Decimal(1), "ETH": Decimal(4), "SOL": Decimal(0)}


class Session:
    """An Assistant on a sandbox venue and a SQLite journal, driven like the chat does."""

    def __init__(
        self,
        tmp_path: Path,
        clock: ManualClock,
        *,
        parser: Parser | None = None,
        depth: int | None = None,
        policy: Policy | None = None,
    ) -> None:
        self.clock = clock
        self.journal = SQLiteJournal(tmp_path / "journal.db", clock)
        self.venue = SandboxExchange(
            MarketCatalog.default(), balances=BALANCES, clock=clock, seed=11, depth=depth
        )
        self.policy = policy or Policy()
        self.assistant = Assistant(
            journal=self.journal,
            parser=parser or RuleParser(),
            venue_for=lambda user_id: self.venue,
            checkpoints=Checkpoints(b"replay-test-key-of-32-bytes!!!!!"),
            policy=self.policy,
            clock=clock,
            confirmation_ttl_ms=TTL_MS,
        )
        self.id = self.assistant.open_session(ALICE)

    def say(self, text: str) -> Any:
        self.clock.advance(1_000)
        return self.assistant.handle_message(self.id, ALICE, text)

    def confirm(self, step_id: str, token: str) -> Any:
        self.clock.advance(1_000)
        return self.assistant.confirm_step(self.id, step_id, ALICE, token)

    def events(self) -> list[Event]:
        return self.journal.read(self.id)

    def close(self) -> None:
        self.journal.close()


@pytest.fixture
def session(tmp_path: Path, clock: ManualClock) -> Iterator[Session]:
    built = Session(tmp_path, clock)
    yield built
    built.close()


def _rerun(
    events: list[Event],
    *,
    parsers: dict[str, Parser] | None = None,
    policy: Policy | None = None,
    ttl_ms: int = TTL_MS,
) -> ReplayReport:
    return rerun(
        "s",
        events,
        parsers={"rules": RuleParser()} if parsers is None else parsers,
        policy=policy or Policy(),
        ttl_ms=ttl_ms,
        default_quote="USDT",
    )


def _conversation(session: Session) -> None:
    """A clarification answered, a two-step convert confirmed, a share of a balance sold,
    a dropped question, a query and a request that cannot be planned."""
    asked = session.say("buy some bitcoin")
    assert asked.result == "clarification"
    answered = session.say("0.01")
    (pending,) = answered.pending
    session.confirm(pending.step_id, pending.token)

    convert = session.say("convert 1 ETH to SOL")
    assert [s.order.symbol for s in convert.plan.steps] == ["ETH/USDT", "SOL/USDT"]
    _, updates = session.confirm(convert.pending[0].step_id, convert.pending[0].token)
    (second,) = updates
    assert second.pending is not None  # re-previewed on what the first order yielded
    session.confirm(second.pending.step_id, second.pending.token)

    session.say("sell half my ETH")
    session.say("sell some")
    session.say("never mind")
    session.say("how much ETH do I have")
    session.say("buy 1000 PEPE")  # understood, but not listed on this venue


def _edited(events: list[Event], seq: int, edit: Callable[[dict[str, Any]], None]) -> list[Event]:
    """A copy of ``events`` with entry ``seq``'s payload changed by ``edit``."""
    payload = copy.deepcopy(dict(events[seq].payload))
    edit(payload)
    copied = list(events)
    copied[seq] = dataclasses.replace(events[seq], payload=payload)
    return copied


def _seq(events: list[Event], kind: str, nth: int = 0, **match: Any) -> int:
    found = [
        e.seq
        for e in events
        if e.kind == kind and all(e.payload.get(k) == v for k, v in match.items())
    ]
    return found[nth]


def _check(report: ReplayReport, seq: int) -> Check:
    (check,) = [c for c in report.checks if c.seq == seq]
    return check


def _paths(check: Check) -> set[str]:
    return {d.path for d in check.differences}


# --- a faithful session replays with no difference -----------------------------------


def test_a_real_session_replays_with_no_difference(session: Session) -> None:
    _conversation(session)
    events = session.events()

    report = _rerun(events)

    assert report.ok, format_report(report)
    parses = [c for c in report.checks if c.kind == ev.INTENT_PARSED]
    assert len(parses) == sum(e.kind == ev.MESSAGE_RECEIVED for e in events) == 8
    assert all(c.status == "ok" for c in parses)
    plans = [c.what for c in report.checks if c.kind == ev.PLAN_CREATED]
    assert plans == ["plan p1", "plan p2", "plan p3"]
    previews = [c.what for c in report.checks if c.kind == ev.STEP_PREVIEWED]
    # The convert's second step: once while it waits, once on what the first yielded.
    assert previews == [
        "preview p1.1",
        "preview p2.1",
        "preview p2.2",
        "preview p2.2",
        "preview p3.1",
    ]
    assert all(c.status == "ok" for c in report.checks if c.kind != ev.PLANNING_FAILED)
    (failed,) = [c for c in report.checks if c.status == "not_rerun"]
    assert failed.kind == ev.PLANNING_FAILED
    assert "not journaled" in (failed.reason or "")
    assert report.counts == {"ok": 16, "difference": 0, "not_rerun": 1}


def test_the_fresh_preview_an_order_was_sent_on_replays_too(session: Session) -> None:
    (pending,) = session.say("buy 0.01 BTC").pending
    session.venue.create_order("ETH/USDT", "market", "buy", 0.5)  # the balance changes
    step, _ = session.confirm(pending.step_id, pending.token)
    assert step.sent_preview_hash is not None  # sent on a fresh preview, no requote
    events = session.events()

    report = _rerun(events)

    assert report.ok, format_report(report)
    fresh = _check(report, _seq(events, ev.STEP_PREVIEWED, 1))
    assert (fresh.what, fresh.status) == ("preview p1.1 again at confirmation", "ok")
    # A fresh preview that does not re-run to what was journaled is a difference.
    edited = _edited(events, fresh.seq, lambda payload: payload["balances"].update({"USDT": "1"}))
    assert "preview.balances_before.USDT" in _paths(_check(_rerun(edited), fresh.seq))


def test_the_dialogue_merge_is_re_run_on_the_folded_pending_question(
    session: Session,
) -> None:
    session.say("buy some bitcoin")
    session.say("0.01")
    events = session.events()
    reply = _seq(events, ev.INTENT_PARSED, 1)
    assert events[reply].payload["dialogue"]["outcome"] == "answered"

    assert _check(_rerun(events), reply).status == "ok"
    # Without the pending question the reply alone means something else: the merge matters.
    first = _seq(events, ev.INTENT_PARSED, 0)
    unasked = _edited(events, first, lambda p: p.update(result=p["result"] | {"kind": "x"}))
    check = _check(_rerun(unasked), reply)
    assert check.status == "difference"
    assert "dialogue" in _paths(check)


def test_a_policy_denial_replays_through_the_same_policy_check(session: Session) -> None:
    turn = session.say("buy 1 BTC")  # about 65,000 USDT: over the 50,000 per-order cap
    assert not turn.pending
    events = session.events()
    previewed = _seq(events, ev.STEP_PREVIEWED)
    assert events[previewed].payload["policy"]["allowed"] is False

    assert _rerun(events).ok

    # A different policy in force shows what it changes, named.
    stricter = Policy(version="stricter", allowed_assets=frozenset({"ETH", "USDT"}))
    check = _check(_rerun(events, policy=stricter), previewed)
    assert check.status == "difference"
    assert {"policy_version", "policy.policy_version", "preview_hash"} <= _paths(check)
    (denials,) = [d for d in check.differences if d.path == "policy.denials"]
    assert [d["code"] for d in denials.recorded] == ["NOTIONAL_EXCEEDS_MAX_PER_ORDER"]
    assert [d["code"] for d in denials.rerun] == [
        "ASSET_NOT_ALLOWED",
        "NOTIONAL_EXCEEDS_MAX_PER_ORDER",
    ]
    assert "policy: stricter in force, " in " ".join(check.notes)


# --- the book a preview walked is all in the journal ---------------------------------


def test_a_preview_walking_more_than_twenty_levels_replays_exactly(
    tmp_path: Path, clock: ManualClock
) -> None:
    deep = Session(tmp_path, clock, depth=40)
    try:
        turn = deep.say("buy 40 BTC")  # more than the top 20 asks hold
        events = deep.events()
    finally:
        deep.close()
    assert turn.preview["steps"][0]["levels"] > 20  # past what a top-20 book would hold
    previewed = _seq(events, ev.STEP_PREVIEWED)
    assert len(events[previewed].payload["book"]["asks"]) == 40

    assert _rerun(events).ok

    # A journal holding only the top 20 levels cannot re-run it, and says so.
    def truncate(payload: dict[str, Any]) -> None:
        payload["book"]["asks"] = payload["book"]["asks"][:20]

    check = _check(_rerun(_edited(events, previewed, truncate)), previewed)
    assert check.status == "not_rerun"
    assert check.reason == "the journal holds the top 20 of the 40 asks levels the preview had"


# --- a changed input is a named difference -------------------------------------------


def test_a_tampered_book_is_a_named_difference(session: Session) -> None:
    session.say("buy 0.01 BTC")
    events = session.events()
    previewed = _seq(events, ev.STEP_PREVIEWED)
    best_ask = events[previewed].payload["book"]["asks"][0][0]

    def cheaper(payload: dict[str, Any]) -> None:
        payload["book"]["asks"][0][0] = best_ask - 100

    check = _check(_rerun(_edited(events, previewed, cheaper)), previewed)

    assert check.status == "difference"
    recorded = events[previewed].payload["preview"]["best_ask"]
    assert Difference("preview.best_ask", recorded, str(Decimal(str(best_ask - 100)))) in (
        check.differences
    )
    assert {"preview.average_price", "preview.mid_price", "preview_hash"} <= _paths(check)


def test_tampered_balances_are_named_differences(session: Session) -> None:
    session.say("sell half my ETH")
    events = session.events()
    planned = _seq(events, ev.PLAN_CREATED)
    previewed = _seq(events, ev.STEP_PREVIEWED)

    def richer_plan(payload: dict[str, Any]) -> None:
        payload["balances_snapshot"]["ETH"] = "6.0"

    plan = _check(_rerun(_edited(events, planned, richer_plan)), planned)
    assert plan.status == "difference"
    assert events[planned].payload["balances_snapshot"]["ETH"] == "4.0"
    assert Difference("plan.steps[0].order.amount", "2.0", "3.0") in plan.differences
    assert any(path.startswith("plan.notes[") for path in _paths(plan))

    def richer_preview(payload: dict[str, Any]) -> None:
        payload["balances"]["ETH"] = "6.0"

    preview = _check(_rerun(_edited(events, previewed, richer_preview)), previewed)
    assert preview.status == "difference"
    assert Difference("preview.balances_before.ETH", "4.0", "6.0") in preview.differences
    assert "preview.balances_after.ETH" in _paths(preview)


def test_an_input_that_cannot_be_re_run_is_a_difference_not_a_crash(session: Session) -> None:
    session.say("buy 0.01 BTC")
    events = session.events()
    previewed = _seq(events, ev.STEP_PREVIEWED)

    def empty(payload: dict[str, Any]) -> None:
        payload["book"]["bids"] = []  # a buy walks the asks, but needs a bid for the mid

    report = _rerun(_edited(events, previewed, empty))

    check = _check(report, previewed)
    assert check.status == "difference"
    (found,) = check.differences
    assert found.path == "(re-run)"
    assert "order book of 'BTC/USDT' is empty" in found.rerun
    assert not report.ok


def test_a_changed_configuration_is_a_named_difference(session: Session) -> None:
    session.say("buy 0.01 BTC")
    events = session.events()
    previewed = _seq(events, ev.STEP_PREVIEWED)

    check = _check(_rerun(events, ttl_ms=60_000), previewed)

    recorded = events[previewed].payload["expires_ms"]
    assert Difference("expires_ms", recorded, recorded + 30_000) in check.differences
    assert "confirmation TTL: 60000 ms now, 30000 ms recorded" in check.notes


# --- parsers ----------------------------------------------------------------------------


class DoublingParser:
    """The rule parser with a bug: it doubles every amount."""

    name = "rules"

    def __init__(self, version: str = RuleParser.version) -> None:
        self.version = version

    def parse(self, text: str) -> ParseOutput:
        result = RuleParser().parse(text)
        if isinstance(result, Intent) and result.amount is not None:
            amount = Amount(value=result.amount.value * 2, unit=result.amount.unit)
            return result.model_copy(update={"amount": amount})
        return result


def test_a_changed_parser_behaviour_is_detected(session: Session) -> None:
    session.say("buy 0.01 BTC")
    session.say("how much ETH do I have")
    events = session.events()
    buy, query = _seq(events, ev.INTENT_PARSED, 0), _seq(events, ev.INTENT_PARSED, 1)

    report = _rerun(events, parsers={"rules": DoublingParser()})

    check = _check(report, buy)
    assert check.status == "difference"
    assert Difference("result.amount.value", "0.01", "0.02") in check.differences
    assert Difference("canonical.amount.value", 0.01, 0.02) in check.differences
    assert _check(report, query).status == "ok"  # no amount: the bug does not show
    assert not report.ok

    versioned = _check(_rerun(events, parsers={"rules": DoublingParser("9.9.9")}), query)
    assert versioned.differences == (Difference("provenance.version", RuleParser.version, "9.9.9"),)


class RecordedLLM:
    """Stands in for an LLM parser: answers with the rule parser's result, as an LLM."""

    name = "llm"
    version = "1.0.0"

    def parse(self, text: str) -> ParseOutput:
        return self.parse_traced(text)[0]

    def parse_traced(self, text: str) -> tuple[ParseOutput, Provenance]:
        result, _ = parse_traced(RuleParser(), text)
        provenance = Provenance(
            parser="llm", version=self.version, model="qwen-test", prompt_version="intent-v1"
        )
        return result, provenance


def test_an_llm_parse_is_not_re_run_without_an_llm(tmp_path: Path, clock: ManualClock) -> None:
    by_llm = Session(tmp_path, clock, parser=RecordedLLM())
    try:
        by_llm.say("buy 0.01 BTC")
        events = by_llm.events()
    finally:
        by_llm.close()
    parsed = _seq(events, ev.INTENT_PARSED)

    without = _rerun(events)
    check = _check(without, parsed)
    assert check.status == "not_rerun"
    assert check.reason == "parsed by qwen-test; no LLM is configured"
    assert without.ok  # not re-run is said, and is not a difference
    assert all(c.status == "ok" for c in without.checks if c.seq != parsed)

    with_llm = _rerun(events, parsers={"rules": RuleParser(), "llm": RecordedLLM()})
    assert _check(with_llm, parsed).status == "ok"


def test_parsers_for_offers_the_llm_only_when_one_is_configured() -> None:
    rules = RuleParser()
    llm = LLMParser(LLMSettings(base_url="http://127.0.0.1:9/v1", model="m"))
    hybrid = HybridParser(llm, rules)

    assert set(parsers_for(rules)) == {"rules"}
    assert parsers_for(hybrid) == {"rules": rules, "llm": llm}
    found = parsers_for(llm)
    assert found["llm"] is llm
    assert isinstance(found["rules"], RuleParser)


# --- the comparison and the report ----------------------------------------------------


def test_diff_names_each_differing_leaf() -> None:
    recorded = {"a": {"b": "1", "c": [1, 2], "d": [0, {"e": 1}]}, "gone": True, "n": 1}
    rerun_value = {"a": {"b": "2", "c": [1], "d": [0, {"e": 2}]}, "new": None, "n": 1.0}

    found = list(diff(recorded, rerun_value))

    assert found == [
        Difference("a.b", "1", "2"),
        Difference("a.c", [1, 2], [1]),  # a different length: shown whole
        Difference("a.d[1].e", 1, 2),
        Difference("gone", True, ABSENT),
        Difference("n", 1, 1.0),  # 1 and 1.0 hash differently: not the same record
        Difference("new", ABSENT, None),
    ]
    assert list(diff(recorded, copy.deepcopy(recorded))) == []


def test_the_report_reads_as_json_and_as_text(session: Session) -> None:
    session.say("buy 0.01 BTC")
    events = session.events()
    previewed = _seq(events, ev.STEP_PREVIEWED)

    def richer(payload: dict[str, Any]) -> None:
        payload["balances"]["USDT"] = "1"

    report = _rerun(_edited(events, previewed, richer))
    data = report.to_json()
    text = format_report(report)

    assert data["ok"] is False
    assert data["counts"] == {"ok": 2, "difference": 1, "not_rerun": 0}
    (bad,) = [c for c in data["checks"] if c["status"] == "difference"]
    assert bad["seq"] == previewed
    assert {"path": "preview.balances_before.USDT", "recorded": "100000.0", "rerun": "1"} in (
        bad["differences"]
    )
    assert f"#{previewed:<4} step_previewed   preview p1.1" in text
    assert 'preview.balances_before.USDT: recorded "100000.0", re-run "1"' in text
    assert text.endswith("re-run DIFFERS: 1 checks")


def test_a_cancel_replays_on_the_open_orders_it_was_planned_on(session: Session) -> None:
    placed = session.say("buy 0.01 BTC at 55000")
    session.confirm(placed.pending[0].step_id, placed.pending[0].token)
    cancel = session.say("cancel my BTC order")
    session.confirm(cancel.pending[0].step_id, cancel.pending[0].token)
    events = session.events()

    report = _rerun(events)

    assert report.ok, format_report(report)
    checked = [(c.what, c.status) for c in report.checks if c.kind != ev.INTENT_PARSED]
    assert checked == [
        ("plan p1", "ok"),
        ("preview p1.1", "ok"),
        ("plan p2", "ok"),
        ("preview p2.1", "ok"),
    ]
    # A tampered open-order snapshot is named.
    plan = next(e for e in events if e.kind == ev.PLAN_CREATED and "open_orders" in e.payload)
    tampered = copy.deepcopy(plan.payload)
    tampered["open_orders"][0]["remaining"] = 0.02
    edited = [dataclasses.replace(e, payload=tampered) if e is plan else e for e in events]
    assert not _rerun(edited).ok
