"""A cancel that names a standing order says which kind (and the asset, if said); every
other cancel keeps its reading (open orders, the last one, all of them)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from intent.canonical import CANONICAL_KEYS, to_canonical
from intent.errors import StandingOrderNotFound, WhichStandingOrder
from intent.models import Intent, Mandate, OrderSpec, StandingOrderRef, Trigger, standing_kind_of
from intent.planner import plan_intent
from intent.rules import RuleParser

PARSER = RuleParser()


@pytest.mark.parametrize(
    ("text", "kind", "asset"),
    [
        ("stop my weekly BTC buys", "recurring", "BTC"),
        ("stop the weekly BTC purchase", "recurring", "BTC"),
        ("cancel my DCA", "recurring", None),
        ("cancel my recurring ETH buy", "recurring", "ETH"),
        ("cancel my auto-buy", "recurring", None),
        ("stop buying BTC every week", "recurring", "BTC"),
        ("cancel my stop loss", "stop_loss", None),
        ("cancel my stop-loss on BTC", "stop_loss", "BTC"),
        ("cancel the take profit on ETH", "take_profit", "ETH"),
        ("cancel my conditional order", "conditional", None),
        ("cancel my standing orders", "mandate", None),
        # 简体
        ("取消定投", "recurring", None),
        ("停止BTC定投", "recurring", "BTC"),
        ("取消每周买比特币", "recurring", "BTC"),
        ("取消定期买入以太坊", "recurring", "ETH"),
        ("取消止损", "stop_loss", None),
        ("取消BTC的止盈", "take_profit", "BTC"),
        ("取消条件单", "conditional", None),
        # 繁體 (and Cantonese)
        ("停止每週買BTC", "recurring", "BTC"),
        ("停止每週定投", "recurring", None),
        ("取消止損", "stop_loss", None),
        ("取消條件單", "conditional", None),
        ("取消我嘅止蝕", "stop_loss", None),
    ],
)
def test_a_cancel_naming_a_standing_order_says_its_kind(
    text: str, kind: str, asset: str | None
) -> None:
    result = PARSER.parse(text)

    assert isinstance(result, Intent), result
    assert (result.action, result.standing_kind, result.asset) == ("cancel", kind, asset)


@pytest.mark.parametrize(
    ("text", "asset", "order_ref"),
    [
        ("cancel my last order", None, "last"),
        ("cancel all my orders", None, None),
        ("撤单", None, None),
        ("cancel my BTC order", "BTC", None),
        ("kill my SOL order", "SOL", None),
        ("cancel my ETH stop", "ETH", None),  # a stop order: open orders, as before
    ],
)
def test_other_cancels_keep_their_reading(
    text: str, asset: str | None, order_ref: str | None
) -> None:
    result = PARSER.parse(text)

    assert isinstance(result, Intent), result
    assert (result.action, result.asset, result.order_ref) == ("cancel", asset, order_ref)
    assert result.standing_kind is None
    assert "standing_kind" not in result.model_dump()  # dumps journaled before it: unchanged


def test_the_canonical_format_is_unchanged_by_the_kind() -> None:
    out = to_canonical(PARSER.parse("stop my weekly BTC buys"))

    assert tuple(out) == CANONICAL_KEYS
    assert (out["action"], out["asset"]) == ("cancel", "BTC")


def _ref(step_id: str, kind: str, symbol: str = "BTC/USDT") -> StandingOrderRef:
    return StandingOrderRef.model_validate(
        {
            "session_id": "s1",
            "step_id": step_id,
            "description": f"Buy 100 USDT of {symbol.split('/')[0]} ({step_id})",
            "kind": kind,
            "order": {"symbol": symbol, "side": "buy", "type": "market", "quote_amount": "100"},
            "state": "armed",
            "orders_placed": 3,
            "orders_total": 10,
        }
    )


def _plan(text: str, standing: list[StandingOrderRef]) -> object:
    intent = PARSER.parse(text)
    assert isinstance(intent, Intent)
    return plan_intent(intent, plan_id="p1", symbols=(), balances={}, standing=standing)


def test_one_match_plans_one_stop_step_naming_it() -> None:
    plan = _plan("stop my weekly BTC buys", [_ref("p1.1", "recurring"), _ref("p2.1", "stop_loss")])

    (step,) = plan.steps  # type: ignore[attr-defined]
    assert step.kind == "stop_mandate"
    assert step.stop.model_dump() == {
        "session_id": "s1",
        "step_id": "p1.1",
        "description": "Buy 100 USDT of BTC (p1.1)",
    }
    assert step.description == "Stop: Buy 100 USDT of BTC (p1.1)"


def test_several_matches_ask_and_none_says_what_there_is() -> None:
    eth = _ref("p3.1", "recurring", "ETH/USDT")
    with pytest.raises(WhichStandingOrder) as which:
        _plan("cancel my DCA", [_ref("p1.1", "recurring"), eth])
    assert [c.step_id for c in which.value.candidates] == ["p1.1", "p3.1"]
    assert (
        _plan("cancel my ETH DCA", [_ref("p1.1", "recurring"), eth]).steps[0].stop.step_id == "p3.1"
    )  # type: ignore[attr-defined]
    with pytest.raises(StandingOrderNotFound) as none:
        _plan("取消止损", [eth])
    assert none.value.standing == (eth,)


def test_a_mandate_is_named_by_what_customers_call_it() -> None:
    buy = OrderSpec(symbol="BTC/USDT", side="buy", type="market", quote_amount=Decimal(100))
    sell = OrderSpec(symbol="BTC/USDT", side="sell", type="market")
    below = Trigger(op="<=", price=Decimal(50_000))
    above = Trigger(op=">=", price=Decimal(90_000))
    assert (
        standing_kind_of(buy, Mandate(count=10, every_s=604_800, band_bps=2_000, ttl_s=1))
        == "recurring"
    )
    assert standing_kind_of(sell, Mandate(condition=below, band_bps=300, ttl_s=1)) == "stop_loss"
    assert standing_kind_of(sell, Mandate(condition=above, band_bps=300, ttl_s=1)) == "take_profit"
    assert standing_kind_of(buy, Mandate(condition=below, band_bps=300, ttl_s=1)) == "conditional"
