"""Signing in with the identity provider, end to end in real headless Chromium: a real
``tradeassist serve`` whose ``TRADEASSIST_OIDC_*`` settings point at the local provider of
tests/oidc_provider.py (a real RSA key, its JWKS, /authorize approving at once, /token
checking the PKCE verifier), at 390 and 1280 wide, in English, 简体中文 and 繁體中文.

The customer opens /login, picks the language with the switch, presses "Sign in with
Exchange ID", comes back from the provider with a code, lands on the chat signed in as
``oidc:<sub>``, sends one message and sees the preview; then signs out, and a copy of the
session cookie taken before no longer opens anything. Also: the sign-in page past the
login limits (429). Writes tests/browser/screenshots/provider-*.png and login-429-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.app_server import app_server
from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    acknowledge_disclosure,
    assert_no_sideways_scroll,
    axe_violations,
    describe,
    screenshot,
    session,
)
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, PROVIDER, Provider, serving
from web.browser_sessions import SESSION_COOKIE

pytestmark = pytest.mark.browser

SIZES = [pytest.param(PHONE, id="390"), pytest.param(DESKTOP, id="1280")]

#: The words each language's pages show, and the message its customer sends.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "sign_in": "Sign in",
        "with_provider": f"Sign in with {PROVIDER}",
        "sign_out": "Sign out",
        "role": "customer",
        "message": "buy 0.01 BTC",
        "confirm": "Confirm",
        "too_many": "Too many sign-in attempts. Please try again in",
    },
    "zh-Hans": {
        "sign_in": "登录",
        "with_provider": f"使用 {PROVIDER} 登录",
        "sign_out": "退出登录",
        "role": "客户",
        "message": "买 0.01 BTC",
        "confirm": "确认",
        "too_many": "登录尝试次数过多，请在",
    },
    "zh-Hant": {
        "sign_in": "登入",
        "with_provider": f"使用 {PROVIDER} 登入",
        "sign_out": "登出",
        "role": "客戶",
        "message": "買 0.01 BTC",
        "confirm": "確認",
        "too_many": "登入嘗試次數過多，請在",
    },
}


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    """The provider, on the wall clock (the server's): its tokens are issued now."""
    found = Provider()
    found.publish("k1")
    with serving(found):
        yield found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, provider: Provider) -> Iterator[str]:
    data = tmp_path_factory.mktemp("provider-sign-in")
    env = {
        "TRADEASSIST_DATA_DIR": str(data / "data"),
        "TRADEASSIST_OIDC_ISSUER": provider.issuer,
        # The id_token's audience is the client (OIDC Core 2); one audience serves both.
        "TRADEASSIST_OIDC_AUDIENCE": CLIENT_ID,
        "TRADEASSIST_OIDC_JWKS_URL": f"{provider.issuer}/jwks",
        "TRADEASSIST_OIDC_CLIENT_ID": CLIENT_ID,
        "TRADEASSIST_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "TRADEASSIST_OIDC_AUTHORIZATION_URL": f"{provider.issuer}/authorize",
        "TRADEASSIST_OIDC_TOKEN_URL": f"{provider.issuer}/token",
        "TRADEASSIST_OIDC_PROVIDER_NAME": PROVIDER,
    }
    with app_server(data, env) as app:
        yield app.url


def _choose_language(page: Page, server: str, lang: str) -> None:
    """Open /login and pick ``lang`` with the header's language switch (a plain link)."""
    page.goto(f"{server}/login")
    page.locator(f"#language-switch a[data-locale='{lang}']").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


