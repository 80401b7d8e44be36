"""Browser sessions kept on the server (web/browser_sessions.py): the cookie is an opaque id;
sign-out, disabling an account and rotating its token end sessions at once, in every app on
the database; the id changes at sign-in; CSRF is still required."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from execution.clock import ManualClock
from tests.web.test_settings import STRONG_SECRET
from web.app import create_app
from web.auth import Principal
from web.browser_sessions import SESSION_COOKIE, SESSION_TTL_MS
from web.services import Services, build_services
from web.settings import Settings

ALICE = Principal("alice", "Alice", "customer", frozenset({"trade"}))


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def _login(client: TestClient, user: str, token: str) -> str:
    """Sign in; the session's CSRF token (from the page signed in)."""
    form = _csrf(client.get("/login").text)
    response = client.post(
        "/login", data={"user_id": user, "token": token, "csrf": form}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return _csrf(client.get(response.headers["location"]).text)


def _cookie(client: TestClient) -> str:
    value = client.cookies.get(SESSION_COOKIE)
    assert value, "the browser holds a session cookie"
    return value


def _only_cookie(client: TestClient, value: str) -> TestClient:
    """``client`` as a browser holding nothing but a copy of the session cookie ``value``."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, value)
    return client


def _stored_hashes(settings: Settings) -> set[str]:
    with sqlite3.connect(settings.database_path) as db:
        return {row[0] for row in db.execute("SELECT id_hash FROM browser_sessions")}


def test_the_cookie_is_an_opaque_id_whose_hash_alone_is_stored(
    client: TestClient, settings: Settings
) -> None:
    _login(client, "demo-customer", "demo-customer-token")
    cookie = _cookie(client)

    assert "demo-customer" not in cookie
    assert "." not in cookie
    assert len(cookie) >= 40
    stored = _stored_hashes(settings)
    assert hashlib.sha256(cookie.encode()).hexdigest() in stored
    assert cookie not in stored


def test_the_cookie_keeps_its_flags(client: TestClient) -> None:
    form = _csrf(client.get("/login").text)
    response = client.post(
        "/login",
        data={"user_id": "demo-customer", "token": "demo-customer-token", "csrf": form},
        follow_redirects=False,
    )
    header = response.headers["set-cookie"]
    assert header.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in header
    assert "SameSite=strict" in header
    assert "Max-Age=28800" in header  # 8 hours
    assert "Secure" not in header  # development serves plain http


def test_production_cookies_are_secure(tmp_path: Path, clock: ManualClock) -> None:
    settings = Settings(
        mode="production", secret_key=STRONG_SECRET, demo_accounts=False, data_dir=tmp_path
    )
    services = build_services(settings, clock)
    token = _add_alice(services, clock)
    with TestClient(create_app(settings, services=services), base_url="https://testserver") as c:
        page = c.get("/login")
        assert page.headers["set-cookie"].endswith("; Secure")  # the anonymous session's
        form = _csrf(page.text)
        signed_in = c.post(
            "/login",
            data={"user_id": "alice", "token": token, "csrf": form},
            follow_redirects=False,
        )
        assert signed_in.status_code == 303, signed_in.text
        assert signed_in.headers["set-cookie"].endswith("; HttpOnly; SameSite=strict; Secure")
    services.close()


def test_logout_ends_a_cookie_copied_before_it(client: TestClient) -> None:
    csrf = _login(client, "demo-customer", "demo-customer-token")
    copied = _cookie(client)
    assert client.get("/api/sessions").status_code == 200

    out = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.cookies.get(SESSION_COOKIE) is None  # the browser's cookie is deleted

    _only_cookie(client, copied)
    refused = client.get("/api/sessions")
    assert refused.status_code == 401
    assert refused.headers["set-cookie"].startswith(f"{SESSION_COOKIE}=; Path=/; Max-Age=0;")
    assert client.get("/chat", follow_redirects=False).headers["location"] == "/login"
    _only_cookie(client, copied)
    assert client.post("/api/sessions", headers={"X-CSRF-Token": csrf}).status_code == 401


def test_the_session_id_changes_at_sign_in_and_the_old_one_ends(
    client: TestClient, settings: Settings
) -> None:
    form = _csrf(client.get("/login").text)
    before = _cookie(client)  # the login form's (anonymous) session, holding its CSRF token

    client.post(
        "/login",
        data={"user_id": "demo-customer", "token": "demo-customer-token", "csrf": form},
        follow_redirects=False,
    )
    after = _cookie(client)

    assert after != before
    assert hashlib.sha256(before.encode()).hexdigest() not in _stored_hashes(settings)
    _only_cookie(client, before)  # the pre-login id is never signed in
    assert client.get("/api/sessions").status_code == 401
    assert _csrf(client.get("/login").text) != form  # and its CSRF token went with it


def test_a_cookie_session_still_needs_the_csrf_token(client: TestClient) -> None:
    csrf = _login(client, "demo-customer", "demo-customer-token")

    assert client.post("/api/sessions").status_code == 403
    assert client.post("/api/sessions", headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert client.post("/api/sessions", headers={"X-CSRF-Token": csrf}).status_code == 201


def test_a_session_ends_eight_hours_after_sign_in(client: TestClient, clock: ManualClock) -> None:
    _login(client, "demo-customer", "demo-customer-token")
    clock.advance(SESSION_TTL_MS - 1)
    assert client.get("/api/sessions").status_code == 200
    clock.advance(1)
    assert client.get("/api/sessions").status_code == 401


def _add_alice(services: Services, clock: ManualClock) -> str:
    return services.principals.add(ALICE, by="demo-admin", at_ms=clock.now_ms())


def test_disabling_an_account_ends_all_its_sessions_at_once(
    client: TestClient, services: Services, clock: ManualClock
) -> None:
    token = _add_alice(services, clock)
    _login(client, "alice", token)
    first = _cookie(client)
    client.cookies.clear()
    _login(client, "alice", token)
    second = _cookie(client)
    assert services.browser_sessions.count_of("alice") == 2

    assert services.principals.disable("alice", by="demo-admin", at_ms=clock.now_ms()) == 2

    assert services.browser_sessions.count_of("alice") == 0
    for copied in (first, second):
        assert _only_cookie(client, copied).get("/api/sessions").status_code == 401
    client.cookies.clear()
    bearer = client.get("/api/sessions", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 401
    form = _csrf(client.get("/login").text)
    login = client.post("/login", data={"user_id": "alice", "token": token, "csrf": form})
    assert login.status_code == 401


def test_rotating_a_token_ends_its_sessions_and_the_new_token_signs_in(
    client: TestClient, services: Services, clock: ManualClock
) -> None:
    old = _add_alice(services, clock)
    _login(client, "alice", old)
    copied = _cookie(client)

    new = services.principals.rotate_token("alice", by="demo-admin", at_ms=clock.now_ms())

    assert new != old
    assert _only_cookie(client, copied).get("/api/sessions").status_code == 401
    client.cookies.clear()
    assert (
        client.get("/api/sessions", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    )
    _login(client, "alice", new)
    assert client.get("/api/sessions").status_code == 200


def test_account_changes_are_audited_with_who_and_when(
    client: TestClient, services: Services, clock: ManualClock
) -> None:
    added_at = clock.now_ms()
    _add_alice(services, clock)
    clock.advance(1000)
    services.principals.rotate_token("alice", by="ops-1", at_ms=clock.now_ms())
    clock.advance(1000)
    services.principals.disable("alice", by="ops-2", at_ms=clock.now_ms())

    rows = [(e.action, e.subject, e.who, e.at_ms) for e in services.policy_store.audit()]
    assert rows[-3:] == [
        ("user_added", "alice", "demo-admin", added_at),
        ("token_rotated", "alice", "ops-1", added_at + 1000),
        ("user_disabled", "alice", "ops-2", added_at + 2000),
    ]
    assert services.policy_store.verify_audit().ok


@pytest.fixture
def second_app(settings: Settings, clock: ManualClock) -> Iterator[TestClient]:
    """Another app, built separately, on the same data directory (as another process)."""
    other = build_services(settings, clock)
    with TestClient(create_app(settings, services=other)) as test_client:
        yield test_client
    other.close()


def test_a_session_ended_in_one_app_is_refused_by_another_at_once(
    client: TestClient, second_app: TestClient
) -> None:
    csrf = _login(client, "demo-customer", "demo-customer-token")
    _only_cookie(second_app, _cookie(client))
    assert second_app.get("/api/sessions").status_code == 200  # one store, both apps

    client.post("/logout", data={"csrf": csrf}, follow_redirects=False)

    assert second_app.get("/api/sessions").status_code == 401


def test_a_route_cannot_sign_someone_in_behind_sign_in(client: TestClient) -> None:
    # Setting request.session["user_id"] by hand would keep the visitor's id (fixation).
    app = client.app
    assert isinstance(app, FastAPI)

    @app.get("/test-fixation")
    def fixation(request: Request) -> dict[str, str]:
        request.session["user_id"] = "demo-customer"
        return {}

    with pytest.raises(RuntimeError, match="sign_in"):
        client.get("/test-fixation")
    assert client.get("/api/sessions").status_code == 401
