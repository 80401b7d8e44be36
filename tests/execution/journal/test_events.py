"""The typed payload models of the session journal (execution/journal/events.py).

Every payload the assistant writes today, through the real flows on the sandbox, validates
as the model of its kind and comes back from ``to_json()`` byte for byte (the hash chain
covers its canonical JSON); the run must write every kind. Older journals' shapes validate
too, and a payload missing a key or holding a mistyped one is refused by name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import ccxt
import pytest
from pydantic import BaseModel, ValidationError

from execution.actors import Actor
from execution.assistant import PendingConfirmation
from execution.clock import ManualClock
from execution.errors import ConfirmationRefused, RequoteRequired
from execution.journal import Event, SQLiteJournal, canonical_json, events
from execution.journal import events as ev
from execution.journal.events import (
    EVENT_KINDS,
    PAYLOAD_MODELS,
    OrderSubmitted,
    StepConfirmed,
    StepPreviewed,
    parse_payload,
)
from execution.policy.limits import SQLiteLimitLedger
from execution.venues.protocol import Venue
from execution.venues.sandbox import MarketCatalog, SandboxMarket
from tests.execution.assistant.support import ALICE, Accounts, MovablePrices, make_assistant


class Flaky:
    """A venue proxy whose named methods raise the given ccxt error, once each."""

    def __init__(self, venue: Venue) -> None:
        self._venue = venue
        self.fail: dict[str, Exception] = {}

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._venue, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            error = self.fail.pop(name, None)
            if error is not None:
                raise error
            return attr(*args, **kwargs)

        return call


@pytest.fixture
def journal(tmp_path: Path, clock: ManualClock) -> SQLiteJournal:
    return SQLiteJournal(tmp_path / "journal.sqlite3", clock, synchronous="NORMAL")


@pytest.fixture
def prices() -> MovablePrices:
    return MovablePrices(MarketCatalog.default())


@pytest.fixture
def accounts(clock: ManualClock, prices: MovablePrices) -> Accounts:
    return Accounts(clock, SandboxMarket(MarketCatalog.default(), seed=7, prices=prices))


class Flows:
    """The assistant's flows, each on a session of its own, on one journal."""

    def __init__(
        self,
        journal: SQLiteJournal,
        accounts: Accounts,
        clock: ManualClock,
        prices: MovablePrices,
        ledger: SQLiteLimitLedger,
    ) -> None:
        self.journal, self.clock, self.prices = journal, clock, prices
        self.venue = Flaky(accounts(ALICE.user_id))
        self.assistant = make_assistant(journal, lambda user: self.venue, clock, limits=ledger)

    def ask(self, text: str, session: str | None = None) -> tuple[str, list[PendingConfirmation]]:
        session = session or self.assistant.open_session(ALICE)
        return session, list(self.assistant.handle_message(session, ALICE, text).pending)

    def confirm(self, session: str, pending: PendingConfirmation) -> str:
        step, _ = self.assistant.confirm_step(session, pending.step_id, ALICE, pending.token)
        return step.state

    def move(self, symbol: str, factor: str, after_ms: int = 1_000) -> None:
        self.prices.factor[symbol] = Decimal(factor)
        self.clock.advance(after_ms)

    def run_all(self) -> None:
        a = self.assistant
        # A market buy, confirmed and filled (a daily reservation is journaled with it).
        session, (buy,) = self.ask("buy 0.01 BTC")
        assert self.confirm(session, buy) == "filled"
        # A limit order that rests, then fills: reconciliation records the update.
        session, (limit,) = self.ask("buy 0.01 BTC at 55000")
        assert self.confirm(session, limit) == "open"
        self.move("BTC/USDT", "0.8")
        assert a.reconcile().settled == [f"{session}/{limit.step_id}: filled"]
        self.move("BTC/USDT", "1")
        # A resting order canceled by a cancel step (no clientOrderId: nothing is placed).
        session, (resting,) = self.ask("buy 0.01 BTC at 55000")
        assert self.confirm(session, resting) == "open"
        _, (cancel,) = self.ask("cancel my BTC order", session)
        assert self.confirm(session, cancel) == "done"
        # A cancel of an order that filled meanwhile: failed, with the order found.
        session, (resting,) = self.ask("buy 0.01 BTC at 55000")
        assert self.confirm(session, resting) == "open"
        _, (cancel,) = self.ask("cancel my BTC order", session)
        self.move("BTC/USDT", "0.8")
        assert self.confirm(session, cancel) == "failed"
        self.move("BTC/USDT", "1")
        # A rejection, then a refused confirmation of the rejected step.
        session, (rejected,) = self.ask("buy 0.01 BTC")
        a.reject_step(session, rejected.step_id, ALICE)
        with pytest.raises(ConfirmationRefused):
            self.confirm(session, rejected)
        # A requote: the price moved beyond tolerance before the confirmation.
        session, (moved,) = self.ask("buy 0.01 BTC")
        self.move("BTC/USDT", "1.01")
        with pytest.raises(RequoteRequired):
            self.confirm(session, moved)
        self.move("BTC/USDT", "1")
        # A fresh preview at confirmation: the balance changed, the order is still funded.
        session, (funded,) = self.ask("buy 0.01 BTC")
        self.venue.create_order("ETH/USDT", "market", "buy", 0.1)
        assert self.confirm(session, funded) == "filled"
        # A policy denial: above the default tier's per-order cap.
        session, pending = self.ask("buy 2 BTC")
        assert pending == []
        # A planning failure: understood, but not listed on this venue.
        self.ask("buy 1000 PEPE")
        # A preview failure: the venue's book cannot be read.
        self.venue.fail["fetch_order_book"] = ccxt.NetworkError("book unavailable")
        self.ask("buy 0.01 BTC")
        # An order whose fate is unknown: the send times out and so does the lookup.
        session, (unknown,) = self.ask("buy 0.01 ETH")
        self.venue.fail["create_order"] = ccxt.RequestTimeout("send timed out")
        self.venue.fail["fetch_order"] = ccxt.NetworkError("lookup failed")
        assert self.confirm(session, unknown) == "submitted"
        self.clock.advance(60_000)
        a.reconcile()
        # A mandate armed, then its order added, sent and the mandate ended.
        session, (mandate,) = self.ask("buy 0.01 BTC if it drops below 60k")
        assert self.confirm(session, mandate) == "armed"
        self.move("BTC/USDT", "0.915", after_ms=60_000)
        a.run_mandates()
        self.clock.advance(60_000)
        a.run_mandates()
        assert a.state(session, ALICE).steps[mandate.step_id].state == "done"
        self.move("BTC/USDT", "1")
        # A mandate paused: the price gapped through its band.
        session, (gap,) = self.ask("sell 0.01 BTC if it drops below 60k")
        self.confirm(session, gap)
        self.move("BTC/USDT", "0.77")
        a.run_mandates()
        assert a.state(session, ALICE).steps[gap.step_id].state == "paused"
        self.move("BTC/USDT", "1")
        # A bracket: one exit fires and supersedes the other.
        session, bracket = self.ask("buy 0.01 BTC with take profit at 70k and stop loss at 60k")
        for each in bracket:
            self.confirm(session, each)
        self.move("BTC/USDT", "1.08", after_ms=60_000)
        a.run_mandates()
        self.move("BTC/USDT", "1")
        # A skipped dependent: the entry is rejected, so its exit is skipped.
        session, (entry, _) = self.ask("buy 0.01 BTC with stop loss at 60k")
        a.reject_step(session, entry.step_id, ALICE)
        # A dropped request: a clarification then "never mind", and a plan withdrawn.
        session, _ = self.ask("sell some")
        self.ask("never mind", session)
        self.ask("buy 0.01 BTC", session)
        self.ask("never mind", session)
        # A standing order stopped from the chat, from another session.
        session, (weekly,) = self.ask("buy 100 USDT of ETH every week for 4 weeks")
        self.confirm(session, weekly)
        session, (stop,) = self.ask("stop my weekly ETH buys")
        assert self.confirm(session, stop) == "done"
        # A note support attached to a session.
        a.add_note(session, Actor("sam", "support", "chat"), "asked by phone to stop it")

    def events(self) -> Iterator[Event]:
        for summary in self.journal.sessions():
            yield from self.journal.read(summary.session_id)


