"""Multi-turn dialogue: what a message means given what was said before.

The chat, replay and ``tradeassist eval-dialogues`` all call :func:`respond` for what a
message means and :func:`advance` for what the conversation holds afterwards. The rules,
in the order they are tried (:data:`RULES` lists them; the tests follow it row by row):

1. "never mind", "算了", "leave it" drops the pending request (or withdraws the last one).
2. A message that only sets fields ("at 3,400", "x10", "for 10 days", "set 個 stop loss
   55000", "改成隔天买", "just do it at market") amends the pending request, or else the
   last complete one, when every word of it is read (:func:`intent.rules.amendment`). A
   price goes where the question asked for it: a stop's trigger, a take-profit.
3. A correction ("change that to 0.3", "make the price 59k", "改成0.3", "不对，是姨太",
   "not BTC, ETH", "唔好PEPE，轉做WIF") changes only the field it names, in the pending
   request or else the last complete one; a coin replaces the coin denied, and an amount in
   that coin moves with it; a currency a sale is to go into ("换成U") becomes its quote.
   Numbers alone after a complete trade ("0.25 please") correct the quantity they are near;
   several ("0.1……唔係，0.2？定0.15？") ask. A number that could be either the amount or a
   price, or a correction of nothing, asks. Naming only the other side ("Apologies, I meant sell")
   turns the last request around; naming only another coin after a cancel ("the btc one",
   "No, the ETH one.") cancels that coin's orders.
4. After a request refused for its later time ("buy 0.2 btc tomorrow"), a reply that only
   asks for it now ("ok, just do it now", "那现在买吧") is that request, placed now.
5. With no question pending, a message stands on its own.
6. A reply that is itself a complete request (a trade, query or cancel), or an explicit
   refusal, replaces the pending one. So does a reply with its own side and asset that
   differ from the pending request's ("buy some BTC" → "sell ETH").
7. A reply fills only the field that was asked, and may add what the pending request does
   not have yet; everything already given (limit price, trigger, schedule, quote, exits)
   survives. A reply that contradicts what was given is a new request. A direction alone
   ("below, it's a stop", "升穿") answers a condition whose level came without one. A price,
   level or count of orders said in the request that no field holds ("sell 1 litecoin for
   90 or more" → "2") is never dropped by the answer: the request is refused, naming it.
8. A bare number answers the one missing quantity (amount or price); when both are missing,
   or the reply holds several numbers, the question is asked again.
9. A number from a question the customer walked away from is never revived: the pending
   request and its text are dropped as soon as a message does not answer it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal

from intent.lexicon import QUOTE_CURRENCIES
from intent.models import (
    PARSE_RESULT_ADAPTER,
    Amount,
    Clarification,
    Intent,
    IntentFields,
    MissingField,
    Trigger,
    Unsupported,
    clarification_question,
    exit_of_a_sale,
)
from intent.parser import ParseOutput
from intent.rules import (
    NOW_WORDS,
    Amendment,
    ReplyTerms,
    RuleParser,
    amendment,
    count_over,
    iso_duration,
    normalize,
    reply_terms,
    term_numbers,
    way_unsaid,
    without_greeting,
    without_timing,
)

#: The dialogue rules, in the order :func:`respond` tries them (see the module docstring).
RULES: tuple[tuple[str, str], ...] = (
    ("dismiss", "'never mind' drops the pending request"),
    ("amend", "a message that only sets fields amends the pending or last request"),
    ("correct", "a correction changes only the field (or side) it names; an unclear one asks"),
    ("now", "a request refused for its later time is placed when the reply asks for it now"),
    ("stand_alone", "with no question pending, a message stands on its own"),
    ("replace", "a complete request or a refusal replaces the pending one"),
    ("fill", "a reply fills the asked field; what was given survives; a contradiction is new"),
    ("bare_number", "a bare number answers the one missing quantity, else the question stays"),
    ("no_revival", "a number from an abandoned question is never used again"),
)

_OF_THEM = re.compile(r"\bof\s+(?:them|those|it)\b", re.IGNORECASE)
#: 破 with no word of direction before it ("破5万8": breaks, which way?)
_BARE_BREAK = re.compile(r"(?<![跌突升涨漲冲衝击擊])破")
#: "scrap the condition", "去掉条件": the trigger dropped, the request stands
_DROP_CONDITION = re.compile(
    r"\b(?:scrap|drop|remove|forget|skip|ditch|lose|kill|cancel|no)\s+(?:the\s+)?"
    r"(?:condition|trigger)s?\b|(?:去掉|取消|不要|唔要|冇)(?:个|個|嗰个|嗰個)?(?:条件|條件|触发|觸發)",
    re.IGNORECASE,
)
#: A question about the request, not a change to it: "is that at market?", "系市价吗？".
_ASKED_ABOUT_IT = re.compile(
    r"^\s*(?:is|was|does|did|will|would|are|isn['’]?t)\s+(?:that|it|this|the\s+order)\b"
    r"|(?:吗|嗎|咩)\s*[?？]?\s*$|系唔系|是不是|係唔係|是否",
    re.IGNORECASE,
)
#: "the price" of an order that has no limit: its trigger's ("make the price 11").
_THE_PRICE = re.compile(r"\bthe\s+price\b|价格|價格|价钱|價錢", re.IGNORECASE)
#: The prices a question may ask for that are a trigger's, and its direction.
_TRIGGER_SLOTS = frozenset({"trigger_below", "trigger_above"})

# Replies that withdraw the pending request (EN, zh-Hans, zh-Hant).
_DISMISS_WORDS = (
    r"(?:never\s*mind|nevermind|nvm|forget\s+(?:it|that|about\s+it)|cancel(?:\s+(?:that|it))?"
    r"|(?:actually[\s,]+)?don'?t[\s,]*(?:keep\s+(?:it|them))?"
    r"|no(?:pe)?|stop|drop\s+it|don'?t|skip\s+it|(?:nah\s+)?(?:actually\s+)?leave\s+it|算了(?:吧|啦)?|算数啦|算數啦|不用了?|不要了?"
    r"|取消(?:吧|[\s,，]*(?:唔|不要|别|別)\S{1,2}?(?:住|了))?|别买了|別買了|不买了|不買了|不卖了|不賣了|唔使喇|唔要喇)"
)
#: ... said after a word of hesitation ("Actually, never mind.", "唔好住，算了"), and maybe
#: followed by another ("never mind. I'll leave it.").
_DISMISS = re.compile(
    r"^\s*(?:(?:actually|oh|hmm+|sorry|唔好住|咁)[\s,，.。!！…]*)?"
    rf"{_DISMISS_WORDS}(?:[\s,，.。!！…]+(?:{_DISMISS_WORDS}|i['’]?ll\s+leave\s+it|thanks?|thank\s+you"
    r"|(?:thanks?|thank\s+you)\s+(?:all\s+the\s+same|anyway|anyhow)))*"
    r"\s*[.!。！]*\s*$",
    re.IGNORECASE,
)
#: "wait just cancel all my orders": orders named, a cancel of them, not of the question
_ORDERS_NAMED = re.compile(r"\b(?:orders?|bids?|asks?)\b|[单單]", re.IGNORECASE)
_DENIED_AFTER = re.compile(r"取消[\s,，]*(?:唔|不要|别|別)")
# A correction: its lead words, then what is corrected ("0.3", "the price to 59k", "姨太").
_CORRECTION = re.compile(
    r"^\s*(?:(?:no|nope|nah|oh|ah|sorry|i\s+am\s+sorry|i'm\s+sorry|apologies|oops|wait|actually"
    r"|pardon\s+me|i\s+beg\s+your\s+pardon"
    r"|correction|hmm|eh|ay|please|pls|kindly|on\s+second\s+thoughts?|would\s+you"
    r"|on\s+reflection|could\s+you|can\s+you|and"
    # "wait thats too much, change that to 0.3"
    r"|(?:that['’]?s|thats|it['’]?s|its)\s+(?:way\s+)?too\s+(?:much|many|little|few|high|low)"
    r")\b[\s,.:!-]*"
    r"|(?:唔好意思|不好意思|唔該|唔该|sorry|等陣|等阵|等等|等一下|更正)[\s,，:：]*)*"
    r"(?:(?:change|make|set|update|modify|edit|move|amend|adjust|revise|bump|raise|lower)"
    r"\s+the\s+"
    r"(?P<field>[a-z -]+?)\s+"
    r"(?:to\s+)?(?=\S*\d)"
    r"|(?:change|make|set|update|modify|edit|move|amend|adjust|revise)\s+"
    r"(?:it|that|this|the\s+order)?\s*(?:to|into)?"
    r"|i\s+meant?|i\s+mean|meant\b|(?<=actually)[\s,]+|(?<=instead)[\s,]+"
    r"|(?<=wait)[\s,]+(?=[\d$])|(?<=sorry)[\s,]+(?=[\d$])|"
    r"(?:不对|不對|不是|错了|錯了|唔係|唔系|唔啱)?[\s,，]*(?P<zh_field>[^\d\s,，]{0,4}?)"
    r"(?:改成|改為|改为|改做|改到|改下|改(?=\s*\d)|换成|換成|应该是|應該是)"
    # "not BTC, ETH", "唔好PEPE，轉做WIF", "是SOL，不是以太坊": a coin denied, another meant
    r"|(?=(?:not\b|唔係|唔系|不是|唔好)\s*[a-z\u4e00-\u9fff]|[是係]\S+?[,，]\s*(?:不是|唔係)|\S+\s+not\s)"
    r"|(?:不对|不對|错了|錯了|唔係|唔系|唔啱)[\s,，]*(?:是|係|系)?)"
    r"\s*(?P<rest>.+?)\s*(?:instead(?:\s+of\b.*)?|then|please|pls|吧|啦|喇)?\s*[.!。！]*\s*$",
    re.IGNORECASE,
)
_FIELD_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("take_profit", re.compile(r"take[\s-]?profit|\btp\b|止盈|止賺|止赚|停利", re.IGNORECASE)),
    (
        "stop_loss",
        re.compile(r"stop[\s-]?loss|\bsl\b|止损|止損|止蝕|止蚀|停损|停損", re.IGNORECASE),
    ),
    ("trigger", re.compile(r"trigger|\bstop\b|触发|觸發", re.IGNORECASE)),
    # ("still at market", "市价": the market named, no price)
    (
        "limit_price",
        re.compile(
            r"(?<!market\s)price|limit|\bat\b(?!\s+(?:the\s+)?(?:market|mkt)\b)"
            r"|@(?!\s*(?:market|mkt)\b)|(?<!市)[价價]|[挂掛]",
            re.IGNORECASE,
        ),
    ),
    ("amount", re.compile(r"amount|quantity|\bqty\b|size|数量|數量", re.IGNORECASE)),
)
_PRICE_FIELDS = ("limit_price", "trigger", "take_profit", "stop_loss")
_LIMIT_NAMED = re.compile(r"\b(?:limit|lmt)\b|限价|限價", re.IGNORECASE)
#: A number offered as an alternative: "or 0.3?", "還是0.3", "定係0.3".
_ALTERNATIVE = re.compile(r"^\s*(?:or\b|还是|還是|定係|定系)|[?？]\s*$", re.IGNORECASE)
_RECEIVED = re.compile(r"\b(?:into|to|for)\b|成|做|->|→", re.IGNORECASE)
_EXITS = ("take_profit", "stop_loss")
#: Fields a reply may restate over what was given: the side, the asset, the amount.
_RESTATED = frozenset({"side", "asset", "amount", "corrections"})
_TRADE_ACTIONS = ("buy", "sell", "convert")
#: Refusals that are no refusal of a request: nothing the parser could act on was read.
_NOTHING_READ = frozenset({"off_topic", "parse_error", "negation"})
# What a reply may supply: every field of a request but its provenance and query kind.
_FILLABLE = tuple(
    name for name in IntentFields.model_fields if name not in ("spans", "query", "corrections")
)


@dataclass(frozen=True, slots=True)
class DialogueState:
    """What the conversation holds between two messages.

    ``pending`` is the question the assistant asked, about ``pending_text`` (whose one
    number "sell 2" may still get its unit); ``last`` is the last complete request (a
    trade or a cancel), which a correction may change: the chat then skips the steps of
    the plan it replaces that were not confirmed yet."""

    pending: Clarification | None = None
    pending_text: str = ""
    last: Intent | None = None
    priced: str | None = None  # the coin whose price was just asked ("how much is DOGE")
    deferred: str = ""  # a request refused for its later time, without that time


@dataclass(frozen=True, slots=True)
class Dismissed:
    """The customer withdrew the pending request."""

    kind: Literal["dismissed"] = "dismissed"

    @property
    def result(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Answered:
    """The reply filled (some of) the missing fields: a complete Intent or a new question."""

    result: Intent | Clarification
    kind: Literal["answered"] = "answered"


@dataclass(frozen=True, slots=True)
class Corrected:
    """The reply changed one field of the pending or last request."""

    result: Intent | Clarification
    kind: Literal["corrected"] = "corrected"


@dataclass(frozen=True, slots=True)
class NewRequest:
    """The reply stands on its own (a complete trade, a query, a refusal): handle it as is."""

    result: ParseOutput
    kind: Literal["new_request"] = "new_request"


Outcome = Dismissed | Answered | Corrected | NewRequest


def respond(state: DialogueState, text: str, parsed: ParseOutput) -> Outcome:
    """What ``text`` (which the parser read as ``parsed``) means in ``state``."""
    outcome = _respond(state, text, parsed)
    if (
        state.pending is not None
        and isinstance(outcome, Answered)
        and isinstance(outcome.result, Intent)
        and outcome.result.action in ("buy", "sell", "convert")
    ):
        result = outcome.result
        return (
            _unplaced_number(state, text, result)
            or _way_unsaid(state.pending, state.pending_text, result)
            or outcome
        )
    return outcome


def _unplaced_number(state: DialogueState, text: str, result: Intent) -> NewRequest | None:
    """ "sell 1 litecoin for 90 or more" → "How much?" → "2": a price, level or count of
    orders of the request that no field of the answered trade holds is never dropped: the
    request is refused, naming it."""
    placed = _numbers_of(result) | set(reply_terms(text).numbers)
    schedule = result.schedule
    for number, of_time in term_numbers(state.pending_text):
        if of_time and schedule is not None and (schedule.count or schedule.over):
            continue  # ("every day for 2 weeks": a length its count holds)
        if not any(abs(number - held) <= abs(number) * _SAME for held in placed):
            said = format(number.normalize(), "f")
            return NewRequest(
                Unsupported(
                    reason="unplaced_number",
                    message=f'I couldn\'t tell what "{said}" in your request was for, so I have '
                    "not made the order. Please write the whole request again.",
                )
            )
    return None


def _way_unsaid(pending: Clarification, pending_text: str, result: Intent) -> Answered | None:
    """ "sell my sol when it hits" → "At what price?" → "120": the level it is crossed at, up
    or down, asked as when said at once; never a limit sold now at 150."""
    if (
        "price" not in pending.missing
        or pending.price_for is not None
        or result.limit_price is None
        or result.trigger is not None
        or not way_unsaid(pending_text)
    ):
        return None
    fields = _request_fields(result) | {"limit_price": None, "order_type": None}
    asked = _ask(fields, result.action, "price", "")
    question = clarification_question(
        ("price",), result.action, result.asset, None, result.limit_price
    )
    return Answered(asked.model_copy(update={"level": result.limit_price, "question": question}))


_SAME = Decimal("1e-9")


def _numbers_of(intent: Intent) -> set[Decimal]:
    """Every number ``intent`` holds: amount, prices, and its schedule's count and lengths."""
    out = {intent.amount.value} if intent.amount is not None else set()
    out |= {p for p in (intent.limit_price, intent.take_profit, intent.stop_loss) if p is not None}
    if intent.trigger is not None:
        out.add(intent.trigger.price)
    if intent.schedule is not None:
        if intent.schedule.count is not None:
            out.add(Decimal(intent.schedule.count))
        for length in (intent.schedule.every, intent.schedule.over):
            out |= {Decimal(d) for d in re.findall(r"\d+", length or "")}
    return out


