"""``GET /v1/admin/audit/verify`` and ``tradeassist audit --verify``: the audit's hash chain,
checked for administrators only, after a policy change, a tier change and a customer's
acknowledgement of the risk disclosure made through the app; tampering by hand is named
with its row; a tampered database gets an answer, never a 5xx."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from fastapi.testclient import TestClient

from execution.journal import GENESIS_HASH
from web.auth import Principal
from web.services import Services
from web.settings import Settings

from .conftest import CUSTOMER, PRODUCT, SUPPORT
from .test_admin_api import ADMIN, RULES
from .test_cli import _run
from .test_pages import _login

VERIFY = "/v1/admin/audit/verify"


@pytest.fixture
def client(unacknowledged_client: TestClient) -> TestClient:
    return unacknowledged_client


def _three_changes(client: TestClient) -> list[dict[str, Any]]:
    """A policy change, a tier change and an acknowledgement, through the app."""
    assert client.put("/v1/admin/policy", json=RULES, headers=ADMIN).status_code == 200
    moved = client.put(
        "/v1/admin/principals/demo-customer/tier", json={"tier": "basic"}, headers=ADMIN
    )
    assert moved.status_code == 200, moved.text
    shown = client.get("/api/disclosures/risk?locale=zh-Hans", headers=CUSTOMER).json()
    done = client.post(
        "/api/disclosures/risk/ack",
        json={"version": shown["version"], "locale": "zh-Hans", "text": shown["text"]},
        headers=CUSTOMER,
    )
    assert done.status_code == 201, done.text
    entries: list[dict[str, Any]] = client.get("/v1/admin/audit", headers=ADMIN).json()["entries"]
    assert [e["action"] for e in entries] == [
        "policy_published",
        "tier_changed",
        "risk_disclosure_acknowledged",
    ]
    return entries


def _verify(client: TestClient) -> dict[str, Any]:
    response = client.get(VERIFY, headers=ADMIN)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _tamper(settings: Settings, sql: str, *args: Any) -> None:
    db = sqlite3.connect(settings.database_path)
    db.execute(sql, args)
    db.commit()
    db.close()


def _where(body: dict[str, Any]) -> list[tuple[str, int | None, int | None]]:
    return [(p["kind"], p["seq"], p["row_id"]) for p in body["problems"]]


# --- who may ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers", [CUSTOMER, SUPPORT, PRODUCT], ids=["customer", "support", "product"]
)
def test_only_administrators_may_verify(client: TestClient, headers: dict[str, str]) -> None:
    refused = client.get(VERIFY, headers=headers)

    assert refused.status_code == 403
    assert client.get(VERIFY).status_code == 401
    assert client.get(VERIFY, headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_an_admin_without_the_settings_scope_may_not_verify(
    client: TestClient, services: Services
) -> None:
    services.principals.put(
        Principal("auditor", "Auditor", "admin", frozenset({"read"})), "auditor-token"
    )

    refused = client.get(VERIFY, headers={"Authorization": "Bearer auditor-token"})

    assert refused.status_code == 403
    assert "'settings' scope" in refused.json()["error"]["message"]


def test_a_signed_in_admin_verifies_from_the_browser_session(client: TestClient) -> None:
    _login(client, "demo-admin", "demo-admin-token")  # a GET needs no CSRF header

    assert client.get(VERIFY).json()["ok"] is True


# --- the chain --------------------------------------------------------------------------


def test_an_empty_audit_verifies(client: TestClient) -> None:
    assert _verify(client) == {
        "ok": True,
        "rows": 0,
        "head": {"seq": 0, "hash": GENESIS_HASH},
        "problems": [],
    }


def test_policy_tier_and_acknowledgement_chain_and_verify(client: TestClient) -> None:
    entries = _three_changes(client)

    body = _verify(client)

    assert body == {
        "ok": True,
        "rows": 3,
        "head": {"seq": 3, "hash": entries[-1]["hash"]},
        "problems": [],
    }
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert len({e["hash"] for e in entries}) == 3


def test_an_edited_acknowledgement_is_named(client: TestClient, settings: Settings) -> None:
    _three_changes(client)
    _tamper(settings, "UPDATE admin_audit SET at_ms = at_ms - 86400000 WHERE seq = 3")

    body = _verify(client)

    assert body["ok"] is False
    assert _where(body) == [("edited", 3, 3)]
    assert "risk_disclosure_acknowledged of demo-customer" in body["problems"][0]["detail"]


def test_a_deleted_tier_change_is_named(client: TestClient, settings: Settings) -> None:
    _three_changes(client)
    _tamper(settings, "DELETE FROM admin_audit WHERE seq = 2")

    assert _where(_verify(client)) == [("deleted", 2, None)]


def test_swapped_rows_are_named(client: TestClient, settings: Settings) -> None:
    _three_changes(client)
    _tamper(settings, "UPDATE admin_audit SET id = -1 WHERE id = 1")
    _tamper(settings, "UPDATE admin_audit SET id = 1 WHERE id = 2")
    _tamper(settings, "UPDATE admin_audit SET id = 2 WHERE id = -1")

    assert _where(_verify(client)) == [("reordered", 2, 1), ("reordered", 1, 2)]


def test_a_tampered_database_gets_an_answer_not_a_5xx(
    client: TestClient, settings: Settings
) -> None:
    _three_changes(client)
    _tamper(settings, "UPDATE admin_audit SET at_ms = 'yesterday', seq = 'x' WHERE seq = 1")
    _tamper(settings, "UPDATE admin_audit SET new_value = ? WHERE seq = 2", b"\x00blob")

    body = _verify(client)

    assert body["ok"] is False
    assert _where(body) == [("edited", None, 1), ("edited", 2, 2), ("deleted", 1, None)]
    # The listing cannot show a time that is not one: a clear refusal naming the row.
    listing = client.get("/v1/admin/audit", headers=ADMIN)
    assert listing.status_code == 503
    assert "row id 1 holds 'yesterday' as its time" in listing.json()["error"]["message"]


def test_bad_requests_to_verify(client: TestClient) -> None:
    assert client.get(VERIFY + "?from=abc&limit=-1", headers=ADMIN).json()["ok"] is True
    assert client.post(VERIFY, headers=ADMIN).status_code == 405
    assert client.get(VERIFY + "/1", headers=ADMIN).status_code == 404


def test_the_acknowledgement_answers_as_before(client: TestClient) -> None:
    """The chain changes nothing the customer sees: 201 then 200, the first one kept."""
    shown = client.get("/api/disclosures/risk", headers=CUSTOMER).json()
    body = {"version": shown["version"], "locale": "en", "text": shown["text"]}

    first = client.post("/api/disclosures/risk/ack", json=body, headers=CUSTOMER)
    again = client.post("/api/disclosures/risk/ack", json=body, headers=CUSTOMER)

    assert (first.status_code, again.status_code) == (201, 200)
    assert set(first.json()) == {"version", "locale", "acknowledged_at", "recorded_now"}
    assert again.json() == {**first.json(), "recorded_now": False}
    assert _verify(client)["rows"] == 1


# --- the command ------------------------------------------------------------------------


def test_cli_audit_verify_passes_then_names_the_tampering(
    client: TestClient, settings: Settings
) -> None:
    _three_changes(client)
    env = {"TRADEASSIST_DATA_DIR": str(settings.data_dir)}

    ok = _run("audit", "--verify", env=env)
    assert ok.returncode == 0, ok.stderr
    assert "tier_changed" in ok.stdout
    assert "risk_disclosure_acknowledged" in ok.stdout
    assert "audit chain verified: 3 entries, head #3" in ok.stdout

    _tamper(settings, "UPDATE admin_audit SET new_value = 'pro' WHERE seq = 2")
    broken = _run("audit", "--verify", env=env)
    assert broken.returncode == 1
    assert "audit chain BROKEN:" in broken.stdout
    assert "edited: row seq 2 (id 2, tier_changed of demo-customer)" in broken.stdout
    assert _run("audit", env=env).returncode == 0  # listing only: no verdict


def test_cli_audit_without_a_database_says_so(tmp_path: Any) -> None:
    missing = _run("audit", "--verify", env={"TRADEASSIST_DATA_DIR": str(tmp_path / "none")})

    assert missing.returncode == 2
    assert "no database" in missing.stderr
