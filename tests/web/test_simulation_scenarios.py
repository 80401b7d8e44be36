"""What-ifs through the simulation API and the chat: a scenario outside its bounds is a 422
naming the figure; one whose book cannot be drawn is that request's own error (a batch's
other items run); nothing of it is a 500 (issue 15: ``depth_mult`` 1e-300 and
``shock_pct`` -99.9999999 emptied the book, and one such item sank a whole batch)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from execution.preview.scenarios import (
    MAX_MULT,
    MAX_SHOCK_PCT,
    MAX_SPREAD_MULT,
    MIN_MULT,
    MIN_SHOCK_PCT,
)

from .conftest import CUSTOMER, PRODUCT

RICH = {"USDT": "1000000", "ETH": "100", "BTC": "10"}
BUY = {"text": "buy 0.5 ETH with USDT", "balances": RICH}
#: A standing order's condition price is previewed on the book moved there; at 0.001 the
#: BTC/USDT tick (0.01) draws no bid above zero.
BELOW_THE_TICK = {"text": "buy 0.01 BTC when it drops to 0.001", "balances": RICH}


@pytest.fixture
def unraised(client: TestClient) -> TestClient:
    """The app as a server runs it: an exception is a 500, not raised into the test."""
    return TestClient(client.app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("figure", "value"),
    [
        ("depth_mult", "1e-300"),
        ("shock_pct", "-99.9999999"),
        ("shock_pct", "-100"),
        ("spread_mult", "51"),
        ("depth_mult", 1e-300),  # a JSON number, not a string
    ],
)
def test_a_figure_outside_its_bounds_is_422_naming_it(
    unraised: TestClient, figure: str, value: object
) -> None:
    scenario = {"ETH/USDT": {figure: value}}
    single = unraised.post("/v1/simulations", headers=PRODUCT, json={**BUY, "scenario": scenario})
    batch = unraised.post(
        "/v1/simulations/batch",
        headers=PRODUCT,
        json={"simulations": [BUY, {**BUY, "scenario": scenario}]},
    )

    for response, where in (
        (single, ["body", "scenario", "ETH/USDT", figure]),
        (batch, ["body", "simulations", 1, "scenario", "ETH/USDT", figure]),
    ):
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid_request"
        assert [e["loc"] for e in error["details"]["errors"]] == [where]


def test_a_book_that_cannot_be_drawn_is_that_simulation_s_own_422(unraised: TestClient) -> None:
    response = unraised.post("/v1/simulations", headers=PRODUCT, json=BELOW_THE_TICK)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "scenario_refused"
    assert error["details"] == {
        "symbol": "BTC/USDT",
        "side": "bids",
        "level": "1",
        "price": "0",
    }
    assert error["message"].startswith("BTC/USDT's book moved to 0.001 would have a bid at 0")


@pytest.mark.parametrize("accept", ["application/json", "application/x-ndjson"])
def test_in_a_batch_only_the_item_whose_book_cannot_be_drawn_fails(
    unraised: TestClient, accept: str
) -> None:
    shocked = {**BUY, "scenario": {"ETH/USDT": {"shock_pct": "-99", "depth_mult": "0.01"}}}
    items = [BUY, BELOW_THE_TICK, shocked]

    response = unraised.post(
        "/v1/simulations/batch",
        headers={**PRODUCT, "Accept": accept},
        json={"simulations": items},
    )

    assert response.status_code == 200, response.text
    if accept == "application/x-ndjson":
        results = [json.loads(line) for line in response.text.splitlines()]
    else:
        results = response.json()["results"]
    assert [r["ok"] for r in results] == [True, False, True]
    assert results[1]["error"]["code"] == "scenario_refused"
    assert "BTC/USDT's book moved to 0.001" in results[1]["error"]["message"]
    assert results[2]["preview"]["steps"][0]["assumptions"]["scenario"] == {
        "shock_pct": "-99",
        "spread_mult": "1",
        "depth_mult": "0.01",
    }


def test_the_chat_says_a_standing_order_below_the_tick_cannot_be_previewed(
    unraised: TestClient,
) -> None:
    sid = unraised.post("/api/sessions", headers=CUSTOMER).json()["id"]

    response = unraised.post(
        f"/api/sessions/{sid}/messages", headers=CUSTOMER, json={"text": BELOW_THE_TICK["text"]}
    )

    assert response.status_code == 200, response.text  # it was a 500: an emptied book
    assert "could not be previewed" in response.json()["reply"]
    assert response.json()["pending"] == []
    events = unraised.get(f"/api/sessions/{sid}/events", headers=CUSTOMER).json()["events"]
    failed = [e for e in events if e["kind"] == "preview_failed"]
    assert len(failed) == 1
    assert "moved to 0.001" in failed[0]["payload"]["error"]
    again = unraised.post(f"/api/sessions/{sid}/steps/p1.1/preview", headers=CUSTOMER)
    assert again.status_code == 422, again.text  # the same book, refused the same way
    assert again.json()["error"]["code"] == "scenario_refused"


def _figures(low: Decimal, high: Decimal) -> st.SearchStrategy[str]:
    exact = st.one_of(
        st.sampled_from([low, high]), st.decimals(min_value=low, max_value=high, places=4)
    )
    return exact.map(str)


scenarios = st.fixed_dictionaries(
    {},
    optional={
        "shock_pct": _figures(MIN_SHOCK_PCT, MAX_SHOCK_PCT),
        "spread_mult": _figures(MIN_MULT, MAX_SPREAD_MULT),
        "depth_mult": _figures(MIN_MULT, MAX_MULT),
    },
)
TEXTS = (
    "buy 0.5 ETH with USDT",
    "sell 2 ETH for USDT",
    "buy 500 USDT of BTC",
    "sell 0.1 BTC for USDT at 60000",
    "buy 0.01 BTC when it drops to 0.001",
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    items=st.lists(
        st.tuples(st.sampled_from(TEXTS), scenarios, st.sampled_from([None, 1, 7])),
        min_size=1,
        max_size=6,
    )
)
def test_any_batch_of_valid_scenarios_is_200_with_a_result_or_its_own_error_per_item(
    unraised: TestClient, items: list[tuple[str, dict[str, str], int | None]]
) -> None:
    body: list[dict[str, Any]] = [
        {"text": text, "balances": RICH, "seed": seed, "scenario": {"ETH/USDT": s, "BTC/USDT": s}}
        for text, s, seed in items
    ]

    response = unraised.post("/v1/simulations/batch", headers=PRODUCT, json={"simulations": body})

    assert response.status_code == 200, response.text
    for (text, _, _), result in zip(items, response.json()["results"], strict=True):
        if result["ok"]:
            assert result["preview"]["steps"], result
        else:  # only the standing order below the tick: every scenario here keeps a book
            assert text == BELOW_THE_TICK["text"]
            assert result["error"]["code"] == "scenario_refused"
