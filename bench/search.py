"""Benchmark the support console's session search on 100,000 sessions: SQLite and Redis.

Run: ``python bench/search.py [--sessions 100000] [--runs 30] [--backend sqlite,redis]
[--redis-url URL]``.

Builds ``sessions`` sessions of realistic events (opened, a message in English, 简体 or
繁體, its parse, a plan of one or two steps, previews; then, seeded, a confirmation and a
fill, a policy denial, a requote, a failed order, a paused mandate or an injection attempt),
2,000 customers, one second apart. Each session is written as one segment through
``Journal.append_events``: the journal's own store, which indexes it with the same
function as every append (SQLite at ``synchronous=OFF`` for the build). Then times
``Journal.search`` (what GET /api/support/sessions and /support call), ``runs`` times each,
p50 and p99:

* by customer (one of 2,000); by text, common (以太坊, ~1 in 6), rare (~1 in 1,000) and
  absent (every session's text is read);
* by flag (mandate_paused); by symbol (SOL); the first page of everything; and a deep
  page (the 40th of 50, by its cursor).

The Redis URL is ``--redis-url``, else ``TRADEASSIST_TEST_REDIS_URL``, else
``redis://127.0.0.1:6379/15``; the keys written are deleted afterwards. Results are
written down in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis

from execution.clock import ManualClock
from execution.journal import GENESIS_HASH, Event, Journal, SQLiteJournal, chain_event
from execution.journal import events as ev
from execution.journal.index import SessionQuery, sessions_in
from execution.journal.redis import RedisJournal
from execution.session.lifecycle import IN_FLIGHT_STEP_STATES

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
CUSTOMERS = 2000
START_MS = 1_780_000_000_000
REQUESTS = [
    ("buy 0.01 {a}", "en"),
    ("sell half my {a}", "en"),
    ("buy $500 of {a} if it dips below 60k", "en"),
    ("卖掉一半的以太坊", "zh-Hans"),
    ("买 100 USDT 的{a}", "zh-Hans"),
    ("幫我買 0.5 個比特幣", "zh-Hant"),
    ("每日買 50 USDT {a}", "zh-Hant"),
]
ASSETS = ["BTC", "ETH", "SOL", "XRP", "DOGE", "LINK"]
RARE = "please double check the fee tier"  # in about 1 session of 1,000


def _segment(n: int, rng: random.Random) -> list[Event]:
    """Session ``n``'s events, chained, as the assistant would have journaled them."""
    session_id = f"bench-{n:07d}"
    owner = f"cust-{n % CUSTOMERS:05d}"
    asset = ASSETS[rng.randrange(len(ASSETS))]
    template, locale = REQUESTS[rng.randrange(len(REQUESTS))]
    text = template.format(a=asset)
    if "以太坊" in text:
        asset = "ETH"
    if rng.random() < 0.001:
        text += ", " + RARE
    roll = rng.random()
    ts = START_MS + n * 1000
    payloads: list[ev.Payload] = [
        ev.SessionOpened(owner=owner, channel="chat"),
        ev.MessageReceived(text=text, channel="chat", locale=locale),
    ]
    if roll < 0.03:  # an attempt to instruct the assistant: refused, no plan
        payloads += [
            ev.IntentParsed(
                result={"kind": "unsupported", "reason": "injection", "message": "no"},
                canonical={},
            ),
            ev.ReplySent(text="I can only act on trading requests.", locale="en"),
        ]
        return _chain(session_id, ts, payloads)
    symbol = f"{asset}/USDT"
    mandate = roll > 0.97
    step = {
        "step_id": f"{session_id}-s1",
        "kind": "mandate" if mandate else "place_order",
        "description": f"Buy 0.01 {asset} at market" if not mandate else f"Buy {asset} daily",
        "order": {"symbol": symbol, "side": "buy", "type": "market", "amount": "0.01"},
    }
    plan_id = f"{session_id}-p"
    preview = ev.StepPreviewed(
        step_id=step["step_id"],
        plan_id=plan_id,
        preview={"symbol": symbol, "side": "buy", "expected_avg_price": "61240.17"},
        preview_hash=uuid.UUID(int=rng.getrandbits(128)).hex,
        expires_ms=ts + 60_000,
        policy_version="v3",
        blocked=0.03 <= roll < 0.08,
    )
    payloads += [
        ev.IntentParsed(result={"kind": "intent"}, canonical={"side": "buy"}),
        ev.PlanCreated(plan={"plan_id": plan_id, "steps": [step]}, balances_snapshot={}),
        preview,
        ev.ReplySent(text="Here is the plan (1 step).", plan_id=plan_id, locale=locale),
    ]
    step_id = str(step["step_id"])
    confirmed = ev.StepConfirmed(
        step_id=step_id,
        user=owner,
        channel="chat",
        preview_hash=preview.preview_hash,
        policy_version="v3",
        shown_text=str(step["description"]),
    )
    if preview.blocked:
        payloads.append(ev.PolicyDenied(step_id=step_id, decision={"allowed": False}))
    elif mandate:
        payloads += [confirmed, ev.MandatePaused(step_id=step_id, reason="price_bound")]
    elif roll < 0.60:
        if roll < 0.12:
            payloads.append(
                ev.ConfirmationRefused(
                    step_id=step_id,
                    code="requote_required",
                    message="moved",
                    user=owner,
                    channel="chat",
                )
            )
        payloads += [confirmed, ev.OrderSubmitted(step_id=step_id, client_order_id=step_id)]
        if roll < 0.15:
            payloads.append(ev.OrderFailed(step_id=step_id, error="InsufficientFunds"))
        else:
            filled = {"id": step_id, "status": "closed", "filled": 0.01, "symbol": symbol}
            payloads.append(ev.OrderAccepted(step_id=step_id, order=filled))
    return _chain(session_id, ts, payloads)


