"""One computation, four faces: the chat, the simulation API, `tradeassist simulate` and the
replay of the chat session preview the same steps with the same prices, fees, warnings and
blocking (issue 11: the simulation used to leave out the policy's denials)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from execution.actors import Actor
from execution.preview.pipeline import SIMULATION_EPOCH_MS
from execution.session.replay import parsers_for, rerun
from web.services import Services

from .conftest import CUSTOMER, PRODUCT
from .test_cli import _run

TEXTS = {
    "market": ("buy 0.01 BTC", False),
    "quote amount": ("buy 500 USDT of ETH", False),
    "limit inside the band": ("sell 1 ETH at 3250", False),
    "limit outside the band": ("sell 1 ETH at 1000", True),
    "per-order cap": ("buy 1 BTC", True),
    "insufficient balance": ("sell 50 SOL", True),
    "two-leg convert": ("convert 1 ETH to SOL", False),
    "condition": ("buy 0.01 BTC if it drops below 60000", False),
    "bracket": ("buy 0.01 BTC with take profit at 80000 and stop loss at 50000", False),
}


def _comparable(steps: list[dict[str, Any]]) -> str:
    """The steps as JSON, without the policy verdict the simulation adds beside each (the
    chat journals it apart), without the sentences the chat shows for each warning and note
    (rendered at that edge, in the customer's language) and with the plan's own id ("p1",
    "sim") made one."""
    shown = [
        {
            **{k: v for k, v in step.items() if k not in ("policy", "note_texts")},
            "warnings": [{k: v for k, v in w.items() if k != "text"} for w in step["warnings"]],
        }
        for step in steps
    ]
    return re.sub(r'"(?:p1|sim)\.', '"P.', json.dumps(shown, sort_keys=True))


@pytest.mark.parametrize("name", list(TEXTS))
def test_the_chat_the_api_the_cli_and_the_replay_preview_alike(
    name: str, client: TestClient, services: Services, settings: Any
) -> None:
    text, blocked = TEXTS[name]
    assert services.clock.now_ms() == SIMULATION_EPOCH_MS  # the instant simulations run at
    # the simulations are given the demo customer's balances, as the venue writes them
    free = services.assistant.balances("demo-customer")["free"]
    balances = {ccy: str(value) for ccy, value in free.items()}
    assert free["BTC"] == Decimal("0.5")

    session_id = client.post("/api/sessions", headers=CUSTOMER).json()["id"]
    turn = client.post(
        f"/api/sessions/{session_id}/messages", headers=CUSTOMER, json={"text": text}
    ).json()
    chat = turn["preview"]["steps"]
    assert chat, turn["reply"]
    assert any(w["blocking"] for step in chat for w in step["warnings"]) is blocked, turn

    api = client.post(
        "/v1/simulations", headers=PRODUCT, json={"text": text, "balances": balances}
    ).json()
    assert _comparable(api["preview"]["steps"]) == _comparable(chat)

    done = _run(
        "simulate",
        text,
        *(f"--balance={ccy}={v}" for ccy, v in balances.items()),
        env={"TRADEASSIST_DATA_DIR": str(settings.data_dir)},
    )
    assert done.returncode == 0, done.stderr
    assert _comparable(json.loads(done.stdout)["preview"]["steps"]) == _comparable(chat)

    actor = Actor("demo-support", "support", "api")
    report = rerun(
        session_id,
        services.assistant.events(session_id, actor),
        parsers=parsers_for(services.parser),
        policy=services.current_policy(),
        ttl_ms=settings.confirmation_ttl_s * 1000,
        default_quote=settings.default_quote,
    )
    previews = [c for c in report.checks if c.what.startswith("preview")]
    assert len(previews) == len(chat)
    assert all(c.status == "ok" for c in report.checks), report.to_json()
