"""The retail chat's "done when", as one customer's continuous journey in real Chromium, on a
390×844 phone and on a 1280×800 desktop: the first visit's risk disclosure, a market order
in English, in 简体 and in 繁體 (the page taking the language of the message), one preview
for a double Enter, a weekly purchase confirmed and found again in Orders & plans after a
reload, a live update from the worker without a reload, stopping from the chat and from the
panel, and an expired quote refreshed and confirmed. No sideways scroll at any stage, no
internal id on screen. Writes tests/browser/screenshots/journey-<stage>-<width>.png.

The live update: right after the disclosure the customer arms, from another device (the API,
as tests/browser/test_live_updates.py does), "buy 20 USDT of ETH every minute, 3 times"; its
first order goes out at once and the server's worker places the second a minute later, while
the page (loaded before that) is open. The stages run in the order that keeps the wait short:
the stops from the chat and the expired quote come before the minute has passed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from tests.browser.conftest import _serve
from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    acknowledge_disclosure,
    assert_no_sideways_scroll,
    customer_api,
    screenshot,
    send,
    sign_in,
)

pytestmark = pytest.mark.browser

SIZES = [pytest.param(PHONE, id="390x844"), pytest.param(DESKTOP, id="1280x800")]

WEEKLY = "buy 100 USDT of BTC every week for 4 weeks"
WEEKLY_TITLE = "Buy 100 USDT of BTC at market on BTC/USDT, every 1 week, 4 orders"
EVERY_MINUTE = "buy 20 USDT of ETH every minute, 3 times"
# The worker places a minute mandate's next order on its first pass (every 2 s) after the
# minute: allow for a slow machine.
NEXT_ORDER_S = 60 + 20

# Each language: the message, and what the page then shows.
ORDERS: dict[str, dict[str, Any]] = {
    "en": {
        "message": "buy 0.01 BTC",
        "title": "Buy 0.01 BTC at market on BTC/USDT",
        "deal": re.compile(
            r"^Buy 0\.01 BTC at market on BTC/USDT: you pay ≈ [\d,]+\.\d\d USDT and get ≈ "
            r"0\.0099\d* BTC\.$"
        ),
        "send": "Send",
        "new": "New conversation",
        "confirm": "Confirm",
        "filled": re.compile(r"^Filled: 0\.01 at [\d,.]+ average \(order [\w-]+\)\.$"),
    },
    "zh-Hans": {
        "message": "买 0.01 BTC",
        "title": "买入 0.01 BTC",
        "deal": re.compile(
            r"^买入 0\.01 BTC，市价（BTC/USDT）：您支付约 [\d,]+\.\d\d USDT，"
            r"获得约 0\.0099\d* BTC。$"
        ),
        "send": "发送",
        "new": "新对话",
        "confirm": "确认",
        "filled": re.compile(r"^已成交：0\.01，成交均价 [\d,.]+（订单 [\w-]+）。$"),
        "terms": "自动执行条件：最多 3 笔",
    },
    "zh-Hant": {
        "message": "買 0.01 BTC",
        "title": "買入 0.01 BTC",
        "deal": re.compile(
            r"^買入 0\.01 BTC，市價（BTC/USDT）：您支付約 [\d,]+\.\d\d USDT，"
            r"獲得約 0\.0099\d* BTC。$"
        ),
        "send": "發送",
        "new": "新對話",
        "confirm": "確認",
        "filled": re.compile(r"^已成交：0\.01，成交均價 [\d,.]+（訂單 [\w-]+）。$"),
        "terms": "自動執行條件：最多 3 筆",
    },
}

# What a Chinese page may show in Latin letters: currencies, the venue's order ids
# ("demo-customer-000002"), the customer's name, the brand, and English named in itself.
LATIN_ALLOWED = {
    "BTC",
    "ETH",
    "SOL",
    "USD",
    "USDT",
    "USDC",
    "demo",
    "customer",
    "Demo",
    "Customer",
    "tradeassist",
    "English",
}

# An internal step or plan id ("p1", "p1.1", "p3.1.2") in what the customer reads.
INTERNAL_ID = re.compile(r"\bp\d+(?:\.\d+)*\b")


@pytest.fixture
def journey_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own for each journey (the customer's first visit), whose confirmation
    tokens live 5 s as on ``short_ttl_server``: long enough for a customer who confirms at
    once, short enough to watch one expire."""
    with _serve(tmp_path_factory.mktemp("data"), TRADEASSIST_CONFIRMATION_TTL_S="5") as url:
        yield url


