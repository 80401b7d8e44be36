"""Records in real headless Chromium: a customer's contract note for their fill, the same
note from the support console, and the session's export bundle downloaded from the console
and verified from the file alone."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from execution.records.bundle import verify_bundle
from tests.browser.helpers import (
    PHONE,
    SUPPORT,
    assert_no_sideways_scroll,
    axe_violations,
    describe,
    page_get,
    screenshot,
    send,
    sign_in,
)

pytestmark = pytest.mark.browser


def _bought(browser: Browser, server: str) -> tuple[Page, str]:
    """The customer buys 0.01 BTC in a fresh conversation: the page, and its session."""
    page = sign_in(browser, server)
    send(page, "buy 0.01 BTC")
    step = page.locator(".plan-step")
    step.locator("button.confirm").click()
    expect(step.locator(".step-status")).to_have_text(re.compile(r"^Filled: 0\.01 at "))
    session_id = page.locator("body").get_attribute("data-session-id")
    assert session_id
    return page, session_id


def _shows_the_note(page: Page, note: dict[str, Any]) -> None:
    expect(page.locator("#note-number")).to_have_text(note["note_number"])
    expect(page.locator("#customer")).to_have_text("demo-customer")
    expect(page.locator("#symbol")).to_have_text("BTC/USDT")
    expect(page.locator("#side")).to_have_text("BUY")
    expect(page.locator("#quantity")).to_have_text(f"{note['quantity']} BTC")
    expect(page.locator("#average-price")).to_have_text(f"{note['average_price']} USDT")
    expect(page.locator("#gross")).to_have_text(f"{note['gross_value']['amount']} USDT")
    fee = note["fee"]
    expect(page.locator("#fee")).to_have_text(f"{fee['amount']} {fee['currency']}")
    expect(page.locator("#traded-at")).to_contain_text(" HKT")
    expect(page.locator("#traded-at")).to_contain_text(note["traded_at_utc"])
    expect(page.locator("#due-by")).to_contain_text(note["due_by"])
    expect(page.locator("#order-id")).to_have_text(note["order_id"])
    expect(page.locator("#client-order-id")).to_have_text(note["client_order_id"])
    # Printed, the page drops its Print button and keeps every field.
    page.emulate_media(media="print")
    expect(page.locator(".actions")).to_be_hidden()
    expect(page.locator("#net")).to_be_visible()
    page.emulate_media(media="screen")


def test_contract_note_for_a_fill_as_the_customer_and_as_support(
    browser: Browser, server: str
) -> None:
    customer, session_id = _bought(browser, server)
    notes = page_get(customer, "/api/contract-notes")["notes"]
    (note,) = [n for n in notes if n["session_id"] == session_id]

    # The customer opens it from their fill in the Orders & plans panel (a new tab).
    fill = customer.locator("#recent-fills li").first
    expect(fill).to_contain_text("Buy 0.01 BTC/USDT")
    with customer.context.expect_page() as opened:
        fill.locator("a.contract-note-link").click()
    chat, customer = customer, opened.value
    customer.wait_for_load_state()
    _shows_the_note(customer, note)
    screenshot(customer, "contract-note")
    violations = axe_violations(customer)
    assert not violations, describe(violations)
    customer.set_viewport_size(PHONE)
    assert_no_sideways_scroll(customer)
    # The month's statement, printable, lists the note.
    customer.goto(f"{server}/api/statements/demo-customer/{note['trade_date'][:7]}?format=html")
    expect(customer.locator("#fills")).to_contain_text(note["note_number"])
    expect(customer.locator("#assumptions")).to_contain_text("No balance history is kept")
    assert_no_sideways_scroll(customer)  # the fills' table scrolls by itself
    violations = axe_violations(customer)
    assert not violations, describe(violations)
    chat.close()

    support = sign_in(browser, server, SUPPORT)
    support.goto(f"{server}/support/sessions/{session_id}")
    support.locator("a.contract-note-link").first.click()
    _shows_the_note(support, note)
    support.close()


def test_support_downloads_the_export_bundle_and_it_verifies(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    customer, session_id = _bought(browser, server)
    customer.close()
    support = sign_in(browser, server, SUPPORT)
    support.goto(f"{server}/support/sessions/{session_id}")
    expect(support.locator("#chain-status")).to_contain_text("Chain verified")

    with support.expect_download() as downloading:
        support.click("#export-link")
    download = downloading.value
    assert download.suggested_filename == f"session-{session_id}.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    check = verify_bundle(saved.read_bytes())
    assert check.ok, check.problems
    assert check.session_id == session_id
    with zipfile.ZipFile(saved) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        transcript = bundle.read("transcript.html").decode()
    assert manifest["exporter"] == "demo-support (support, chat)"
    assert "buy 0.01 BTC" in transcript
    support.close()