def _respond(state: DialogueState, text: str, parsed: ParseOutput) -> Outcome:
    text = without_greeting(text)  # ("hi, actually 26": the greeting is no part of the reply)
    no = _NO_THEN_A_SPACE.match(text) if state.pending or state.last else None
    if no is not None:
        # "買1個ETH" → "唔係 賣1個ETH": after a request, the no of a correction said without
        # its comma (alone, "唔係 賣1個ETH" may deny the sale: refused there)
        text = text[: no.end(1)] + "，" + text[no.end() :]
        parsed = _RULES.parse(text)
    if _DISMISS.match(text) and (
        state.pending is not None
        or not isinstance(parsed, Intent)
        # "放四分一SOL" → "取消 唔放住": cancel, do not sell after all (no order to cancel)
        or (parsed.action == "cancel" and state.last is not None and _DENIED_AFTER.search(text))
    ):
        return Dismissed()
    target = state.pending or state.last
    # (a fragment may read as a question about orders: "make it a limit order at 66,000")
    fragment = not isinstance(parsed, Intent) or parsed.action == "query"
    asked = state.pending is not None and "amount" in state.pending.missing
    if (
        target is not None
        and fragment
        and target.trigger is not None
        and _DROP_CONDITION.search(text)
    ):
        return _without_condition(state, target, reply_terms(text))
    change = (
        amendment(text, amount_asked=asked)
        if target is not None and fragment and not _ASKED_ABOUT_IT.search(text)
        else None
    )
    if (
        change is not None
        and change.limit_price is not None
        and isinstance(target, Intent)
        and target.trigger is not None
        and target.limit_price is None
        and _THE_PRICE.search(text)
    ):
        change = None  # "sell my link if it drops to 12" → "make the price 11": its trigger
    if (
        change is not None
        and change.condition is not None
        and target is not None
        and target.trigger is not None
        and _BARE_BREAK.search(text)
    ):
        # "大饼跌破6万买0.1个" → "不对，破5万8再买": 破 alone breaks the way already said
        change = replace(
            change, condition=Trigger(op=target.trigger.op, price=change.condition.price)
        )
    if change is not None and target is not None:
        amended = _amended(target, change)
        if amended is not None:
            return Answered(amended) if state.pending is not None else Corrected(amended)
    said = reply_terms(text)  # (read once: every rule below reads the reply's terms)
    if state.pending is not None and not isinstance(parsed, Intent):
        directed = _direction_answer(state.pending, state.pending_text, said)
        if directed is not None:
            return directed
    changed = _side_or_order_named(state, said, parsed)
    if changed is not None:
        return changed
    corrected = _correction(state, text, said, parsed)
    if corrected is not None:
        return corrected
    now = _now_instead(state, text, said, parsed)
    if now is not None:
        return now
    pending = state.pending
    if (
        pending is None
        and state.priced is not None
        and isinstance(parsed, Clarification)
        and parsed.missing == ("asset",)
        and parsed.asset is None
        and (said.counted or _OF_THEM.search(text))
    ):
        # "how much is dogecoin" → "ok buy 1000 of them", "BTC幾錢？" → "入0.01個": coins
        # counted are of the coin just priced
        return NewRequest(_merge(parsed, text, {"asset": state.priced}))
    if pending is None:
        return NewRequest(parsed)
    if isinstance(parsed, Intent):
        if parsed.action == "cancel" and parsed.asset is None and not _ORDERS_NAMED.search(text):
            return Dismissed()  # "cancel that" while a question is open: drop the question
        return NewRequest(parsed)
    if isinstance(parsed, Unsupported):
        if parsed.reason in _NOTHING_READ:
            # nothing the parser could act on ("0.1... no wait, 0.2 or 0.3?"): maybe numbers
            return _bare_answer(pending, state.pending_text, said, parsed)
        return NewRequest(parsed)  # an explicit refusal (withdrawal, leverage...) stands
    if _is_new_request(pending, parsed):
        return NewRequest(parsed)
    if "asset" in parsed.missing and len(said.assets) > 1:
        # "BTC定ETH好呢……ETH啦，0.5個": which coin the reply settles on, we do not guess
        return Answered(_ask_again(pending, "Which coin do you mean?"))
    fills: dict[str, Any] = {
        name: value for name in _FILLABLE if (value := getattr(parsed, name)) is not None
    }
    if "amount" in parsed.missing:
        # "1 ETH, or maybe 1.5? I really cannot decide": an amount the reply itself asks
        # about answers nothing
        fills.pop("amount", None)
    if (
        pending.side == "convert"
        and pending.to is not None
        and pending.asset not in (None, pending.to)
        and fills.get("asset") == pending.to
    ):
        # "用姨太换SOL" → "换5个SOL": the coin received, said again with how much of it
        fills.pop("asset")
    if (
        said.side is not None
        and pending.side not in (None, said.side)
        and parsed.asset is None
        and "side" not in pending.missing
    ):
        # "卖大饼" → "梭哈，全部": all of it, said with a word that buys (all in); the side
        # is never turned round by a reply that names no coin: asked
        fields = _request_fields(pending)
        if parsed.amount is not None:
            fields["amount"] = parsed.amount.model_dump()
        return Answered(_ask(fields, None, "side", "Buy or sell?"))
    if parsed.side is not None:
        fills["side"] = parsed.side
    if (
        "amount" in pending.missing
        and "amount" not in fills
        and pending.asset is not None
        and len(said.numbers) == 1
        and said.counted
        and not said.priced
    ):
        # "買 0.2 顆" answering how much: coins of the asset asked about
        unit = pending.asset
        if pending.quote is not None and _SOME_OF_THE_MONEY.search(state.pending_text):
            unit = pending.quote  # "我想把一些USDT换成以太坊" → "200个": the U asked about
        fills["amount"] = Amount(value=said.numbers[0], unit=unit)
    if (
        pending.side == "sell"
        and pending.quote is None
        and "quote" not in fills
        and len(said.currencies) == 1
        and said.counted
    ):
        fills["quote"] = said.currencies[0]  # "卖1个，收USDT": coins counted, paid in USDT
    if fills.get("asset") in QUOTE_CURRENCIES and (
        "asset" in pending.missing or pending.asset not in (None, *QUOTE_CURRENCIES)
    ):
        # "buy two thousand of …" → "Hong Kong dollars", "用U买大饼" → "一半的U": the money,
        # not what is bought
        fills["quote"] = fills.pop("asset")
    if not fills:
        return _bare_answer(pending, state.pending_text, said, parsed)
    if pending.price_for not in (None, "limit_price") and "limit_price" in fills:
        # "set a stop-loss on my ETH" → "at 2,800": the price asked for, not a limit
        fills.pop("order_type", None)
        fills |= _price_fill(pending, fills.pop("limit_price"))
    if parsed.corrections:  # "etherium" answering "which asset?": shown, as any reading
        fills["corrections"] = pending.corrections + parsed.corrections
    return Answered(_merge(pending, state.pending_text, fills))


