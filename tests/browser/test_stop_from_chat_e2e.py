"""Stopping a standing order by typing it, in real headless Chromium: a weekly purchase is
armed, the page reloaded, "stop my weekly BTC buys" shows a stop card, and its Confirm
takes the purchase off the Orders & plans panel."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.helpers import chat_ready, new_conversation, page_get, send, sign_in

pytestmark = pytest.mark.browser

WEEKLY = "buy 20 USDT of BTC every week for 10 weeks"


def test_stop_my_weekly_btc_buys_from_the_chat(browser: Browser, server: str) -> None:
    page = sign_in(browser, server)
    send(page, WEEKLY)
    mandate = page.locator(".plan-step[data-step-id='p1.1']")
    mandate.locator("button.confirm").click()
    expect(mandate.locator(".step-status")).to_contain_text("1 of 10 placed so far")
    armed_in = page.locator("body").get_attribute("data-session-id")
    standing = page.locator(
        f"#standing-orders li[data-session-id='{armed_in}'][data-step-id='p1.1']"
    )
    expect(standing).to_have_count(1)

    page.reload()
    chat_ready(page)
    new_conversation(page)
    send(page, "stop my weekly BTC buys")

    card = page.locator(".plan-step.stop")
    expect(card.locator("h3")).to_have_text(
        "Stop: Buy 20 USDT of BTC at market on BTC/USDT, every 1 week, 10 orders"
    )
    expect(card.locator(".summary")).to_have_text(
        "Stop: Buy 20 USDT of BTC at market on BTC/USDT, every 1 week, 10 orders — "
        "1 of 10 orders placed; orders already placed stay placed."
    )
    expect(card.locator("button.reject")).to_be_visible()
    expect(standing).to_have_count(1)  # nothing stopped before the yes
    card.locator("button.confirm").click()

    expect(card.locator(".step-status")).to_have_text(
        "Stopped: Buy 20 USDT of BTC at market on BTC/USDT, every 1 week, 10 orders. "
        "No more orders are placed; those already placed stay placed."
    )
    expect(card.locator("button.confirm")).to_have_count(0)
    expect(standing).to_have_count(0)
    expect(page.locator("#orders-status")).to_contain_text("Stopped: Buy 20 USDT of BTC")
    assert not [m for m in page_get(page, "/api/orders")["mandates"] if m["session_id"] == armed_in]
    stopped = page_get(page, f"/api/sessions/{armed_in}")
    assert next(s for s in stopped["steps"] if s["step_id"] == "p1.1")["state"] == "rejected"

    page.reload()  # the stop card reads the same after a reload
    chat_ready(page)
    expect(page.locator(".plan-step.stop .step-status")).to_contain_text("Stopped: Buy 20 USDT")
    page.close()
