"""The re-simulation diff: `tradeassist replay --verify`, the support API and console."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from execution.actors import Actor
from execution.clock import ManualClock
from execution.journal import entry_hash
from execution.policy import PolicyRules
from web.services import Services, build_services
from web.settings import Settings

from .conftest import CUSTOMER, SUPPORT
from .test_cli import _run
from .test_pages import _login


def _rewrite_chain(database: Path, session_id: str, seq: int, edit: Any) -> None:
    """Edit one entry's payload and re-hash the whole chain after it, head included: a
    forgery the chain check cannot see; only re-running the recorded inputs can."""
    db = sqlite3.connect(database)
    rows = db.execute(
        "SELECT seq, ts_ms, kind, actor, payload FROM events WHERE session_id = ? ORDER BY seq",
        (session_id,),
    ).fetchall()
    prev = "0" * 64
    for row_seq, ts_ms, kind, actor, raw in rows:
        payload = json.loads(raw)
        if row_seq == seq:
            edit(payload)
        digest = entry_hash(session_id, row_seq, ts_ms, kind, actor, payload, prev)
        db.execute(
            "UPDATE events SET payload = ?, prev_hash = ?, hash = ? "
            "WHERE session_id = ? AND seq = ?",
            (
                json.dumps(payload, sort_keys=True, separators=(",", ":")),
                prev,
                digest,
                session_id,
                row_seq,
            ),
        )
        prev = digest
    db.execute("UPDATE session_heads SET last_hash = ? WHERE session_id = ?", (prev, session_id))
    db.commit()
    db.close()


def _recorded_session(tmp_path: Path) -> tuple[Settings, str, int]:
    settings = Settings(data_dir=tmp_path)
    services = build_services(settings, ManualClock())
    actor = Actor("demo-customer", "customer", "cli")
    session_id = services.assistant.open_session(actor)
    services.assistant.handle_message(session_id, actor, "buy some bitcoin")
    services.assistant.handle_message(session_id, actor, "0.01")
    previewed = next(e.seq for e in services.journal.read(session_id) if e.kind == "step_previewed")
    services.close()
    return settings, session_id, previewed


def test_replay_verify_exits_0_when_the_re_run_matches_and_1_when_it_differs(
    tmp_path: Path,
) -> None:
    settings, session_id, previewed = _recorded_session(tmp_path)
    env = {"TRADEASSIST_DATA_DIR": str(tmp_path)}

    ok = _run("replay", session_id, "--verify", env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "chain verified" in ok.stdout
    assert "re-run: 4 checks: 4 ok, 0 with differences, 0 not re-run" in ok.stdout
    assert f"#{previewed:<4} step_previewed   preview p1.1" in ok.stdout
    assert ok.stdout.rstrip().endswith("re-run verified: no differences")

    # The configuration in force changed since: the re-run says what that changes.
    longer = _run(
        "replay", session_id, "--verify", env={**env, "TRADEASSIST_CONFIRMATION_TTL_S": "60"}
    )
    assert longer.returncode == 1
    assert "chain verified" in longer.stdout
    assert "confirmation TTL: 60000 ms now, 30000 ms recorded" in longer.stdout
    assert "        expires_ms: recorded " in longer.stdout

    # A recorded input rewritten with a consistent chain: only the re-run can tell.
    def richer(payload: dict[str, Any]) -> None:
        payload["balances"]["USDT"] = "1000000"

    _rewrite_chain(settings.database_path, session_id, previewed, richer)
    forged = _run("replay", session_id, "--verify", env=env)
    assert forged.returncode == 1
    assert "chain verified" in forged.stdout
    assert "preview.balances_before.USDT: recorded" in forged.stdout
    assert "re-run DIFFERS: 1 checks" in forged.stdout


def test_replay_verify_exits_1_on_a_broken_chain_and_still_re_runs(tmp_path: Path) -> None:
    settings, session_id, previewed = _recorded_session(tmp_path)
    db = sqlite3.connect(settings.database_path)
    db.execute(
        "UPDATE events SET payload = replace(payload, '\"0.01\"', '\"0.02\"') "
        "WHERE session_id = ? AND seq = ?",
        (session_id, previewed),
    )
    db.commit()
    db.close()

    broken = _run("replay", session_id, "--verify", env={"TRADEASSIST_DATA_DIR": str(tmp_path)})

    assert broken.returncode == 1
    assert "chain BROKEN:" in broken.stdout
    assert f"entry {previewed} (step_previewed): content does not match its hash" in broken.stdout
    assert "re-run DIFFERS" in broken.stdout


def _session_with_a_plan(client: TestClient) -> str:
    sid = str(client.post("/api/sessions", headers=CUSTOMER).json()["id"])
    for text in ("buy some bitcoin", "0.01"):
        response = client.post(
            f"/api/sessions/{sid}/messages", json={"text": text}, headers=CUSTOMER
        )
        assert response.status_code == 200, response.text
    return sid


def test_support_reverify_returns_the_re_simulation_diff(client: TestClient) -> None:
    sid = _session_with_a_plan(client)

    response = client.get(f"/api/support/sessions/{sid}/reverify", headers=SUPPORT)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True
    assert body["chain"] == {"ok": True, "events": body["chain"]["events"], "problems": []}
    assert body["rerun"]["counts"] == {"ok": 4, "difference": 0, "not_rerun": 0}
    assert [(c["kind"], c["what"], c["status"]) for c in body["rerun"]["checks"]] == [
        ("intent_parsed", "parse “buy some bitcoin”", "ok"),
        ("intent_parsed", "parse “0.01”", "ok"),
        ("plan_created", "plan p1", "ok"),
        ("step_previewed", "preview p1.1", "ok"),
    ]
    assert body["rerun"]["assumptions"]


def test_reverify_is_for_support_only(client: TestClient) -> None:
    sid = _session_with_a_plan(client)
    url = f"/api/support/sessions/{sid}/reverify"

    assert client.get(url, headers=CUSTOMER).status_code == 403  # even the session's owner
    assert client.get(url).status_code == 401
    assert client.get(
        url, headers={"Authorization": "Bearer demo-product-api-key"}
    ).status_code in (
        401,
        403,
    )
    missing = client.get("/api/support/sessions/nope/reverify", headers=SUPPORT)
    assert missing.status_code == 404


def test_support_page_shows_the_re_simulation(client: TestClient, services: Services) -> None:
    sid = _session_with_a_plan(client)
    _login(client, "demo-support", "demo-support-token")

    page = client.get(f"/support/sessions/{sid}").text
    assert 'id="rerun-status">Parse, plan and preview re-run on the recorded inputs: 4 of 4' in (
        page
    )
    assert 'id="rerun-findings"' not in page
    recorded = services.current_policy().version

    _, published = services.policy_store.publish(PolicyRules(max_slippage_bps=150), by="admin")
    page = client.get(f"/support/sessions/{sid}").text
    assert "<strong>Re-run differs</strong> in 1 of 4 checks (3 match)" in page
    finding = page[page.index('id="finding-') : page.index("</article>")]
    assert "Differs:</span>\n        preview p1.1" in finding
    assert 'in <a href="#turn-2">turn 2</a>' in finding  # the turn "0.01" made the preview in
    assert "<code>policy_version</code>" in finding
    assert (
        f'<td data-label="Re-run now" class="rerun-value"><pre>&#34;{published.version}&#34;'
        in (finding)
    )
    assert f'class="recorded"><pre>&#34;{recorded}&#34;</pre>' in finding  # side by side
    assert f"policy: {published.version} in force" in finding
    # the preview's entry in the transcript links back to its finding
    (seq,) = re.findall(r'id="finding-(\d+)"', page)
    assert f'<a class="flag flag-differs" href="#finding-{seq}">Re-run differs</a>' in page


def test_reverify_and_replay_use_the_policy_in_force_not_the_one_at_start_up(
    client: TestClient, services: Services, settings: Settings
) -> None:
    sid = _session_with_a_plan(client)
    recorded = services.current_policy()
    _, published = services.policy_store.publish(PolicyRules(max_slippage_bps=150), by="admin")

    body = client.get(f"/api/support/sessions/{sid}/reverify", headers=SUPPORT).json()
    replay = _run("replay", sid, "--verify", env={"TRADEASSIST_DATA_DIR": str(settings.data_dir)})

    (preview,) = [c for c in body["rerun"]["checks"] if c["kind"] == "step_previewed"]
    note = f"policy: {published.version} in force, {recorded.version} recorded"
    assert note in preview["notes"]
    assert note in replay.stdout
    assert replay.returncode == 1  # the re-run under the new version differs, and says why
