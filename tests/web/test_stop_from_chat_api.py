"""Stopping a standing order from the chat, through the JSON API: the stop step is shown
with a token like any step, one confirmation stops the mandate in its own session, a second
is refused, and support can read and re-verify the session."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from .conftest import CUSTOMER, SUPPORT
from .test_pages import _login


def _session(client: TestClient) -> str:
    response = client.post("/api/sessions", headers=CUSTOMER)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _say(client: TestClient, session_id: str, text: str) -> dict[str, Any]:
    response = client.post(
        f"/api/sessions/{session_id}/messages", json={"text": text}, headers=CUSTOMER
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _confirm(client: TestClient, session_id: str, pending: dict[str, Any]) -> Any:
    return client.post(
        f"/api/sessions/{session_id}/steps/{pending['step_id']}/confirm",
        json={"token": pending["token"]},
        headers=CUSTOMER,
    )


def test_stop_my_weekly_btc_buys_through_the_api(client: TestClient) -> None:
    dca = _session(client)
    (armed,) = _say(client, dca, "buy 100 USDT of BTC every week for 10 weeks")["pending"]
    assert _confirm(client, dca, armed).status_code == 200
    assert len(client.get("/api/orders", headers=CUSTOMER).json()["mandates"]) == 1

    sid = _session(client)
    turn = _say(client, sid, "stop my weekly BTC buys")

    (step,) = turn["plan"]["steps"]
    assert step["kind"] == "stop_mandate"
    assert step["stop"]["session_id"] == dca
    (pending,) = turn["pending"]
    assert pending["summary"] == (
        "Stop: Buy 100 USDT of BTC at market on BTC/USDT, every 1 week, 10 orders — "
        "1 of 10 orders placed; orders already placed stay placed."
    )
    assert turn["preview"]["steps"][0]["kind"] == "stop"

    confirmed = _confirm(client, sid, pending)

    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["step"]["state"] == "done"
    assert client.get("/api/orders", headers=CUSTOMER).json()["mandates"] == []
    mandate = next(
        s
        for s in client.get(f"/api/sessions/{dca}", headers=CUSTOMER).json()["steps"]
        if s["step_id"] == armed["step_id"]
    )
    assert mandate["state"] == "rejected"
    assert mandate["stopped_by"] == {"session_id": sid, "step_id": pending["step_id"]}
    again = _confirm(client, sid, pending)
    assert again.status_code == 409, again.text
    assert again.json()["error"]["code"] == "token_reused"

    verified = client.get(f"/api/support/sessions/{sid}/reverify", headers=SUPPORT)
    assert verified.status_code == 200, verified.text
    assert verified.json()["ok"] is True
    assert client.get(f"/api/support/sessions/{dca}/reverify", headers=SUPPORT).json()["ok"]
    # the support console shows both sessions' new events
    _login(client, "demo-support", "demo-support-token")
    page = client.get(f"/support/sessions/{sid}")
    assert page.status_code == 200
    assert "mandate_stopped" in page.text
    assert "Stop: Buy 100 USDT of BTC" in page.text
    assert client.get(f"/support/sessions/{dca}").status_code == 200


def test_a_stop_with_nothing_to_stop_is_a_plain_reply(client: TestClient) -> None:
    turn = _say(client, _session(client), "取消定投")

    assert turn["reply"] == "您没有这样的自动执行指令。"  # asked in Chinese, answered in it
    assert turn["plan"] is None
    assert turn["pending"] == []
