"""The canonical export and the scorer's notion of the same meaning."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from intent.canonical import CANONICAL_KEYS, normalize_convert, same_meaning, to_canonical
from intent.models import Amount, Clarification, Intent, Schedule, Trigger, Unsupported


def _blank(**kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(CANONICAL_KEYS)
    out["missing"] = []
    out.update(kw)
    return out


def test_keys_in_order_and_json_numbers() -> None:
    intent = Intent(
        action="sell",
        asset="ETH",
        amount=Amount(value=Decimal("0.5"), unit="ETH"),
        order_type="limit",
        limit_price=Decimal("3000.00"),
        trigger=Trigger(op="<=", price=Decimal("2800")),
        schedule=Schedule(every="P1D", count=3),
    )
    out = to_canonical(intent)
    assert tuple(out) == CANONICAL_KEYS
    assert out["amount"] == {"value": 0.5, "unit": "ETH"}
    assert out["limit_price"] == 3000
    assert isinstance(out["limit_price"], int)
    assert out["trigger"] == {"op": "<=", "price": 2800}
    assert out["schedule"] == {"every": "P1D", "count": 3, "over": None}
    assert out["missing"] == []
    json.dumps(out)  # serializable as is


def test_clarify_keeps_what_is_known() -> None:
    clar = Clarification(
        asset="SOL",
        quote="USDT",
        amount=Amount(value=Decimal(3), unit="SOL"),
        missing=("side", "price"),
        question="?",
    )
    out = to_canonical(clar)
    assert out["action"] == "clarify"
    assert out["asset"] == "SOL"
    assert out["quote"] == "USDT"
    assert out["amount"] == {"value": 3, "unit": "SOL"}
    assert out["order_type"] is None
    assert out["missing"] == ["price", "side"]


def test_unsupported_is_all_null() -> None:
    out = to_canonical(Unsupported(reason="leverage", message="no"))
    assert out == _blank(action="unsupported")


def test_query_and_cancel_have_no_order_type() -> None:
    assert to_canonical(Intent(action="query", query="price", asset="BTC"))["order_type"] is None
    assert to_canonical(Intent(action="cancel"))["order_type"] is None


def test_convert_to_quote_is_a_sell() -> None:
    convert = _blank(
        action="convert",
        asset="SOL",
        to="USDC",
        amount={"value": 2, "unit": "SOL"},
        order_type="market",
    )
    sell = _blank(
        action="sell",
        asset="SOL",
        quote="USDC",
        amount={"value": 2, "unit": "SOL"},
        order_type="market",
    )
    assert normalize_convert(convert) == sell
    assert same_meaning(sell, convert)
    assert same_meaning(convert, sell)


def test_convert_from_quote_is_a_buy() -> None:
    convert = _blank(
        action="convert",
        asset="USDT",
        to="ETH",
        amount={"value": 10, "unit": "USDT"},
        order_type="market",
    )
    buy = _blank(
        action="buy",
        asset="ETH",
        quote="USDT",
        amount={"value": 10, "unit": "USDT"},
        order_type="market",
    )
    assert same_meaning(buy, convert)


def test_selling_one_money_for_another_is_buying_the_other() -> None:
    amount = {"value": 5000, "unit": "HKD"}
    convert = _blank(action="convert", asset="HKD", to="USDT", amount=amount, order_type="market")
    sell = _blank(action="sell", asset="HKD", quote="USDT", amount=amount, order_type="market")
    buy = _blank(action="buy", asset="USDT", quote="HKD", amount=amount, order_type="market")
    assert same_meaning(convert, buy)
    assert same_meaning(sell, buy)
    other = _blank(action="buy", asset="HKD", quote="USDT", amount=amount, order_type="market")
    assert not same_meaning(other, buy)  # which money is given still matters


def test_crypto_convert_is_not_a_sell() -> None:
    convert = _blank(action="convert", asset="ETH", to="SOL", order_type="market")
    sell = _blank(action="sell", asset="ETH", order_type="market")
    assert not same_meaning(convert, sell)


def test_numbers_relative_tolerance() -> None:
    a = _blank(action="buy", asset="BTC", amount={"value": 0.1, "unit": "BTC"}, order_type="market")
    b = _blank(
        action="buy",
        asset="BTC",
        amount={"value": 0.1 + 1e-12, "unit": "BTC"},
        order_type="market",
    )
    c = _blank(
        action="buy", asset="BTC", amount={"value": 0.11, "unit": "BTC"}, order_type="market"
    )
    assert same_meaning(a, b)
    assert not same_meaning(a, c)


def test_per_action_comparison() -> None:
    clar_a = _blank(action="clarify", asset="ETH", missing=["amount"])
    clar_b = _blank(action="clarify", asset=None, missing=["amount"])
    assert same_meaning(clar_a, clar_b)
    assert not same_meaning(clar_a, _blank(action="clarify", missing=["amount", "side"]))
    assert same_meaning(_blank(action="unsupported"), _blank(action="unsupported", asset="BTC"))
    assert same_meaning(
        _blank(action="query", query="price", asset="BTC"),
        _blank(action="query", query="price", asset="BTC", quote="USD"),
    )
    assert not same_meaning(
        _blank(action="query", query="price", asset="BTC"),
        _blank(action="query", query="balance", asset="BTC"),
    )
    assert not same_meaning(_blank(action="cancel", asset="BTC"), _blank(action="cancel"))
    trade = _blank(action="buy", asset="BTC", amount={"value": 1, "unit": "BTC"})
    assert not same_meaning(trade, {**trade, "take_profit": 70000})


@pytest.mark.parametrize(
    ("labelled", "read", "same"),
    [
        ("P1D", "PT24H", True),  # "24小时内分批": one length, two spellings
        ("PT1H", "PT60M", True),
        ("P1W", "P7D", True),
        ("P1D", "PT25H", False),
        ("P1M", "P30D", False),  # a month has no fixed length
        ("PT30M", "PT30M", True),
    ],
)
def test_schedule_durations_compare_by_length(labelled: str, read: str, same: bool) -> None:
    def spread(over: str) -> dict[str, Any]:
        return _blank(
            action="buy",
            asset="ETH",
            amount={"value": 1, "unit": "ETH"},
            order_type="market",
            schedule={"every": None, "count": None, "over": over},
        )

    assert same_meaning(spread(labelled), spread(read)) is same
