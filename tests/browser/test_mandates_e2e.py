"""Mandates in real headless Chromium: the terms shown before confirming, "Armed" after,
the worker's orders listed as they fill, a pause that asks, and the Stop button."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import acknowledge_disclosure, new_conversation

pytestmark = pytest.mark.browser


def _sign_in(browser: Browser, server: str) -> Page:
    page = browser.new_page()
    page.goto(f"{server}/login")
    page.fill("input[name=user_id]", "demo-customer")
    page.fill("input[name=token]", "demo-customer-token")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server}/chat")
    acknowledge_disclosure(page)  # the first visit to this server shows it
    new_conversation(page)  # the page continues the newest conversation: start afresh
    return page


def _send(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")


def _session_step(page: Page, step_id: str) -> dict:
    return page.evaluate(
        """async ([stepId]) => {
            const id = document.body.dataset.sessionId;
            const session = await (await fetch(`/api/sessions/${id}`)).json();
            const steps = session.steps.filter((s) => s.step_id === stepId || s.parent === stepId);
            return {step: steps.find((s) => s.step_id === stepId),
                    children: steps.filter((s) => s.parent === stepId).map((s) => s.state)};
        }""",
        [step_id],
    )


def test_a_schedule_is_armed_places_its_first_order_and_is_stopped(
    browser: Browser, server: str
) -> None:
    page = _sign_in(browser, server)
    _send(page, "buy 20 USDT of BTC every day for 3 days")

    card = page.locator(".plan-step", has_text="every 1 day, 3 orders")
    figures = card.locator("table.figures")
    expect(figures).to_contain_text("None: the first order goes out when you confirm")
    expect(figures).to_contain_text("At most 3, one every 1 day")
    band = re.compile(r"Each order expected between [\d,.]+ and [\d,.]+ USDT")
    expect(figures).to_contain_text(band)
    expect(figures).to_contain_text("Until")
    expect(card.locator(".summary")).to_contain_text("Mandate: at most 3 orders, one every 1 day")
    confirm = card.locator("button.confirm")
    expect(confirm).to_have_text("Confirm mandate")
    confirm.click()

    status = card.locator(".step-status")
    expect(status).to_contain_text("Armed: up to 3 orders, one every 1 day")
    first = card.locator(".mandate-orders li[data-step-id='p1.1.1']")
    expect(first).to_have_text(re.compile(r"^Order 1: filled [\d.]+ BTC at [\d,.]+ USDT average"))
    expect(status).to_contain_text("1 of 3 placed so far")
    expect(card.locator("button.confirm")).to_have_count(0)

    card.locator("button.stop").click()
    expect(status).to_have_text(
        "Stopped: no more orders are placed; the 1 already sent stay as they are."
    )
    expect(card.locator("button.stop")).to_have_count(0)
    expect(first).to_contain_text("filled")  # the order already sent stays as it is
    seen = _session_step(page, "p1.1")
    assert seen["step"]["state"] == "rejected"
    assert seen["children"] == ["filled"]
    page.close()


def test_a_paused_mandate_asks_and_is_confirmed_again(browser: Browser, server: str) -> None:
    page = _sign_in(browser, server)
    # The condition holds already (the price is far above 1000): confirming places the
    # order at once, unless the BTC is gone by then.
    _send(page, "sell 0.3 BTC if it rises above 1000")
    mandate = page.locator(".plan-step", has_text="once the price is at or above 1000")
    expect(mandate.locator("table.figures")).to_contain_text(
        "Only once the price is at or above 1000 USDT"
    )
    expect(mandate.locator("table.figures")).to_contain_text("One")
    expect(mandate.locator("button.confirm")).to_have_text("Confirm mandate")

    _send(page, "sell 0.3 BTC")  # leaves about 0.2 BTC: too little for the mandate
    sale = page.locator(".plan-step", has_text="Sell 0.3 BTC at market on BTC/USDT").last
    expect(sale).not_to_contain_text("once the price")
    sale.locator("button.confirm").click()
    expect(sale.locator(".step-status")).to_contain_text("Filled")

    mandate.locator("button.confirm").click()
    status = mandate.locator(".step-status")
    expect(status).to_contain_text(re.compile(r"^Paused: this needs 0\.3 BTC but you have 0\.2"))
    expect(mandate.locator("button.stop")).to_be_visible()
    pause_message = page.locator(".bubble.assistant", has_text="I paused Sell 0.3 BTC")
    expect(pause_message).to_have_count(1)
    expect(pause_message).to_contain_text("Nothing more is sent until you preview it again")
    page.wait_for_timeout(4_500)  # two more polls: the message is shown once
    expect(pause_message).to_have_count(1)

    _send(page, "buy 0.2 BTC")
    purchase = page.locator(".plan-step", has_text="Buy 0.2 BTC")
    purchase.locator("button.confirm").click()
    expect(purchase.locator(".step-status")).to_contain_text("Filled")

    mandate.locator("button.preview-again").click()
    again = page.locator(".plan-step[data-step-id='p1.1']")
    expect(again.locator("button.confirm")).to_have_text("Confirm mandate")
    again.locator("button.confirm").click()
    expect(again.locator(".step-status")).to_have_text("Done: all 1 orders placed.")
    expect(again.locator(".mandate-orders li")).to_have_text(
        re.compile(r"^Order 1: filled 0\.3 BTC at [\d,.]+ USDT average")
    )
    expect(again.locator("button.stop")).to_have_count(0)
    page.close()
