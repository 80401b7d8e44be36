"""The worker: passes that record what the venue did with confirmed orders, run in a
thread (the app's embedded mode) or as ``tradeassist worker`` (its own process)."""

from __future__ import annotations

import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from execution.actors import Actor
from execution.clock import ManualClock
from execution.journal import Event, SQLiteJournal
from execution.venues.sandbox import MarketCatalog, SandboxMarket
from execution.worker import Worker, WorkerSettings
from tests.execution.assistant.support import ALICE, Accounts, MovablePrices, make_assistant
from tests.sandbox_server import REPO, clean_environment, sandbox_server
from web.app import create_app
from web.services import build_services
from web.settings import Settings

CUSTOMER = {"Authorization": "Bearer demo-customer-token"}


def test_a_pass_records_a_resting_order_that_filled(tmp_path: Path, clock: ManualClock) -> None:
    prices = MovablePrices(MarketCatalog.default())
    accounts = Accounts(clock, SandboxMarket(MarketCatalog.default(), seed=7, prices=prices))
    assistant = make_assistant(SQLiteJournal(tmp_path / "j.sqlite3", clock), accounts, clock)
    session = assistant.open_session(ALICE)
    (pending,) = assistant.handle_message(session, ALICE, "buy 0.01 BTC at 55000").pending
    assistant.confirm_step(session, pending.step_id, ALICE, pending.token)
    worker = Worker(assistant, WorkerSettings(interval_s=0.01, grace_ms=0))
    assert worker.run_once()[0].settled == []  # still resting

    prices.factor["BTC/USDT"] = Decimal("0.8")
    clock.advance(60_000)
    thread = worker.start_thread()
    deadline = time.monotonic() + 30
    while assistant.state(session, ALICE).steps[pending.step_id].state != "filled":
        assert time.monotonic() < deadline, "the worker never recorded the fill"
        time.sleep(0.01)
    worker.stop()
    thread.join(timeout=10)

    assert not thread.is_alive()
    assert worker.passes >= 2
    assert assistant.state(session, ALICE).plan_states["p1"] == "completed"


def test_a_pass_runs_the_armed_mandates_after_settling_what_is_in_flight(
    tmp_path: Path, clock: ManualClock
) -> None:
    accounts = Accounts(clock)
    assistant = make_assistant(SQLiteJournal(tmp_path / "j.sqlite3", clock), accounts, clock)
    session = assistant.open_session(ALICE)
    (pending,) = assistant.handle_message(
        session, ALICE, "buy 10 USDT of BTC daily for 2 days"
    ).pending
    assistant.confirm_step(session, pending.step_id, ALICE, pending.token)  # order 1 of 2
    worker = Worker(assistant, WorkerSettings(interval_s=0.01, grace_ms=0))

    assert worker.run_once()[1].actions == []  # the second is due tomorrow
    clock.advance(86_400_000)
    _, mandates = worker.run_once()

    assert mandates.actions == [f"{session}/p1.1: order p1.1.2 filled", f"{session}/p1.1: done"]
    assert assistant.state(session, ALICE).plan_states["p1"] == "completed"


class CountingReads(SQLiteJournal):
    """The journal, counting whose events are read (each session a pass folds)."""

    def __init__(self, path: Path, clock: ManualClock) -> None:
        super().__init__(path, clock)
        self.reads: list[str] = []

    def read(self, session_id: str, after_seq: int = -1, limit: int | None = None) -> list[Event]:
        self.reads.append(session_id)
        return super().read(session_id, after_seq, limit)


