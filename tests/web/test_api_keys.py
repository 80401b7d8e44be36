"""API keys an administrator issues, lists and revokes (/v1/admin/api-keys, web/api_keys.py):
shown once, stored hashed with a visible prefix, acting as the product role, refused once
revoked or expired in every app on the database, audited."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from execution.clock import ManualClock, iso
from web.api_keys import DAY_MS, KEY_PREFIX
from web.app import create_app
from web.services import build_services
from web.settings import Settings

from .conftest import CUSTOMER, PRODUCT, SUPPORT

ADMIN = {"Authorization": "Bearer demo-admin-token"}
SIMULATION = {"text": "buy $500 of ETH", "balances": {"USD": "10000"}}
KEYS = "/v1/admin/api-keys"


def _issue(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post(
        KEYS, json={"name": "pricing script", "scopes": ["simulate"]} | body, headers=ADMIN
    )
    assert response.status_code == 201, response.text
    issued: dict[str, Any] = response.json()
    return issued


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_an_issued_key_is_shown_once_and_runs_simulations(
    client: TestClient, clock: ManualClock
) -> None:
    issued = _issue(client, expires_in_days=30)

    key = issued["key"]
    assert key.startswith(KEY_PREFIX)
    assert len(key) > 40
    assert issued["prefix"] == key[: len(KEY_PREFIX) + 4]
    assert issued["scopes"] == ["simulate"]
    assert issued["created_by"] == "demo-admin"
    assert issued["created_at"] == iso(clock.now_ms())
    assert issued["expires_at"] == iso(clock.now_ms() + 30 * DAY_MS)
    assert issued["revoked_at"] is None
    assert client.post("/v1/simulations", json=SIMULATION, headers=_bearer(key)).status_code == 200
    # A key is a product principal: no customer sessions, no administration.
    assert client.get("/api/sessions", headers=_bearer(key)).status_code == 403
    assert client.get(KEYS, headers=_bearer(key)).status_code == 403


def test_the_store_keeps_only_the_hash_and_the_prefix(
    client: TestClient, settings: Settings
) -> None:
    issued = _issue(client)

    with sqlite3.connect(settings.database_path) as db:
        row = db.execute("SELECT * FROM api_keys WHERE id = ?", (issued["id"],)).fetchone()
        columns = [c[1] for c in db.execute("PRAGMA table_info(api_keys)")]
    stored = dict(zip(columns, row, strict=True))
    assert issued["key"] not in {str(value) for value in stored.values()}
    assert stored["secret_hash"] == hashlib.sha256(issued["key"].encode()).hexdigest()
    assert stored["prefix"] == issued["prefix"]


def test_the_list_shows_every_key_newest_first_and_never_a_secret(
    client: TestClient, clock: ManualClock
) -> None:
    first = _issue(client, name="first")
    clock.advance(1)
    second = _issue(client, name="second")

    listed = client.get(KEYS, headers=ADMIN)

    assert listed.status_code == 200
    keys = listed.json()["keys"]
    assert [k["name"] for k in keys] == ["second", "first"]
    for k in keys:
        assert "key" not in k
        assert set(k) >= {"id", "name", "prefix", "scopes", "created_at", "expires_at"}
        assert set(k) >= {"revoked_at", "created_by"}
    assert first["key"] not in listed.text
    assert second["key"] not in listed.text


def test_revoking_refuses_the_key_at_once_and_is_listed(client: TestClient) -> None:
    issued = _issue(client)
    key = issued["key"]
    assert client.post("/v1/simulations", json=SIMULATION, headers=_bearer(key)).status_code == 200

    revoked = client.delete(f"{KEYS}/{issued['id']}", headers=ADMIN)

    assert revoked.status_code == 200
    assert revoked.json()["revoked_by"] == "demo-admin"
    refused = client.post("/v1/simulations", json=SIMULATION, headers=_bearer(key))
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == f"API key {issued['prefix']}… was revoked"
    listed = client.get(KEYS, headers=ADMIN).json()["keys"]
    assert listed[0]["revoked_at"] is not None
    again = client.delete(f"{KEYS}/{issued['id']}", headers=ADMIN)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    unknown = client.delete(f"{KEYS}/no-such-key", headers=ADMIN)
    assert unknown.status_code == 404
    assert "'no-such-key'" in unknown.json()["error"]["message"]


@pytest.fixture
def second_app(settings: Settings, clock: ManualClock) -> Iterator[TestClient]:
    """Another app, built separately, on the same data directory (as another process)."""
    other = build_services(settings, clock)
    with TestClient(create_app(settings, services=other)) as test_client:
        yield test_client
    other.close()


def test_a_key_revoked_in_one_app_is_refused_by_another_at_once(
    client: TestClient, second_app: TestClient
) -> None:
    issued = _issue(client)
    key = _bearer(issued["key"])
    assert second_app.post("/v1/simulations", json=SIMULATION, headers=key).status_code == 200

    client.delete(f"{KEYS}/{issued['id']}", headers=ADMIN)

    assert second_app.post("/v1/simulations", json=SIMULATION, headers=key).status_code == 401


def test_an_expired_key_is_refused(client: TestClient, clock: ManualClock) -> None:
    issued = _issue(client, expires_in_days=1)
    key = _bearer(issued["key"])
    clock.advance(DAY_MS - 1)
    assert client.post("/v1/simulations", json=SIMULATION, headers=key).status_code == 200

    clock.advance(1)

    refused = client.post("/v1/simulations", json=SIMULATION, headers=key)
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == f"API key {issued['prefix']}… has expired"


def test_an_unknown_key_is_refused(client: TestClient) -> None:
    response = client.post("/v1/simulations", json=SIMULATION, headers=_bearer(KEY_PREFIX + "x"))
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "invalid bearer token"


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"scopes": ["trade"]}, "scopes", "cannot hold the scope 'trade'"),
        ({"scopes": ["settings"]}, "scopes", "cannot hold the scope 'settings'"),
        ({"scopes": ["simulate", "read"]}, "scopes", ""),
        ({"scopes": []}, "scopes", ""),
        ({"expires_in_days": 0}, "expires_in_days", ""),
        ({"expires_in_days": 100_000}, "expires_in_days", ""),
        ({"name": "  "}, "name", ""),
    ],
)
def test_a_key_the_product_role_may_not_hold_is_refused(
    client: TestClient, body: dict[str, Any], field: str, says: str
) -> None:
    response = client.post(
        KEYS, json={"name": "k", "scopes": ["simulate"], "expires_in_days": 5} | body, headers=ADMIN
    )

    assert response.status_code == 422, response.text
    errors = response.json()["error"]["details"]["errors"]
    assert errors[0]["loc"][-1] == field or errors[0]["loc"][-2] == field
    assert says in errors[0]["msg"]
    assert client.get(KEYS, headers=ADMIN).json()["keys"] == []


@pytest.mark.parametrize("headers", [CUSTOMER, SUPPORT, PRODUCT, {}])
def test_only_an_administrator_manages_keys(client: TestClient, headers: dict[str, str]) -> None:
    body = {"name": "k", "scopes": ["simulate"]}
    expected = 401 if not headers else 403
    assert client.post(KEYS, json=body, headers=headers).status_code == expected
    assert client.get(KEYS, headers=headers).status_code == expected
    assert client.delete(f"{KEYS}/x", headers=headers).status_code == expected


def test_issuing_and_revoking_are_audited_with_who_and_when(
    client: TestClient, clock: ManualClock
) -> None:
    issued = _issue(client)
    issued_at = clock.now_ms()
    clock.advance(5000)
    client.delete(f"{KEYS}/{issued['id']}", headers=ADMIN)

    entries = client.get("/v1/admin/audit", headers=ADMIN).json()["entries"]

    created, revoked = (e for e in entries if e["subject"] == issued["id"])
    assert (created["action"], created["who"], created["at"]) == (
        "api_key_created",
        "demo-admin",
        iso(issued_at),
    )
    assert issued["prefix"] in created["new"]
    assert issued["key"] not in created["new"]
    assert (revoked["action"], revoked["who"], revoked["at"]) == (
        "api_key_revoked",
        "demo-admin",
        iso(issued_at + 5000),
    )
    assert client.get("/v1/admin/audit/verify", headers=ADMIN).json()["ok"] is True