def advance(state: DialogueState, text: str, outcome: Outcome) -> DialogueState:
    """The conversation after ``outcome`` of ``text``."""
    result = outcome.result
    if result is None:
        return DialogueState()
    if isinstance(result, Clarification):
        # A question about a fresh message keeps its text ("sell 2": 2 of the asset named
        # next); after a merge, the numbers of the text are used already.
        fresh = isinstance(outcome, NewRequest)
        last = state.last if not fresh else None
        return DialogueState(pending=result, pending_text=text if fresh else "", last=last)
    if isinstance(result, Intent) and result.action in (*_TRADE_ACTIONS, "cancel"):
        return DialogueState(last=result)
    # a query or refusal: keep `last`; a price asked names the coin the next count is of
    priced = result.asset if isinstance(result, Intent) and result.query == "price" else None
    # a request for later, refused: what it asks for may still be wanted now
    deferred = (
        without_timing(text)
        if isinstance(result, Unsupported) and result.reason == "timing"
        else ""
    )
    return replace(state, pending=None, pending_text="", priced=priced, deferred=deferred)


def to_record(state: DialogueState, outcome: Outcome) -> dict[str, Any] | None:
    """What the journal keeps of ``outcome`` (``None``: the message stood on its own)."""
    if isinstance(outcome, NewRequest) and state.pending is None:
        return None
    result = outcome.result
    return {
        "outcome": outcome.kind,
        "result": None if result is None else result.model_dump(mode="json"),
    }


