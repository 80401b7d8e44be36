"""The server-rendered pages' own words (headings, labels, buttons) in each locale, and
which locale a page is shown in.

The chat page's script keeps its sentences in ``web/static/text.js``; what the templates
print (and the script re-labels when the language changes) is here, one field per string.
"""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict

from execution.i18n.catalogue import render
from execution.i18n.locales import Locale, negotiate, parse_locale

__all__ = [
    "LANGUAGE_MARKS",
    "LANGUAGE_NAMES",
    "LANG_COOKIE",
    "PAGE_TEXT",
    "PageText",
    "page_locale",
    "retry_wait",
]

#: The cookie the language switch sets (readable by the page's script, which writes it too).
LANG_COOKIE: Final = "lang"

#: Each language named in itself, as the switch shows it: a short mark and its full name.
LANGUAGE_MARKS: Final[dict[Locale, str]] = {"en": "EN", "zh-Hans": "简", "zh-Hant": "繁"}
LANGUAGE_NAMES: Final[dict[Locale, str]] = {
    "en": "English",
    "zh-Hans": "简体中文",
    "zh-Hant": "繁體中文",
}


class PageText(BaseModel):
    """What the login and chat templates print, in one language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    language: str  # the switch's accessible name
    sandbox: str
    sign_out: str
    roles: dict[str, str]
    # The sign-in page.
    sign_in_title: str
    sign_in: str
    user: str
    access_label: str
    login_failed: str
    # Past the sign-in limits (429); ``{wait}`` is :func:`retry_wait`'s "6 seconds".
    login_rate_limited: str
    # Signing in with the identity provider; ``{provider}`` is its name (a setting).
    sign_in_with: str
    provider_sign_in_failed: str
    provider_unavailable: str
    signed_in_continue: str
    # The chat page.
    chat_title: str
    chat_heading: str
    new_conversation: str
    balances_toggle: str
    balances: str
    orders_and_plans: str
    conversations_nav: str
    your_conversations: str
    conversation_region: str
    message_label: str
    message_placeholder: str
    send: str


PAGE_TEXT: Final[dict[Locale, PageText]] = {
    "en": PageText(
        language="Language",
        sandbox="sandbox",
        sign_out="Sign out",
        roles={
            "customer": "customer",
            "support": "support",
            "product": "product",
            "admin": "admin",
        },
        sign_in_title="Sign in · tradeassist",
        sign_in="Sign in",
        user="User",
        access_label="Access token",
        login_failed="Unknown user or wrong token.",
        login_rate_limited="Too many sign-in attempts. Please try again in {wait}.",
        sign_in_with="Sign in with {provider}",
        provider_sign_in_failed="Signing in with {provider} did not work. Please try again.",
        provider_unavailable="{provider} is not answering. Please try again in a moment.",
        signed_in_continue="Signed in: continue",
        chat_title="Chat · tradeassist",
        chat_heading="Trading assistant chat",
        new_conversation="New conversation",
        balances_toggle="Balances & orders",
        balances="Balances",
        orders_and_plans="Orders & plans",
        conversations_nav="Conversations",
        your_conversations="Your conversations",
        conversation_region="Conversation",
        message_label="Message to the assistant",
        message_placeholder='Try "buy 0.01 BTC", "buy $500 of ETH" or "sell 2 SOL at 180"',
        send="Send",
    ),
    "zh-Hans": PageText(
        language="语言",
        sandbox="模拟环境",
        sign_out="退出登录",
        roles={"customer": "客户", "support": "客服", "product": "产品", "admin": "管理员"},
        sign_in_title="登录 · tradeassist",
        sign_in="登录",
        user="用户名",
        access_label="访问令牌",
        login_failed="用户名不存在或令牌错误。",
        login_rate_limited="登录尝试次数过多，请在 {wait}后重试。",
        sign_in_with="使用 {provider} 登录",
        provider_sign_in_failed="使用 {provider} 登录未成功，请重试。",
        provider_unavailable="{provider} 暂时没有响应，请稍后再试。",
        signed_in_continue="已登录，继续",
        chat_title="对话 · tradeassist",
        chat_heading="交易助手对话",
        new_conversation="新对话",
        balances_toggle="余额与订单",
        balances="余额",
        orders_and_plans="订单与计划",
        conversations_nav="对话记录",
        your_conversations="您的对话",
        conversation_region="对话",
        message_label="发给助手的消息",
        message_placeholder="试试“买 0.01 BTC”、“用 500 USDT 买 ETH”或“180 卖 2 个 SOL”",
        send="发送",
    ),
    "zh-Hant": PageText(
        language="語言",
        sandbox="模擬環境",
        sign_out="登出",
        roles={"customer": "客戶", "support": "客服", "product": "產品", "admin": "管理員"},
        sign_in_title="登入 · tradeassist",
        sign_in="登入",
        user="用戶名稱",
        access_label="存取令牌",
        login_failed="用戶名稱不存在或令牌錯誤。",
        login_rate_limited="登入嘗試次數過多，請在 {wait}後重試。",
        sign_in_with="使用 {provider} 登入",
        provider_sign_in_failed="使用 {provider} 登入未成功，請重試。",
        provider_unavailable="{provider} 暫時沒有回應，請稍後再試。",
        signed_in_continue="已登入，繼續",
        chat_title="對話 · tradeassist",
        chat_heading="交易助手對話",
        new_conversation="新對話",
        balances_toggle="結餘及訂單",
        balances="結餘",
        orders_and_plans="訂單及計劃",
        conversations_nav="對話記錄",
        your_conversations="您的對話",
        conversation_region="對話",
        message_label="給助手的訊息",
        message_placeholder="試試「買 0.01 BTC」、「用 500 USDT 買 ETH」或「180 賣 2 個 SOL」",
        send="發送",
    ),
}


def page_locale(
    asked: str | None, cookie: str | None, accept_language: str | None
) -> tuple[Locale, bool]:
    """The locale a page is shown in, and whether the cookie should be (re)set to it: the
    one asked for in the address (``?lang=``, the switch without script), else the cookie
    the switch set, else the browser's Accept-Language. Unknown values are ignored."""
    chosen = parse_locale(asked)
    if chosen is not None:
        return chosen, chosen != parse_locale(cookie)
    return parse_locale(cookie) or negotiate(accept_language), False


def retry_wait(seconds: int, locale: Locale) -> str:
    """How long to wait before trying again (a ``Retry-After``), as the customer reads it:
    whole seconds under a minute ("6 seconds", "6 秒"), else whole minutes, rounded up so
    that a try after the wait said is admitted ("2 minutes", "2 分钟")."""
    if seconds < 60:
        return render("unit.second" if seconds == 1 else "unit.seconds", locale, {"n": seconds})
    minutes = -(-seconds // 60)
    return render("unit.minute" if minutes == 1 else "unit.minutes", locale, {"n": minutes})
