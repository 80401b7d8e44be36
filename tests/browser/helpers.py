"""What the browser tests share: signing in at a viewport, sending a message, the page's
horizontal overflow, the session as the API folds it, screenshots and axe-core."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

ROOT = Path(__file__).resolve().parents[2]
#: Written by the tests, git-ignored; the README names it.
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
#: axe-core from npm (package.json at the repository root; `npm ci` installs it).
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

PHONE: ViewportSize = {"width": 390, "height": 844}
SMALL_PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}

CUSTOMER = ("demo-customer", "demo-customer-token")
SUPPORT = ("demo-support", "demo-support-token")


def sign_in(
    browser: Browser,
    server: str,
    who: tuple[str, str] = CUSTOMER,
    viewport: ViewportSize | None = None,
    *,
    fresh: bool = True,
    acknowledge: bool = True,
) -> Page:
    """Sign in; a customer lands in a fresh conversation unless ``fresh`` is False (the
    page then shows the newest one, as it does on a reload). A customer who has not yet
    acknowledged the risk disclosure does so (:func:`acknowledge_disclosure`) unless
    ``acknowledge`` is False (the dialog then stays open)."""
    page = browser.new_page(viewport=viewport or DESKTOP)
    page.goto(f"{server}/login")
    page.fill("input[name=user_id]", who[0])
    page.fill("input[name=token]", who[1])
    page.click("button[type=submit]")
    expect(page).not_to_have_url(f"{server}/login")
    if acknowledge and page.url.endswith("/chat"):
        acknowledge_disclosure(page)
    if fresh and who == CUSTOMER:
        new_conversation(page)
    return page


def acknowledge_disclosure(page: Page) -> None:
    """Once the chat page has loaded: if it shows the risk disclosure (the customer's first
    visit), press "I understand" and wait until the server has recorded it."""
    chat_ready(page)
    if page.locator("body").get_attribute("data-disclosure") == "required":
        page.click("#risk-disclosure button.risk-ack")
        expect(page.locator("body")).to_have_attribute("data-disclosure", "acknowledged")
    expect(page.locator("#risk-disclosure")).to_have_count(0)


def chat_ready(page: Page) -> None:
    """The chat page has loaded: the newest conversation continued, or a greeting."""
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def new_conversation(page: Page) -> None:
    """Start a fresh conversation (the page continues the newest one on load); its session
    is opened by the first message."""
    chat_ready(page)
    page.click("#new-conversation")
    expect(page.locator("#transcript .bubble")).to_have_count(1)
    expect(page.locator("body")).not_to_have_attribute("data-session-id", re.compile(".+"))


def send(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")


def overflow(page: Page) -> dict[str, int]:
    """How wide the document is against the viewport (no sideways scroll: scroll <= inner)."""
    result: dict[str, int] = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    return result


def assert_no_sideways_scroll(page: Page) -> None:
    seen = overflow(page)
    if seen["scroll"] > seen["inner"]:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                .slice(0, 5).map((e) => e.tagName + '.' + e.className)"""
        )
        pytest.fail(f"sideways scroll at {seen['inner']} px: {seen['scroll']} wide; {wide}")


def session(page: Page) -> dict[str, Any]:
    """GET /api/sessions/{id} for the session this chat page opened."""
    found: dict[str, Any] = page.evaluate(
        """async () => {
            const id = document.body.dataset.sessionId;
            return await (await fetch(`/api/sessions/${id}`)).json();
        }"""
    )
    return found


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """The whole page (the sticky message box then sits where the viewport ended), or
    only what the screen shows."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not AXE.exists():
        pytest.fail(
            f"axe-core is not installed ({AXE.relative_to(ROOT)} is missing): run `npm ci` "
            "at the repository root (bash .ci/test does it; it needs Node.js and npm)"
        )
    # Evaluated through the DevTools protocol, as the page's own scripts are not: an injected
    # <script> would be inline script, which the app's Content-Security-Policy refuses (as it
    # should in production), and the policy stays as the app sends it.
    page.evaluate(AXE.read_text())
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:4])
        for v in violations
    )


def page_get(page: Page, path: str) -> Any:
    """GET ``path`` from inside the page: the signed-in customer's cookie and session."""
    return page.evaluate("async (path) => await (await fetch(path)).json()", path)


def customer_api(server: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """The customer's API from outside the page (another device: their phone, a script)."""
    request = urllib.request.Request(  # noqa: S310 (our own http URL)
        f"{server}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {CUSTOMER[1]}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())
