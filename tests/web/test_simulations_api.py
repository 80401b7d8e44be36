"""The product team's /v1/simulations: keyed, deterministic, and never an order."""

from __future__ import annotations

import json
from decimal import Decimal

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
    assert client.post("/v1/simulations", json=BODY, headers=PRODUCT).json() == body  # same


def test_simulation_explains_what_it_cannot_plan(client: TestClient) -> None:
    clarify = client.post("/v1/simulations", json={"text": "buy some ETH"}, headers=PRODUCT)
    assert clarify.json()["plan"] is None
    assert clarify.json()["intent"]["action"] == "clarify"
    no_market = client.post(
        "/v1/simulations", json={"text": "buy 5 DOGE with HKD"}, headers=PRODUCT
    )
    assert no_market.status_code == 422
    assert "DOGE/HKD" in no_market.json()["error"]["message"]


def test_negative_balances_are_rejected(client: TestClient) -> None:
    response = client.post(
        "/v1/simulations", json={**BODY, "balances": {"USD": "-1"}}, headers=PRODUCT
    )
    assert response.status_code == 422
    assert "not negative: USD" in response.text


def _sim(client: TestClient, **body: object) -> dict[str, object]:
    response = client.post("/v1/simulations", json={**BODY, **body}, headers=PRODUCT)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _step(result: dict[str, object]) -> dict[str, str]:
    return result["preview"]["steps"][0]  # type: ignore[index,no-any-return]


def test_the_same_request_gives_the_same_answer_and_the_seed_matters(client: TestClient) -> None:
    big = {"text": "buy 30 ETH", "balances": {"USDT": "1000000"}}  # walks several levels
    first = _sim(client, seed=11, **big)

    assert _sim(client, seed=11, **big) == first
    assert _step(_sim(client, seed=12, **big))["average_price"] != _step(first)["average_price"]
    assert _step(first)["created_ms"] == 1_767_225_600_000  # the default as_of
    later = _sim(client, seed=11, as_of="2026-06-01T12:00:00Z")
    assert _step(later)["created_ms"] == 1_780_315_200_000


def test_price_shock_moves_the_book(client: TestClient) -> None:
    base = _step(_sim(client))
    shocked = _step(_sim(client, scenario={"ETH/USD": {"shock_pct": "-10"}}))

    ratio = Decimal(shocked["mid_price"]) / Decimal(base["mid_price"])
    assert abs(ratio - Decimal("0.9")) < Decimal("0.0001")
    assert Decimal(shocked["amount"]) > Decimal(base["amount"])  # $500 buys more
    assert shocked["assumptions"]["scenario"]["shock_pct"] == "-10"  # type: ignore[index]


def test_wider_spread_and_thinner_book_cost_more(client: TestClient) -> None:
    big = {"text": "buy 20 ETH", "balances": {"USDT": "1000000"}}
    base = _step(_sim(client, **big))
    wide = _step(_sim(client, **big, scenario={"ETH/USDT": {"spread_mult": "3"}}))
    thin = _step(_sim(client, **big, scenario={"ETH/USDT": {"depth_mult": "0.25"}}))

    assert Decimal(wide["slippage_bps"]) > Decimal(base["slippage_bps"])
    assert Decimal(thin["slippage_bps"]) > Decimal(base["slippage_bps"])
    assert thin["levels"] > base["levels"]


def test_scenario_for_an_unknown_symbol_or_bad_value_is_422(client: TestClient) -> None:
    unknown = client.post(
        "/v1/simulations", json={**BODY, "scenario": {"FOO/BAR": {}}}, headers=PRODUCT
    )
    assert unknown.status_code == 422
    assert "FOO/BAR" in unknown.text
    bad = client.post(
        "/v1/simulations",
        json={**BODY, "scenario": {"ETH/USD": {"depth_mult": "0"}}},
        headers=PRODUCT,
    )
    assert bad.status_code == 422
    assert "depth_mult" in bad.text


