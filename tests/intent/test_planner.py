"""The planner resolves what it can from the snapshot and refuses what it must not guess."""

from __future__ import annotations

from decimal import Decimal

import pytest

from intent.errors import PlanningError
from intent.models import Amount, Intent, Mandate, Plan, Schedule, Trigger
from intent.planner import TRIGGER_BAND_BPS, duration_s, plan_intent

SYMBOLS = {"BTC/USDT", "ETH/USDT", "ETH/USD", "SOL/USDT", "BTC/USDC"}
BALANCES = {"USDT": Decimal(1000), "ETH": Decimal(3), "SOL": Decimal(0)}


def _plan(**fields: object):  # type: ignore[no-untyped-def]
    intent = Intent.model_validate({"action": "buy", "order_type": "market", **fields})
    return plan_intent(intent, plan_id="p1", symbols=SYMBOLS, balances=BALANCES)


def test_base_amount_market_buy_defaults_to_the_default_quote() -> None:
    plan = _plan(asset="BTC", amount={"value": "0.01", "unit": "BTC"})

    (step,) = plan.steps
    assert step.step_id == "p1.1"
    assert step.requires_confirmation
    assert (step.order.symbol, step.order.side, step.order.type) == ("BTC/USDT", "buy", "market")
    assert step.order.amount == Decimal("0.01")
    assert step.order.quote_amount is None
    assert any("default quote" in note for note in plan.notes)


def test_quote_amount_uses_the_named_currency_market() -> None:
    plan = _plan(asset="ETH", quote="USD", amount={"value": 500, "unit": "USD"})

    order = plan.steps[0].order
    assert (order.symbol, order.quote_amount, order.amount) == ("ETH/USD", Decimal(500), None)
    assert plan.notes == ()


def test_limit_sell_carries_its_price() -> None:
    plan = _plan(
        action="sell",
        asset="SOL",
        order_type="limit",
        limit_price="180",
        amount={"value": 2, "unit": "SOL"},
    )

    order = plan.steps[0].order
    assert (order.side, order.type, order.price, order.amount) == (
        "sell",
        "limit",
        Decimal(180),
        Decimal(2),
    )


def test_share_of_holdings_is_resolved_and_shown() -> None:
    plan = _plan(action="sell", asset="ETH", amount={"value": 50, "unit": "%"})

    assert plan.steps[0].order.amount == Decimal("1.5")
    assert any("50% of your 3 ETH" in note for note in plan.notes)


def test_share_of_quote_on_a_buy_spends_that_share() -> None:
    plan = _plan(asset="BTC", quote="USDT", amount={"value": 25, "unit": "%"})

    assert plan.steps[0].order.quote_amount == Decimal(250)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"asset": "DOGE", "amount": {"value": 5, "unit": "DOGE"}}, "DOGE is not listed"),
        (
            {"asset": "SOL", "quote": "USD", "amount": {"value": 5, "unit": "USD"}},
            "markets for SOL: SOL/USDT",
        ),
        ({"action": "sell", "asset": "SOL", "amount": {"value": 50, "unit": "%"}}, "hold no SOL"),
        ({"asset": "BTC", "amount": {"value": 1, "unit": "ETH"}}, "amount in ETH"),
        (
            {"action": "sell", "asset": "ETH", "amount": {"value": 1, "unit": "ETH"}}
            | {"take_profit": Decimal(5000)},
            "attached to a buy",
        ),
        (
            {"asset": "BTC", "amount": {"value": 1, "unit": "BTC"}}
            | {"take_profit": Decimal(50_000), "stop_loss": Decimal(55_000)},
            "must be above the stop-loss",
        ),
        (
            {"asset": "BTC", "order_type": "limit", "limit_price": Decimal(60_000)}
            | {"amount": {"value": 1, "unit": "BTC"}, "stop_loss": Decimal(61_000)},
            "below the entry price",
        ),
        (
            {"action": "convert", "asset": "ETH", "to": "SOL", "order_type": None}
            | {"amount": {"value": 1, "unit": "ETH"}, "trigger": Trigger(op="<=", price=2)},
            "convert is done now",
        ),
        (
            {"asset": "BTC", "amount": {"value": 1, "unit": "BTC"}}
            | {"trigger": Trigger(op="<=", price=Decimal(60_000))}
            | {"schedule": Schedule(every="P1D", count=3)},
            "cannot be combined",
        ),
        (
            {"asset": "BTC", "amount": {"value": 1, "unit": "BTC"}}
            | {"schedule": Schedule(every="PT1M", count=500)},
            "at most 100 orders",
        ),
    ],
)
def test_what_cannot_be_planned_says_why(fields: dict[str, object], message: str) -> None:
    with pytest.raises(PlanningError, match=message):
        _plan(**fields)