def _settled(page: Page) -> None:
    """What every stage ends with: no sideways scroll and no internal id on screen."""
    assert_no_sideways_scroll(page)
    shown = page.locator("body").inner_text()
    assert not INTERNAL_ID.search(shown), f"an internal id on screen: {INTERNAL_ID.findall(shown)}"


def _speaks(page: Page, locale: str) -> None:
    words = ORDERS[locale]
    expect(page.locator("html")).to_have_attribute("lang", locale)
    expect(page.locator("#language-switch a[aria-current=true]")).to_have_attribute(
        "data-locale", locale
    )
    expect(page.locator("#composer .send-label")).to_have_text(words["send"])
    expect(page.locator("#new-conversation")).to_have_text(words["new"])


def _order(page: Page, locale: str, width: int) -> None:
    """A market order in ``locale``: the message, its preview's one plain line, Confirm, and
    the outcome in that language."""
    words = ORDERS[locale]
    cards = page.locator(".plan-step")
    before = cards.count()
    send(page, words["message"])
    expect(cards).to_have_count(before + 1)
    card = cards.last
    _speaks(page, locale)
    expect(card.locator("h3")).to_contain_text(words["title"])
    expect(card.locator(".deal")).to_have_text(words["deal"])
    expect(card.locator(".expires")).to_be_visible()
    confirm = card.locator("button.confirm")
    expect(confirm).to_have_text(words["confirm"])
    confirm.click()
    expect(card.locator(".step-status")).to_have_text(words["filled"])
    expect(card.locator("button.confirm")).to_have_count(0)
    card.locator("details.more summary").click()  # the trader's figures, read too
    expect(card.locator("table.more-figures")).to_be_visible()
    if locale != "en":
        _in_chinese(card)
        # (The standing order's title is the one it was planned with, in English here; the
        # conversations are named by the customer's own first words.)
        _in_chinese(page.locator("#side-panel"), leaving=".standing-title, #conversation-list")
        _in_chinese(page.locator("header.top"))
        _in_chinese(page.locator("#composer"))
        expect(page.locator("#standing-orders .terms").first).to_contain_text(words["terms"])
    _settled(page)
    screenshot(page, f"journey-{locale}-{width}")


def _in_chinese(part: Locator, *, leaving: str | None = None) -> None:
    """No English word in what ``part`` shows (currency codes, markets and the venue's order
    ids aside), but for what ``leaving`` selects in it."""
    shown = part.evaluate(
        """(e, leaving) => {
            let text = e.innerText;
            for (const left of leaving ? e.querySelectorAll(leaving) : []) {
                text = text.replace(left.innerText, "");
            }
            return text;
        }""",
        leaving,
    )
    english = [w for w in re.findall(r"[A-Za-z]{3,}", shown) if w not in LATIN_ALLOWED]
    assert not english, f"English on a Chinese page: {english} in {shown!r}"


