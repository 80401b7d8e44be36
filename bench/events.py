"""Benchmark the journal route on a 400-message session: one page of 100 entries
(``GET /api/sessions/{id}/events?after=SEQ&limit=100``, with its chain check) against the
whole journal read before paging (every entry, and the whole chain verified).

Run: ``python bench/events.py [--turns 200] [--n 20] [--redis redis://127.0.0.1:6379/15]``.
The session is built through the app as bench/live.py builds it (``--turns`` messages of
"buy 0.01 BTC", each answered with a plan and its preview: 400 transcript lines for 200
turns). "Before" is the route's old body, mounted beside it for the run: read every entry,
verify the whole chain, answer them all. Measured in process (TestClient; no network),
with the system clock. Figures are written down in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import redis
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from bench.timing import ms, timed
from tests.support import acknowledge_risk
from web.app import create_app
from web.deps import SessionReader, actor_for
from web.routes.sessions_api import ChainCheck, EventOut
from web.services import Services, build_services
from web.settings import Settings

CUSTOMER = {"Authorization": "Bearer demo-customer-token"}


def _mount_the_whole_read(app: FastAPI, services: Services) -> None:
    """The route as it was before paging (commit 2a4d4fc), at another path."""

    @app.get("/bench/sessions/{session_id}/events")
    def whole(session_id: str, request: Request, principal: SessionReader) -> dict[str, Any]:
        events = services.assistant.events(session_id, actor_for(principal, request))
        verification = services.journal.verify(session_id)
        return {
            "events": [EventOut.model_validate(e.to_json()).model_dump() for e in events],
            "verification": ChainCheck(
                ok=verification.ok, problems=list(verification.problems)
            ).model_dump(),
        }


def run(settings: Settings, turns: int, n: int, label: str) -> None:
    services = build_services(settings)
    app = create_app(settings, services=services)
    _mount_the_whole_read(app, services)
    try:
        with TestClient(app) as client:
            acknowledge_risk(client, CUSTOMER)  # messages are refused until then
            sid = client.post("/api/sessions", headers=CUSTOMER).json()["id"]
            for _ in range(turns):
                said = client.post(
                    f"/api/sessions/{sid}/messages", json={"text": "buy 0.01 BTC"}, headers=CUSTOMER
                )
                assert said.status_code == 200, said.text
            entries = len(services.journal.read(sid))
            print(f"[{label}] session: {turns} turns, {entries} journal entries")

            before, response = timed(
                lambda: client.get(f"/bench/sessions/{sid}/events", headers=CUSTOMER), n
            )
            assert response.status_code == 200, response.text
            print(
                f"[{label}] whole journal (before)        {len(response.content):>10,} B"
                f"  {ms(before)}  ({len(response.json()['events'])} entries)"
            )
            for after in (-1, entries // 2):
                url = f"/api/sessions/{sid}/events?after={after}&limit=100"
                page, response = timed(lambda url=url: client.get(url, headers=CUSTOMER), n)
                body = response.json()
                assert response.status_code == 200, response.text
                assert body["chain"]["ok"], body["chain"]
                print(
                    f"[{label}] one page of 100, after={after:<5}  {len(response.content):>10,} B"
                    f"  {ms(page)}  (next_after {body['next_after']})"
                )
            pages, _ = timed(lambda: _walk(client, sid), max(3, n // 4))
            print(f"[{label}] every page of 100, walked     {'':>12}  {ms(pages)}")
    finally:
        services.close()


def _walk(client: TestClient, sid: str) -> int:
    """Follow next_after from the start; the number of pages."""
    after: int | None = -1
    pages = 0
    while after is not None:
        body = client.get(f"/api/sessions/{sid}/events?after={after}", headers=CUSTOMER).json()
        after, pages = body["next_after"], pages + 1
    return pages


def _load() -> str:
    return f"{time.strftime('%H:%M:%S')} load average: " + ", ".join(
        f"{x:.2f}" for x in os.getloadavg()
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--redis", help="also on the Redis journal at this URL")
    args = parser.parse_args()
    print(_load())
    with tempfile.TemporaryDirectory() as tmp:
        # (a session of --turns messages at once: no message limit in the way)
        many = 1_000_000
        run(
            Settings(data_dir=Path(tmp) / "sqlite", rate_messages_per_principal=many),
            args.turns,
            args.n,
            "sqlite",
        )
        if args.redis:
            prefix = f"bench-events:{uuid.uuid4().hex}:"
            try:
                run(
                    Settings(
                        data_dir=Path(tmp) / "redis",
                        journal_url=args.redis,
                        journal_prefix=prefix,
                        rate_messages_per_principal=many,
                    ),  # type: ignore[arg-type]
                    args.turns,
                    args.n,
                    "redis",
                )
            finally:
                client = redis.Redis.from_url(args.redis)
                keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
                if keys:
                    client.delete(*keys)
                client.close()
    print(_load())


if __name__ == "__main__":
    main()