def from_record(record: Mapping[str, Any] | None, raw: Mapping[str, Any]) -> Outcome:
    """The outcome a journaled message had: ``record`` as :func:`to_record` wrote it, over
    the parse result ``raw``."""
    if record is None:
        return NewRequest(PARSE_RESULT_ADAPTER.validate_python(raw))
    kind, result = record["outcome"], record["result"]
    if kind == "dismissed" or result is None:
        return Dismissed()
    parsed = PARSE_RESULT_ADAPTER.validate_python(result)
    if kind == "new_request":
        return NewRequest(parsed)
    assert not isinstance(parsed, Unsupported), record  # an answer is a request
    return Corrected(parsed) if kind == "corrected" else Answered(parsed)


_RULES = RuleParser()
#: A reply that opens with the no of a correction and a space: "唔係 賣1個ETH".
_NO_THEN_A_SPACE = re.compile(
    r"^\s*(唔係|唔系|不是)\s+(?=(?:係|系|是)?\s*(?:買|买|賣|卖|沽|入|換|换|放|掃|扫|出|我|想|要|改))"
)


def _now_instead(
    state: DialogueState, text: str, said: ReplyTerms, parsed: ParseOutput
) -> Outcome | None:
    """After a request refused for its later time ("buy 0.2 btc tomorrow"), a reply that
    only asks for it now ("ok then just do it now", "那现在买吧") is that request, now. A
    reply with a request of its own, or with another side, stands on its own."""
    if not state.deferred or not NOW_WORDS.search(normalize(text)):
        return None
    if isinstance(parsed, Intent) and parsed.action != "query":
        return None
    if said.assets or said.numbers:
        return None
    request = _RULES.parse(state.deferred)
    if not isinstance(request, Intent) or request.action not in _TRADE_ACTIONS:
        return None
    if said.side not in (None, request.action):
        return None
    return Answered(request.model_copy(update={"spans": ()}))  # (spans of another message)


def _without_condition(
    state: DialogueState, target: Intent | Clarification, said: ReplyTerms
) -> Outcome:
    """ "Sell 40 DOT if it drops below 6.80" → "actually scrap the condition": the request
    now, without its trigger. A number said beside it is not placed: the amount is asked."""
    side = target.action if isinstance(target, Intent) else target.side
    fields = _request_fields(target)
    fields["trigger"] = None
    if said.numbers or said.shares:
        result: Intent | Clarification = _ask(
            fields, side, "amount", "I could not tell what to change."
        )
    else:
        result = _rebuild(fields, side, target)
    return Answered(result) if state.pending is not None else Corrected(result)


# --- rule 2: corrections -------------------------------------------------------------------


