"""Benchmark the chat under concurrent customers, in process: trades/s and requote rate.

Run: ``python bench/chat_load.py [--trades 8] [--time-limit-s 120] [--journal-url URL]``.

A trade is the chat's two calls: a message (``buy 0.001 BTC``: parse, plan, preview,
token) and the confirmation of its step (re-preview, journal, send, fill). Three loads,
each on fresh services (``build_services``, the app's own wiring; SQLite under a temporary
directory, or the Redis journal at ``--journal-url`` under a fresh key prefix):

- ``16 customers`` and ``64 customers``: one thread per customer, each its own account
  and session, ``--trades`` trades each, back to back;
- ``1 customer x 16 sessions``: one customer's 16 sessions buying at once, each reading
  its preview for ``--think-ms`` before confirming, while the other sessions' orders fill
  and change the balances it was made on (the requote storm's case). Its trades/s
  includes that reading time.

A confirmation refused with ``requote_required`` is confirmed again with the new token
(if the new preview can be confirmed); the requote rate is requotes / confirmations.
At the end each load checks exactly one order per confirmed step: the orders at the
sandbox venue (each account's, by clientOrderId) against the journal's ``step_confirmed``
entries. The customers are principals in the app's store (the bench creates them).
Bounded: a fixed number of trades, and a time limit after which threads stop starting
new trades. Nothing leaves the process.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pydantic import SecretStr

from execution.actors import Actor
from execution.assistant import Assistant, client_order_id
from execution.clock import SystemClock
from execution.errors import ConfirmationRefused, RequoteRequired
from execution.journal import events as ev
from web.auth import Principal
from web.services import Services, build_services
from web.settings import Settings

TEXT = "buy 0.001 BTC"
BALANCES = {"USDT": Decimal(10**6), "BTC": Decimal(10)}


@dataclass
class Tally:
    """What one load did, counted by its threads."""

    trades: int = 0
    confirmations: int = 0
    requotes: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    confirm_ns: list[int] = field(default_factory=list)
    elapsed: float = 0.0  # seconds, from the first thread's start to the last one's end
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, *, confirmations: int, requotes: int, ns: int, traded: bool) -> None:
        with self.lock:
            self.confirmations += confirmations
            self.requotes += requotes
            self.trades += traded
            self.confirm_ns.append(ns)


def _trade(assistant: Assistant, actor: Actor, session: str, tally: Tally) -> None:
    """One message and its confirmation (again, with the new token, after a requote)."""
    (pending,) = assistant.handle_message(session, actor, TEXT).pending
    _confirm(assistant, actor, session, pending.step_id, pending.token, tally)


def _confirm(
    assistant: Assistant, actor: Actor, session: str, step_id: str, token: str, tally: Tally
) -> None:
    confirmations = requotes = 0
    start = time.perf_counter_ns()
    traded = False
    while True:
        confirmations += 1
        try:
            assistant.confirm_step(session, step_id, actor, token)
            traded = True
            break
        except RequoteRequired as exc:
            requotes += 1
            new = (exc.details or {}).get("pending")
            if new is None:  # blocked: nothing left to confirm
                break
            token = str(new["token"])
        except ConfirmationRefused as exc:
            with tally.lock:
                tally.refused[exc.code] += 1
            break
    tally.add(
        confirmations=confirmations,
        requotes=requotes,
        ns=time.perf_counter_ns() - start,
        traded=traded,
    )


def _customers(services: Services, count: int) -> list[Actor]:
    """``count`` customer principals in the app's store (each gets its own account)."""
    actors = []
    for i in range(count):
        user_id = f"bench-customer-{i:03d}"
        principal = Principal(user_id, f"Bench customer {i}", "customer", frozenset({"trade"}))
        services.principals.put(principal, secrets.token_urlsafe(24))
        actors.append(Actor(user_id, "customer", "api"))
    return actors


def _run_threads(targets: list[Callable[[], None]]) -> float:
    threads = [threading.Thread(target=t) for t in targets]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def many_customers(services: Services, count: int, trades: int, deadline: float) -> Tally:
    tally = Tally()
    assistant = services.assistant

    def customer(actor: Actor) -> Callable[[], None]:
        def run() -> None:
            session = assistant.open_session(actor)
            for _ in range(trades):
                if time.monotonic() > deadline:
                    return
                _trade(assistant, actor, session, tally)

        return run

    tally.elapsed = _run_threads([customer(a) for a in _customers(services, count)])
    return tally


