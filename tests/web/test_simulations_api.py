"""The product team's /v1/simulations: keyed, deterministic, and never an order."""

from __future__ import annotations

from fastapi.testclient import TestClient

from web.services import Services

from .conftest import CUSTOMER, PRODUCT

BODY = {"text": "buy $500 of ETH", "balances": {"USD": "10000"}}


def test_missing_or_wrong_key_is_401(client: TestClient) -> None:
    assert client.post("/v1/simulations", json=BODY).status_code == 401
    wrong = client.post("/v1/simulations", json=BODY, headers={"Authorization": "Bearer not-a-key"})
    assert wrong.status_code == 401


def test_a_key_without_the_simulate_scope_is_403(client: TestClient) -> None:
    assert client.post("/v1/simulations", json=BODY, headers=CUSTOMER).status_code == 403


def test_simulation_returns_intent_plan_and_preview_and_places_no_order(
    client: TestClient, services: Services
) -> None:
    response = client.post("/v1/simulations", json=BODY, headers=PRODUCT)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["intent"]["action"] == "buy"
    assert body["intent"]["amount"] == {"value": 500, "unit": "USD"}
    assert body["plan"]["steps"][0]["order"]["symbol"] == "ETH/USD"
    (step,) = body["preview"]["steps"]
    assert step["balances_before"] == {"ETH": "0", "USD": "10000"}
    assert float(step["notional"]) <= 500
    assert step["policy"]["allowed"] is True
    assert services.journal.sessions() == []
    assert client.post("/v1/simulations", json=BODY, headers=PRODUCT).json() == body


def test_simulation_explains_what_it_cannot_plan(client: TestClient) -> None:
    clarify = client.post("/v1/simulations", json={"text": "buy some ETH"}, headers=PRODUCT)
    assert clarify.json()["plan"] is None
    assert clarify.json()["intent"]["action"] == "clarify"
    no_market = client.post(
        "/v1/simulations", json={"text": "buy 5 DOGE with HKD"}, headers=PRODUCT
    )
    assert no_market.status_code == 422
    assert "DOGE/HKD" in no_market.json()["detail"]


def test_negative_balances_are_rejected(client: TestClient) -> None:
    response = client.post(
        "/v1/simulations", json={**BODY, "balances": {"USD": "-1"}}, headers=PRODUCT
    )
    assert response.status_code == 422
    assert "USD" in response.json()["detail"]
