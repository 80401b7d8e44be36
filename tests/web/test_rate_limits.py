"""Abuse limits over HTTP: failed sign-ins, unknown bearer tokens, messages, simulations,
and a session's refused confirmations and fresh previews; each refused with 429
``rate_limited``, ``Retry-After`` and the one error envelope, and nothing logged as an error.

An app per test on a manual clock (limits of N a minute give a token back every 60/N s, so
the waits are exact); another address is another TestClient on the same app (its ``client``
is the socket peer the limits count).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request

from execution.clock import ManualClock
from execution.rate_limits import RedisBuckets
from tests.app_server import app_server
from tests.support import acknowledge_risk, free_port
from web.app import create_app
from web.auth import Principal
from web.browser_sessions import SESSION_COOKIE
from web.rate_limits import client_address
from web.services import Services, build_services
from web.settings import Settings

from .conftest import CUSTOMER, PRODUCT

HOME = ("198.51.100.7", 40000)
ELSEWHERE = ("203.0.113.9", 40000)


@pytest.fixture(autouse=True)
def _no_error_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A refusal is an answer, not a failure: nothing at ERROR, and no traceback, is logged."""
    caplog.set_level(logging.WARNING)
    yield
    problems = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not problems, [r.getMessage() for r in problems]


def _settings(tmp_path: Path, **limits: Any) -> Settings:
    return Settings(data_dir=tmp_path / "data", **limits)


@pytest.fixture
def made(tmp_path: Path, clock: ManualClock) -> Iterator[list[Services]]:
    """The services the test built (closed afterwards)."""
    built: list[Services] = []
    yield built
    for services in built:
        services.close()


def _app(made: list[Services], settings: Settings, clock: ManualClock) -> FastAPI:
    services = build_services(settings, clock)
    made.append(services)
    return create_app(settings, services=services)


def _from(app: FastAPI, address: tuple[str, int] = HOME) -> TestClient:
    return TestClient(app, client=address)


