"""The book side each order's preview walked, as the chat page draws it: in the turn's
answer and in the session view a reload restores from, the same as the journal's book."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from execution.preview.depth import MAX_LEVELS, walked_depth

from .conftest import CUSTOMER


def _turn(client: TestClient, text: str) -> tuple[str, dict[str, Any]]:
    sid = client.post("/api/sessions", headers=CUSTOMER).json()["id"]
    response = client.post(f"/api/sessions/{sid}/messages", json={"text": text}, headers=CUSTOMER)
    assert response.status_code == 200, response.text
    return sid, response.json()


@pytest.mark.parametrize(("text", "side"), [("buy 2 BTC", "asks"), ("sell 0.4 BTC", "bids")])
def test_the_turn_and_the_session_carry_the_walked_side(
    client: TestClient, text: str, side: str
) -> None:
    sid, turn = _turn(client, text)

    (preview,) = turn["preview"]["steps"]
    depth = turn["preview"]["depth"][preview["step_id"]]
    events = client.get(f"/api/sessions/{sid}/events", headers=CUSTOMER).json()["events"]
    (previewed,) = [e["payload"] for e in events if e["kind"] == "step_previewed"]
    book = previewed["book"]
    assert depth == walked_depth(preview["side"], preview["worst_price"], book)
    # the walked side, in the order walked, from the best level, up to the worst price
    assert Decimal(depth[0][0]) == Decimal(str(book[side][0][0]))
    prices = [Decimal(p) for p, _ in depth]
    assert prices == sorted(prices, reverse=side == "bids")
    worst = Decimal(preview["worst_price"])
    assert worst in prices
    assert 1 < len(depth) <= MAX_LEVELS
    # The preview itself is unchanged (its hash binds the confirmation).
    assert "depth" not in preview
    # A reload restores the same picture from the session view.
    view = client.get(f"/api/sessions/{sid}", headers=CUSTOMER).json()
    (step,) = view["steps"]
    assert step["depth"] == depth


def test_a_limit_order_that_rests_walks_nothing(client: TestClient) -> None:
    sid, turn = _turn(client, "buy 0.01 BTC at 50000")

    assert turn["preview"]["depth"] == {}
    (step,) = client.get(f"/api/sessions/{sid}", headers=CUSTOMER).json()["steps"]
    assert step["depth"] is None


def test_a_bracket_draws_the_entry_walk_and_every_step_knows_the_market_mid(
    client: TestClient,
) -> None:
    sid, turn = _turn(client, "buy 0.01 BTC with take profit at 70000 and stop loss at 60000")

    entry, take_profit, stop_loss = turn["preview"]["steps"]
    # The exits wait for their triggers: previewed on the book moved there, so their own
    # mid is the trigger's and no walk of today's book is drawn for them.
    assert list(turn["preview"]["depth"]) == [entry["step_id"]]
    assert Decimal(take_profit["mid_price"]) == 70000
    mids = turn["preview"]["market_mid"]
    assert set(mids) == {entry["step_id"], take_profit["step_id"], stop_loss["step_id"]}
    assert len(set(mids.values())) == 1
    assert Decimal(mids[entry["step_id"]]) == Decimal(entry["mid_price"])
    view = client.get(f"/api/sessions/{sid}", headers=CUSTOMER).json()
    by_id = {s["step_id"]: s for s in view["steps"]}
    assert {k: by_id[k]["market_mid"] for k in mids} == mids
    assert by_id[take_profit["step_id"]]["depth"] is None
    assert by_id[entry["step_id"]]["depth"] == turn["preview"]["depth"][entry["step_id"]]