@pytest.mark.parametrize("lang", list(WORDS))
@pytest.mark.parametrize("viewport", SIZES)
def test_a_customer_signs_in_with_the_provider_asks_and_signs_out(
    browser: Browser, server: str, provider: Provider, viewport: ViewportSize, lang: str
) -> None:
    words = WORDS[lang]
    width = viewport["width"]
    subject = f"alice-{lang}-{width}"  # a customer of their own: the first visit
    provider.id_token_claims = {"sub": subject}
    context = browser.new_context(viewport=viewport)
    page = context.new_page()

    _choose_language(page, server, lang)
    link = page.get_by_role("link", name=words["with_provider"])
    expect(link).to_be_visible()
    expect(page.locator("h1")).to_have_text(words["sign_in"])
    assert_no_sideways_scroll(page)
    _assert_fits(page, "a.button[href='/login/oidc']")
    _assert_card_width(page, width)
    screenshot(page, f"provider-login-{lang}-{width}")

    link.click()  # to the provider, which approves and sends the browser back with a code
    expect(page).to_have_url(f"{server}/chat")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("header .who")).to_have_text(f"Alice Chan · {words['role']}")
    acknowledge_disclosure(page)

    page.fill("#message", words["message"])
    page.press("#message", "Enter")
    step = page.locator(".plan-step")
    expect(step.locator("button.confirm")).to_have_text(words["confirm"])
    assert session(page)["owner"] == f"oidc:{subject}"
    assert_no_sideways_scroll(page)
    screenshot(page, f"provider-chat-{lang}-{width}")

    copied = [c for c in context.cookies() if c["name"] == SESSION_COOKIE]
    assert len(copied) == 1
    page.get_by_role("button", name=words["sign_out"]).click()
    expect(page).to_have_url(f"{server}/login")
    context.close()

    # A copy of the cookie taken before signing out: the session is ended on the server.
    thief = browser.new_context(viewport=viewport)
    thief.add_cookies(copied)
    stolen = thief.new_page()
    stolen.goto(f"{server}/chat")
    expect(stolen).to_have_url(f"{server}/login")
    assert thief.request.get(f"{server}/api/sessions").status == 401
    thief.close()


@pytest.mark.parametrize("lang", list(WORDS))
def test_the_sign_in_page_past_the_login_limit_on_a_phone(
    browser: Browser, server: str, lang: str
) -> None:
    """Ten wrong tokens for one user id a minute, then the page itself says how long to
    wait (429), with the form and the provider's link still there."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    _choose_language(page, server, lang)
    user = f"guessed-{lang}"
    answer = None
    for i in range(11):
        page.fill("input[name=user_id]", user)
        page.fill("input[name=token]", f"guess-{i}")
        with page.expect_navigation() as navigation:
            page.click("button[type=submit]")
        answer = navigation.value
    assert answer is not None
    assert answer.status == 429
    assert answer.headers["retry-after"].isdigit()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(WORDS[lang]["too_many"])
    expect(alert).to_contain_text(re.compile(r"\d+ ?(seconds?|秒)"))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("form[action='/login'] button[type=submit]")).to_be_enabled()
    expect(page.get_by_role("link", name=WORDS[lang]["with_provider"])).to_be_visible()
    assert_no_sideways_scroll(page)
    _assert_card_width(page, PHONE["width"])
    violations = axe_violations(page)
    assert not violations, describe(violations)
    screenshot(page, f"login-429-{lang}-390")
    context.close()


def _assert_fits(page: Page, selector: str) -> None:
    """The element's text fits inside it (no clipped or overflowing label)."""
    fits = page.locator(selector).evaluate(
        "(e) => e.scrollWidth <= e.clientWidth + 1 && e.getBoundingClientRect().right"
        " <= window.innerWidth"
    )
    assert fits, f"{selector} overflows"


def _assert_card_width(page: Page, width: int) -> None:
    """The sign-in card is as wide in every language, whatever it says: the page's width
    on a phone, 380 px on a desktop (not shrunk to its words)."""
    seen = page.evaluate(
        """() => {
            const main = document.querySelector('main'), style = getComputedStyle(main);
            const inner = main.clientWidth - parseFloat(style.paddingLeft)
                - parseFloat(style.paddingRight);
            return {inner, card: document.querySelector('section.card.narrow').offsetWidth};
        }"""
    )
    assert seen["inner"] < width
    assert seen["card"] == min(380, seen["inner"]), seen
