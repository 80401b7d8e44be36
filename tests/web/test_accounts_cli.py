"""``tradeassist users`` and ``tradeassist keys``, run as real processes on the data directory
of an app that serves meanwhile: what they change holds in the app on its next request."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from fastapi.testclient import TestClient

from web.api_keys import KEY_PREFIX
from web.services import Services
from web.settings import Settings

ADMIN = {"Authorization": "Bearer demo-admin-token"}
SIMULATION = {"text": "buy $500 of ETH", "balances": {"USD": "10000"}}


def _run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "web.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "TRADEASSIST_DATA_DIR": str(settings.data_dir)},
        timeout=60,
        check=False,
    )


def _shown_once(done: subprocess.CompletedProcess[str]) -> str:
    """The secret a command prints on its last line, after saying it is shown only now."""
    assert done.returncode == 0, done.stderr
    assert "shown only now" in done.stdout
    return done.stdout.strip().splitlines()[-1]


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _login(client: TestClient, user: str, token: str) -> None:
    form = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert form
    signed_in = client.post(
        "/login",
        data={"user_id": user, "token": token, "csrf": form.group(1)},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303, signed_in.text


def test_users_add_list_rotate_disable(
    client: TestClient, settings: Settings, services: Services
) -> None:
    started = int(time.time() * 1000)
    token = _shown_once(
        _run(settings, "users", "add", "alice", "--role", "customer", "--by", "ops")
    )
    assert client.get("/api/sessions", headers=_bearer(token)).status_code == 200

    listed = _run(settings, "users", "list")
    assert listed.returncode == 0, listed.stderr
    alice = next(line for line in listed.stdout.splitlines() if line.startswith("alice\t"))
    assert alice.split("\t")[:5] == ["alice", "customer", "trade", "verified", "enabled"]
    assert token not in listed.stdout

    _login(client, "alice", token)
    rotated = _run(settings, "users", "rotate", "alice", "--by", "ops")
    new_token = _shown_once(rotated)
    assert "its sessions ended" in rotated.stdout
    assert client.get("/api/sessions").status_code == 401  # the signed-in cookie ended
    client.cookies.clear()
    assert client.get("/api/sessions", headers=_bearer(token)).status_code == 401
    assert client.get("/api/sessions", headers=_bearer(new_token)).status_code == 200

    _login(client, "alice", new_token)
    disabled = _run(settings, "users", "disable", "alice", "--by", "ops")
    assert disabled.returncode == 0, disabled.stderr
    assert disabled.stdout == "disabled alice; 1 browser session(s) ended\n"
    assert client.get("/api/sessions").status_code == 401
    client.cookies.clear()
    assert client.get("/api/sessions", headers=_bearer(new_token)).status_code == 401
    assert "\tdisabled " in _run(settings, "users", "list").stdout

    audited = [
        (e.action, e.subject, e.who)
        for e in services.policy_store.audit()
        if e.subject == "alice" and e.at_ms >= started
    ]
    assert audited == [
        ("user_added", "alice", "ops"),
        ("token_rotated", "alice", "ops"),
        ("user_disabled", "alice", "ops"),
    ]


def test_users_refusals_name_what_is_wrong(settings: Settings, client: TestClient) -> None:
    taken = _run(settings, "users", "add", "demo-customer", "--role", "customer")
    assert taken.returncode == 2
    assert "'demo-customer' is already an account" in taken.stderr
    scope = _run(settings, "users", "add", "bob", "--role", "customer", "--scope", "settings")
    assert scope.returncode == 2
    assert "role 'customer' cannot hold the scope(s) settings" in scope.stderr
    tier = _run(settings, "users", "add", "bob", "--role", "customer", "--tier", "gold")
    assert tier.returncode == 2
    assert "no tier 'gold'" in tier.stderr
    spaced = _run(settings, "users", "add", "bob smith", "--role", "customer")
    assert spaced.returncode == 2
    assert "got 'bob smith'" in spaced.stderr
    unknown = _run(settings, "users", "disable", "nobody")
    assert unknown.returncode == 2
    assert "no account 'nobody'" in unknown.stderr


def test_keys_create_list_revoke(
    client: TestClient, settings: Settings, services: Services
) -> None:
    created = _run(settings, "keys", "create", "nightly run", "--expires-in-days", "7")
    key = _shown_once(created)
    assert key.startswith(KEY_PREFIX)
    key_id = created.stdout.split()[1]
    assert client.post("/v1/simulations", json=SIMULATION, headers=_bearer(key)).status_code == 200
    # The same key, as the admin API lists it.
    listed_by_api = client.get("/v1/admin/api-keys", headers=ADMIN).json()["keys"]
    assert [(k["id"], k["name"]) for k in listed_by_api] == [(key_id, "nightly run")]

    listed = _run(settings, "keys", "list")
    assert listed.returncode == 0, listed.stderr
    assert key_id in listed.stdout
    assert key[: len(KEY_PREFIX) + 4] + "…" in listed.stdout
    assert key not in listed.stdout
    assert "\tactive" in listed.stdout

    revoked = _run(settings, "keys", "revoke", key_id, "--by", "ops")
    assert revoked.returncode == 0, revoked.stderr
    assert client.post("/v1/simulations", json=SIMULATION, headers=_bearer(key)).status_code == 401
    assert "revoked " in _run(settings, "keys", "list").stdout
    again = _run(settings, "keys", "revoke", key_id)
    assert again.returncode == 2
    assert "was revoked already" in again.stderr

    audited = [(e.action, e.who) for e in services.policy_store.audit() if e.subject == key_id]
    assert audited[1] == ("api_key_revoked", "ops")
    assert audited[0][0] == "api_key_created"
    assert audited[0][1].startswith("cli")  # without --by: the operator's login name


def test_keys_create_refuses_a_scope_keys_may_not_hold_and_a_long_life(
    settings: Settings,
) -> None:
    refused = _run(settings, "keys", "create", "trader", "--scope", "trade")
    assert refused.returncode == 2
    assert "cannot hold the scope 'trade'" in refused.stderr
    forever = _run(settings, "keys", "create", "forever", "--expires-in-days", "3650")
    assert forever.returncode == 2
    assert "expires_in_days must be 1 to 730, got 3650" in forever.stderr
