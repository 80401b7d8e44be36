"""The first visit: the risk disclosure as a modal dialog that blocks the message box until
"I understand", recorded by the server (per customer, audited), not shown again; and the
line saying what the assistant is, always there."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import (
    PHONE,
    SMALL_PHONE,
    axe_violations,
    chat_ready,
    describe,
    send,
    sign_in,
)

pytestmark = pytest.mark.browser


def _admin_audit(server: str) -> list[dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 (our own http URL)
        f"{server}/v1/admin/audit", headers={"Authorization": "Bearer demo-admin-token"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        entries: list[dict[str, Any]] = json.load(response)["entries"]
    return [e for e in entries if e["action"] == "risk_disclosure_acknowledged"]


def _post_message(page: Page) -> dict[str, Any]:
    """POST a message through the page's own cookie session, as the API sees it."""
    result: dict[str, Any] = page.evaluate(
        """async () => {
            const csrf = document.querySelector('meta[name="csrf-token"]').content;
            const headers = {"Content-Type": "application/json", "X-CSRF-Token": csrf};
            const made = await fetch("/api/sessions", {method: "POST", headers});
            const {id} = await made.json();
            const said = await fetch(`/api/sessions/${id}/messages`,
                {method: "POST", headers, body: JSON.stringify({text: "buy 0.01 BTC"})});
            return {status: said.status, body: await said.json()};
        }"""
    )
    return result


def test_the_first_visit_shows_the_disclosure_until_it_is_acknowledged(
    browser: Browser, first_visit_server: str
) -> None:
    server = first_visit_server
    page = sign_in(browser, server, viewport=SMALL_PHONE, fresh=False, acknowledge=False)
    chat_ready(page)

    # Shown, modal, with keyboard focus in it; the message box is blocked.
    dialog = page.locator("dialog#risk-disclosure")
    expect(dialog).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-disclosure", "required")
    expect(dialog.get_by_role("heading")).to_have_text(
        "Before you trade: the risks of virtual assets"
    )
    expect(dialog).to_contain_text("You can lose all of the money you put in.")
    expect(dialog).to_contain_text("gives no investment advice")
    assert page.evaluate("() => document.activeElement.closest('#risk-disclosure') !== null")
    expect(page.get_by_role("button", name="I understand")).to_be_focused()
    expect(page.locator("#message")).to_be_disabled()
    page.keyboard.press("Escape")  # does not dismiss it
    expect(dialog).to_be_visible()
    # The server refuses messages too, whatever the page does.
    refused = _post_message(page)
    assert refused["status"] == 403
    assert refused["body"]["error"]["code"] == "disclosure_required"
    assert _admin_audit(server) == []
    # The line saying what the assistant is, always there.
    expect(page.locator("#assistant-role")).to_have_text(
        "An automated assistant: it carries out your own instructions and gives no "
        "investment advice."
    )
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.keyboard.press("Enter")  # "I understand", from the keyboard

    expect(dialog).to_have_count(0)
    expect(page.locator("body")).to_have_attribute("data-disclosure", "acknowledged")
    expect(page.locator("#message")).to_be_enabled()
    expect(page.locator("#message")).to_be_focused()
    (entry,) = _admin_audit(server)
    assert (entry["who"], entry["subject"]) == ("demo-customer", "demo-customer")
    shown = json.loads(entry["new"])
    assert shown["locale"] == "en"
    assert shown["text"].startswith("Before you trade: the risks of virtual assets\n\n")
    assert "Confirm only what you understand." in shown["text"]
    violations = axe_violations(page)
    assert not violations, describe(violations)
    send(page, "buy 0.01 BTC")
    expect(page.locator(".plan-step button.confirm")).to_be_visible()

    # A reload, and another browser of the same customer: not shown again.
    page.reload()
    chat_ready(page)
    expect(page.locator("body")).to_have_attribute("data-disclosure", "acknowledged")
    expect(page.locator("#risk-disclosure")).to_have_count(0)
    other = sign_in(browser, server, viewport=PHONE, fresh=False, acknowledge=False)
    chat_ready(other)
    expect(other.locator("#risk-disclosure")).to_have_count(0)
    expect(other.locator("#message")).to_be_enabled()
    assert len(_admin_audit(server)) == 1
    other.close()
    page.close()


def test_the_disclosure_is_shown_in_the_pages_language(
    browser: Browser, first_visit_server: str
) -> None:
    def traditional(route: Any) -> None:
        response = route.fetch()
        route.fulfill(
            response=response, body=response.text().replace('lang="en"', 'lang="zh-Hant"')
        )

    page = sign_in(browser, first_visit_server, viewport=PHONE, fresh=False, acknowledge=False)
    page.route("**/chat", traditional)  # the page again, as a Traditional Chinese page
    page.goto(f"{first_visit_server}/chat")
    chat_ready(page)

    dialog = page.locator("dialog#risk-disclosure")
    expect(dialog).to_have_attribute("lang", "zh-Hant")
    expect(dialog.get_by_role("heading")).to_have_text("交易前請了解：虛擬資產的風險")
    page.get_by_role("button", name="我明白").click()

    expect(dialog).to_have_count(0)
    (entry,) = _admin_audit(first_visit_server)
    assert json.loads(entry["new"])["locale"] == "zh-Hant"
    page.close()