def _chain(session_id: str, ts: int, payloads: list[ev.Payload]) -> list[Event]:
    events: list[Event] = []
    head = (-1, GENESIS_HASH)
    for i, payload in enumerate(payloads):
        event = chain_event(session_id, head, ts + i, payload.kind, "bench", payload.to_json())
        events.append(event)
        head = (event.seq, event.hash)
    return events


def _corpus(sessions: int) -> list[list[Event]]:
    """Every session's segment, made once for both backends (about 9 kB each in memory)."""
    rng = random.Random(13)  # a seeded corpus: every run indexes the same sessions
    return [_segment(n, rng) for n in range(sessions)]


def _build(journal: Journal, corpus: list[list[Event]]) -> float:
    started = time.perf_counter()
    for segment in corpus:
        journal.append_events(segment)
    return time.perf_counter() - started


def _searches(journal: Journal, sessions: int) -> dict[str, Callable[[], int]]:
    deep = SessionQuery(limit=50)
    for _ in range(min(39, max(sessions // 50 - 1, 0))):
        page = journal.search(deep)
        if page.next is None:
            break
        deep = SessionQuery(limit=50, after=page.next)

    def run(query: SessionQuery) -> Callable[[], int]:
        return lambda: len(journal.search(query).sessions)

    return {
        "customer": run(SessionQuery(owner="cust-00042")),
        "text common (以太坊)": run(SessionQuery(text="以太坊")),
        "text rare": run(SessionQuery(text="Double check the FEE")),
        "text absent (reads all)": run(SessionQuery(text="比特幣現貨ETF")),
        "flag mandate_paused": run(SessionQuery(flags=("mandate_paused",))),
        "symbol SOL": run(SessionQuery(symbol="SOL")),
        "first page, no filter": run(SessionQuery()),
        "deep page (40th)": run(deep),
    }


def _time(search: Callable[[], int], runs: int) -> tuple[float, float, int]:
    search()  # warm
    took = []
    found = 0
    for _ in range(runs):
        started = time.perf_counter()
        found = search()
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    p99 = took[min(len(took) - 1, round(0.99 * (len(took) - 1)))]
    return statistics.median(took), p99, found


def _worker_sessions(journal: Journal, runs: int) -> None:
    """What a worker pass reads to find its work: the sessions the index says have a step
    in flight or a mandate armed, against every session's events (each pass before)."""
    states = {*IN_FLIGHT_STEP_STATES, "armed"}
    p50, p99, found = _time(lambda: len(sessions_in(journal.search, states)), runs)
    print(f"  {'worker: sessions to visit':<27} p50 {p50:8.2f} ms  p99 {p99:8.2f} ms  ({found})")
    started = time.perf_counter()
    every = journal.sessions()
    events = sum(len(journal.read(summary.session_id)) for summary in every)
    took = time.perf_counter() - started
    print(f"  {'worker: read every session':<27} {took * 1000:8.0f} ms once ({events} events)")


def _report(name: str, journal: Journal, sessions: int, runs: int, build_s: float) -> None:
    print(f"{name}: built {sessions} sessions in {build_s:.1f} s ({sessions / build_s:.0f}/s)")
    for label, search in _searches(journal, sessions).items():
        p50, p99, found = _time(search, runs)
        print(f"  {label:<27} p50 {p50:8.2f} ms  p99 {p99:8.2f} ms  ({found} on the page)")
    _worker_sessions(journal, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--backend", default="sqlite,redis")
    parser.add_argument("--redis-url", default=None)
    args = parser.parse_args()
    print(subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip())
    clock = ManualClock()
    started = time.perf_counter()
    corpus = _corpus(args.sessions)
    print(f"made {args.sessions} sessions' events in {time.perf_counter() - started:.1f} s")
    backends = args.backend.split(",")
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as tmp:
            journal = SQLiteJournal(Path(tmp) / "journal.sqlite3", clock, synchronous="OFF")
            build_s = _build(journal, corpus)
            _report("sqlite", journal, args.sessions, args.runs, build_s)
            journal.close()
    if "redis" in backends:
        url = args.redis_url or os.environ.get("TRADEASSIST_TEST_REDIS_URL", DEFAULT_REDIS_URL)
        prefix = f"bench-search:{uuid.uuid4().hex}:"
        journal_r = RedisJournal.from_url(url, clock, prefix=prefix)
        try:
            build_s = _build(journal_r, corpus)
            _report("redis", journal_r, args.sessions, args.runs, build_s)
        finally:
            journal_r.close()
            raw: Any = redis.Redis.from_url(url)
            batch: list[Any] = []
            for key in raw.scan_iter(match=f"{prefix}*", count=5000):
                batch.append(key)
                if len(batch) >= 5000:
                    raw.delete(*batch)
                    batch.clear()
            if batch:
                raw.delete(*batch)
            raw.close()
    print(subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip())


if __name__ == "__main__":
    main()
