"""The customer JSON API: chat to fill, with every confirmation checkpoint enforced."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from execution.actors import Actor
from execution.clock import ManualClock
from tests.execution.assistant.support import make_assistant
from tests.support import acknowledge_risk
from web.app import create_app
from web.auth import Principal
from web.services import Services
from web.settings import Settings

from .conftest import CUSTOMER, SUPPORT


def _session(client: TestClient, headers: dict[str, str] = CUSTOMER) -> str:
    response = client.post("/api/sessions", headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _say(
    client: TestClient, session_id: str, text: str, headers: dict[str, str] = CUSTOMER
) -> dict[str, Any]:
    response = client.post(
        f"/api/sessions/{session_id}/messages", json={"text": text}, headers=headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _confirm(
    client: TestClient,
    session_id: str,
    step_id: str,
    token: str,
    headers: dict[str, str] = CUSTOMER,
) -> Any:
    return client.post(
        f"/api/sessions/{session_id}/steps/{step_id}/confirm",
        json={"token": token},
        headers=headers,
    )


def _orders(services: Services, user: str = "demo-customer") -> list[Any]:
    return services.venues(user).fetch_my_trades()


def test_market_buy_by_base_amount_from_message_to_fill(
    client: TestClient, services: Services
) -> None:
    sid = _session(client)
    before = client.get(f"/api/sessions/{sid}", headers=CUSTOMER).json()["balances"]["total"]

    turn = _say(client, sid, "buy 0.01 BTC")

    assert turn["result"] == "intent"
    assert turn["intent"]["action"] == "buy"
    (step,) = turn["plan"]["steps"]
    assert step["requires_confirmation"] is True
    (preview,) = turn["preview"]["steps"]
    for key in (
        "average_price",
        "worst_price",
        "mid_price",
        "slippage_bps",
        "notional",
        "fee",
        "balances_after",
        "warnings",
        "assumptions",
    ):
        assert key in preview
    assert isinstance(preview["average_price"], str)  # decimals travel as strings
    (pending,) = turn["pending"]
    assert pending["step_id"] == step["step_id"]
    assert not _orders(services), "nothing may be sent before confirmation"

    confirmed = _confirm(client, sid, step["step_id"], pending["token"])

    assert confirmed.status_code == 200, confirmed.text
    result = confirmed.json()["step"]
    assert result["state"] == "filled"
    assert result["venue_order"]["filled"] == 0.01
    assert abs(
        Decimal(str(result["venue_order"]["average"])) - Decimal(preview["average_price"])
    ) <= Decimal("0.0001")
    view = client.get(f"/api/sessions/{sid}", headers=CUSTOMER).json()
    after = view["balances"]["total"]
    assert Decimal(after["BTC"]) == Decimal(before["BTC"]) + Decimal("0.01") - Decimal(
        preview["fee"]["cost"]
    )
    assert Decimal(after["USDT"]) == Decimal(before["USDT"]) - Decimal(preview["notional"])
    assert [o["clientOrderId"] for o in view["orders"]] == [result["client_order_id"]]
    events = client.get(f"/api/sessions/{sid}/events", headers=CUSTOMER).json()
    assert events["verification"] == {"ok": True, "problems": []}
    kinds = [e["kind"] for e in events["events"]]
    assert (
        kinds.index("step_confirmed")
        < kinds.index("order_submitted")
        < kinds.index("order_accepted")
    )
    confirmation = next(e for e in events["events"] if e["kind"] == "step_confirmed")
    assert confirmation["payload"]["shown_text"] == pending["summary"]
    assert confirmation["payload"]["channel"] == "api"


def test_buy_by_quote_amount_spends_at_most_that_much(client: TestClient) -> None:
    sid = _session(client)

    turn = _say(client, sid, "buy $500 of ETH")

    (preview,) = turn["preview"]["steps"]
    assert preview["symbol"] == "ETH/USD"
    assert Decimal(preview["notional"]) <= 500
    (pending,) = turn["pending"]
    step = _confirm(client, sid, pending["step_id"], pending["token"]).json()["step"]
    assert step["state"] == "filled"
    assert Decimal(str(step["venue_order"]["cost"])) <= 500


def test_sell_by_quote_amount(client: TestClient) -> None:
    sid = _session(client)

    turn = _say(client, sid, "sell 300 USDT worth of SOL")

    (preview,) = turn["preview"]["steps"]
    assert (preview["symbol"], preview["side"]) == ("SOL/USDT", "sell")
    assert Decimal(preview["notional"]) <= 300


def test_limit_sell_rests_on_the_book(client: TestClient, services: Services) -> None:
    sid = _session(client)

    turn = _say(client, sid, "sell 2 SOL at 180")
    (pending,) = turn["pending"]
    step = _confirm(client, sid, pending["step_id"], pending["token"]).json()["step"]

    assert step["state"] == "open"
    assert step["venue_order"]["price"] == 180
    assert step["venue_order"]["remaining"] == 2
    assert [o["id"] for o in services.venues("demo-customer").fetch_open_orders()] == [
        step["venue_order"]["id"]
    ]


def test_reused_token_is_refused_and_sends_nothing_more(
    client: TestClient, services: Services
) -> None:
    sid = _session(client)
    (pending,) = _say(client, sid, "buy 0.01 BTC")["pending"]
    assert _confirm(client, sid, pending["step_id"], pending["token"]).status_code == 200

    again = _confirm(client, sid, pending["step_id"], pending["token"])

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "token_reused"
    assert "already used" in again.json()["error"]["message"]
    assert len(_orders(services)) == 1


def test_expired_token_is_refused_then_a_fresh_preview_can_be_confirmed(
    client: TestClient, services: Services, clock: ManualClock, settings: Settings
) -> None:
    sid = _session(client)
    (pending,) = _say(client, sid, "buy 0.01 BTC")["pending"]
    clock.advance(settings.confirmation_ttl_s * 1000)

    expired = _confirm(client, sid, pending["step_id"], pending["token"])

    assert expired.status_code == 409
    assert expired.json()["error"]["code"] == "token_expired"
    assert not _orders(services)
    fresh = client.post(
        f"/api/sessions/{sid}/steps/{pending['step_id']}/preview", headers=CUSTOMER
    ).json()["pending"]
    assert fresh["token"] != pending["token"]
    assert (
        _confirm(client, sid, pending["step_id"], pending["token"]).json()["error"]["code"]
        == "token_mismatch"
    )  # the old token is bound to the old preview
    assert _confirm(client, sid, pending["step_id"], fresh["token"]).status_code == 200
    assert len(_orders(services)) == 1


def test_token_of_another_step_is_a_mismatch(client: TestClient, services: Services) -> None:
    sid = _session(client)
    (first,) = _say(client, sid, "buy 0.01 BTC")["pending"]
    (second,) = _say(client, sid, "buy 0.02 BTC")["pending"]

    crossed = _confirm(client, sid, second["step_id"], first["token"])

    assert crossed.status_code == 409
    assert crossed.json()["error"]["code"] == "token_mismatch"
    assert not _orders(services)
    refused = [
        e
        for e in client.get(f"/api/sessions/{sid}/events", headers=CUSTOMER).json()["events"]
        if e["kind"] == "confirmation_refused"
    ]
    assert [e["payload"]["code"] for e in refused] == ["token_mismatch"]


def test_rejected_step_sends_nothing_and_cannot_be_confirmed(
    client: TestClient, services: Services
) -> None:
    sid = _session(client)
    (pending,) = _say(client, sid, "buy 0.01 BTC")["pending"]

    rejected = client.post(
        f"/api/sessions/{sid}/steps/{pending['step_id']}/reject", headers=CUSTOMER
    )

    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["step"]["state"] == "rejected"
    refused = _confirm(client, sid, pending["step_id"], pending["token"])
    # no token was used: the step was said no to (this said "token_reused")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "step_not_confirmable"
    assert "rejected" in refused.json()["error"]["message"]
    assert not _orders(services)
    again = client.post(f"/api/sessions/{sid}/steps/{pending['step_id']}/reject", headers=CUSTOMER)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"


def test_short_balance_is_blocked_with_no_token(client: TestClient) -> None:
    sid = _session(client)

    turn = _say(client, sid, "buy 10 BTC")

    (preview,) = turn["preview"]["steps"]
    assert turn["pending"] == []
    assert {w["code"] for w in preview["warnings"]} >= {"insufficient_balance"}
    step_id = turn["plan"]["steps"][0]["step_id"]
    assert _confirm(client, sid, step_id, "v1.0.forged").status_code == 409


def test_clarification_and_unsupported_make_no_plan(client: TestClient) -> None:
    sid = _session(client)

    assert _say(client, sid, "buy some bitcoin")["plan"] is None
    unsupported = _say(client, sid, "withdraw 1 BTC to my wallet")
    assert unsupported["result"] == "unsupported"
    assert unsupported["plan"] is None


def test_support_reads_but_cannot_confirm_or_chat(client: TestClient, services: Services) -> None:
    sid = _session(client)
    (pending,) = _say(client, sid, "buy 0.01 BTC")["pending"]

    assert _confirm(client, sid, pending["step_id"], pending["token"], SUPPORT).status_code == 403
    assert (
        client.post(
            f"/api/sessions/{sid}/messages", json={"text": "buy 1 BTC"}, headers=SUPPORT
        ).status_code
        == 403
    )
    assert client.post("/api/sessions", headers=SUPPORT).status_code == 403
    assert not _orders(services)
    assert client.get(f"/api/sessions/{sid}", headers=SUPPORT).status_code == 200
    listed = client.get("/api/support/sessions", headers=SUPPORT).json()["sessions"]
    assert [s["id"] for s in listed] == [sid]
    assert client.get("/api/support/sessions", headers=CUSTOMER).status_code == 403


def test_customers_cannot_see_each_other(client: TestClient, services: Services) -> None:
    services.principals.put(Principal("bob", "Bob", "customer", frozenset({"trade"})), "bob-token")
    sid = _session(client)

    bob = {"Authorization": "Bearer bob-token"}
    acknowledge_risk(client, bob)
    assert client.get(f"/api/sessions/{sid}", headers=bob).status_code == 404
    assert (
        client.post(
            f"/api/sessions/{sid}/messages", json={"text": "buy 1 BTC"}, headers=bob
        ).status_code
        == 404
    )


def test_unauthenticated_and_bad_tokens_get_401(client: TestClient) -> None:
    assert client.post("/api/sessions").status_code == 401
    assert client.post("/api/sessions", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_bad_input_is_a_clear_422(client: TestClient) -> None:
    sid = _session(client)

    empty = client.post(f"/api/sessions/{sid}/messages", json={"text": ""}, headers=CUSTOMER)
    extra = client.post(
        f"/api/sessions/{sid}/messages", json={"text": "hi", "admin": True}, headers=CUSTOMER
    )

    assert empty.status_code == 422
    assert extra.status_code == 422
    assert "admin" in extra.text
    assert (
        client.get(f"/api/sessions/{sid}/events", headers=CUSTOMER).json()["events"][-1]["kind"]
        == "session_opened"
    )


def test_tampered_journal_fails_verification(client: TestClient, settings: Settings) -> None:
    sid = _session(client)
    _say(client, sid, "buy 0.01 BTC")
    db = sqlite3.connect(settings.database_path)
    db.execute(
        "UPDATE events SET payload = replace(payload, '0.01', '0.10') "
        "WHERE session_id = ? AND kind = 'message_received'",
        (sid,),
    )
    db.commit()
    db.close()

    verification = client.get(f"/api/sessions/{sid}/events", headers=SUPPORT).json()["verification"]

    assert verification["ok"] is False
    assert any("message_received" in p for p in verification["problems"])


def test_queries_are_answered_from_the_venue(client: TestClient) -> None:
    sid = _session(client)

    price = _say(client, sid, "what's the price of BTC?")
    balance = _say(client, sid, "how much ETH do I have")

    assert price["result"] == "intent"
    assert price["reply"].startswith("BTC/USDT: bid ")
    assert balance["reply"] == "You hold 4 ETH."
    assert _say(client, sid, "show my open orders")["reply"] == (
        "You have no open orders and no standing orders."
    )


def test_what_is_understood_but_cannot_be_planned_sends_nothing(
    client: TestClient, services: Services
) -> None:
    sid = _session(client)

    turn = _say(client, sid, "buy 1000 PEPE")

    assert turn["plan"] is None
    assert turn["intent"]["asset"] == "PEPE"  # read, then refused by the planner
    assert "PEPE is not listed on this exchange" in turn["reply"]
    assert not _orders(services)


def test_a_misspelt_coin_name_is_read_and_said_so(client: TestClient) -> None:
    sid = _session(client)

    turn = _say(client, sid, "buy 0.01 bitcoiin")

    assert turn["intent"]["asset"] == "BTC"
    assert turn["reply"].startswith('I read "bitcoiin" as Bitcoin (BTC).')


def test_a_price_condition_is_previewed_at_its_price_and_armed_not_sent(
    client: TestClient, services: Services
) -> None:
    sid = _session(client)

    turn = _say(client, sid, "buy 0.1 BTC if it drops below 60k")

    (preview,) = turn["preview"]["steps"]
    assert preview["mandate"]["condition"] == {"op": "<=", "price": "60000"}
    assert (preview["mandate"]["band_low"], preview["mandate"]["band_high"]) == ("58200", "61800")
    assert preview["assumptions"]["scenario"] == {"at_price": "60000"}
    assert Decimal(preview["mid_price"]) == Decimal(60_000)
    (pending,) = turn["pending"]
    assert "Mandate: only once the price is at or below 60,000" in pending["summary"]
    step = _confirm(client, sid, pending["step_id"], pending["token"]).json()["step"]
    assert step["state"] == "armed"
    assert not _orders(services)  # BTC is above 60k: the worker waits


def test_clarification_dialogue_ends_in_a_confirmable_plan(
    client: TestClient, services: Services
) -> None:
    sid = _session(client)

    asked = _say(client, sid, "buy some bitcoin")
    answered = _say(client, sid, "0.01")

    assert asked["result"] == "clarification"
    assert "How much BTC" in asked["reply"]
    assert answered["intent"]["amount"] == {"value": 0.01, "unit": "BTC"}
    (pending,) = answered["pending"]
    step = _confirm(client, sid, pending["step_id"], pending["token"]).json()["step"]
    assert step["state"] == "filled"
    parsed = [
        e["payload"]
        for e in client.get(f"/api/sessions/{sid}/events", headers=CUSTOMER).json()["events"]
        if e["kind"] == "intent_parsed"
    ]
    assert parsed[1]["dialogue"]["outcome"] == "answered"
    assert parsed[1]["result"]["kind"] == "clarification"  # the reply alone said too little
    assert parsed[1]["provenance"]["parser"] == "rules"


def test_never_mind_drops_the_question_and_a_later_number_means_nothing(
    client: TestClient, services: Services
) -> None:
    sid = _session(client)
    _say(client, sid, "buy some bitcoin")

    dropped = _say(client, sid, "never mind")
    later = _say(client, sid, "0.1")

    assert dropped["reply"] == "OK, I dropped that request. Nothing was sent."
    assert later["plan"] is None
    assert later["result"] == "clarification"
    assert not _orders(services)


def test_cross_convert_confirms_the_second_order_on_what_the_first_yielded(
    client: TestClient, services: Services
) -> None:
    sid = _session(client)

    turn = _say(client, sid, "convert 1 ETH to SOL")

    first, second = turn["plan"]["steps"]
    assert (first["order"]["symbol"], second["order"]["symbol"]) == ("ETH/USDT", "SOL/USDT")
    assert [p["step_id"] for p in turn["pending"]] == [first["step_id"]]  # step 2 waits
    expected = Decimal(turn["preview"]["steps"][1]["notional"])
    done = _confirm(client, sid, first["step_id"], turn["pending"][0]["token"]).json()
    assert done["step"]["state"] == "filled"
    (moved,) = done["next"]
    assert moved["step"]["step_id"] == second["step_id"]
    assert moved["step"]["state"] == "awaiting_confirmation"
    sold = done["step"]["venue_order"]
    received = Decimal(str(sold["cost"])) - Decimal(str(sold["fee"]["cost"]))
    assert Decimal(moved["step"]["previewed_order"]["quote_amount"]) == received
    assert Decimal(moved["step"]["preview"]["notional"]) <= received
    assert abs(Decimal(moved["step"]["preview"]["notional"]) - expected) < Decimal(1)
    bought = _confirm(client, sid, second["step_id"], moved["pending"]["token"]).json()
    assert bought["step"]["state"] == "filled"
    assert len(_orders(services)) == 2


def test_rejecting_the_first_step_of_a_convert_skips_the_second(
    client: TestClient, services: Services
) -> None:
    sid = _session(client)
    turn = _say(client, sid, "convert 1 ETH to SOL")
    first, second = turn["plan"]["steps"]

    rejected = client.post(
        f"/api/sessions/{sid}/steps/{first['step_id']}/reject", headers=CUSTOMER
    ).json()

    (moved,) = rejected["next"]
    assert moved["step"]["state"] == "skipped"
    assert moved["pending"] is None
    refused = client.post(
        f"/api/sessions/{sid}/steps/{second['step_id']}/preview", headers=CUSTOMER
    )
    assert refused.status_code == 409
    assert not _orders(services)


def test_a_changed_balance_that_leaves_the_order_funded_confirms_it(
    client: TestClient, services: Services
) -> None:
    sid = _session(client)
    pending = _say(client, sid, "buy 0.01 BTC")["pending"][0]
    # The customer's USDT moves between the preview and the confirmation; 0.01 BTC is
    # still covered and its figures are within tolerance: no new confirmation is needed.
    services.venues("demo-customer").create_order("ETH/USDT", "market", "buy", 0.5)

    confirmed = _confirm(client, sid, pending["step_id"], pending["token"])

    assert confirmed.status_code == 200, confirmed.text
    step = confirmed.json()["step"]
    assert step["state"] == "filled"
    assert step["preview_hash"] == pending["preview_hash"]  # what the customer confirmed
    assert (
        step["sent_preview"]["balances_before"]["USDT"]
        != (step["preview"]["balances_before"]["USDT"])
    )  # what the order was sent on
    assert len(_orders(services)) == 2


def test_a_changed_balance_that_leaves_the_order_unfunded_is_a_409_with_the_new_preview(
    client: TestClient, services: Services
) -> None:
    sid = _session(client)
    pending = _say(client, sid, "buy 0.3 BTC")["pending"][0]  # about 19,500 of 25,000 USDT
    services.venues("demo-customer").create_order("ETH/USDT", "market", "buy", 2)

    refused = _confirm(client, sid, pending["step_id"], pending["token"])

    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "requote_required"
    (reason,) = error["details"]["reasons"]
    assert reason.startswith("this needs 19,509.75 USDT but you have")  # as the customer reads it
    assert error["details"]["pending"] is None  # blocked: nothing to confirm
    assert error["details"]["step"]["state"] == "blocked"
    assert error["details"]["step"]["preview_hash"] != pending["preview_hash"]
    assert len(_orders(services)) == 1  # only the ETH order: nothing was sent for the step


def test_a_requote_gives_its_reasons_in_the_language_of_the_conversation(
    client: TestClient, services: Services
) -> None:
    sid = _session(client)
    pending = _say(client, sid, "买 0.3 个比特币")["pending"][0]
    services.venues("demo-customer").create_order("ETH/USDT", "market", "buy", 2)

    refused = _confirm(client, sid, pending["step_id"], pending["token"])

    assert refused.status_code == 409
    error = refused.json()["error"]
    (reason,) = error["details"]["reasons"]
    assert "需要" in reason, reason
    assert "this needs" in error["message"]  # support reads the English
    requoted = [e for e in services.journal.read(sid) if e.kind == "step_previewed"][-1]
    (said,) = requoted.payload["requote"]["said"]
    assert said["code"] == "blocking_warning"


def test_session_shows_each_plans_lifecycle_state(client: TestClient) -> None:
    sid = _session(client)
    pending = _say(client, sid, "buy 0.01 BTC")["pending"][0]
    assert client.get(f"/api/sessions/{sid}", headers=CUSTOMER).json()["plans"][0]["state"] == (
        "proposed"
    )

    _confirm(client, sid, pending["step_id"], pending["token"])

    plans = client.get(f"/api/sessions/{sid}", headers=CUSTOMER).json()["plans"]
    assert [p["state"] for p in plans] == ["completed"]


def test_app_start_up_settles_a_step_a_stopped_process_left_in_flight(
    settings: Settings, services: Services, clock: ManualClock
) -> None:
    class Stopped(BaseException):
        pass

    def stop_after_send(point: str) -> None:
        if point == "sent":
            raise Stopped(point)

    # An earlier process on the same journal and venue stopped after the venue took the
    # order and before it journaled the acceptance.
    customer = Actor("demo-customer", "customer", "chat")
    earlier = make_assistant(services.journal, services.venues, clock, crash_point=stop_after_send)
    sid = earlier.open_session(customer)
    pending = earlier.handle_message(sid, customer, "buy 0.01 BTC").pending[0]
    with pytest.raises(Stopped):
        earlier.confirm_step(sid, pending.step_id, customer, pending.token)
    clock.advance(settings.reconcile_grace_s * 1000 + 1)

    with TestClient(create_app(settings, services=services)) as started:
        body = started.get(f"/api/sessions/{sid}", headers=CUSTOMER).json()

    assert [s["state"] for s in body["steps"]] == ["filled"]
    assert [p["state"] for p in body["plans"]] == ["completed"]
    assert len(_orders(services)) == 1


def test_the_customers_tier_sets_the_caps_of_every_preview(
    client: TestClient, services: Services, clock: ManualClock
) -> None:
    services.principals.set_tier("demo-customer", "basic", by="test", at_ms=clock.now_ms())
    sid = _session(client)

    turn = _say(client, sid, "buy 0.1 BTC")  # about 6,500 USDT; basic allows 5,000 an order

    assert turn["pending"] == []
    messages = [w["message"] for w in turn["preview"]["steps"][0]["warnings"]]
    assert any("NOTIONAL_EXCEEDS_MAX_PER_ORDER" in m and "5000" in m for m in messages), messages


def test_a_correction_replaces_the_plan_it_corrects(client: TestClient, services: Services) -> None:
    sid = _session(client)
    first = _say(client, sid, "buy 0.02 BTC at 60000")
    (old_pending,) = first["pending"]

    corrected = _say(client, sid, "change that to 0.01")

    assert corrected["intent"]["amount"] == {"value": 0.01, "unit": "BTC"}
    assert corrected["intent"]["limit_price"] == 60000  # only the amount changed
    refused = _confirm(client, sid, old_pending["step_id"], old_pending["token"])
    assert refused.status_code == 409, refused.text  # the replaced step cannot be confirmed
    (new_pending,) = corrected["pending"]
    assert _confirm(client, sid, new_pending["step_id"], new_pending["token"]).status_code == 200
    assert not _orders(services)  # a resting limit below the market: nothing filled yet


@pytest.mark.parametrize("withdrawal", ["never mind", "nah actually leave it"])
def test_a_request_withdrawn_after_its_preview_cannot_be_confirmed(
    client: TestClient, services: Services, withdrawal: str
) -> None:
    sid = _session(client)
    (pending,) = _say(client, sid, "buy 0.01 BTC")["pending"]

    dropped = _say(client, sid, withdrawal)

    assert dropped["pending"] == []
    refused = _confirm(client, sid, pending["step_id"], pending["token"])
    assert refused.status_code == 409, refused.text
    assert not _orders(services)


def test_a_reply_names_the_plan_it_presented(client: TestClient) -> None:
    """So the page can put each plan back under its reply after a reload, in any language."""
    sid = _session(client)
    _say(client, sid, "buy 0.01 BTC")
    _say(client, sid, "what is the price of ETH")
    _say(client, sid, "sell 1 SOL")
    session = client.get(f"/api/sessions/{sid}", headers=CUSTOMER).json()
    replies = [line for line in session["transcript"] if line["role"] == "assistant"]
    assert [line["plan_id"] for line in replies] == ["p1", None, "p2"]
    assert [plan["plan_id"] for plan in session["plans"]] == ["p1", "p2"]