@pytest.fixture
def written(
    journal: SQLiteJournal,
    accounts: Accounts,
    clock: ManualClock,
    prices: MovablePrices,
    tmp_path: Path,
) -> list[Event]:
    """Every event the flows wrote."""
    ledger = SQLiteLimitLedger(tmp_path / "journal.sqlite3", clock)
    flows = Flows(journal, accounts, clock, prices, ledger)
    flows.run_all()
    return list(flows.events())


def test_every_payload_written_validates_and_round_trips_byte_for_byte(
    written: list[Event],
) -> None:
    for event in written:
        payload = parse_payload(event.kind, event.payload)
        assert payload.kind == event.kind
        assert type(payload) is PAYLOAD_MODELS[event.kind]
        back = payload.to_json()
        assert back == event.payload, event.kind
        assert canonical_json(back) == canonical_json(event.payload), event.kind

    missing = EVENT_KINDS - {e.kind for e in written}
    assert not missing, f"no flow wrote {sorted(missing)}"


def test_the_shapes_that_differ_within_one_kind_are_all_written(written: list[Event]) -> None:
    """The same kind is written with different keys by different writers: each variant
    here round-trips (the test above), and this says the flows reached each of them."""

    def keys(kind: str) -> set[frozenset[str]]:
        return {frozenset(e.payload) for e in written if e.kind == kind}

    submitted = [e.payload for e in written if e.kind == ev.ORDER_SUBMITTED]
    assert any(p["client_order_id"] is None for p in submitted)  # a cancel: null, not absent
    confirmed = [e.payload for e in written if e.kind == ev.STEP_CONFIRMED]
    assert any("reservation" not in p for p in confirmed)  # a mandate armed, a cancel
    assert any(isinstance(p.get("reservation"), dict) for p in confirmed)
    assert any("parent" in p and "mandate_confirmed_by" in p for p in confirmed)
    assert frozenset({"text", "step_id", "locale"}) in keys(ev.REPLY_SENT)
    assert frozenset({"text", "locale"}) in keys(ev.REPLY_SENT)
    previewed = [
        StepPreviewed.model_validate({**e.payload, "kind": e.kind})
        for e in written
        if e.kind == ev.STEP_PREVIEWED
    ]
    assert any(p.cancel is not None and p.book is None for p in previewed)
    assert any(p.requote is not None for p in previewed)
    assert any(p.repreview is not None for p in previewed)
    assert any("sent_on" in p for p in confirmed)
    assert any(p.mandate is not None for p in previewed)
    assert any("superseded_by" in e.payload for e in written if e.kind == ev.STEP_SKIPPED)
    assert any("order" in e.payload for e in written if e.kind == ev.ORDER_FAILED)
    assert any("open_orders" in e.payload for e in written if e.kind == ev.PLAN_CREATED)
    assert any("dialogue" in e.payload for e in written if e.kind == ev.INTENT_PARSED)


