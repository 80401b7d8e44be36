"""The check of an LLM reading against the text, field by field (intent.plausibility)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from intent.models import Amount, Clarification, Intent
from intent.plausibility import implausibilities, plausibility_problems


def sell(asset: str, value: str, unit: str) -> Intent:
    return Intent(
        action="sell",
        asset=asset,
        amount=Amount(value=Decimal(value), unit=unit),
        order_type="market",
    )


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("sell 1/2 of my eth", sell("ETH", "50", "%")),
        ("sell 1/2 my eth", sell("ETH", "50", "%")),
        ("卖掉1/2的以太坊", sell("ETH", "50", "%")),
        ("sell 1/2 a bitcoin", sell("BTC", "0.5", "BTC")),
        ("卖1/2个比特币", sell("BTC", "0.5", "BTC")),
        ("sell half a bitcoin", sell("BTC", "0.5", "BTC")),
        ("sell half of a bitcoin", sell("BTC", "0.5", "BTC")),
        ("sell a quarter of a bitcoin", sell("BTC", "0.25", "BTC")),
        ("sell 30% of a bitcoin", sell("BTC", "0.3", "BTC")),
        ("sell 30 percent of my bitcoin", sell("BTC", "30", "%")),
        ("卖半个比特币", sell("BTC", "0.5", "BTC")),
        ("sell half my eth", sell("ETH", "50", "%")),
        ("sell three quarters of my sol", sell("SOL", "75", "%")),
        ("sell a bitcoin", sell("BTC", "1", "BTC")),
        ("sell my eth", sell("ETH", "100", "%")),
    ],
)
def test_fraction_forms_support_their_one_reading(text: str, reading: Intent) -> None:
    assert plausibility_problems(text, reading) == []


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        # a bare "1/2 ETH" supports no reading: not the share, not 0.5, not its digits
        ("sell 1/2 eth", sell("ETH", "50", "%")),
        ("sell 1/2 eth", sell("ETH", "0.5", "ETH")),
        ("sell 1/2 eth", sell("ETH", "1", "ETH")),
        ("sell 1/2 eth", sell("ETH", "2", "ETH")),
        ("sell my eth 1/2", sell("ETH", "100", "%")),
        # a fraction of one unit is no share of the holdings, nor one whole unit
        ("sell half a bitcoin", sell("BTC", "50", "%")),
        ("sell half a bitcoin", sell("BTC", "1", "BTC")),
        ("sell half of a bitcoin", sell("BTC", "50", "%")),
        ("卖半个比特币", sell("BTC", "50", "%")),
        ("sell 30% of a bitcoin", sell("BTC", "30", "%")),
        ("sell 1/2 of my eth", sell("ETH", "0.5", "ETH")),
    ],
)
def test_other_readings_are_amount_problems(text: str, reading: Intent) -> None:
    problems = implausibilities(text, reading)

    assert [p.field for p in problems] == ["amount"], problems


def test_each_problem_names_its_field() -> None:
    reading = Intent(
        action="buy",
        asset="BTC",
        quote="USDC",
        amount=Amount(value=Decimal("0.25"), unit="BTC"),
        order_type="limit",
        limit_price=Decimal(60000),
    )

    problems = implausibilities("nabbing 0.2 of the orange coin", reading)

    assert [p.field for p in problems] == [
        "action",
        "asset",
        "quote",
        "amount",
        "amount",
        "limit_price",
    ]
    refused = implausibilities("withdraw 0.2 btc", sell("BTC", "0.2", "BTC"))
    assert (refused[0].field, refused[0].reason) == ("refused", "withdrawal")


def test_a_clarification_is_checked_on_what_it_states() -> None:
    ask = Clarification(
        side="buy",
        asset="BTC",
        amount=Amount(value=Decimal(1), unit="BTC"),
        missing=("price",),
        question="?",
    )
    assert plausibility_problems("buy 1 btc at the usual price", ask) == []
    assert [p.field for p in implausibilities("sell 1 btc", ask)] == ["action"]
    assert [p.field for p in implausibilities("buy btc", ask)] == ["amount"]


@pytest.mark.parametrize(
    "text", ["buy 1 btc and send me the receipt", "buy 1 btc for the short term"]
)
def test_phrases_neutralize_their_words_as_the_rules_do(text: str) -> None:
    reading = Intent(
        action="buy", asset="BTC", amount=Amount(value=Decimal(1), unit="BTC"), order_type="market"
    )
    assert plausibility_problems(text, reading) == []