def test_a_pass_reads_only_the_sessions_with_a_step_in_flight_or_a_mandate_armed(
    tmp_path: Path, clock: ManualClock
) -> None:
    prices = MovablePrices(MarketCatalog.default())
    accounts = Accounts(clock, SandboxMarket(MarketCatalog.default(), seed=7, prices=prices))
    journal = CountingReads(tmp_path / "j.sqlite3", clock)
    assistant = make_assistant(journal, accounts, clock)

    def confirmed(text: str) -> str:
        session = assistant.open_session(ALICE)
        (pending,) = assistant.handle_message(session, ALICE, text).pending
        assistant.confirm_step(session, pending.step_id, ALICE, pending.token)
        return session

    resting = confirmed("buy 0.01 BTC at 55000")  # open at the venue: in flight
    armed = confirmed("buy 0.01 BTC if it drops below 60k")  # a mandate armed
    quiet = [confirmed("buy 0.001 BTC") for _ in range(5)]  # filled: nothing to do
    waiting = assistant.open_session(ALICE)  # a preview awaiting its confirmation
    assert assistant.handle_message(waiting, ALICE, "sell 0.01 ETH").pending
    assistant.open_session(ALICE)  # opened, nothing said
    worker = Worker(assistant, WorkerSettings(interval_s=0.01, grace_ms=0))

    journal.reads.clear()
    report, mandates = worker.run_once()

    assert (report.checked, mandates.checked) == (1, 1)
    assert set(journal.reads) == {resting, armed}  # not the 5 filled, the waiting, the empty

    prices.factor["BTC/USDT"] = Decimal("0.8")  # the resting order fills, the mandate fires
    clock.advance(60_000)
    worker.run_once()
    assert assistant.state(resting, ALICE).steps["p1.1"].state == "filled"
    journal.reads.clear()
    report, mandates = worker.run_once()
    assert set(journal.reads) <= {armed}  # what is left: the mandate's own order, if resting
    assert all(assistant.state(s, ALICE).steps["p1.1"].state == "filled" for s in quiet)


@pytest.mark.parametrize("embedded", [True, False])
def test_the_app_makes_a_start_up_pass_and_runs_the_worker_when_embedded(
    tmp_path: Path, embedded: bool
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", embedded_worker=embedded, worker_interval_s=0.05
    )
    services = build_services(settings)
    with TestClient(create_app(settings, services=services)) as client:
        worker = client.app.state.worker  # type: ignore[attr-defined]
        assert worker.passes >= 1  # the start-up pass, before anything is served
        deadline = time.monotonic() + (30 if embedded else 0.5)
        while worker.passes < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    # Embedded, the thread made passes of its own; otherwise the start-up pass was all.
    assert (worker.passes >= 2) if embedded else (worker.passes == 1)


class Stopped(BaseException):
    """The app process stopping at a point (the process tests really kill it)."""


def test_tradeassist_worker_once_settles_a_step_a_stopped_app_left(tmp_path: Path) -> None:
    with sandbox_server(seed=7) as server:
        env = {
            "TRADEASSIST_DATA_DIR": str(tmp_path / "data"),
            "TRADEASSIST_VENUE": "sandbox-remote",
            "TRADEASSIST_VENUE_URL": server.url,
            "TRADEASSIST_RECONCILE_GRACE_S": "0",
        }
        services = build_services(
            Settings(
                data_dir=tmp_path / "data",
                venue="sandbox-remote",
                venue_url=server.url,
                reconcile_grace_s=0,
            )
        )

        def stop_after_send(point: str) -> None:
            if point == "sent":
                raise Stopped(point)

        customer = Actor("demo-customer", "customer", "chat")
        app = make_assistant(
            services.journal, services.venues, services.clock, crash_point=stop_after_send
        )
        session = app.open_session(customer)
        (pending,) = app.handle_message(session, customer, "buy 0.01 BTC").pending
        with pytest.raises(Stopped):
            app.confirm_step(session, pending.step_id, customer, pending.token)

        done = subprocess.run(
            [sys.executable, "-m", "web.cli", "worker", "--once"],
            cwd=REPO,
            env=clean_environment(**env),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

        assert done.returncode == 0, done.stderr
        assert "checked 1 step(s) in flight; settled 1; unknown 0" in done.stdout
        assert f"settled {session}/{pending.step_id}: filled" in done.stdout
        state = app.state(session, customer)
        assert state.steps[pending.step_id].state == "filled"
        services.close()
