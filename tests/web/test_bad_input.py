"""Bodies that are JSON but not numbers or text we accept (a bare NaN, Infinity, 1e400, a lone
surrogate) are 422 naming the field, on every route that reads a body: never a 500 (FastAPI's
own 422 handler failed while echoing such input back), and nothing is stored or sent."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from web.services import Services

from .conftest import CUSTOMER, PRODUCT

ADMIN = {"Authorization": "Bearer demo-admin-token"}
JSON = {"Content-Type": "application/json"}

BAD_NUMBERS = ("NaN", "Infinity", "-Infinity", "1e400")


@pytest.fixture
def unraised(services: Services, client: TestClient) -> TestClient:
    """The app as a server runs it: an exception is a 500, not raised into the test."""
    return TestClient(client.app, raise_server_exceptions=False)


@pytest.mark.parametrize("number", BAD_NUMBERS)
def test_a_non_finite_number_is_refused_naming_its_field(unraised: TestClient, number: str) -> None:
    simulation = unraised.post(
        "/v1/simulations",
        headers={**PRODUCT, **JSON},
        content=f'{{"text": "buy 0.01 BTC", "balances": {{"USDT": {number}}}}}',
    )
    seed = unraised.post(
        "/v1/simulations", headers={**PRODUCT, **JSON}, content=f'{{"text": "x", "seed": {number}}}'
    )
    policy = unraised.put(
        "/v1/admin/policy",
        headers={**ADMIN, **JSON},
        content=f'{{"max_slippage_bps": {number}}}',
    )
    sid = unraised.post("/api/sessions", headers=CUSTOMER).json()["id"]
    message = unraised.post(
        f"/api/sessions/{sid}/messages",
        headers={**CUSTOMER, **JSON},
        content=f'{{"text": {number}}}',
    )
    confirm = unraised.post(
        f"/api/sessions/{sid}/steps/p1.1/confirm",
        headers={**CUSTOMER, **JSON},
        content=f'{{"token": {number}}}',
    )
    for response, field in (
        (simulation, ["body", "balances", "USDT"]),
        (seed, ["body", "seed"]),
        (policy, ["body", "max_slippage_bps"]),
        (message, ["body", "text"]),
        (confirm, ["body", "token"]),
    ):
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid_request"
        assert field in [e["loc"] for e in error["details"]["errors"]], error


def test_a_lone_surrogate_is_refused_naming_its_field(unraised: TestClient) -> None:
    sid = unraised.post("/api/sessions", headers=CUSTOMER).json()["id"]
    lone = '"buy \\ud800 btc"'
    for method, path, headers, body, field in (
        ("POST", f"/api/sessions/{sid}/messages", CUSTOMER, f'{{"text": {lone}}}', ["text"]),
        (
            "POST",
            f"/api/sessions/{sid}/steps/p1.1/confirm",
            CUSTOMER,
            f'{{"token": {lone}}}',
            ["token"],
        ),
        ("POST", "/v1/simulations", PRODUCT, f'{{"text": {lone}}}', ["text"]),
        (
            "POST",
            "/v1/simulations/batch",
            PRODUCT,
            f'{{"simulations": [{{"text": {lone}}}]}}',
            ["simulations", 0, "text"],
        ),
        ("PUT", "/v1/admin/principals/demo-customer/tier", ADMIN, f'{{"tier": {lone}}}', ["tier"]),
    ):
        response = unraised.request(method, path, headers={**headers, **JSON}, content=body)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["details"]["errors"][0]["loc"] == ["body", *field]

    # a key named back in the error (a negative balance): pydantic-core failed building the
    # error around a lone surrogate, a 500; a currency is now a code, and the key is refused
    key = unraised.post(
        "/v1/simulations",
        headers={**PRODUCT, **JSON},
        content=f'{{"text": "buy 1 ETH", "balances": {{{lone}: "-1"}}}}',
    )
    assert key.status_code == 422, key.text
    (error,) = key.json()["error"]["details"]["errors"]
    assert error["loc"][:2] == ["body", "balances"]
    assert error["loc"][-1] == "[key]"
    events = unraised.get(f"/api/sessions/{sid}/events", headers=CUSTOMER).json()["events"]
    assert [e["kind"] for e in events] == ["session_opened"]  # nothing of it was stored


def test_a_body_over_its_route_s_limit_is_413_unread(unraised: TestClient) -> None:
    sid = unraised.post("/api/sessions", headers=CUSTOMER).json()["id"]
    big = '{"text": "' + "x" * 70_000 + '"}'
    declared = unraised.post(
        f"/api/sessions/{sid}/messages", headers={**CUSTOMER, **JSON}, content=big
    )
    chunked = unraised.post(  # no Content-Length: counted as it arrives
        f"/api/sessions/{sid}/messages",
        headers={**CUSTOMER, **JSON},
        content=(big[i : i + 8192].encode() for i in range(0, len(big), 8192)),
    )
    for response in (declared, chunked):
        assert response.status_code == 413, response.text
        assert response.json()["error"]["code"] == "body_too_large"
        assert len(response.content) < 300
    events = unraised.get(f"/api/sessions/{sid}/events", headers=CUSTOMER).json()["events"]
    assert [e["kind"] for e in events] == ["session_opened"]

    # a batch may be larger (1 MB by default): 100 simulations of 500 characters pass
    balances = {f"COIN{n}": "1000.00000000" for n in range(20)}
    batch = {
        "simulations": [
            {"text": "buy 0.01 BTC " + "x" * 487, "balances": balances} for _ in range(100)
        ]
    }
    passed = unraised.post("/v1/simulations/batch", headers=PRODUCT, json=batch)
    assert passed.status_code == 200, passed.text[:200]
    assert len(passed.request.content) > 64 * 1024
