"""The login and chat pages in the customer's language: ``<html lang>`` and the templates'
words from the switch (``?lang=``, then the ``lang`` cookie), else Accept-Language."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient


def _lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)">', html)
    assert match, "the page names its language"
    return match.group(1)


def _current(html: str) -> list[str]:
    """The switch's link marked as the page's language."""
    return re.findall(r'data-locale="([^"]+)" aria-current="true"', html)


def _sign_in(client: TestClient, user: str = "demo-customer") -> str:
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert csrf
    response = client.post(
        "/login",
        data={"user_id": user, "token": f"{user}-token", "csrf": csrf.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_login_follows_accept_language(client: TestClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "zh-HK,zh;q=0.9,en;q=0.8"}).text
    assert _lang(page) == "zh-Hant"
    assert "<h1>登入</h1>" in page
    assert "存取令牌" in page
    assert _current(page) == ["zh-Hant"]
    assert client.get("/login").cookies.get("lang") is None  # nothing chosen, nothing kept
    assert "Accept-Language" in client.get("/login").headers["vary"]

    page = client.get("/login", headers={"Accept-Language": "zh-CN"}).text
    assert _lang(page) == "zh-Hans"
    assert "<h1>登录</h1>" in page

    page = client.get("/login", headers={"Accept-Language": "fr-FR, de;q=0.5"}).text
    assert _lang(page) == "en"
    assert "<h1>Sign in</h1>" in page


def test_the_switch_link_is_remembered_and_beats_accept_language(client: TestClient) -> None:
    response = client.get("/login?lang=zh-Hans", headers={"Accept-Language": "en"})
    assert _lang(response.text) == "zh-Hans"
    assert re.match(r"lang=zh-Hans;", response.headers["set-cookie"])
    assert "samesite=lax" in response.headers["set-cookie"].lower()

    again = client.get("/login", headers={"Accept-Language": "zh-TW"})  # the cookie decides
    assert _lang(again.text) == "zh-Hans"
    assert _current(again.text) == ["zh-Hans"]


def test_an_unknown_language_is_ignored(client: TestClient) -> None:
    response = client.get("/login?lang=tlh", headers={"Accept-Language": "zh-TW"})
    assert response.status_code == 200
    assert _lang(response.text) == "zh-Hant"
    assert response.cookies.get("lang") is None
    client.cookies.set("lang", "<script>")
    assert _lang(client.get("/login", headers={"Accept-Language": "en"}).text) == "en"


def test_a_failed_sign_in_says_so_in_the_page_language(client: TestClient) -> None:
    client.cookies.set("lang", "zh-Hant")
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert csrf
    response = client.post(
        "/login", data={"user_id": "demo-customer", "token": "nope", "csrf": csrf.group(1)}
    )
    assert response.status_code == 401
    assert _lang(response.text) == "zh-Hant"
    assert "用戶名稱不存在或令牌錯誤。" in response.text


def test_the_chat_page_carries_its_words_in_every_language(client: TestClient) -> None:
    client.cookies.set("lang", "zh-Hant")
    page = client.get(_sign_in(client)).text
    assert _lang(page) == "zh-Hant"
    assert 'data-text="new_conversation">新對話<' in page
    assert 'placeholder="試試「買 0.01 BTC」' in page
    assert 'aria-label="語言"' in page
    embedded = re.search(r'<script type="application/json" id="page-text">(.*?)</script>', page)
    assert embedded
    words = json.loads(embedded.group(1))
    assert sorted(words) == ["en", "zh-Hans", "zh-Hant"]
    assert words["zh-Hans"]["send"] == "发送"
    assert words["en"]["send"] == "Send"
    assert page.index("/static/text.js") < page.index("/static/chat.js")


def test_the_support_console_stays_in_english(client: TestClient) -> None:
    client.cookies.set("lang", "zh-Hant")
    page = client.get(_sign_in(client, "demo-support")).text
    assert _lang(page) == "en"
    assert "language-switch" not in page


def test_a_message_may_name_the_page_language(client: TestClient) -> None:
    _sign_in(client)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/chat").text)
    assert csrf
    headers = {"X-CSRF-Token": csrf.group(1)}
    session = client.post("/api/sessions", headers=headers).json()["id"]
    turn = client.post(
        f"/api/sessions/{session}/messages",
        json={"text": "buy 0.01 BTC", "locale": "zh-Hant"},
        headers=headers,
    )
    assert turn.status_code == 200, turn.text
    wrong = client.post(
        f"/api/sessions/{session}/messages",
        json={"text": "buy 0.01 BTC", "locale": "fr"},
        headers=headers,
    )
    assert wrong.status_code == 422
    assert "locale" in wrong.text
