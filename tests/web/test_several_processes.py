"""Several app processes, one state: real uvicorn processes on the Redis journal and one
sandbox server (``tradeassist serve --workers N``, and two ``serve`` processes side by
side); and the refusal of ``--workers N`` on the embedded stores.

Redis is the test server (tests/conftest.py), under a key prefix of each test's own.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from execution.clock import SystemClock
from execution.journal.redis import RedisJournal
from execution.venues.sandbox.remote import RemoteSandbox
from tests.app_server import app_server, served_processes, wait_until_up
from tests.sandbox_server import REPO, SandboxProcess, clean_environment, sandbox_server
from tests.support import acknowledge_risk, free_port

from .conftest import ADMIN, CUSTOMER


@pytest.fixture(scope="module")
def venue() -> Iterator[SandboxProcess]:
    with sandbox_server(seed=7) as running:  # demo opening balances, as the app's
        yield running


@pytest.fixture
def shared(
    tmp_path: Path, test_redis_url: str, redis_prefix: str, venue: SandboxProcess
) -> dict[str, str]:
    """The settings of app processes sharing one state: Redis, the sandbox server, and
    one data directory (principals, policy versions)."""
    return {
        "TRADEASSIST_DATA_DIR": str(tmp_path / "data"),
        "TRADEASSIST_JOURNAL_URL": test_redis_url,
        "TRADEASSIST_JOURNAL_PREFIX": redis_prefix,
        "TRADEASSIST_VENUE": "sandbox-remote",
        "TRADEASSIST_VENUE_URL": venue.url,
    }


def _serve_workers(
    workers: str, env: dict[str, str], port: int | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "web.cli",
            "serve",
            "--port",
            str(port or free_port()),
            "--workers",
            workers,
        ],
        cwd=REPO,
        env=clean_environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# --- refusals --------------------------------------------------------------------------


def test_several_processes_on_the_embedded_defaults_are_refused_naming_both_settings(
    tmp_path: Path,
) -> None:
    done = _serve_workers("2", {"TRADEASSIST_DATA_DIR": str(tmp_path)})

    assert done.returncode == 2
    assert "refusing to start 2 processes" in done.stderr
    assert "TRADEASSIST_JOURNAL_URL is unset" in done.stderr
    assert "set TRADEASSIST_VENUE=sandbox-remote and TRADEASSIST_VENUE_URL" in done.stderr
    assert "Traceback" not in done.stderr
    assert "Uvicorn running" not in done.stderr


def test_several_processes_with_an_in_process_venue_are_refused_naming_the_venue(
    tmp_path: Path, test_redis_url: str, redis_prefix: str
) -> None:
    done = _serve_workers(
        "3",
        {
            "TRADEASSIST_DATA_DIR": str(tmp_path),
            "TRADEASSIST_JOURNAL_URL": test_redis_url,
            "TRADEASSIST_JOURNAL_PREFIX": redis_prefix,
        },
    )

    assert done.returncode == 2
    assert "refusing to start 3 processes: TRADEASSIST_VENUE=sandbox keeps" in done.stderr
    assert "TRADEASSIST_JOURNAL_URL" not in done.stderr


def test_zero_workers_is_refused(tmp_path: Path) -> None:
    done = _serve_workers("0", {"TRADEASSIST_DATA_DIR": str(tmp_path)})

    assert done.returncode == 2
    assert "--workers must be at least 1, not 0" in done.stderr


def test_a_taken_port_is_refused_before_any_process_starts(shared: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _serve_workers("2", shared, port)

    assert done.returncode == 2
    assert f"tradeassist: cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


# --- one state across processes ---------------------------------------------------------


def _session(client: httpx.Client) -> str:
    acknowledge_risk(client, CUSTOMER)
    response = client.post("/api/sessions", headers=CUSTOMER)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _pending(client: httpx.Client, session_id: str, text: str) -> dict[str, Any]:
    response = client.post(
        f"/api/sessions/{session_id}/messages", json={"text": text}, headers=CUSTOMER
    )
    assert response.status_code == 200, response.text
    (pending,) = response.json()["pending"]
    return dict(pending)


def _confirm(client: httpx.Client, session_id: str, pending: dict[str, Any]) -> httpx.Response:
    return client.post(
        f"/api/sessions/{session_id}/steps/{pending['step_id']}/confirm",
        json={"token": pending["token"]},
        headers=CUSTOMER,
    )


def _journal_kinds(env: dict[str, str], session_id: str) -> Counter[str]:
    journal = RedisJournal.from_url(
        env["TRADEASSIST_JOURNAL_URL"], SystemClock(), prefix=env["TRADEASSIST_JOURNAL_PREFIX"]
    )
    try:
        assert journal.verify(session_id).ok
        return Counter(event.kind for event in journal.read(session_id))
    finally:
        journal.close()


def _venue_orders(venue: SandboxProcess, client_order_id: str) -> list[dict[str, Any]]:
    orders = RemoteSandbox(venue.url, "demo-customer").fetch_orders()
    return [o for o in orders if o["clientOrderId"] == client_order_id]


def test_one_step_confirmed_at_once_through_two_uvicorn_processes_sends_one_order(
    tmp_path: Path, shared: dict[str, str], venue: SandboxProcess
) -> None:
    per_process = 8
    with (
        app_server(tmp_path, shared) as first,
        app_server(tmp_path, shared) as second,
        httpx.Client(base_url=first.url, timeout=30) as a,
        httpx.Client(base_url=second.url, timeout=30) as b,
    ):
        sid = _session(a)
        pending = _pending(a, sid, "buy 0.01 BTC")
        start = threading.Barrier(2 * per_process)

        def confirm(client: httpx.Client) -> httpx.Response:
            start.wait()
            return _confirm(client, sid, pending)

        with ThreadPoolExecutor(2 * per_process) as pool:
            answers = list(pool.map(confirm, [a, b] * per_process))
        step = b.get(f"/api/sessions/{sid}", headers=CUSTOMER).json()

    by_status = Counter(r.status_code for r in answers)
    assert by_status == {200: 1, 409: 2 * per_process - 1}, [r.text for r in answers]
    codes = {r.json()["error"]["code"] for r in answers if r.status_code == 409}
    assert codes == {"token_reused"}
    (won,) = (r.json()["step"] for r in answers if r.status_code == 200)
    assert won["state"] == "filled"
    assert [o["clientOrderId"] for o in step["orders"]] == [won["client_order_id"]]
    assert [o["status"] for o in _venue_orders(venue, won["client_order_id"])] == ["closed"]
    kinds = _journal_kinds(shared, sid)
    assert kinds["step_confirmed"] == 1
    assert kinds["order_submitted"] == 1


def test_a_key_issued_and_revoked_through_one_process_counts_at_once_in_the_other(
    tmp_path: Path, shared: dict[str, str]
) -> None:
    simulation = {"text": "buy 0.01 BTC", "balances": {"USDT": "1000"}}
    with (
        app_server(tmp_path, shared) as first,
        app_server(tmp_path, shared) as second,
        httpx.Client(base_url=first.url, timeout=30) as a,
        httpx.Client(base_url=second.url, timeout=30) as b,
    ):
        issued = a.post(
            "/v1/admin/api-keys",
            json={"name": "nightly", "scopes": ["simulate"], "expires_in_days": 7},
            headers=ADMIN,
        )
        assert issued.status_code == 201, issued.text
        key = {"Authorization": f"Bearer {issued.json()['key']}"}
        assert b.post("/v1/simulations", json=simulation, headers=key).status_code == 200
        listed = b.get("/v1/admin/api-keys", headers=ADMIN).json()["keys"]
        assert [k["id"] for k in listed] == [issued.json()["id"]]

        revoked = a.delete(f"/v1/admin/api-keys/{issued.json()['id']}", headers=ADMIN)
        assert revoked.status_code in (200, 204), revoked.text
        refused = b.post("/v1/simulations", json=simulation, headers=key)  # the very next
    assert refused.status_code == 401, refused.text
    assert "revoked" in refused.json()["error"]["message"]


def test_serve_workers_2_runs_two_processes_that_serve_one_state_and_stop_together(
    tmp_path: Path, shared: dict[str, str], venue: SandboxProcess
) -> None:
    customers = 8
    with app_server(tmp_path, shared, workers=2) as app:
        workers = served_processes(app.process.pid)
        assert len(workers) == 2
        with httpx.Client(base_url=app.url, timeout=30) as client:
            sessions = [_session(client) for _ in range(customers)]

            def trade(sid: str) -> dict[str, Any]:
                pending = _pending(client, sid, "buy 0.001 BTC")
                for _ in range(2 * customers):  # one customer's balance moves: requotes
                    response = _confirm(client, sid, pending)
                    if response.status_code != 409:
                        break
                    error = response.json()["error"]
                    assert error["code"] == "requote_required", response.text
                    pending = error["details"]["pending"]
                assert response.status_code == 200, response.text
                return dict(response.json()["step"])

            with ThreadPoolExecutor(customers) as pool:
                steps = list(pool.map(trade, sessions))
            # Every session reads the same from whichever process answers.
            views = [client.get(f"/api/sessions/{sid}", headers=CUSTOMER) for sid in sessions]
        app.process.send_signal(signal.SIGTERM)
        assert app.process.wait(timeout=30) == 0
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() for pid in workers):
            assert time.monotonic() < deadline, "a worker process outlived its parent"
            time.sleep(0.1)

    assert [s["state"] for s in steps] == ["filled"] * customers
    for view, step in zip(views, steps, strict=True):
        assert [o["clientOrderId"] for o in view.json()["orders"]] == [step["client_order_id"]]
        assert len(_venue_orders(venue, step["client_order_id"])) == 1
    log = app.log.read_text()
    assert "2 processes on http://127.0.0.1:" in log
    assert log.count("Application startup complete") == 2


def test_a_process_killed_is_replaced_and_the_port_keeps_answering(
    tmp_path: Path, shared: dict[str, str]
) -> None:
    with app_server(tmp_path, shared, workers=2) as app:
        first = served_processes(app.process.pid)
        assert len(first) == 2
        os.kill(first[0], signal.SIGKILL)
        deadline = time.monotonic() + 60
        while True:
            now = served_processes(app.process.pid)
            if len(now) == 2 and first[0] not in now:
                break
            assert time.monotonic() < deadline, f"not replaced: {now}"
            time.sleep(0.2)
        wait_until_up(app.url, app.process, app.log, timeout_s=60)
        with httpx.Client(base_url=app.url, timeout=30) as client:
            answers = {client.get("/healthz").status_code for _ in range(20)}
    assert answers == {200}
    assert f"process {first[0]} exited; restarting" in app.log.read_text()


def test_the_processes_end_when_their_supervisor_is_killed(
    tmp_path: Path, shared: dict[str, str]
) -> None:
    with app_server(tmp_path, shared, workers=2) as app:
        workers = served_processes(app.process.pid)
        assert len(workers) == 2
        app.process.kill()  # SIGKILL: the supervisor passes nothing on
        app.process.wait(timeout=10)
        deadline = time.monotonic() + 30
        while alive := [pid for pid in workers if _running(pid)]:
            assert time.monotonic() < deadline, f"outlived their supervisor: {alive}"
            time.sleep(0.1)
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{app.url}/healthz", timeout=5)


def _running(pid: int) -> bool:
    """``pid`` exists and is not a zombie (one reaped by nobody yet has stopped serving)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
