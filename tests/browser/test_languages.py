"""The chat page in English, 简体中文 and 繁體中文: the language from Accept-Language, the
switch in the header changing it in place (the conversation and its Confirm kept), the page
taking the language of a reply, no sideways scroll, and no serious axe violation. Writes
tests/browser/screenshots/chat-<locale>-<width>.png."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Request, Route, ViewportSize, expect

from tests.browser.helpers import (
    CUSTOMER,
    DESKTOP,
    PHONE,
    acknowledge_disclosure,
    assert_no_sideways_scroll,
    axe_violations,
    describe,
    new_conversation,
    screenshot,
)

pytestmark = pytest.mark.browser

SIZES = [pytest.param(PHONE, id="390"), pytest.param(DESKTOP, id="1280")]

# What each browser says (Accept-Language), and the words the page should then show.
LANGUAGES: dict[str, dict[str, str]] = {
    "en": {
        "browser": "en-GB",
        "sign_in": "Sign in",
        "send": "Send",
        "new": "New conversation",
        "confirm": "Confirm",
        "message": "buy 0.01 BTC",
        "filled": "Filled: 0.01 at",
        "mark": "EN",
        "name": "English",
    },
    "zh-Hans": {
        "browser": "zh-CN",
        "sign_in": "登录",
        "send": "发送",
        "new": "新对话",
        "confirm": "确认",
        "message": "买 0.01 BTC",
        "filled": "已成交：0.01，成交均价",
        "mark": "简",
        "name": "简体中文",
    },
    "zh-Hant": {
        "browser": "zh-HK",
        "sign_in": "登入",
        "send": "發送",
        "new": "新對話",
        "confirm": "確認",
        "message": "買 0.01 BTC",
        "filled": "已成交：0.01，成交均價",
        "mark": "繁",
        "name": "繁體中文",
    },
}
# Each language is switched to the next one.
NEXT = {"en": "zh-Hant", "zh-Hans": "en", "zh-Hant": "zh-Hans"}


def _signed_in(browser: Browser, server: str, locale: str, viewport: ViewportSize) -> Page:
    """A browser speaking ``locale`` signs in (the login page in its language, no serious
    axe violation) and lands in a fresh conversation."""
    context = browser.new_context(viewport=viewport, locale=LANGUAGES[locale]["browser"])
    page = context.new_page()
    page.goto(f"{server}/login")
    expect(page.locator("html")).to_have_attribute("lang", locale)
    expect(page.locator("h1")).to_have_text(LANGUAGES[locale]["sign_in"])
    violations = axe_violations(page)
    assert not violations, f"login in {locale}: " + describe(violations)
    page.fill("input[name=user_id]", CUSTOMER[0])
    page.fill("input[name=token]", CUSTOMER[1])
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server}/chat")
    if page.locator("#risk-disclosure").count():  # the customer's first visit: in its language
        expect(page.locator("#risk-disclosure")).to_have_attribute("lang", locale)
    acknowledge_disclosure(page)
    new_conversation(page)
    return page


def _shows(page: Page, locale: str) -> None:
    """The page is in ``locale``: its lang, its switch, the templates' and the script's words."""
    words = LANGUAGES[locale]
    expect(page.locator("html")).to_have_attribute("lang", locale)
    current = page.locator("#language-switch a[aria-current=true]")
    expect(current).to_have_attribute("data-locale", locale)
    expect(current).to_have_accessible_name(f"{words['mark']} {words['name']}")
    expect(page.locator("#composer .send-label")).to_have_text(words["send"])
    expect(page.locator("#new-conversation")).to_have_text(words["new"])


@pytest.mark.parametrize("viewport", SIZES)
@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_the_page_speaks_the_browser_language_and_the_switch_changes_it(
    browser: Browser, server: str, locale: str, viewport: ViewportSize
) -> None:
    words = LANGUAGES[locale]
    page = _signed_in(browser, server, locale, viewport)
    _shows(page, locale)
    page.fill("#message", words["message"])
    page.press("#message", "Enter")
    step = page.locator(".plan-step").last
    expect(step.locator("button.confirm")).to_have_text(words["confirm"])
    assert_no_sideways_scroll(page)
    screenshot(page, f"chat-{locale}-{viewport['width']}")
    violations = axe_violations(page)
    assert not violations, f"chat in {locale}: " + describe(violations)

    # The switch: the same page (no reload), the conversation and its Confirm kept.
    page.evaluate("() => { window.notReloaded = true; }")
    other = NEXT[locale]
    page.locator(f"#language-switch a[data-locale={other}]").click()
    _shows(page, other)
    expect(page.locator(".bubble.customer").last).to_have_text(words["message"])
    step = page.locator(".plan-step").last
    expect(step.locator("button.confirm")).to_have_text(LANGUAGES[other]["confirm"])
    assert page.evaluate("() => window.notReloaded === true")
    assert_no_sideways_scroll(page)
    assert {c["name"]: c["value"] for c in page.context.cookies()}["lang"] == other

    step.locator("button.confirm").click()  # the token survived the switch
    expect(step.locator(".step-status")).to_contain_text(LANGUAGES[other]["filled"])

    page.reload()  # the cookie keeps the choice
    _shows(page, other)
    page.context.close()


def test_the_page_takes_the_language_of_a_reply(browser: Browser, server: str) -> None:
    """The server names the language of its reply (Turn.locale), which follows the
    customer's message: the page, in English, switches to 繁體 when it says zh-Hant."""
    page = _signed_in(browser, server, "en", DESKTOP)
    sent: list[Any] = []

    # Interception, for this test only and until the server side lands: the Turn as the
    # server returns it, with the locale of the message added when it has none.
    def add_locale(route: Route, request: Request) -> None:
        sent.append(request.post_data_json)
        response = route.fetch()
        turn = response.json()
        turn.setdefault("locale", "zh-Hant")
        route.fulfill(response=response, json=turn)

    page.route("**/api/sessions/*/messages", add_locale)
    page.fill("#message", "請幫我買 0.01 BTC")
    page.press("#message", "Enter")
    _shows(page, "zh-Hant")
    step = page.locator(".plan-step").last
    expect(step.locator("button.confirm")).to_have_text("確認")
    expect(step.locator(".figures")).to_contain_text("交易後結餘")
    expect(page.locator(".bubble.customer").last).to_have_text("請幫我買 0.01 BTC")
    expect(step).to_be_focused()  # as after any reply with a preview
    assert sent[0]["locale"] == "en"  # the page's language went with the message
    assert {c["name"]: c["value"] for c in page.context.cookies()}["lang"] == "zh-Hant"

    page.fill("#message", "0.02")  # the next message carries the page's new language
    page.press("#message", "Enter")
    expect(page.locator(".bubble.assistant").last).to_be_visible()
    page.wait_for_function("() => !document.querySelector('#composer[aria-busy=true]')")
    assert sent[-1]["locale"] == "zh-Hant"
    assert re.fullmatch(r"zh-Hant", page.evaluate("() => document.documentElement.lang"))
    page.context.close()
