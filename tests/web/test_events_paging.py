"""GET /api/sessions/{id}/events?after=SEQ&limit=N: one page of the journal and the check
of its stretch of the hash chain, on the SQLite journal and on the real Redis one."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from execution.journal import canonical_json, hash_and_entry
from web.auth import Principal
from web.services import Services
from web.settings import Settings

from .conftest import CUSTOMER, PRODUCT, SUPPORT
from .test_orders_api import _say, _session

ENTRIES = 250  # more than two default pages


@pytest.fixture(params=["sqlite", "redis"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The app on each journal backend (Redis under a key prefix of this test's own)."""
    if request.param == "sqlite":
        return Settings(data_dir=tmp_path / "data")
    return Settings(
        data_dir=tmp_path / "data",
        journal_url=request.getfixturevalue("test_redis_url"),
        journal_prefix=request.getfixturevalue("redis_prefix"),
    )


@pytest.fixture
def long_session(client: TestClient, services: Services) -> str:
    """A session of ENTRIES entries: a real exchange, then notes appended to its chain."""
    sid = _session(client)
    _say(client, sid, "what's the price of BTC?")
    have = len(services.journal.read(sid))
    for n in range(ENTRIES - have):
        services.journal.append(sid, "note", "assistant", {"n": n})
    return sid


def _page(client: TestClient, sid: str, query: str = "", headers: Any = CUSTOMER) -> Any:
    response = client.get(f"/api/sessions/{sid}/events{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _seqs(page: Any) -> list[int]:
    return [event["seq"] for event in page["events"]]


def _rewrite(
    settings: Settings, sid: str, seq: int, payload: dict[str, Any], *, rehash: bool
) -> None:
    """Change entry ``seq``'s payload in the store itself, behind the journal's back; with
    ``rehash``, store a hash recomputed for the new content too (so only the next entry's
    link can tell)."""
    if settings.journal_url is None:
        db = sqlite3.connect(settings.database_path)
        ts_ms, kind, actor, prev, old = db.execute(
            "SELECT ts_ms, kind, actor, prev_hash, hash FROM events "
            "WHERE session_id = ? AND seq = ?",
            (sid, seq),
        ).fetchone()
        digest, _ = hash_and_entry(sid, seq, ts_ms, kind, actor, canonical_json(payload), prev)
        db.execute(
            "UPDATE events SET payload = ?, hash = ? WHERE session_id = ? AND seq = ?",
            (canonical_json(payload), digest if rehash else old, sid, seq),
        )
        db.commit()
        db.close()
        return
    client = redis.Redis.from_url(settings.journal_url.get_secret_value())
    key = f"{settings.journal_prefix}journal:s:{sid}:log"
    stored = json.loads(client.lindex(key, seq))
    digest, entry = hash_and_entry(
        sid,
        seq,
        stored["ts_ms"],
        stored["kind"],
        stored["actor"],
        canonical_json(payload),
        stored["prev_hash"],
    )
    client.lset(key, seq, entry if rehash else entry.replace(digest, stored["hash"]))
    client.close()


def test_pages_follow_next_after_to_the_end_each_chained_to_the_last(
    client: TestClient, long_session: str
) -> None:
    first = _page(client, long_session)  # no parameters: the first page of 100

    assert _seqs(first) == list(range(100))
    assert first["next_after"] == 99
    assert first["chain"] == {"ok": True, "checked_from": -1, "problems": []}
    assert first["verification"] == {"ok": True, "problems": []}  # older callers' field
    seen, page = _seqs(first), first
    while page["next_after"] is not None:
        after = page["next_after"]
        page = _page(client, long_session, f"?after={after}")
        assert page["chain"] == {"ok": True, "checked_from": after, "problems": []}
        assert page["events"][0]["seq"] == after + 1
        seen += _seqs(page)
    assert seen == list(range(ENTRIES))
    assert len(page["events"]) == ENTRIES - 200  # the last page, shorter: nothing after it


def test_after_and_limit_choose_the_page(client: TestClient, long_session: str) -> None:
    middle = _page(client, long_session, "?after=10&limit=5")
    assert _seqs(middle) == [11, 12, 13, 14, 15]
    assert middle["next_after"] == 15
    assert middle["chain"]["ok"] is True
    assert (
        middle["events"][0]["prev_hash"]
        == _page(client, long_session, "?after=9&limit=1")["events"][0]["hash"]
    )

    # exactly the rest: no next page, although the page is full
    rest = _page(client, long_session, f"?after={ENTRIES - 4}&limit=3")
    assert _seqs(rest) == [ENTRIES - 3, ENTRIES - 2, ENTRIES - 1]
    assert rest["next_after"] is None
    everything = _page(client, long_session, "?limit=1000")
    assert _seqs(everything) == list(range(ENTRIES))
    assert everything["next_after"] is None
    past_the_end = _page(client, long_session, f"?after={ENTRIES + 5}")
    assert past_the_end == {
        "events": [],
        "next_after": None,
        "chain": {"ok": True, "checked_from": ENTRIES + 5, "problems": []},
        "verification": {"ok": True, "problems": []},
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?limit=0", "limit"),
        ("?limit=1001", "limit"),
        ("?limit=ten", "limit"),
        ("?after=-2", "after"),
        ("?after=first", "after"),
    ],
)
def test_a_bad_page_is_refused_naming_the_field(
    client: TestClient, long_session: str, query: str, field: str
) -> None:
    response = client.get(f"/api/sessions/{long_session}/events{query}", headers=CUSTOMER)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert [e["loc"] for e in error["details"]["errors"]] == [["query", field]]
    assert field in error["message"]


