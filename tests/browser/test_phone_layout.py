"""The chat, login and support pages from a 360 px phone to a desktop: no sideways scroll,
a message box that spans the width, balances in a drawer, previews that stack."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    SMALL_PHONE,
    SUPPORT,
    assert_no_sideways_scroll,
    screenshot,
    send,
    sign_in,
)

pytestmark = pytest.mark.browser

SIZES = [
    pytest.param(SMALL_PHONE, id="360"),
    pytest.param(PHONE, id="390"),
    pytest.param(DESKTOP, id="1280"),
]


def _with_preview(browser: Browser, server: str, viewport: ViewportSize) -> Page:
    page = sign_in(browser, server, viewport=viewport)
    # A convert: two steps, the longest preview the chat shows for one message.
    send(page, "buy 0.01 BTC")
    expect(page.locator(".plan-step button.confirm")).to_be_visible()
    send(page, "convert 100 USDT to ETH")
    expect(page.locator(".plan-step").last).to_be_visible()
    expect(page.locator(".plan-step .figures").last).to_contain_text("Balances after")
    return page


@pytest.mark.parametrize("viewport", SIZES)
def test_the_chat_with_a_preview_never_scrolls_sideways(
    browser: Browser, server: str, viewport: ViewportSize
) -> None:
    page = _with_preview(browser, server, viewport)
    assert_no_sideways_scroll(page)
    if viewport["width"] in (390, 1280):
        size = f"{viewport['width']}x{viewport['height']}"
        screenshot(page, f"chat-preview-{size}")
        screenshot(page, f"chat-preview-{size}-screen", full_page=False)
    page.close()


def test_the_message_box_spans_a_phone(browser: Browser, server: str) -> None:
    page = sign_in(browser, server, viewport=PHONE)
    box = page.locator("#message").bounding_box()
    assert box is not None
    assert box["width"] >= 0.8 * PHONE["width"], box
    page.close()


def test_balances_are_a_drawer_on_a_phone(browser: Browser, server: str) -> None:
    page = sign_in(browser, server, viewport=PHONE)
    toggle = page.locator("#balances-toggle")
    panel = page.locator("#balances-panel")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(panel).to_be_hidden()

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(panel.locator("tr[data-currency=BTC] td")).to_have_text("0.5")
    assert_no_sideways_scroll(page)
    toggle.click()
    expect(panel).to_be_hidden()
    page.close()


def test_balances_sit_beside_the_chat_on_a_desktop(browser: Browser, server: str) -> None:
    page = sign_in(browser, server, viewport=DESKTOP)
    expect(page.locator("#balances-toggle")).to_be_hidden()
    panel = page.locator("#balances-panel")
    expect(panel.locator("tr[data-currency=BTC] td")).to_have_text("0.5")
    chat = page.locator(".chat").bounding_box()
    side = panel.bounding_box()
    assert chat is not None
    assert side is not None
    assert side["x"] >= chat["x"] + chat["width"], (chat, side)  # beside, on the right
    page.close()


def _figure_boxes(page: Page) -> list[dict[str, Any]]:
    """Each row of the first card's figures: its label's and value's boxes and the card's,
    measured at one instant (the page may scroll between two separate measurements)."""
    boxes: list[dict[str, Any]] = page.evaluate(
        """() => {
            const card = document.querySelector('.plan-step');
            const box = (e) => { const r = e.getBoundingClientRect();
                                 return {x: r.x, y: r.y, width: r.width, height: r.height}; };
            return [...card.querySelectorAll('.figures tr')].map((tr) => ({
                label: box(tr.querySelector('th')), value: box(tr.querySelector('td')),
                card: box(card), lines: Math.round(tr.querySelector('td').getBoundingClientRect()
                    .height / parseFloat(getComputedStyle(tr.querySelector('td')).lineHeight)),
                text: tr.textContent}));
        }"""
    )
    return boxes


def test_preview_figures_stack_label_over_value_on_a_phone(browser: Browser, server: str) -> None:
    page = _with_preview(browser, server, PHONE)
    rows = _figure_boxes(page)
    assert len(rows) >= 3  # average price, fee, balances after; the rest is behind Details
    for row in rows:
        label, value, card = row["label"], row["value"], row["card"]
        # The value sits under its label and has the card's width, not a sliver of it,
        # so it never wraps one word per line.
        assert value["y"] >= label["y"] + label["height"] - 1, row
        assert value["width"] >= 0.7 * card["width"], row
        assert row["lines"] <= 3, row
    page.close()


def test_preview_figures_are_a_table_on_a_desktop(browser: Browser, server: str) -> None:
    page = _with_preview(browser, server, DESKTOP)
    for row in _figure_boxes(page):
        label, value = row["label"], row["value"]
        assert value["x"] > label["x"] + label["width"] - 1, row  # side by side
        assert abs(value["y"] - label["y"]) < 4, row
        assert row["lines"] <= 2, row
    page.close()


@pytest.mark.parametrize("viewport", SIZES)
def test_login_and_support_pages_never_scroll_sideways(
    browser: Browser, server: str, viewport: ViewportSize
) -> None:
    customer = _with_preview(browser, server, DESKTOP)  # a session with a plan to look at
    customer.close()

    page = browser.new_page(viewport=viewport)
    page.goto(f"{server}/login")
    assert_no_sideways_scroll(page)
    page.close()

    page = sign_in(browser, server, SUPPORT, viewport=viewport)
    expect(page.locator("#sessions a").first).to_be_visible()
    assert_no_sideways_scroll(page)
    page.locator("#sessions a").first.click()
    expect(page.locator("#timeline")).to_contain_text("step_previewed")
    assert_no_sideways_scroll(page)
    for summary in page.locator("#timeline details summary").all()[:6]:
        summary.click()  # open payloads: long JSON lines wrap or scroll inside their box
    assert_no_sideways_scroll(page)
    if viewport["width"] == 390:
        screenshot(page, "support-session-390x844")
    page.close()