def _assert_limited(response: Any, limit: str, retry_after_s: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["retry-after"] == str(retry_after_s)
    error = response.json()["error"]
    assert error["code"] == "rate_limited"
    assert error["details"] == {"limit": limit, "retry_after_s": retry_after_s}
    assert "a minute" in error["message"]
    assert f"retry in {retry_after_s} s" in error["message"]


# --- sign-in ------------------------------------------------------------------------


def _csrf(client: TestClient) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert match
    return match.group(1)


def _login(client: TestClient, user: str, token: str, csrf: str) -> Any:
    return client.post(
        "/login",
        data={"user_id": user, "token": token, "csrf": csrf},
        follow_redirects=False,
    )


def test_300_wrong_logins_are_refused_after_the_limit_even_the_right_token_until_it_passes(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    app = _app(made, _settings(tmp_path), clock)  # the defaults: 10 a minute per user id
    browser = _from(app)
    csrf = _csrf(browser)

    statuses = [
        _login(browser, "demo-customer", f"guess-{i}", csrf).status_code for i in range(300)
    ]

    assert statuses == [401] * 10 + [429] * 290
    _assert_limited(_login(browser, "demo-customer", "guess", csrf), "login_user", 6)
    right = _login(browser, "demo-customer", "demo-customer-token", csrf)
    _assert_limited(right, "login_user", 6)
    assert browser.get("/chat", follow_redirects=False).headers["location"] == "/login"
    # The right token from another address is refused too: the user id has no failure left.
    elsewhere = _from(app, ELSEWHERE)
    right = _login(elsewhere, "demo-customer", "demo-customer-token", _csrf(elsewhere))
    _assert_limited(right, "login_user", 6)

    clock.advance(60_000)
    assert _login(browser, "demo-customer", "demo-customer-token", csrf).status_code == 303
    assert browser.get("/chat").status_code == 200


def test_one_token_back_after_its_interval_gives_one_more_try(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    app = _app(made, _settings(tmp_path), clock)
    browser = _from(app)
    csrf = _csrf(browser)
    for i in range(10):
        assert _login(browser, "demo-customer", f"guess-{i}", csrf).status_code == 401

    clock.advance(4_500)
    _assert_limited(_login(browser, "demo-customer", "guess", csrf), "login_user", 2)
    clock.advance(1_500)
    assert _login(browser, "demo-customer", "guess", csrf).status_code == 401
    _assert_limited(_login(browser, "demo-customer", "demo-customer-token", csrf), "login_user", 6)


def test_failed_logins_count_per_address_whatever_the_user_id(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    app = _app(made, _settings(tmp_path, rate_login_failures_per_ip=5), clock)
    browser = _from(app)
    csrf = _csrf(browser)
    for i in range(5):
        assert _login(browser, f"someone-{i}", "guess", csrf).status_code == 401

    _assert_limited(_login(browser, "demo-customer", "demo-customer-token", csrf), "login_ip", 12)
    elsewhere = _from(app, ELSEWHERE)
    assert (
        _login(elsewhere, "demo-customer", "demo-customer-token", _csrf(elsewhere)).status_code
        == 303
    )


def test_a_successful_login_counts_nothing(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    app = _app(made, _settings(tmp_path, rate_login_failures_per_user=2), clock)
    for _ in range(5):
        browser = _from(app)
        assert (
            _login(browser, "demo-customer", "demo-customer-token", _csrf(browser)).status_code
            == 303
        )


def test_x_forwarded_for_from_the_peer_is_not_believed(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    """uvicorn rewrites the peer from X-Forwarded-For only for a trusted proxy; the app
    never reads the header, so a client cannot pick a fresh address with it."""
    app = _app(made, _settings(tmp_path, rate_login_failures_per_ip=2), clock)
    browser = _from(app)
    csrf = _csrf(browser)
    for i in range(2):
        assert _login(browser, f"u{i}", "guess", csrf).status_code == 401
    spoofed = browser.post(
        "/login",
        data={"user_id": "demo-customer", "token": "demo-customer-token", "csrf": csrf},
        headers={"X-Forwarded-For": "192.0.2.1", "Forwarded": "for=192.0.2.1"},
        follow_redirects=False,
    )
    _assert_limited(spoofed, "login_ip", 30)


#: What a browser sends with the sign-in form (Chromium's Accept for a navigation).
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("en", "Too many sign-in attempts. Please try again in 6 seconds."),
        ("zh-Hans", "登录尝试次数过多，请在 6 秒后重试。"),
        ("zh-Hant", "登入嘗試次數過多，請在 6 秒後重試。"),
    ],
)
def test_a_browser_past_the_login_limit_gets_the_sign_in_page_saying_how_long_to_wait(
    tmp_path: Path, clock: ManualClock, made: list[Services], lang: str, says: str
) -> None:
    app = _app(made, _settings(tmp_path), clock)  # 10 a minute per user id: 6 s a token
    browser = _from(app)
    match = re.search(r'name="csrf" value="([^"]+)"', browser.get(f"/login?lang={lang}").text)
    assert match
    csrf = match.group(1)
    for i in range(10):
        assert _login(browser, "demo-customer", f"guess-{i}", csrf).status_code == 401
    cookie = browser.cookies.get(SESSION_COOKIE)

    refused = browser.post(
        "/login",
        data={"user_id": "demo-customer", "token": "demo-customer-token", "csrf": csrf},
        headers={"Accept": BROWSER_ACCEPT},
        follow_redirects=False,
    )

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "6"
    assert refused.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}"' in refused.text
    assert f'<p class="error" role="alert">{says}</p>' in refused.text
    # The form is there to try again, with the session's CSRF token.
    assert '<form method="post" action="/login">' in refused.text
    assert f'name="csrf" value="{csrf}"' in refused.text
    # Nobody signed in: no new session, none stored for the user, nothing journaled.
    assert "set-cookie" not in refused.headers
    assert browser.cookies.get(SESSION_COOKIE) == cookie
    assert made[0].browser_sessions.count_of("demo-customer") == 0
    assert made[0].journal.sessions() == []
    assert browser.get("/chat", follow_redirects=False).headers["location"] == "/login"

    clock.advance(6_000)  # the wait said: the same form now signs in
    again = browser.post(
        "/login",
        data={"user_id": "demo-customer", "token": "demo-customer-token", "csrf": csrf},
        headers={"Accept": BROWSER_ACCEPT},
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert again.headers["location"] == "/chat"
    assert made[0].browser_sessions.count_of("demo-customer") == 1


def test_a_browser_past_a_minutes_wait_is_told_it_in_minutes(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    app = _app(made, _settings(tmp_path, rate_login_failures_per_ip=1), clock)
    browser = _from(app)
    csrf = _csrf(browser)
    assert _login(browser, "someone", "guess", csrf).status_code == 401

    refused = browser.post(
        "/login",
        data={"user_id": "demo-customer", "token": "demo-customer-token", "csrf": csrf},
        headers={"Accept": BROWSER_ACCEPT},
    )

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    assert "Please try again in 1 minute." in refused.text


def test_a_script_past_the_login_limit_keeps_the_json_429(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    app = _app(made, _settings(tmp_path, rate_login_failures_per_ip=1), clock)
    client = _from(app)
    csrf = _csrf(client)
    assert _login(client, "someone", "guess", csrf).status_code == 401

    for accept in ("application/json", "*/*"):
        refused = client.post(
            "/login",
            data={"user_id": "demo-customer", "token": "demo-customer-token", "csrf": csrf},
            headers={"Accept": accept},
        )
        _assert_limited(refused, "login_ip", 60)


# --- bearer tokens --------------------------------------------------------------------


def test_bearer_guesses_are_refused_after_the_limit_and_the_right_token_with_them(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    app = _app(made, _settings(tmp_path), clock)  # the default: 30 a minute per address
    guesser = _from(app)

    statuses = [
        guesser.get("/api/sessions", headers={"Authorization": f"Bearer guess-{i}"}).status_code
        for i in range(100)
    ]

    assert statuses == [401] * 30 + [429] * 70
    # A known token from the same address learns nothing either: 429, on every route.
    _assert_limited(guesser.get("/api/sessions", headers=CUSTOMER), "bearer_ip", 2)
    _assert_limited(guesser.get("/api/balances", headers=CUSTOMER), "bearer_ip", 2)
    simulation = {"text": "buy 0.01 BTC", "balances": {"USDT": "10000"}}
    _assert_limited(
        guesser.post("/v1/simulations", json=simulation, headers=PRODUCT), "bearer_ip", 2
    )
    # (a customer token lacks the simulate scope: still 429, not the 403 a known token gets)
    _assert_limited(
        guesser.post("/v1/simulations", json=simulation, headers=CUSTOMER), "bearer_ip", 2
    )
    _assert_limited(guesser.post("/v1/simulations", json={}, headers=PRODUCT), "bearer_ip", 2)
    # Another address is not affected.
    assert _from(app, ELSEWHERE).get("/api/sessions", headers=CUSTOMER).status_code == 200

    clock.advance(60_000)
    assert guesser.get("/api/sessions", headers=CUSTOMER).status_code == 200


def test_known_tokens_count_nothing(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    app = _app(made, _settings(tmp_path, rate_bearer_failures_per_ip=1), clock)
    caller = _from(app)
    for _ in range(20):
        assert caller.get("/api/sessions", headers=CUSTOMER).status_code == 200
    assert caller.get("/api/sessions", headers={"Authorization": "Bearer nope"}).status_code == 401
    _assert_limited(caller.get("/api/sessions", headers=CUSTOMER), "bearer_ip", 60)


def test_the_bearer_limit_holds_across_two_apps_on_one_redis(
    tmp_path: Path,
    clock: ManualClock,
    made: list[Services],
    test_redis_url: str,
    redis_prefix: str,
) -> None:
    settings = _settings(
        tmp_path,
        journal_url=test_redis_url,
        journal_prefix=redis_prefix,
        rate_bearer_failures_per_ip=4,
    )
    first, second = _from(_app(made, settings, clock)), _from(_app(made, settings, clock))
    guess = {"Authorization": "Bearer guess"}
    for app in (first, second, first, second):
        assert app.get("/api/sessions", headers=guess).status_code == 401

    _assert_limited(first.get("/api/sessions", headers=guess), "bearer_ip", 15)
    _assert_limited(second.get("/api/sessions", headers=CUSTOMER), "bearer_ip", 15)
    clock.advance(15_000)
    assert second.get("/api/sessions", headers=CUSTOMER).status_code == 200


def test_a_redis_that_does_not_answer_is_a_503_not_a_traceback(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    app = _app(made, _settings(tmp_path), clock)
    gone = RedisBuckets.from_url(f"redis://127.0.0.1:{free_port()}/0", clock, prefix="x:")
    made[0].rate_limits.buckets = gone
    try:
        answer = _from(app).post("/v1/simulations", json=ONE, headers=PRODUCT)
    finally:
        gone.close()
    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["code"] == "rate_limit_store_error"
    assert error["message"].startswith("could not charge the rate limits: ConnectionError")


def test_the_limits_hold_across_two_uvicorn_processes_on_one_redis(
    tmp_path: Path, test_redis_url: str, redis_prefix: str
) -> None:
    """Two ``tradeassist serve`` processes on one Redis (the wall clock): the guesses made
    through either count against one bucket, and both then refuse the right token."""
    env = {
        "TRADEASSIST_DATA_DIR": str(tmp_path / "data"),
        "TRADEASSIST_JOURNAL_URL": test_redis_url,
        "TRADEASSIST_JOURNAL_PREFIX": redis_prefix,
        "TRADEASSIST_RATE_BEARER_FAILURES_PER_IP": "4",
    }
    guess = {"Authorization": "Bearer guess"}
    with (
        app_server(tmp_path, env) as first,
        app_server(tmp_path, env) as second,
        httpx.Client(base_url=first.url, timeout=30) as a,
        httpx.Client(base_url=second.url, timeout=30) as b,
    ):
        statuses = [c.get("/api/sessions", headers=guess).status_code for c in (a, b) * 3]
        right = [c.get("/api/sessions", headers=CUSTOMER) for c in (a, b)]

    assert statuses == [401] * 4 + [429] * 2
    for answer in right:
        assert answer.status_code == 429
        assert 1 <= int(answer.headers["retry-after"]) <= 15
        assert answer.json()["error"]["details"]["limit"] == "bearer_ip"
    for server in (first, second):
        assert "Traceback" not in server.log.read_text()


# --- messages ---------------------------------------------------------------------------


def _second_customer(services: Services, client: TestClient) -> dict[str, str]:
    services.principals.put(
        Principal("customer-2", "Second Customer", "customer", frozenset({"trade"})),
        "customer-2-token",
    )
    headers = {"Authorization": "Bearer customer-2-token"}
    acknowledge_risk(client, headers)
    return headers


def test_messages_are_limited_per_principal_and_the_refused_one_is_not_journaled(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    app = _app(made, _settings(tmp_path, rate_messages_per_principal=3), clock)
    client = _from(app)
    acknowledge_risk(client, CUSTOMER)
    other = _second_customer(made[0], client)
    sid = client.post("/api/sessions", headers=CUSTOMER).json()["id"]
    for _ in range(3):
        said = client.post(
            f"/api/sessions/{sid}/messages", json={"text": "hello"}, headers=CUSTOMER
        )
        assert said.status_code == 200, said.text
    events = len(made[0].journal.read(sid))

    refused = client.post(f"/api/sessions/{sid}/messages", json={"text": "hello"}, headers=CUSTOMER)

    _assert_limited(refused, "messages", 20)
    assert len(made[0].journal.read(sid)) == events
    # Another customer (from the same address) has a bucket of their own.
    theirs = client.post("/api/sessions", headers=other).json()["id"]
    said = client.post(f"/api/sessions/{theirs}/messages", json={"text": "hello"}, headers=other)
    assert said.status_code == 200
    clock.advance(20_000)
    said = client.post(f"/api/sessions/{sid}/messages", json={"text": "hello"}, headers=CUSTOMER)
    assert said.status_code == 200


# --- simulations ------------------------------------------------------------------------

ONE = {"text": "hello", "balances": {"USDT": "100"}}  # cheap: no plan, still counted


def _second_product(services: Services) -> dict[str, str]:
    services.principals.put(
        Principal("product-2", "Second Product Team", "product", frozenset({"simulate"})),
        "product-2-key",
    )
    return {"Authorization": "Bearer product-2-key"}


def test_simulations_are_limited_per_principal_a_batch_counting_its_items(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    app = _app(
        made,
        _settings(tmp_path, rate_simulations_per_principal=1000, rate_simulations_per_ip=100_000),
        clock,
    )
    client = _from(app)
    other = _second_product(made[0])
    assert client.post("/v1/simulations", json=ONE, headers=PRODUCT).status_code == 200
    batch = client.post("/v1/simulations/batch", json={"simulations": [ONE] * 999}, headers=PRODUCT)
    assert batch.status_code == 200
    assert len(batch.json()["results"]) == 999

    _assert_limited(client.post("/v1/simulations", json=ONE, headers=PRODUCT), "simulations", 1)
    _assert_limited(
        client.post("/v1/simulations/batch", json={"simulations": [ONE] * 2}, headers=PRODUCT),
        "simulations",
        1,
    )
    assert client.post("/v1/simulations", json=ONE, headers=other).status_code == 200
    clock.advance(60)  # one simulation back
    assert client.post("/v1/simulations", json=ONE, headers=PRODUCT).status_code == 200
    _assert_limited(client.post("/v1/simulations", json=ONE, headers=PRODUCT), "simulations", 1)
    clock.advance(60_000)
    batch = client.post(
        "/v1/simulations/batch", json={"simulations": [ONE] * 1000}, headers=PRODUCT
    )
    assert batch.status_code == 200


def test_simulations_are_limited_per_address_across_principals(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    app = _app(
        made,
        _settings(tmp_path, rate_simulations_per_principal=1000, rate_simulations_per_ip=1500),
        clock,
    )
    client = _from(app)
    other = _second_product(made[0])
    for headers, count in ((PRODUCT, 1000), (other, 500)):
        answer = client.post(
            "/v1/simulations/batch", json={"simulations": [ONE] * count}, headers=headers
        )
        assert answer.status_code == 200

    _assert_limited(client.post("/v1/simulations", json=ONE, headers=other), "simulations_ip", 1)
    assert _from(app, ELSEWHERE).post("/v1/simulations", json=ONE, headers=other).status_code == 200


def test_a_simulation_makes_one_call_to_the_buckets(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    """The bearer check, the principal's and the address's buckets in one charge (on Redis,
    one script call: one round trip); a batch adds one for its other items."""
    app = _app(made, _settings(tmp_path), clock)
    limits = made[0].rate_limits
    calls: list[list[str]] = []
    charge = limits.buckets.charge

    def counted(charges: Any) -> Any:
        calls.append([c.limit.name for c in charges])
        return charge(charges)

    limits.buckets.charge = counted  # type: ignore[method-assign]
    client = _from(app)
    assert client.post("/v1/simulations", json=ONE, headers=PRODUCT).status_code == 200
    assert calls == [["bearer_ip", "simulations", "simulations_ip"]]
    batch = {"simulations": [ONE] * 3}
    assert client.post("/v1/simulations/batch", json=batch, headers=PRODUCT).status_code == 200
    assert len(calls) == 3


def test_a_simulation_limit_below_a_batch_is_refused() -> None:
    with pytest.raises(ValueError, match="rate_simulations_per_principal"):
        Settings(rate_simulations_per_principal=999)


# --- a session's journal growth -------------------------------------------------------


def _pending(client: TestClient) -> tuple[str, dict[str, Any]]:
    acknowledge_risk(client, CUSTOMER)
    sid = client.post("/api/sessions", headers=CUSTOMER).json()["id"]
    turn = client.post(
        f"/api/sessions/{sid}/messages", json={"text": "buy 0.01 BTC"}, headers=CUSTOMER
    ).json()
    return sid, turn["pending"][0]


def test_refused_confirmations_beyond_the_bound_leave_the_journal_unchanged(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    app = _app(made, _settings(tmp_path, rate_session_refusals=3), clock)
    client = _from(app)
    sid, pending = _pending(client)
    confirm = f"/api/sessions/{sid}/steps/{pending['step_id']}/confirm"
    for _ in range(3):
        refused = client.post(confirm, json={"token": "forged"}, headers=CUSTOMER)
        assert refused.json()["error"]["code"] == "token_mismatch"
    journal = made[0].journal
    before = journal.read(sid)
    assert [e.kind for e in before].count("confirmation_refused") == 3

    for _ in range(50):
        _assert_limited(
            client.post(confirm, json={"token": "forged"}, headers=CUSTOMER),
            "session_refusals",
            20,
        )

    assert journal.read(sid) == before
    # Another session of the same customer is not bound by this one's refusals.
    other, other_pending = _pending(client)
    refused = client.post(
        f"/api/sessions/{other}/steps/{other_pending['step_id']}/confirm",
        json={"token": "forged"},
        headers=CUSTOMER,
    )
    assert refused.status_code == 409
    clock.advance(20_000)
    refused = client.post(confirm, json={"token": "forged"}, headers=CUSTOMER)
    assert refused.json()["error"]["code"] == "token_mismatch"
    assert len(journal.read(sid)) == len(before) + 1


def test_a_requote_beyond_the_bound_journals_neither_its_preview_nor_its_refusal(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    app = _app(made, _settings(tmp_path, rate_session_refusals=4), clock)
    client = _from(app)
    acknowledge_risk(client, CUSTOMER)
    sid = client.post("/api/sessions", headers=CUSTOMER).json()["id"]
    turn = client.post(
        f"/api/sessions/{sid}/messages", json={"text": "buy 0.3 BTC"}, headers=CUSTOMER
    ).json()
    pending = turn["pending"][0]  # about 19,500 of 25,000 USDT
    confirm = f"/api/sessions/{sid}/steps/{pending['step_id']}/confirm"
    for _ in range(4):
        assert client.post(confirm, json={"token": "forged"}, headers=CUSTOMER).status_code == 409
    made[0].venues("demo-customer").create_order("ETH/USDT", "market", "buy", 2)  # unfunded now
    before = made[0].journal.read(sid)

    refused = client.post(confirm, json={"token": pending["token"]}, headers=CUSTOMER)

    _assert_limited(refused, "session_refusals", 15)
    assert made[0].journal.read(sid) == before  # no new preview, denial or refusal
    clock.advance(15_000)  # one back, and the token (30 s) still valid
    requoted = client.post(confirm, json={"token": pending["token"]}, headers=CUSTOMER)
    assert requoted.json()["error"]["code"] == "requote_required"
    kinds = [e.kind for e in made[0].journal.read(sid)[len(before) :]]
    assert "step_previewed" in kinds
    assert kinds[-1] == "confirmation_refused"


def test_a_confirmation_that_goes_through_is_not_bound(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    app = _app(made, _settings(tmp_path, rate_session_refusals=1), clock)
    client = _from(app)
    sid, pending = _pending(client)
    confirm = f"/api/sessions/{sid}/steps/{pending['step_id']}/confirm"
    assert client.post(confirm, json={"token": "forged"}, headers=CUSTOMER).status_code == 409
    confirmed = client.post(confirm, json={"token": pending["token"]}, headers=CUSTOMER)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["step"]["state"] == "filled"


def test_fresh_previews_beyond_the_bound_leave_the_journal_unchanged(
    tmp_path: Path, clock: ManualClock, made: list[Services]
) -> None:
    app = _app(made, _settings(tmp_path, rate_session_previews=2), clock)
    client = _from(app)
    sid, pending = _pending(client)
    preview = f"/api/sessions/{sid}/steps/{pending['step_id']}/preview"
    for _ in range(2):
        assert client.post(preview, headers=CUSTOMER).status_code == 200
    journal = made[0].journal
    before = journal.read(sid)

    for _ in range(20):
        _assert_limited(client.post(preview, headers=CUSTOMER), "session_previews", 30)

    assert journal.read(sid) == before
    clock.advance(30_000)
    fresh = client.post(preview, headers=CUSTOMER)
    assert fresh.status_code == 200
    confirmed = client.post(
        f"/api/sessions/{sid}/steps/{pending['step_id']}/confirm",
        json={"token": fresh.json()["pending"]["token"]},
        headers=CUSTOMER,
    )
    assert confirmed.status_code == 200, confirmed.text


# --- addresses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("peer", "address"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("testclient", "testclient"),
    ],
)
def test_an_address_is_the_peer_and_ipv6_counts_by_its_64(peer: str, address: str) -> None:
    request = Request({"type": "http", "client": (peer, 1), "headers": []})
    assert client_address(request) == address


def test_no_peer_is_one_unknown_address() -> None:
    assert client_address(Request({"type": "http", "client": None, "headers": []})) == "unknown"
