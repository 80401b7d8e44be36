"""The LLM parser against a real local HTTP server replaying recorded OpenAI responses.

Each test scripts the server's answers, lets the real ``openai`` client talk to it, and
checks both the parse result and what was actually sent over the wire.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from intent.llm import (
    INVALID_QUESTION,
    OUTPUT_SCHEMA,
    PROMPT_VERSION,
    TOOL_NAME,
    LLMMode,
    LLMOutput,
    LLMParser,
    LLMSettings,
    load_prompt,
    to_result,
)
from intent.models import Clarification, Intent, Unsupported
from intent.parser import parse_traced
from tests.intent.llm_replay import (
    CONTENT_FILTERED,
    RATE_LIMITED,
    SERVER_ERROR,
    ReplayServer,
    Reply,
    answer,
    completion,
    llama_cpp_completion,
    serving,
    tool_call,
)

BUY_HALF_BTC = answer(
    action="buy",
    asset="BTC",
    amount={"value": 0.5, "unit": "BTC"},
    order_type="market",
)


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    with serving() as server:
        yield server


def make(server: ReplayServer, mode: LLMMode = "json_schema", timeout_s: float = 5.0) -> LLMParser:
    return LLMParser(
        LLMSettings(
            base_url=server.base_url,
            model="gpt-4o-mini",
            api_key="sk-test-key",
            timeout_s=timeout_s,
            mode=mode,
        )
    )


def chat_bodies(server: ReplayServer) -> list[dict[str, Any]]:
    assert all(r.path == "/v1/chat/completions" for r in server.requests)
    return [r.body for r in server.requests]


# --- good answers in each structured-output mode ------------------------------------------


def test_json_schema_answer_and_the_exact_request(replay: ReplayServer) -> None:
    replay.queue(Reply(completion(BUY_HALF_BTC)))
    parser = make(replay)

    result, provenance = parse_traced(parser, "buy 0.5 BTC")

    assert result == Intent(
        action="buy", asset="BTC", amount={"value": Decimal("0.5"), "unit": "BTC"}
    ).model_copy(update={"order_type": "market"})
    prompt = load_prompt()
    assert provenance.parser == "llm"
    assert provenance.model == "gpt-4o-mini"
    assert provenance.prompt_version == f"intent-v1+sha256.{prompt.sha256[:12]}"
    assert provenance.attempts == 1
    assert provenance.note is None
    # The whole request body: the system prompt and the utterance, and nothing else.
    (body,) = chat_bodies(replay)
    assert body == {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": prompt.text},
            {"role": "user", "content": "buy 0.5 BTC"},
        ],
        "temperature": 0.0,
        "max_tokens": 400,
        "seed": 0,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "intent", "strict": True, "schema": OUTPUT_SCHEMA},
        },
    }
    headers = {k.lower(): v for k, v in replay.requests[0].headers.items()}
    assert headers["authorization"] == "Bearer sk-test-key"
    assert "cookie" not in headers


def test_tool_call_answer(replay: ReplayServer) -> None:
    replay.queue(Reply(tool_call(BUY_HALF_BTC)))

    result = make(replay, mode="tools").parse("buy 0.5 BTC")

    assert isinstance(result, Intent)
    assert (result.action, result.asset, result.amount) == (
        "buy",
        "BTC",
        result.amount and result.amount.model_copy(update={"value": Decimal("0.5")}),
    )
    (body,) = chat_bodies(replay)
    assert "response_format" not in body
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": TOOL_NAME,
                "description": "Record what the customer's message asks for.",
                "parameters": OUTPUT_SCHEMA,
            },
        }
    ]
    assert body["tool_choice"] == {"type": "function", "function": {"name": TOOL_NAME}}


def test_json_object_answer_in_llama_cpp_shape(replay: ReplayServer) -> None:
    content = answer(
        action="sell",
        asset="eth",  # lower case and names are mapped to codes
        amount={"value": "50", "unit": "%"},
        order_type="market",
        trigger={"op": "<=", "price": "2,800"},  # numbers may come as strings
    )
    replay.queue(Reply(llama_cpp_completion(content)))

    result = make(replay, mode="json_object").parse("sell half my ETH if it drops below 2,800")

    assert isinstance(result, Intent)
    assert result.action == "sell"
    assert result.asset == "ETH"
    assert result.amount is not None
    assert result.amount.value == 50
    assert result.amount.is_share
    assert result.trigger is not None
    assert result.trigger.price == Decimal(2800)
    (body,) = chat_bodies(replay)
    assert body["response_format"] == {"type": "json_object", "schema": OUTPUT_SCHEMA}


def test_missing_amount_is_a_clarification_not_a_guess(replay: ReplayServer) -> None:
    replay.queue(Reply(completion(answer(action="buy", asset="bitcoin", order_type="market"))))

    result, provenance = parse_traced(make(replay), "buy some bitcoin")

    assert isinstance(result, Clarification)
    assert result.missing == ("amount",)
    assert (result.side, result.asset, result.amount) == ("buy", "BTC", None)
    assert provenance.attempts == 1  # a valid answer that lacks something: no retry


# --- invalid output: one retry with the error, then a clarification -------------------------


def test_invalid_json_then_valid_on_retry(replay: ReplayServer) -> None:
    replay.queue(
        Reply(completion("Sure! You want to buy 0.5 BTC.")),
        Reply(completion(BUY_HALF_BTC)),
    )

    result, provenance = parse_traced(make(replay), "buy 0.5 BTC")

    assert isinstance(result, Intent)
    assert result.asset == "BTC"
    assert provenance.attempts == 2
    assert provenance.note is not None
    assert "not JSON" in provenance.note
    first, second = chat_bodies(replay)
    assert second["messages"][:2] == first["messages"]
    assert second["messages"][2] == {
        "role": "assistant",
        "content": "Sure! You want to buy 0.5 BTC.",
    }
    feedback = second["messages"][3]
    assert feedback["role"] == "user"
    assert "not JSON" in feedback["content"]
    assert len(second["messages"]) == 4


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("not json at all", "not JSON"),
        ("[1, 2, 3]", "must be a JSON object"),
        (answer(action="moon"), "action"),
        (answer(action="buy", asset="BTC", leverage=10), "leverage"),
        (answer(action="buy", asset="BTC", amount={"value": -1, "unit": "BTC"}), "amount"),
        (answer(action="buy", asset="BTC", amount={"value": "lots", "unit": "BTC"}), "lots"),
        (answer(action="query"), "query"),
        (answer(action="sell", asset="ETH", amount={"value": 150, "unit": "%"}), "100%"),
        (answer(action="buy", asset="BTC!", amount={"value": 1, "unit": "BTC"}), "code"),
        (
            answer(
                action="buy",
                asset="BTC",
                amount={"value": 1, "unit": "BTC"},
                schedule={"every": "weekly", "count": 4, "over": None},
            ),
            "ISO 8601",
        ),
    ],
    ids=[
        "not-json",
        "array",
        "bad-action",
        "unknown-key",
        "negative-amount",
        "word-amount",
        "query-without-kind",
        "share-over-100",
        "bad-code",
        "bad-duration",
    ],
)
def test_invalid_twice_is_a_clarification(replay: ReplayServer, raw: str, error: str) -> None:
    replay.queue(Reply(completion(raw)), Reply(completion(raw)))

    result, provenance = parse_traced(make(replay), "buy 1 BTC")

    assert result == Clarification(missing=("amount", "asset", "side"), question=INVALID_QUESTION)
    assert provenance.attempts == 2
    assert provenance.note is not None
    assert error in provenance.note
    assert len(replay.requests) == 2  # exactly one retry
    assert error in chat_bodies(replay)[1]["messages"][-1]["content"]


def test_empty_choices_are_retried(replay: ReplayServer) -> None:
    empty = completion(None)
    empty["choices"] = []
    replay.queue(Reply(empty), Reply(completion(BUY_HALF_BTC)))

    result, provenance = parse_traced(make(replay), "buy 0.5 BTC")

    assert isinstance(result, Intent)
    assert provenance.attempts == 2
    assert provenance.note is not None
    assert "no choices" in provenance.note


def test_truncated_answer_is_invalid(replay: ReplayServer) -> None:
    cut = BUY_HALF_BTC[:40]
    replay.queue(
        Reply(completion(cut, finish_reason="length")),
        Reply(completion(cut, finish_reason="length")),
    )

    result, provenance = parse_traced(make(replay), "buy 0.5 BTC")

    assert isinstance(result, Clarification)
    assert provenance.note is not None
    assert "max_tokens" in provenance.note


# --- an endpoint that does not answer: Unsupported("llm_unavailable"), quickly --------------


def test_timeout_is_unavailable_and_quick(replay: ReplayServer) -> None:
    replay.queue(Reply(completion(BUY_HALF_BTC), delay_s=5.0))
    parser = make(replay, timeout_s=0.5)

    started = time.monotonic()
    result, provenance = parse_traced(parser, "buy 0.5 BTC")
    elapsed = time.monotonic() - started

    assert isinstance(result, Unsupported)
    assert result.reason == "llm_unavailable"
    assert elapsed < 2.5
    assert provenance.note is not None
    assert "timeout" in provenance.note
    assert len(replay.requests) == 1  # no retry of a timeout


@pytest.mark.parametrize("drip_head", [False, True], ids=["body", "headers-and-body"])
def test_a_slow_drip_is_cut_at_the_deadline(replay: ReplayServer, drip_head: bool) -> None:
    # Every piece arrives well within httpx's read timeout (0.05 s apart, the timeout is
    # 0.5 s), so only a deadline on the whole call stops it: sent in full, it would take
    # more than 100 x 0.05 s = 5 s, ten times the deadline.
    deadline = 0.5
    body = completion(BUY_HALF_BTC)
    assert len(json.dumps(body).encode()) > 100 * 4  # more than 100 pieces of 4 bytes
    replay.queue(Reply(body), Reply(body, drip_s=0.05, drip_bytes=4, drip_head=drip_head))
    parser = make(replay, timeout_s=deadline)
    assert isinstance(parser.parse("buy 0.5 BTC"), Intent)  # warm: openai imported, connected

    started = time.monotonic()
    result, provenance = parse_traced(parser, "buy 0.5 BTC")
    elapsed = time.monotonic() - started

    assert isinstance(result, Unsupported)
    assert result.reason == "llm_unavailable"
    assert provenance.note is not None
    assert "timeout" in provenance.note
    assert elapsed < 5 * deadline
    assert len(replay.requests) == 2  # no retry of a timeout


def test_the_deadline_covers_the_retry(replay: ReplayServer) -> None:
    # Each answer alone is in time (0.4 s < 0.6 s); the invalid first one and its retry
    # together are not. The customer waits for one deadline, not one per request.
    replay.queue(
        Reply(completion("Sure! You want to buy 0.5 BTC."), delay_s=0.4),
        Reply(completion(BUY_HALF_BTC), delay_s=0.4),
    )

    result, provenance = parse_traced(make(replay, timeout_s=0.6), "buy 0.5 BTC")

    assert isinstance(result, Unsupported)
    assert result.reason == "llm_unavailable"
    assert provenance.attempts == 2
    assert provenance.note is not None
    assert "timeout" in provenance.note


def test_raw_completion_has_the_deadline_too(replay: ReplayServer) -> None:
    from intent.errors import LLMUnavailable

    replay.queue(Reply(completion(BUY_HALF_BTC), drip_s=0.05))
    parser = make(replay, timeout_s=0.5)

    with pytest.raises(LLMUnavailable, match="timeout"):
        parser.raw_completion("buy 0.5 BTC")


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (429, RATE_LIMITED, {"retry-after": "20"}, "429"),
        (500, SERVER_ERROR, {}, "HTTP 500"),
        (503, b"<html>Service Unavailable</html>", {}, "HTTP 503"),
    ],
)
def test_http_errors_are_unavailable(
    replay: ReplayServer, status: int, body: Any, headers: dict[str, str], expected: str
) -> None:
    replay.queue(Reply(body, status=status, headers=headers))

    result, provenance = parse_traced(make(replay), "buy 0.5 BTC")

    assert isinstance(result, Unsupported)
    assert result.reason == "llm_unavailable"
    assert provenance.note is not None
    assert expected in provenance.note
    assert len(replay.requests) == 1  # max_retries=0: the client does not retry by itself


def test_connection_refused_is_unavailable() -> None:
    with serving() as server:
        url = server.base_url  # a port that was free, and is closed again below
    parser = LLMParser(LLMSettings(base_url=url, timeout_s=2.0))

    result, provenance = parse_traced(parser, "buy 0.5 BTC")

    assert isinstance(result, Unsupported)
    assert result.reason == "llm_unavailable"
    assert provenance.note is not None
    assert "connection" in provenance.note


def test_a_200_that_is_not_a_completion_does_not_crash(replay: ReplayServer) -> None:
    replay.queue(Reply(b"<html>captive portal</html>"), Reply(b"<html>captive portal</html>"))

    result = make(replay).parse("buy 0.5 BTC")

    assert isinstance(result, Clarification | Unsupported)


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        Reply(completion(None, refusal="I'm sorry, I cannot assist with that request.")),
        Reply(completion(None, finish_reason="content_filter")),
        Reply(CONTENT_FILTERED, status=400),
    ],
    ids=["message.refusal", "finish_reason=content_filter", "http-400-content_filter"],
)
def test_refusals_are_unsupported(replay: ReplayServer, reply: Reply) -> None:
    replay.queue(reply)

    result, provenance = parse_traced(make(replay), "buy 0.5 BTC")

    assert isinstance(result, Unsupported)
    assert result.reason == "llm_refused"
    assert provenance.attempts == 1
    assert len(replay.requests) == 1


# --- what the LLM may and may not see ----------------------------------------------------


def test_only_the_utterance_leaves_the_process(replay: ReplayServer) -> None:
    replay.queue(Reply(completion(BUY_HALF_BTC)), Reply(completion(BUY_HALF_BTC)))
    parser = make(replay, mode="tools")

    parser.parse("buy 0.5 BTC")
    parser.parse("sell 2 SOL at 180")

    for body, text in zip(chat_bodies(replay), ["buy 0.5 BTC", "sell 2 SOL at 180"], strict=True):
        assert set(body) == {"model", "messages", "temperature", "max_tokens", "seed"} | {
            "tools",
            "tool_choice",
        }
        assert body["messages"] == [
            {"role": "system", "content": load_prompt().text},
            {"role": "user", "content": text},
        ]
    sent = json.dumps(chat_bodies(replay))
    for secret in ("sk-test-key", "demo-customer", 'USDT": 25000', "session"):
        assert secret not in sent


def test_without_a_system_role_the_prompt_leads_the_user_turn(replay: ReplayServer) -> None:
    replay.queue(Reply(completion("nonsense")), Reply(completion(BUY_HALF_BTC)))
    parser = LLMParser(LLMSettings(base_url=replay.base_url, mode="json_object", system_role=False))

    result = parser.parse("buy 0.5 BTC")

    assert isinstance(result, Intent)
    first, second = chat_bodies(replay)
    assert first["messages"] == [
        {"role": "user", "content": f"{load_prompt().text}\nMessage:\nbuy 0.5 BTC"}
    ]
    # The retry keeps strictly alternating user/assistant turns.
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "user"]


def test_an_overlong_text_is_not_sent(replay: ReplayServer) -> None:
    result = make(replay).parse("buy 0.5 BTC " * 200)

    assert isinstance(result, Unsupported)
    assert result.reason == "too_long"
    assert replay.requests == []


def test_the_key_is_not_in_repr() -> None:
    settings = LLMSettings(base_url="http://127.0.0.1:9/v1", api_key="sk-very-secret")
    assert "sk-very-secret" not in repr(settings)
    assert "sk-very-secret" not in repr(LLMParser(settings))


def test_prompt_is_versioned() -> None:
    prompt = load_prompt()
    assert PROMPT_VERSION == prompt.version == "intent-v1"
    assert len(prompt.sha256) == 64
    assert prompt.id.startswith("intent-v1+sha256.")
    # The prompt documents every key of the schema it asks for.
    for key in OUTPUT_SCHEMA["properties"]:
        assert f'"{key}"' in prompt.text


def test_importing_intent_does_not_import_openai() -> None:
    code = (
        "import sys, intent, intent.llm, intent.hybrid; "
        "sys.exit(1 if 'openai' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- the conversion, on its own ------------------------------------------------------------


def convert(**fields: Any) -> Any:
    return to_result(LLMOutput.model_validate(json.loads(answer(**fields))))


def test_conversion_never_fills_gaps() -> None:
    no_target = convert(action="convert", asset="ETH", amount={"value": 1, "unit": "ETH"})
    assert isinstance(no_target, Clarification)
    assert no_target.missing == ("asset",)
    no_price = convert(
        action="sell", asset="ETH", amount={"value": 1, "unit": "ETH"}, order_type="limit"
    )
    assert isinstance(no_price, Clarification)
    assert no_price.missing == ("price",)
    nothing = convert(action="clarify")
    assert isinstance(nothing, Clarification)
    assert nothing.missing == ("amount", "asset")
    price_no_asset = convert(action="query", query="price")
    assert isinstance(price_no_asset, Clarification)
    assert price_no_asset.missing == ("asset",)


def test_conversion_of_full_intents() -> None:
    limit = convert(
        action="buy",
        asset="BTC",
        quote="usdt",
        amount={"value": "500", "unit": "USDT"},
        limit_price="60k",
        take_profit=70000,
        stop_loss="55,000",
        schedule={"every": "P1W", "count": 4, "over": None},
    )
    assert isinstance(limit, Intent)
    assert limit.order_type == "limit"
    assert (limit.limit_price, limit.take_profit, limit.stop_loss) == (
        Decimal(60000),
        Decimal(70000),
        Decimal(55000),
    )
    assert limit.schedule is not None
    assert (limit.schedule.every, limit.schedule.count) == (
        "P1W",
        4,
    )
    assert limit.to is None
    swap = convert(action="convert", asset="ETH", to="SOL", amount={"value": 1, "unit": "ETH"})
    assert isinstance(swap, Intent)
    assert (swap.asset, swap.to) == ("ETH", "SOL")
    cancel = convert(action="cancel", asset="BTC")
    assert cancel == Intent(action="cancel", asset="BTC")
    off = convert(action="unsupported")
    assert isinstance(off, Unsupported)
    assert off.reason == "llm_unsupported"


# --- the pure LLM mode checks the answer against the text, as the hybrid does ---------------


def trade(**fields: Any) -> str:
    fields.setdefault("order_type", "market")
    return answer(**fields)


def _units(value: str, unit: str) -> dict[str, str]:
    return {"value": value, "unit": unit}


@pytest.mark.parametrize(
    ("text", "fields", "expected", "problem"),
    [
        (  # an invented amount: the amount is asked, side and asset are kept
            "buy some bitcoin",
            {"action": "buy", "asset": "BTC", "amount": _units("0.1", "BTC")},
            Clarification(
                side="buy",
                asset="BTC",
                missing=("amount",),
                question="How much BTC do you want to buy?",
            ),
            "amount 0.1 BTC is not written",
        ),
        (  # an invented side: asked, the amount and asset the text states are kept
            "0.5 BTC please",
            {"action": "sell", "asset": "BTC", "amount": _units("0.5", "BTC")},
            Clarification(
                asset="BTC",
                amount={"value": Decimal("0.5"), "unit": "BTC"},
                missing=("side",),
                question="Do you want to buy or sell BTC?",
            ),
            "says sell",
        ),
        (  # an invented asset (and a side no verb states)
            "I'd fancy nabbing 0.2 of the orange coin",
            {"action": "buy", "asset": "BTC", "amount": _units("0.2", "BTC")},
            Clarification(
                missing=("amount", "asset", "side"),
                question="Do you want to buy or sell it? Which asset do you want to trade? "
                "How much do you want to trade?",
            ),
            "asset BTC is not named",
        ),
        (  # "1/2 ETH": neither 50% nor 0.5 ETH is written, nor "1" or "2" ETH
            "sell 1/2 eth",
            {"action": "sell", "asset": "ETH", "amount": _units("50", "%")},
            Clarification(
                side="sell",
                asset="ETH",
                missing=("amount",),
                question="How much ETH do you want to sell?",
            ),
            "amount 50%",
        ),
        (
            "sell 1/2 eth",
            {"action": "sell", "asset": "ETH", "amount": _units("2", "ETH")},
            Clarification(
                side="sell",
                asset="ETH",
                missing=("amount",),
                question="How much ETH do you want to sell?",
            ),
            "amount 2 ETH",
        ),
        (  # "half a bitcoin" is 0.5 BTC, not half of the holdings
            "sell half a bitcoin",
            {"action": "sell", "asset": "BTC", "amount": _units("50", "%")},
            Clarification(
                side="sell",
                asset="BTC",
                missing=("amount",),
                question="How much BTC do you want to sell?",
            ),
            "amount 50%",
        ),
        (  # an invented limit price: the price is asked, the amount kept
            "sell 1 eth at the usual price",
            {
                "action": "sell",
                "asset": "ETH",
                "amount": _units("1", "ETH"),
                "order_type": "limit",
                "limit_price": 3000,
            },
            Clarification(
                side="sell",
                asset="ETH",
                amount={"value": Decimal(1), "unit": "ETH"},
                missing=("price",),
                question="At what price? Please give the limit or trigger price in numbers.",
            ),
            "limit price 3000",
        ),
    ],
    ids=["amount", "side", "asset", "fraction-share", "fraction-digit", "half-a", "price"],
)
def test_an_implausible_answer_is_a_clarification_in_llm_mode(
    replay: ReplayServer,
    text: str,
    fields: dict[str, Any],
    expected: Clarification,
    problem: str,
) -> None:
    replay.queue(Reply(completion(trade(**fields))))

    result, provenance = parse_traced(make(replay), text)

    assert result == expected
    assert provenance.parser == "llm"
    assert provenance.attempts == 1  # a valid answer the text does not support: no retry
    assert provenance.note is not None
    assert provenance.note.startswith("implausible: ")
    assert problem in provenance.note


def test_an_invented_amount_in_a_clarification_is_dropped(replay: ReplayServer) -> None:
    # The model asks for the side but slips in an amount: the dialogue must not complete it.
    replay.queue(
        Reply(
            completion(
                answer(
                    action="clarify", asset="BTC", amount=_units("0.25", "BTC"), missing=["side"]
                )
            )
        )
    )

    result, provenance = parse_traced(make(replay), "0.2 BTC please")

    assert isinstance(result, Clarification)
    assert (result.asset, result.amount) == ("BTC", None)
    assert result.missing == ("amount", "side")
    assert provenance.note is not None
    assert "amount 0.25 BTC" in provenance.note


@pytest.mark.parametrize(
    ("text", "fields", "reason"),
    [
        (
            "withdraw 1 BTC to my wallet",
            {"action": "sell", "asset": "BTC", "amount": _units("1", "BTC")},
            "withdrawal",
        ),
        (
            "don't sell my ETH",
            {"action": "sell", "asset": "ETH", "amount": _units("100", "%")},
            "negation",
        ),
    ],
)
def test_a_reading_of_a_refused_text_is_refused(
    replay: ReplayServer, text: str, fields: dict[str, Any], reason: str
) -> None:
    replay.queue(Reply(completion(trade(**fields))))

    result = make(replay).parse(text)

    assert isinstance(result, Unsupported)
    assert result.reason == reason


def test_an_invented_cancel_asks_what_is_wanted(replay: ReplayServer) -> None:
    # Dropping the invented asset would cancel every order: the whole reading is asked again.
    replay.queue(Reply(completion(answer(action="cancel", asset="BTC"))))

    result = make(replay).parse("my bitcoin order")

    assert result == Clarification(missing=("amount", "asset", "side"), question=INVALID_QUESTION)


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("sell 1/2 of my eth", {"action": "sell", "asset": "ETH", "amount": _units("50", "%")}),
        ("sell half a bitcoin", {"action": "sell", "asset": "BTC", "amount": _units("0.5", "BTC")}),
        ("卖半个比特币", {"action": "sell", "asset": "BTC", "amount": _units("0.5", "BTC")}),
        ("卖掉一半的以太坊", {"action": "sell", "asset": "ETH", "amount": _units("50", "%")}),
        ("dump my ETH", {"action": "sell", "asset": "ETH", "amount": _units("100", "%")}),
    ],
)
def test_a_plausible_answer_is_used_in_llm_mode(
    replay: ReplayServer, text: str, fields: dict[str, Any]
) -> None:
    replay.queue(Reply(completion(trade(**fields))))

    result, provenance = parse_traced(make(replay), text)

    assert isinstance(result, Intent), provenance.note
    assert result.amount is not None
    assert result.amount.value == Decimal(fields["amount"]["value"])
    assert provenance.note is None


def test_the_web_llm_mode_checks_the_answer(replay: ReplayServer, tmp_path: Path) -> None:
    from web.services import build_parser
    from web.settings import Settings

    settings = Settings(
        data_dir=tmp_path, parser="llm", llm_base_url=replay.base_url, llm_model="gpt-4o-mini"
    )
    parser = build_parser(settings)
    replay.queue(Reply(completion(trade(action="buy", asset="BTC", amount=_units("0.1", "BTC")))))

    result, provenance = parse_traced(parser, "buy some bitcoin")

    assert provenance.parser == "llm"
    assert isinstance(result, Clarification)
    assert result.missing == ("amount",)