def test_amount_model_rejects_non_positive_values() -> None:
    with pytest.raises(ValueError, match="greater than 0"):
        Amount(value=Decimal(0), unit="BTC")


def _convert(give: str, get: str, value: object, unit: str | None = None) -> Plan:
    intent = Intent.model_validate(
        {
            "action": "convert",
            "asset": give,
            "to": get,
            "order_type": "market",
            "amount": {"value": value, "unit": unit or give},
        }
    )
    symbols = SYMBOLS | {"ETH/BTC", "SOL/USD", "DOGE/USDT", "ADA/USDT"}
    return plan_intent(intent, plan_id="p1", symbols=symbols, balances=BALANCES)


def test_convert_on_a_direct_market_is_one_order() -> None:
    to_eth = _convert("BTC", "ETH", "0.05")
    to_btc = _convert("ETH", "BTC", 1)

    (buy,) = to_eth.steps
    assert (buy.order.symbol, buy.order.side, buy.order.quote_amount) == (
        "ETH/BTC",
        "buy",
        Decimal("0.05"),
    )
    (sell,) = to_btc.steps
    assert (sell.order.symbol, sell.order.side, sell.order.amount) == (
        "ETH/BTC",
        "sell",
        Decimal(1),
    )


def test_cross_convert_goes_through_the_default_quote() -> None:
    plan = _convert("ETH", "SOL", 50, "%")

    first, second = plan.steps
    assert (first.order.symbol, first.order.side, first.order.amount) == (
        "ETH/USDT",
        "sell",
        Decimal("1.5"),
    )
    assert (second.order.symbol, second.order.side) == ("SOL/USDT", "buy")
    assert second.order.quote_amount is None
    assert second.order.quote_amount_from == first.step_id
    assert second.depends_on == (first.step_id,)
    assert all(step.requires_confirmation for step in plan.steps)
    assert any("then buy SOL with the USDT received" in note for note in plan.notes)


def test_convert_without_a_path_says_so() -> None:
    intent = Intent.model_validate(
        {
            "action": "convert",
            "asset": "ETH",
            "to": "XRP",
            "order_type": "market",
            "amount": {"value": 1, "unit": "ETH"},
        }
    )
    with pytest.raises(PlanningError, match="no market path from ETH to XRP"):
        plan_intent(intent, plan_id="p1", symbols=SYMBOLS | {"XRP/EUR"}, balances=BALANCES)


# --- mandates: conditions, schedules, brackets ------------------------------------------


def test_a_price_condition_is_a_mandate_the_worker_fires_once() -> None:
    plan = _plan(
        asset="BTC",
        amount={"value": 500, "unit": "USDT"},
        trigger=Trigger(op="<=", price=Decimal(60_000)),
    )

    (step,) = plan.steps
    assert step.kind == "mandate"
    assert step.order.quote_amount == Decimal(500)
    assert step.mandate == Mandate(
        condition=Trigger(op="<=", price=Decimal(60_000)),
        band_bps=TRIGGER_BAND_BPS,
        ttl_s=30 * 86_400,
    )
    assert step.description.endswith("once the price is at or below 60000")


def test_every_week_for_4_weeks_is_4_orders_a_week_apart() -> None:
    plan = _plan(
        asset="BTC",
        amount={"value": 100, "unit": "USDT"},
        schedule=Schedule(every="P1W", count=4),
    )

    (step,) = plan.steps
    assert step.mandate is not None
    assert (step.mandate.count, step.mandate.every_s) == (4, 7 * 86_400)
    assert step.order.quote_amount == Decimal(100)  # per order
    assert step.mandate.ttl_s == 5 * 7 * 86_400
    assert "every 1 week, 4 orders" in step.description


def test_over_two_hours_slices_the_total_into_equal_orders() -> None:
    plan = _plan(
        action="sell",
        asset="ETH",
        amount={"value": "1.2", "unit": "ETH"},
        schedule=Schedule(over="PT2H"),
    )

    (step,) = plan.steps
    assert step.mandate is not None
    assert (step.mandate.count, step.mandate.every_s) == (12, 600)
    assert step.order.amount == Decimal("0.1")
    assert "1.2 in 12 orders of 0.1" in plan.notes


