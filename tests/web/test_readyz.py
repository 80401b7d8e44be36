"""GET /readyz: 200 with each dependency's result and latency; 503 naming the journal, the
venue or the LLM endpoint when it does not answer (in time). /healthz stays up."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient

from execution.clock import ManualClock
from tests.sandbox_server import sandbox_server
from tests.support import free_port
from web.app import create_app
from web.services import Services, build_services
from web.settings import Settings


def _client(settings: Settings, clock: ManualClock) -> TestClient:
    return TestClient(create_app(settings, services=build_services(settings, clock)))


class _Models(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint's ``GET /v1/models`` (the documented list shape)."""

    seen: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        _Models.seen.append(self.headers.get("Authorization"))
        if self.path != "/v1/models":
            self.send_error(404)
            return
        body = b'{"object": "list", "data": [{"id": "gemma-3-270m", "object": "model"}]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def llm_endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Models)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_ready_reports_each_check_with_its_latency(client: TestClient) -> None:
    answer = client.get("/readyz")

    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"journal", "venue"}  # no LLM configured: not checked
    for check in body["checks"].values():
        assert check["ok"] is True
        assert check["latency_ms"] >= 0


def test_a_closed_journal_is_named_and_liveness_still_answers(
    client: TestClient, services: Services
) -> None:
    services.journal.close()  # type: ignore[attr-defined]

    answer = client.get("/readyz")

    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["code"] == "not_ready"
    assert error["details"]["failed"] == ["journal"]
    assert error["message"].startswith("not ready: journal (")
    assert error["details"]["checks"]["venue"]["ok"] is True
    assert client.get("/healthz").status_code == 200


def test_a_venue_that_stopped_answering_is_named(tmp_path: Path, clock: ManualClock) -> None:
    with sandbox_server(seed=7) as venue:
        settings = Settings(data_dir=tmp_path / "data", venue="sandbox-remote", venue_url=venue.url)
        with _client(settings, clock) as client:
            up = client.get("/readyz")
            venue.process.terminate()  # the sandbox server stops
            venue.process.wait()
            down = client.get("/readyz")

    assert up.status_code == 200, up.text
    assert down.status_code == 503
    error = down.json()["error"]
    assert error["details"]["failed"] == ["venue"]
    assert "venue (" in error["message"]
    assert venue.url not in down.text  # no URL in what it says


def test_a_configured_llm_endpoint_is_checked_with_its_key(
    tmp_path: Path, clock: ManualClock, llm_endpoint: str
) -> None:
    _Models.seen.clear()
    settings = Settings(
        data_dir=tmp_path / "data",
        parser="hybrid",
        llm_base_url=llm_endpoint,
        llm_api_key="sk-readyz-secret",
    )
    with _client(settings, clock) as client:
        answer = client.get("/readyz")

    assert answer.status_code == 200, answer.text
    assert answer.json()["checks"]["llm"]["ok"] is True
    assert _Models.seen == ["Bearer sk-readyz-secret"]
    assert "sk-readyz-secret" not in answer.text


def test_an_llm_endpoint_that_is_down_is_named(tmp_path: Path, clock: ManualClock) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        parser="llm",
        llm_base_url=f"http://127.0.0.1:{free_port()}/v1",
        llm_api_key="sk-readyz-secret",
    )
    with _client(settings, clock) as client:
        answer = client.get("/readyz")

    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["details"]["failed"] == ["llm"]
    assert error["details"]["checks"]["journal"]["ok"] is True
    assert "sk-readyz-secret" not in answer.text
    assert "127.0.0.1" not in answer.text


def test_an_llm_endpoint_that_never_answers_fails_within_the_timeout(
    tmp_path: Path, clock: ManualClock
) -> None:
    with socket.socket() as silent:  # accepts connections (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings = Settings(
            data_dir=tmp_path / "data",
            parser="llm",
            llm_base_url=f"http://127.0.0.1:{silent.getsockname()[1]}/v1",
            readyz_timeout_s=0.5,
        )
        with _client(settings, clock) as client:
            started = time.monotonic()
            answer = client.get("/readyz")
            elapsed = time.monotonic() - started

    assert answer.status_code == 503
    assert answer.json()["error"]["details"]["failed"] == ["llm"]
    assert elapsed < 3
