"""Request ids: accepted from ``X-Request-ID`` when safe, made otherwise, returned in the
response, recorded with the journal events the request decided (without touching the
hash chain of entries written before), and on the JSON log lines; no secret is logged."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from execution.clock import ManualClock
from execution.journal import events as ev
from tests.app_server import app_server
from tests.support import acknowledge_risk
from web.json_logs import JsonFormatter
from web.services import Services

from .conftest import CUSTOMER

DAY_MS = 24 * 3600 * 1000
GENERATED = re.compile(r"[0-9a-f]{32}")


def _message(client: TestClient | httpx.Client, sid: str, text: str, rid: str) -> Any:
    return client.post(
        f"/api/sessions/{sid}/messages",
        json={"text": text},
        headers={**CUSTOMER, "X-Request-ID": rid},
    )


def test_a_request_without_an_id_gets_a_new_one_each_time(client: TestClient) -> None:
    first = client.get("/healthz").headers["x-request-id"]
    second = client.get("/healthz").headers["x-request-id"]

    assert GENERATED.fullmatch(first)
    assert GENERATED.fullmatch(second)
    assert first != second


@pytest.mark.parametrize("given", ["abc-123", "req_7.Z", "a" * 64])
def test_a_short_safe_id_is_echoed(client: TestClient, given: str) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": given}).headers["x-request-id"] == given


@pytest.mark.parametrize("given", ["a" * 65, "has space", "semi;colon", "<script>", "ü-id", ""])
def test_an_unsafe_id_is_replaced_by_a_new_one(client: TestClient, given: str) -> None:
    answer = client.get("/healthz", headers={"X-Request-ID": given.encode("utf-8")})

    assert GENERATED.fullmatch(answer.headers["x-request-id"])


def test_an_error_and_a_refused_body_carry_the_id_too(client: TestClient) -> None:
    missing = client.get("/api/sessions/nope", headers={**CUSTOMER, "X-Request-ID": "r-404"})
    too_large = client.post(
        "/v1/simulations",
        content=b"x" * (65 * 1024),
        headers={"X-Request-ID": "r-413", "Content-Type": "application/json"},
    )

    assert (missing.status_code, missing.headers["x-request-id"]) == (404, "r-404")
    assert (too_large.status_code, too_large.headers["x-request-id"]) == (413, "r-413")


def test_the_events_a_request_decides_carry_its_id_and_the_chain_still_verifies(
    client: TestClient, services: Services
) -> None:
    sid = client.post("/api/sessions", headers={**CUSTOMER, "X-Request-ID": "open-1"}).json()["id"]
    pending = _message(client, sid, "buy 0.01 BTC", "msg-2").json()["pending"][0]
    confirmed = client.post(
        f"/api/sessions/{sid}/steps/{pending['step_id']}/confirm",
        json={"token": pending["token"]},
        headers={**CUSTOMER, "X-Request-ID": "confirm-3"},
    )
    assert confirmed.status_code == 200, confirmed.text

    stored = services.journal.read(sid)
    by_request = {e.kind: e.payload.get("request_id") for e in stored}
    assert by_request["session_opened"] == "open-1"
    assert by_request["message_received"] == "msg-2"
    assert by_request["intent_parsed"] == "msg-2"
    assert by_request["step_previewed"] == "msg-2"
    assert by_request["step_confirmed"] == "confirm-3"
    assert by_request["order_accepted"] == "confirm-3"
    assert services.journal.verify(sid).ok
    for event in stored:  # the models read every entry back exactly
        assert ev.parse_payload(event.kind, event.payload).to_json() == event.payload


def test_the_workers_events_carry_no_request_id(
    client: TestClient, services: Services, clock: ManualClock
) -> None:
    sid = client.post("/api/sessions", headers=CUSTOMER).json()["id"]
    pending = _message(client, sid, "buy 20 USDT of BTC every day for 3 days", "arm-1").json()
    (step,) = pending["pending"]
    confirmed = client.post(
        f"/api/sessions/{sid}/steps/{step['step_id']}/confirm",
        json={"token": step["token"]},
        headers={**CUSTOMER, "X-Request-ID": "arm-2"},
    )
    assert confirmed.status_code == 200, confirmed.text
    seen = len(services.journal.read(sid))
    clock.advance(DAY_MS)

    services.assistant.run_mandates()

    stored = services.journal.read(sid)
    armed, later = stored[:seen], stored[seen:]
    assert {e.payload.get("request_id") for e in armed if e.kind == "order_accepted"} == {"arm-2"}
    assert any(e.kind == "order_accepted" for e in later)  # the day's order, by the worker
    assert all("request_id" not in e.payload for e in later), [e.payload for e in later]


def test_an_entry_written_before_request_ids_reads_and_hashes_as_before() -> None:
    old = {"text": "buy 1 BTC", "channel": "chat"}

    assert ev.parse_payload("message_received", old).to_json() == old  # no key added
    stamped = {**old, "request_id": "r-1"}
    assert ev.parse_payload("message_received", stamped).to_json() == stamped


def test_the_access_log_record_has_the_fields_and_the_json_line_says_them(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="tradeassist.access"):
        client.get("/api/sessions/s-9?token=hunter2", headers={**CUSTOMER, "X-Request-ID": "log-1"})

    (record,) = [r for r in caplog.records if r.name == "tradeassist.access"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "log-1"
    assert line["route"] == "/api/sessions/{session_id}"
    assert line["status"] == 404
    assert line["method"] == "GET"
    assert line["level"] == "INFO"
    assert line["logger"] == "tradeassist.access"
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("Z")
    assert "hunter2" not in json.dumps(line)
    assert "s-9" not in json.dumps(line)


def test_a_served_process_logs_json_lines_with_the_request_id_and_no_secret(
    tmp_path: Path,
) -> None:
    env = {"TRADEASSIST_DATA_DIR": str(tmp_path / "data")}
    with app_server(tmp_path, env) as server, httpx.Client(base_url=server.url) as client:
        acknowledge_risk(client, CUSTOMER)
        sid = client.post("/api/sessions", headers=CUSTOMER).json()["id"]
        assert _message(client, sid, "buy 0.01 BTC", "served-1").status_code == 200
        client.get("/healthz?token=hunter2", cookies={"tradeassist_session": "cookie-secret"})
        log = server.log.read_text()

    lines = [json.loads(text) for text in log.splitlines() if text.startswith("{")]
    assert lines, log
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id"} <= line.keys()
    (access,) = [line for line in lines if line["request_id"] == "served-1"]
    assert access["logger"] == "tradeassist.access"
    assert access["route"] == "/api/sessions/{session_id}/messages"
    assert (access["method"], access["status"]) == ("POST", 200)
    assert access["duration_ms"] > 0
    assert any("Application startup complete" in line["message"] for line in lines)
    for secret in ("demo-customer-token", "hunter2", "cookie-secret"):
        assert secret not in log
