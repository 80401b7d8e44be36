"""The live streams (web/routes/live.py) with the real app: a session's changes as they
happen, a reconnect that resumes after its Last-Event-ID and repeats nothing, the orders
panel told about every session, refusals, and a server that stops with streams open.

A test's stream lasts ``stream_lifetime_s`` (the TestClient reads a response whole); the
changes it should report are made meanwhile on another thread, through the API.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from execution.clock import ManualClock
from tests.support import acknowledge_risk
from web.app import create_app
from web.auth import Principal
from web.cli import make_server
from web.services import Services, build_services
from web.settings import Settings

from .conftest import CUSTOMER, SUPPORT

BOB = {"Authorization": "Bearer bob-token"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", stream_poll_s=0.02, stream_lifetime_s=1.0)


def _session(client: TestClient) -> str:
    response = client.post("/api/sessions", headers=CUSTOMER)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _say(client: TestClient, sid: str, text: str) -> dict[str, Any]:
    response = client.post(f"/api/sessions/{sid}/messages", json={"text": text}, headers=CUSTOMER)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _confirm(client: TestClient, sid: str, pending: dict[str, Any]) -> dict[str, Any]:
    response = client.post(
        f"/api/sessions/{sid}/steps/{pending['step_id']}/confirm",
        json={"token": pending["token"]},
        headers=CUSTOMER,
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["step"])


def _seq(client: TestClient, sid: str) -> int:
    return int(client.get(f"/api/sessions/{sid}", headers=CUSTOMER).json()["seq"])


def frames(text: str) -> list[dict[str, Any]]:
    """The stream's blocks: ``id``, ``event`` (None: a position only), ``data`` (parsed),
    ``comment`` (a heartbeat); the ``retry:`` block is left out."""
    out = []
    for block in text.split("\n\n"):
        fields: dict[str, Any] = {"id": None, "event": None, "data": None, "comment": None}
        for line in block.splitlines():
            name, _, value = line.partition(": ")
            if line.startswith(":"):
                fields["comment"] = line[1:].strip()
            elif name == "data":
                fields["data"] = json.loads(value)
            elif name in ("id", "event"):
                fields[name] = value
        if any(v is not None for v in fields.values()):
            out.append(fields)
    return out


def _events(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in found if f["event"] is not None]


def _during(action: Callable[[], object], delay: float = 0.2) -> threading.Thread:
    """Run ``action`` on another thread after ``delay``, while the test reads a stream."""

    def run() -> None:
        time.sleep(delay)
        action()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _seq_of(event_id: str) -> int:
    return int(event_id.rsplit(":", 1)[1])


def test_a_step_that_changes_is_sent_as_it_happens(client: TestClient) -> None:
    sid = _session(client)
    (pending,) = _say(client, sid, "buy 0.01 BTC")["pending"]
    after = _seq(client, sid)

    confirming = _during(lambda: _confirm(client, sid, pending))
    response = client.get(f"/api/sessions/{sid}/stream?after={after}", headers=CUSTOMER)
    confirming.join()

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    found = frames(response.text)
    steps = [f for f in found if f["event"] == "step"]
    assert [s["data"]["state"] for s in steps] == ["confirmed", "submitted", "filled"]
    filled = steps[-1]["data"]
    assert filled["step_id"] == "p1.1"
    assert filled["venue_order"]["status"] == "closed"
    assert "preview" not in filled
    assert "info" not in filled["venue_order"]
    assert len(json.dumps(filled)) < 2_000
    ids = [_seq_of(f["id"]) for f in found if f["id"] is not None]
    assert ids == sorted(set(ids))
    assert ids[0] > after
    assert all(f["id"].startswith(f"{sid}:") for f in found if f["id"])
    assert not [f for f in found if f["event"] == "reply"]  # said before `after`: not again


def test_a_reconnect_resumes_after_its_last_event_id_and_repeats_nothing(
    client: TestClient,
) -> None:
    sid = _session(client)
    start = _seq(client, sid)
    (pending,) = _say(client, sid, "buy 0.01 BTC")["pending"]
    _confirm(client, sid, pending)

    everything = frames(
        client.get(f"/api/sessions/{sid}/stream?after={start}", headers=CUSTOMER).text
    )
    events = _events(everything)
    assert [e["event"] for e in events] == ["reply", "step", "plan"]  # each step once, as it is
    assert events[1]["data"]["state"] == "filled"
    reply_id = events[0]["id"]

    # The connection dropped after the reply: the header wins over ?after=, and only what
    # came after the reply is sent, once.
    resumed = frames(
        client.get(
            f"/api/sessions/{sid}/stream?after={start}",
            headers={**CUSTOMER, "Last-Event-ID": reply_id},
        ).text
    )
    assert [e["event"] for e in _events(resumed)] == ["step", "plan"]
    assert all(_seq_of(f["id"]) > _seq_of(reply_id) for f in resumed if f["id"])

    last_id = [f["id"] for f in everything if f["id"]][-1]
    assert _seq_of(last_id) == _seq(client, sid)
    nothing = frames(
        client.get(
            f"/api/sessions/{sid}/stream", headers={**CUSTOMER, "Last-Event-ID": last_id}
        ).text
    )
    assert [f for f in nothing if f["id"] is not None] == []


def test_entries_the_page_does_not_show_move_only_the_position(client: TestClient) -> None:
    sid = _session(client)
    after = _seq(client, sid)
    saying = _during(lambda: _say(client, sid, "hello"))
    found = frames(client.get(f"/api/sessions/{sid}/stream?after={after}", headers=CUSTOMER).text)
    saying.join()
    head = _seq(client, sid)
    # The customer's message and its reading: positions only; the reply: one event.
    assert [f["event"] for f in found if f["id"]] == [None] * (head - after - 1) + ["reply"]
    assert _seq_of([f["id"] for f in found if f["id"]][-1]) == head


def test_a_quiet_stream_sends_heartbeats(tmp_path: Path, clock: ManualClock) -> None:
    settings = Settings(
        data_dir=tmp_path, stream_poll_s=0.02, stream_heartbeat_s=0.1, stream_lifetime_s=0.5
    )
    services = build_services(settings, clock)
    try:
        with TestClient(create_app(settings, services=services)) as client:
            sid = _session(client)
            found = frames(client.get(f"/api/sessions/{sid}/stream", headers=CUSTOMER).text)
    finally:
        services.close()
    assert [f["comment"] for f in found] == ["ping"] * len(found)
    assert 3 <= len(found) <= 6


def test_only_the_sessions_owner_may_follow_it(client: TestClient, services: Services) -> None:
    services.principals.put(Principal("bob", "Bob", "customer", frozenset({"trade"})), "bob-token")
    sid = _session(client)

    assert client.get(f"/api/sessions/{sid}/stream").status_code == 401
    bad_token = client.get(f"/api/sessions/{sid}/stream", headers={"Authorization": "Bearer nope"})
    assert bad_token.status_code == 401
    assert bad_token.json()["error"]["code"] == "unauthorized"
    # Another customer's session is not theirs to see: no such session, for them.
    other = client.get(f"/api/sessions/{sid}/stream", headers=BOB)
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"
    unknown = client.get("/api/sessions/nope/stream", headers=CUSTOMER)
    assert unknown.status_code == 404
    support = client.get(f"/api/sessions/{sid}/stream", headers=SUPPORT)
    assert support.status_code == 403
    assert client.get("/api/orders/stream").status_code == 401
    assert client.get("/api/orders/stream", headers=SUPPORT).status_code == 403


@pytest.mark.parametrize(
    "last_event_id",
    [
        "garbage",
        "{sid}",
        "{sid}:",
        "{sid}:-1",
        "{sid}:1e3",
        "{sid}:01",
        "{sid}:99",
        "other:1",
        "x" * 5000,
    ],
)
def test_a_malformed_or_foreign_last_event_id_is_a_400_naming_it(
    client: TestClient, last_event_id: str
) -> None:
    sid = _session(client)
    value = last_event_id.format(sid=sid)
    response = client.get(
        f"/api/sessions/{sid}/stream", headers={**CUSTOMER, "Last-Event-ID": value}
    )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_last_event_id"
    assert repr(value[:80]) in error["message"]


@pytest.mark.parametrize("last_event_id", ["x", "-1", "1.5", "999"])
def test_the_orders_stream_refuses_a_position_it_never_gave(
    client: TestClient, last_event_id: str
) -> None:
    _session(client)
    response = client.get(
        "/api/orders/stream", headers={**CUSTOMER, "Last-Event-ID": last_event_id}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_last_event_id"
    assert repr(last_event_id) in response.json()["error"]["message"]


def test_a_bad_after_is_a_422(client: TestClient) -> None:
    sid = _session(client)
    response = client.get(f"/api/sessions/{sid}/stream?after=-2", headers=CUSTOMER)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert client.get(f"/api/sessions/{sid}/stream?after=9", headers=CUSTOMER).status_code == 400


def test_the_orders_stream_hears_a_mandate_placing_an_order_in_another_session(
    client: TestClient,
) -> None:
    shown = _session(client)
    first = frames(client.get("/api/orders/stream", headers=CUSTOMER).text)
    # A first connection is told to fetch the panel once; its id is the position.
    assert first[0]["event"] == "orders"
    assert first[0]["data"]["resync"] is True
    position = first[0]["id"]

    def mandate_elsewhere() -> None:
        daily = _session(client)
        (pending,) = _say(client, daily, "buy 20 USDT of BTC every day for 3 days")["pending"]
        _confirm(client, daily, pending)

    def listen() -> list[dict[str, Any]]:
        resumed = {**CUSTOMER, "Last-Event-ID": position}
        return frames(client.get("/api/orders/stream", headers=resumed).text)

    placing = _during(mandate_elsewhere)
    found = listen()
    placing.join()
    if not any(f["event"] == "orders" for f in found):
        # On a loaded machine the mandate can outlast the stream's lifetime: the reconnect
        # from the same position hears it then.
        found = listen()
    orders = [f for f in found if f["event"] == "orders"]
    assert orders, found
    touched: dict[str, set[str]] = {}
    for event in orders:
        assert event["data"]["resync"] is False
        for sid, steps in event["data"]["sessions"].items():
            touched.setdefault(sid, set()).update(steps)
    (daily,) = touched
    assert daily != shown
    assert {"p1.1", "p1.1.1"} <= touched[daily]  # the mandate and the order it placed
    positions = [int(f["id"]) for f in found if f["id"]]
    assert positions == sorted(set(positions))
    assert positions[0] > int(position)

    # Back with the last position: nothing happened since, nothing is sent.
    again = frames(
        client.get(
            "/api/orders/stream", headers={**CUSTOMER, "Last-Event-ID": str(positions[-1])}
        ).text
    )
    assert [f for f in again if f["id"] is not None] == []
    # Back from an older position: what happened is unknown, so fetch the panel once.
    behind = frames(
        client.get("/api/orders/stream", headers={**CUSTOMER, "Last-Event-ID": position}).text
    )
    assert [f["data"] for f in behind if f["event"]] == [{"resync": True, "sessions": {}}]


def test_a_message_that_places_nothing_does_not_ask_the_panel_to_refresh(
    client: TestClient,
) -> None:
    sid = _session(client)
    (first,) = [
        f for f in frames(client.get("/api/orders/stream", headers=CUSTOMER).text) if f["id"]
    ]
    saying = _during(lambda: _say(client, sid, "hello"))
    found = frames(
        client.get("/api/orders/stream", headers={**CUSTOMER, "Last-Event-ID": first["id"]}).text
    )
    saying.join()
    assert [f["event"] for f in found if f["id"]] == [None]  # the position moved, no event


def test_the_stream_works_on_the_redis_journal(
    tmp_path: Path, test_redis_url: str, redis_prefix: str
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        journal_url=test_redis_url,
        journal_prefix=redis_prefix,
        stream_poll_s=0.02,
        # Room for the confirmation to fill on a loaded machine (Redis round trips: the
        # journal, the limits, the abuse limits) before the stream ends.
        stream_lifetime_s=3.0,
    )
    services = build_services(settings)
    try:
        with TestClient(create_app(settings, services=services)) as client:
            acknowledge_risk(client, CUSTOMER)
            sid = _session(client)
            (pending,) = _say(client, sid, "buy 0.01 BTC")["pending"]
            after = _seq(client, sid)
            confirming = _during(lambda: _confirm(client, sid, pending))
            text = client.get(f"/api/sessions/{sid}/stream?after={after}", headers=CUSTOMER).text
            confirming.join()
    finally:
        services.close()
    steps = [f["data"]["state"] for f in frames(text) if f["event"] == "step"]
    assert steps == ["confirmed", "submitted", "filled"]


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[str, Any, threading.Thread]]:
    """The app under uvicorn (as `tradeassist serve` runs it) on a thread, streams lasting
    five minutes."""
    from tests.support import free_port

    settings = Settings(data_dir=tmp_path, stream_poll_s=0.05)
    port = free_port()
    server = make_server(create_app(settings), "127.0.0.1", port)
    thread = threading.Thread(target=server.run)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield url, server, thread
    server.should_exit = True
    thread.join(timeout=15)


def test_the_server_stops_at_once_with_streams_open(
    running: tuple[str, Any, threading.Thread],
) -> None:
    url, server, thread = running
    with httpx.Client(base_url=url, headers=CUSTOMER, timeout=5) as http:
        sid = http.post("/api/sessions").json()["id"]
        with (
            http.stream("GET", f"/api/sessions/{sid}/stream") as session_stream,
            http.stream("GET", "/api/orders/stream") as orders_stream,
        ):
            assert session_stream.status_code == orders_stream.status_code == 200
            lines = orders_stream.iter_lines()
            assert next(lines) == "retry: 1000"
            asked = time.monotonic()
            server.handle_exit(signal.SIGTERM, None)  # what SIGTERM does
            thread.join(timeout=5)
            assert not thread.is_alive(), "uvicorn still waits for the open streams"
            assert time.monotonic() - asked < 3


def test_a_reply_about_a_step_is_sent_as_a_reply(client: TestClient) -> None:
    """The worker's word to the customer (a mandate paused at a bound) names its step; it is
    a line of the conversation, sent as one."""
    sid = _session(client)
    (mandate,) = _say(client, sid, "sell 0.3 BTC if it rises above 1000")["pending"]
    (sale,) = _say(client, sid, "sell 0.3 BTC")["pending"]
    _confirm(client, sid, sale)  # leaves about 0.2 BTC: too little for the mandate
    after = _seq(client, sid)
    assert _confirm(client, sid, mandate)["state"] == "paused"

    found = frames(client.get(f"/api/sessions/{sid}/stream?after={after}", headers=CUSTOMER).text)
    replies = [f["data"]["text"] for f in found if f["event"] == "reply"]
    assert len(replies) == 1
    assert replies[0].startswith("I paused Sell 0.3 BTC")
    steps = [f["data"] for f in found if f["event"] == "step"]
    assert steps[-1]["state"] == "paused"
    assert steps[-1]["mandate_progress"] == {
        "step_id": "p1.1",
        "state": "paused",
        "placed": 0,
        "total": 1,
    }
