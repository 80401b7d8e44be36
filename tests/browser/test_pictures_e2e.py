"""A picture where one helps: the book side a market order walks, with its expected average
and worst price marked; a bracket's take-profit and stop-loss against the current price.
At a small phone's width, restored on reload."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Locator, expect

from tests.browser.helpers import (
    SMALL_PHONE,
    assert_no_sideways_scroll,
    chat_ready,
    screenshot,
    send,
    session,
    sign_in,
)

pytestmark = pytest.mark.browser


def _x(mark: Locator) -> float:
    return float(mark.get_attribute("data-x") or "nan")


def _price(mark: Locator) -> Decimal:
    return Decimal(mark.get_attribute("data-price") or "NaN")


# Larger than the demo balances (the card then warns and cannot be confirmed), so that the
# order walks several levels of the sandbox's deep books.
@pytest.mark.parametrize(("text", "side"), [("buy 2 BTC", "buy"), ("sell 3 BTC", "sell")])
def test_a_market_order_card_draws_the_walk_with_its_average_and_worst_price(
    browser: Browser, server: str, text: str, side: str
) -> None:
    page = sign_in(browser, server, viewport=SMALL_PHONE)
    send(page, text)
    card = page.locator(".plan-step").last
    chart = card.locator("svg.depth-chart")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("role", "img")
    label = chart.get_attribute("aria-label") or ""
    assert f"this {side} walks" in label
    assert "expected average price" in label
    assert "worst price" in label
    (step,) = session(page)["steps"]
    preview = step["preview"]
    average, worst = chart.locator(".depth-average"), chart.locator(".depth-worst")
    assert _price(average) == Decimal(preview["average_price"])
    assert _price(worst) == Decimal(preview["worst_price"])
    # Prices grow to the right: a buy's worst is right of its average, a sell's left of it.
    assert (_x(average) < _x(worst)) if side == "buy" else (_x(worst) < _x(average))
    expect(average).to_contain_text("Average")
    expect(worst).to_contain_text("Worst")
    box, holder = chart.bounding_box(), card.bounding_box()
    assert box is not None
    assert holder is not None
    assert box["x"] >= holder["x"]
    assert box["x"] + box["width"] <= holder["x"] + holder["width"]
    assert_no_sideways_scroll(page)
    screenshot(page, f"depth-{side}-360")

    # A reload draws it again, from the session view.
    page.reload()
    chat_ready(page)
    again = page.locator(".plan-step svg.depth-chart").last
    expect(again).to_be_visible()
    assert _x(again.locator(".depth-average")) == _x(average)
    assert _x(again.locator(".depth-worst")) == _x(worst)
    page.close()


def test_bracket_exit_cards_draw_take_profit_and_stop_loss_against_the_price(
    browser: Browser, server: str
) -> None:
    page = sign_in(browser, server, viewport=SMALL_PHONE)
    send(page, "buy 0.01 BTC with take profit at 70000 and stop loss at 60000")
    expect(page.locator(".plan-step")).to_have_count(3)
    entry, take_profit, stop_loss = (page.locator(".plan-step").nth(i) for i in range(3))

    expect(entry.locator("svg.depth-chart")).to_be_visible()
    for card in (take_profit, stop_loss):
        scale = card.locator("svg.level-scale")
        expect(scale).to_be_visible()
        expect(scale).to_have_attribute("role", "img")
        tp, sl, now = (
            scale.locator(".level-mark.take-profit"),
            scale.locator(".level-mark.stop-loss"),
            scale.locator(".level-now"),
        )
        assert (_price(sl), _price(tp)) == (Decimal(60000), Decimal(70000))
        assert Decimal(60000) < _price(now) < Decimal(70000)
        assert _x(sl) < _x(now) < _x(tp)
        expect(tp).to_contain_text("Take profit 70,000.00")
        expect(sl).to_contain_text("Stop loss 60,000.00")
        expect(now).to_contain_text("Now")
        label = scale.get_attribute("aria-label") or ""
        assert "Take profit at 70,000.00 USDT" in label
        assert "Stop loss at 60,000.00 USDT" in label
    assert_no_sideways_scroll(page)
    screenshot(page, "bracket-levels-360")

    page.reload()
    chat_ready(page)
    restored = page.locator(".plan-step.mandate svg.level-scale")
    expect(restored).to_have_count(2)
    expect(restored.first.locator(".level-mark")).to_have_count(2)
    page.close()


def test_a_trigger_mandate_draws_its_trigger_against_the_price(
    browser: Browser, server: str
) -> None:
    page = sign_in(browser, server, viewport=SMALL_PHONE)
    send(page, "buy 0.01 BTC if it drops below 60000")

    scale = page.locator(".plan-step.mandate svg.level-scale").last
    expect(scale).to_be_visible()
    trigger, now = scale.locator(".level-mark.trigger"), scale.locator(".level-now")
    assert _price(trigger) == Decimal(60000)
    assert _x(trigger) < _x(now)
    expect(trigger).to_contain_text("Trigger 60,000.00")
    page.close()