def _dumped(model: BaseModel) -> Any:
    return json.loads(canonical_json(model.model_dump(mode="json")))


def test_the_nested_models_read_todays_payloads_exactly(written: list[Event]) -> None:
    """The dict fields hold dumps of today's models: each reads back as its model and dumps
    to the same JSON (older journals need not: see the test below)."""
    checked = 0
    for event in written:
        payload = parse_payload(event.kind, event.payload)
        nested: list[tuple[Any, BaseModel | None]] = []
        if isinstance(payload, events.StepPreviewed):
            nested = [
                (payload.preview, payload.preview_model()),
                (payload.order, payload.order_model()),
                (payload.policy, payload.policy_model()),
                (payload.mandate, payload.mandate_model()),
            ]
        elif isinstance(payload, events.PlanCreated):
            nested = [(payload.plan, payload.plan_model())]
        elif isinstance(payload, events.StepAdded):
            nested = [(payload.step, payload.step_model())]
        elif isinstance(payload, events.PolicyDenied):
            nested = [(payload.decision, payload.decision_model())]
        for stored, model in nested:
            if stored is None:
                assert model is None
                continue
            assert model is not None
            assert _dumped(model) == stored, event.kind
            checked += 1
    assert checked > 50


def test_the_kinds_are_the_ones_the_session_reads() -> None:
    constants = {
        value for name, value in vars(events).items() if name.isupper() and isinstance(value, str)
    }
    assert constants == EVENT_KINDS
    assert len(EVENT_KINDS) == 25  # (support_note: staff's internal note)
    assert all(model.model_fields["kind"].default == k for k, model in PAYLOAD_MODELS.items())
    assert ev.STEP_PREVIEWED is events.STEP_PREVIEWED
    assert ev.CUSTOMER_EVENTS is events.CUSTOMER_EVENTS
    assert all(getattr(ev, name) == getattr(events, name) for name in ev.__all__ if name.isupper())


