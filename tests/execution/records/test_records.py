"""The records' pure parts: Hong Kong business days and months, the orders read from a
journal, a contract note's arithmetic for every side and fee currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from execution.journal import GENESIS_HASH, Event, chain_event
from execution.records.calendar import (
    InvalidMonth,
    Month,
    add_business_days,
    contract_note_due,
    iso_hkt,
    trade_date,
)
from execution.records.contract_notes import NoFill, contract_note
from execution.records.trades import OrderRecord, order_records

JAN_1_2026_MS = 1_767_225_600_000  # 00:00 UTC, a Thursday


def test_business_days_skip_weekends_and_the_configured_holidays() -> None:
    thursday = date(2026, 1, 1)
    assert contract_note_due(thursday) == date(2026, 1, 5)  # Fri, (Sat, Sun), Mon
    assert contract_note_due(date(2026, 1, 2)) == date(2026, 1, 6)  # a Friday's: Tuesday
    assert contract_note_due(date(2026, 1, 3)) == date(2026, 1, 6)  # a Saturday's: Tuesday
    christmas = {date(2026, 12, 25), date(2026, 12, 28)}  # Friday, and the Monday after
    assert contract_note_due(date(2026, 12, 24), christmas) == date(2026, 12, 30)
    assert add_business_days(thursday, 0) == thursday


def test_hong_kong_time_and_its_trade_date() -> None:
    late_utc = JAN_1_2026_MS - 3_600_000  # 2025-12-31T23:00Z is 07:00 on 1 January in HK
    assert trade_date(late_utc) == date(2026, 1, 1)
    assert iso_hkt(late_utc) == "2026-01-01T07:00:00.000+08:00"
    assert trade_date(JAN_1_2026_MS - 9 * 3_600_000) == date(2025, 12, 31)


def test_months_are_hong_kong_months() -> None:
    january = Month.parse("2026-01")
    assert str(january) == "2026-01"
    assert january.start_ms == JAN_1_2026_MS - 8 * 3_600_000
    assert Month.parse("2025-12").end_ms == january.start_ms
    for bad in ("2026-13", "2026-00", "2026-1", "26-01", "2026-01-01", ""):
        with pytest.raises(InvalidMonth, match=repr(bad)):
            Month.parse(bad)


def _record(side: str, fee: str, fee_currency: str, **changes: Any) -> OrderRecord:
    fields: dict[str, Any] = {
        "session_id": "s1",
        "owner": "alice",
        "step_id": "p1.1",
        "description": "",
        "order_id": "o-1",
        "client_order_id": "ta1",
        "symbol": "BTC/USDT",
        "side": side,
        "type": "market",
        "status": "closed",
        "quantity": Decimal("0.3"),
        "gross": Decimal("20000.1"),  # two fills: 0.1 at 66000.1 and 0.2 at 67000
        "fee": Decimal(fee),
        "fee_currency": fee_currency,
        "first_fill_ms": JAN_1_2026_MS,
        "last_fill_ms": JAN_1_2026_MS,
        "recorded_ms": JAN_1_2026_MS + 5,
        "recorded_seq": 9,
    }
    return OrderRecord(**{**fields, **changes})


@pytest.mark.parametrize(
    ("side", "fee", "fee_currency", "direction", "net", "flows"),
    [
        ("buy", "20", "USDT", "pay", "20020.1", {"BTC": "0.3", "USDT": "-20020.1"}),
        ("sell", "20", "USDT", "receive", "19980.1", {"BTC": "-0.3", "USDT": "19980.1"}),
        ("buy", "0.0003", "BTC", "pay", "20000.1", {"BTC": "0.2997", "USDT": "-20000.1"}),
        ("sell", "0.0003", "BTC", "receive", "20000.1", {"BTC": "-0.3003", "USDT": "20000.1"}),
        ("buy", "1.5", "HSK", "pay", "20000.1", {"BTC": "0.3", "HSK": "-1.5", "USDT": "-20000.1"}),
    ],
)
def test_net_settlement_per_side_and_fee_currency(
    side: str, fee: str, fee_currency: str, direction: str, net: str, flows: dict[str, str]
) -> None:
    note = contract_note(_record(side, fee, fee_currency))

    assert note.net_settlement.direction == direction
    assert note.net_settlement.amount == Decimal(net)
    assert note.net_settlement.currency == "USDT"
    assert note.flows == {k: Decimal(v) for k, v in flows.items()}
    assert note.fee.amount == Decimal(fee)
    assert note.fee.currency == fee_currency
    assert note.gross_value.amount == Decimal("20000.1")
    assert note.average_price == Decimal("66667.0000000000")  # 20000.1 / 0.3, 10 places
    assert note.model_dump(mode="json")["average_price"] == "66667"


def test_the_note_number_is_stable_and_names_the_hong_kong_trade_date() -> None:
    evening_utc = JAN_1_2026_MS + 20 * 3_600_000  # 04:00 on 2 January in Hong Kong
    one = contract_note(_record("buy", "0", "USDT", first_fill_ms=evening_utc))
    again = contract_note(_record("buy", "0", "USDT", first_fill_ms=evening_utc))
    other = contract_note(_record("buy", "0", "USDT", first_fill_ms=evening_utc, order_id="o-2"))

    assert one.note_number == again.note_number
    assert one.note_number.startswith("CN-20260102-")
    assert other.note_number != one.note_number
    assert one.trade_date == "2026-01-02"
    assert one.due_by == "2026-01-06"
    assert one.on_time


def test_no_fill_no_note() -> None:
    unfilled = _record("buy", "0", "USDT", quantity=Decimal(0), first_fill_ms=None)
    with pytest.raises(NoFill, match="'o-1' has no fill yet"):
        contract_note(unfilled)


def _journal(*entries: tuple[int, str, dict[str, Any]]) -> list[Event]:
    events: list[Event] = []
    head = (-1, GENESIS_HASH)
    for ts, kind, payload in entries:
        event = chain_event("s1", head, ts, kind, "assistant", payload)
        events.append(event)
        head = (event.seq, event.hash)
    return events


def _order(filled: str, cost: str, fee: str, status: str, traded: int | None) -> dict[str, Any]:
    return {
        "id": "acct-000001",
        "clientOrderId": "ta9",
        "symbol": "SOL/USDT",
        "side": "sell",
        "type": "limit",
        "status": status,
        "timestamp": JAN_1_2026_MS,
        "lastTradeTimestamp": traded,
        "filled": float(filled),
        "cost": float(cost),
        "fee": {"currency": "USDT", "cost": float(fee)},
        "info": {
            "executedQty": filled,
            "cummulativeQuoteQty": cost,
            "commission": fee,
            "commissionAsset": "USDT",
        },
    }


def _on(kind: str, ts: int, order: dict[str, Any]) -> tuple[int, str, dict[str, Any]]:
    return ts, kind, {"step_id": "p1.1", "order": order}


def test_an_order_filled_over_two_days_is_one_record_dated_by_its_first_fill() -> None:
    day = 86_400_000
    plan = {"plan_id": "p1", "steps": [{"step_id": "p1.1", "description": "Sell 2 SOL"}]}
    first, second = JAN_1_2026_MS + day, JAN_1_2026_MS + 2 * day
    events = _journal(
        (JAN_1_2026_MS, "session_opened", {"owner": "alice", "channel": "chat"}),
        (JAN_1_2026_MS, "plan_created", {"plan": plan, "balances_snapshot": {}}),
        (JAN_1_2026_MS, "order_submitted", {"step_id": "p1.1", "client_order_id": "ta9"}),
        _on("order_accepted", JAN_1_2026_MS, _order("0", "0", "0", "open", None)),
        _on("order_updated", first, _order("0.5", "90.05", "0.09005", "open", first)),
        _on("order_updated", second, _order("2", "360.2", "0.3602", "closed", second)),
    )

    (record,) = order_records(events)

    assert (record.owner, record.step_id, record.description) == ("alice", "p1.1", "Sell 2 SOL")
    assert (record.quantity, record.gross, record.fee) == (
        Decimal(2),
        Decimal("360.2"),
        Decimal("0.3602"),
    )
    assert record.first_fill_ms == JAN_1_2026_MS + day
    assert record.last_fill_ms == JAN_1_2026_MS + 2 * day
    assert record.recorded_seq == 5
    note = contract_note(record)
    assert note.trade_date == "2026-01-02"
    assert note.issued_at_utc == "2026-01-03T00:00:00.000Z"  # revised by the last fill
    assert note.net_settlement.amount == Decimal("359.8398")
    # Before any fill, the order is recorded, but has no note.
    (unfilled,) = order_records(events[:4])
    assert not unfilled.filled
