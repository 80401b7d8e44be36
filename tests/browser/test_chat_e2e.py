"""End to end in real headless Chromium: sign in, ask, see the preview, confirm, see the fill."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import acknowledge_disclosure, new_conversation

pytestmark = pytest.mark.browser


def _sign_in(browser: Browser, server: str, user: str, token: str) -> Page:
    page = browser.new_page()
    page.goto(f"{server}/login")
    page.fill("input[name=user_id]", user)
    page.fill("input[name=token]", token)
    page.click("button[type=submit]")
    return page


def _customer(browser: Browser, server: str) -> Page:
    """The customer signed in, in a fresh conversation (the page continues the newest)."""
    page = _sign_in(browser, server, "demo-customer", "demo-customer-token")
    expect(page).to_have_url(f"{server}/chat")
    acknowledge_disclosure(page)  # the first visit to this server shows it
    new_conversation(page)
    return page


def test_customer_buys_and_sees_the_fill(browser: Browser, server: str) -> None:
    page = _customer(browser, server)
    expect(page).to_have_url(f"{server}/chat")
    expect(page.locator("#balances tr[data-currency=BTC] td")).to_have_text("0.5")

    page.fill("#message", "buy 0.01 BTC")
    page.press("#message", "Enter")

    step = page.locator(".plan-step")
    expect(step).to_contain_text("Buy 0.01 BTC at market on BTC/USDT")
    expect(step).to_contain_text("Average price")
    # price impact in %, not bps
    expect(step).to_contain_text(re.compile(r"Price impact\s*≈ 0\.\d\d% from the mid price"))
    expect(step.locator(".summary")).to_contain_text("you pay ≈")
    step.locator("button.confirm").click()

    expect(step.locator(".step-status")).to_have_text(re.compile(r"^Filled: 0\.01 at [\d.]+"))
    expect(page.locator("#balances tr[data-currency=BTC] td")).to_have_text(
        re.compile(r"^0\.50\d+$")
    )  # 0.5 + 0.01 less the fee paid in BTC
    page.close()


def test_support_console_shows_verified_timeline(browser: Browser, server: str) -> None:
    customer = _customer(browser, server)
    customer.fill("#message", "sell 2 SOL at 180")
    customer.press("#message", "Enter")
    expect(customer.locator(".plan-step button.confirm").last).to_be_visible()
    customer.close()

    page = _sign_in(browser, server, "demo-support", "demo-support-token")
    expect(page).to_have_url(f"{server}/support")
    page.locator("#sessions a").first.click()

    expect(page.locator("#chain-status")).to_contain_text("Chain verified")
    expect(page.locator("#timeline")).to_contain_text("step_previewed")
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    status = page.evaluate(
        """async ([csrf]) => {
            const sessions = await (await fetch('/api/support/sessions')).json();
            const id = sessions.sessions[0].id;
            const r = await fetch(`/api/sessions/${id}/steps/p1.1/confirm`, {
              method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
              body: JSON.stringify({token: 'v1.0.x'})});
            return r.status;
        }""",
        [csrf],
    )
    assert status == 403
    page.close()


def test_wrong_token_cannot_sign_in(browser: Browser, server: str) -> None:
    page = _sign_in(browser, server, "demo-customer", "wrong")
    expect(page.locator(".error")).to_contain_text("Unknown user or wrong token")
    page.close()


def test_clarification_dialogue_and_highlighted_words(browser: Browser, server: str) -> None:
    page = _customer(browser, server)

    page.fill("#message", "buy some bitcoin")
    page.press("#message", "Enter")
    expect(page.locator(".bubble.assistant").last).to_contain_text("How much BTC")
    expect(page.locator(".bubble.customer mark[data-field=asset]").first).to_have_text("bitcoin")
    page.fill("#message", "0.01")
    page.press("#message", "Enter")

    step = page.locator(".plan-step").last
    expect(step).to_contain_text("Buy 0.01 BTC at market on BTC/USDT")
    expect(page.locator(".bubble.customer").last.locator("mark")).to_have_count(0)
    page.close()


def test_a_preview_still_funded_after_another_order_confirms_and_an_unfunded_one_is_refused(
    browser: Browser, server: str
) -> None:
    page = _customer(browser, server)
    page.fill("#message", "buy 0.01 BTC")
    page.press("#message", "Enter")
    btc = page.locator(".plan-step", has_text="Buy 0.01 BTC")  # locators are lazy: by text
    expect(btc.locator("button.confirm")).to_be_visible()
    page.fill("#message", "buy 0.3 BTC")
    page.press("#message", "Enter")
    big = page.locator(".plan-step", has_text="Buy 0.3 BTC")
    expect(big.locator("button.confirm")).to_be_visible()
    # A third order spends USDT: the first preview's balances are out of date, but it is
    # still funded; the second no longer is.
    page.fill("#message", "buy 2 ETH")
    page.press("#message", "Enter")
    eth = page.locator(".plan-step", has_text="Buy 2 ETH")
    eth.locator("button.confirm").click()
    expect(eth.locator(".step-status")).to_contain_text("Filled")

    btc.locator("button.confirm").click()
    expect(btc.locator(".step-status")).to_have_text(re.compile(r"^Filled: 0\.01 at"))

    big.locator("button.confirm").click()
    expect(big.locator(".step-status")).to_contain_text("Not sent: this needs")
    page.close()


def test_customer_cancels_a_resting_order(browser: Browser, server: str) -> None:
    page = _customer(browser, server)
    page.fill("#message", "buy 0.01 BTC at 50000")
    page.press("#message", "Enter")
    resting = page.locator(".plan-step", has_text="Buy 0.01 BTC limit 50000")
    resting.locator("button.confirm").click()
    expect(resting.locator(".step-status")).to_contain_text("is open at 50,000.00")

    page.fill("#message", "cancel my BTC order")
    page.press("#message", "Enter")
    cancel = page.locator(".plan-step", has_text="Cancel order")
    expect(cancel).to_contain_text("Frees")
    expect(cancel.locator(".summary")).to_contain_text("frees ≈ 500")
    cancel.locator("button.confirm").click()

    expect(cancel.locator(".step-status")).to_contain_text("Canceled: order")
    page.close()


def test_a_customer_in_chinese_is_understood_and_corrected(browser: Browser, server: str) -> None:
    page = _customer(browser, server)

    page.fill("#message", "用0.01个bitcoiin换姨太")  # a misspelt coin, a convert by roles
    page.press("#message", "Enter")

    reply = page.locator(".bubble.assistant").last
    expect(reply).to_contain_text("我把“bitcoiin”理解为 Bitcoin (BTC)。")  # in its language
    step = page.locator(".plan-step").first
    expect(step).to_contain_text("BTC")
    expect(step).to_contain_text("ETH")

    page.fill("#message", "改成0.02")  # a correction changes only the amount
    page.press("#message", "Enter")
    expect(page.locator(".plan-step").last).to_contain_text("0.02")
