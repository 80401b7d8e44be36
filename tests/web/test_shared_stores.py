"""The app on shared stores: the Redis journal (``TRADEASSIST_JOURNAL_URL``) and the
sandbox server (``TRADEASSIST_VENUE=sandbox-remote``), both real; and the clear refusal of
settings that name a store or venue that does not answer.

Redis is the test server at ``TRADEASSIST_TEST_REDIS_URL`` (default
``redis://127.0.0.1:6379/15``); each test writes under its own key prefix and deletes it.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from execution.clock import SystemClock
from execution.journal.redis import RedisJournal
from execution.venues.accounts import LocalSandboxAccounts, RemoteSandboxAccounts
from execution.venues.sandbox.remote import RemoteSandbox
from tests.sandbox_server import REPO, SandboxProcess, clean_environment, sandbox_server
from tests.support import acknowledge_risk, free_port
from web.app import create_app
from web.services import build_services
from web.settings import Settings, SettingsError

from .conftest import CUSTOMER, PRODUCT


@pytest.fixture
def redis_url(test_redis_url: str) -> str:
    return test_redis_url  # tests/conftest.py: fails in CI, skips elsewhere, if Redis is down


@pytest.fixture
def prefix(redis_prefix: str) -> str:
    return redis_prefix  # a key prefix of this test's own, deleted afterwards


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxProcess]:
    with sandbox_server(seed=7) as running:  # demo opening balances, as the app's
        yield running


@pytest.fixture
def shared_env(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    redis_url: str,
    prefix: str,
    server: SandboxProcess,
) -> dict[str, str]:
    """The environment of an app process on the shared journal and venue."""
    env = {
        "TRADEASSIST_DATA_DIR": str(tmp_path / "data"),
        "TRADEASSIST_JOURNAL_URL": redis_url,
        "TRADEASSIST_JOURNAL_PREFIX": prefix,
        "TRADEASSIST_VENUE": "sandbox-remote",
        "TRADEASSIST_VENUE_URL": server.url,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def _session(client: TestClient) -> str:
    """A new session of the demo customer, who has acknowledged the risk disclosure."""
    acknowledge_risk(client, CUSTOMER)
    response = client.post("/api/sessions", headers=CUSTOMER)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _say(client: TestClient, session_id: str, text: str) -> dict[str, Any]:
    response = client.post(
        f"/api/sessions/{session_id}/messages", json={"text": text}, headers=CUSTOMER
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _confirm(client: TestClient, session_id: str, pending: dict[str, Any]) -> dict[str, Any]:
    response = client.post(
        f"/api/sessions/{session_id}/steps/{pending['step_id']}/confirm",
        json={"token": pending["token"]},
        headers=CUSTOMER,
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["step"])


# --- a buy, from message to fill --------------------------------------------------------


def test_two_apps_share_one_session_journal_and_venue(
    shared_env: dict[str, str], server: SandboxProcess, redis_url: str, prefix: str
) -> None:
    settings = Settings()  # from the environment, as a deployed process reads it
    built = [build_services(settings) for _ in range(2)]  # two app processes' worth
    assert all(isinstance(services.venues, RemoteSandboxAccounts) for services in built)
    first, second = (create_app(settings, services=services) for services in built)
    with TestClient(first) as a, TestClient(second) as b:
        sid = _session(a)
        (pending,) = _say(a, sid, "buy 0.01 BTC")["pending"]

        step = _confirm(b, sid, pending)  # confirmed on the other app

        assert step["state"] == "filled"
        assert step["venue_order"]["filled"] == 0.01
        view = a.get(f"/api/sessions/{sid}", headers=CUSTOMER).json()
        assert [o["clientOrderId"] for o in view["orders"]] == [step["client_order_id"]]
        from_a = a.get(f"/api/sessions/{sid}/events", headers=CUSTOMER).json()
        from_b = b.get(f"/api/sessions/{sid}/events", headers=CUSTOMER).json()
    assert from_a == from_b
    assert from_a["verification"] == {"ok": True, "problems": []}

    journal = RedisJournal.from_url(redis_url, SystemClock(), prefix=prefix)
    try:
        kinds = [event.kind for event in journal.read(sid)]
        assert journal.verify(sid).ok
    finally:
        journal.close()
    assert kinds == [event["kind"] for event in from_a["events"]]
    assert kinds.index("step_confirmed") < kinds.index("order_submitted")
    assert kinds.index("order_submitted") < kinds.index("order_accepted")
    # Exactly one order on the venue for that step, and the venue outlives both apps.
    orders = RemoteSandbox(server.url, "demo-customer").fetch_orders()
    assert [o["status"] for o in orders if o["clientOrderId"] == step["client_order_id"]] == [
        "closed"
    ]
    # Nothing was journaled in the SQLite file under the data directory (it holds the
    # principals only).
    database = sqlite3.connect(Path(shared_env["TRADEASSIST_DATA_DIR"]) / "tradeassist.sqlite3")
    try:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master")}
    finally:
        database.close()
    assert "events" not in tables


def test_buy_on_the_redis_journal_with_the_embedded_venue(
    tmp_path: Path, redis_url: str, prefix: str
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        journal_url=redis_url,
        journal_prefix=prefix,
    )
    services = build_services(settings)
    assert isinstance(services.venues, LocalSandboxAccounts)
    with TestClient(create_app(settings, services=services)) as client:
        sid = _session(client)
        (pending,) = _say(client, sid, "buy 0.01 BTC")["pending"]
        assert _confirm(client, sid, pending)["state"] == "filled"

    journal = RedisJournal.from_url(redis_url, SystemClock(), prefix=prefix)
    try:
        assert "order_accepted" in [event.kind for event in journal.read(sid)]
        assert [s.session_id for s in journal.sessions("demo-customer")] == [sid]
    finally:
        journal.close()


def test_replay_reads_the_redis_journal(shared_env: dict[str, str]) -> None:
    with TestClient(create_app(Settings())) as client:
        sid = _session(client)
        _say(client, sid, "buy 0.01 BTC")

    done = subprocess.run(
        [sys.executable, "-m", "web.cli", "replay", sid, "--verify"],
        cwd=REPO,
        env=clean_environment(**shared_env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "chain verified" in done.stdout
    assert "step_previewed" in done.stdout


def test_simulations_stay_in_process_with_a_remote_venue(
    shared_env: dict[str, str], server: SandboxProcess
) -> None:
    before = RemoteSandbox(server.url, "-").health()["accounts"]
    with TestClient(create_app(Settings())) as client:
        response = client.post(
            "/v1/simulations",
            json={"text": "buy 0.01 BTC", "balances": {"USDT": "10000"}},
            headers=PRODUCT,
        )

    assert response.status_code == 200, response.text
    assert response.json()["preview"]["steps"]
    assert RemoteSandbox(server.url, "-").health()["accounts"] == before


# --- settings that name something unusable -----------------------------------------------


def test_an_unreachable_redis_is_refused_by_name(tmp_path: Path) -> None:
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    settings = Settings(data_dir=tmp_path, journal_url=url)

    with pytest.raises(SettingsError) as refused:
        build_services(settings)

    message = str(refused.value)
    assert message.startswith("TRADEASSIST_JOURNAL_URL=redis://:***@127.0.0.1:")
    assert "does not answer" in message
    assert "hunter2" not in message


def test_a_missing_redis_database_is_refused_by_name(tmp_path: Path, redis_url: str) -> None:
    url = redis_url.rsplit("/", 1)[0] + "/99999"
    with pytest.raises(SettingsError, match=r"TRADEASSIST_JOURNAL_URL=.*/99999 does not answer"):
        build_services(Settings(data_dir=tmp_path, journal_url=url))


def test_an_unreachable_sandbox_server_is_refused_by_name(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    settings = Settings(data_dir=tmp_path, venue="sandbox-remote", venue_url=url)

    with pytest.raises(SettingsError, match=f"TRADEASSIST_VENUE_URL={url} does not answer"):
        build_services(settings)


def _serve(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "web.cli", "serve", "--port", str(free_port())],
        cwd=REPO,
        env=clean_environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_refuses_an_unreachable_redis_without_a_traceback(tmp_path: Path) -> None:
    done = _serve(
        {
            "TRADEASSIST_DATA_DIR": str(tmp_path),
            "TRADEASSIST_JOURNAL_URL": f"redis://127.0.0.1:{free_port()}/0",
        }
    )

    assert done.returncode == 2
    assert "tradeassist: TRADEASSIST_JOURNAL_URL=redis://127.0.0.1:" in done.stderr
    assert "does not answer" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_refuses_a_remote_venue_without_a_url(tmp_path: Path) -> None:
    done = _serve({"TRADEASSIST_DATA_DIR": str(tmp_path), "TRADEASSIST_VENUE": "sandbox-remote"})

    assert done.returncode == 2
    assert "invalid settings" in done.stderr
    assert "TRADEASSIST_VENUE=sandbox-remote needs TRADEASSIST_VENUE_URL" in done.stderr
    assert "Traceback" not in done.stderr


def test_sandbox_server_on_a_taken_port_says_so(server: SandboxProcess) -> None:
    port = server.url.rsplit(":", 1)[1]
    done = subprocess.run(
        [sys.executable, "-m", "web.cli", "sandbox-server", "--port", port],
        cwd=REPO,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
