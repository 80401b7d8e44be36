"""The app's pages under its Content-Security-Policy in real Chromium: the chat, a contract
note (its Print button and print stylesheet come from /static) and the support console run
with no violation reported by the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import SUPPORT, sign_in
from tests.browser.test_records_e2e import _bought

pytestmark = pytest.mark.browser

#: Set up before the page's own scripts (through the DevTools protocol, which the policy
#: does not govern): every violation the browser reports is kept.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


def _watch(page: Page, seen: list[str]) -> None:
    """Watch ``page``'s context from now on; the console's CSP messages go to ``seen``."""
    page.context.add_init_script(WATCH)
    page.context.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )


def _violations(page: Page) -> list[str]:
    found: list[str] = page.evaluate("window.__violations")
    return found


def test_the_pages_run_under_the_policy(browser: Browser, server: str) -> None:
    chat, session_id = _bought(browser, server)
    console: list[str] = []
    _watch(chat, console)
    chat.reload()
    expect(chat.locator("#recent-fills li").first).to_contain_text("Buy 0.01 BTC/USDT")
    assert _violations(chat) == []

    with chat.context.expect_page() as opened:
        chat.locator("#recent-fills li a.contract-note-link").first.click()
    note = opened.value
    note.wait_for_load_state()
    # records.css is applied (no <style> element any more) and Print calls window.print.
    assert (
        note.evaluate("getComputedStyle(document.querySelector('main.record')).maxWidth") != "none"
    )
    note.evaluate("window.print = () => { window.__printed = true; }")
    note.click("button[data-print]")
    assert note.evaluate("window.__printed") is True
    assert _violations(note) == []

    support = sign_in(browser, server, SUPPORT)
    _watch(support, console)
    support.goto(f"{server}/support/sessions/{session_id}")
    expect(support.locator("body")).to_contain_text("buy 0.01 BTC")
    assert _violations(support) == []
    assert console == []
