"""Benchmark the chat under concurrent customers: trades/s and the requote rate.

Run: ``python bench/chat_load.py [--http] [--trades 10] [--time-limit-s 120]
[--journal-url redis://127.0.0.1:6379/DB]``.

A trade is the chat's two calls: a message (``buy 0.001 BTC``: parse, plan, preview,
token) and the confirmation of its step (re-preview, journal, send, fill). Three loads,
each on a fresh app (SQLite under a temporary directory, or the Redis journal at
``--journal-url`` under a fresh key prefix, deleted afterwards):

- ``16 customers`` and ``64 customers``: one thread per customer, each with its own
  account and session, ``--trades`` trades each, back to back;
- ``1 customer x 16 sessions``: one customer's 16 sessions buying at once, each reading
  its preview for ``--think-ms`` before confirming, while the other sessions' orders fill
  and change the balances it was made on (the requote storm's case). Its trades/s
  includes that reading time.

In process (default), the threads call the app's assistant (``build_services``, the
app's own wiring) on an in-process sandbox. With ``--http``, each thread is an HTTP
client (``httpx``, keep-alive) of ``tradeassist serve`` started as a subprocess on
127.0.0.1, whose venue is a ``tradeassist sandbox-server`` subprocess
(``sandbox-remote``): the customers' orders are then counted at that venue.

A confirmation refused with ``requote_required`` is confirmed again with the new token
(if the new preview can be confirmed); the requote rate is requotes / confirmations.
At the end each load checks exactly one order per confirmed step: the orders each
account's fills at the sandbox venue belong to, against the journal's ``step_confirmed``
entries, each step's order found by its clientOrderId. The customers are principals in
the app's store (the bench creates them, with the risk disclosure acknowledged).
Bounded: a fixed number of trades per thread, a time limit after which threads start no
new trade, and nothing but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import httpx
from pydantic import SecretStr

from execution.actors import Actor
from execution.assistant import Assistant, client_order_id
from execution.clock import SystemClock
from execution.disclosures import risk_disclosure
from execution.errors import ConfirmationRefused, RequoteRequired
from execution.journal import Journal
from execution.journal import events as ev
from execution.venues.accounts import RemoteSandboxAccounts
from execution.venues.protocol import Venue
from execution.venues.sandbox import MarketCatalog
from web.auth import Principal, Principals
from web.services import build_services, open_journal
from web.settings import Settings

TEXT = "buy 0.001 BTC"
BALANCES = {"USDT": Decimal(10**6), "BTC": Decimal(10)}
SYMBOL = "BTC/USDT"


@dataclass(frozen=True, slots=True)
class Outcome:
    """A confirmation's answer: the step's state, or the refusal's code and, for a
    requote that can be confirmed, its new token."""

    state: str | None = None
    refused: str | None = None
    token: str | None = None


class Chat(Protocol):
    """The two calls a customer makes, in process or over HTTP."""

    def open_session(self, customer: int) -> str: ...

    def message(self, customer: int, session: str) -> tuple[str, str]:
        """The step previewed and its token."""
        ...

    def confirm(self, customer: int, session: str, step_id: str, token: str) -> Outcome: ...


@dataclass
class Tally:
    """What one load did, counted by its threads."""

    trades: int = 0
    confirmations: int = 0
    requotes: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    trade_ns: list[int] = field(default_factory=list)
    elapsed: float = 0.0  # seconds, from the first thread's start to the last one's end
    lock: threading.Lock = field(default_factory=threading.Lock)


def _trade(chat: Chat, customer: int, session: str, tally: Tally, think_s: float = 0) -> None:
    """One message and its confirmation (again, with the new token, after a requote)."""
    start = time.perf_counter_ns()
    step_id, token = chat.message(customer, session)
    if think_s:
        time.sleep(think_s)
    confirmations = requotes = 0
    outcome = Outcome()
    while True:
        confirmations += 1
        outcome = chat.confirm(customer, session, step_id, token)
        if outcome.refused != "requote_required":
            break
        requotes += 1
        if outcome.token is None:  # blocked: nothing left to confirm
            break
        token = outcome.token
    with tally.lock:
        tally.confirmations += confirmations
        tally.requotes += requotes
        tally.trades += outcome.state is not None
        if outcome.refused is not None and outcome.refused != "requote_required":
            tally.refused[outcome.refused] += 1
        tally.trade_ns.append(time.perf_counter_ns() - start - int(think_s * 1e9))


def _run_threads(targets: list[Callable[[], None]]) -> float:
    threads = [threading.Thread(target=t) for t in targets]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def many_customers(chat: Chat, customers: int, trades: int, deadline: float) -> Tally:
    tally = Tally()

    def customer(i: int) -> Callable[[], None]:
        def run() -> None:
            session = chat.open_session(i)
            for _ in range(trades):
                if time.monotonic() > deadline:
                    return
                _trade(chat, i, session, tally)

        return run

    tally.elapsed = _run_threads([customer(i) for i in range(customers)])
    return tally


def one_customer_sessions(
    chat: Chat, sessions: int, trades: int, deadline: float, think_s: float
) -> Tally:
    """One customer's ``sessions`` sessions trading at once; each reads its preview for
    ``think_s`` before confirming, while the other sessions' orders fill."""
    tally = Tally()

    def session_thread() -> None:
        session = chat.open_session(0)
        for _ in range(trades):
            if time.monotonic() > deadline:
                return
            _trade(chat, 0, session, tally, think_s)

    tally.elapsed = _run_threads([session_thread] * sessions)
    return tally