def test_cross_convert_simulation_feeds_the_first_steps_proceeds(client: TestClient) -> None:
    result = _sim(client, text="convert 1 ETH to SOL", balances={"ETH": "2"})

    first, second = result["preview"]["steps"]  # type: ignore[index]
    received = Decimal(first["notional"]) - Decimal(first["fee"]["cost"])
    assert Decimal(second["notional"]) <= received
    assert Decimal(second["balances_after"]["USDT"]) >= 0


def test_batch_runs_each_request_on_its_own(client: TestClient, services: Services) -> None:
    response = client.post(
        "/v1/simulations/batch",
        json={"simulations": [BODY, {"text": "buy 5 DOGE with HKD"}, {**BODY, "seed": 3}]},
        headers=PRODUCT,
    )

    results = response.json()["results"]
    assert [r["ok"] for r in results] == [True, False, True]
    assert "DOGE/HKD" in results[1]["error"]["message"]
    assert results[0]["preview"] == _sim(client)["preview"]
    assert services.journal.sessions() == []


def test_batch_limits_and_keys(client: TestClient) -> None:
    texts = ("buy 0.01 BTC", "sell 1 ETH at 3250", "convert 1 ETH to SOL", "buy 500 USDT of ETH")
    items = [{"text": texts[i % 4], "balances": {"USDT": "10000", "ETH": "2"}} for i in range(1000)]
    full = client.post("/v1/simulations/batch", json={"simulations": items}, headers=PRODUCT)
    assert full.status_code == 200, full.text[:500]
    assert [r["ok"] for r in full.json()["results"]] == [True] * 1000

    for wrong in ([BODY] * 1001, []):
        refused = client.post("/v1/simulations/batch", json={"simulations": wrong}, headers=PRODUCT)
        assert refused.status_code == 422
        (error,) = refused.json()["error"]["details"]["errors"]
        assert error["loc"] == ["body", "simulations"], error
    assert "at most 1000 items" in refused_message(client, [BODY] * 1001)
    assert client.post("/v1/simulations/batch", json={"simulations": [BODY]}).status_code == 401


def test_batch_streams_one_ndjson_line_per_item_each_with_its_own_error(
    client: TestClient,
) -> None:
    items = [BODY, {"text": "buy 5 DOGE with HKD"}, {"text": "buy some ETH"}, {**BODY, "seed": 3}]
    items = items * 30  # more than one chunk of the thread pool
    as_json = client.post("/v1/simulations/batch", json={"simulations": items}, headers=PRODUCT)

    with client.stream(
        "POST",
        "/v1/simulations/batch",
        json={"simulations": items},
        headers={**PRODUCT, "Accept": "application/x-ndjson"},
    ) as streamed:
        assert streamed.status_code == 200
        assert streamed.headers["content-type"] == "application/x-ndjson"
        assert "content-length" not in streamed.headers  # streamed, not sent in one piece
        lines = list(streamed.iter_lines())

    assert len(lines) == len(items)
    results = [json.loads(line) for line in lines]
    assert results == as_json.json()["results"]  # the same items, in the same order
    assert [r["ok"] for r in results[:4]] == [True, False, True, True]
    assert results[1]["error"] == {
        "code": "not_plannable",
        "message": results[1]["error"]["message"],
    }
    assert "DOGE/HKD" in results[1]["error"]["message"]
    assert results[2]["intent"]["action"] == "clarify"
    assert results[0]["preview"] == _sim(client)["preview"]
    assert results[3]["preview"] == _sim(client, seed=3)["preview"]


def test_an_invalid_item_refuses_the_batch_naming_it_before_anything_runs(
    client: TestClient,
) -> None:
    items = [BODY, {**BODY, "balances": {"USD": "-1"}}]
    response = client.post(
        "/v1/simulations/batch",
        json={"simulations": items},
        headers={**PRODUCT, "Accept": "application/x-ndjson"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    assert "body.simulations.1.balances" in response.json()["error"]["message"]


def refused_message(client: TestClient, items: list[dict[str, object]]) -> str:
    response = client.post("/v1/simulations/batch", json={"simulations": items}, headers=PRODUCT)
    assert response.status_code == 422
    return str(response.json()["error"]["message"])
