"""A message carries an idempotency key: a double submit, or a retry after a lost answer,
is refused as a duplicate and never makes a second preview, in one process or several."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from execution.actors import Actor
from execution.errors import DuplicateMessage
from web.services import Services

from .conftest import CUSTOMER


def _session(client: TestClient) -> str:
    return str(client.post("/api/sessions", headers=CUSTOMER).json()["id"])


def _send(client: TestClient, sid: str, text: str, key: str | None) -> Any:
    headers = dict(CUSTOMER) if key is None else {**CUSTOMER, "Idempotency-Key": key}
    return client.post(f"/api/sessions/{sid}/messages", json={"text": text}, headers=headers)


def _customer_lines(client: TestClient, sid: str) -> list[str]:
    session = client.get(f"/api/sessions/{sid}", headers=CUSTOMER).json()
    return [line["text"] for line in session["transcript"] if line["role"] == "customer"]


def test_the_same_key_twice_is_one_message_and_one_preview(client: TestClient) -> None:
    sid = _session(client)
    first = _send(client, sid, "buy 0.01 BTC", "msg-0001-aaaa")
    assert first.status_code == 200, first.text
    again = _send(client, sid, "buy 0.01 BTC", "msg-0001-aaaa")
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "duplicate_message"
    assert "already received" in error["message"]

    session = client.get(f"/api/sessions/{sid}", headers=CUSTOMER).json()
    assert _customer_lines(client, sid) == ["buy 0.01 BTC"]
    assert len(session["plans"]) == 1
    # A new key is a new message; no key at all keeps today's behaviour.
    assert _send(client, sid, "buy 0.02 BTC", "msg-0002-bbbb").status_code == 200
    assert _send(client, sid, "buy 0.03 BTC", None).status_code == 200
    assert _customer_lines(client, sid) == ["buy 0.01 BTC", "buy 0.02 BTC", "buy 0.03 BTC"]


def test_a_key_is_per_session(client: TestClient) -> None:
    one, two = _session(client), _session(client)
    assert _send(client, one, "buy 0.01 BTC", "shared-key-1").status_code == 200
    assert _send(client, two, "buy 0.01 BTC", "shared-key-1").status_code == 200


def test_a_malformed_key_is_refused_by_name_and_nothing_is_journaled(
    client: TestClient,
) -> None:
    sid = _session(client)
    for bad in ("short", "x" * 65, "has space in it", "slash/in-key-123"):
        response = _send(client, sid, "buy 0.01 BTC", bad)
        assert response.status_code == 422, bad
        error = response.json()["error"]
        assert error["code"] == "invalid_request"
        assert "idempotency-key" in str(error).lower()
    assert _customer_lines(client, sid) == []


def test_concurrent_sends_with_one_key_make_one_message(
    client: TestClient, services: Services
) -> None:
    sid = _session(client)
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def send() -> None:
        barrier.wait()
        statuses.append(_send(client, sid, "buy 0.01 BTC", "race-key-0001").status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409, 409, 409]
    assert _customer_lines(client, sid) == ["buy 0.01 BTC"]


def test_another_process_with_the_same_key_is_refused_by_the_journal(
    client: TestClient, services: Services
) -> None:
    """A second assistant on the same journal (another app process) has its own cache
    and locks; the journal's compare-and-set append still refuses the repeat."""
    from execution.assistant import Assistant
    from execution.checkpoints import Checkpoints

    sid = _session(client)
    other = Assistant(
        journal=services.journal,
        parser=services.parser,
        venue_for=services.venues,
        checkpoints=Checkpoints(b"another-process-key-32-bytes-long!!"),
        policy=services.policy_store.current,
        clock=services.clock,
    )
    alice = Actor("demo-customer", "customer", "chat")
    other.state(sid, alice)  # that process has folded the session (cached) before
    assert _send(client, sid, "buy 0.01 BTC", "proc-key-0001").status_code == 200
    with pytest.raises(DuplicateMessage, match="already received"):
        other.handle_message(sid, alice, "buy 0.01 BTC", "proc-key-0001")
    assert _customer_lines(client, sid) == ["buy 0.01 BTC"]