def test_a_bracket_is_an_entry_and_two_exits_that_cancel_each_other() -> None:
    plan = _plan(
        asset="BTC",
        amount={"value": "0.1", "unit": "BTC"},
        take_profit=Decimal(70_000),
        stop_loss=Decimal(55_000),
    )

    entry, tp, sl = plan.steps
    assert entry.kind == "place_order"
    for exit_step, op, price in ((tp, ">=", 70_000), (sl, "<=", 55_000)):
        assert exit_step.kind == "mandate"
        assert exit_step.depends_on == ("p1.1",)
        assert exit_step.order.side == "sell"
        assert exit_step.mandate is not None
        assert exit_step.mandate.amount_from == "p1.1"
        assert exit_step.mandate.condition == Trigger(op=op, price=Decimal(price))  # type: ignore[arg-type]
    assert tp.mandate is not None
    assert sl.mandate is not None
    assert (tp.mandate.oco_with, sl.mandate.oco_with) == (("p1.3",), ("p1.2",))


@pytest.mark.parametrize(
    ("iso", "seconds"),
    [("PT30M", 1800), ("PT4H", 14_400), ("P1D", 86_400), ("P1W", 604_800), ("P1DT12H", 129_600)],
)
def test_iso_durations(iso: str, seconds: int) -> None:
    assert duration_s(iso) == seconds


@pytest.mark.parametrize("iso", ["", "P", "1D", "PT", "P0D", "every day"])
def test_a_duration_that_is_not_one_says_so(iso: str) -> None:
    with pytest.raises(PlanningError, match="not a duration"):
        duration_s(iso)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        (
            {"action": "buy", "asset": "PEPE", "amount": Amount(value=Decimal(1000), unit="PEPE")},
            "PEPE",
        ),
        (
            {
                "action": "convert",
                "asset": "ETH",
                "to": "SUI",
                "amount": Amount(value=Decimal(1), unit="ETH"),
            },
            "SUI",
        ),
    ],
)
def test_a_coin_the_venue_does_not_list_is_refused_by_name(
    fields: dict[str, object], code: str
) -> None:
    with pytest.raises(PlanningError, match=f"{code} is not listed on this exchange"):
        _plan(order_type="market", **fields)


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        (Schedule(every="P1W", count=4, on="monday"), "starting on a Monday"),
        (Schedule(every="P1D"), "say how many orders"),
    ],
)
def test_a_schedule_the_worker_cannot_honour_is_refused(schedule: Schedule, message: str) -> None:
    with pytest.raises(PlanningError, match=message):
        _plan(
            action="buy",
            asset="BTC",
            amount=Amount(value=Decimal("0.01"), unit="BTC"),
            order_type="market",
            schedule=schedule,
        )


def test_a_spread_order_uses_the_count_the_customer_gave() -> None:
    plan = _plan(
        action="buy",
        asset="BTC",
        amount=Amount(value=Decimal("0.4"), unit="BTC"),
        order_type="market",
        schedule=Schedule(over="PT2H", count=4),
    )

    mandate = plan.steps[0].mandate
    assert mandate is not None
    assert (mandate.count, mandate.every_s) == (4, 1800)


def test_a_cancel_of_the_last_order_names_only_the_order_placed_last() -> None:
    orders = [
        {
            "id": "7",
            "symbol": "ETH/USDT",
            "side": "buy",
            "type": "limit",
            "amount": 1.0,
            "remaining": 1.0,
            "price": 3000.0,
            "timestamp": 1_000,
        },
        {
            "id": "9",
            "symbol": "SOL/USDT",
            "side": "sell",
            "type": "limit",
            "amount": 2.0,
            "remaining": 2.0,
            "price": 200.0,
            "timestamp": 3_000,
        },
        {
            "id": "8",
            "symbol": "ETH/USDT",
            "side": "sell",
            "type": "limit",
            "amount": 0.5,
            "remaining": 0.5,
            "price": 4000.0,
            "timestamp": 2_000,
        },
    ]
    last = Intent(action="cancel", order_ref="last")
    last_eth = Intent(action="cancel", asset="ETH", order_ref="last")
    every = Intent(action="cancel")

    def cancelled(intent: Intent) -> list[str | None]:
        plan = plan_intent(
            intent, plan_id="p1", symbols=SYMBOLS, balances=BALANCES, open_orders=orders
        )
        return [step.cancel_order_id for step in plan.steps]

    assert cancelled(last) == ["9"]
    assert cancelled(last_eth) == ["8"]
    assert cancelled(every) == ["7", "9", "8"]


def test_a_schedule_on_a_day_of_the_month_is_refused_until_the_worker_can_wait_for_it() -> None:
    with pytest.raises(PlanningError, match="day 1 of each month"):
        _plan(
            asset="BTC",
            amount=Amount(value=Decimal(100), unit="USDT"),
            schedule=Schedule(every="P1M", count=6, day=1),
        )