def _correction(
    state: DialogueState, text: str, said: ReplyTerms, parsed: ParseOutput
) -> Outcome | None:
    target: Intent | Clarification | None = state.pending or state.last
    match = _CORRECTION.match(text)
    # Only numbers after a complete trade ("Buy 0.2 BTC" → "0.25 please", "0.1……唔係，0.2？
    # 定0.15？"): a correction of the one it is near, or a question when they conflict.
    numbers_only = (
        match is None
        and state.pending is None
        and state.last is not None
        and state.last.action in _TRADE_ACTIONS
        and said.bare
        and bool(said.numbers)
        and not said.money
    )
    if (match is None and not numbers_only) or target is None:
        return None
    if isinstance(parsed, Intent):
        return None  # "actually, buy 1 ETH", "actually, what's my balance?": its own request
    if isinstance(parsed, Unsupported) and parsed.reason not in _NOTHING_READ:
        return NewRequest(parsed)  # "Actually put it on 5x leverage": refused, as asked
    side = target.action if isinstance(target, Intent) else target.side
    if said.side not in (None, side):
        if _NO_THE_OTHER_SIDE.match(text) and not said.assets and target.asset is not None:
            # "買SOL" → "唔係，係賣，10粒": no, the other side, of the coin said
            fields = _request_fields(target)
            if said.counted and len(said.numbers) == 1:
                fields["amount"] = {"value": said.numbers[0], "unit": target.asset}
            result = _rebuild(fields, said.side, target)
            return Answered(result) if state.pending is not None else Corrected(result)
        return NewRequest(parsed)  # "actually sell point one eath": another request
    if (
        match is not None
        and isinstance(target, Clarification)
        and "asset" in target.missing
        and said.assets
        and not said.negated
    ):
        return None  # "换成其他币" → "換成比特幣": the asset asked for, an answer
    rest = match["rest"] if match is not None else text
    field_words = match["field"] or match["zh_field"] or rest if match else rest
    field = _named_field(field_words)
    terms = reply_terms(_FIELD_NAMES.sub(" ", rest))
    if terms.timed:
        return NewRequest(parsed)  # "改做两个钟": a change of schedule is asked for afresh
    numbers = terms.numbers
    fields = _request_fields(target)
    named = terms if terms.assets else said  # "不是 换成bonk": the coin read in context
    asset = named.assets[0] if len(named.assets) == 1 else None
    if len(named.assets) > 1 and len(named.meant_assets) == 1:
        asset = named.meant_assets[0]  # "唔係ETH，係SOL", "唔好PEPE，轉做WIF": the one not denied
    if (
        asset is None
        and not numbers
        and len(said.currencies) == 1
        and side == "sell"
        and said.currencies[0] != fields.get("quote")
    ):
        fields["quote"] = said.currencies[0]  # "出一半姨太" → "换成U": what it is sold for
        return Corrected(_rebuild(fields, side, target))
    if asset is not None and asset not in (fields.get("asset"), fields.get("quote")):
        if numbers or field is not None:
            return Corrected(_ask(fields, side, "amount", "I could not tell what to change."))
        if side == "convert":
            if not _RECEIVED.search(text):
                return Corrected(_ask(fields, side, "asset", "Is that what you give or get?"))
            fields["to"] = asset  # "actually into AVAX": what is received
            return Corrected(_rebuild(fields, side, target))
        if side == "sell" and fields.get("quote") is not None and _RECEIVED.search(text):
            # "把我的狗子换成U" → "不对 换成姨太": what the sale receives is a coin: a swap
            fields |= {"to": asset, "quote": None}
            return Corrected(_rebuild(fields, "convert", target))
        amount = fields.get("amount")
        if amount is not None and amount["unit"] == fields.get("asset"):
            fields["amount"] = {"value": amount["value"], "unit": asset}
        fields["asset"] = asset  # "不对，是姨太": the asset, nothing else
        return Corrected(_rebuild(fields, side, target))
    if (
        (not numbers or terms.denied_numbers)
        and len(terms.shares) == 1
        and field in (None, "amount")
    ):
        # "actually only half", "wait 30% not 3"
        fields["amount"] = {"value": terms.shares[0], "unit": "%"}
        return Corrected(_rebuild(fields, side, target))
    said_from = _changed_from(fields, numbers, text)
    if said_from is not None:
        # "and change 60k to 58k": the field that holds the first number, to the second
        field, numbers = said_from[0], said_from[1:]
    if len(numbers) != 1 or (numbers_only and _ALTERNATIVE.search(text)):
        # ("buy 0.1 btc" → "no wait 0.2" → "or 0.3?": still deciding)
        return Corrected(_ask(fields, side, "amount", "Which number do you mean?"))
    value = numbers[0]
    if field == "trigger" and fields.get("trigger") is None and fields.get("stop_loss"):
        field = "stop_loss"  # "make the stop 3.2k" on a buy with a stop-loss
    if (
        field is None
        and isinstance(target, Clarification)
        and target.missing == ("price",)
        and target.price_for in (None, "limit_price")
        and target.level is None
        and not terms.counted
    ):
        field = "limit_price"  # "卖1个eth 3600" → "改成3700": the price it asks about
    # ("买0.5个sol" → "不对 是5个": coins counted are an amount, whatever their size)
    field = field or ("amount" if terms.counted else _field_by_magnitude(fields, value, parsed))
    if (
        field == "limit_price"
        and fields.get("limit_price") is None
        and fields.get("trigger")
        and not _LIMIT_NAMED.search(field_words)
    ):
        # "sell my link if it drops to 12" → "make the price 11" (but "make the limit 2,650"
        # adds the stop's limit)
        field = "trigger"
    if field is None:
        return Corrected(_ask(fields, side, "amount", f"Is {value} the amount or the price?"))
    if field == "amount":
        unit = _amount_unit(parsed, fields, counted=terms.counted)
        if unit is None:
            return Corrected(_ask(fields, side, "amount", "In which unit?"))
        old = fields.get("amount")
        shrunk = (
            old is not None
            and old["unit"] == unit == fields.get("asset")
            and Decimal(old["value"]) >= 1000 * value
            and all(_price(fields, name) is None for name in _PRICE_FIELDS)
        )
        fields["amount"] = {"value": value, "unit": unit}
        if shrunk and old is not None:
            # "沽ETH 3500" → "2粒": a count a thousandth of the first, with no price said:
            # the first number was likely the price. Asked, never guessed.
            fields["order_type"] = None  # (the price answered makes it a limit)
            return Corrected(_ask(fields, side, "price", f"Is {old['value']} the price?"))
        if unit in QUOTE_CURRENCIES and side in ("buy", "sell"):
            fields["quote"] = unit  # "sorry, 200 HKD, not dollars": paid in what is named
    elif field == "trigger" or (field in _EXITS and fields.get(field) is None):
        # a sell's stop ("止损价改成2700") is its trigger; so is "move the trigger"
        trigger = fields.get("trigger")
        if trigger is None:
            return Corrected(_ask(fields, side, "price", "There is no trigger to change."))
        fields["trigger"] = {"op": trigger["op"], "price": value}
    else:
        if field == "limit_price":
            fields["order_type"] = "limit"
        fields[field] = value
    return Corrected(_rebuild(fields, side, target))