# --- older journals ------------------------------------------------------------------------

# Payloads as the first versions wrote them (git history of execution/assistant.py): a parse
# before provenance was journaled, a preview before its inputs were, a confirmation before
# daily reservations, a plan whose steps predate cancel steps and mandates.
OLD_PAYLOADS: list[tuple[str, dict[str, Any]]] = [
    (ev.SESSION_OPENED, {"owner": "alice", "channel": "chat"}),
    (
        ev.INTENT_PARSED,
        {
            "parser": "rules",
            "parser_version": "1.0.0",
            "result": {"kind": "unsupported", "reason": "chit_chat", "message": "Hi."},
            "canonical": {"action": "unsupported"},
        },
    ),
    (
        ev.PLAN_CREATED,
        {
            "plan": {
                "plan_id": "p1",
                "intent": {"kind": "intent", "action": "buy", "asset": "BTC"},
                "steps": [
                    {
                        "step_id": "p1.1",
                        "kind": "place_order",
                        "description": "Buy 0.01 BTC",
                        "order": {"symbol": "BTC/USDT", "side": "buy", "type": "market"},
                        "requires_confirmation": True,
                        "depends_on": [],
                    }
                ],
                "notes": [],
            },
            "balances_snapshot": {"USDT": "25000"},
        },
    ),
    (
        ev.STEP_PREVIEWED,
        {
            "plan_id": "p1",
            "step_id": "p1.1",
            "preview": {"step_id": "p1.1", "amount": "0.01"},  # before expected_amount
            "preview_hash": "ab" * 32,
            "expires_ms": 1_000,
            "policy_version": "v1",
            "blocked": False,
            "book": {"timestamp": None, "bids": [[64999.5, 1.0]], "asks": [[65000.5, 1.0]]},
            "policy": {"policy_version": "v1", "allowed": True, "denials": []},
        },
    ),
    (
        ev.STEP_CONFIRMED,
        {
            "step_id": "p1.1",
            "user": "alice",
            "channel": "chat",
            "preview_hash": "ab" * 32,
            "policy_version": "v1",
            "shown_text": "Buy 0.01 BTC: ...",
        },
    ),
    (ev.ORDER_FAILED, {"step_id": "p1.1", "error": "not accepted by the venue: timeout"}),
    (
        ev.ORDER_SUBMITTED,  # reconciliation found an order sent but never journaled as sent
        {"step_id": "p1.1", "client_order_id": "ta" + "0" * 30, "recovered": True},
    ),
]


@pytest.mark.parametrize(("kind", "stored"), OLD_PAYLOADS, ids=[k for k, _ in OLD_PAYLOADS])
def test_older_journals_payloads_validate_and_round_trip(kind: str, stored: dict[str, Any]) -> None:
    assert parse_payload(kind, stored).to_json() == stored


def test_a_preview_from_an_older_journal_is_kept_as_stored_not_as_todays_model() -> None:
    (_, stored) = next(p for p in OLD_PAYLOADS if p[0] == ev.STEP_PREVIEWED)
    payload = parse_payload(ev.STEP_PREVIEWED, stored)
    assert isinstance(payload, StepPreviewed)
    assert payload.preview == stored["preview"]
    with pytest.raises(ValidationError, match="expected_amount"):
        payload.preview_model()  # today's StepPreview needs fields it did not have then


# --- refusals --------------------------------------------------------------------------------

CONFIRMED: dict[str, Any] = {
    "step_id": "p1.1",
    "user": "alice",
    "channel": "chat",
    "preview_hash": "ab" * 32,
    "policy_version": "v1",
    "shown_text": "Buy 0.01 BTC",
    "reservation": None,
}


