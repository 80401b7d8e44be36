"""The support console's session list in Chromium: a plain GET form searches by customer
and by text (Chinese included), and "Older →" pages back through the rest."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.browser.helpers import (
    PHONE,
    SUPPORT,
    assert_no_sideways_scroll,
    axe_violations,
    customer_api,
    describe,
    screenshot,
    sign_in,
)


def test_support_searches_sessions_and_pages_older(
    browser: Browser, first_visit_server: str
) -> None:
    server = first_visit_server
    for _ in range(2):  # visits to the chat page open no session (only a first message does)
        sign_in(browser, server).close()  # the customer acknowledges the risk disclosure
    made = []
    for text in ("buy 0.01 BTC", "卖掉一半的以太坊", "sell 1 SOL"):
        session_id = customer_api(server, "POST", "/api/sessions")["id"]
        customer_api(server, "POST", f"/api/sessions/{session_id}/messages", {"text": text})
        made.append(session_id)
    customer_api(server, "POST", "/api/sessions")  # opened, nothing said: not listed

    page = sign_in(browser, server, SUPPORT)
    expect(page).to_have_url(f"{server}/support")
    rows = page.locator("#sessions tbody tr[data-session-id]")
    expect(rows).to_have_count(3)
    screenshot(page, "support-sessions-1280")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.set_viewport_size(PHONE)
    assert_no_sideways_scroll(page)
    screenshot(page, "support-sessions-390")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.check("#session-filters input[name=include_empty]")
    page.click("#session-filters button[type=submit]")
    expect(rows).to_have_count(4)  # the three, and the one opened and left: no visit's
    page.uncheck("#session-filters input[name=include_empty]")
    page.fill("#session-filters input[name=customer]", "nobody")
    page.click("#session-filters button[type=submit]")
    expect(rows).to_have_count(0)
    expect(page.locator("#sessions")).to_contain_text("No sessions match")

    page.fill("#session-filters input[name=customer]", "demo-customer")
    page.fill("#session-filters input[name=q]", "以太坊")
    page.click("#session-filters button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-session-id", made[1])
    expect(rows.first.locator(".first-request")).to_contain_text("卖掉一半的以太坊")
    expect(page.locator("#session-filters input[name=q]")).to_have_value("以太坊")

    page.goto(f"{server}/support?customer=demo-customer&limit=2")
    expect(rows).to_have_count(2)
    first_page = [rows.nth(i).get_attribute("data-session-id") for i in range(2)]
    assert first_page == [made[2], made[1]]
    page.click("#older")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-session-id", made[0])
    expect(rows.first.locator(".orders")).to_have_text("0")
    expect(page.locator("#older")).to_have_count(0)
    assert "customer=demo-customer" in page.url
    page.close()
