"""Server-rendered pages: login with CSRF, role guards, cookie sessions need the CSRF header."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def _login(client: TestClient, user: str, token: str) -> str:
    """Sign in; return the CSRF token of the new session (it is rotated at sign-in)."""
    before = _csrf(client.get("/login").text)
    response = client.post(
        "/login", data={"user_id": user, "token": token, "csrf": before}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    after = _csrf(client.get(response.headers["location"]).text)
    assert after != before
    return after


def test_login_without_csrf_is_refused(client: TestClient) -> None:
    client.get("/login")
    response = client.post(
        "/login",
        data={"user_id": "demo-customer", "token": "demo-customer-token", "csrf": "forged"},
    )
    assert response.status_code == 403
    assert client.get("/chat", follow_redirects=False).headers["location"] == "/login"


def test_wrong_token_is_401_with_a_message(client: TestClient) -> None:
    csrf = _csrf(client.get("/login").text)
    response = client.post(
        "/login", data={"user_id": "demo-customer", "token": "nope", "csrf": csrf}
    )
    assert response.status_code == 401
    assert "Unknown user or wrong token" in response.text


def test_customer_cookie_session_uses_the_csrf_header(client: TestClient) -> None:
    csrf = _login(client, "demo-customer", "demo-customer-token")

    assert client.post("/api/sessions").status_code == 403  # cookie but no CSRF header
    created = client.post("/api/sessions", headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201
    turn = client.post(
        f"/api/sessions/{created.json()['id']}/messages",
        json={"text": "buy 0.01 BTC"},
        headers={"X-CSRF-Token": csrf},
    ).json()
    pending = turn["pending"][0]
    confirmed = client.post(
        f"/api/sessions/{created.json()['id']}/steps/{pending['step_id']}/confirm",
        json={"token": pending["token"]},
        headers={"X-CSRF-Token": csrf},
    )
    assert confirmed.json()["step"]["state"] == "filled"
    events = client.get(f"/api/sessions/{created.json()['id']}/events").json()["events"]
    assert next(e for e in events if e["kind"] == "step_confirmed")["payload"]["channel"] == "chat"


def test_roles_land_on_their_own_pages(client: TestClient) -> None:
    _login(client, "demo-support", "demo-support-token")
    assert client.get("/", follow_redirects=False).headers["location"] == "/support"
    assert client.get("/support").status_code == 200
    assert client.get("/chat").status_code == 403


def test_logout_needs_csrf_and_ends_the_session(client: TestClient) -> None:
    csrf = _login(client, "demo-customer", "demo-customer-token")
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    client.post("/logout", data={"csrf": csrf})
    assert client.get("/chat", follow_redirects=False).status_code == 303


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert "/v1/simulations" in client.get("/openapi.json").json()["paths"]


def test_support_timeline_explains_each_parse(client: TestClient) -> None:
    bearer = {"Authorization": "Bearer demo-customer-token"}
    sid = client.post("/api/sessions", headers=bearer).json()["id"]
    client.post(f"/api/sessions/{sid}/messages", json={"text": "buy some bitcoin"}, headers=bearer)
    client.post(f"/api/sessions/{sid}/messages", json={"text": "0.01"}, headers=bearer)
    _login(client, "demo-support", "demo-support-token")

    page = client.get(f"/support/sessions/{sid}").text

    assert "Understood as clarify" in page
    assert "read by the rules parser 1.0.0" in page
    # the customer's words, with what the parser took each for
    assert '<mark class="span span-asset" title="asset">bitcoin</mark>' in page
    assert "a reply to the assistant&#39;s question: answered" in page


def test_chat_page_labels_its_box_and_has_a_balances_drawer(client: TestClient) -> None:
    _login(client, "demo-customer", "demo-customer-token")
    html = client.get("/chat").text
    assert '<label for="message"' in html
    assert re.search(r"<h1[^>]*>[^<]+</h1>", html)
    # The drawer holds the balances, the Orders & plans panel and the conversations.
    assert re.search(r'id="balances-toggle"[^>]*\n?[^>]*aria-controls="side-panel"', html)
    side = html[html.index('id="side-panel"') :]
    assert side.index('id="balances-panel"') < side.index('id="orders-panel"')
    assert 'id="new-conversation"' in html
    assert 'main class="chat-page"' in html


def test_support_tables_name_each_cell_for_narrow_screens(client: TestClient) -> None:
    _login(client, "demo-customer", "demo-customer-token")
    client.post("/logout", data={"csrf": _csrf(client.get("/chat").text)})
    customer = {"Authorization": "Bearer demo-customer-token"}
    session_id = client.post("/api/sessions", headers=customer).json()["id"]
    client.post(
        f"/api/sessions/{session_id}/messages", json={"text": "buy 0.01 BTC"}, headers=customer
    )
    _login(client, "demo-support", "demo-support-token")
    listing = client.get("/support").text
    for label in ("Session", "Customer", "Opened", "First request", "Orders", "Outcome", "Flags"):
        assert f'data-label="{label}"' in listing
    page = client.get(f"/support/sessions/{session_id}").text
    for label in ("Step", "What", "State", "clientOrderId"):
        assert f'data-label="{label}"' in page