def _errors(kind: str, payload: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as refused:
        parse_payload(kind, payload)
    return [(tuple(e["loc"]), e["type"]) for e in refused.value.errors()]


def test_a_missing_key_is_refused_by_name() -> None:
    payload = {k: v for k, v in CONFIRMED.items() if k != "shown_text"}
    assert _errors(ev.STEP_CONFIRMED, payload) == [(("step_confirmed", "shown_text"), "missing")]
    with pytest.raises(ValidationError, match=r"step_confirmed\.shown_text\n  Field required"):
        parse_payload(ev.STEP_CONFIRMED, payload)


def test_null_is_not_absent_where_the_key_is_required() -> None:
    payload = {"step_id": "p1.1", "request": {"cancel": "1", "symbol": "BTC/USDT"}}
    assert _errors(ev.ORDER_SUBMITTED, payload) == [
        (("order_submitted", "client_order_id"), "missing")
    ]
    assert parse_payload(ev.ORDER_SUBMITTED, {**payload, "client_order_id": None}).to_json() == {
        **payload,
        "client_order_id": None,
    }


def test_a_wrong_type_is_refused_by_name() -> None:
    assert _errors(ev.STEP_CONFIRMED, {**CONFIRMED, "user": 7}) == [
        (("step_confirmed", "user"), "string_type")
    ]
    previewed = dict(OLD_PAYLOADS[3][1])
    assert _errors(ev.STEP_PREVIEWED, {**previewed, "expires_ms": "1000"}) == [
        (("step_previewed", "expires_ms"), "int_type")
    ]
    assert _errors(ev.STEP_PREVIEWED, {**previewed, "expires_ms": 1000.0}) == [
        (("step_previewed", "expires_ms"), "int_type")  # 1.0 is not 1 in the hashed JSON
    ]
    assert _errors(ev.PLAN_UPDATED, {"plan_id": "p1", "state": "done"}) == [
        (("plan_updated", "state"), "literal_error")
    ]
    reservation = {"reservation_id": "r", "user_id": "alice", "day": "2026-12-07"}
    assert (("step_confirmed", "reservation", "amount"), "missing") in _errors(
        ev.STEP_CONFIRMED, {**CONFIRMED, "reservation": reservation}
    )


def test_an_unknown_key_or_kind_is_refused() -> None:
    assert _errors(ev.STEP_CONFIRMED, {**CONFIRMED, "recoverd": True}) == [
        (("step_confirmed", "recoverd"), "extra_forbidden")
    ]
    ((_, error),) = _errors("preview_made", {"step_id": "p1.1"})
    assert error == "union_tag_invalid"
    with pytest.raises(ValueError, match="has a 'kind' key"):
        parse_payload(ev.STEP_CONFIRMED, {**CONFIRMED, "kind": "x"})


def test_a_payload_built_in_code_is_the_dict_written_today() -> None:
    """How a writer will use the models: the keys given are the keys stored."""
    cancel = OrderSubmitted(
        step_id="p2.1", client_order_id=None, request={"cancel": "9", "symbol": "BTC/USDT"}
    )
    assert cancel.to_json() == {
        "step_id": "p2.1",
        "client_order_id": None,
        "request": {"cancel": "9", "symbol": "BTC/USDT"},
    }
    armed = StepConfirmed(**{k: v for k, v in CONFIRMED.items() if k != "reservation"})
    assert "reservation" not in armed.to_json()
    assert StepConfirmed(**CONFIRMED).to_json()["reservation"] is None
    with pytest.raises(ValidationError):
        cancel.step_id = "p9"  # frozen


def test_a_venue_nan_stays_a_float_as_the_journal_keeps_it() -> None:
    stored = {"step_id": "p1.1", "order": {"price": float("nan"), "fee": {"rate": float("inf")}}}
    back = parse_payload(ev.ORDER_ACCEPTED, stored).to_json()
    assert (
        canonical_json(back)
        == canonical_json(stored)
        == ('{"order":{"fee":{"rate":Infinity},"price":NaN},"step_id":"p1.1"}')
    )
