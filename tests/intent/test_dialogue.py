"""Multi-turn clarification: replies fill what was missing; nothing is guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from intent.dialogue import Answered, Dismissed, NewRequest, Outcome, continue_dialogue
from intent.models import Clarification, Intent
from intent.rules import RuleParser

PARSER = RuleParser()


def _converse(*messages: str) -> Outcome:
    """Say ``messages`` in turn; return the outcome of the last reply."""
    first = PARSER.parse(messages[0])
    assert isinstance(first, Clarification), first
    pending, pending_text = first, messages[0]
    outcome: Outcome | None = None
    for reply in messages[1:]:
        outcome = continue_dialogue(pending, pending_text, reply, PARSER.parse(reply))
        if isinstance(outcome, Answered) and isinstance(outcome.result, Clarification):
            pending, pending_text = outcome.result, ""
    assert outcome is not None
    return outcome


def _intent(outcome: Outcome) -> Intent:
    assert isinstance(outcome, Answered), outcome
    assert isinstance(outcome.result, Intent), outcome.result
    return outcome.result


@pytest.mark.parametrize(
    ("messages", "action", "asset", "amount", "unit"),
    [
        (("buy some bitcoin", "0.1"), "buy", "BTC", "0.1", "BTC"),
        (("我想买点比特币", "0.2"), "buy", "BTC", "0.2", "BTC"),
        (("sell 2", "ETH"), "sell", "ETH", "2", "ETH"),
        (("0.5 BTC", "sell"), "sell", "BTC", "0.5", "BTC"),
        (("trade some XRP", "buy", "100"), "buy", "XRP", "100", "XRP"),
        (("幫我賣一半", "以太坊"), "sell", "ETH", "50", "%"),
        (("buy some SOL", "300 usdt"), "buy", "SOL", "300", "USDT"),
        (("buy some bitcoin", "two hundred dollars"), "buy", "BTC", "200", "USD"),
    ],
)
def test_replies_complete_the_request(
    messages: tuple[str, ...], action: str, asset: str, amount: str, unit: str
) -> None:
    intent = _intent(_converse(*messages))

    assert (intent.action, intent.asset) == (action, asset)
    assert intent.amount is not None
    assert (intent.amount.value, intent.amount.unit) == (Decimal(amount), unit)
    assert intent.order_type == "market"


def test_a_reply_can_give_the_missing_limit_price() -> None:
    intent = _intent(_converse("place a limit buy for 3 SOL", "at 150"))

    assert (intent.order_type, intent.limit_price) == ("limit", Decimal(150))


def test_what_is_still_missing_is_asked_again() -> None:
    outcome = _converse("trade some XRP", "buy")

    assert isinstance(outcome, Answered)
    assert isinstance(outcome.result, Clarification)
    assert outcome.result.missing == ("amount",)
    assert outcome.result.side == "buy"
    assert "How much XRP" in outcome.result.question


@pytest.mark.parametrize(
    "reply", ["never mind", "nvm", "forget it", "算了", "不用了", "cancel that"]
)
def test_never_mind_drops_the_pending_request(reply: str) -> None:
    assert isinstance(_converse("buy some bitcoin", reply), Dismissed)


def test_a_complete_request_replaces_the_pending_one() -> None:
    outcome = _converse("buy some bitcoin", "sell 1 ETH")

    assert isinstance(outcome, NewRequest)
    assert isinstance(outcome.result, Intent)
    assert (outcome.result.action, outcome.result.asset) == ("sell", "ETH")


def test_a_refusal_stands_and_off_topic_answers_nothing() -> None:
    refused = _converse("buy some bitcoin", "withdraw it all to my wallet")
    assert isinstance(refused, NewRequest)
    assert refused.result.kind == "unsupported"
    assert isinstance(_converse("buy some bitcoin", "what's the weather"), NewRequest)


def test_a_bare_number_is_not_a_price_when_the_amount_is_missing() -> None:
    intent = _intent(_converse("buy some ETH", "3000"))

    assert intent.amount is not None
    assert intent.amount.value == Decimal(3000)
    assert intent.limit_price is None  # the question was "how much", not "at what price"


def test_a_bare_number_without_a_known_asset_is_not_guessed() -> None:
    outcome = _converse("I want to buy crypto", "5")

    assert isinstance(outcome, NewRequest)  # neither an amount of what, nor a price


@pytest.mark.parametrize(
    ("messages", "amount", "unit"),
    [
        (("sell 1/2 eth", "0.5"), "0.5", "ETH"),
        (("sell 1/2 eth", "half my eth"), "50", "%"),
        (("sell 1/2 eth", "50%"), "50", "%"),
        (("卖出1/2以太坊", "一半"), "50", "%"),
    ],
)
def test_an_ambiguous_fraction_is_settled_by_the_reply(
    messages: tuple[str, ...], amount: str, unit: str
) -> None:
    intent = _intent(_converse(*messages))

    assert (intent.action, intent.asset) == ("sell", "ETH")
    assert intent.amount is not None
    assert (intent.amount.value, intent.amount.unit) == (Decimal(amount), unit)


def test_repeating_the_ambiguous_fraction_settles_nothing() -> None:
    outcome = _converse("sell 1/2 eth", "1/2")

    assert isinstance(outcome, NewRequest)
    assert not isinstance(outcome.result, Intent)
