"""One customer for support staff: GET /api/support/customers/{id} and its page
/support/customers/{id}, which call one computation (execution/session/customer.py) over
the same folds as the customer's own GET /api/orders."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from execution.clock import ManualClock
from web.auth import Principal
from web.services import Services

from .conftest import CUSTOMER, PRODUCT, SUPPORT
from .test_orders_api import _confirm_all, _orders, _say, _session
from .test_pages import _login

ADMIN = {"Authorization": "Bearer demo-admin-token"}
WEEKLY = "buy 100 USDT of BTC every week for 4 weeks"


def _view(client: TestClient, customer: str = "demo-customer", headers: Any = SUPPORT) -> Any:
    response = client.get(f"/api/support/customers/{customer}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_every_session_order_fill_and_standing_order_of_the_customer(
    client: TestClient, clock: ManualClock
) -> None:
    bought = _session(client)
    (buy,) = _confirm_all(client, bought, _say(client, bought, "buy 0.01 BTC"))
    clock.advance(60_000)
    weekly = _session(client)
    (mandate,) = _confirm_all(client, weekly, _say(client, weekly, WEEKLY))
    clock.advance(60_000)
    asked = _session(client)
    _say(client, asked, "what's the price of BTC?")
    clock.advance(60_000)
    stopped = _session(client)
    (daily,) = _confirm_all(
        client, stopped, _say(client, stopped, "buy 20 USDT of BTC every day for 3 days")
    )
    rejected = client.post(
        f"/api/sessions/{stopped}/steps/{daily['step_id']}/reject", headers=CUSTOMER
    )
    assert rejected.status_code == 200, rejected.text

    view = _view(client)

    assert view["customer_id"] == "demo-customer"
    sessions = {s["session_id"]: s for s in view["sessions"]}
    assert [s["session_id"] for s in view["sessions"]] == [stopped, asked, weekly, bought]
    assert sessions[bought]["outcome"] == "completed"
    assert sessions[asked]["outcome"] == "no_plan"
    assert sessions[asked]["plans"] == 0
    assert sessions[weekly]["outcome"] == "in_progress"  # the mandate is armed
    assert sessions[bought]["opened_ms"] < sessions[weekly]["opened_ms"]
    assert all(s["last_ms"] >= s["opened_ms"] and s["events"] > 1 for s in view["sessions"])

    orders = {o["client_order_id"]: o for o in view["orders"]}
    first = orders[buy["client_order_id"]]
    assert (first["session_id"], first["symbol"], first["side"]) == (bought, "BTC/USDT", "buy")
    assert Decimal(first["amount"]) == Decimal("0.01")
    assert first["state"] == "filled"
    assert Decimal(first["filled"]) == Decimal("0.01")
    assert Decimal(first["average"]) == Decimal(str(buy["venue_order"]["average"]))
    assert first["order_id"] == str(buy["venue_order"]["id"])
    assert first["fee"]["currency"] == "BTC"
    assert Decimal(first["fee"]["cost"]) == Decimal(str(buy["venue_order"]["fee"]["cost"])) > 0
    # each standing order's first order is an order of the customer's too
    assert {o["session_id"] for o in view["orders"]} == {bought, weekly, stopped}

    assert {f["session_id"] for f in view["fills"]} == {bought, weekly, stopped}
    assert len(view["fills"]) == 3
    mandates = {m["session_id"]: m for m in view["mandates"]}
    assert mandates[weekly]["step_id"] == mandate["step_id"]
    assert mandates[weekly]["state"] == mandate["state"] == "armed"
    assert (mandates[weekly]["orders_placed"], mandates[weekly]["orders_total"]) == (1, 4)
    assert "at most 4 orders, one every 1 week" in mandates[weekly]["terms"]
    # ended standing orders stay in the record (the customer's panel shows working ones)
    assert mandates[stopped]["state"] == "rejected"
    assert [m["session_id"] for m in _orders(client)["mandates"]] == [weekly]
    # one computation: the customer's own panel shows the same standing order and fills
    assert _orders(client)["mandates"][0] == mandates[weekly]
    assert {f["step_id"] for f in _orders(client)["fills"]} == {f["step_id"] for f in view["fills"]}


def test_the_terms_are_in_the_language_the_customer_spoke(client: TestClient) -> None:
    weekly = _session(client)
    _confirm_all(client, weekly, _say(client, weekly, "每周买100 USDT的BTC,买4周"))

    (mandate,) = _view(client)["mandates"]

    assert "每 1 周" in mandate["terms"], mandate["terms"]


def test_only_support_and_admin_read_a_customer(client: TestClient) -> None:
    _session(client)

    assert _view(client, headers=ADMIN)["customer_id"] == "demo-customer"
    for role in (CUSTOMER, PRODUCT):
        refused = client.get("/api/support/customers/demo-customer", headers=role)
        assert refused.status_code == 403, refused.text
    assert client.get("/api/support/customers/demo-customer").status_code == 401


def test_an_unknown_customer_is_404_and_a_customer_without_sessions_is_empty(
    client: TestClient, services: Services
) -> None:
    unknown = client.get("/api/support/customers/nobody", headers=SUPPORT)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == (
        "no customer 'nobody': no customer account and no session"
    )
    staff = client.get("/api/support/customers/demo-support", headers=SUPPORT)
    assert staff.status_code == 404  # an account, but not a customer's
    services.principals.put(Principal("bob", "Bob", "customer", frozenset({"trade"})), "bob-t")
    assert _view(client, "bob") == {
        "customer_id": "bob",
        "sessions": [],
        "orders": [],
        "fills": [],
        "mandates": [],
    }


def test_the_customer_page_and_the_link_from_a_session(client: TestClient) -> None:
    sid = _session(client)
    _confirm_all(client, sid, _say(client, sid, "buy 0.01 BTC"))
    _login(client, "demo-support", "demo-support-token")

    session_page = client.get(f"/support/sessions/{sid}").text
    assert 'href="/support/customers/demo-customer"' in session_page
    page = client.get("/support/customers/demo-customer")
    assert page.status_code == 200
    assert "Customer demo-customer" in page.text
    assert f'href="/support/sessions/{sid}"' in page.text
    assert "BTC/USDT" in page.text
    assert "e-0" not in page.text  # fees in plain notation, not as the venue's floats
    # Its records: the filled order's contract note and this month's statement, each opening.
    (note,) = re.findall(r'class="contract-note-link" href="([^"]+)"', page.text)
    assert "Contract note" in client.get(html.unescape(note)).text
    statement = re.search(
        r'href="(/api/statements/demo-customer/\d{4}-\d{2}\?format=html)"', page.text
    )
    assert statement is not None
    assert client.get(html.unescape(statement.group(1))).status_code == 200

    missing = client.get("/support/customers/nobody")
    assert missing.status_code == 404
    assert "text/html" in missing.headers["content-type"]
    assert "no customer &#39;nobody&#39;" in missing.text


def test_the_customer_page_is_for_support_and_admin(client: TestClient) -> None:
    assert (
        client.get("/support/customers/demo-customer", follow_redirects=False).headers["location"]
        == "/login"
    )
    _login(client, "demo-customer", "demo-customer-token")
    assert client.get("/support/customers/demo-customer").status_code == 403
