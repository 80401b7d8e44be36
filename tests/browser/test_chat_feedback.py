"""Feedback and safety in the chat page: progress while a message is on its way, one
message per double Enter, a live countdown to each token's expiry and a Refresh quote
once it has passed, network failures said plainly with a Retry, and keyboard and
screen-reader use (named buttons, focus on the new card)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.helpers import DESKTOP, PHONE, send, session, sign_in

pytestmark = pytest.mark.browser

UNREACHABLE = "Can't reach the exchange. Nothing was sent."


def test_sending_disables_the_box_and_shows_progress(browser: Browser, server: str) -> None:
    page = sign_in(browser, server, viewport=PHONE)
    held: list[Route] = []
    page.route("**/api/sessions/*/messages", lambda route: held.append(route))  # held
    send(page, "buy 0.01 BTC")

    progress = page.locator(".bubble.progress")
    expect(progress).to_be_visible()
    expect(progress).to_contain_text("Preparing your preview")
    expect(page.locator("#message")).to_be_disabled()
    expect(page.locator("#composer button[type=submit]")).to_be_disabled()
    while not held:
        page.wait_for_timeout(20)
    held[0].continue_()

    expect(page.locator(".plan-step button.confirm")).to_be_visible()
    expect(progress).to_have_count(0)
    expect(page.locator("#message")).to_be_enabled()
    page.close()


def _one_message_one_preview(page: Page) -> None:
    expect(page.locator(".plan-step button.confirm")).to_have_count(1)
    page.wait_for_timeout(1_000)  # anything that would have been sent twice has arrived
    expect(page.locator(".plan-step")).to_have_count(1)
    expect(page.locator(".bubble.customer")).to_have_count(1)
    customer_lines = [line for line in session(page)["transcript"] if line["role"] == "customer"]
    assert [line["text"] for line in customer_lines] == ["buy 0.01 BTC"]


def test_a_double_enter_makes_one_message_and_one_preview(browser: Browser, server: str) -> None:
    page = sign_in(browser, server, viewport=PHONE)
    expect(page.locator(".bubble.assistant").first).to_contain_text("Hello")
    page.fill("#message", "buy 0.01 BTC")
    page.focus("#message")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    _one_message_one_preview(page)
    page.close()


def test_two_submits_back_to_back_make_one_message(browser: Browser, server: str) -> None:
    page = sign_in(browser, server, viewport=PHONE)
    expect(page.locator(".bubble.assistant").first).to_contain_text("Hello")
    # Two submits in one task, the box refilled in between (a second click on Send, or
    # an Enter that lands before the box is disabled): the in-flight guard stops it.
    page.evaluate(
        """() => {
            const form = document.getElementById('composer');
            const box = document.getElementById('message');
            box.value = 'buy 0.01 BTC'; form.requestSubmit();
            box.value = 'buy 0.01 BTC'; form.requestSubmit();
        }"""
    )
    _one_message_one_preview(page)
    page.close()


def test_a_pending_step_counts_down_to_its_expiry(browser: Browser, server: str) -> None:
    page = sign_in(browser, server, viewport=PHONE)
    send(page, "buy 0.01 BTC")
    timer = page.locator(".plan-step .expires")
    expect(timer).to_have_text(re.compile(r"^Quote valid for 0:[23]\d$"))
    expect(timer).to_have_attribute("role", "timer")
    first = int(timer.get_attribute("data-seconds-left") or "0")
    page.wait_for_timeout(2_200)
    later = int(timer.get_attribute("data-seconds-left") or "0")
    assert first - 3 <= later <= first - 1, (first, later)
    assert timer.inner_text() == f"Quote valid for 0:{later:02d}"
    page.close()


def test_an_expired_quote_is_refreshed_and_confirmed(
    browser: Browser, short_ttl_server: str
) -> None:
    server = short_ttl_server  # tokens live 5 s
    page = sign_in(browser, server, viewport=PHONE)
    send(page, "buy 0.01 BTC")
    card = page.locator(".plan-step")
    expect(card.locator(".expires")).to_have_text(re.compile(r"^Quote valid for 0:0[1-5]$"))

    status = card.locator(".step-status")
    expect(status).to_have_text(
        "This quote expired. Nothing was sent. Refresh it to see the current price.",
        timeout=15_000,
    )
    expect(status).not_to_contain_text("p1.1")  # no internal step id on screen
    expect(card.locator("button.confirm")).to_have_count(0)
    expect(card.locator(".expires")).to_have_count(0)
    refresh = card.locator("button.refresh")
    expect(refresh).to_have_count(1)
    expect(refresh).to_have_text("Refresh quote")
    expect(refresh).to_have_attribute(
        "aria-label", "Refresh quote for step 1: Buy 0.01 BTC at market on BTC/USDT"
    )
    refresh.click()

    fresh = page.locator(".plan-step")
    expect(fresh.locator("button.confirm")).to_be_visible()
    expect(fresh.locator(".expires")).to_have_text(re.compile(r"^Quote valid for 0:0[1-5]$"))
    expect(fresh).to_be_focused()
    fresh.locator("button.confirm").click()
    expect(fresh.locator(".step-status")).to_have_text(re.compile(r"^Filled: 0\.01 at"))
    page.close()


def test_a_message_that_cannot_reach_the_exchange_says_so_and_retries(
    browser: Browser, server: str
) -> None:
    page = sign_in(browser, server, viewport=PHONE)
    expect(page.locator(".bubble.assistant").first).to_contain_text("Hello")
    page.route("**/api/sessions/*/messages", lambda route: route.abort("internetdisconnected"))
    send(page, "buy 0.01 BTC")

    failed = page.locator(".bubble.error")
    expect(failed).to_contain_text(UNREACHABLE)
    expect(failed).not_to_contain_text("Failed to fetch")
    expect(page.locator("#message")).to_be_enabled()
    expect(page.locator("#composer button[type=submit]")).to_be_enabled()
    retry = failed.locator("button.retry")
    expect(retry).to_be_focused()

    page.unroute("**/api/sessions/*/messages")
    retry.click()
    expect(failed).to_have_count(0)
    expect(page.locator(".plan-step button.confirm")).to_be_visible()
    expect(page.locator(".bubble.customer")).to_have_count(1)  # the same message, sent once
    page.close()


def test_a_message_whose_answer_was_lost_is_not_handled_twice(
    browser: Browser, server: str
) -> None:
    """The message reached the assistant, which previewed it; its answer never came back.
    Retry sends it again with the same idempotency key: the server refuses the repeat and
    the page shows the conversation as the server has it, with one preview."""
    page = sign_in(browser, server, viewport=PHONE)
    keys: list[str | None] = []

    def reach_then_drop(route: Route) -> None:
        keys.append(route.request.headers.get("idempotency-key"))
        route.fetch()  # the assistant receives and previews the message...
        route.abort("connectionreset")  # ...and the answer never comes back

    page.route("**/api/sessions/*/messages", reach_then_drop)
    send(page, "buy 0.01 BTC")
    failed = page.locator(".bubble.error")
    expect(failed).to_contain_text(UNREACHABLE)
    page.unroute("**/api/sessions/*/messages")

    answers: list[int] = []
    page.on(
        "response",
        lambda r: answers.append(r.status) if r.url.endswith("/messages") else None,
    )
    keys_again: list[str | None] = []
    page.on(
        "request",
        lambda r: (
            keys_again.append(r.headers.get("idempotency-key"))
            if r.url.endswith("/messages")
            else None
        ),
    )
    failed.locator("button.retry").click()
    expect(failed).to_have_count(0)
    expect(page.locator(".plan-step")).to_have_count(1)
    expect(page.locator(".bubble.customer")).to_have_count(1)
    assert keys[0]
    assert keys_again == keys
    assert answers == [409]  # refused as a duplicate: nothing was handled twice
    state = session(page)
    assert [t["text"] for t in state["transcript"] if t["role"] == "customer"] == ["buy 0.01 BTC"]
    assert len(state["plans"]) == 1
    page.close()


def test_a_server_error_on_a_message_is_said_plainly(browser: Browser, server: str) -> None:
    page = sign_in(browser, server, viewport=DESKTOP)
    page.route(
        "**/api/sessions/*/messages",
        lambda route: route.fulfill(status=503, content_type="text/html", body="<h1>503</h1>"),
    )
    send(page, "buy 0.01 BTC")
    expect(page.locator(".bubble.error")).to_contain_text(UNREACHABLE)
    expect(page.locator(".bubble.error button.retry")).to_be_visible()
    expect(page.locator("#message")).to_be_enabled()
    page.close()


def test_a_confirmation_without_an_answer_is_checked_before_it_is_retried(
    browser: Browser, server: str
) -> None:
    page = sign_in(browser, server, viewport=PHONE)
    send(page, "buy 0.01 BTC")
    card = page.locator(".plan-step")
    confirm = card.locator("button.confirm")
    expect(confirm).to_be_visible()
    page.route("**/steps/*/confirm", lambda route: route.fulfill(status=500, body=""))
    confirm.click()

    status = card.locator(".step-status")
    expect(status).to_contain_text("Can't reach the exchange")
    expect(status).to_contain_text("Retry checks first")
    expect(confirm).to_be_enabled()  # the buttons come back
    expect(card.locator("button.reject")).to_be_enabled()
    page.unroute("**/steps/*/confirm")
    status.locator("button.retry").click()
    expect(status).to_have_text(re.compile(r"^Filled: 0\.01 at"))
    page.close()


def test_a_confirmation_whose_answer_was_lost_is_not_sent_twice(
    browser: Browser, server: str
) -> None:
    page = sign_in(browser, server, viewport=PHONE)
    send(page, "buy 0.02 BTC")
    card = page.locator(".plan-step")
    expect(card.locator("button.confirm")).to_be_visible()

    def reach_then_drop(route: Route) -> None:
        route.fetch()  # the exchange gets the confirmation and fills it...
        route.abort("connectionreset")  # ...and the answer never comes back

    page.route("**/steps/*/confirm", reach_then_drop)
    card.locator("button.confirm").click()
    status = card.locator(".step-status")
    expect(status).to_contain_text("we don't know yet whether this order went out")
    expect(status).not_to_contain_text("Nothing was sent")
    page.unroute("**/steps/*/confirm")

    confirms: list[str] = []
    page.on("request", lambda r: confirms.append(r.url) if r.url.endswith("/confirm") else None)
    status.locator("button.retry").click()
    expect(status).to_have_text(re.compile(r"^Filled: 0\.02 at"))
    expect(card.locator("button.confirm")).to_have_count(0)
    assert confirms == []  # the retry asked where the step was and did not confirm again
    orders = [s for s in session(page)["steps"] if s.get("venue_order")]
    assert len(orders) == 1
    page.close()


def test_buttons_name_their_step_and_focus_moves_to_the_new_card(
    browser: Browser, server: str
) -> None:
    page = sign_in(browser, server, viewport=DESKTOP)
    box = page.get_by_label("Message to the assistant")
    expect(box).to_be_visible()
    box.fill("buy 0.01 BTC")
    box.press("Enter")

    card = page.locator(".plan-step")
    expect(card).to_be_focused()
    expect(card).to_have_accessible_name("Buy 0.01 BTC at market on BTC/USDT")
    expect(
        page.get_by_role("button", name="Confirm step 1: Buy 0.01 BTC at market on BTC/USDT")
    ).to_be_visible()
    expect(
        page.get_by_role("button", name="Reject step 1: Buy 0.01 BTC at market on BTC/USDT")
    ).to_be_visible()
    expect(page.locator("#transcript")).to_have_attribute("aria-live", "polite")

    page.keyboard.press("Tab")  # from the card, the keyboard reaches its Confirm
    expect(page.locator(".plan-step button.confirm")).to_be_focused()
    page.close()


def test_a_question_leaves_focus_in_the_box(browser: Browser, server: str) -> None:
    page = sign_in(browser, server, viewport=PHONE)
    send(page, "buy some bitcoin")
    expect(page.locator(".bubble.assistant").last).to_contain_text("How much BTC")
    expect(page.locator("#message")).to_be_focused()
    page.close()


def test_a_stop_that_cannot_reach_the_exchange_can_be_pressed_again(
    browser: Browser, server: str
) -> None:
    page = sign_in(browser, server, viewport=PHONE)
    send(page, "buy 20 USDT of BTC every day for 3 days")
    card = page.locator(".plan-step", has_text="every 1 day, 3 orders")
    card.locator("button.confirm").click()
    status = card.locator(".step-status")
    expect(status).to_contain_text("Armed")

    page.route("**/steps/*/reject", lambda route: route.abort())
    stop = card.locator("button.stop")
    stop.click()
    expect(status).to_have_text(
        "Can't reach the exchange, so this may still be armed. Press Stop again."
    )
    expect(stop).to_be_enabled()
    page.unroute("**/steps/*/reject")
    stop.click()
    expect(status).to_contain_text("Stopped: no more orders are placed")
    page.close()
