"""Exactly once across real processes, on both journal backends.

The venue is a real ``tradeassist sandbox-server`` process, so it outlives the app
processes and counts every order they sent. The app processes are separate interpreters
(multiprocessing, spawn), each with its own assistant, caches and connections, sharing
only the journal (one SQLite file, or one Redis) and the venue:

* 200 confirmations of one step, 50 threads in each of 4 processes, released together,
  produce exactly one order and one confirmation in the journal;
* an app killed with SIGKILL at each point between the confirmation and the fill being
  journaled, then restarted (reconciliation at start-up), leaves exactly the orders the
  journal accounts for: none twice, no event lost, the chain intact.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from execution.assistant import Assistant, client_order_id
from execution.clock import SystemClock
from execution.errors import ConfirmationRefused
from execution.journal import Journal, SQLiteJournal
from execution.journal import events as ev
from execution.journal.redis import RedisJournal
from execution.venues.protocol import Venue
from execution.venues.sandbox.remote import RemoteSandbox
from tests.execution.assistant.support import ALICE, make_assistant
from tests.sandbox_server import SandboxProcess, sandbox_server

PROCESSES, THREADS = 4, 50
BALANCES = {"USDT": Decimal(25_000), "BTC": Decimal(1), "ETH": Decimal(4), "SOL": Decimal(40)}


@dataclass(frozen=True)
class Stores:
    """Where every process finds the journal and the venue (picklable for spawn)."""

    venue_url: str
    sqlite_path: str | None = None
    redis_url: str | None = None
    redis_prefix: str = ""

    def journal(self) -> Journal:
        if self.sqlite_path is not None:
            return SQLiteJournal(self.sqlite_path, SystemClock(), synchronous="FULL")
        assert self.redis_url is not None
        return RedisJournal.from_url(self.redis_url, SystemClock(), prefix=self.redis_prefix)

    def venue(self) -> Venue:
        return RemoteSandbox(self.venue_url, ALICE.user_id)

    def assistant(self, **kwargs: Any) -> Assistant:
        venue = self.venue()
        return make_assistant(self.journal(), lambda user: venue, SystemClock(), **kwargs)


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxProcess]:
    with sandbox_server(seed=7, balances=BALANCES) as running:
        yield running


@pytest.fixture(params=["sqlite", "redis"])
def stores(request: pytest.FixtureRequest, tmp_path: Path, server: SandboxProcess) -> Stores:
    if request.param == "sqlite":
        return Stores(server.url, sqlite_path=str(tmp_path / "journal.sqlite3"))
    url = request.getfixturevalue("test_redis_url")
    return Stores(server.url, redis_url=url, redis_prefix=request.getfixturevalue("redis_prefix"))


def _orders_for(stores: Stores, session: str, step_id: str) -> list[dict[str, Any]]:
    coid = client_order_id(session, step_id)
    venue = stores.venue()
    assert isinstance(venue, RemoteSandbox)
    return [o for o in venue.fetch_orders() if o.get("clientOrderId") == coid]


def _kinds(stores: Stores, session: str) -> Counter[str]:
    return Counter(e.kind for e in stores.journal().read(session))


# --- 200 confirmations from 4 processes -------------------------------------------------


def _confirm_from_process(
    stores: Stores,
    session: str,
    step_id: str,
    token: str,
    start: Any,  # a multiprocessing Barrier: every process ready, then all at once
    results: Any,  # a multiprocessing Queue
) -> None:
    assistant = stores.assistant()
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    ready = threading.Barrier(THREADS + 1)

    def confirm() -> None:
        ready.wait()
        try:
            step, _ = assistant.confirm_step(session, step_id, ALICE, token)
            outcome = f"confirmed:{step.state}"
        except ConfirmationRefused as exc:
            outcome = exc.code
        except Exception as exc:  # reported to the parent, which fails the test on it
            outcome = f"error:{type(exc).__name__}: {exc}"
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=confirm) for _ in range(THREADS)]
    for t in threads:
        t.start()
    start.wait()
    ready.wait()
    for t in threads:
        t.join()
    results.put(dict(outcomes))


def test_200_concurrent_confirmations_from_4_processes_send_one_order(stores: Stores) -> None:
    assistant = stores.assistant()
    session = assistant.open_session(ALICE)
    pending = assistant.handle_message(session, ALICE, "buy 0.01 BTC").pending[0]
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(PROCESSES), context.Queue()
    processes = [
        context.Process(
            target=_confirm_from_process,
            args=(stores, session, pending.step_id, pending.token, start, results),
        )
        for _ in range(PROCESSES)
    ]
    for p in processes:
        p.start()
    outcomes: Counter[str] = Counter()
    for _ in processes:
        outcomes.update(results.get(timeout=120))
    for p in processes:
        p.join(timeout=60)

    assert [p.exitcode for p in processes] == [0] * PROCESSES
    assert outcomes == Counter({"confirmed:filled": 1, "token_reused": 199}), outcomes
    assert len(_orders_for(stores, session, pending.step_id)) == 1
    kinds = _kinds(stores, session)
    assert kinds[ev.STEP_CONFIRMED] == kinds[ev.ORDER_SUBMITTED] == kinds[ev.ORDER_ACCEPTED] == 1
    assert kinds[ev.ORDER_FAILED] == 0
    assert kinds[ev.CONFIRMATION_REFUSED] == 199  # every refusal is on the record
    assert stores.journal().verify(session).ok


# --- SIGKILL between confirmation and fill ------------------------------------------------


def _confirm_and_die_at(stores: Stores, point: str, handoff: Any) -> None:
    """Plan and confirm one step; SIGKILL this process at ``point``."""

    def crash_point(name: str) -> None:
        if name == point:
            os.kill(os.getpid(), signal.SIGKILL)

    assistant = stores.assistant(crash_point=crash_point)
    session = assistant.open_session(ALICE)
    pending = assistant.handle_message(session, ALICE, "buy 0.01 BTC").pending[0]
    handoff.put((session, pending.step_id, pending.token))
    assistant.confirm_step(session, pending.step_id, ALICE, pending.token)


@pytest.mark.parametrize(
    ("point", "orders", "final"),
    [
        ("confirmed", 0, "failed"),  # confirmation journaled; the send never was
        ("submitted", 0, "failed"),  # the send journaled; the request never left
        ("sent", 1, "filled"),  # the venue took it; the acceptance was never journaled
        ("accepted", 1, "filled"),  # acceptance journaled; the plan's update was not
    ],
)
def test_sigkill_at_each_point_then_restart_leaves_no_duplicate_and_no_lost_event(
    stores: Stores, point: str, orders: int, final: str
) -> None:
    context = multiprocessing.get_context("spawn")
    handoff = context.Queue()
    app = context.Process(target=_confirm_and_die_at, args=(stores, point, handoff))
    app.start()
    session, step_id, token = handoff.get(timeout=120)
    app.join(timeout=120)
    assert app.exitcode == -signal.SIGKILL
    before = stores.journal().read(session)

    restarted = stores.assistant()
    restarted.reconcile()  # what the app does at start-up

    state = restarted.state(session, ALICE)
    assert state.steps[step_id].state == final
    assert len(_orders_for(stores, session, step_id)) == orders
    after = stores.journal().read(session)
    assert after[: len(before)] == before  # nothing written before the kill was lost
    assert stores.journal().verify(session).ok
    assert state.plan_states["p1"] == ("completed" if orders else "failed")
    # Confirming again (a customer retrying after the outage) sends nothing more.
    with pytest.raises(ConfirmationRefused):
        restarted.confirm_step(session, step_id, ALICE, token)
    assert len(_orders_for(stores, session, step_id)) == orders
