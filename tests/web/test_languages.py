"""The assistant speaks the customer's language: English, 简体中文 or 繁體中文, chosen by the
message itself (else the page's), in every reply, question, refusal, warning and the line
next to Confirm; the journal keeps the locale and the exact text shown."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from execution.actors import Actor
from execution.i18n.plans import note_text
from execution.session.replay import parsers_for, rerun
from web.services import Services

from .conftest import CUSTOMER


def _session(client: TestClient) -> str:
    response = client.post("/api/sessions", headers=CUSTOMER)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _say(client: TestClient, sid: str, text: str, **extra: Any) -> dict[str, Any]:
    response = client.post(
        f"/api/sessions/{sid}/messages", json={"text": text, **extra}, headers=CUSTOMER
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _journal(services: Services, sid: str) -> list[Any]:
    return services.assistant.events(sid, Actor("demo-support", "support", "api"))


@pytest.mark.parametrize(
    ("text", "locale", "reply", "summary"),
    [
        (
            "buy 0.01 BTC",
            "en",
            "Here is the plan (1 step). Nothing is sent until you confirm each step.",
            "Buy 0.01 BTC at market on BTC/USDT: you pay ≈ 650.33 USDT and get ≈ 0.00999 BTC.",
        ),
        (
            "买 0.01 个比特币",
            "zh-Hans",
            "这是执行计划（1 步）。每一步都要您确认后才会发送。",
            "买入 0.01 BTC，市价（BTC/USDT）：您支付约 650.33 USDT，获得约 0.00999 BTC。",
        ),
        (
            "幫我買 0.01 個比特幣",
            "zh-Hant",
            "這是執行計劃（1 步）。每一步都要您確認後才會發送。",
            "買入 0.01 BTC，市價（BTC/USDT）：您支付約 650.33 USDT，獲得約 0.00999 BTC。",
        ),
    ],
)
def test_a_full_order_in_each_language_journals_the_locale_and_the_text_shown(
    client: TestClient, services: Services, text: str, locale: str, reply: str, summary: str
) -> None:
    sid = _session(client)
    turn = _say(client, sid, text)
    assert (turn["locale"], turn["reply"]) == (locale, reply)
    (pending,) = turn["pending"]
    assert pending["summary"] == summary
    assert turn["plan"]["steps"][0]["description"] == summary.split("：")[0].split(":")[0]

    confirmed = client.post(
        f"/api/sessions/{sid}/steps/{pending['step_id']}/confirm",
        json={"token": pending["token"]},
        headers=CUSTOMER,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["step"]["state"] == "filled"

    journal = {e.kind: e.payload for e in _journal(services, sid)}
    assert journal["message_received"]["locale"] == locale
    assert (journal["reply_sent"]["locale"], journal["reply_sent"]["text"]) == (locale, reply)
    shown = journal["step_confirmed"]
    assert shown["shown_text"] == summary
    assert shown.get("locale", "en") == locale


def test_figures_alone_keep_the_conversations_language_and_the_page_decides_first(
    client: TestClient, services: Services
) -> None:
    sid = _session(client)
    asked = _say(client, sid, "我想買比特幣")
    assert asked["locale"] == "zh-Hant"
    assert asked["result"] == "clarification"
    assert asked["reply"] == "您想買入多少 BTC？"
    answered = _say(client, sid, "0.01")  # figures only: still 繁體
    assert answered["locale"] == "zh-Hant"
    assert answered["pending"][0]["summary"].startswith("買入 0.01 BTC")

    other = _session(client)
    first = _say(client, other, "0.01", locale="zh-Hans")  # nothing to tell: the page's
    assert first["locale"] == "zh-Hans"
    switched = _say(client, other, "buy 0.01 btc", locale="zh-Hans")  # the message's own
    assert switched["locale"] == "en"


def test_a_bad_locale_is_refused_by_name_and_nothing_is_journaled(
    client: TestClient, services: Services
) -> None:
    sid = _session(client)
    response = client.post(
        f"/api/sessions/{sid}/messages",
        json={"text": "buy 0.01 btc", "locale": "klingon"},
        headers=CUSTOMER,
    )
    assert response.status_code == 422
    assert "locale" in response.text
    assert [e.kind for e in _journal(services, sid)] == ["session_opened"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # what the cap is and what it allows, never the policy's code
        ("buy 5 BTC", "orders are capped at 50,000.00 USDT; that is at most 0.767442 BTC now"),
        ("买 5 个比特币", "单笔订单上限为 50,000.00 USDT，按现价最多 0.767442 BTC"),
        ("買 5 個比特幣", "單筆訂單上限為 50,000.00 USDT，按現價最多 0.767442 BTC"),
        (
            "buy 5 BTC",
            "this needs 325,757.14 USDT but you have 25,000.00 USDT: 300,757.14 USDT short",
        ),
    ],
)
def test_a_refusal_says_what_the_limit_is_and_what_it_allows(
    client: TestClient, text: str, expected: str
) -> None:
    sid = _session(client)
    turn = _say(client, sid, text)
    (preview,) = turn["preview"]["steps"]
    shown = [w["text"] for w in preview["warnings"]]
    assert expected in shown, shown
    assert not any("NOTIONAL_EXCEEDS" in line or "=" in line for line in shown)
    # support still sees the code and the raw figures
    assert any(w["code"] == "NOTIONAL_EXCEEDS_MAX_PER_ORDER" for w in preview["warnings"])
    assert turn["pending"] == []


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("sell all my DOGE", "I understood the request, but you hold no DOGE."),
        ("卖掉所有的狗狗币", "我明白您的请求，但您没有持有 DOGE。"),
        ("賣晒所有狗狗幣", "我明白您的請求，但您沒有持有 DOGE。"),
    ],
)
def test_selling_what_one_does_not_hold_says_so(client: TestClient, text: str, reply: str) -> None:
    sid = _session(client)
    assert _say(client, sid, text)["reply"] == reply


@pytest.mark.parametrize(
    ("text", "locale", "reply"),
    [
        ("我想提币", "zh-Hans", "我无法把资金转出交易所。"),
        ("我想提幣", "zh-Hant", "我無法把資金轉出交易所。"),
        (
            "BTC 现在什么价",
            "zh-Hans",
            "BTC/USDT：买价 64,967.50，卖价 65,032.50，最新价 65,000.00。",
        ),
        ("我有什麼訂單", "zh-Hant", "您沒有掛單，也沒有自動執行的指令。"),
    ],
)
def test_refusals_and_answers_are_in_the_messages_language(
    client: TestClient, text: str, locale: str, reply: str
) -> None:
    sid = _session(client)
    turn = _say(client, sid, text)
    assert turn["locale"] == locale
    assert turn["reply"].startswith(reply), turn["reply"]


@pytest.mark.parametrize(
    "messages",
    [
        ("用 0.01 個比特幣換以太幣",),  # a convert with its notes
        ("买 0.01 BTC 止盈 70000 止损 55000",),  # a bracket: titles and terms
        ("每周买 100 USDT 的 BTC，买 4 次",),  # a schedule
        ("我想買比特幣", "0.01"),  # a question answered with figures only
    ],
)
def test_a_session_in_chinese_replays_without_a_difference(
    client: TestClient, services: Services, settings: Any, messages: tuple[str, ...]
) -> None:
    sid = _session(client)
    for text in messages:
        turn = _say(client, sid, text)
    assert turn["locale"] in ("zh-Hans", "zh-Hant")
    assert turn["plan"] is not None, turn["reply"]
    assert all(
        not c.isascii() or c.isspace() or c.isdigit() or c in ",.%/()"
        for n in turn["plan"]["notes"]
        for c in n.replace("BTC", "").replace("ETH", "").replace("USDT", "")
    ), turn["plan"]["notes"]

    report = rerun(
        sid,
        _journal(services, sid),
        parsers=parsers_for(services.parser),
        policy=services.current_policy(),
        ttl_ms=settings.confirmation_ttl_s * 1000,
        default_quote=settings.default_quote,
    )
    assert report.ok, report.to_json()
    assert any(c.what.startswith("plan") and c.status == "ok" for c in report.checks)


def test_notes_are_said_in_each_language_with_figures_formatted_once() -> None:
    note = "0.01 BTC ≈ 0.203020951762 ETH at the current book"
    assert note_text(note, "en") == "0.01 BTC ≈ 0.20302095 ETH at the current order book"
    assert note_text(note, "zh-Hans") == "按当前订单簿，0.01 BTC ≈ 0.20302095 ETH"
    assert note_text("1000 in 4 orders of 250", "zh-Hant") == "共 1,000，分 4 筆，每筆 250"
    assert note_text("something new the planner says", "zh-Hant") == (
        "something new the planner says"  # not listed yet: as written, never nothing
    )


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        (
            "buy 0.01 BTC with take profit at 70000 and stop loss at 55000",
            "Here is the plan: Buy 0.01 BTC at market on BTC/USDT, then sell what it buys at "
            "70,000 or above (take-profit) or at 55,000 or below (stop-loss), whichever comes "
            "first (the other is then cancelled). Nothing is sent until you confirm each step.",
        ),
        (
            "買 0.01 BTC 止賺 70000 止蝕 55000",
            "執行計劃：買入 0.01 BTC，市價（BTC/USDT），之後在價格升至 70,000 或以上"
            "（止賺）或價格跌至 55,000 或以下（止蝕）時賣出所得，以先觸發者為準"
            "（另一方隨即取消）。每一步都要您確認後才會發送。",
        ),
    ],
)
def test_a_bracket_is_said_in_one_sentence_before_its_legs(
    client: TestClient, text: str, reply: str
) -> None:
    turn = _say(client, _session(client), text)
    assert turn["reply"] == reply
    assert len(turn["plan"]["steps"]) == 3
    assert not any("p1." in s["description"] for s in turn["plan"]["steps"])  # no ids shown