def test_an_entry_altered_in_the_store_is_named_on_its_page_only(
    client: TestClient, settings: Settings, long_session: str
) -> None:
    _rewrite(settings, long_session, 150, {"n": "altered"}, rehash=False)

    page = _page(client, long_session, "?after=140&limit=20")

    assert page["chain"]["ok"] is False
    assert page["chain"]["problems"] == ["entry 150 (note): content does not match its hash"]
    assert page["verification"]["ok"] is False
    assert page["events"][150 - 141]["payload"] == {"n": "altered"}  # shown as stored
    # the pages around it: up to 149, and from 151 (linked to entry 150's stored hash)
    assert _page(client, long_session, "?after=49&limit=100")["chain"]["ok"] is True
    assert _page(client, long_session, "?after=150")["chain"]["ok"] is True


def test_a_rewritten_entry_with_its_hash_recomputed_breaks_the_next_link(
    client: TestClient, settings: Settings, long_session: str
) -> None:
    _rewrite(settings, long_session, 100, {"n": "forged"}, rehash=True)

    # the entry itself matches its new hash: the next entry no longer links to it
    within = _page(client, long_session, "?after=95&limit=10")
    assert within["chain"]["problems"] == ["entry 101: prev_hash does not link to the entry before"]
    # across a page boundary: the page after it is checked against the forged entry
    across = _page(client, long_session, "?after=100&limit=5")
    assert across["chain"]["ok"] is False
    assert across["chain"]["problems"] == ["entry 101: prev_hash does not link to the entry before"]
    # and the page ending with it links to its predecessor as before
    assert _page(client, long_session, "?after=90&limit=10")["chain"]["ok"] is True  # 91..100


def test_who_may_read_a_session_s_events_is_unchanged(
    client: TestClient, services: Services, long_session: str
) -> None:
    assert _page(client, long_session, "?limit=3", SUPPORT)["events"][0]["seq"] == 0
    admin = {"Authorization": "Bearer demo-admin-token"}
    assert _page(client, long_session, "?limit=3", admin)["chain"]["ok"] is True
    refused = client.get(f"/api/sessions/{long_session}/events", headers=PRODUCT)
    assert refused.status_code == 403
    assert client.get(f"/api/sessions/{long_session}/events").status_code == 401
    unknown = client.get("/api/sessions/no-such-session/events?after=5", headers=CUSTOMER)
    assert unknown.status_code == 404
    services.principals.put(Principal("bob", "Bob", "customer", frozenset({"trade"})), "bob-t")
    for after in (-1, 150):  # any page of another customer's session: as if it did not exist
        theirs = client.get(
            f"/api/sessions/{long_session}/events?after={after}",
            headers={"Authorization": "Bearer bob-t"},
        )
        assert theirs.status_code == 404, theirs.text
