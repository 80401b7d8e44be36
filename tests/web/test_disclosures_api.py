"""The risk disclosure: shown in the customer's language, acknowledged once per customer and
version (audited with who, when, locale and the exact text), and required by the server
before any message; and the assistant never gives advice."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from execution.clock import ManualClock, iso
from execution.disclosures import LOCALES, RISK_TEXTS, RISK_VERSION, risk_disclosure
from tests.support import acknowledge_risk
from web.app import create_app
from web.auth import Principal
from web.services import Services, build_services
from web.settings import Settings

from .conftest import CUSTOMER, SUPPORT

ADMIN = {"Authorization": "Bearer demo-admin-token"}
HAN = re.compile(r"[\u4e00-\u9fff]")


def _acks(client: TestClient) -> list[dict[str, Any]]:
    entries = client.get("/v1/admin/audit", headers=ADMIN).json()["entries"]
    return [e for e in entries if e["action"] == "risk_disclosure_acknowledged"]


def _session(client: TestClient) -> str:
    response = client.post("/api/sessions", headers=CUSTOMER)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _ack_body(locale: str = "en") -> dict[str, str]:
    shown = risk_disclosure(locale)  # type: ignore[arg-type]
    return {"version": shown.version, "locale": shown.locale, "text": shown.text}


# --- the catalogue ------------------------------------------------------------------------


def test_every_locale_says_every_sentence() -> None:
    texts = {locale: risk_disclosure(locale) for locale in LOCALES}

    for locale, shown in texts.items():
        assert shown.version == RISK_VERSION
        assert len(shown.paragraphs) == 5
        assert all(p.strip() for p in (shown.title, *shown.paragraphs, shown.acknowledge))
        assert shown.text == "\n\n".join((shown.title, *shown.paragraphs))
        assert bool(HAN.search(shown.text)) == (locale != "en"), locale
    assert "no investment advice" in texts["en"].text
    assert "lose all" in texts["en"].text
    assert texts["en"].acknowledge == "I understand"
    assert "投资建议" in texts["zh-Hans"].text
    assert "投資意見" in texts["zh-Hant"].text
    # Simplified and Traditional are different scripts, not one text twice.
    assert texts["zh-Hans"].text != texts["zh-Hant"].text


def test_the_wording_is_pinned_to_its_version() -> None:
    """A change of wording must come with a new RISK_VERSION (customers acknowledge it
    again): update both this digest and the version."""
    wording = json.dumps(
        {locale: text.model_dump() for locale, text in RISK_TEXTS.items()},
        ensure_ascii=False,
        sort_keys=True,
    )
    digest = hashlib.sha256(wording.encode()).hexdigest()
    assert (RISK_VERSION, digest[:16]) == ("risk-2026-01.1", PINNED_DIGEST)


PINNED_DIGEST = "eb92275e2d2c11fe"


# --- before and after acknowledging -------------------------------------------------------


def test_a_message_before_the_acknowledgement_is_refused_and_nothing_is_journaled(
    unacknowledged_client: TestClient, services: Services
) -> None:
    client = unacknowledged_client
    shown = client.get("/api/disclosures/risk", headers=CUSTOMER).json()
    assert shown["acknowledged"] is False
    assert shown["acknowledged_at"] is None
    sid = _session(client)

    refused = client.post(
        f"/api/sessions/{sid}/messages", json={"text": "buy 0.01 BTC"}, headers=CUSTOMER
    )

    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "disclosure_required"
    assert "risk disclosure" in error["message"]
    assert error["details"] == {"version": RISK_VERSION}
    assert [e.kind for e in services.journal.read(sid)] == ["session_opened"]


def test_the_acknowledgement_is_audited_with_who_when_locale_and_the_exact_text(
    unacknowledged_client: TestClient, clock: ManualClock
) -> None:
    client = unacknowledged_client
    clock.advance(90_000)
    shown = client.get("/api/disclosures/risk?locale=zh-Hant", headers=CUSTOMER).json()
    assert shown["locale"] == "zh-Hant"
    assert shown["acknowledge"] == "我明白"

    done = client.post(
        "/api/disclosures/risk/ack",
        json={"version": shown["version"], "locale": "zh-Hant", "text": shown["text"]},
        headers=CUSTOMER,
    )

    assert done.status_code == 201, done.text
    assert done.json() == {
        "version": RISK_VERSION,
        "locale": "zh-Hant",
        "acknowledged_at": iso(clock.now_ms()),
        "recorded_now": True,
    }
    (entry,) = _acks(client)
    assert (entry["who"], entry["subject"], entry["at"], entry["old"]) == (
        "demo-customer",
        "demo-customer",
        iso(clock.now_ms()),
        None,
    )
    assert json.loads(entry["new"]) == {
        "version": RISK_VERSION,
        "locale": "zh-Hant",
        "text": risk_disclosure("zh-Hant").text,
    }
    again = client.get("/api/disclosures/risk", headers=CUSTOMER).json()
    assert (again["acknowledged"], again["acknowledged_locale"]) == (True, "zh-Hant")
    sid = _session(client)
    said = client.post(
        f"/api/sessions/{sid}/messages", json={"text": "buy 0.01 BTC"}, headers=CUSTOMER
    )
    assert said.status_code == 200, said.text


def test_a_second_acknowledgement_records_nothing_new(
    unacknowledged_client: TestClient, clock: ManualClock
) -> None:
    client = unacknowledged_client
    first = acknowledge_risk(client, CUSTOMER)
    clock.advance(60_000)

    second = client.post("/api/disclosures/risk/ack", json=_ack_body(), headers=CUSTOMER)

    assert second.status_code == 200
    assert second.json() == {**first, "recorded_now": False}
    assert len(_acks(client)) == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"version": "risk-2025-06.1"}, "disclosure_stale"),
        ({"text": "I agree"}, "disclosure_mismatch"),
        ({"locale": "zh-Hans"}, "disclosure_mismatch"),  # the English text as Simplified
    ],
)
def test_an_acknowledgement_of_anything_but_what_is_shown_is_409_and_records_nothing(
    unacknowledged_client: TestClient, change: dict[str, str], code: str
) -> None:
    client = unacknowledged_client

    refused = client.post(
        "/api/disclosures/risk/ack", json={**_ack_body(), **change}, headers=CUSTOMER
    )

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == code
    assert _acks(client) == []
    assert client.get("/api/disclosures/risk", headers=CUSTOMER).json()["acknowledged"] is False


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/disclosures/risk?locale=fr", None),
        ("POST", "/api/disclosures/risk/ack", {**_ack_body(), "locale": "zh"}),
        ("POST", "/api/disclosures/risk/ack", {"version": RISK_VERSION, "locale": "en"}),
        ("POST", "/api/disclosures/risk/ack", {**_ack_body(), "admin": True}),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    unacknowledged_client: TestClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = unacknowledged_client.request(method, path, json=body, headers=CUSTOMER)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert _acks(unacknowledged_client) == []


def test_only_customers_acknowledge(unacknowledged_client: TestClient) -> None:
    client = unacknowledged_client
    for headers in (SUPPORT, ADMIN):
        response = client.post("/api/disclosures/risk/ack", json=_ack_body(), headers=headers)
        assert response.status_code == 403
    assert client.get("/api/disclosures/risk").status_code == 401
    assert _acks(client) == []


def test_it_is_per_customer_and_outlives_the_process(
    unacknowledged_client: TestClient, settings: Settings, clock: ManualClock
) -> None:
    client = unacknowledged_client
    client.app.state.services.principals.put(
        Principal("bob", "Bob", "customer", frozenset({"trade"})), "bob-token"
    )
    acknowledge_risk(client, CUSTOMER)
    bob = {"Authorization": "Bearer bob-token"}

    sid = client.post("/api/sessions", headers=bob).json()["id"]
    refused = client.post(f"/api/sessions/{sid}/messages", json={"text": "hi"}, headers=bob)
    assert refused.json()["error"]["code"] == "disclosure_required"

    # Another app process on the same data directory (a restart) knows it.
    other = build_services(settings, clock)
    try:
        with TestClient(create_app(settings, services=other)) as restarted:
            shown = restarted.get("/api/disclosures/risk", headers=CUSTOMER).json()
            assert shown["acknowledged"] is True
            assert restarted.get("/api/disclosures/risk", headers=bob).json()["acknowledged"] is (
                False
            )
    finally:
        other.close()


# --- the assistant never volunteers trade ideas -------------------------------------------


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("what should I buy?", "can't give investment advice"),
        ("is BTC a good investment?", "can't give investment advice"),
        ("推荐一个币", "我不能提供投资建议"),
        ("有冇咩幣推介", "我不能提供投資建議"),
    ],
)
def test_advice_is_refused_with_its_code_and_nothing_is_planned(
    client: TestClient, text: str, refusal: str
) -> None:
    sid = _session(client)

    turn = client.post(f"/api/sessions/{sid}/messages", json={"text": text}, headers=CUSTOMER)

    assert turn.status_code == 200, turn.text
    body = turn.json()
    assert body["result"] == "unsupported"
    assert refusal in body["reply"]  # in the message's language
    assert (body["plan"], body["preview"], body["pending"]) == (None, None, [])
    events = client.get(f"/api/sessions/{sid}/events", headers=CUSTOMER).json()["events"]
    (parsed,) = [e for e in events if e["kind"] == "intent_parsed"]
    assert parsed["payload"]["result"]["reason"] == "advice"
    assert not [e for e in events if e["kind"] in ("plan_created", "step_previewed")]
