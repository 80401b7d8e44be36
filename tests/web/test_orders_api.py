"""What the customer has working across their sessions: GET /api/orders, the sessions list,
and the chat's answer to "what orders do I have", which all read one computation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from execution.clock import ManualClock
from web.auth import Principal
from web.services import Services

from .conftest import CUSTOMER, PRODUCT, SUPPORT


def _session(client: TestClient, headers: dict[str, str] = CUSTOMER) -> str:
    response = client.post("/api/sessions", headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _say(client: TestClient, sid: str, text: str) -> dict[str, Any]:
    response = client.post(f"/api/sessions/{sid}/messages", json={"text": text}, headers=CUSTOMER)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _confirm_all(client: TestClient, sid: str, turn: dict[str, Any]) -> list[dict[str, Any]]:
    steps = []
    for pending in turn["pending"]:
        response = client.post(
            f"/api/sessions/{sid}/steps/{pending['step_id']}/confirm",
            json={"token": pending["token"]},
            headers=CUSTOMER,
        )
        assert response.status_code == 200, response.text
        steps.append(response.json()["step"])
    return steps


def _orders(client: TestClient, headers: dict[str, str] = CUSTOMER) -> Any:
    response = client.get("/api/orders", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_orders_mandates_and_fills_across_sessions_and_a_mandate_stopped(
    client: TestClient, services: Services, clock: ManualClock
) -> None:
    assert _orders(client) == {"orders": [], "mandates": [], "fills": []}

    daily = _session(client)
    (mandate,) = _confirm_all(
        client, daily, _say(client, daily, "buy 20 USDT of BTC every day for 3 days")
    )
    assert mandate["state"] == "armed"
    clock.advance(60_000)
    resting = _session(client)
    (limit,) = _confirm_all(client, resting, _say(client, resting, "sell 2 SOL at 180"))
    assert limit["state"] == "open"

    view = _orders(client)
    (standing,) = view["mandates"]
    assert standing["session_id"] == daily
    assert standing["step_id"] == mandate["step_id"]
    assert standing["state"] == "armed"
    assert standing["symbol"] == "BTC/USDT"
    assert "every 1 day" in standing["terms"]
    # Armed, it placed the first order at once; the next is due a day after it.
    assert (standing["orders_placed"], standing["orders_total"]) == (1, 3)
    assert standing["next_run_ms"] is not None
    assert standing["next_run_ms"] - clock.now_ms() > 23 * 3600_000

    (open_order,) = view["orders"]
    assert (open_order["session_id"], open_order["step_id"]) == (resting, limit["step_id"])
    assert (open_order["symbol"], open_order["side"]) == ("SOL/USDT", "sell")
    assert Decimal(open_order["price"]) == 180
    assert Decimal(open_order["amount"]) == 2
    # The mandate's first order filled: a fill, in the mandate's session.
    (fill,) = view["fills"]
    assert fill["session_id"] == daily
    assert fill["symbol"] == "BTC/USDT"
    assert fill["side"] == "buy"
    assert 0 < float(fill["cost"]) <= 20

    # The chat says the same, in words.
    reply = _say(client, resting, "what orders do I have")["reply"]
    assert "Open orders: sell 2" in reply
    assert "Standing orders: " in reply
    assert "1 of 3 orders placed" in reply
    assert "active" in reply

    # Stopped from the panel (its Stop is the step's reject): no longer working.
    stopped = client.post(
        f"/api/sessions/{daily}/steps/{mandate['step_id']}/reject", headers=CUSTOMER
    )
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["step"]["state"] == "rejected"
    after = _orders(client)
    assert after["mandates"] == []
    assert len(after["orders"]) == 1
    assert len(after["fills"]) == 1
    assert "Standing orders" not in _say(client, resting, "what orders do I have")["reply"]


def test_a_customer_sees_only_their_own_and_other_roles_none(
    client: TestClient, services: Services
) -> None:
    sid = _session(client)
    _confirm_all(client, sid, _say(client, sid, "sell 2 SOL at 180"))
    services.principals.put(Principal("bob", "Bob", "customer", frozenset({"trade"})), "bob-token")
    bob = {"Authorization": "Bearer bob-token"}

    assert _orders(client, bob) == {"orders": [], "mandates": [], "fills": []}
    assert client.get("/api/sessions", headers=bob).json() == {"sessions": []}
    for other in (SUPPORT, PRODUCT):
        assert client.get("/api/orders", headers=other).status_code == 403
        assert client.get("/api/sessions", headers=other).status_code == 403
    assert client.get("/api/orders").status_code == 401


def test_the_sessions_list_is_the_customers_newest_activity_first(
    client: TestClient, clock: ManualClock
) -> None:
    first = _session(client)
    clock.advance(1000)
    second = _session(client)
    clock.advance(1000)
    _say(client, first, "what is the price of BTC")  # the first is now the newest activity

    listed = client.get("/api/sessions", headers=CUSTOMER).json()["sessions"]
    assert [s["id"] for s in listed] == [first, second]
    assert listed[0]["events"] > listed[1]["events"] == 1
    assert listed[0]["last_ms"] > listed[1]["last_ms"]


def test_balances_need_no_session(client: TestClient) -> None:
    """The chat page opens a session on the first message: it shows the balances before."""
    balances = client.get("/api/balances", headers=CUSTOMER)
    assert balances.status_code == 200, balances.text
    assert Decimal(balances.json()["total"]["BTC"]) == Decimal("0.5")
    assert set(balances.json()) == {"free", "used", "total"}
    assert client.get("/api/sessions", headers=CUSTOMER).json() == {"sessions": []}
    assert client.get("/api/balances", headers=SUPPORT).status_code == 403
    assert client.get("/api/balances").status_code == 401


def test_the_standing_orders_terms_come_in_the_language_asked_for(client: TestClient) -> None:
    weekly = _session(client)
    _confirm_all(client, weekly, _say(client, weekly, "buy 100 USDT of BTC every week for 4 weeks"))
    english = _orders(client)["mandates"][0]["terms"]
    assert "at most 4 orders, one every 1 week" in english

    for locale, words in (("zh-Hans", "每 1 周"), ("zh-Hant", "每 1 週")):
        response = client.get(f"/api/orders?locale={locale}", headers=CUSTOMER)
        assert response.status_code == 200, response.text
        (standing,) = response.json()["mandates"]
        assert words in standing["terms"], standing["terms"]
        assert "every" not in standing["terms"]
        # the description is the one the step was planned with
        assert standing["description"] == _orders(client)["mandates"][0]["description"]

    refused = client.get("/api/orders?locale=fr", headers=CUSTOMER)
    assert refused.status_code == 422
    assert "locale" in refused.text