def _amended(target: Intent | Clarification, change: Amendment) -> Intent | Clarification | None:
    """``target`` with what ``change`` sets or adds ("sell 2 ETH" → "at 3,400"; "buy 0.05
    BTC every day" → "x10"; "買 0.1 BTC" → "set 個 stop loss 55000"), or ``None`` when the
    change does not fit it (an exit on a sell, a count with no cadence): the message then
    stands on its own."""
    side = target.action if isinstance(target, Intent) else target.side
    if side not in _TRADE_ACTIONS or change.side not in (None, side):
        return None
    if change.asset not in (None, target.asset):
        return None  # another coin: a request of its own
    fields = _request_fields(target)
    if change.market:
        fields["limit_price"], fields["order_type"] = None, "market"
    if (
        change.limit_price is not None
        and isinstance(target, Clarification)
        and change.stop is None
        and change.condition is None
    ):
        # "sell my BTC if the price goes down" → "at 55,000": the price that was asked for
        # (with a stop or a condition beside it, "触发价5.8万，限价5.78万", "跌破2800触发，
        # 限价2790", the limit is a limit)
        fields |= {
            k: v.model_dump() if isinstance(v, Trigger) else v
            for k, v in _price_fill(target, change.limit_price).items()
        }
        if "limit_price" in fields and fields["limit_price"] is not None:
            fields["order_type"] = "limit"
    elif change.limit_price is not None:
        fields["limit_price"], fields["order_type"] = change.limit_price, "limit"
    exits = {"take_profit": change.take_profit, "stop_loss": change.stop_loss}
    for name, price in exits.items():
        if price is None:
            continue
        if side == "buy":
            fields[name] = price
            target_price, stop_price = fields.get("take_profit"), fields.get("stop_loss")
            if target_price is not None and stop_price is not None and stop_price >= target_price:
                return None  # "buy 2 eth tp 4k" → "add a stop at 4.2k": above the target
        elif side == "sell" and name == "stop_loss" and fields.get("trigger") is None:
            fields["trigger"] = {"op": "<=", "price": price}  # a sale's stop is its trigger
        else:
            return None
    if change.stop is not None:
        trigger = fields.get("trigger")
        if trigger is not None:  # "make the trigger 72k": its direction stays
            fields["trigger"] = {"op": trigger["op"], "price": change.stop}
        elif side == "buy" and fields.get("stop_loss") is not None:
            fields["stop_loss"] = change.stop  # "make the stop 3.2k" on a buy's stop-loss
        elif side == "buy" and fields.get("take_profit") is not None:
            # "buy 2 eth tp 4k" → "add a stop at 2.8k": the other exit, below the target
            if change.stop >= fields["take_profit"]:
                return None
            fields["stop_loss"] = change.stop
        elif isinstance(target, Clarification) and target.price_for in _TRIGGER_SLOTS:
            # "止损限价卖出1个ETH，限价2780" → "触发价2800": the stop it asked for
            fields["trigger"] = _price_fill(target, change.stop)["trigger"].model_dump()
        elif (
            isinstance(target, Clarification)
            and target.price_for == "limit_price"
            and change.limit_price is not None
        ):
            # "stop-limit sell on 1 BTC" → "Stop 58k, limit 57.5k": a stop on a sell is below
            fields["trigger"] = {"op": "<=" if side == "sell" else ">=", "price": change.stop}
        elif isinstance(target, Clarification) and "price" in target.missing:
            return None  # "sell if it hits 70k" → "make the trigger 72k": up or down?
        else:
            fields["trigger"] = {"op": "<=" if side == "sell" else ">=", "price": change.stop}
    if change.condition is not None:
        fields["trigger"] = change.condition.model_dump()
    schedule = _amended_schedule(fields.get("schedule"), change)
    if schedule is False:
        return None
    fields["schedule"] = schedule
    if change.price_quote is not None and fields.get("quote") is None and side != "convert":
        fields["quote"] = change.price_quote  # "… sell 1 ETH" → "At 3,900 US dollars"
    if change.quote is not None:
        if side == "convert" or change.quote == fields.get("asset"):
            return None
        fields["quote"] = change.quote  # "buy 0.2 eth" → "with usdc"
    if change.quantity is not None:
        current = fields.get("amount")
        unit = current["unit"] if current and current["unit"] != "%" else fields.get("asset")
        if unit is None:
            return None
        fields["amount"] = {"value": change.quantity, "unit": unit}
    if change.amount is not None:
        unit = change.amount.unit
        if unit not in ("%", fields.get("asset"), fields.get("to")):
            fields["quote"] = unit  # "make it HK$1,500": the amount's currency
        fields["amount"] = change.amount.model_dump()
    try:
        return _rebuild(fields, side, target)
    except ValueError:
        return None  # a combination the models refuse: the message stands on its own


def _amended_schedule(current: dict[str, Any] | None, change: Amendment) -> Any:
    """The schedule after ``change``: ``False`` when the change does not fit it."""
    schedule = dict(current) if current else None
    if change.every is not None:
        if schedule is not None and schedule.get("over"):
            return False  # a spread order made a repeated one: asked afresh
        count = schedule.get("count") if schedule else None
        schedule = {"every": change.every, "count": count, "over": None, "on": change.on}
    if change.over is not None:
        if schedule is not None and schedule.get("every"):
            return False
        schedule = {"every": None, "count": None, "over": change.over, "on": None}
    if change.count is not None:
        if schedule is None or not (schedule.get("every") or schedule.get("over")):
            return False  # "x10" with nothing repeated
        schedule["count"] = change.count
    if change.period is not None:
        length, unit = change.period
        if schedule is None:
            return False
        if schedule.get("over"):  # "stretch it to 4h"
            schedule["over"] = iso_duration(length, unit)
        else:
            # every day, "for 10 days": 10 orders; monthly, "12 months": 12
            count = count_over(schedule.get("every") or "", length, unit)
            if count is None:
                return False
            schedule["count"] = count
    return schedule