# --- the customers and the two drivers ----------------------------------------------------


def _user_id(customer: int) -> str:
    return f"bench-customer-{customer:03d}"


def _add_customers(principals: Principals, count: int) -> list[str]:
    """``count`` customer principals in the app's store; their bearer tokens."""
    tokens = []
    for i in range(count):
        principal = Principal(_user_id(i), f"Bench customer {i}", "customer", frozenset({"trade"}))
        token = secrets.token_urlsafe(24)
        principals.put(principal, token)
        tokens.append(token)
    return tokens


class InProcess:
    """The assistant called directly, as the routes call it."""

    def __init__(self, assistant: Assistant) -> None:
        self._assistant = assistant

    def open_session(self, customer: int) -> str:
        return self._assistant.open_session(Actor(_user_id(customer), "customer", "api"))

    def message(self, customer: int, session: str) -> tuple[str, str]:
        actor = Actor(_user_id(customer), "customer", "api")
        (pending,) = self._assistant.handle_message(session, actor, TEXT).pending
        return pending.step_id, pending.token

    def confirm(self, customer: int, session: str, step_id: str, token: str) -> Outcome:
        actor = Actor(_user_id(customer), "customer", "api")
        try:
            step, _ = self._assistant.confirm_step(session, step_id, actor, token)
        except RequoteRequired as exc:
            new = (exc.details or {}).get("pending")
            return Outcome(refused=exc.code, token=None if new is None else str(new["token"]))
        except ConfirmationRefused as exc:
            return Outcome(refused=exc.code)
        return Outcome(state=step.state)


