"""The tradeassist command, run as a real process."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

from execution.actors import Actor
from execution.clock import ManualClock
from intent.canonical import CANONICAL_KEYS
from web.records.export import export_session
from web.services import build_services
from web.settings import Settings

from ..conftest import CORPORA


def _run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "web.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def test_parse_canonical_writes_one_object_per_line_without_loading_ccxt() -> None:
    probe = (
        "import io, sys\nfrom web.cli import main\n"
        "sys.stdin = io.StringIO('buy 0.5 BTC\\nsell half my ETH\\n')\n"
        "main(['parse', '--canonical'])\n"
        "print('ccxt loaded' if 'ccxt' in sys.modules else 'ccxt not loaded')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )

    lines = done.stdout.splitlines()
    first, second = json.loads(lines[0]), json.loads(lines[1])
    assert first["action"] == "buy"
    assert first["amount"] == {"value": 0.5, "unit": "BTC"}
    assert second["amount"] == {"value": 50, "unit": "%"}
    assert tuple(first) == tuple(CANONICAL_KEYS)
    assert lines[2] == "ccxt not loaded"


def test_parse_in_forked_processes_writes_what_one_process_writes() -> None:
    texts = [json.loads(line)["text"] for line in (CORPORA / "dev.jsonl").open()] * 30
    stdin = "\n".join(texts) + "\n"  # 4,200 lines: three chunks over the workers

    one, many = (
        _run("parse", "--canonical", "--jobs", "1", stdin=stdin),
        _run("parse", "--canonical", "--jobs", "2", stdin=stdin),
    )

    assert one.returncode == many.returncode == 0, many.stderr
    assert len(one.stdout.splitlines()) == len(texts)
    assert many.stdout == one.stdout


def test_eval_intents_scores_corpora_side_by_side() -> None:
    done = _run(
        "eval-intents", str(CORPORA / "dev.jsonl"), str(CORPORA / "blind.jsonl"), "--failures"
    )

    assert done.returncode == 0, done.stderr
    header, size, exact, wrong = done.stdout.splitlines()[:4]
    assert header.split() == ["dev", "blind"]
    assert size.split() == ["utterances", "140", "821"]
    assert exact.split()[0] == "exact"
    assert wrong.split()[:2] == ["wrong", "executable"]
    assert "failures: not shown for a blind corpus" in done.stdout  # never studied


def test_eval_dialogues_runs_the_dialogue_engine() -> None:
    done = _run("eval-dialogues", str(CORPORA / "dialogues_tune.jsonl"))

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].split()[0] == "dialogues"


def test_eval_intents_on_a_missing_file_says_so() -> None:
    done = _run("eval-intents", "/nonexistent.jsonl")
    assert done.returncode == 2
    assert "no such file" in done.stderr


def test_simulate_prints_intent_plan_and_preview(tmp_path: Path) -> None:
    done = _run(
        "simulate",
        "buy 0.01 BTC",
        "--balance",
        "USDT=1000",
        env={"TRADEASSIST_DATA_DIR": str(tmp_path)},
    )

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["plan"]["steps"][0]["order"]["symbol"] == "BTC/USDT"
    assert result["preview"]["steps"][0]["balances_before"]["USDT"] == "1000"
    # the settings in force, as the simulation API has them: its instant by default
    assert result["preview"]["steps"][0]["created_ms"] == 1_767_225_600_000


def test_simulate_blocks_what_the_policy_denies(tmp_path: Path) -> None:
    env = {"TRADEASSIST_DATA_DIR": str(tmp_path)}
    done = _run("simulate", "buy 1 BTC", "--balance", "USDT=100000", env=env)
    assert done.returncode == 0, done.stderr
    (step,) = json.loads(done.stdout)["preview"]["steps"]
    assert "NOTIONAL_EXCEEDS_MAX_PER_ORDER" in [
        w["code"] for w in step["warnings"] if w["blocking"]
    ]


def test_simulate_takes_an_instant_with_its_zone(tmp_path: Path) -> None:
    env = {"TRADEASSIST_DATA_DIR": str(tmp_path)}
    done = _run("simulate", "buy 0.01 BTC", "--as-of", "2026-03-01T00:00:00Z", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["preview"]["steps"][0]["created_ms"] == 1_772_323_200_000
    done = _run("simulate", "buy 0.01 BTC", "--as-of", "2026-03-01", env=env)
    assert done.returncode == 2
    assert "with its zone" in done.stderr


def test_simulate_rejects_a_malformed_balance() -> None:
    done = _run("simulate", "buy 0.01 BTC", "--balance", "USDT")
    assert done.returncode == 2
    assert "CURRENCY=AMOUNT" in done.stderr


def test_replay_verify_passes_then_detects_tampering(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    services = build_services(settings, ManualClock())
    actor = Actor("demo-customer", "customer", "cli")
    session_id = services.assistant.open_session(actor)
    services.assistant.handle_message(session_id, actor, "buy 0.01 BTC")
    services.close()
    env = {"TRADEASSIST_DATA_DIR": str(tmp_path)}

    ok = _run("replay", session_id, "--verify", env=env)
    assert ok.returncode == 0, ok.stderr
    assert "step_previewed" in ok.stdout
    assert "chain verified" in ok.stdout

    db = sqlite3.connect(settings.database_path)
    db.execute("DELETE FROM events WHERE session_id = ? AND seq = 2", (session_id,))
    db.commit()
    db.close()
    broken = _run("replay", session_id, "--verify", env=env)
    assert broken.returncode == 1
    assert "chain BROKEN" in broken.stdout

    assert _run("replay", "no-such-session", env=env).returncode == 2


def test_export_writes_the_bundle_the_api_serves_and_verify_export_checks_it(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    services = build_services(settings, ManualClock())
    actor = Actor("demo-customer", "customer", "cli")
    session_id = services.assistant.open_session(actor)
    turn = services.assistant.handle_message(session_id, actor, "buy 0.01 BTC")
    (pending,) = turn.pending
    services.assistant.confirm_step(session_id, pending.step_id, actor, pending.token)
    in_process = _files(export_session(services, session_id, Actor("cli", "support", "cli")))
    services.close()
    env = {"TRADEASSIST_DATA_DIR": str(settings.data_dir)}
    target = tmp_path / "bundle.zip"

    done = _run("export", session_id, "-o", str(target), env=env)

    assert done.returncode == 0, done.stderr
    assert f"wrote {target}" in done.stdout
    written = _files(target.read_bytes())
    # The same function made both: the same files, only the export time differs.
    for name in ("events.jsonl", "transcript.html", "verification.json"):
        assert written[name] == in_process[name], name
    manifest = json.loads(written["manifest.json"])
    assert manifest["exporter"] == "cli (support, cli)"
    assert manifest["files"] == json.loads(in_process["manifest.json"])["files"]

    checked = _run("verify-export", str(target))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"bundle verified: session {session_id}" in checked.stdout

    data = bytearray(target.read_bytes())
    at = data.index(b"manifest.json")  # a byte of a stored file name: the zip breaks
    data[at] ^= 1
    (tmp_path / "broken.zip").write_bytes(bytes(data))
    broken = _run("verify-export", str(tmp_path / "broken.zip"))
    assert broken.returncode == 1
    assert "does NOT verify" in broken.stdout

    assert _run("export", "no-such-session", env=env).returncode == 2
    assert _run("verify-export", str(tmp_path / "missing.zip")).returncode == 2


def _files(bundle: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(bundle)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def test_serve_refuses_unsafe_production_settings() -> None:
    done = _run("serve", env={"TRADEASSIST_MODE": "production"})

    assert done.returncode == 2
    assert "refusing to start in production" in done.stderr
    assert "Traceback" not in done.stderr