def _side_or_order_named(
    state: DialogueState, terms: ReplyTerms, parsed: ParseOutput
) -> Outcome | None:
    """After a complete request, a reply that only names the other side ("Apologies, I
    meant sell", "不對，是買") turns it around; after a cancel of every order, a reply
    that only names an asset ("the btc one", "淨係BTC嗰張") cancels that asset's."""
    last = state.last
    if state.pending is not None or last is None or isinstance(parsed, Intent):
        return None
    if terms.priced or terms.timed or terms.shares:
        return None
    if (
        last.action in ("buy", "sell")
        and terms.side not in (None, last.action)
        and not terms.assets
        and not terms.numbers
        # a share or an exit means something else on the other side: asked afresh
        and (last.amount is None or last.amount.unit != "%")
        and last.take_profit is None
        and last.stop_loss is None
    ):
        return Corrected(last.model_copy(update={"action": terms.side, "spans": ()}))
    # ("the ETH one, not SOL": the coin no negation denies)
    named = terms.meant_assets if len(terms.assets) > 1 else terms.assets
    if (
        last.action == "cancel"
        and len(named) == 1
        and named[0] != last.asset  # "cancel my BTC order" → "No, the ETH one."
        and terms.side is None
        and set(terms.numbers) <= {Decimal(1)}
    ):
        return Corrected(last.model_copy(update={"asset": named[0], "spans": ()}))
    return None


def _named_field(text: str) -> str | None:
    for name, words in _FIELD_WORDS:
        if words.search(text):
            return name
    return None


_FIELD_NAMES = re.compile("|".join(w.pattern for _, w in _FIELD_WORDS), re.IGNORECASE)


def _field_by_magnitude(fields: dict[str, Any], value: Decimal, parsed: ParseOutput) -> str | None:
    """Which field a bare corrected number belongs to: the only quantity there is, or the
    one it is close to ("buy 0.5 BTC at 60k" → "0.3" is the amount, "59k" the price).
    ``None`` when it could be either."""
    if not isinstance(parsed, Unsupported) and parsed.amount is not None:
        return "amount"  # "make it 0.3 BTC", "改成500U"
    prices = [
        name
        for name in _PRICE_FIELDS
        if (price := _price(fields, name)) is not None and price / 2 <= value <= price * 2
    ]
    amount = fields.get("amount")
    held = Decimal(amount["value"]) if amount is not None and amount["unit"] != "%" else None
    # A share changes by a share ("only half"), never by a bare number: 2 of "all of it"?
    near_amount = held is not None and held / 5 <= value <= held * 5
    if len(prices) == 1 and not near_amount:
        return prices[0]
    if near_amount and not prices:
        return "amount"
    return None  # could be either, or changes a field that was never given: asked


#: "唔係，係賣": no, it is the other side
_NO_THE_OTHER_SIDE = re.compile(
    r"^\s*(?:唔係|唔系|不是|不对|不對)[\s,，]*(?:係|系|是)?\s*[賣卖沽買买入]"
)
#: "把一些USDT换成以太坊", "swap some usdc for eth": the amount left open is of the money
_SOME_OF_THE_MONEY = re.compile(r"(?:一些|一点|some)\s*(?:usdt|usdc|u\b)", re.IGNORECASE)
_FROM_TO = re.compile(r"\bfrom\b|\bto\b|->|→|改成|改为|改為")


def _changed_from(
    fields: dict[str, Any], numbers: tuple[Decimal, ...], text: str
) -> tuple[str, Decimal] | None:
    """ "change 60k to 58k": two numbers, the first the value of exactly one field of the
    request, "to" between them: that field, and its new value."""
    if len(numbers) != 2 or not _FROM_TO.search(text):
        return None
    old, new = numbers
    amount = fields.get("amount")
    held = {name: _price(fields, name) for name in _PRICE_FIELDS}
    if amount is not None:
        held["amount"] = Decimal(amount["value"])
    names = [name for name, value in held.items() if value == old]
    return (names[0], new) if len(names) == 1 else None


def _price(fields: dict[str, Any], name: str) -> Decimal | None:
    value = fields.get(name)
    if isinstance(value, dict):
        value = value.get("price")
    return None if value is None else Decimal(value)


def _amount_unit(parsed: ParseOutput, fields: dict[str, Any], *, counted: bool) -> str | None:
    """The unit of a corrected amount: the one said, else the request's own, else its coin.
    A share is never the unit of a bare number ("出一半" → "改成3个" is 3 ETH, "…改成3" is
    asked)."""
    if not isinstance(parsed, Unsupported) and parsed.amount is not None:
        return parsed.amount.unit
    amount = fields.get("amount")
    asset = fields.get("asset")
    if amount is not None and amount["unit"] != "%":
        return str(amount["unit"])
    if amount is not None and not counted:
        return None
    return str(asset) if asset is not None else None


def _request_fields(request: Intent | Clarification) -> dict[str, Any]:
    """What ``request`` asks for, as fields: its side, and a question's own words, left out."""
    return request.model_dump(exclude={"kind", "missing", "question", "spans", "action", "side"})


def _ask(
    fields: dict[str, Any], side: str | None, missing: MissingField, why: str
) -> Clarification:
    """The request as it stands, asking again about ``missing``."""
    fields = {k: v for k, v in fields.items() if k != "query"}
    asset = fields.get("asset")
    return Clarification.model_validate(
        {
            **fields,
            "side": side if side in _TRADE_ACTIONS else None,
            "missing": (missing,),
            "question": f"{why} "
            + clarification_question((missing,), side, asset if isinstance(asset, str) else None),
        }
    )


def _rebuild(
    fields: dict[str, Any], side: str | None, target: Intent | Clarification
) -> Intent | Clarification:
    if isinstance(target, Clarification):
        pending = Clarification.model_validate(
            {**fields, "side": side, "missing": target.missing, "question": target.question}
        )
        return _merge(pending, "", {})
    return Intent.model_validate({**fields, "action": side})


# --- rules 4 to 7: answers ---------------------------------------------------------------


def _is_new_request(pending: Clarification, reply: Clarification) -> bool:
    """A reply with its own side and asset that are not the pending request's, or one that
    contradicts what was given ("buy some BTC" → "0.5 ETH": which do they want?)."""
    named = {pending.asset, pending.to, pending.quote} - {None}
    if reply.asset is not None and named and reply.asset not in named:
        return "asset" not in pending.missing or reply.side not in (None, pending.side)
    if reply.side is None or reply.asset is None:
        return False
    if "asset" in pending.missing and pending.side in (None, reply.side):
        return False  # "sell 2" → "sell ETH": the asset that was asked
    return reply.side != pending.side or reply.asset not in (pending.asset, pending.to)


