"""Every recorded simulation request still gets byte for byte the answer it got before the
simulation path was made fast (see :mod:`tests.web.simulation_corpus`)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, getcontext, localcontext

from ccxt.base.decimal_to_precision import ROUND, TICK_SIZE, decimal_to_precision
from fastapi.testclient import TestClient

from web.services import Services

from .conftest import PRODUCT
from .simulation_corpus import corpus_requests, digest, load_corpus


def test_the_corpus_covers_every_request_and_each_answer_is_recorded() -> None:
    recorded = load_corpus()
    requests = corpus_requests()
    assert [r["request"] for r in recorded[: len(requests)]] == requests
    assert {r["status"] for r in recorded} == {200, 422}  # answers and refusals both
    assert all(digest(r["body"].encode()) == r["sha256"] for r in recorded)


def test_each_simulation_answers_byte_for_byte_as_recorded(client: TestClient) -> None:
    recorded = load_corpus()
    for entry in recorded[: len(corpus_requests())]:
        response = client.post("/v1/simulations", json=entry["request"], headers=PRODUCT)
        assert (response.status_code, response.text) == (entry["status"], entry["body"]), entry[
            "request"
        ]
        assert digest(response.content) == entry["sha256"]


def test_a_batch_answers_byte_for_byte_as_recorded(client: TestClient) -> None:
    entry = load_corpus()[-1]
    items = corpus_requests()[: entry["request"]["batch"]]
    response = client.post("/v1/simulations/batch", json={"simulations": items}, headers=PRODUCT)
    assert response.status_code == entry["status"]
    assert digest(response.content) == entry["sha256"], response.text[:2000]


def test_an_answer_does_not_depend_on_what_ccxt_did_to_the_threads_decimals(
    services: Services,
) -> None:
    text = "buy $1,500 of ETH and set tp 4200 sl 3400"  # a band of 3297.545 to round
    balances = {"USD": Decimal(10000)}
    before = services.simulations.run(text, balances).model_dump_json()
    with localcontext():
        decimal_to_precision("1.5", ROUND, "0.1", TICK_SIZE)  # as any ccxt exchange does
        assert getcontext().rounding == ROUND_HALF_UP  # ccxt left its thread like this
        after = services.simulations.run(text, balances).model_dump_json()
    assert '"band_high":"3297.54"' in before
    assert after == before
