"""Administrators: the policy in force and customer tiers, audited; roles and scopes."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from execution.clock import ManualClock
from execution.policy import DEFAULT_VERSION, Policy
from web.auth import DEMO_ADMIN, Principal, Principals
from web.services import Services, build_services
from web.settings import Settings

from .conftest import CUSTOMER, PRODUCT, SUPPORT
from .test_pages import _login

ADMIN = {"Authorization": "Bearer demo-admin-token"}
RULES: dict[str, Any] = {
    "tiers": {
        "basic": {
            "max_order_notional": {"USDT": "1000", "USD": "1000"},
            "max_daily_notional": {"USDT": "2000", "USD": "2000"},
        },
        "verified": {
            "max_order_notional": {"USDT": "20000", "USD": "20000"},
            "max_daily_notional": {"USDT": "50000", "USD": "50000"},
        },
    },
    "allowed_assets": ["BTC", "ETH", "USDT", "USD"],
    "max_limit_distance_pct": "5",
    "max_slippage_bps": "100",
}


@pytest.fixture
def client(unacknowledged_client: TestClient) -> TestClient:
    """The app with nothing in its audit yet (no customer has acknowledged the risk
    disclosure): these tests read the audit whole."""
    return unacknowledged_client


ENDPOINTS = [
    ("GET", "/v1/admin/policy", None),
    ("PUT", "/v1/admin/policy", RULES),
    ("GET", "/v1/admin/policy/versions", None),
    ("PUT", "/v1/admin/principals/demo-customer/tier", {"tier": "pro"}),
    ("GET", "/v1/admin/audit", None),
]


def _audit(client: TestClient) -> list[dict[str, Any]]:
    response = client.get("/v1/admin/audit", headers=ADMIN)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


def _versions(client: TestClient) -> list[str]:
    response = client.get("/v1/admin/policy/versions", headers=ADMIN)
    return [v["version"] for v in response.json()["versions"]]


# --- who may ------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
@pytest.mark.parametrize(
    "headers", [CUSTOMER, SUPPORT, PRODUCT], ids=["customer", "support", "product"]
)
def test_other_roles_get_403_and_change_nothing(
    client: TestClient,
    services: Services,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    headers: dict[str, str],
) -> None:
    response = client.request(method, path, json=body, headers=headers)

    assert response.status_code == 403, response.text
    assert _versions(client) == [DEFAULT_VERSION]
    assert _audit(client) == []
    customer = services.principals.by_id("demo-customer")
    assert customer is not None
    assert customer.tier == "verified"


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_anonymous_callers_get_401(
    client: TestClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    assert client.request(method, path, json=body).status_code == 401


def test_an_admin_without_the_settings_scope_may_read_sessions_only(
    client: TestClient, services: Services
) -> None:
    auditor = Principal("auditor", "Auditor", "admin", frozenset({"read"}))
    services.principals.put(auditor, "auditor-token")
    headers = {"Authorization": "Bearer auditor-token"}

    refused = client.get("/v1/admin/policy", headers=headers)

    assert refused.status_code == 403
    assert "'settings' scope" in refused.json()["error"]["message"]
    assert client.get("/api/support/sessions", headers=headers).status_code == 200
    assert client.post("/api/sessions", headers=headers).status_code == 403  # never trades


def test_admin_reads_and_never_trades(client: TestClient) -> None:
    assert client.get("/api/support/sessions", headers=ADMIN).status_code == 200
    assert client.post("/api/sessions", headers=ADMIN).status_code == 403
    assert (
        client.post("/v1/simulations", json={"text": "buy 1 ETH"}, headers=ADMIN).status_code == 403
    )


def test_a_cookie_session_needs_the_csrf_header_to_change_the_policy(client: TestClient) -> None:
    csrf = _login(client, "demo-admin", "demo-admin-token")

    assert client.get("/v1/admin/policy").status_code == 200
    assert client.put("/v1/admin/policy", json=RULES).status_code == 403
    assert _versions(client) == [DEFAULT_VERSION]
    changed = client.put("/v1/admin/policy", json=RULES, headers={"X-CSRF-Token": csrf})
    assert changed.status_code == 200, changed.text


# --- the policy ---------------------------------------------------------------------


def test_get_returns_the_policy_in_force_and_its_version(client: TestClient) -> None:
    response = client.get("/v1/admin/policy", headers=ADMIN)

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == body["policy"]["version"] == DEFAULT_VERSION
    assert Policy.model_validate(body["policy"]) == Policy()
    assert body["policy"]["tiers"]["verified"]["max_order_notional"]["USDT"] == "50000"


def test_put_publishes_a_new_version_in_force_for_new_previews(
    client: TestClient, services: Services, clock: ManualClock
) -> None:
    response = client.put("/v1/admin/policy", json=RULES, headers=ADMIN)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["previous_version"], body["version"]) == (DEFAULT_VERSION, "2026-01-01.1")
    assert body["policy"]["max_slippage_bps"] == "100"
    assert client.get("/v1/admin/policy", headers=ADMIN).json() == {
        "version": body["version"],
        "policy": body["policy"],
    }
    assert _versions(client) == [DEFAULT_VERSION, "2026-01-01.1"]
    (entry,) = _audit(client)
    assert re.fullmatch(r"[0-9a-f]{64}", entry.pop("hash"))  # the chain: test_audit_chain.py
    assert entry == {
        "at": "2026-01-01T00:00:00.000Z",
        "who": "demo-admin",
        "action": "policy_published",
        "subject": "policy",
        "old": DEFAULT_VERSION,
        "new": "2026-01-01.1",
        "seq": 1,
    }
    # The next preview runs under it: a simulation carries the new version and its caps.
    simulated = client.post(
        "/v1/simulations",
        json={"text": "buy $1500 of ETH", "balances": {"USD": "10000"}},
        headers=PRODUCT,
    ).json()
    (step,) = simulated["preview"]["steps"]
    assert simulated["preview"]["policy_version"] == step["policy"]["policy_version"]
    assert step["policy"]["policy_version"] == "2026-01-01.1"
    assert [d["code"] for d in step["policy"]["denials"]] == []  # verified: 20000 per order
    clock.advance(1)
    again = client.put("/v1/admin/policy", json=RULES, headers=ADMIN).json()
    assert again["version"] == "2026-01-01.2"


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        (
            {
                "tiers": {
                    "basic": {
                        "max_order_notional": {"USDT": "10"},
                        "max_daily_notional": {"USDT": "5"},
                    }
                }
            },
            ["body", "tiers", "basic", "max_daily_notional"],
        ),
        ({"max_slippage_bps": "-1"}, ["body", "max_slippage_bps"]),
        ({"max_slippage_bps": "lots"}, ["body", "max_slippage_bps"]),
        ({"allowed_assets": ["btc"]}, ["body", "allowed_assets", 0]),
        ({"version": "2099-01-01.1"}, ["body", "version"]),
        ({"tiers": {}}, ["body", "tiers"]),
    ],
)
def test_an_invalid_policy_is_422_naming_the_field_and_nothing_is_stored(
    client: TestClient, change: dict[str, Any], loc: list[Any]
) -> None:
    response = client.put("/v1/admin/policy", json={**RULES, **change}, headers=ADMIN)

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["error"]["details"]["errors"]] == [loc]
    assert _versions(client) == [DEFAULT_VERSION]
    assert _audit(client) == []
    assert client.get("/v1/admin/policy", headers=ADMIN).json()["version"] == DEFAULT_VERSION


# --- tiers --------------------------------------------------------------------------


def test_put_tier_moves_a_customer_and_audits_it(client: TestClient, services: Services) -> None:
    response = client.put(
        "/v1/admin/principals/demo-customer/tier", json={"tier": "pro"}, headers=ADMIN
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        "user_id": "demo-customer",
        "tier": "pro",
        "previous_tier": "verified",
    }
    customer = services.principals.by_id("demo-customer")
    assert customer is not None
    assert customer.tier == "pro"
    assert [(e["who"], e["action"], e["subject"], e["old"], e["new"]) for e in _audit(client)] == [
        ("demo-admin", "tier_changed", "demo-customer", "verified", "pro")
    ]


def test_a_tier_the_policy_lacks_is_422_and_nothing_changes(
    client: TestClient, services: Services
) -> None:
    unknown = client.put(
        "/v1/admin/principals/demo-customer/tier", json={"tier": "gold"}, headers=ADMIN
    )
    malformed = client.put(
        "/v1/admin/principals/demo-customer/tier", json={"tier": "Gold!"}, headers=ADMIN
    )

    assert unknown.status_code == malformed.status_code == 422
    assert [e["loc"] for e in unknown.json()["error"]["details"]["errors"]] == [["body", "tier"]]
    assert "no tier 'gold'" in unknown.json()["error"]["details"]["errors"][0]["msg"]
    assert [e["loc"] for e in malformed.json()["error"]["details"]["errors"]] == [["body", "tier"]]
    customer = services.principals.by_id("demo-customer")
    assert customer is not None
    assert customer.tier == "verified"
    assert _audit(client) == []


def test_a_tier_for_no_account_is_404(client: TestClient) -> None:
    response = client.put("/v1/admin/principals/nobody/tier", json={"tier": "pro"}, headers=ADMIN)

    assert response.status_code == 404
    assert _audit(client) == []


def test_tiers_follow_the_published_policy(client: TestClient) -> None:
    client.put("/v1/admin/policy", json=RULES, headers=ADMIN)  # basic and verified only

    moved = client.put(
        "/v1/admin/principals/demo-customer/tier", json={"tier": "basic"}, headers=ADMIN
    )
    gone = client.put(
        "/v1/admin/principals/demo-customer/tier", json={"tier": "pro"}, headers=ADMIN
    )

    assert moved.status_code == 200
    assert gone.status_code == 422


# --- accounts -----------------------------------------------------------------------


def test_no_demo_admin_without_demo_accounts(tmp_path: Path, clock: ManualClock) -> None:
    data = tmp_path / "data"
    built = build_services(Settings(data_dir=data), clock)
    assert built.principals.by_id("demo-admin") == DEMO_ADMIN
    built.close()

    # What production runs with (it refuses demo accounts): the demo admin is removed.
    quiet = build_services(Settings(data_dir=data, demo_accounts=False), clock)
    assert quiet.principals.by_id("demo-admin") is None
    assert quiet.principals.by_secret("demo-admin-token") is None
    quiet.close()


def test_a_role_cannot_be_given_another_roles_scope(tmp_path: Path) -> None:
    principals = Principals(tmp_path / "db.sqlite3")

    with pytest.raises(ValueError, match=r"'customer' cannot hold the scope\(s\) settings"):
        principals.put(Principal("eve", "Eve", "customer", frozenset({"trade", "settings"})), "t")

    assert principals.by_id("eve") is None
    principals.close()


def test_a_scope_written_behind_the_stores_back_grants_nothing(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    principals = Principals(path)
    principals.put(Principal("eve", "Eve", "customer", frozenset({"trade"})), "eve-token")
    raw = sqlite3.connect(path)
    raw.execute("UPDATE principals SET scopes = 'trade settings' WHERE user_id = 'eve'")
    raw.commit()
    raw.close()

    eve = principals.by_secret("eve-token")

    assert eve is not None
    assert eve.scopes == frozenset({"trade"})
    principals.close()


def test_accounts_from_before_tiers_are_verified(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute(
        "CREATE TABLE principals (user_id TEXT PRIMARY KEY, display_name TEXT NOT NULL, "
        "role TEXT NOT NULL, scopes TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE)"
    )
    raw.execute("INSERT INTO principals VALUES ('old', 'Old', 'customer', 'trade', 'h')")
    raw.commit()
    raw.close()

    principals = Principals(path)
    old = principals.by_id("old")

    assert old is not None
    assert (old.tier, old.scopes) == ("verified", frozenset({"trade"}))
    assert principals.set_tier("old", "basic", by="ada", at_ms=1) == "verified"
    moved = principals.by_id("old")
    assert moved is not None
    assert moved.tier == "basic"
    principals.close()
