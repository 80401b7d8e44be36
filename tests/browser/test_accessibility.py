"""axe-core (the npm package, injected by Playwright) on the chat with a preview shown,
the login page, and the support console: no serious or critical violation, at a phone's
and a desktop's width. axe-core is installed by `npm ci` (bash .ci/test runs it); without
it these tests fail and say so."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    SUPPORT,
    acknowledge_disclosure,
    axe_violations,
    describe,
    send,
    sign_in,
)

pytestmark = pytest.mark.browser

SIZES = [pytest.param(PHONE, id="390"), pytest.param(DESKTOP, id="1280")]


@pytest.mark.parametrize("viewport", SIZES)
def test_the_chat_with_a_preview_has_no_serious_violation(
    browser: Browser, server: str, viewport: ViewportSize
) -> None:
    page = sign_in(browser, server, viewport=viewport)
    send(page, "buy 0.01 BTC")
    expect(page.locator(".plan-step button.confirm")).to_be_visible()
    send(page, "buy some bitcoin")  # a question as well
    expect(page.locator(".bubble.assistant").last).to_contain_text("How much BTC")
    if viewport["width"] < 760:
        page.click("#balances-toggle")  # the drawer open, so axe sees the balances too
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.close()


@pytest.mark.parametrize("viewport", SIZES)
def test_the_risk_disclosure_open_and_acknowledged_has_no_serious_violation(
    browser: Browser, first_visit_server: str, viewport: ViewportSize
) -> None:
    page = sign_in(browser, first_visit_server, viewport=viewport, acknowledge=False, fresh=False)
    expect(page.locator("dialog#risk-disclosure")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)

    acknowledge_disclosure(page)
    send(page, "buy 0.01 BTC")
    expect(page.locator(".plan-step svg.depth-chart")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.close()


def test_the_chat_after_a_failure_and_an_expiry_has_no_serious_violation(
    browser: Browser, short_ttl_server: str
) -> None:
    page = sign_in(browser, short_ttl_server, viewport=PHONE)
    send(page, "buy 0.01 BTC")
    expect(page.locator(".plan-step button.refresh")).to_be_visible(timeout=15_000)
    page.route("**/api/sessions/*/messages", lambda route: route.abort())
    send(page, "buy 0.1 ETH")
    expect(page.locator(".bubble.error button.retry")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.close()


@pytest.mark.parametrize("viewport", SIZES)
def test_login_and_support_pages_have_no_serious_violation(
    browser: Browser, server: str, viewport: ViewportSize
) -> None:
    customer = sign_in(browser, server, viewport=viewport)
    send(customer, "buy 0.01 BTC")
    expect(customer.locator(".plan-step button.confirm")).to_be_visible()
    customer.close()

    page = browser.new_page(viewport=viewport)
    page.goto(f"{server}/login")
    violations = axe_violations(page)
    assert not violations, "login: " + describe(violations)
    page.fill("input[name=user_id]", "demo-customer")
    page.fill("input[name=token]", "wrong")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_contain_text("Unknown user or wrong token")
    violations = axe_violations(page)
    assert not violations, "login with an error: " + describe(violations)
    page.close()

    page = sign_in(browser, server, SUPPORT, viewport=viewport)
    expect(page.locator("#sessions a").first).to_be_visible()
    violations = axe_violations(page)
    assert not violations, "support sessions: " + describe(violations)
    page.locator("#sessions a").first.click()
    expect(page).to_have_url(re.compile(r"/support/sessions/"))
    expect(page.locator("#timeline")).to_contain_text("step_previewed")
    page.locator("#timeline details summary").first.click()
    violations = axe_violations(page)
    assert not violations, "support session: " + describe(violations)
    page.close()