def one_customer_sessions(
    services: Services, sessions: int, trades: int, deadline: float, think_s: float
) -> Tally:
    """One customer's ``sessions`` sessions trading at once; each reads its preview for
    ``think_s`` before confirming, while the other sessions' orders fill."""
    tally = Tally()
    assistant = services.assistant
    (actor,) = _customers(services, 1)

    def session_thread() -> None:
        session = assistant.open_session(actor)
        for _ in range(trades):
            if time.monotonic() > deadline:
                return
            (pending,) = assistant.handle_message(session, actor, TEXT).pending
            time.sleep(think_s)
            _confirm(assistant, actor, session, pending.step_id, pending.token, tally)

    tally.elapsed = _run_threads([session_thread] * sessions)
    return tally


def orders_per_confirmed_step(services: Services) -> tuple[int, int, int]:
    """(confirmed order steps, orders at the venue, confirmed steps without exactly one
    order): the orders each account's fills at the sandbox venue belong to, against the
    journal's confirmed steps, each found at the venue by its clientOrderId."""
    confirmed: dict[str, list[str]] = {}
    for summary in services.journal.sessions():
        for e in services.journal.read(summary.session_id):
            if e.kind == ev.STEP_CONFIRMED:
                coid = client_order_id(summary.session_id, e.payload["step_id"])
                confirmed.setdefault(summary.owner, []).append(coid)
    steps = orders = wrong = 0
    for owner, coids in confirmed.items():
        venue = services.venues(owner)
        filled = {str(t["order"]) for t in venue.fetch_my_trades("BTC/USDT")}
        found = [str(venue.fetch_order("", "BTC/USDT", {"clientOrderId": c})["id"]) for c in coids]
        steps, orders = steps + len(coids), orders + len(filled)
        wrong += len(coids) - len(set(found) & filled) + len(filled - set(found))
    return steps, orders, wrong


def _drop_keys(url: str, prefix: str) -> None:
    """Delete this run's keys (and only them) from the Redis the journal used."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter(match=f"{prefix}*", count=1_000):
            client.delete(key)
    finally:
        client.close()


def _load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--trades", type=int, default=8, help="trades per customer / rounds")
    cli.add_argument("--time-limit-s", type=float, default=120, help="per load")
    cli.add_argument(
        "--think-ms", type=float, default=20, help="one customer: preview read before confirm"
    )
    cli.add_argument("--journal-url", default=None, help="redis://127.0.0.1:6379/DB")
    args = cli.parse_args()

    print(_load())
    loads: list[tuple[str, Callable[[Services, float], Tally]]] = [
        ("16 customers", lambda s, d: many_customers(s, 16, args.trades, d)),
        ("64 customers", lambda s, d: many_customers(s, 64, args.trades, d)),
        (
            "1 customer x 16 sessions",
            lambda s, d: one_customer_sessions(s, 16, args.trades, d, args.think_ms / 1000),
        ),
    ]
    backend = "redis" if args.journal_url else "sqlite"
    for name, load in loads:
        with tempfile.TemporaryDirectory() as tmp:
            prefix = f"bench-chat:{os.getpid()}:{secrets.token_hex(4)}:"
            settings = Settings(
                data_dir=Path(tmp),
                journal_synchronous="NORMAL",
                demo_balances=BALANCES,
                journal_url=None if args.journal_url is None else SecretStr(args.journal_url),
                journal_prefix=prefix,
            )
            services = build_services(settings, SystemClock())
            try:
                tally = load(services, time.monotonic() + args.time_limit_s)
                steps, orders, wrong = orders_per_confirmed_step(services)
            finally:
                services.close()
                if args.journal_url is not None:
                    _drop_keys(args.journal_url, prefix)
        elapsed = tally.elapsed
        rate = tally.requotes / tally.confirmations if tally.confirmations else 0.0
        samples = sorted(tally.confirm_ns) or [0]
        p50 = samples[len(samples) // 2] / 1e6
        p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] / 1e6
        print(
            f"[{backend}] {name:<25} trades {tally.trades:>4} in {elapsed:6.2f} s = "
            f"{tally.trades / elapsed:6.1f} trades/s; requotes {tally.requotes}/"
            f"{tally.confirmations} confirmations = {rate:.1%}; confirm p50 {p50:.1f} ms "
            f"p99 {p99:.1f} ms; exactly once: {steps} confirmed steps, {orders} orders at "
            f"the venue, {wrong} wrong"
            + (f"; refused {dict(tally.refused)}" if tally.refused else "")
        )
    print(_load())


if __name__ == "__main__":
    main()