def _bare_answer(
    pending: Clarification, pending_text: str, terms: ReplyTerms, parsed: ParseOutput
) -> Outcome:
    """A reply the parser found nothing in but, maybe, a number."""
    if not terms.bare or not terms.numbers or (terms.priced and "price" not in pending.missing):
        # words we do not know, nothing at all, or a price nobody asked for ("price 150"
        # is never an amount)
        return NewRequest(parsed)
    if len(terms.numbers) > 1 or terms.negated:
        return Answered(_ask_again(pending, "Which one do you mean?"))  # "0.2, no, 0.3?"
    if terms.money:
        return NewRequest(parsed)  # "500 usdt" is no bare number: what the parser read
    value = terms.numbers[0]
    fills: dict[str, Any] = {}
    if "amount" in pending.missing and "price" in pending.missing:
        return Answered(_ask_again(pending, "Is that the amount or the price?"))
    if "amount" in pending.missing and pending.asset is not None:
        if pending.side == "buy" and pending.quote is not None and not terms.counted:
            # "buy ETH with USDC" → "250": 250 ETH or 250 USDC? Both are read, so ask.
            why = f"{value} {pending.asset} or {value} {pending.quote}?"
            return Answered(_ask_again(pending, why))
        fills["amount"] = Amount(value=value, unit=pending.asset)
    elif "price" in pending.missing:
        if terms.counted:  # "2个" is a quantity, never the price that was asked for
            return Answered(_ask_again(pending, f"{value} is a quantity, not a price."))
        fills |= _price_fill(pending, value)  # "stop-loss on my ETH" → "2800": its trigger
    if not fills:
        return NewRequest(parsed)
    return Answered(_merge(pending, pending_text, fills))


def _direction_answer(
    pending: Clarification, pending_text: str, terms: ReplyTerms
) -> Outcome | None:
    """The way a condition's level is crossed, answering the question of a request that
    named the level only ("sell 1 ETH when it gets to 3.5k" → "below, it's a stop",
    "是跌破6萬的時候"). ``None`` when the reply says more than the direction: another
    number, coin or side, a negation, a time."""
    if pending.level is None or "price" not in pending.missing:
        return None
    if (
        terms.direction is None
        or terms.negated
        or terms.timed
        or terms.shares
        or terms.side not in (None, pending.side)
        or set(terms.assets) - {pending.asset}
        or set(terms.numbers) - {pending.level}
    ):
        return None
    trigger = Trigger(op=terms.direction, price=pending.level)
    return Answered(_merge(pending, pending_text, {"trigger": trigger}))


def _price_fill(pending: Clarification, price: Decimal) -> dict[str, Any]:
    """``price`` in the place ``pending`` asked for it: the limit, unless the request said
    which price it lacks (a stop's trigger, a take-profit, a stop-loss)."""
    slot = pending.price_for if "price" in pending.missing else None
    if slot in _TRIGGER_SLOTS:
        return {"trigger": Trigger(op="<=" if slot == "trigger_below" else ">=", price=price)}
    return {slot or "limit_price": price}


def _ask_again(pending: Clarification, why: str) -> Clarification:
    """``pending`` asked once more, saying why."""
    return pending.model_copy(update={"question": f"{why} {pending.question}"})


def _unitless_amount(pending: Clarification, pending_text: str) -> Decimal | None:
    """The one number of "sell 2" (amount understood, unit unknown until the asset is)."""
    if pending.amount is not None or "amount" in pending.missing:
        return None
    prices = {pending.limit_price, pending.take_profit, pending.stop_loss}
    if pending.trigger is not None:
        prices.add(pending.trigger.price)
    # "sell 0.5 @ 3k": the number that is no price
    found = [n for n in reply_terms(pending_text).numbers if n not in prices]
    return found[0] if len(found) == 1 else None


def _merge(
    pending: Clarification, pending_text: str, fills: dict[str, Any]
) -> Intent | Clarification:
    """``pending`` with ``fills`` over it: a complete Intent, or what is still missing."""
    fields = pending.model_dump(exclude={"kind", "missing", "question", "spans"})
    receives = pending.side == "convert" and pending.asset is not None and pending.to is None
    if receives and "asset" in pending.missing and fills.get("asset") not in (None, pending.asset):
        fills = {k: v for k, v in fills.items() if k != "asset"} | {"to": fills["asset"]}
        # "swap my ETH" → "SOL": the asset named is the one received
    for name, value in fills.items():
        current = fields.get(name)
        if name in pending.missing or current is None or name in _RESTATED:
            fields[name] = value.model_dump() if hasattr(value, "model_dump") else value
    unitless = _unitless_amount(pending, pending_text)
    if unitless is not None and "amount" not in fills and isinstance(fields.get("asset"), str):
        fields["amount"] = {"value": unitless, "unit": fields["asset"]}
    if fields.get("limit_price") is not None and fields.get("order_type") is None:
        fields["order_type"] = "limit"
    side = fields.pop("side")
    missing: list[MissingField] = []
    if side not in _TRADE_ACTIONS:
        missing.append("side")
    if fields.get("asset") is None or (side == "convert" and fields.get("to") is None):
        missing.append("asset")
    amount = fields.get("amount")
    if amount is None:
        missing.append("amount")
    elif fields.get("quote") is None and amount["unit"] not in (
        "%",
        fields.get("asset"),
        fields.get("to"),
    ):
        fields["quote"] = amount["unit"]  # "500 usdt" answering "how much BTC?"
    slot = fields.pop("price_for", None)
    level = fields.pop("level", None)
    stop = fields.pop("stop", None)
    if stop is not None and side in ("buy", "sell") and fields.get("trigger") is None:
        # "0.5 BTC, stop 58,000, limit 57,800" → "Sell.": the stop placed by its side
        fields["trigger"] = {"op": "<=" if side == "sell" else ">=", "price": stop}
        stop = None
    elif stop is not None and side in _TRADE_ACTIONS:
        missing.append("price")  # a stop on a swap: which price is meant?
    if slot is None:
        # ("買入1個比特幣，並設定止盈及止蝕" → "止盈72,000，止蝕56,000": both exits priced)
        exits = fields.get("take_profit") is not None and fields.get("stop_loss") is not None
        unpriced = fields.get("limit_price") is None and fields.get("trigger") is None and not exits
    else:
        unpriced = fields.get("trigger" if slot.startswith("trigger") else slot) is None
    if "price" in pending.missing and unpriced:
        missing.append("price")
    asset = fields.get("asset")
    if missing:
        return Clarification.model_validate(
            {
                **fields,
                "side": side if side in _TRADE_ACTIONS else None,
                "missing": tuple(sorted(set(missing))),
                "price_for": slot if "price" in missing else None,
                "level": level if "price" in missing else None,
                "stop": stop if "side" in missing else None,
                "question": clarification_question(
                    missing,
                    side if side in _TRADE_ACTIONS else None,
                    asset if isinstance(asset, str) else None,
                    slot if "price" in missing else None,
                    level if "price" in missing else None,
                ),
            }
        )
    if fields.get("order_type") is None:
        fields["order_type"] = "market"
    if side == "sell" and pending.side is None and fields.get("trigger") is None:
        # "BTC 0.3个 止损57000 限价56800" → "卖": the one exit of what is now a sale is its
        # trigger, as in a message of its own
        trigger = exit_of_a_sale(fields.get("take_profit"), fields.get("stop_loss"))
        if trigger is not None:
            fields |= {"trigger": trigger.model_dump(), "take_profit": None, "stop_loss": None}
    return Intent.model_validate({**fields, "action": side})
