"""Live updates in real Chromium: what happens elsewhere (another client of the API, the
worker) reaches the open page by Server-Sent Events, without a reload and without the page
fetching the whole session (GET /api/sessions/{id}) again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests.browser.helpers import (
    CUSTOMER,
    DESKTOP,
    acknowledge_disclosure,
    customer_api,
    new_conversation,
    send,
    sign_in,
)

pytestmark = pytest.mark.browser

DAILY = "buy 20 USDT of BTC every day for 3 days"


def _requests(page: Page) -> list[str]:
    """Every request the page makes from now on, as ``METHOD path?query``."""
    seen: list[str] = []

    def note(request: Request) -> None:
        path = re.sub(r"^https?://[^/]+", "", request.url)
        seen.append(f"{request.method} {path}")

    page.on("request", note)
    return seen


def _whole_session_fetches(seen: list[str]) -> list[str]:
    return [r for r in seen if re.fullmatch(r"GET /api/sessions/[^/?]+", r)]


def _open_panel(page: Page) -> None:
    toggle = page.locator("#balances-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(page.locator("#orders-panel")).to_be_visible()


def _watched_sign_in(browser: Browser, server: str) -> tuple[Page, list[str]]:
    """:func:`sign_in`, with every request noted from the first."""
    page = browser.new_page(viewport=DESKTOP)
    seen = _requests(page)
    page.goto(f"{server}/login")
    page.fill("input[name=user_id]", CUSTOMER[0])
    page.fill("input[name=token]", CUSTOMER[1])
    page.click("button[type=submit]")
    acknowledge_disclosure(page)
    new_conversation(page)
    return page, seen


def test_a_mandate_armed_elsewhere_fills_and_the_panel_shows_it_live(
    browser: Browser, server: str
) -> None:
    page, seen = _watched_sign_in(browser, server)
    send(page, "buy 0.01 BTC")
    expect(page.locator(".plan-step button.confirm")).to_be_visible()
    shown = page.locator("body").get_attribute("data-session-id")
    _open_panel(page)
    expect(page.locator("#standing-orders")).to_contain_text("No standing orders.")
    expect(page.locator("#live-status")).to_have_count(0)  # nothing alarming

    # Another client of the customer's API arms a mandate in another session; its first
    # order goes out and fills at once.
    other = customer_api(server, "POST", "/api/sessions")["id"]
    turn = customer_api(server, "POST", f"/api/sessions/{other}/messages", {"text": DAILY})
    (pending,) = turn["pending"]
    step = customer_api(
        server,
        "POST",
        f"/api/sessions/{other}/steps/{pending['step_id']}/confirm",
        {"token": pending["token"]},
    )["step"]
    assert step["state"] == "armed"

    item = page.locator(f"#standing-orders li[data-session-id='{other}']")
    expect(item.locator(".state-word")).to_have_text("Active")
    expect(item).to_contain_text("1 of 3 placed")
    fill = page.locator(f"#recent-fills li[data-step-id='{pending['step_id']}.1']")
    expect(fill).to_contain_text("Buy")
    expect(fill).to_contain_text("BTC/USDT")

    # Stopped elsewhere too: the panel lets it go.
    customer_api(server, "POST", f"/api/sessions/{other}/steps/{pending['step_id']}/reject")
    expect(item).to_have_count(0)

    # The page loaded the newest conversation once (GET /api/sessions/{id}) and then only
    # listened: no whole session fetched again.
    assert len(_whole_session_fetches(seen)) <= 1, seen
    assert shown not in " ".join(_whole_session_fetches(seen))
    assert "GET /api/orders/stream" in seen, seen
    assert any(r.startswith(f"GET /api/sessions/{shown}/stream") for r in seen), seen
    assert page.locator(".plan-step").count() == 1  # the other session's card is not shown here
    page.close()


def test_a_mandate_stopped_elsewhere_moves_its_card_and_says_so_once(
    browser: Browser, server: str
) -> None:
    page = sign_in(browser, server)
    seen = _requests(page)
    send(page, DAILY)
    card = page.locator(".plan-step[data-step-id='p1.1']")
    card.locator("button.confirm").click()
    status = card.locator(".step-status")
    expect(status).to_contain_text("1 of 3 placed so far")
    session_id = page.locator("body").get_attribute("data-session-id")
    replies = page.locator(".bubble.assistant").count()

    # The customer stops it from another client: the card says so without a reload.
    customer_api(server, "POST", f"/api/sessions/{session_id}/steps/p1.1/reject")
    expect(status).to_have_text(
        "Stopped: no more orders are placed; the 1 already sent stay as they are."
    )
    expect(card.locator("button.stop")).to_have_count(0)
    expect(card.locator(".mandate-orders li")).to_contain_text("filled")

    # A message sent elsewhere: its reply is shown here once; the page's own messages'
    # replies are not shown twice.
    customer_api(server, "POST", f"/api/sessions/{session_id}/messages", {"text": "hello"})
    notice = page.locator(".bubble.assistant.notice")
    expect(notice).to_have_count(1)
    send(page, "buy 0.01 BTC")
    expect(page.locator(".plan-step", has_text="Buy 0.01 BTC")).to_be_visible()
    page.wait_for_timeout(1_500)  # several stream polls
    expect(notice).to_have_count(1)
    assert page.locator(".bubble.assistant").count() == replies + 2

    assert _whole_session_fetches(seen) == [], seen
    page.close()


def test_a_reload_follows_from_where_the_page_loaded(browser: Browser, server: str) -> None:
    page = sign_in(browser, server)
    send(page, "buy 0.01 BTC")
    card = page.locator(".plan-step", has_text="Buy 0.01 BTC")
    expect(card.locator("button.confirm")).to_be_visible()
    session_id = page.locator("body").get_attribute("data-session-id")
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    seen = _requests(page)
    customer_api(server, "POST", f"/api/sessions/{session_id}/messages", {"text": "hello"})
    expect(page.locator(".bubble.assistant.notice")).to_have_count(1)
    assert _whole_session_fetches(seen) == [], seen
    page.close()
