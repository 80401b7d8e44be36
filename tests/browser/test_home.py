"""The chat page as a home: a session only once the customer says something, a reload that
continues the conversation with its steps as they stand, New conversation, the earlier ones
listed, and the Orders & plans panel (standing orders stopped from it or from the chat, a
paused one resumed from it), at a phone's and a desktop's size."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    assert_no_sideways_scroll,
    axe_violations,
    chat_ready,
    describe,
    new_conversation,
    page_get,
    screenshot,
    send,
    sign_in,
)

pytestmark = pytest.mark.browser

SIZES = [pytest.param(PHONE, id="390"), pytest.param(DESKTOP, id="1280")]
DAILY = "buy 20 USDT of BTC every day for 3 days"
STOPPED = "Stopped: no more orders are placed; the 1 already sent stay as they are."


def _sessions(page: Page) -> list[str]:
    return [s["id"] for s in page_get(page, "/api/sessions")["sessions"]]


def _session_id(page: Page) -> str:
    found = page.locator("body").get_attribute("data-session-id")
    assert found, "the page has a session"
    return found


def _open_panel(page: Page) -> Locator:
    """The Orders & plans panel, its drawer opened on a phone."""
    toggle = page.locator("#balances-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    panel = page.locator("#orders-panel")
    expect(panel).to_be_visible()
    return panel


def _standing(page: Page, session_id: str, step_id: str) -> Locator:
    return page.locator(
        f"#standing-orders li[data-session-id='{session_id}'][data-step-id='{step_id}']"
    )


def _armed_daily_purchase(page: Page) -> Locator:
    send(page, DAILY)
    card = page.locator(".plan-step[data-step-id='p1.1']")
    card.locator("button.confirm").click()
    expect(card.locator(".step-status")).to_contain_text("1 of 3 placed so far")
    return card


def test_visiting_the_chat_opens_no_session_until_a_message(browser: Browser, server: str) -> None:
    # First in this module: its server has no session yet.
    page = sign_in(browser, server, fresh=False)
    chat_ready(page)
    expect(page.locator("#transcript .bubble.assistant")).to_contain_text("Hello")
    page.goto(f"{server}/chat")
    chat_ready(page)
    assert _sessions(page) == []
    expect(page.locator("#conversations summary")).to_have_text("Your conversations (0)")

    # (not the "Preparing…" bubble, shown before the conversation is opened)
    replies = page.locator(".bubble.assistant:not(.progress)")
    send(page, "what is the price of BTC")
    expect(replies).to_have_count(2)
    first = _sessions(page)
    assert len(first) == 1
    assert _session_id(page) == first[0]
    send(page, "what is the price of ETH")  # the same conversation
    expect(replies).to_have_count(3)
    assert _sessions(page) == first

    new_conversation(page)
    assert _sessions(page) == first  # nothing is opened until something is said
    send(page, "buy 0.01 BTC")
    expect(page.locator(".plan-step button.confirm")).to_be_visible()
    both = _sessions(page)
    assert len(both) == 2
    assert both[1] == first[0]  # newest activity first

    # The earlier one is listed with its first message and shown when clicked.
    page.locator("#conversations summary").click()
    earlier = page.locator(f"#conversation-list button[data-session-id='{first[0]}']")
    expect(earlier.locator(".first-message")).to_have_text("what is the price of BTC")
    expect(
        page.locator(f"#conversation-list button[data-session-id='{both[0]}'] .first-message")
    ).to_have_text("buy 0.01 BTC")
    earlier.click()
    expect(earlier).to_have_attribute("aria-current", "true")
    expect(page.locator(".bubble.customer")).to_have_text(
        ["what is the price of BTC", "what is the price of ETH"]
    )
    assert _session_id(page) == first[0]

    # A reload continues the conversation the tab showed (not the one with the newest
    # activity: a mandate's order elsewhere must not switch the customer's view) ...
    page.goto(f"{server}/chat")
    chat_ready(page)
    assert _session_id(page) == first[0]
    # ... and back in the newest one, the preview's token is still held, so its Confirm and
    # countdown are back.
    page.locator("#conversations summary").click()
    page.locator(f"#conversation-list button[data-session-id='{both[0]}']").click()
    expect(page.locator("body")).to_have_attribute("data-session-id", both[0])
    card = page.locator(".plan-step", has_text="Buy 0.01 BTC")
    expect(card.locator("button.confirm")).to_be_visible()
    expect(card.locator(".expires")).to_contain_text("Quote valid for")
    card.locator("button.confirm").click()
    expect(card.locator(".step-status")).to_have_text(re.compile(r"^Filled: 0\.01 at"))
    panel = _open_panel(page)
    expect(panel.locator("#recent-fills li").first).to_contain_text("Buy 0.01 BTC/USDT")
    expect(panel.locator("#open-orders")).to_contain_text("No open orders.")
    send(page, "sell 2 SOL at 180")
    resting = page.locator(".plan-step", has_text="Sell 2 SOL")
    resting.locator("button.confirm").click()
    expect(resting.locator(".step-status")).to_contain_text("is open at 180")
    expect(panel.locator("#open-orders li")).to_have_count(1)
    expect(panel.locator("#open-orders li")).to_contain_text("Sell 2 SOL/USDT")
    expect(panel.locator("#open-orders li")).to_contain_text("Price 180")
    expect(panel.locator("#open-orders li")).to_contain_text("Filled 0")
    page.close()

    # Another tab holds no token: the pending step offers a fresh quote instead.
    other = sign_in(browser, server, fresh=False)
    chat_ready(other)
    send(other, "buy 0.02 BTC")
    expect(other.locator(".plan-step button.confirm")).to_be_visible()
    other.close()
    third = sign_in(browser, server, fresh=False)
    chat_ready(third)
    pending = third.locator(".plan-step", has_text="Buy 0.02 BTC")
    expect(pending.locator("button.confirm")).to_have_count(0)
    expect(pending.locator(".step-status")).to_have_text(
        "Refresh the quote to confirm this step. Nothing was sent."
    )
    pending.locator("button.refresh").click()
    fresh = third.locator(".plan-step", has_text="Buy 0.02 BTC")
    expect(fresh.locator("button.confirm")).to_be_visible()
    third.close()


@pytest.mark.parametrize("viewport", SIZES)
def test_a_mandate_survives_a_reload_and_is_stopped_from_the_panel(
    browser: Browser, server: str, viewport: ViewportSize
) -> None:
    page = sign_in(browser, server, viewport=viewport)
    _armed_daily_purchase(page)
    session_id = _session_id(page)

    page.reload()
    chat_ready(page)
    assert _session_id(page) == session_id
    expect(page.locator(".bubble.customer")).to_have_text([DAILY])
    card = page.locator(".plan-step[data-step-id='p1.1']")
    expect(card.locator(".step-status")).to_contain_text("Armed: up to 3 orders")
    expect(card.locator(".step-status")).to_contain_text("1 of 3 placed so far")
    expect(card.locator(".mandate-orders li")).to_contain_text("filled")

    panel = _open_panel(page)
    item = _standing(page, session_id, "p1.1")
    expect(item.locator(".state-word")).to_have_text("Active")
    expect(item).to_contain_text("1 of 3 placed")
    expect(item).to_contain_text("Next run:")
    expect(item.locator(".terms")).to_contain_text("every 1 day")
    expect(panel.locator("#recent-fills li").first).to_contain_text("Buy")
    expect(panel.locator("#recent-fills li").first).to_contain_text("BTC/USDT")
    assert_no_sideways_scroll(page)
    size = f"{viewport['width']}x{viewport['height']}"
    screenshot(page, f"orders-panel-{size}")
    screenshot(page, f"orders-panel-{size}-screen", full_page=False)
    violations = axe_violations(page)
    assert not violations, describe(violations)

    item.locator("button.panel-stop").click()
    expect(item.locator(".stop-question")).to_have_text(
        "Stop this standing order? Orders already placed stay as they are."
    )
    item.locator("button.panel-stop-no").click()  # kept: nothing happened
    expect(item.locator(".stop-question")).to_have_count(0)
    expect(item.locator(".state-word")).to_have_text("Active")
    item.locator("button.panel-stop").click()
    item.locator("button.panel-stop-yes").click()
    expect(item).to_have_count(0)
    expect(page.locator("#orders-status")).to_contain_text("Stopped:")
    expect(card.locator(".step-status")).to_have_text(STOPPED)
    assert not [
        m for m in page_get(page, "/api/orders")["mandates"] if m["session_id"] == session_id
    ]
    page.close()


@pytest.mark.parametrize("viewport", SIZES)
def test_a_mandate_stopped_in_the_chat_leaves_the_panel(
    browser: Browser, server: str, viewport: ViewportSize
) -> None:
    page = sign_in(browser, server, viewport=viewport)
    send(page, DAILY)
    card = page.locator(".plan-step[data-step-id='p1.1']")
    expect(card.locator("button.confirm")).to_be_visible()
    session_id = _session_id(page)
    _open_panel(page)
    item = _standing(page, session_id, "p1.1")
    expect(item.locator(".state-word")).to_have_text("Awaiting your confirmation")

    card.locator("button.confirm").click()
    expect(card.locator(".step-status")).to_contain_text("1 of 3 placed so far")
    expect(item.locator(".state-word")).to_have_text("Active")
    card.locator("button.stop").click()  # the card's own Stop
    expect(card.locator(".step-status")).to_have_text(STOPPED)
    expect(item).to_have_count(0)
    page.close()


def test_a_paused_mandate_is_resumed_from_the_panel(browser: Browser, server: str) -> None:
    page = sign_in(browser, server, viewport=DESKTOP)
    send(page, "sell 0.3 BTC if it rises above 1000")
    mandate = page.locator(".plan-step[data-step-id='p1.1']")
    expect(mandate.locator("button.confirm")).to_be_visible()
    send(page, "sell 0.3 BTC")  # too little BTC is left for the mandate
    sale = page.locator(".plan-step[data-step-id='p2.1']")
    sale.locator("button.confirm").click()
    expect(sale.locator(".step-status")).to_contain_text("Filled")
    mandate.locator("button.confirm").click()
    expect(mandate.locator(".step-status")).to_contain_text("Paused")
    send(page, "buy 0.3 BTC")
    purchase = page.locator(".plan-step[data-step-id='p3.1']")
    purchase.locator("button.confirm").click()
    expect(purchase.locator(".step-status")).to_contain_text("Filled")
    session_id = _session_id(page)

    new_conversation(page)  # Resume brings its conversation back
    item = _standing(page, session_id, "p1.1")
    expect(item.locator(".state-word")).to_have_text(re.compile(r"^Paused: this needs 0\.3 BTC"))
    item.locator("button.panel-resume").click()
    again = page.locator(".plan-step[data-step-id='p1.1']")
    expect(again.locator("button.confirm")).to_have_text("Confirm mandate")
    expect(again).to_be_focused()
    assert _session_id(page) == session_id
    expect(item.locator(".state-word")).to_have_text("Awaiting your confirmation")
    again.locator("button.confirm").click()
    expect(again.locator(".step-status")).to_have_text("Done: all 1 orders placed.")
    expect(item).to_have_count(0)
    page.close()
