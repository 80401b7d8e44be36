"""The support console's customer page in real Chromium: from a session's header to the
customer's sessions, orders, fills and standing orders, at a desktop and a phone."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from .helpers import (
    DESKTOP,
    PHONE,
    SUPPORT,
    assert_no_sideways_scroll,
    axe_violations,
    customer_api,
    describe,
    screenshot,
    sign_in,
)


def _confirm_all(server: str, sid: str, text: str) -> list[dict[str, object]]:
    turn = customer_api(server, "POST", f"/api/sessions/{sid}/messages", {"text": text})
    return [
        customer_api(
            server,
            "POST",
            f"/api/sessions/{sid}/steps/{p['step_id']}/confirm",
            {"token": p["token"]},
        )["step"]
        for p in turn["pending"]
    ]


def test_the_customer_page_shows_a_fill_and_a_standing_order(browser: Browser, server: str) -> None:
    sign_in(browser, server).close()  # the customer acknowledges the risk disclosure
    bought = customer_api(server, "POST", "/api/sessions")["id"]
    (buy,) = _confirm_all(server, bought, "buy 0.01 BTC")
    weekly = customer_api(server, "POST", "/api/sessions")["id"]
    (mandate,) = _confirm_all(server, weekly, "buy 100 USDT of BTC every week for 4 weeks")
    assert (buy["state"], mandate["state"]) == ("filled", "armed")

    page = sign_in(browser, server, SUPPORT, DESKTOP)
    page.goto(f"{server}/support/sessions/{bought}")
    page.click("#customer-link")

    expect(page).to_have_url(f"{server}/support/customers/demo-customer")
    expect(page.locator("h1")).to_have_text("Customer demo-customer")
    orders = page.locator("#customer-orders tbody tr")
    expect(orders.filter(has_text=str(buy["client_order_id"]))).to_contain_text("filled")
    fills = page.locator("#customer-fills tbody tr")
    expect(fills).to_have_count(2)  # the buy, and the standing order's first order
    expect(fills.first).to_contain_text("BTC/USDT")
    standing = page.locator("#customer-mandates tbody tr")
    expect(standing).to_have_count(1)
    expect(standing).to_contain_text("armed")
    expect(standing).to_contain_text("1 of 4")
    expect(standing).to_contain_text("every 1 week")
    sessions = page.locator("#customer-sessions tbody tr")
    expect(sessions).to_have_count(2)
    assert_no_sideways_scroll(page)
    screenshot(page, "support-customer-1280x800")
    violations = axe_violations(page)
    assert not violations, "support customer: " + describe(violations)

    # back to a session from the customer's list
    sessions.filter(has_text=weekly).locator("a").click()
    expect(page).to_have_url(re.compile(f"/support/sessions/{weekly}$"))

    phone = sign_in(browser, server, SUPPORT, PHONE)
    phone.goto(f"{server}/support/customers/demo-customer")
    expect(phone.locator("#customer-mandates")).to_contain_text("armed")
    assert_no_sideways_scroll(phone)
    screenshot(phone, "support-customer-390x844")


def test_an_unknown_customer_is_a_404_page_that_says_so(browser: Browser, server: str) -> None:
    page = sign_in(browser, server, SUPPORT, DESKTOP)

    response = page.goto(f"{server}/support/customers/nobody-here")

    assert response is not None
    assert response.status == 404
    expect(page.locator("#not-found")).to_have_text(
        "no customer 'nobody-here': no customer account and no session"
    )
