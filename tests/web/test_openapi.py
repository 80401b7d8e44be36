"""The HTTP API describes itself: a response schema, the error envelope and the security of
every route in /openapi.json, and every error in one envelope."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import CUSTOMER, PRODUCT


def test_every_route_declares_its_response_errors_and_security(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert {s.get("in") for s in schemes.values() if s["type"] == "apiKey"} == {"cookie", "header"}
    operations = [
        (method, path, op) for path, ops in spec["paths"].items() for method, op in ops.items()
    ]
    assert len(operations) >= 16
    for method, path, op in operations:
        where = f"{method.upper()} {path}"
        ok = next(op["responses"][c] for c in ("200", "201") if c in op["responses"])
        if path.endswith("/export"):  # a session's export bundle (web/routes/records_api.py)
            binary = {"type": "string", "format": "binary"}
            assert ok["content"]["application/zip"]["schema"] == binary, where
        else:
            # A stream (web/routes/live.py) describes its events; every other route its JSON.
            media = "text/event-stream" if path.endswith("/stream") else "application/json"
            assert "$ref" in ok["content"][media]["schema"], where
        assert op["responses"]["401"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorOut"
        }, where
        assert op.get("security"), where


def test_errors_share_one_envelope_and_never_echo_the_input(client: TestClient) -> None:
    unsigned = client.post("/api/sessions")
    assert unsigned.status_code == 401
    assert unsigned.json()["error"]["code"] == "unauthorized"

    huge = "x" * 20_000
    invalid = client.post("/v1/simulations", headers=PRODUCT, json={"text": huge})
    assert invalid.status_code == 422
    error = invalid.json()["error"]
    assert error["code"] == "invalid_request"
    assert [e["loc"] for e in error["details"]["errors"]] == [["body", "text"]]
    assert huge not in invalid.text
    assert len(invalid.text) < 1_000

    missing = client.get("/api/sessions/nope", headers=CUSTOMER)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