class OverHttp:
    """Each thread its own keep-alive HTTP client of the app at ``base_url``."""

    def __init__(self, base_url: str, tokens: list[str]) -> None:
        self._base_url = base_url
        self._tokens = tokens
        self._local = threading.local()

    def _client(self) -> httpx.Client:
        client: httpx.Client | None = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = httpx.Client(base_url=self._base_url, timeout=60)
        return client

    def _post(self, customer: int, path: str, body: dict[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self._tokens[customer]}"}
        return self._client().post(path, json=body, headers=headers)

    def acknowledge(self, customer: int) -> None:
        shown = risk_disclosure("en")
        body = {"version": shown.version, "locale": shown.locale, "text": shown.text}
        done = self._post(customer, "/api/disclosures/risk/ack", body)
        done.raise_for_status()

    def open_session(self, customer: int) -> str:
        created = self._post(customer, "/api/sessions")
        created.raise_for_status()
        return str(created.json()["id"])

    def message(self, customer: int, session: str) -> tuple[str, str]:
        turn = self._post(customer, f"/api/sessions/{session}/messages", {"text": TEXT})
        turn.raise_for_status()
        (pending,) = turn.json()["pending"]
        return str(pending["step_id"]), str(pending["token"])

    def confirm(self, customer: int, session: str, step_id: str, token: str) -> Outcome:
        path = f"/api/sessions/{session}/steps/{step_id}/confirm"
        answer = self._post(customer, path, {"token": token})
        if answer.status_code == 200:
            return Outcome(state=str(answer.json()["step"]["state"]))
        if answer.status_code != 409:
            answer.raise_for_status()
        error = answer.json()["error"]
        new = (error.get("details") or {}).get("pending")
        return Outcome(refused=str(error["code"]), token=None if new is None else new["token"])


# --- one load on a fresh app -------------------------------------------------------------


@dataclass
class App:
    """A fresh app to load: the chat to drive, and what the exactly-once check reads."""

    chat: Chat
    journal: Journal
    venue_for: Callable[[str], Venue]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process ended ({process.returncode})")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {timeout_s} s")


def _tradeassist(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    code = f"from web.cli import main; raise SystemExit(main({list(args)!r}))"
    return subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def fresh_app(customers: int, *, http: bool, journal_url: str | None) -> Iterator[App]:
    prefix = f"bench-chat:{os.getpid()}:{secrets.token_hex(4)}:"
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            journal_synchronous="NORMAL",
            demo_balances=BALANCES,
            journal_url=None if journal_url is None else SecretStr(journal_url),
            journal_prefix=prefix,
            rate_session_refusals=1_000_000,  # requotes under load: no bound in the way
        )
        try:
            if http:
                with _served(settings, customers) as app:
                    yield app
            else:
                services = build_services(settings, SystemClock())
                _add_customers(services.principals, customers)
                try:
                    yield App(InProcess(services.assistant), services.journal, services.venues)
                finally:
                    services.close()
        finally:
            if journal_url is not None:
                _drop_keys(journal_url, prefix)