def _orders_panel(page: Page) -> Locator:
    """Orders & plans, as the customer reaches it: beside the chat on a desktop, behind the
    drawer toggle on a phone."""
    toggle = page.locator("#balances-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    panel = page.locator("#orders-panel")
    expect(panel).to_be_visible()
    return panel


def _close_drawer(page: Page) -> None:
    toggle = page.locator("#balances-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "true":
        toggle.click()
    expect(page.locator("#message")).to_be_visible()


@pytest.mark.parametrize("viewport", SIZES)
def test_a_customer_journey(browser: Browser, journey_server: str, viewport: ViewportSize) -> None:
    server = journey_server
    width = viewport["width"]

    # 1. The first visit: the risk disclosure, acknowledged; then a market order in English.
    page = sign_in(browser, server, viewport=viewport, fresh=False, acknowledge=False)
    expect(page.locator("body")).to_have_attribute("data-disclosure", "required")
    expect(page.locator("#risk-disclosure")).to_be_visible()
    _settled(page)
    acknowledge_disclosure(page)
    expect(page.locator(".bubble.assistant").first).to_contain_text("Hello")

    # Another device of the customer's arms a purchase every minute (its first order goes
    # out now; the worker sends the second a minute later, to be seen live in stage 5).
    elsewhere = customer_api(server, "POST", "/api/sessions")["id"]
    turn = customer_api(
        server, "POST", f"/api/sessions/{elsewhere}/messages", {"text": EVERY_MINUTE}
    )
    (minutely,) = turn["pending"]
    armed = customer_api(
        server,
        "POST",
        f"/api/sessions/{elsewhere}/steps/{minutely['step_id']}/confirm",
        {"token": minutely["token"]},
    )["step"]
    assert armed["state"] == "armed"
    armed_at = time.monotonic()

    _order(page, "en", width)

    # 2. The same in 简体 and in 繁體: the page takes the language of the message.
    _order(page, "zh-Hans", width)
    expect(page.locator("#assistant-role")).to_have_text(
        "自动化助手：只执行您本人的指令，不提供任何投资建议。"
    )
    _order(page, "zh-Hant", width)
    expect(page.locator("#assistant-role")).to_have_text(
        "自動化助理：只執行您本人的指示，不提供任何投資建議。"
    )

    # 3. A double Enter on one message: one message, one reply, one preview.
    cards = page.locator(".plan-step")
    replies = page.locator(".bubble.assistant")
    customer_lines = page.locator(".bubble.customer")
    before = (cards.count(), replies.count(), customer_lines.count())
    page.fill("#message", "buy 0.02 BTC")
    page.focus("#message")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(cards).to_have_count(before[0] + 1)
    _speaks(page, "en")  # back to English with the message
    page.wait_for_timeout(1_000)  # anything sent twice has arrived by now
    expect(cards).to_have_count(before[0] + 1)
    expect(replies).to_have_count(before[1] + 1)
    expect(customer_lines).to_have_count(before[2] + 1)
    expect(cards.last.locator("h3")).to_have_text("Buy 0.02 BTC at market on BTC/USDT")
    cards.last.locator("button.reject").click()
    expect(cards.last.locator("button.confirm")).to_have_count(0)
    _settled(page)

    # 4. A weekly purchase confirmed; after a reload it is in Orders & plans.
    send(page, WEEKLY)
    weekly = page.locator(".plan-step.mandate", has_text=WEEKLY_TITLE)
    expect(weekly.locator(".deal")).to_contain_text("Mandate: at most 4 orders, one every 1 week")
    expect(weekly.locator("table.figures")).to_contain_text("At most 4, one every 1 week")
    confirm = weekly.locator("button.confirm")
    expect(confirm).to_have_text("Confirm mandate")
    confirm.click()
    expect(weekly.locator(".step-status")).to_contain_text("1 of 4 placed so far")
    weekly_in = page.locator("body").get_attribute("data-session-id")
    weekly_step = weekly.get_attribute("data-step-id")

    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    page.evaluate("() => { window.notReloaded = true; }")
    expect(page.locator(".plan-step.mandate", has_text=WEEKLY_TITLE)).to_be_visible()
    panel = _orders_panel(page)
    standing = panel.locator(
        f"#standing-orders li[data-session-id='{weekly_in}'][data-step-id='{weekly_step}']"
    )
    expect(standing.locator(".standing-title")).to_have_text(WEEKLY_TITLE)
    expect(standing.locator(".state-word")).to_have_text("Active")
    expect(standing).to_contain_text("1 of 4 placed")
    expect(standing.locator("button.panel-stop")).to_be_visible()
    every_minute = panel.locator(
        f"#standing-orders li[data-session-id='{elsewhere}'][data-step-id='{minutely['step_id']}']"
    )
    expect(every_minute).to_contain_text("1 of 3 placed")
    _settled(page)
    screenshot(page, f"journey-mandate-{width}")
    _close_drawer(page)

    # 6. Stopped from the chat: a stop card, Confirm, and it leaves the panel.
    send(page, "stop my weekly BTC buys")
    stop = page.locator(".plan-step.stop")
    expect(stop.locator("h3")).to_have_text(f"Stop: {WEEKLY_TITLE}")
    expect(standing).to_have_count(1)  # nothing stopped before the yes
    stop.locator("button.confirm").click()
    expect(stop.locator(".step-status")).to_have_text(
        f"Stopped: {WEEKLY_TITLE}. No more orders are placed; those already placed stay placed."
    )
    expect(standing).to_have_count(0)
    _settled(page)

    # 7. An expired quote: one Refresh quote, a new countdown, and Confirm works.
    send(page, "buy 0.03 BTC")
    quote = page.locator(".plan-step", has_text="Buy 0.03 BTC")
    expect(quote.locator(".expires")).to_have_text(re.compile(r"^Quote valid for 0:0[1-5]$"))
    expect(quote.locator(".step-status")).to_have_text(
        "This quote expired. Nothing was sent. Refresh it to see the current price.",
        timeout=15_000,
    )
    expect(quote.locator("button.confirm")).to_have_count(0)
    refresh = quote.locator("button.refresh")
    expect(refresh).to_have_count(1)
    expect(refresh).to_have_text("Refresh quote")
    _settled(page)
    refresh.click()
    fresh = page.locator(".plan-step", has_text="Buy 0.03 BTC")
    expect(fresh).to_have_count(1)
    expect(fresh.locator(".expires")).to_have_text(re.compile(r"^Quote valid for 0:0[1-5]$"))
    expect(fresh.locator("button.refresh")).to_have_count(0)
    fresh.locator("button.confirm").click()
    expect(fresh.locator(".step-status")).to_have_text(re.compile(r"^Filled: 0\.03 at"))
    _settled(page)

    # 5. A live update: the worker places the minute purchase's second order; the panel
    # shows it without a reload.
    panel = _orders_panel(page)
    # Seen before the second order goes out, so that what follows comes with no action of
    # the customer's: only by the stream.
    assert time.monotonic() - armed_at < 55, "the stages before the live update took too long"
    expect(every_minute).to_contain_text("1 of 3 placed")
    left = NEXT_ORDER_S - (time.monotonic() - armed_at)
    expect(every_minute).to_contain_text("2 of 3 placed", timeout=max(left, 1) * 1000)
    second = f"{minutely['step_id']}.2"
    expect(panel.locator(f"#recent-fills li[data-step-id='{second}']")).to_contain_text("ETH/USDT")
    assert page.evaluate("() => window.notReloaded === true")
    _settled(page)

    # 6, again: the minute purchase stopped from the panel's Stop.
    every_minute.locator("button.panel-stop").click()
    every_minute.locator("button.panel-stop-yes").click()
    expect(every_minute).to_have_count(0)
    expect(page.locator("#orders-status")).to_contain_text("Stopped: Buy 20 USDT of ETH")
    assert not [m for m in customer_api(server, "GET", "/api/orders")["mandates"]]
    _settled(page)
    screenshot(page, f"journey-end-{width}")
    page.close()
