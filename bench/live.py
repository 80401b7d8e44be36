"""Benchmark live updates on a 400-message session: the old poll (GET /api/sessions/{id})
against the Server-Sent Events stream (web/routes/live.py), bytes and time per update.

Run: ``python bench/live.py [--turns 200] [--n 20] [--redis redis://127.0.0.1:6379/15]``.
The session is built through the app (``--turns`` messages of "buy 0.01 BTC", each a plan
with its preview, so twice as many transcript lines). Measured in process (TestClient; no
network), with the system clock. Figures are written down in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bench.timing import ms, timed
from execution.actors import Actor
from execution.journal import Journal
from execution.session.changes import Change, follow
from execution.session.state import SessionState
from tests.support import acknowledge_risk
from web.app import create_app
from web.routes.live import _OrdersFollower, _session_frames
from web.services import Services, build_services
from web.settings import Settings

CUSTOMER = {"Authorization": "Bearer demo-customer-token"}


def run(settings: Settings, turns: int, n: int, label: str) -> None:
    services: Services = build_services(settings)
    try:
        with TestClient(create_app(settings, services=services)) as client:
            acknowledge_risk(client, CUSTOMER)  # messages are refused until then
            sid = client.post("/api/sessions", headers=CUSTOMER).json()["id"]
            started = time.perf_counter()
            pending: list[dict[str, Any]] = []
            for _ in range(turns):
                turn = client.post(
                    f"/api/sessions/{sid}/messages", json={"text": "buy 0.01 BTC"}, headers=CUSTOMER
                ).json()
                pending.extend(turn["pending"])
            built = time.perf_counter() - started
            whole = client.get(f"/api/sessions/{sid}", headers=CUSTOMER)
            lines = len(whole.json()["transcript"])
            print(
                f"[{label}] session: {lines} transcript lines, {whole.json()['seq'] + 1} journal "
                f"entries, built in {built:.1f} s"
            )

            # The old page: each poll fetched the whole session.
            polls, response = timed(lambda: client.get(f"/api/sessions/{sid}", headers=CUSTOMER), n)
            print(
                f"[{label}] poll GET /api/sessions/{{id}}      {len(response.content):>9,} B"
                f"  {ms(polls, 3)}  (per poll, every 2 s while a step was live)"
            )

            # The stream: what one update costs. A step confirmed (and filled) is the update.
            journal = services.journal
            state = services.assistant.state(sid, Actor("demo-customer", "customer", "chat"))
            idle, _ = timed(lambda: journal.read(sid, after_seq=state.head[0]), n * 50)
            print(
                f"[{label}] stream idle tick (tail read)     {0:>9,} B  {ms(idle, 3)}"
                f"  (per open stream, every {settings.stream_poll_s} s)"
            )
            sizes, costs = [], []
            for step in pending[:n]:
                client.post(
                    f"/api/sessions/{sid}/steps/{step['step_id']}/confirm",
                    json={"token": step["token"]},
                    headers=CUSTOMER,
                )
                start = time.perf_counter()
                frames = _session_frames(sid, _follow(journal, sid, state))
                costs.append(time.perf_counter() - start)
                sizes.append(len(frames.encode()))
            print(
                f"[{label}] stream update (step confirmed→filled) "
                f"{statistics.median(sizes):>6,.0f} B"
                f"  {ms(costs, 3)}  (read tail + fold + frames; {len(sizes)} updates)"
            )
            follower = _OrdersFollower(journal, "demo-customer", {})
            follower.poll()
            orders_idle, _ = timed(follower.poll, n * 50)
            print(
                f"[{label}] orders stream idle tick           {0:>9,} B  {ms(orders_idle, 3)}"
                f"  ({len(journal.sessions(owner='demo-customer'))} session(s))"
            )

            # A connection: authorize, snapshot the session, catch up one entry, end.
            head = client.get(f"/api/sessions/{sid}", headers=CUSTOMER).json()["seq"]
            connects, response = timed(
                lambda: client.get(
                    f"/api/sessions/{sid}/stream?after={head - 1}", headers=CUSTOMER
                ),
                max(3, n // 4),
            )
            lifetime = settings.stream_lifetime_s
            setup = [c - lifetime for c in connects]
            print(
                f"[{label}] stream connect (+1 entry behind) {len(response.content):>6,} B"
                f"  {ms(setup, 3)}  (beyond its {lifetime} s lifetime; once per connection)"
            )
    finally:
        services.close()


def _follow(journal: Journal, sid: str, state: SessionState) -> list[Change]:
    return follow(state, journal.read(sid, after_seq=state.head[0]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--redis", help="also on the Redis journal at this URL")
    args = parser.parse_args()
    print(
        time.strftime("%H:%M:%S"), "load average:", ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    with tempfile.TemporaryDirectory() as tmp:
        base = {
            "data_dir": Path(tmp),
            "stream_lifetime_s": 0.05,
            "confirmation_ttl_s": 600,
            "rate_messages_per_principal": 1_000_000,  # --turns messages at once
        }
        run(Settings(**base), args.turns, args.n, "sqlite")  # type: ignore[arg-type]
        if args.redis:
            prefix = f"bench-live:{uuid.uuid4().hex}:"
            run(
                Settings(**base, journal_url=args.redis, journal_prefix=prefix),  # type: ignore[arg-type]
                args.turns,
                args.n,
                "redis",
            )
    print(
        time.strftime("%H:%M:%S"), "load average:", ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )


if __name__ == "__main__":
    main()