@contextmanager
def _served(settings: Settings, customers: int) -> Iterator[App]:
    """``tradeassist serve`` on a ``tradeassist sandbox-server``, both on 127.0.0.1."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    principals = Principals(settings.database_path)
    try:
        tokens = _add_customers(principals, customers)
    finally:
        principals.close()
    venue_port, app_port = _free_port(), _free_port()
    venue_url, app_url = f"http://127.0.0.1:{venue_port}", f"http://127.0.0.1:{app_port}"
    env = {
        **os.environ,
        "TRADEASSIST_DATA_DIR": str(settings.data_dir),
        "TRADEASSIST_JOURNAL_SYNCHRONOUS": settings.journal_synchronous,
        "TRADEASSIST_JOURNAL_PREFIX": settings.journal_prefix,
        "TRADEASSIST_VENUE": "sandbox-remote",
        "TRADEASSIST_VENUE_URL": venue_url,
        "TRADEASSIST_EMBEDDED_WORKER": "false",  # the chat alone
        # The abuse limits are checked, but the load is the point: no bound is reached.
        "TRADEASSIST_RATE_MESSAGES_PER_PRINCIPAL": "1000000",
        "TRADEASSIST_RATE_SESSION_REFUSALS": "1000000",
    }
    if settings.journal_url is not None:
        env["TRADEASSIST_JOURNAL_URL"] = settings.journal_url.get_secret_value()
    balances = [f"--balance={ccy}={amount}" for ccy, amount in BALANCES.items()]
    venue = _tradeassist("sandbox-server", "--port", str(venue_port), *balances, env=env)
    try:
        _wait_for(f"{venue_url}/health", venue)
        app = _tradeassist("serve", "--port", str(app_port), env=env)
        try:
            _wait_for(f"{app_url}/healthz", app)
            chat = OverHttp(app_url, tokens)
            for i in range(customers):
                chat.acknowledge(i)
            accounts = RemoteSandboxAccounts(venue_url, 30, MarketCatalog.default(), 0)
            journal = open_journal(settings, SystemClock())
            try:
                yield App(chat, journal, accounts)
            finally:
                journal.close()
        finally:
            _stop(app)
    finally:
        _stop(venue)


def orders_per_confirmed_step(app: App) -> tuple[int, int, int]:
    """(confirmed order steps, orders at the venue, confirmed steps without exactly one
    order or orders without a confirmed step): the orders each account's fills at the
    sandbox venue belong to, against the journal's confirmed steps, each step's order
    found at the venue by its clientOrderId."""
    confirmed: dict[str, list[str]] = {}
    for summary in app.journal.sessions():
        for e in app.journal.read(summary.session_id):
            if e.kind == ev.STEP_CONFIRMED:
                coid = client_order_id(summary.session_id, e.payload["step_id"])
                confirmed.setdefault(summary.owner, []).append(coid)
    steps = orders = wrong = 0
    for owner, coids in confirmed.items():
        venue = app.venue_for(owner)
        filled = {str(t["order"]) for t in venue.fetch_my_trades(SYMBOL)}
        found = {str(venue.fetch_order("", SYMBOL, {"clientOrderId": c})["id"]) for c in coids}
        steps, orders = steps + len(coids), orders + len(filled)
        wrong += len(coids) - len(found & filled) + len(filled - found)
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
    cli.add_argument("--http", action="store_true", help="through tradeassist serve")
    cli.add_argument("--trades", type=int, default=10, help="trades per thread")
    cli.add_argument("--time-limit-s", type=float, default=120, help="per load")
    cli.add_argument(
        "--think-ms", type=float, default=20, help="one customer: preview read before confirm"
    )
    cli.add_argument("--journal-url", default=None, help="redis://127.0.0.1:6379/DB")
    args = cli.parse_args()
    if args.journal_url is not None and not args.journal_url.startswith("redis://127.0.0.1"):
        cli.error("--journal-url must be a Redis on 127.0.0.1")

    think_s = args.think_ms / 1000
    loads: list[tuple[str, int, Callable[[Chat, float], Tally]]] = [
        ("16 customers", 16, lambda c, d: many_customers(c, 16, args.trades, d)),
        ("64 customers", 64, lambda c, d: many_customers(c, 64, args.trades, d)),
        (
            "1 customer x 16 sessions",
            1,
            lambda c, d: one_customer_sessions(c, 16, args.trades, d, think_s),
        ),
    ]
    how = f"{'http' if args.http else 'in process'}, {'redis' if args.journal_url else 'sqlite'}"
    print(_load())
    for name, customers, load in loads:
        with fresh_app(customers, http=args.http, journal_url=args.journal_url) as app:
            tally = load(app.chat, time.monotonic() + args.time_limit_s)
            steps, orders, wrong = orders_per_confirmed_step(app)
        rate = tally.requotes / tally.confirmations if tally.confirmations else 0.0
        samples = sorted(tally.trade_ns) or [0]
        p50 = samples[len(samples) // 2] / 1e6
        p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] / 1e6
        print(
            f"[{how}] {name:<25} {tally.trades:>4} trades in {tally.elapsed:6.2f} s = "
            f"{tally.trades / tally.elapsed:6.1f} trades/s (trade p50 {p50:.0f} ms, p99 "
            f"{p99:.0f} ms); requotes {tally.requotes}/{tally.confirmations} confirmations = "
            f"{rate:.1%}; exactly once: {steps} confirmed steps, {orders} orders at the venue, "
            f"{wrong} wrong" + (f"; refused {dict(tally.refused)}" if tally.refused else "")
        )
    print(_load())


if __name__ == "__main__":
    main()
