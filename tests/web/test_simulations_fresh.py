"""The simulation request reads the caller and the policy on the event loop, cached by
nothing: a key revoked or a policy published by another process (here another connection
to the same SQLite file, as another process has) is in force for the very next request,
and a writer holding SQLite's write lock does not hold the request up."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from fastapi.testclient import TestClient

from execution.clock import ManualClock
from execution.policy import PolicyRules, PolicyStore
from web.auth import DEMO_PRODUCT, Principals
from web.settings import Settings

from .conftest import PRODUCT

BODY = {"text": "buy $500 of ETH", "balances": {"USD": "10000"}}


def _simulate(client: TestClient, headers: dict[str, str]) -> int:
    return client.post("/v1/simulations", json=BODY, headers=headers).status_code


def test_a_key_revoked_elsewhere_fails_the_very_next_request(
    client: TestClient, settings: Settings
) -> None:
    assert _simulate(client, PRODUCT) == 200
    other = Principals(settings.database_path)  # another process's store
    try:
        other.remove(DEMO_PRODUCT.user_id)
        assert _simulate(client, PRODUCT) == 401
        other.put(DEMO_PRODUCT, "a-new-key")  # reissued: the old key stays refused
        assert _simulate(client, PRODUCT) == 401
        assert _simulate(client, {"Authorization": "Bearer a-new-key"}) == 200
        other.put(replace(DEMO_PRODUCT, scopes=frozenset()), "k")
        assert _simulate(client, {"Authorization": "Bearer k"}) == 403  # scope taken away
    finally:
        other.close()


def test_a_policy_published_elsewhere_judges_the_very_next_simulation(
    client: TestClient, settings: Settings, clock: ManualClock
) -> None:
    before = client.post("/v1/simulations", json=BODY, headers=PRODUCT).json()
    assert before["preview"]["steps"][0]["policy"]["allowed"] is True
    other = PolicyStore(settings.database_path, clock)  # another process's store
    try:
        _, published = other.publish(PolicyRules(allowed_assets=frozenset({"BTC"})), by="ada")
        after = client.post("/v1/simulations", json=BODY, headers=PRODUCT).json()
        batch = client.post(
            "/v1/simulations/batch", json={"simulations": [BODY]}, headers=PRODUCT
        ).json()
    finally:
        other.close()
    assert (
        after["preview"]["policy_version"]
        == published.version
        != before["preview"]["policy_version"]
    )
    assert after["preview"]["steps"][0]["policy"]["allowed"] is False
    assert batch["results"][0]["preview"]["policy_version"] == published.version


def test_a_writer_holding_the_write_lock_does_not_hold_up_a_simulation(
    client: TestClient, settings: Settings
) -> None:
    writer = sqlite3.connect(settings.database_path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # SQLite's write lock, held by another process
        writer.execute("DELETE FROM principals")  # not committed: still visible as before
        assert _simulate(client, PRODUCT) == 200
        writer.execute("COMMIT")
        assert _simulate(client, PRODUCT) == 401
    finally:
        writer.close()
