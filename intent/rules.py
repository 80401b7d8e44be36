"""A deterministic rule parser: tokenizer, tag grammar and lexicon → intent.

How it works:

1. :func:`normalize` lower-cases the text, maps full-width forms and traditional Chinese to
   the forms the lexicon uses, keeping every character at its offset (spans stay valid).
   Prompt-injection phrases are blanked out: they never change the meaning.
2. :func:`tokenize` turns the text into tokens, each with a one-character *tag* (see
   :mod:`intent.lexicon` for the alphabet). Words the grammar does not know are dropped, so
   filler ("could you please", "for me", "rn") never gets in the way.
3. The grammar is a series of named phrase patterns (regular expressions over the tag
   string): schedules, take-profit/stop-loss, stops and conditions, limit prices, amounts.
   Each phrase consumes its tokens so a number is used for exactly one role.
4. :meth:`RuleParser.parse` decides the action from the verbs, the assets given and
   received from the connectors (with/for/into), and returns an :class:`Intent`, a
   :class:`Clarification` naming what is missing, or :class:`Unsupported`. It never guesses
   an amount, an asset or a side, and a number it cannot place blocks execution.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel
from rapidfuzz.distance import OSA

from intent.language.assets import FUZZY_MIN_LEN, Asset, common_words, universe
from intent.lexicon import (
    ASSET_ALIASES,
    CJK_MAX_LEN,
    CJK_WORDS,
    CLASH_ALIASES,
    CURRENCY_SYMBOLS,
    PHRASES,
    QUOTE_CURRENCIES,
    RELATIVES_SENT_TO,
    TRAD_TO_SIMP,
    UNSUPPORTED_MESSAGES,
    WORDS,
    Entry,
    fuzzy_asset,
)
from intent.models import (
    Amount,
    Clarification,
    Correction,
    Intent,
    MissingField,
    PriceSlot,
    QueryKind,
    Schedule,
    Span,
    Trigger,
    Unsupported,
    clarification_question,
    exit_of_a_sale,
    plain,
)
from intent.numbers import (
    CJK_NUMERAL_RE,
    EN_NUMBER_WORDS,
    NUMERIC_RE,
    numeric_value,
    parse_chinese,
    parse_english,
    parse_number,
)
from intent.parser import MAX_INPUT_CHARS, ParseOutput

TradeSide = Literal["buy", "sell", "convert"]
_M = TypeVar("_M", bound=BaseModel)

# ---------------------------------------------------------------------------------------------
# 0. Result construction
# ---------------------------------------------------------------------------------------------
#
# Validating a result (Span, Amount, Intent, ...) costs more than the whole grammar. Every value
# the parser puts into a result is valid by construction (codes from the lexicon, Decimals > 0
# checked where they are read, a non-empty ``missing``), so results are built directly, as
# pydantic's own ``model_construct`` does but without its per-field Python loop.
# tests/intent/test_heldout_own.py proves ``Model.model_validate(r.model_dump()) == r`` for
# every utterance of the corpora and for random text.

_new_object = object.__new__
_set_attr = object.__setattr__


def _template(cls: type[BaseModel]) -> dict[str, Any]:
    return {name: info.get_default() for name, info in cls.model_fields.items()}


def _construct(cls: type[_M], template: dict[str, Any], values: dict[str, Any]) -> _M:
    """An instance of ``cls`` with ``values`` over the defaults in ``template``, unvalidated."""
    data = template.copy()
    data.update(values)
    obj = _new_object(cls)
    _set_attr(obj, "__dict__", data)
    _set_attr(obj, "__pydantic_fields_set__", set(values))
    _set_attr(obj, "__pydantic_extra__", None)
    _set_attr(obj, "__pydantic_private__", None)
    return obj


_AMOUNT_T = _template(Amount)
_TRIGGER_T = _template(Trigger)
_SCHEDULE_T = _template(Schedule)
_INTENT_T = _template(Intent)
_CLARIFICATION_T = _template(Clarification)
_UNSUPPORTED_T = _template(Unsupported)


def _span(field: str, start: int, end: int, text: str) -> Span:
    # _construct, inlined: a result has several spans.
    obj = _new_object(Span)
    _set_attr(obj, "__dict__", {"field": field, "start": start, "end": end, "text": text})
    _set_attr(obj, "__pydantic_fields_set__", {"field", "start", "end", "text"})
    _set_attr(obj, "__pydantic_extra__", None)
    _set_attr(obj, "__pydantic_private__", None)
    return obj


def _amount(value: Decimal, unit: str) -> Amount:
    return _construct(Amount, _AMOUNT_T, {"value": value, "unit": unit})


def _trigger(op: Literal["<=", ">="], price: Decimal) -> Trigger:
    return _construct(Trigger, _TRIGGER_T, {"op": op, "price": price})


def _intent(**values: Any) -> Intent:
    return _construct(Intent, _INTENT_T, values)


def _clarification(**values: Any) -> Clarification:
    return _construct(Clarification, _CLARIFICATION_T, values)


# ---------------------------------------------------------------------------------------------
# 1. Normalization
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _normalize_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) != 1:  # ligatures and the like would shift offsets: keep the original
        folded = ch
    lowered = folded.lower()
    if len(lowered) == 1:
        folded = lowered
    return folded.translate(TRAD_TO_SIMP)


def normalize(text: str) -> str:
    """Lower-case, fold full-width forms and traditional Chinese; same length as ``text``."""
    if text.isascii():
        return text.lower()
    return "".join(map(_normalize_char, text))


# Attempts to change the assistant's rules. They are blanked so only the literal request
# remains; a message that is nothing but such an attempt is refused as "injection".
_INJECTION_RE = re.compile(
    r"\b(?:ignore|disregard|forget|bypass|override|skip)\b[^.,;!?\n]{0,40}?"
    r"\b(?:rules?|instructions?|prompts?|guidelines?|restrictions?|polic(?:y|ies)|safety|"
    r"checks?|confirmations?|guardrails?|programming|caps?|limits?|risk\s+controls?)\b"
    r"|\b(?:admin|administrator|developer|dev|god|sudo|debug|root|jailbreak|dan|maintenance)"
    r"\s+mode\b(?:\s+(?:on|enabled|activated))?"
    r"|\byou\s+are\s+now\b[^.,;!?\n]{0,40}"
    r"|\b(?:new|system)\s+(?:prompt|instructions?)\b:?"
    r"|\bno\s+(?:confirmation|limits)\b"
    r"|\bwithout\s+(?:confirmation|asking|checks?)\b"
    r"|(?:忽略|无视|跳过|绕过)[^，。,.]{0,10}?(?:规则|指令|限制|提示|风控|上限)|管理员模式|开发者模式"
)

# Numbers that cannot be read without guessing: a negative amount ("-3"), or digits run
# into the letters o/l that people type for 0/1 ("1O", "5l"). Each becomes "0" padded with
# blanks (offsets kept): a number no role accepts, so the grammar asks for whatever it
# stood for ("sell my ETH 1O" asks how much, not "all of it"; "at 6OOOO" asks the price).
# A "k" typed apart from its number ("breaks 75 k") is a thousand, or an "ok": asked too,
# as are thousands grouped with a space ("at 4 200": 4,200, or 200 at 4?) or with a dot
# ("2.500 doge": 2,500 as written in much of Europe, or 2.5?).
_MALFORMED_NUMBER = re.compile(
    r"(?:(?<=\s)|^)[-−–]\s?\d[\d,.]*[a-z]*|\b\d[\d,.]*[ol][a-z\d]*\b|\b\d[\d,.]*\s+k\b(?!['’])"
    r"|(?<![\d,])(?<!\d\.)\d{1,3}(?: \d{3})+(?![\d,]|\.\d)"
    # "2.500 doge", "at 3.500": thousands grouped with a dot, or 2.5? (not "0.500", "1.25")
    r"|(?<![\d.,])[1-9]\d{0,2}\.\d00(?![\d.,]|\s*%)"
)

#: A question about what an order kind means: it is explained, nothing is traded.
_EXPLAIN = re.compile(
    r"\bwhat\s+(?:does|do)\s+(?:an?\s+|the\s+)?['\"‘“]?(?:limit|market|stop|stop[- ]loss"
    r"|take[- ]profit|stop[- ]limit)(?:\s+orders?)?['\"’”]?\s+mean"
    r"|\bwhat\s+(?:is|are)\s+(?:an?\s+)?(?:limit|market|stop|stop[- ]loss|take[- ]profit"
    r"|stop[- ]limit)\s+orders?\s*[?？]?\s*$"
    r"|^\s*(?:什么是|咩叫|乜嘢係|乜嘢系)\s*(?:限价单|市价单|止损|止盈|挂单)"
    r"|(?:限价单|市价单|止损|止盈)\s*(?:是什么意思|系咩意思|係咩意思|是什么)"
)
#: "張單唔要喇": an order is what is no longer wanted (a cancel), not the message's request.
_ORDER_WORD = re.compile(r"单|\border\b")
#: A request taken back at the end of the same message: nothing is to be done.
_WITHDRAWN = re.compile(
    r"(?:\b(?:forget\s+(?:it|that|about\s+it)|never\s*mind|nvm|scratch\s+that"
    r"|jk|j/k|just\s+kidding)\b"
    r"|算了吧?|唔好喇|唔要喇|开玩笑(?:的|咋|嘅)?|讲笑(?:咋|啫|嘅)?)"
    r"(?:[\s.!。！~]*$|\s*[,，;；.。…!！~]+\s*(?=\S))"  # at the end, or a pause: why, after it
)
#: What may follow a withdrawal and still leave it one ("…forget it, I'll wait for the CPI
#: print"): words that ask for nothing. A verb, a cancel, a question, a coin or a number after
#: it is a new request or a correction ("scratch that, 63,750", "nvm, where's sol at").
_REQUESTING_TAGS = frozenset("BSCDgtX~#NPHVAQkLKJGRZWplhrv$e")
#: "If it is not filled, never mind": a withdrawal only if that happens.
_CONDITIONAL = re.compile(
    r"(?:^|[.!?;。！？；]|\s[-—–]+\s)\s*(?:(?:and|but|so)\s+)?(?:if|unless|when|in\s+case)\b"
    r"|如果|要是|假如|若果"
)
#: "hmm no, buy 2 avax instead": a "no" that answers what came before, not this request.
#: So does a change of mind before a new request ("唔好住, 賣2個ETH", "change of plan: …").
_LEADING_NO = re.compile(
    r"^\s*(?:(?:hmm+|um+|uh+|ok|okay|eh|嗯+|呃|额|其实|actually)[\s,.…]*)?"
    r"(?:(?:no|nope|nah|change\s+of\s+plans?|on\s+second\s+thoughts?"
    r"|唔好住|唔好(?:喇|啦|咯)?|先不要了|不要(?:了|啦)|唔理住|换个想法|改主意了?|唔系|不是|不对"
    r"|(?:nah\s+)?(?:scrap|scratch|forget)\s+(?:that|it)"
    r"|(?:(?:ok|nah)\s+)?forget\s+(?:about\s+)?(?:the\s+)?[a-z0-9]+)\s*(?:[,.!…:;]+|[—–-]+(?=\s))"
    # ended by its particle, it denies no verb after it: "唔好喇 改做賣200蚊XRP", "不对 卖1个"
    r"|(?:唔好住|唔好(?:喇|啦|咯)|先不要了|不要(?:了|啦)|唔理住|换个想法|改主意了?|不对|唔啱"
    r"|唔好(?=\s+改))\s+"
    r"|(?:actually|wait|oh|ah)[\s,]+no\b[\s,.!…:;]*)"  # "actually no sell three sol at market"
)
#: Asking to see the order first ("Please show me the order before placing it", "let me look
#: at it first"): every order is previewed and waits for confirmation, so it says nothing.
_PREVIEW_FIRST = re.compile(
    r"(?:(?:(?:please|kindly)\s+)?(?:show\s+me|let\s+me\s+(?:see|look\s+at|review|check)"
    r"|confirm\s+with\s+me)"
    r"(?:\s+(?:it|them|the\s+plan|the(?:\s+(?:buy|sell))?\s+order))?"
    r"\s+(?:first|before\s+(?:placing|sending|submitting"
    r"|anything\s+is\s+(?:executed|done|sent|placed)"
    r"|you\s+(?:place|send|submit))(?:\s+(?:it|them))?))"
    r"|\bi\s+shall\s+wait\s+for\s+your\s+confirmation\b"
    # "Please let me confirm before it is done", "I would appreciate seeing the order before it
    # goes through", "賣之前請先讓我確認一次": every order is previewed and confirmed anyway
    r"|(?:please\s+)?let\s+me\s+confirm\s+(?:it\s+)?(?:first|before\s+it\s+is\s+(?:done|placed|sent))"
    r"|(?:so\s+)?i\s+would\s+appreciate\s+seeing\s+(?:it|the\s+order)\s+before\s+it\s+goes\s+through"
    r"|(?:卖|买|换)之前请?先让我确认一次"
    r"|(?:落单|下单)之前(?:请)?先?(?:俾|给)我(?:过目|睇下|睇吓|睇|看看|看)(?:计划)?"
    r"|(?:请你)?先整理好张单"
)
#: A clause added after the request that only says how it should go ("…, not all at once",
#: "rather than all at once", "…, not too much", "，不要太多"): the request says the rest.
_AFTERTHOUGHT = re.compile(
    r"(?:,\s*not|\brather\s+than(?:\s+(?:doing|buying|selling)\s+it)?)\s+all\s+at\s+once\b"
    r"|,\s*not\s+too\s+much\b"
    r"|\b(?:i['’]?m\s+)?(?:scared|afraid|nervous)\s+to\s+(?:buy|sell)\s+(?:it\s+)?all\s+at\s+once\b"
    r"|[,，]\s*(?:不要太多|唔好太多|别太多)"
)
#: Courtesy and haste at the edges of a message ("hi, …", "…, thanks", "… 唔該 🙏", "… asap"):
#: blanked first, so what is anchored at the start or the end of a request ("… nah forget
#: it", "大饼买1000", "what would 1 eth sell for rn") is read the same with them.
_GREETINGS = r"(?:hi|hello|hey|hiya|yo)(?:\s+there)?\b|你好|您好|哈啰|哈囉"
_COURTESY_START = re.compile(
    rf"^\s*(?:(?:{_GREETINGS}|(?:please|pls|plz|kindly)\b|麻烦(?:你|您)?|劳烦|唔该|请)"
    r"[\s!,.~;:，。！、]*)+"
)
_COURTESY_END = re.compile(
    r"(?:[\s,，.。!！~、]*(?:(?<![a-z0-9'’])(?:thanks|thank\s+you|thx|tks|ty|cheers|pls|plz|please"
    r"|asap)"
    r"(?:\s+(?:a\s+lot|so\s+much|very\s+much|again|mate|bro|man))?\b|谢谢(?:你|您)?|多谢|唔该"
    r"|麻烦(?:你|您)?了|感谢|快啲|快点|快d|[\U0001F64F\U0001F642\U0001F60A\U0001F44D]))+[\s!.。！~]*$"
)


def _request_span(norm: str) -> tuple[int, int]:
    """Where the request lies in ``norm``: after a greeting, before thanks."""
    start, end = 0, len(norm)
    m = _COURTESY_START.match(norm) if norm.lstrip().startswith(_COURTESY_FIRST) else None
    if m is not None and m.end() < len(norm):
        start = m.end()
    last = norm.rstrip().rstrip("!.。！~")
    m = _COURTESY_END.search(norm, start) if last.endswith(_COURTESY_LAST) else None
    if m is not None and norm[start : m.start()].strip():
        end = m.start()
    return start, end


#: How courtesy can begin and end: a cheap test before the patterns above (speed).
_COURTESY_FIRST = ("hi", "he", "yo", "pl", "ki", "你", "您", "哈", "麻", "劳", "唔", "请")
_COURTESY_LAST = (
    *("ks", "ou", "hx", "ty", "rs", "ls", "lz", "se", "ap", "in", "te", "ro", "an", "ch", "ot"),
    *("谢", "你", "您", "该", "了", "啲", "点", "快d"),
    *("\U0001f64f", "\U0001f642", "\U0001f60a", "\U0001f44d"),
)


def _without_courtesy(norm: str) -> str:
    """``norm`` with a greeting before the request and thanks after it blanked."""
    start, end = _request_span(norm)
    if start == 0 and end == len(norm):
        return norm  # (most messages)
    if start > 0 and _LEADING_NO.match(norm[start:]):
        start = 0  # ("hello! no ! first time here, buy…": a "no" after a greeting answers nothing)
    return " " * start + norm[start:end] + " " * (len(norm) - end)


def without_greeting(text: str) -> str:
    """``text`` without the greeting that opens it ("hi, actually 26" → "actually 26"): what
    the dialogue's rules anchored at the start of a reply read."""
    m = _GREETING_FIRST.match(normalize(text))
    return text[m.end() :] if m is not None and m.end() < len(text) else text


_GREETING_FIRST = re.compile(rf"^\s*(?:{_GREETINGS})[\s!,.~;:，。！、]+")


#: A greeting that opens the message ("Morning! buy…", "Good evening. Please…"): no time.
_GREETING = re.compile(r"^\s*(?:good\s+)?(?:morning|afternoon|evening)\s*[!,.~;:]+")

#: "can help me buy 0.25 ETH or not", "… can or not": a question tag at the end, no denial.
_QUESTION_TAG = re.compile(r"(?:\bcan\s+)?\bor\s+not\s*[?!.]*\s*$|[，,]?\s*好唔好\s*[？?!]*\s*$")

#: An aside in a clause of its own that says how the customer feels or that what was said
#: stands ("…, can't believe I'm doing this", "唔想玩了", "冇錯", "no end date"): a negation
#: in it denies nothing of the request.
_ASIDE = re.compile(
    r"(?:^|(?<=[\s,.;!?，。；！？…~(（]))(?:"
    r"can['’]?t\s+believe\s+i['’]?m\s+doing\s+this|don['’]?t\s+ask|nothing\s+fancy"
    r"|no\s+end\s+date|(?:i\s+)?(?:don['’]?t|do\s+not)\s+(?:wanna|want(?:\s+to)?)\s+"
    r"(?:get\s+rekt|lose\s+(?:(?:any\s+|my\s+)?money|too\s+much|everything|it\s+all))"
    r"|我?[唔不]想再?玩(?:喇|了|啦)?|唔想再睇|不想再看|唔捱(?:喇|了)?|冇错|没错|不留分毫"
    r"|不成功便成仁|[别唔]好?问|(?:暂时)?不设期限"
    # "如果串错字请见谅", "我不太会弄", "听朋友说会涨", "I never should have bought them"
    r"|如果?[串打拼写][错錯]字?[，,]?\s*(?:请|請)?(?:[见見]|原)[谅諒]|我?不太?会(?:弄|用|操作)"
    r"|听?朋友说(?:会|要)?涨|i\s+(?:never\s+should|should\s+never)\s+have\s+(?:bought|sold)"
    r"(?:\s+(?:it|them|that|those))?"
    # "I have decided it is not for me", "I am only asking, not buying", "頂唔順",
    # "我唔肯定串法啱唔啱"
    r"|(?:i\s+have\s+decided(?:,?\s+after\s+some\s+thought)?,?\s+)?(?:that\s+)?"
    r"it(?:\s+is|['’]s)\s+not\s+for\s+me"
    r"|i(?:\s+am|['’]m)\s+only\s+asking(?:,?\s+not\s+(?:buying|selling|trading))?"
    r"|顶唔顺|我?[唔不](?:肯定|确定)(?:串法|拼法|拼写|写法)(?:啱唔啱|对不对|有冇错|有没有错)?"
    r"|i\s+(?:can['’]?t|cannot)\s+watch\s+(?:it|the\s+(?:screen|market|charts?))(?:\s+all\s+day)?"
    r"|(?:i\s+)?(?:don['’]?t|do\s+not)\s+(?:wanna|want\s+to)\s+move\s+the\s+(?:book|market|price)"
    r"|it['’]?s\s+not\s+going\s+anywhere|nothing\s+crazy|not\s+what\s+they\s+used\s+to\s+be"
    r"|(?:i\s+)?(?:don['’]?t|do\s+not)\s+want\s+to\s+catch\s+a\s+falling\s+knife|[拿守]不住了?"
    r"|(?:受不了|扛不住|顶不住|忍不了|撑不住|不扛)了?"
    r"|(?:i\s+)?(?:don['’]?t|dont|do\s+not)\s+(?:wanna|want\s+to)\s+miss\s+(?:out|the\s+(?:move|boat|pump|rally))"
    r"|when(?:ever)?\s+you\s+(?:are|['’]re)\s+ready|when\s+you\s+(?:have|get)\s+a\s+(?:moment|minute|chance)"
    r"|at\s+your\s+(?:earliest\s+)?convenience|there\s+is\s+no\s+(?:hurry|rush)(?:\s+at\s+all)?"
    r"|no\s+(?:hurry|rush)"
    r"|not\s+(?:send|transfer|withdraw)\s+it\s+anywhere"
    r"|(?:i['’]?m\s+|i\s+am\s+)?new\s+(?:(?:to|at)\s+(?:this|stop\s+loss(?:es)?|crypto|trading"
    r"|limit\s+orders)|here)"
    r"|i\s+don['’]?t\s+think\s+it['’]?s\s+going\s+anywhere|应该不会亏太多吧?"
    r"|(?:don['’]?t|do\s+not)\s+touch\s+the\s+rest|does\s+that\s+work"
    r"|so\s+(?:that\s+)?i\s+(?:don['’]?t|do\s+not)\s+(?:buy|sell|pay)(?:\s+(?:everything|it\s+all"
    r"|all\s+of\s+it))?\s+at\s+(?:a\s+(?:bad|poor|single)|one)\s+price"
    # how a careful customer invests or checks: "I prefer to invest a little at a time", "I
    # shall check on it each weekend", "我沒有時間整天看著", "我承受不起更大的損失"
    r"|i\s+(?:prefer|like)\s+to\s+(?:invest|buy)\s+a\s+little\s+at\s+a\s+time"
    r"|i(?:\s+will|\s+shall|['’]ll)\s+check\s+on\s+it\s+(?:each|every)\s+(?:weekend|week|day|evening)"
    r"|我?没有?时间(?:整天|成日)?(?:看|睇|盯)[着著住]?|我?承受不起(?:更大|更多)的?损失"
    r"|我?不想[蚀亏]太多|(?:这样)?亏不多吧"
    # what a careful customer will not do: "I shan't be watching the screen every day, you
    # see", "I shan't be needing it any more", "I shan't chase the price", "I shan't take less"
    r"|i\s+shan['’]?t\s+be\s+watching\s+(?:it|the\s+screen)(?:\s+every\s+day)?(?:,?\s+you\s+see)?"
    r"|i\s+shan['’]?t\s+be\s+needing\s+it\s+any\s?more|i\s+shan['’]?t\s+chase\s+the\s+price"
    r"|i\s+shan['’]?t\s+take\s+less(?:\s+than\s+that)?"
    # a question beside the request that changes nothing of it: the preview shows fees
    r"|(?:会不会|是不是)太多了?|(?:请问)?手续费(?:是)?多少钱?"
    r"|(?:and\s+)?(?:what['’]?s|what\s+is|how\s+much\s+is)\s+the\s+(?:fee|fees|commission)"
    # "if I am not mistaken", "I do hope that is not too complicated", "I don't understand it
    # anymore", "I will wait if it is not there yet": what the customer thinks, nothing denied
    r"|if\s+(?:i\s+am|i['’]?m|im)\s+not\s+mistaken"
    r"|i\s+(?:do\s+)?(?:hope|trust)\s+(?:that|this|it)\s+(?:is|['’]s)\s+not\s+too\s+(?:complicated|difficult"
    r"|confusing|much\s+trouble)"
    r"|i(?:\s+will|\s+shall|['’]ll)\s+wait\s+if\s+it\s+(?:is|['’]s)\s+not\s+there\s+yet"
    # "I understand it may never happen, and that is perfectly fine", "跌唔到都冇所謂",
    # "Until then, please do nothing at all", "未跌到之前請不要有任何動作": a trigger's wait
    r"|i\s+understand\s+(?:that\s+)?it\s+may\s+never\s+happen(?:[\s,]+and\s+that\s+is"
    r"\s+(?:perfectly\s+)?(?:fine|all\s+right|ok(?:ay)?))?|跌唔到都冇所谓"
    r"|until\s+then,?\s+(?:please\s+)?do\s+nothing(?:\s+at\s+all)?|未跌到之前请?不要有任何动作"
    # "I would rather not touch my Hong Kong dollars for this one" (paid with what is named),
    # "I hope nothing can go too badly wrong", "the ones my son keeps talking about at
    # dinner", "I read in the newspaper that buying a little at a time is safer", "我唔識揀價錢",
    # "我年紀大唔係好識用", "輸咗都唔緊要", "唔好一次過沽" (spread, as the request says)
    r"|i\s+would\s+rather\s+not\s+touch\s+my\s+(?:hong\s+kong\s+dollars|hkd|us\s+dollars|usd|usdt)"
    r"(?:\s+for\s+this\s+one)?|i\s+(?:do\s+)?hope\s+nothing\s+(?:can\s+|will\s+)?go(?:es)?\s+(?:too\s+)?"
    r"(?:badly\s+)?wrong|i\s+(?:do\s+)?hope\s+the\s+price\s+will\s+not\s+be\s+too\s+different"
    r"(?:\s+by\s+the\s+time\s+the\s+order\s+goes\s+through)?"
    r"|(?:could\s+you\s+)?(?:kindly\s+)?let\s+me\s+know\s+(?:once|when)\s+it\s+(?:has\s+gone\s+through|is\s+done"
    r"|has\s+filled|fills)|at\s+(?:the\s+)?(?:dinner(?:\s+table)?|lunch|breakfast|mahjong(?:\s+table)?)"
    r"|(?:i\s+read\s+(?:in\s+the\s+(?:newspaper|paper)\s+)?that\s+)?buying\s+a\s+little\s+at\s+a\s+time"
    r"\s+is\s+safer|我?唔[识識]揀价钱|我?年[纪紀]大唔系好[识識]用|[输輸]咗都唔紧要"
    r"|唔好一次过(?:沽|卖|买)(?:晒)?"
    r"|应该没问题吧|(?:sorry,?\s+)?i\s+am\s+not\s+used\s+to\s+typing\s+arrows(?:\s+on\s+this\s+keyboard)?"
    # "I have been thinking it over for a week and I am now ready", "I have never done this on
    # my own before", "我可以慢慢等，不急": the customer's state, no condition or time
    r"|i\s+have\s+been\s+thinking\s+(?:it\s+over|about\s+it)\s+for\s+a\s+(?:week|while|few\s+days)"
    r"(?:\s+and\s+i\s+am\s+now\s+ready)?|i\s+have\s+never\s+done\s+this(?:\s+on\s+my\s+own"
    r"|\s+by\s+myself)?\s+before|我?可以慢慢等|不急"
    # "Buy, of course. I'm sorry for not saying so.": an apology, nothing denied
    r"|(?:i['’]?m\s+|i\s+am\s+)?sorry\s+(?:for|about)\s+not\s+(?:saying|mentioning|making)"
    r"\s+(?:so|that|it)(?:\s+clear)?"
    # "since the price has come down from around HK$600,000 last month": a past price
    r"|(?:since\s+)?the\s+price\s+(?:has|had)\s+(?:come|gone|fallen|dropped|risen|climbed)"
    r"(?:\s+(?:down|up))?\s+from\s+(?:around\s+|about\s+)?(?:hk\$|us\$|\$)?[\d,.]+k?"
    r"(?:\s+(?:last|a)\s+(?:week|month|year))?"
    # "been bagholding for 2 years": how long it was held, no amount
    # "…, so that I do not push the price up": why it is spread, nothing denied
    r"|so\s+(?:that\s+)?(?:i|we)\s+(?:do\s+not|don['’]?t)\s+(?:push|move|drive|upset)\s+(?:the\s+)?"
    r"(?:price|market)(?:\s+(?:up|down))?"
    r"|so\s+(?:that\s+)?(?:i|we)\s+(?:do\s+not|don['’]?t)\s+(?:receive|get)\s+a\s+(?:poor|bad)\s+price"
    # "…; if it never gets there, so be it": a limit may not fill, as every limit
    r"|if\s+it\s+(?:never\s+gets\s+there|(?:does\s+not|doesn['’]?t)\s+(?:fill|get\s+there))"
    r"(?:[\s,]+(?:so\s+be\s+it|that\s+is\s+(?:quite\s+)?all\s+right|that['’]?s\s+(?:fine|ok(?:ay)?)))?"
    r"|我?(?:已经?决定)?(?:[唔不]想|不打算|不再)再?(?:持有|拿|揸)(?:喇|了|啦)?"
    # a beginner's check beside the request: "is that how limit orders work?", "not sure if
    # it's spelled like that", "my friend said it's good", "I hope that notation is clear"
    r"|is\s+that\s+how\s+(?:a\s+)?(?:limit|stop|stop[- ]limit|market)\s+orders?\s+works?"
    r"|not\s+sure\s+if\s+it['’]?s\s+(?:spelled|spelt|written)\s+(?:like\s+that|right|correctly)"
    r"|my\s+friend\s+(?:said|says)\s+it['’]?s\s+(?:good|great)"
    r"|i\s+hope\s+that\s+notation\s+is\s+clear(?:\s+enough)?"
    r"|so\s+(?:that\s+)?i\s+(?:don['’]?t|dont|do\s+not)\s+lose\s+(?:too\s+much|much|everything|it\s+all"
    r"|(?:any\s+|my\s+)?money)"
    r"|(?:i\s+)?(?:don['’]?t|dont|do\s+not)\s+(?:wanna|want\s+to)\s+(?:mess\s+up|affect|disturb|move"
    r"|upset)\s+the\s+"
    r"(?:price|market|book)"
    r"|sorry\s+if\s+(?:i\s+(?:wrote|spelt|spelled|typed)\s+it\s+(?:wrong|wrongly|incorrectly)"
    r"|this\s+is\s+a\s+(?:silly|stupid|dumb)\s+question)"
    # what a careful customer adds: "so that I need not watch the screen all day", "I am
    # content to wait", "I cannot afford to lose more than that", "That would be a good
    # profit", "I no longer wish to hold it at all", "這樣我會比較放心"
    r"|so\s+(?:that\s+)?i\s+(?:need\s+not|do\s+not\s+(?:have|need)\s+to|don['’]?t\s+(?:have|need)"
    r"\s+to)\s+watch\s+(?:it|the\s+(?:screen|market|price))(?:\s+all\s+day)?"
    r"|so\s+(?:that\s+)?i\s+(?:do\s+not|don['’]?t)\s+(?:(?:pay|spend)\s+too\s+much"
    r"(?:\s+in\s+one\s+go|\s+at\s+once)?|sell\s+(?:it\s+|them\s+)?too\s+cheap(?:ly)?"
    r"(?:\s+in\s+a\s+panic)?)"
    r"|i\s+(?:am|['’]m)\s+(?:content|happy|willing|prepared)\s+to\s+wait(?:\s+until\s+someone\s+pays"
    r"\s+(?:that|it))?|i\s+(?:can|don['’]?t\s+mind"
    r"(?:\s+to)?)\s+wait(?:ing)?"
    r"|i\s+(?:cannot|can['’]?t)\s+afford\s+to\s+lose\s+(?:any\s+)?(?:more|much\s+more)"
    r"(?:\s+than\s+that)?"
    r"|that\s+would\s+be\s+a\s+(?:good|nice|decent|tidy)\s+profit"
    r"|i\s+no\s+longer\s+(?:wish|want)\s+to\s+(?:hold|keep|own)\s+(?:it|them|(?:quite\s+)?so\s+much)"
    r"(?:\s+at\s+all)?"
    r"|if\s+(?:that|it)\s+can\s+be\s+done(?:\s+in\s+one\s+(?:step|go))?"
    r"|(?:这样)?我会?比较放心|我下个月要交租|其余的?暂时不动|其他的?先不动"
    # a polite "if" that sets no condition: "if thats ok", "if that is no trouble", "if
    # possible", "if you would be so kind"
    r"|if\s+(?:that['’]?s|thats|that\s+is|it['’]?s|its)\s+(?:ok(?:ay)?|alright|all\s+right"
    r"|fine|possible|no\s+trouble)|if\s+(?:at\s+all\s+)?possible"
    r"|if\s+you\s+(?:would\s+be\s+so\s+kind|don['’]?t\s+mind|do\s+not\s+mind|please)"
    r"|(?:my\s+)?(?:eyes|eyesight)\s+(?:are|is)\s+not\s+what\s+(?:they|it)\s+(?:were|was"
    r"|used\s+to\s+be)"
    # an apology for the spelling: "I do apologise if I have spelt it wrongly"
    r"|(?:i\s+)?(?:do\s+)?(?:apologi[sz]e|apologies)\s+if\s+i\s+(?:have\s+)?(?:mis)?spel(?:t|led)\s+"
    r"(?:it|that|the\s+name)(?:\s+(?:wrongly|wrong|incorrectly|correctly))?"
    r"|(?:please\s+)?(?:forgive|excuse|pardon)\s+(?:me\s+)?(?:the|my)\s+spelling"
    r"|(?:sorry|apologies)\s+(?:for|about)\s+(?:the|my)\s+spelling"
    r"|(?:i['’]?m|i\s+am)\s+not\s+(?:certain|sure)\s+(?:if\s+|that\s+)?(?:that['’]?s|that\s+is"
    r"|it['’]?s|it\s+is)?\s*how\s+(?:it\s+is|it['’]?s|you|to)\s+spel\w*(?:\s+it)?"
    # slang that says how the trader feels: "frogs only go up", "ngmi if i don't", "im done"
    r"|(?:frogs|it|number)\s+only\s+goe?s?\s+up|ngmi(?:\s+if\s+i\s+don['’]?t)?|wagmi"
    r"|i['’]?m\s+done|im\s+done|(?:lol\s+)?don['’]?t\s+judge(?:\s+me)?"
    r"|(?:i\s+)?need\s+to\s+pay\s+(?:the\s+|my\s+)?(?:rent|renovation\s+man|builder|plumber|bills?"
    r"|school\s+fees)|(?!(?:not|no|never|tomorrow|today|tonight|later)\b)[a-z][a-z0-9]*\s+rotation\s+szn"
    r"|(?<!no\s)(?<!not\s)(?<!dont\s)(?<!don't\s)(?<!don’t\s)send\s+it"  # ("no send it": denied)
    r"|(?:i['’]?ve\s+)?been\s+(?:bag\s?holding|holding|hodling)(?:\s+(?:it|them))?"
    r"(?:\s+for\s+(?:\d+|a|an|one|two|three|four|five|six)\s+(?:years?|months?|weeks?)|\s+forever)"
    r")(?:\s+(?:haha+|lol|lmao))?(?=\s*(?:$|[,.;:!?，。；：！？…~)）\U0001F000-\U0001FAFF\u2600-\u27BF]))"
)

_RELATIVES = (
    r"(?:grand)?(?:son|daughter|child|children|kids?)|nephew|niece|husband|wife|partner"
    r"|friends?|neighbou?r|colleague|brother|sister|mother|father|mum|mom|dad|cousin|boss"
)
#: A sentence about someone else, or about what the customer will not do, with no number
#: and no verb of a request in it: "My son uses Telegram every day and told me about it."
#: Its words of habit (``_HABIT``) are no schedule; its coins stay ("My daughter says
#: Chainlink is sensible. Please buy US$150 of it").
_THIRD_PARTY = re.compile(
    r"(?:(?:^|(?<=[.;!?。；！？]))\s*(?:(?:my|our)\s+(?:" + _RELATIVES + r")\b"
    # "I shan't be watching the screen every day, you see": what the customer will not do
    r"|i\s+(?:shan['’]?t|shall\s+not|won['’]?t|will\s+not|can['’]?t|cannot|don['’]?t"
    r"|do\s+not|am\s+not|['’]?m\s+not|never)\b"
    # "I am tired of watching the price every single day": how the customer feels
    r"|i\s*(?:am|['’]m)\s+(?:so\s+|quite\s+|rather\s+|very\s+)?(?:tired|sick|fed\s+up|worried"
    r"|nervous|scared|stressed)\b)"
    # … or said on, without a full stop: "buy HK$1,500 of Toncoin my son uses Telegram every day"
    r"|(?<=\s)(?:my|our)\s+(?:" + _RELATIVES + r")\s+(?=(?:uses|told|tells|says|said|has|likes"
    r"|loves|recommended|mentioned|keeps|trades|bought)\b))"
    r"(?![^.;!?。；！？]*\b(?:buy|sell|swap|convert|invest|purchase|trade|cancel)\b"
    r"(?!\s+(?:it|them)\b))"
    r"[^.;!?。；！？\d]*(?=[.;!?。；！？]|$)"
)
_THIRD_PARTY_HINT = re.compile(_RELATIVES + r"|\bi\b")
_HABIT = re.compile(
    r"\b(?:every|each)\s+(?:single\s+)?(?:day|week|month|morning|evening|night|weekend)s?\b"
    r"|\b(?:daily|weekly|monthly|nightly)\b"
)


#: "I bought it five years ago and I think it is time…": a story of a past trade, no request.
_PAST_PURCHASE = re.compile(
    r"(?:^|(?<=[\s,.;!?]))i\s+(?:bought|purchased)\s+(?:it|them|some|mine)\s+"
    r"(?:(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few|\d+)\s+)?"
    r"(?:years?|months?|weeks?|days?|while)\s+ago\b(?:\s+and\b)?"
)


#: A trade reported as done ("i bought it by mistake", "上周卖了2个sol", "尋日買咗1粒ETH"), up to
#: its clause's end, when no request follows in that clause: a story, no request.
_PAST_REPORT = re.compile(
    r"(?:^|(?<=[\s,.;!?]))(?P<why>(?:i\s+)?(?:never|don['’]?t|do\s+not|didn['’]?t)\s+(?:really\s+)?"
    r"(?:understood|understand|know|knew)\s+why\s+)?"
    r"(?:(?<!if\s)(?<!when\s)(?<!once\s)(?<!had\s)(?:i|we)\s+"
    r"(?:(?:just|already|have|['’]ve|recently|also|only|not|never|don['’]?t|dont|不要)\s+)*"
    r"(?=bought|sold|purchased)"
    # ("aped 1 eth at 3.3k last week": a verb of slang, reported with its time)
    r"|(?=(?:bought|sold|aped|grabbed|scooped|dumped|picked\s+up|got)\b(?:[^.;!?]|\.(?=\d))*"
    r"\b(?:yesterday|last\s+(?:week|wk|month|mth|year|yr|night|time)|ago)\b))"
    r"(?:bought|sold|purchased|aped|grabbed|scooped|dumped|picked\s+up|got)\b"
    r"(?![^.;!?,]*\b(?:buy|sell|swap|convert|purchase|cancel|get)\b)(?:[^.;!?,]|[.,](?=\d))*"
    r"|(?:昨天|昨日|前天|上周|上星期|上个?礼拜|上个?月|去年|旧年|舊年|上年|前年|寻日|尋日|琴日|噚日|上次|早前|之前"
    r"|已经|啱啱|刚刚|刚才|我刚)"
    r"(?:[^，。,;；!！?？买卖入沽出换]{0,12}(?:买|卖|入|沽|出|换|亏|赚|蚀)(?:了|咗|过)[^，。,;；!！?？]*"
    # "上个月买的0.1个btc帮我卖了": what was bought then, named (the verb is no request)
    r"|[^，。,;；!！?？买卖入沽出换]{0,6}(?:买|入)(?:的|嘅|咗嘅))"
)


#: The words without which ``_PAST_REPORT`` cannot match.
_PAST_REPORT_HINT = re.compile(
    r"bought|sold|purchased|ago|last|昨|前天|上|去年|旧年|舊年|前年|寻日|尋日|琴日|噚日|早前|之前|已经|啱啱|刚"
)


def _story(m: re.Match[str]) -> str:
    """A reported trade blanked, but for what no aside may hide: a denial or a time stays to be
    read ("I not bought them" refuses), and a number leaves a "0" that no role accepts, so the
    message asks rather than drop it ("I bought it at 9": was 9 a price, or a count?)."""
    text = m.group()
    out = [" "] * len(text)
    for said in _DENIES_OR_WHEN.finditer(text, (m.end("why") - m.start()) if m.group("why") else 0):
        out[said.start() : said.end()] = said.group()
    digit = _A_NUMBER.search(text)
    if digit is not None:
        out[digit.start()] = "0"
    return "".join(out)


#: A digit, or a Chinese numeral standing apart from Chinese words ("I bought 三 it …").
_A_NUMBER = re.compile(
    r"\d|(?<![\u4e00-\u9fff])[〇零一二两三四五六七八九十百千万亿]+(?![\u4e00-\u9fff])"
)


#: Where a coin's price is now, said in a clause of its own ("btc at 65k rn crazy, buy 0.01",
#: "… sol's at 42 atm", "(eth at 3,200 now)", "eth现在3200，买1个"): what the market does,
#: no price, amount or condition of the request. The coin is kept (it may be the only one
#: named); a clause with neither "is" nor a word of now ("eth at 3200, sell 1") is no remark.
_PRICE_NOW = re.compile(
    r"(?:^|(?<=[,.;!?(])|(?<=\btold\sme\s)|(?<=\bsays\s)|(?<=\bsaid\s)|(?<=\bthat\s))"
    r"(?P<coin>\s*(?:the\s+price|price|it|[a-z][a-z0-9]{1,11}))"
    r"(?P<said>(?P<is>['’]s|\s+is)?(?:\s+(?:at|@|around|about|like|roughly|only|just|still"
    r"|already|trading\s+at|sitting\s+at|currently|now|rn))*\s*\$?(?:\d{1,3}(?:,\d{3})+|\d+)"
    r"(?:\.\d+)?k?(?:\s*(?:usd|usdt|dollars|bucks|u))?"
    r"(?:\s+(?:rn|right\s+now|now|atm|currently|at\s+the\s+moment|today|lol|lmao|crazy|wild"
    r"|tho|ngl|smh|haha|already|i\s+think|i\s+believe|i\s+guess|apparently|or\s+so))*"
    # ("btc is at like 67k right now which seems high but ok, please buy 0.005")
    # (words only, none that acts, denies or says when)
    r"(?:\s+(?:which|that)\s+(?![^,.;!?]*\b(?:buy|sell|get|grab|swap|convert|not|no|never"
    r"|don['’]?t|dont|tomorrow|tonight|later)\b)[a-z'’ ]*)?)"
    # (the clause ends at its stop, or after its word of now: "eths at 3.2k rn grab 1")
    r"\s*(?=[,;!?)]|\.(?!\d)|$|(?<=\brn)\s|(?<=\bnow)\s|(?<=\batm)\s)"
    r"|(?:^|(?<=[,.;!?(]))(?P<before>\s*[^,.;!?()]{0,12}?)(?P<zh>(?:现在|而家|依家|宜家|目前|现价)"
    r"(?:是|系|喺|在|大概|大约|约|啱啱)*\s*(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
    r"|[一二两三四五六七八九十百千万零〇]+)\s*"
    r"(?:万\d*|w\d*|k|千\d*)?(?:左右|上下|附近)?(?:蚊|刀|u|美金|块)?)\s*(?=[,;!?)]|\.(?!\d)|\s|$)"
    # "ETH 3.2k了 先买1个", "大饼7万了，…": where a named coin has got to
    r"|(?:^|(?<=[,.;!?(]))(?P<reached>\s*(?:[a-z][a-z0-9]{1,11}|[\u4e00-\u9fff]{1,4}?))"
    r"(?P<le>\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*(?:万|w|k|千)?\s*了)(?=[,;!?)]|\.(?!\d)|\s|$)"
)
_PRICE_NOW_HINT = re.compile(
    r"\brn\b|\bnow\b|currently|\batm\b|moment|today|\bis\b|['’]s\b|现在|而家|依家|宜家|目前|现价|了"
)
#: A price said as now, or as the customer believes it is.
_NOW_WORD = re.compile(r"\b(?:rn|now|atm|currently|moment|today|think|believe|guess|apparently)\b")


def _observed(m: re.Match[str]) -> str:
    """A remark on where the price is now, blanked; its coin kept unless the message names it
    again where it acts ("sui is 0.5 rn. close out my SUI bag"). Only after a coin's name,
    "it" or "the price", and with "is" or a word of now: "sell at 3200 rn, 1 eth" and "eth at
    3200, sell 1" are limits. Said with "is" and no word of now, its number is asked about."""
    kind = "zh" if m.group("zh") is not None else "le" if m.group("le") is not None else "en"
    coin_group, said_group = _OBSERVED_GROUPS[kind]
    coin = m.group(coin_group).strip()
    named = tokenize(coin)
    code = named[0].code if len(named) == 1 and named[0].tag in "AQ" else ASSET_ALIASES.get(coin)
    if kind == "le" and (code is None or not _whole_coin(coin, named)):
        # ("姨太赚够7了"): only where a named coin has got to; else its number is asked about
        return _REMARK_NUMBER.sub(_unreadable_number, m.group())
    ended_by_space = kind == "le" or m.string[m.end() : m.end() + 1].isspace()
    if kind != "en" and ended_by_space and " " in m[said_group].strip():
        # ended by a space, a remark is written close: "eth而家3200 入1个" ("现在 7 就买": 7 is
        # a number put apart, the request's)
        return m.group()
    now = kind != "en" or _NOW_WORD.search(m.group("said")) is not None
    if kind == "en" and code is None and not named and coin not in ("it", "price") and now:
        # "dots at 65k rn buy 20 dot": a word we cannot read, with a price now: asked
        return _REMARK_NUMBER.sub(_unreadable_number, m.group())
    if (
        kind == "en"
        and (
            (m.group("is") is None and not now)
            or (code is None and coin not in ("it", "price", "the price"))
            # (ended by a space after its word of now: "sol 3 now go" is 3 SOL, "eth at 3k rn
            # grab 1" a remark)
            or (m.string[m.end() : m.end() + 1].isspace() and not _AT_A_PRICE.search(m["said"]))
        )
    ):
        return m.group()
    if not now:  # "doge is 7, rotate my doge into eth": a price, or a count? asked
        return _REMARK_NUMBER.sub(_unreadable_number, m.group())
    elsewhere = m.string[: m.start()] + " " + m.string[m.end() :]
    named_again = code is not None and any(
        t.tag in "AQN" and t.code == code for t in tokenize(elsewhere)
    )
    # ("it's at 65k rn": "it" goes with the remark)
    whole = named_again or (code is None and kind == "en")
    start = m.start(coin_group if whole else said_group)
    return m.string[m.start() : start] + " " * (m.end() - start)


def _whole_coin(coin: str, named: list[Token]) -> bool:
    """Whether ``coin`` is a coin's name and nothing more ("姨太赚够" is more)."""
    return coin in ASSET_ALIASES or (len(named) == 1 and named[0].end - named[0].start == len(coin))


_AT_A_PRICE = re.compile(r"['’]s\b|\b(?:is|at|around|about|like|trading|sitting)\b|@")
#: The groups of ``_PRICE_NOW`` that hold the coin and what is said of it, by the kind of remark.
_OBSERVED_GROUPS = {"en": ("coin", "said"), "zh": ("before", "zh"), "le": ("reached", "le")}


#: A denial or a later time, which no aside may hide.
_DENIES_OR_WHEN = re.compile(
    r"\b(?:not|no(?!\s+longer)|never|don['’]?t|dont|tomorrow|tonight|later|today)\b"
    r"|不|别|唔|未|明天|明日|听日|聽日|今晚|后天|下周|下星期"
)


#: How long the coin was held ("Polkdot 清仓 拿了两年了吐了"), and a choice
#: not made yet ("ape 1 eth into... hmm havent decided what yet"): no amount, no time.
_HELD_FOR = re.compile(
    r"(?:(?:拿|捂|揸)住?了|持有了?)(?:快|差不多|将近)?[\d一二两三四五六七八九十半几]+多?"
    r"(?:年|个月|个星期|周|天)了?"
    r"|(?:hmm+\s+)?(?:i\s+)?(?:haven['’]?t|have\s+not|havent)\s+decided\s+(?:what|which|yet|how\s+much"
    r"|on\s+the\s+(?:sum|amount|size))\b"
    r"(?:\s+yet)?"
)


#: Whom funds could be sent to (lexicon: a transfer), in a sentence about them: its subject.
_RELATIVE_DESTINATION = re.compile(r"\b(?:" + "|".join(RELATIVES_SENT_TO) + r")s?\b")
#: What a relative only told or holds ("my friend has some", "keeps talking about it"), and
#: the words that would make them a recipient ("my friend will get it", "to his account").
_HEARSAY = re.compile(
    r"\b(?:has|have|had|owns?|bought|talks?|talking|told|tells|says|said|recommended"
    r"|recommends|mentioned)\b"
)
_RECIPIENT = re.compile(
    r"\b(?:to|for|him|her|his|their|them|account|give|gets?|getting|receive|wants?|needs?)\b"
)


def _without_asides(norm: str) -> str:
    """``norm`` with the words that say nothing about the request blanked (offsets kept):
    asides, a sale's reasons beside a sale, and what a sentence about someone else says of
    habits and of whom it is about."""
    for says_nothing, hint in _SAYS_NOTHING:
        if hint is None or hint.search(norm):
            norm = says_nothing.sub(_blank, norm)
    if _PAST_REPORT_HINT.search(norm):
        norm = _PAST_REPORT.sub(_story, norm)
    # (a remark is a clause of its own: only a message of two clauses may hold one)
    clauses = _CLAUSE_SEPARATOR.search(norm) is not None
    if _PRICE_NOW_HINT.search(norm):
        observed = _PRICE_NOW.sub(_observed, norm)
        if observed != norm:  # (a second remark, told after the first: "btc 65k了 eth而家3200,")
            observed = _PRICE_NOW.sub(_observed, observed)
        norm = observed
    if _SALE_HINT.search(norm):
        norm = _SALE_REASON.sub(_blank, norm)
    if "alone" in norm:
        norm = _LEFT_ALONE.sub(_not_that, norm)
    if "上" in norm:
        norm = _UP_TO.sub("升", norm)  # "大饼上7万就下车": rises to 70,000
    if _THIRD_PARTY_HINT.search(norm) and (
        _HABIT.search(norm) or _RELATIVE_DESTINATION.search(norm)
    ):
        norm = _THIRD_PARTY.sub(_their_story, norm)  # "My son uses it every day."
    if clauses and _REMARK_HINT.search(norm):
        norm = _REMARK_CLAUSE.sub(_remark, norm)
    return norm


_CLAUSE_SEPARATOR = re.compile(r"[,.;!?(]")
#: A clause that tells something ("lost 30% on link already", "eth pumped 15% overnight",
#: "i have 500 usdt left", "i'm 45 btw", "btc年底到10万", "拿了btc两年了"): a statement, by its
#: verb, with a number and no word of the request.
_REMARK_CLAUSE = re.compile(r"(?:[^,.;!?]|(?<=\d)[.,](?=\d))+")
#: The Chinese verbs of a statement: a move, a loss or gain, a holding, a year.
_ZH_STATEMENT = "跌了|涨了|升了|跌咗|升咗|涨咗|亏了|赚了|蚀咗|赚咗|蚀了|今年|拿了|揸咗|年底|明年"
_REMARK_HINT = re.compile(
    r"\b(?:i['’]?m|am|have|got|hold|own|lost|made|gained|pumped|dumped|dropped|rose|fell|crashed"
    r"|mooned|bled|tanked|rallied|jumped|spiked|up|down|eoy|fees?|commission)\b|" + _ZH_STATEMENT
)
#: (not "is": "0.05 is enough" gives the amount; not "I have": "I have HK$5,000, buy BTC
#: with it" spends it; "I'm" only before an age: "i'm in for 500 usd of sol")
_STATEMENT = re.compile(
    r"\b(?:(?:i['’]?m|i\s+am)(?=\s+\d+\s*(?:btw|years?|yrs?|yo|y/o|old|$))"  # an age
    r"|lost|made|gained|pumped|dumped|dropped|rose|fell|crashed|mooned|bled|tanked|rallied"
    r"|jumped|spiked|eoy|(?:fees?|commission)\s+(?:is|are|was|were)"
    r"|i\s+(?:have|got|hold|own)(?=[^,.;!?]*\b(?:left|already|in\s+my\s+(?:wallet|account)))"
    r"|(?:up|down)(?=\s+(?:\d|about|around|like|over|almost|nearly))"
    r"|(?:up|down)(?=[^,]*\b(?:today|this\s+week|overnight|yesterday|since|already|so\s+far)))\b|"
    + _ZH_STATEMENT
)
#: What makes a clause part of the request: a verb, a price's word, a condition, a schedule.
_REMARK_BREAKERS = frozenset("BSCDgtX~@LKJGRZiEFOr#^")
#: (a Chinese numeral only before its unit: "赚了一点" holds none)
_REMARK_NUMBER = re.compile(
    r"\d[\d.,]*|[〇零一二两三四五六七八九十百千万亿]+(?=[个粒万千百块元港美刀蚊年月周天岁%])"
)


def _remark(m: re.Match[str]) -> str:
    """A remark's numbers made ones no role accepts ("lost 30% on link already, flatten my
    link" is no sale of 30%): the message asks, rather than read them into the request."""
    clause = m.group()
    if (
        not _REMARK_NUMBER.search(clause)
        or not _STATEMENT.search(clause)
        or any(t.tag in _REMARK_BREAKERS for t in tokenize(clause))
    ):
        return clause
    return _REMARK_NUMBER.sub(_unreadable_number, clause)


#: 上 before a level and what is then done: a rise to it ("大饼上7万就下车0.2个").
_UP_TO = re.compile(
    r"(?<![冲衝升涨漲拉站爬飙飆返])上(?=\s*[\d.一二两三四五六七八九十]+\s*(?:万|w|k|千)?\s*(?:就|再|的话|时|先))"
)
#: "leave the BTC alone; sell 4 ETH": what is left alone is denied ("not the BTC").
_LEFT_ALONE = re.compile(
    r"\bleave\s+(?:(?:the|my|our|your)\s+)?(?!(?:that|it|them|this|those|me)\b)[a-z0-9]+(\s+alone)\b"
)


#: "leave … alone" still there once the plain phrase was read: words we cannot place in it.
_LEFT_LOOSELY = re.compile(
    r"\bleave\b(?!\s+(?:that|it|them|this|those|me)\s+alone)[^.;!?。；！？]*\balone\b"
)


def _not_that(m: re.Match[str]) -> str:
    """ "leave my btc alone" → "not   my btc      " (same length)."""
    said = m.group()
    kept = said[len("leave") : m.start(1) - m.start()]
    return "not  " + kept + " " * len(m.group(1))


def _their_story(m: re.Match[str]) -> str:
    """The sentence of ``m`` (about someone else) with its words of habit blanked, and the
    relative who only told of or holds the coin: "My friend at the mahjong table keeps
    talking about it" sends nothing to the friend ("my friend will get it" still refuses)."""
    story = _HABIT.sub(_blank, m.group())
    if _HEARSAY.search(story) and not _RECIPIENT.search(story):
        story = _RELATIVE_DESTINATION.sub(_blank, story)
    return story


#: Why a customer sells, said after the sale: "I don't want it anymore", "I don't understand it
#: anymore", "我唔想再蝕", "I am rather tired of watching it go up and down every day". Beside a
#: buy they could take it back, so they are blanked only when the message sells.
_SALE_REASON = re.compile(
    r"(?:^|(?<=[\s,.;!?，。；！？]))(?:"
    r"i\s+(?:don['’]?t|dont|do\s+not)\s+(?:want|understand)\s+(?:it|them|this|that)\s+any\s?(?:more|way)"
    r"|i\s+(?:am|['’]m)\s+(?:rather\s+|quite\s+|so\s+)?tired\s+of\s+watching\s+it\s+go\s+up\s+and\s+down"
    r"(?:\s+every\s+day)?|我?唔想再[蚀蝕]"
    r")(?=\s*(?:$|[,.;:!?，。；：！？…~]))"
)
#: The sale words without which ``_SALE_REASON`` is not tried.
_SALE_HINT = re.compile(r"\b(?:sell|dump|offload|unload)\b|get\s+rid|卖|沽|清仓")


#: Words that say nothing about the request, blanked before it is read, in this order. Each
#: pattern that is not anchored has a cheap pre-check: a word it cannot match without.
_SAYS_NOTHING: tuple[tuple[re.Pattern[str], re.Pattern[str] | None], ...] = (
    (_GREETING, None),
    (_PREVIEW_FIRST, re.compile(r"show|let|confirm|shall|appreciate|落单|下单|整理|确认")),
    (_AFTERTHOUGHT, re.compile(r"once|much|太多")),
    (
        _ASIDE,
        re.compile(
            r"believe|ask|fancy|date|rekt|lose|watch|move|anywhere|crazy|used|knife|been"
            r"|so that|so i|so kind|never|fill|there|only go|ngmi|wagmi|done|judge|rent|szn"
            r"|send|if th|if it|if poss|if at all|mind|you please|spel|eye|mess|sorry if"
            r"|wait|afford|profit|longer|放心|交租|不动|miss|太多|手续费|fee|commission"
            r"|ready|moment|minute|chance|convenience|hurry|rush|new here|new to|亏|touch"
            r"|that work|how|打算|friend|notation|bad price|poor price|price ha|sorry"
            r"|玩|睇|看|捱|错|会弄|会用|会操作|朋友|唔顺|串法|拼法|拼写|写法|not for me|only asking"
            r"|分毫|成仁|问|期限|住|持有|拿|揸|受不|扛不|顶不|忍不|撑不|不扛|mistaken|hope"
            r"|understand|upset|one price|single price|at a time|check on|new at|时间|承受"
            r"|trust|决定|不再|冇所谓|until then|任何动作|thinking|never done|慢慢等|不急"
            r"|没问题|typing|touch|nothing|different|let me know|dinner|lunch"
            r"|breakfast|mahjong|a little at|揀|年|紧要|一次过|disturb|need to pay|太多|不多"
            r"|shan"
        ),
    ),
    (_LEADING_NO, None),
    (_QUESTION_TAG, re.compile(r"not|好唔好")),
    (_PAST_PURCHASE, re.compile(r"ago")),
    (_HELD_FOR, re.compile(r"拿|持有|揸|捂|decided")),
)
#: The words without which ``_EXPLAIN`` and ``_WITHDRAWN`` cannot match.
_EXPLAIN_HINT = re.compile(r"what|什么|咩|乜")
_WITHDRAWN_HINT = re.compile(r"forget|mind|nvm|scratch|jk|j/k|kidding|算了|唔好喇|唔要喇|玩笑|讲笑")

# Cheap pre-check: the full pattern only runs when one of its key words is present.
_INJECTION_HINT = re.compile(
    r"ignore|disregard|forget|bypass|override|skip|mode|you are|prompt|instruction|"
    r"confirmation|limits|without|忽略|无视|跳过|绕过|模式"
)

# ---------------------------------------------------------------------------------------------
# 2. Tokens
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Token:
    """One grammar token: a tag (see :mod:`intent.lexicon`) over ``text[start:end]``."""

    tag: str
    start: int
    end: int
    value: Decimal | None = None
    code: str = ""  # asset/currency code, time unit or unsupported reason
    unclear: str = ""  # a number's: the unknown word right after it ("100 块", "500 foo")
    meant: str = ""  # an asset's, when typed misspelt: the name it was read as ("Bitcoin")


_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# One pass over the text; the outer named groups close last, so ``lastgroup`` names the kind.
_TOKEN_RE = re.compile(
    r"(?P<clock>\d{1,2}:\d{2})(?!\d)"  # 09:00: a time of day, not a price
    r"|(?P<arrow>->|=>|→|⇒|➡)"  # ETH -> SOL
    r"|(?P<lev>\d+(?:\.\d+)?\s?x)(?![a-z0-9])"  # 10x, 5x: leverage, or times in a schedule
    r"|(?P<times>(?<![a-z0-9])x(?=\s?\d+(?!\d|[.,]\d)(?![a-z$%])))"  # x10: ten times
    r"|(?P<frac>\d{1,3}/\d{1,3})(?![\d/.,])"  # 1/2, 1/3: a share only with "of"/"my"
    r"|(?P<number>(?:(?P<cur>hk\$|us\$|\$|€)\s?)?(?P<num>" + NUMERIC_RE.pattern + r")"
    r"(?P<pct>\s?%)?(?P<suffix>u(?![a-z])|\s?\$(?![a-z]))?)"  # (not "100 $PEPE": a cashtag)
    r"|(?P<word>[a-z]+(?:['’\-][a-z]+)*)"
    rf"|(?P<cjk>[{_CJK}]+)"
    r"|(?P<cmp>[<>]=?)"  # sol < 120, eth >= 4000
    r"|(?P<sym>[$€@%:])"
)
_CJK_CHAR_RE = re.compile(rf"[{_CJK}]")
#: The lengths of the lexicon's phrases by their first word, longest first.
_PHRASE_SIZES: dict[str, tuple[int, ...]] = {
    first: tuple(sorted({len(k) for k in PHRASES if k[0] == first and len(k) > 1}, reverse=True))
    for first in {k[0] for k in PHRASES}
}
_SYMBOL_TAGS = {"@": "@", "%": "%", ":": ":"}
_SCALE_WORDS = frozenset({"hundred", "thousand", "million", "billion", "dozen"})
_HALF = {"half": Decimal("0.5"), "quarter": Decimal("0.25")}  # "half a mil", "quarter a mil"
_AND_FRACTIONS = {"half": Decimal("0.5"), "quarter": Decimal("0.25")}
_SCALES = {"hundred": Decimal(100), "thousand": Decimal(1000), "million": Decimal(10**6)}


def _asset_entry(code: str) -> Entry:
    return (("Q" if code in QUOTE_CURRENCIES else "A", code),)


# Every single English word the grammar knows, with its tags, in one table.
_WORD_TABLE: dict[str, Entry] = {
    **{alias: _asset_entry(code) for alias, code in ASSET_ALIASES.items() if alias.isascii()},
    **WORDS,  # a grammar word ("not", "me") is never a coin's ticker
}


def _emit(tokens: list[Token], entry: Entry, start: int, end: int) -> None:
    for tag, payload in entry:
        if tag == "%":  # "30 percent"; a stray percent word means nothing
            if tokens and tokens[-1].tag == "N":
                prev = tokens.pop()
                tokens.append(Token("P", prev.start, end, prev.value))
        elif tag in ("H", "N"):
            tokens.append(Token(tag, start, end, Decimal(payload)))
        else:
            tokens.append(Token(tag, start, end, None, payload))


def _word_gap_ok(text: str, end: int, start: int) -> bool:
    gap = text[end:start]
    return gap == " " or gap == "/" or gap.strip(" -\t") == ""  # ("no TP/SL")


def tokenize(text: str, original: str = "") -> list[Token]:
    """Tokens of normalized ``text``; unknown words and characters are dropped.

    ``original`` is the text as typed (same length): a coin name that is also a word
    ("near", "one") counts as the coin when it was written in capitals."""
    raw = list(_TOKEN_RE.finditer(text))
    capitals = _Capitals(original)
    words = [m["word"] for m in raw]
    tokens: list[Token] = []
    i = 0
    n = len(raw)
    while i < n:
        m = raw[i]
        kind = m.lastgroup
        if kind == "word":
            i = _word_tokens(text, raw, words, i, tokens, capitals)
            continue
        if kind == "number":
            tokens.append(_number_token(m))
        elif kind == "cjk":
            _segment_cjk(text, m.start(), m.end(), tokens)
        elif kind == "frac":
            tokens.append(_fraction_token(m))
        elif kind == "lev":
            value = parse_number(m.group().rstrip("x ")) or Decimal(0)
            tokens.append(Token("!", m.start(), m.end(), value, "leverage"))
        elif kind == "times":
            tokens.append(Token("x", m.start(), m.end()))
        elif kind == "clock":
            tokens.append(Token("T", m.start(), m.end()))
        elif kind == "cmp":
            tokens.append(Token(m.group()[0], m.start(), m.end()))
        elif kind == "arrow":
            tokens.append(Token("C", m.start(), m.end()))
            tokens.append(Token("f", m.start(), m.end()))
        else:
            sym = m.group()
            if sym == "$" and text[m.end() : m.end() + 1].isalpha():
                pass  # a cashtag ("$PEPE", "$CATZILLA"): a coin's name follows, no dollars
            elif sym in CURRENCY_SYMBOLS:
                tokens.append(Token("$", m.start(), m.end(), None, CURRENCY_SYMBOLS[sym]))
            elif sym == "%" and tokens and tokens[-1].tag == "N":
                prev = tokens.pop()  # "30 %"
                tokens.append(Token("P", prev.start, m.end(), prev.value))
            elif sym != "%":
                tokens.append(Token(_SYMBOL_TAGS[sym], m.start(), m.end()))
        i += 1
    for k in range(len(tokens) - 1):
        if tokens[k].tag == "@" and tokens[k].code == "en" and tokens[k + 1].tag == "A":
            tokens[k] = Token("f", tokens[k].start, tokens[k].end)  # "throw 250 bucks at FLOKI"
    for k in range(1, len(tokens)):
        tok, number = tokens[k], tokens[k - 1]
        if (
            number.tag == "N"
            and tok.code == "BTC"
            and number.value
            and text[tok.start : tok.end] in _SATOSHIS
        ):
            # "stack 50k sats": a hundred-millionth of a bitcoin each
            tokens[k - 1] = Token("N", number.start, number.end, number.value / _SATS_PER_BTC)
    if "万" in text or "千" in text or "亿" in text:
        tokens = _spaced_tails(text, tokens)
    if "爆" in text:
        # "大餅爆6萬8就追0.02個": bursts above a price ("爆緊", "會爆": no price, no move read)
        bursts = [Token(">", m.start(), m.end()) for m in _BURST.finditer(text)]
        tokens = sorted(tokens + bursts, key=lambda t: t.start) if bursts else tokens
    if "call" in text or "put" in text:
        tokens = _option_contracts(text, tokens)
    if " of " in text:
        tokens = _of_it(text, tokens)
    if "for" in text and _FOR_AT_END.search(text):
        tokens = _sells_for(tokens)
    # "the cardano one", "the ETH one": a pronoun naming an order, no amount of one coin;
    # "… stop at 2,950. My wife says hi.": a "my" that owns nothing we read is no holding
    tokens = [
        t
        for k, t in enumerate(tokens)
        if not _pronoun_one(text, tokens, k)
        and not (t.tag == "m" and _owns_nothing(text, tokens, k))
    ]
    for k in range(1, len(tokens) - 1):
        tok, after = tokens[k], tokens[k + 1]
        if (
            tok.tag == "c"
            and after.tag == "Q"
            and tokens[k - 1].tag == "N"
            and (_paused(text, tok, after) or _CJK_CHAR_RE.search(text, tok.end, after.start))
        ):
            # "沽出二十個，取回泰達幣", "莱特币卖3个 要usdt": of the coin named before, not
            # of USDT (a word between: "3个USDT" alone counts USDT)
            tokens[k] = Token("k", tok.start, tok.end)
    return _counted_orders(text, tokens)


_FOR_AT_END = re.compile(r"\bfor\s*(?:rn|now|right\s+now|today)?\s*[?？.!]*\s*$")


def _sells_for(tokens: list[Token]) -> list[Token]:
    """ "what would 1 eth sell for rn", "what's 1 eth sell for?": a question of what it
    fetches, its price, never the sale."""
    if len(tokens) < 3 or tokens[0].tag != "W" or (tokens[-1].tag, tokens[-1].code) != ("f", "for"):
        return tokens
    verb = tokens[-2]
    if verb.tag not in "BS":
        return tokens
    return [*tokens[:-2], Token("p", verb.start, tokens[-1].end)]


_OF_IT = re.compile(r"of\s+(?:it|them|that|those)\b")


def _of_it(text: str, tokens: list[Token]) -> list[Token]:
    """ "i have usdc, can i use 200 of it to buy uni": a number "of it" counts the one coin
    or currency named before it (not one named as where money goes: "eth to usdt, 1.2 of
    it" is ETH), whatever is named after."""
    for k in range(1, len(tokens) - 1):
        number, of = tokens[k], tokens[k + 1]
        if number.tag != "N" or number.code or of.tag != "o" or not _OF_IT.match(text, of.start):
            continue
        named = [
            t
            for j, t in enumerate(tokens[:k])
            if t.tag in "AQ" and (j == 0 or tokens[j - 1].tag != "f")
        ]
        if len({t.code for t in named}) == 1:
            tokens[k + 1] = Token(named[0].tag, of.start, of.end, None, named[0].code)
    return tokens


def _one_edit(word: str, asset: Asset) -> bool:
    """Whether ``word`` is at most one edit from a name of ``asset``."""
    names = [(alias, code) for alias, code in ASSET_ALIASES.items() if code == asset.code]
    return _one_close(word, names) is not None


_BURST = re.compile(r"爆(?=\s*[\d一二三四五六七八九两])")  # 爆 before a price: bursts above
_WORD_AFTER = re.compile(r"\s+[a-z]{2,}")  # an English word next ("u do that": you)
_CALLED = re.compile(r"(?:叫|叫做|called|named)\s*$")  # a name given as new follows
#: A coin said to be new: the name after it is never corrected to a listed one.
_NEW_COIN = re.compile(r"\bnew\s+(?:meme\s*)?(?:coin|token|project)s?\b|新币|新出的|新上的")
_SCALE_AFTER = {"亿": Decimal(100_000_000), "万": Decimal(10_000)}  # "1个亿", "3个万"


def _spaced_tails(text: str, tokens: list[Token]) -> list[Token]:
    """ "6 萬 3 掛單" is 63,000, as "6萬3": a lone digit after a number in 万 or 千, with only
    spaces between, is its tail (never when it counts something: "1万 3个SOL"); "1个亿" is
    a hundred million."""
    out: list[Token] = []
    for k, tok in enumerate(tokens):
        last = out[-1] if out else None
        after = tokens[k + 1] if k + 1 < len(tokens) else None
        scale = _SCALE_AFTER.get(text[tok.end : tok.end + 1]) if tok.tag == "c" else None
        if (
            scale is not None
            and last is not None
            and last.tag == "N"
            and last.value is not None
            and not last.code
            and last.end == tok.start
        ):
            # "买1个亿shib": a hundred million ("一个亿" is read as one number already)
            out[-1] = Token("N", last.start, tok.end + 1, last.value * scale)
            continue
        if (
            last is not None
            and last.tag == "N"
            and last.value is not None
            and not last.code
            and text[last.start : last.end].rstrip()[-1:] in ("万", "千")
            and tok.tag == "N"
            and text[tok.start : tok.end] in "123456789"
            and not text[last.end : tok.start].strip()
            and (after is None or after.tag not in "cAQk")
        ):
            scale = (
                Decimal(1000) if text[last.start : last.end].rstrip()[-1] == "万" else Decimal(100)
            )
            out[-1] = Token("N", last.start, tok.end, last.value + int(text[tok.start]) * scale)
            continue
        out.append(tok)
    return out


#: "BTC call", "ETH puts", "a 75k call": an option contract after a coin or a strike, not
#: the verbs of "BTC, put a stop at 60k" or "ETH put in a bid", nor "call it off".
_CALL_AFTER = re.compile(r"\s+calls?\b(?!\s+(?:off|it|me)\b)")
_PUT_AFTER = re.compile(
    r"\s+puts?\b(?!\s*(?:in|into|on|a|an|the|it|my|me|stop|limit|order|up|for|some|all"
    r"|half|tp|sl|take|\d|\$))"
)


def _option_contracts(text: str, tokens: list[Token]) -> list[Token]:
    """An options tag after a coin that names a call or a put, or after a strike naming a
    call: "buy a 75k BTC call" is an option, never 75,000 bitcoin."""
    out: list[Token] = []
    for tok in tokens:
        out.append(tok)
        m = None
        if tok.tag == "A":
            m = _CALL_AFTER.match(text, tok.end) or _PUT_AFTER.match(text, tok.end)
        elif tok.tag == "N":
            m = _CALL_AFTER.match(text, tok.end)
        if m is not None:
            out.append(Token("!", m.start() + 1, m.end(), code="options"))
    return out


#: Bitcoin's smallest unit, named as the coin: its amounts are scaled to bitcoin.
_SATOSHIS = frozenset({"sats", "satoshi", "satoshis"})
_SATS_PER_BTC = Decimal(100_000_000)

#: The code of a share token written as a slash fraction ("1/2"), not as a word ("half").
_SLASH = "/"


def _fraction_token(m: re.Match[str]) -> Token:
    """``1/2`` is a share token (50%) marked as a slash fraction; an improper one no amount.

    Only "1/2 of my ETH", "1/2 my ETH" or "1/2 of ETH" make it a share of holdings: a bare
    "1/2 ETH" may as well mean 0.5 ETH, so :func:`_amount_phrases` asks for the amount.
    """
    top, _, bottom = m.group().partition("/")
    num, den = int(top), int(bottom)
    if 0 < num < den:
        return Token("H", m.start(), m.end(), Decimal(num) * 100 / Decimal(den), _SLASH)
    return Token("N", m.start(), m.end(), Decimal(0))  # 0: no phrase will place it


def _number_token(m: re.Match[str]) -> Token:
    value = numeric_value(m) or Decimal(0)  # 0: unreadable, so no phrase will place it
    if m["pct"]:
        return Token("P", m.start(), m.end(), value)
    code = ""
    if m["cur"]:
        code = CURRENCY_SYMBOLS[m["cur"]]
    elif m["suffix"]:
        code = "USDT" if m["suffix"] == "u" else "USD"  # 100u is USDT (FORMAT.md)
    return Token("N", m.start(), m.end(), value, code)


class _Capitals:
    """Which words were typed in capitals (a signal only when the whole text is not)."""

    __slots__ = ("latin", "original", "shouting")

    def __init__(self, original: str) -> None:
        self.original = original
        self.shouting: bool | None = None  # counted on the first question: most never ask
        self.latin = 0

    def __call__(self, start: int, end: int) -> bool:
        written = self.original[start:end]
        before, after = self.original[start - 1 : start], self.original[end : end + 1]
        if _CJK_CHAR_RE.match(before) or _CJK_CHAR_RE.match(after):
            return True  # Latin letters touching Chinese are a ticker ("OP而家好平", "换成op")
        if not written.isupper():
            return False
        if self.shouting is None:
            text = self.original
            self.shouting = not any(c.islower() for c in text if c.isascii())
            self.latin = sum(c.isascii() and c.isalpha() for c in text)
        # Capitals say "ticker" unless the whole message is in capitals ("BUY 150 ADA NOW").
        return not (self.shouting and self.latin > len(written) + 4)


#: Tags after which a coin name that is also a word is the coin: "100 near", "my near",
#: "of near", "half near", "sell near".
#: ("eth or etc": a coin beside a coin; "ape into bonk, i mean wif": the coin meant)
_ASSET_CONTEXT = frozenset("NcmoHBSCDPfwX~|#")  # "for arb", "with op": pronouns are WORDS


def _word_tokens(
    text: str,
    raw: list[re.Match[str]],
    words: list[str | None],
    i: int,
    tokens: list[Token],
    capitals: _Capitals,
) -> int:
    """Emit the tokens of the word at ``raw[i]`` (or a phrase starting there); next index."""
    word = words[i]
    assert word is not None
    after_it = words[i + 2] if i + 2 < len(raw) else None
    if word == "send" and words[i + 1 : i + 2] == ["it"] and after_it not in _SENT_TO:
        return i + 2  # "buy HK$800 of doge, send it 🚀": go ahead, not a transfer
    run_together = _RUN_TOGETHER.match(word)
    if run_together is not None and run_together["asset"] in ASSET_ALIASES:
        # "buybtc 0.001", "sellETH": the verb and the coin typed as one word
        start, cut = raw[i].start(), raw[i].start() + len(run_together["verb"])
        tokens.append(Token("B" if run_together["verb"] == "buy" else "S", start, cut))
        _emit(tokens, _asset_entry(ASSET_ALIASES[run_together["asset"]]), cut, raw[i].end())
        return i + 1
    first = not tokens and not text[: raw[i].start()].strip()
    if word in ("b", "s") and first and i + 1 < len(raw):
        # "B 0.5 ETH LMT 3200", "s 3 eth lmt 3450": a terminal's side letter, first only
        _emit(tokens, (("B" if word == "b" else "S", ""),), raw[i].start(), raw[i].end())
        return i + 1
    for size in _PHRASE_SIZES.get(word, ()):  # multi-word phrases first, longest first
        if i + size <= len(raw):
            group = words[i : i + size]
            entry = PHRASES.get(tuple(group))  # type: ignore[arg-type]
            if entry is not None and all(
                _word_gap_ok(text, raw[k].end(), raw[k + 1].start()) for k in range(i, i + size - 1)
            ):
                _emit(tokens, entry, raw[i].start(), raw[i + size - 1].end())
                return i + size
    following = words[i + 1] if i + 1 < len(raw) else None
    if (
        following is not None
        and word not in _WORD_TABLE
        and (word + following) in ASSET_ALIASES
        and _word_gap_ok(text, raw[i].end(), raw[i + 1].start())
    ):
        # a coin name said in two words: "chain link", "file coin", "polka dot"
        code = ASSET_ALIASES[word + following]
        _emit(tokens, _asset_entry(code), raw[i].start(), raw[i + 1].end())
        return i + 2
    misspelt = (
        _misspelt_two_word_name(word, following)
        if following is not None and _word_gap_ok(text, raw[i].end(), raw[i + 1].start())
        else None
    )
    if misspelt is not None:
        _emit(tokens, _asset_entry(misspelt), raw[i].start(), raw[i + 1].end())
        tokens[-1].meant = universe()[misspelt].name if misspelt in universe() else misspelt
        return i + 2
    if (
        word in EN_NUMBER_WORDS
        or "-" in word
        or (word == "a" and i + 1 < len(raw) and words[i + 1] in _SCALE_WORDS)
    ):
        j = _number_words(text, raw, words, i, tokens)
        if j > i:
            return j
    start, end = raw[i].start(), raw[i].end()
    if (
        (word in _CLOCK_WORDS or (word in ("a", "p") and text.startswith(".m", end)))
        and tokens
        and tokens[-1].tag == "N"
        and not text[tokens[-1].end : start].strip(" .")  # "62,500; I am…" is no time
    ):
        tokens[-1].tag = "T"  # "9am", "10 pm": a time of day, not a price
        return i + 1
    if (
        word in ("st", "nd", "rd", "th")
        and tokens
        and tokens[-1].tag == "N"
        and tokens[-1].end == start
        and (day := _day_of_month(tokens[-1])) is not None
    ):
        tokens[-1].tag, tokens[-1].code = "U", str(day)  # "the 1st", "15th": a day of the month
        return i + 1
    if (
        word == "runs"
        and tokens
        and tokens[-1].tag == "N"
        and not text[tokens[-1].end : start].strip()
    ):
        tokens.append(Token("x", start, end))  # "cap it at 12 runs": times ("before it runs": no)
        return i + 1
    if (
        word in ("mil", "mill", "mn", "grand")
        and tokens
        and tokens[-1].tag == "N"
        and tokens[-1].value is not None
        and not text[tokens[-1].end : start].strip()
    ):
        # "2 mil", "5 grand"
        tokens[-1].value *= _SCALES["thousand" if word == "grand" else "million"]
        tokens[-1].end = end
        currency_next = i + 1 < len(raw) and (words[i + 1] or "") in ASSET_ALIASES
        if word == "grand" and not currency_next:
            tokens[-1].code = tokens[-1].code or "USD"  # "put 2 grand into link": dollars
        return i + 1
    if (
        word in ("mil", "mill", "mn")
        and tokens
        and tokens[-1].tag == "a"
        and text[tokens[-1].start : tokens[-1].end] == "a"
        and not text[tokens[-1].end : start].strip()
    ):
        # "a mil shib": a million; "half a mil": half of one (never "a" of nothing, 1 SHIB)
        opening = tokens.pop()
        value = _SCALES["million"]
        share = text[tokens[-1].start : tokens[-1].end] if tokens else ""
        if tokens and tokens[-1].tag == "H" and share in _HALF:
            value, opening = value * _HALF[share], tokens.pop()
        tokens.append(Token("N", opening.start, end, value))
        return i + 1
    verb = _VERB_BEFORE_AMOUNT.get(word)
    if verb == "D" and _THROWN_OUT.search(text, end):
        verb = None  # "throw 40 ton out": a sale, said with a word we do not read as one
    if (
        verb is not None
        and i + 1 < len(raw)
        and (
            raw[i + 1].lastgroup == "number"
            or (word == "add" and words[i + 1] in ("some", "more"))
            or (verb == "D" and _MONEY_SHARE_NEXT.match(text, end) is not None)
        )
    ):  # "add some SOL here"
        tokens.append(Token(verb, start, end))  # "ask 1 ETH at 4.2k", "need 0.05 btc"
        if word == "ask":
            tokens.append(Token("L", start, end))  # an order resting at a price, as "offer"
        return i + 1
    if (
        word in ("ask", "asks")
        and tokens
        and tokens[-1].tag == "A"
        and not text[tokens[-1].end : start].strip()
        and not _PRICE_NEXT.match(text, end)
    ):
        # "ditch my ETH ask at 3.8k", "pull the SOL ask": an order, as "my ask"
        # ("the btc ask price": its price)
        tokens.append(Token("r", start, end))
        return i + 1
    entry = _WORD_TABLE.get(word)
    if entry is None and word.endswith(("'s", "’s")):
        word = word[:-2]  # "btc's price"; "this one's" is no ONE: its base word clashes
        entry = _WORD_TABLE.get(word)
    if entry is not None and word in CLASH_ALIASES and word not in WORDS:
        last = tokens[-1] if tokens else None
        after = last is not None and not text[last.end : start].strip()
        if (
            capitals(start, end)
            or (
                after
                and last is not None
                and (
                    last.tag in _ASSET_CONTEXT
                    or text[last.start : last.end]
                    in ("into", "to", "at")  # "throw 250 usdc at apt"
                )
            )
            or _PRICE_NEXT.match(text, end)  # "ton price quick", "what's near trading at"
            # "cancel the arb buy", "the bonk one": an order named by its coin
            or (text[:start].endswith(("the ", "that ")) and _ORDER_NEXT.match(text, end))
            # "ton 全出 换u", "near 卖掉四分之一": a coin before Chinese words is no English word
            or _cjk_after(text, end)
        ):
            _emit(tokens, entry, start, end)
    elif entry is not None:
        _emit(tokens, entry, start, end)
    elif word == "u":
        # "u" next to Chinese (我的U) or right after a number ("1k U") is USDT; else "you".
        last = tokens[-1] if tokens else None
        number = last is not None and last.tag == "N" and not last.code
        if number and last is not None and text[last.end : start].isspace():
            last.code = "USDT"  # ("買1000  U": spaces typed twice)
        elif text[end : end + 1] != "." and (
            (_cjk_before(text, start) and not _WORD_AFTER.match(text, end)) or _cjk_after(text, end)
        ):
            # "我的U", "梭哈 U 买 SOL" (not the U of "U.S.", nor "…不要 u do that": you)
            tokens.append(Token("Q", start, end, None, "USDT"))
        elif number and last is not None and last.end == start:
            last.code = "USDT"  # "抄底 两千u BTC": right after a Chinese number, before a coin
    else:
        # a short word typed in capitals is a ticker of its own ("LUNAX"), never a misspelt
        # name ("BUY ETHERIUM" is)
        ticker = len(word) <= 5 and capitals.original[start:end].isupper()
        # "Moonbeamz Gold": a name of two capitalised words we do not know, never Moonbeam
        # (in a message not written in title case: "Buy 2 Solanna Please" is Solana)
        before = next((k for k in range(i - 1, -1, -1) if (words[k] or "").isalpha()), None)
        named = (
            i + 1 < len(raw)
            and before is not None
            and capitals.original[raw[before].start() : raw[before].start() + 1].islower()
            and capitals.original[raw[i + 1].start() : raw[i + 1].start() + 1].isupper()
            and capitals.original[start : start + 1].isupper()
            and (following := words[i + 1]) is not None
            and following not in _WORD_TABLE
            and following not in ASSET_ALIASES
        )
        found = fuzzy_asset(word) if not (ticker or named) else None
        if found is not None and _CALLED.search(text, 0, start) and not _one_edit(word, found):
            # "买个叫moonbeanz的币": a name given as new is corrected one letter at most
            # ("the coin is called avalance" is Avalanche)
            found = None
        if found is not None and _NEW_COIN.search(text, 0, start):
            found = None  # "that new coin …, moonbeamz gold": no listed coin it is one off
        if found is not None:
            _emit(tokens, _asset_entry(found.code), start, end)
            tokens[-1].meant = found.name
        elif word not in _HARMLESS_AFTER_NUMBER:
            _mark_unclear(text, tokens, start, end)
    return i + 1


#: Coin names said in two words, by their first word: "bitcoin" → [("cash", "BCH")]
_TWO_WORD_NAMES: dict[str, list[tuple[str, str]]] = {}
_TWO_WORD_SECONDS: dict[str, list[tuple[str, str]]] = {}  # by the second word
for _words, _entry in PHRASES.items():
    if len(_words) == 2 and _entry and _entry[0][0] == "A":
        _TWO_WORD_NAMES.setdefault(_words[0], []).append((_words[1], _entry[0][1]))
        _TWO_WORD_SECONDS.setdefault(_words[1], []).append((_words[0], _entry[0][1]))


def _misspelt_two_word_name(word: str, following: str) -> str | None:
    """The coin of a two-word name with one word misspelt (one letter off): "bitcoin cach"
    is Bitcoin Cash, "etherium classic" Ethereum Classic, never the first coin beside a word
    nobody read. A misspelt second word is no common word ("bitcoin sold" is no Bitcoin
    Gold); two coins as close are no reading."""
    if (
        word in _TWO_WORD_NAMES
        and following not in _WORD_TABLE
        and following not in common_words()
        and len(following) >= FUZZY_MIN_LEN
    ):
        code = _one_close(following, _TWO_WORD_NAMES[word])
        if code is not None:
            return code
    if following in _TWO_WORD_SECONDS and word not in _WORD_TABLE and len(word) >= FUZZY_MIN_LEN:
        return _one_close(word, _TWO_WORD_SECONDS[following])
    return None


def _one_close(word: str, names: list[tuple[str, str]]) -> str | None:
    """The one code whose name (of ``(name, code)`` pairs) is at most one edit from ``word``."""
    close = {code for name, code in names if OSA.distance(word, name, score_cutoff=1) <= 1}
    return close.pop() if len(close) == 1 else None


def _cjk_before(text: str, start: int) -> bool:
    """Whether the last character before ``start`` (spaces skipped) is Chinese."""
    return _CJK_CHAR_RE.match(text[:start].rstrip()[-1:] or " ") is not None


def _cjk_after(text: str, end: int) -> bool:
    """Whether the first character from ``end`` (spaces skipped) is Chinese."""
    return _CJK_CHAR_RE.match(text[end:].lstrip()[:1] or " ") is not None


def _owns_nothing(text: str, tokens: list[Token], k: int) -> bool:
    """Whether the "my" of token ``k`` is the last token of its sentence."""
    return k + 1 == len(tokens) or (
        _SENTENCE_END.search(text, tokens[k].end, tokens[k + 1].start) is not None
    )


def _pronoun_one(text: str, tokens: list[Token], k: int) -> bool:
    """Whether token ``k`` is the "one" of "the ETH one" (a negation may stand between)."""
    if tokens[k].tag != "N" or text[tokens[k].start : tokens[k].end] != "one":
        return False
    j = k - 1 - (k > 1 and tokens[k - 1].tag == "^")
    if j >= 0 and tokens[j].tag == "A" and text[: tokens[j].start].rstrip().endswith("the"):
        return True
    # "buy 12 ETC, the classic one", "…not doge, the other one": a word no token reads
    # between "the" and "one", after the request ("the eath one" alone may name a coin)
    said = _THE_WORD_BEFORE.search(text, 0, tokens[k].start)
    return said is not None and k > 0 and tokens[k - 1].end <= said.start()


_THE_WORD_BEFORE = re.compile(r"\bthe\s+[a-z]+\s+$")


_SENT_TO = frozenset({"to", "over", "back", "out", "into", "across", "on"})  # "on": a phrase
_RUN_TOGETHER = re.compile(r"(?P<verb>buy|sell)(?P<asset>[a-z]{3,})$")
_CLOCK_WORDS = frozenset({"am", "pm", "oclock", "o'clock", "hkt"})
#: Words that are a side only right before an amount: "ask 1 ETH at 4.2k" offers it for
#: sale, "bag 1,000 JUP" and "add 0.5" buy, "need 10 sol" wants it ("I need to ask…": no).
#: "I want 2 bitcoins" stays a question: to buy them, or to have them some other way?
_VERB_BEFORE_AMOUNT = {
    "enter": "B",  # "Enter 400 UNI at 9.80": a position entered
    "open": "B",  # "Open 0.5 BTC spot at market" ("open a short" is refused by its word)
    "chuck": "D",  # "chuck $75 at PEPE": money put into a coin
    "throw": "D",
    "toss": "D",
    "ask": "S",
    "bag": "B",
    "add": "B",
    "move": "C",  # "move 10 sol into something safer"
    "need": "g",
    "yeet": "D",  # "yeet 500 usdt into sol"
    "degen": "D",  # "degen 1k usdt into pepe"
}
#: What a verb of putting money in may be followed by besides a number: "throw a quarter of
#: my usdc at eth", "yeet half my usdt into sol" (a share of money, never of a coin).
_MONEY_SHARE_NEXT = re.compile(
    r"\s+(?:(?:half|all|a\s+quarter|a\s+third)\s+(?:of\s+)?(?:my\s+)?(?:usdt|usdc|usd|hkd)\b"
    r"|a\s+grand\b)"
)
_THROWN_OUT = re.compile(r"\b(?:out|away|off)\b")
_PRICE_NEXT = re.compile(r"\s+(?:price|trading|quote)\b")
_ORDER_NEXT = re.compile(r"\s+(?:one|order|orders|buy|sell|bid|ask|stop|limit|trigger)\b")
#: Unknown words that say nothing about the number before them ("sell 2 pls").
_HARMLESS_AFTER_NUMBER = frozenset(
    {
        "hmm",
        "hm",
        "umm",
        "pls",
        "please",
        "plz",
        "now",
        "rn",
        "asap",
        "thanks",
        "thx",
        "ty",
        "lol",
        "each",
        "total",
        "bro",
        "fam",
        "ser",
        "today",
        "then",
        "and",
        "only",
        "immediately",
        "too",
        "also",
        "guys",
        "mate",
        "ok",
        "okay",
        "lah",
        "la",
        "leh",
        "lor",
        "ah",
        "meh",
        "can",
    }
)
_HARMLESS_CJK_AFTER_NUMBER = frozenset("吧了呢啊哈呀啦喇嘛哦噢咯啰先就再好，。")


def _mark_unclear(text: str, tokens: list[Token], start: int, end: int) -> None:
    """An unknown word right after a bare number: that number's unit is not understood
    ("100 块", "500 foo"), so no phrase may read it as an amount in some other unit."""
    last = tokens[-1] if tokens else None
    if (
        last is not None
        and last.tag == "N"
        and not last.code
        and text[last.end : start].strip() in ("", "$")  # ("100 $FOO": a cashtag)
    ):
        last.unclear = text[start:end]


def _number_words(
    text: str, raw: list[re.Match[str]], words: list[str | None], i: int, tokens: list[Token]
) -> int:
    """English number words: "five hundred", "a thousand", "twenty-five"; next index."""
    j = i
    parts: list[str] = []
    while j < len(raw):
        w = words[j]
        if w is None or (j > i and not _word_gap_ok(text, raw[j - 1].end(), raw[j].start())):
            break
        pieces = w.split("-")
        if (
            all(p in EN_NUMBER_WORDS for p in pieces)
            or (w == "a" and not parts)
            or (w == "and" and parts and j + 1 < len(raw) and words[j + 1] in EN_NUMBER_WORDS)
        ):
            parts.extend(pieces)
            j += 1
        else:
            break
    value = parse_english(parts) if parts else None
    if (
        value is not None
        and j < len(raw)
        and words[j] == "k"
        and _word_gap_ok(text, raw[j - 1].end(), raw[j].start())
    ):
        value, j = value * 1000, j + 1  # "sixty two k": 62,000
    if value is None and sum(p in EN_NUMBER_WORDS and p != "point" for p in parts) >= 2:
        # "one forty" (140 or 1.40?), "two five": a number we cannot read blocks the order
        tokens.append(Token("N", raw[i].start(), raw[j - 1].end(), Decimal(0)))
        return j
    if value is None or value <= 0:
        return i
    # "one and a half", "two and a quarter": a fraction added to the whole number.
    if (
        j + 2 < len(raw)
        and words[j] == "and"
        and words[j + 1] == "a"
        and words[j + 2] in _AND_FRACTIONS
        and all(_word_gap_ok(text, raw[k].end(), raw[k + 1].start()) for k in range(j - 1, j + 2))
    ):
        value += _AND_FRACTIONS[words[j + 2] or ""]
        j += 3
        if (
            j < len(raw)
            and words[j] in _SCALES
            and _word_gap_ok(text, raw[j - 1].end(), raw[j].start())
        ):
            value, j = value * _SCALES[words[j] or ""], j + 1  # "three and a half thousand"
    tokens.append(Token("N", raw[i].start(), raw[j - 1].end(), value))
    return j


def _moves_at(text: str, start: int, end: int) -> bool:
    """Whether a word of price movement (突破, 跌到, 升穿) starts at ``start``."""
    for size in range(min(CJK_MAX_LEN, end - start), 0, -1):
        entry = CJK_WORDS.get(text[start : start + size])
        if entry is not None:
            return any(tag in "<>=" for tag, _ in entry)
    return False


#: Two neighbouring digits said together: 五六个 (five or six), 一两百 (one or two hundred)
_CJK_APPROXIMATE = re.compile(r"一两|一二|两三|二三|三四|四五|五六|六七|七八|八九")
_YI = Decimal(100_000_000)
_HK_MONEY = {
    "嚿水": Decimal(100),
    "舊水": Decimal(100),
    "旧水": Decimal(100),
    "皮": Decimal(10_000),
}
_AND_A_HALF = frozenset({"个半", "粒半", "颗半", "只半", "枚半"})
_CJK_CLOCK = re.compile(r"点钟|点半|点(?![几一二两三四五六七八九十儿])|号")
_CJK_FRACTION = re.compile(r"(?P<den>[一二两三四五六七八九十])分之(?P<num>[一二两三四五六七八九])")


def _day_of_month(tok: Token) -> int | None:
    value = tok.value
    if value is None or value != value.to_integral_value() or not 1 <= value <= 31:
        return None
    return int(value)


def _segment_cjk(text: str, start: int, end: int, tokens: list[Token]) -> None:
    """Greedy longest-match segmentation of a run of Chinese characters."""
    i = start
    clock = _CJK_CLOCK.match(text, i, end)
    if clock is not None and tokens and tokens[-1].tag == "N":
        last = tokens[-1]
        day = _day_of_month(last) if clock.group() == "号" else None
        if day is not None and not text[last.end : start].strip():
            last.tag, last.code = "U", str(day)  # 1号, 15 號: a day of the month
            i = clock.end()
        elif last.end == start:
            last.tag = "T"  # 9点: a time of day, not a quantity
            i = clock.end()
    tenths = tokens[-1] if tokens and tokens[-1].tag == "N" else None
    if (
        tenths is not None
        and text.startswith("成", start)
        and not text.startswith(("成交", "成本", "成功"), start)
        and not text[tenths.end : start].strip()
        and tenths.value is not None
        and tenths.value == tenths.value.to_integral_value()
        and 1 <= tenths.value <= 10
    ):
        tokens[-1] = Token("P", tenths.start, start + 1, tenths.value * 10)  # 2成 = 20%
        i = start + 1
    elif (
        tenths is not None
        and tenths.value
        and not tenths.code
        and text.startswith(("毫", "毛"), start)
        and not text[tenths.end : start].strip()
    ):
        tokens[-1] = Token("N", tenths.start, start + 1, tenths.value / 10)  # 8毫 = 0.8
        i = start + 1
    named = False  # the word just read says nothing: it may begin a coin's name
    unknown = 0  # characters just read that no word holds
    while i < end:
        fraction = _CJK_FRACTION.match(text, i, end)
        if fraction is not None:  # 四分之一 = 25%: a share, like "a quarter"
            den, part = parse_chinese(fraction["den"]), parse_chinese(fraction["num"])
            if den and part and 0 < part < den:
                tokens.append(Token("H", i, fraction.end(), part * 100 / den))
                i = fraction.end()
                continue
        if text.startswith("百分之", i):  # 百分之三十 = 30%
            num = CJK_NUMERAL_RE.match(text, i + 3, end)
            if num is not None:
                value = parse_chinese(num.group())
                if value is not None:
                    tokens.append(Token("P", i, num.end(), value))
                    i = num.end()
                    continue
        lex_len = 0
        entry: Entry | None = None
        for size in range(min(CJK_MAX_LEN, end - i), 0, -1):
            entry = CJK_WORDS.get(text[i : i + size])
            if entry is not None:
                lex_len = size
                break
        num = CJK_NUMERAL_RE.match(text, i, end)
        if num is not None and num.end() - i > lex_len:
            value = parse_chinese(num.group())
            stop = num.end()
            if num.group() == "一" and i > start and text[i - 1 : i] == text[stop : stop + 1]:
                i = stop  # 搏一搏, 睇一睇, 试一试: once, no number
                continue
            if num.group() == "一" and _moves_at(text, stop, end):
                tokens.append(Token("i", i, stop))  # "一突破三千六百就買": as soon as it breaks
                i = stop
                continue
            if _CJK_APPROXIMATE.search(num.group().split("点")[0]):  # not 零点一二 (0.12)
                tokens.append(Token("V", i, stop))  # 五六个, 一两百万: "five or six", vague
                i = stop
                continue
            if value is not None and text.startswith("个亿", stop):  # 一个亿: 100 million
                value, stop = value * _YI, stop + 2
            if value is not None and text.startswith(("毛", "毫"), stop):  # 一毛, 8毫: tenths
                value, stop = value / 10, stop + 1
            money = next((w for w in _HK_MONEY if text.startswith(w, stop)), None)
            if value is not None and money is not None:
                # 三嚿水 (HK$300), 一皮 (HK$10,000): Cantonese money
                tokens.append(Token("N", i, stop, value * _HK_MONEY[money], "HKD"))
                tokens.append(Token("Q", stop, stop + len(money), None, "HKD"))
                i = stop + len(money)
                continue
            if value is not None and value > 0:
                clock = _CJK_CLOCK.match(text, stop, end)
                if clock is not None:  # 9点, 1号: a time or a date, not a quantity
                    tokens.append(Token("T", i, clock.end()))
                    i = clock.end()
                    continue
                if text[stop : stop + 2] in _AND_A_HALF:  # 两个半, 两粒半 = 2.5 (of the asset)
                    tokens.append(Token("N", i, stop + 1, value + Decimal("0.5")))
                    tokens.append(Token("c", stop, stop + 2))
                    i = stop + 2
                    continue
                if text.startswith("成", stop):  # 三成 = 30%
                    tokens.append(Token("P", i, stop + 1, value * 10))
                    stop += 1
                else:
                    tokens.append(Token("N", i, stop, value))
            i = stop
        elif entry is not None:
            if (
                (named or unknown >= 2)
                and lex_len == 2
                and entry
                and entry[0][0] == "A"
                and text[i + 1] == "币"
            ):
                entry = (("k", ""),)  # "月亮狗币", "火星狗幣": a coin whose name ends in 狗币
            if text[i : i + lex_len] != "晒" or (tokens and tokens[-1].tag in "BSCDgw"):
                _emit(tokens, entry, i, i + lex_len)  # 晒 is "all" only after its verb (沽晒)
            named = entry == () and lex_len > 1  # a word that says nothing, as 月亮
            unknown = 0
            i += lex_len
            continue
        else:
            if text[i] not in _HARMLESS_CJK_AFTER_NUMBER:
                _mark_unclear(text, tokens, i, i + 1)
            i += 1
            unknown += 1  # characters no word holds, as 火星
            named = False
            continue
        named = False
        unknown = 0


# ---------------------------------------------------------------------------------------------
# 3. Grammar: named phrase patterns over the tag string
# ---------------------------------------------------------------------------------------------

# Schedules.
_EVERY = re.compile(r"E(N)?([Yj])|(F)")  # every 4 hours / every week / 每周 / daily
_MONTH_DAY_AFTER = re.compile(r"(U)|(N)Y")  # 每个月1号 / 每月15日
_MONTH_DAY_BEFORE = re.compile(r"(U)[fo]*(?=E)")  # on the 1st of every month
_BARE_PERIOD = re.compile(r"(N)(Y)")
_TIMES = re.compile(r"(N)[xr]|x(N)")  # 6 times / 6次 / x10 / "30 purchases in all"
_FOR_PERIOD = re.compile(r"[fDBSCt]+n?a?(N)?(Y)")  # for 4 weeks / 投8周 / for the next month
# over the next 2 hours / in the next hour / 接下来3小时内 / 2小时内; not "next week" (a date)
_OVER = re.compile(r"(?:O+n?|f?n(?=a?N?YO)|fn)a?(N)?(Y)O*|(N)?(Y)O+")
_TWAP = re.compile(r"(?<![a-z])twap(?![a-z])")
_TWAP_LENGTH = re.compile(r"(N)(Y)(?!\w)|(N)(Y)$")  # (groups as _OVER's)
_CHUNKS = re.compile(r"(N)[xr]")  # in 4 chunks / into 4 orders / 分4次 / 分5笔

# Attached take-profit / stop-loss: "TP 70k", "take profit at 4000", "a 100 take-profit".
_TAKE_PROFIT = re.compile(r"R[@:op]*(N)(?!o?m)")  # not "on 2 of my SOL": that is an amount
# (not after a move: "跌穿3000就止蝕" is a condition, and the exit word its verb)
_TAKE_PROFIT_BEFORE = re.compile(r"(?<![<>=du])(N)R")
# "stop loss 3000" / "with a stop at 3000"
_STOP_LOSS = re.compile(r"(?:Z|wa?K)[@:of<dp]*(N)(?!o?m)")
_STOP_LOSS_BEFORE = re.compile(r"(?<![<>=du])(N)Z")

# Stops and conditions. A number followed by an asset or classifier is an amount, not a price.
_STOP_LEVEL = re.compile(r"[du](N)(?![AQckY])")  # "stop-market buy 20 ETH above 3,400"
# stop 120 / trigger 3,500 (not "跌到58000触发，57900挂单": the condition's own word for it)
# ("a stop on 0.5 of my BTC at 58,000": 0.5 is of a holding, no price)
_STOP_PRICE = re.compile(r"(?:K|(?<!N)G)[@:of]*(N)(?![AQckY]|o[mA])")
# "=" (reaches/hits/达到) names a level but no direction: only a following below/above does.
_CONDITION = re.compile(r"i[Apokm@]*([<>duO=]+)f?a?(N)([du])?")  # if it drops below 60k
# 跌破6万 / breaks 4000 / 跌到100以下 / "breaks below 120" (the preposition says the side)
_MOVE = re.compile(r"([<>=][du]?)f?(N)([du])?")

# Limit price: at 3000 / limit 72,000 / @3.8k / at a limit of 580 / 挂单3000 / 以65000的价格.
_LIMIT_PRICE = re.compile(
    # at 2500 USDT / 价格180 / 每个0.9 / 以五十三萬港元嘅價錢 / 掛個單0.45 (not "500 USDT of BTC")
    r"(?:[@Lp](?:[@Laopc:]|(?<=c)r)*(?:Ec)?|Ec[@Lp]*)(N)(?![AckYxP]|Q(?:o(?![pL])|[Ak]))(Q)?"
    # 3000挂单 / 7万挂单 (a Chinese limit word only: see _limit_phrases), not "0.02，限价 63000";
    # 3500的价格 (的 only: see _limit_phrases)
    r"|(N)(?:(?=L(?![@Laopc:]*N))|op)"
    # 以港幣72萬買0.1個比特幣: at a sum of money, then the verb and a count of its own
    r"|@(Q)(N)(?=[BSg]N)"
)
#: at 60k or 61k, "at 3500 or maybe 3600?": two prices
_ALTERNATIVE_PRICE = re.compile(r"\|a?(?:N(?![AQckYxP])|(V))Q?")
# "at market price of 65000": a market order with a price is a contradiction, not a limit.
_MARKET_PRICE = re.compile(r"M[pao@:]*(N)(?![AQckYxP])Q?")

# Amounts.
# half a bitcoin / half of a bitcoin / 50% of a bitcoin / 半个比特币: a quantity, no share
_HALF_A = re.compile(r"([HP])o?[ac](A)")
_HALF_UNIT = re.compile(r"(H)c(?!A)")  # 再买多半个 (ETH named before)
_QUOTE_AMOUNT = re.compile(r"(N)c?(Q)¥?")  # 500 USDT / 300 dollars / 五千港币 / 五千港币元
_QUOTE_FIRST = re.compile(r"(Q)(N)¥?(?![AcQk])")  # 港币五千元 / HKD 5000 / 美金100
# A number whose money unit is not named: 500块, 100元, "500 worth of SOL", "1000的大饼"; or
# is one we do not trade (1000人民币, "2000 蚊人民幣": which is it?).
_UNNAMED_MONEY = re.compile(r"(N)(?:¥|e|o(?=[Ak])|c?Q?y)|y(N)")  # … or 新台币2万
_UNIT_AMOUNT = re.compile(r"(N)c?([Ak])")  # 10 SOL / 0.2个大饼
_SHARE = re.compile(r"([HP])o?m?o?([AQk])?")  # half my ETH / 30% of my SOL / 一半的以太 / all
_OF_MY = re.compile(r"[om]")  # "1/2 of my ETH", "1/2 my ETH", "1/2 of ETH", 1/2的以太坊
_BARE_AMOUNT = re.compile(r"(N)c?")  # 买0.2个 (asset named elsewhere)
# two amounts offered as alternatives, not after a price word: "0.2还是0.3", "1 or 2 SOL"
_ALTERNATIVE_AMOUNTS = re.compile(r"(?<![@Lp=<>du])N[ck]?[AQ]?\|a?N[ck]?[AQk]?")
_ONE_UNIT = re.compile(r"(?<=[BSCg])a(A)")  # buy a bitcoin

_QUESTION = re.compile(
    r"[?？]|[吗嗎呢]|有冇|有没有|^\s*(?:is|are|do|does|did|has|have|any|what'?s|whats)\b"
    r"|\bcheck\s+(?:whether|if)\b"
    r"|多少|几多|幾多|几钱|幾錢|\bhow\s+(?:much|many)\b",
    re.I,
)
_UNPLACED_PRICE = re.compile(r"[i<>=]|@(?=_*[apV])")
#: Time words a schedule phrase must consume, or the reading is refused ("this week" alone
#: says nothing to do; "next week", "3 weeks", "3 times", "tomorrow" do).
_TIME_LEFT = re.compile(r"[TnFxOjU]|E(?=.*[NYj])|[Na]_*Y")  # "250 USDT each" is no schedule
_HUNDRED = Decimal(100)
_ONE = Decimal(1)
_CLARIFY_FIELDS = frozenset(
    {"action", "asset", "to", "quote", "amount", "limit_price", "trigger", "take_profit"}
    | {"stop_loss", "schedule"}
)
_MARK_SKIP = frozenset("HPNmoac")


@dataclass(slots=True)
class _Amount:
    kind: str  # "units" | "quote" | "share" | "bare"
    value: Decimal
    unit: str  # asset or currency code; "" while unknown
    first: int  # token range
    last: int
    attached: int = -1  # share: index of the asset/currency it is a share of


@dataclass(slots=True)
class _Mention:
    index: int
    code: str
    marker: str  # "w" (with/用), "f" (for/to/into), or ""
    by: str = ""  # the marker's own payload: "with" for the English word
    mine: bool = False  # "my"/"our" between the marker and the asset: "for my 2 SOL"

    @property
    def is_quote(self) -> bool:
        return self.code in QUOTE_CURRENCIES


@dataclass
class _Analysis:
    """Everything the grammar found, before the action is decided."""

    tokens: list[Token]
    tags: str
    text: str = ""  # the normalized text the tokens index
    free: list[bool] = field(default_factory=list)
    live_tags: str = ""
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    every: str | None = None
    count: int | None = None
    over: str | None = None
    on: str | None = None  # the weekday of "every Monday"
    day: int | None = None  # the day of the month of "每个月1号"
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    stop_price: Decimal | None = None
    condition: Trigger | None = None
    level: Decimal | None = None  # a condition's price said with no direction ("reaches 4k")
    bound: tuple[Literal["<=", ">="], Decimal] | None = None  # "below 3k", "above 3,500"
    limit_price: Decimal | None = None
    limit_side: str = ""  # the side a bound's words fit ("no more than": a buy's ceiling)
    price_quote: str = ""
    amounts: list[_Amount] = field(default_factory=list)
    unit_quote_tokens: set[int] = field(default_factory=set)
    vague: bool = False
    unresolved: bool = False  # a number or price word no phrase could place
    bad_amount: bool = False  # an amount phrase whose number cannot be read
    ambiguous_share: int = -1  # token of a bare "1/2" (0.5 units or half my holdings?)
    ambiguous_unit: str = ""  # the asset or currency right after it, if any
    unclear: list[str] = field(default_factory=list)  # unknown words after numbers
    denied_amount: bool = False  # a negation denied a number or share ("not all of it")
    denied_verb: bool = False  # a negation denied a verb: what is left names no side
    alternative_amounts: bool = False  # "0.2 or 0.3", "all but 2": the amount is asked

    def live(self) -> str:
        """The tag string with consumed tokens replaced by ``_``."""
        return self.live_tags

    def take(self, first: int, last: int, name: str | None = None) -> None:
        """Consume tokens ``first..last-1`` (and record them as the span of ``name``)."""
        for k in range(first, last):
            self.free[k] = False
        self.live_tags = self.live_tags[:first] + "_" * (last - first) + self.live_tags[last:]
        if name is not None:
            self.spans.setdefault(name, []).append((first, last))

    def retag(self, k: int, tag: str) -> None:
        """Give token ``k`` another tag, in the token and in both tag strings."""
        self.tokens[k].tag = tag
        self.tags = self.tags[:k] + tag + self.tags[k + 1 :]
        self.live_tags = self.live_tags[:k] + tag + self.live_tags[k + 1 :]


_UNIT_MINUTES = {"MIN": 1, "H": 60, "D": 1440, "W": 10080}


def iso_duration(n: int, unit: str) -> str:
    """``n`` of a time unit code (MIN, H, D, W, MO, YR) as an ISO 8601 duration."""
    if unit == "MIN":
        return f"PT{n}M"
    if unit == "H":
        return f"PT{n}H"
    if unit == "MO":
        return f"P{n}M"
    if unit == "YR":
        return f"P{n}Y"
    return f"P{n}{unit}"


_ISO_STEP = re.compile(r"^P(?:(\d+)([DWMY])|T(\d+)([HM]))$")
_ISO_UNITS = {"D": "D", "W": "W", "M": "MO", "Y": "YR"}


def orders_in(step: int, unit: str, length: int, period_unit: str) -> int | None:
    """How many orders one every ``step`` ``unit`` places in ``length`` ``period_unit``
    ("every 2 days for 10 days": 5); ``None`` when it is no whole number."""
    if period_unit == unit and length % step == 0:
        return length // step
    if (unit, period_unit) == ("MO", "YR") and 12 % step == 0:
        return length * 12 // step  # every month for a year: 12
    minutes = _UNIT_MINUTES
    if unit in minutes and period_unit in minutes:
        total, each = length * minutes[period_unit], step * minutes[unit]
        return total // each if total % each == 0 else None
    return None


def count_over(every: str, length: int, period_unit: str) -> int | None:
    """:func:`orders_in` for a cadence already written as an ISO duration (``P1D``)."""
    m = _ISO_STEP.match(every)
    if m is None:
        return None
    if m.group(1):
        return orders_in(int(m.group(1)), _ISO_UNITS[m.group(2)], length, period_unit)
    return orders_in(int(m.group(3)), "H" if m.group(4) == "H" else "MIN", length, period_unit)


def _whole(value: Decimal | None) -> int | None:
    if value is None:
        return 1
    if value <= 0 or value != value.to_integral_value():
        return None
    return int(value)


_KEYS_SCHEDULE = re.compile(r"[EFOn]")
_KEYS_EXIT = re.compile(r"(?:[BDg]|[NQ]fA|^[NA]).*[<>=SRZ]")
_KEYS_BRACKET = re.compile(r"[RZK]")
_KEYS_TRIGGER = re.compile(r"[KGi<>=]")
_KEYS_LIMIT = re.compile(r"[@LMp]")


def _analyse(tokens: list[Token], text: str = "") -> _Analysis:
    an = _Analysis(tokens, "".join(t.tag for t in tokens), text=text)
    an.free = [True] * len(tokens)
    an.live_tags = tags = an.tags
    # Each phrase family runs only when one of its key words is present (speed).
    if "fNE" in tags:
        _price_for_each(an)
        tags = an.tags
    if "N" in tags and _NAMED_NUMBER_HINT.search(text):
        _numbers_named(an)
    if _KEYS_SCHEDULE.search(tags) or ("twap" in text and _TWAP.search(text)):
        _schedule_phrases(an)
    if "Y" in tags:
        _spans_of_time(an)
    if ("N" in tags or "P" in tags) and _SENTENCE_BEFORE.search(text):
        _numbers_told_before(an)
    if _KEYS_EXIT.search(tags):
        _exit_phrases(an)
    if _KEYS_BRACKET.search(tags):
        _bracket_phrases(an)
    if _KEYS_TRIGGER.search(tags):
        _trigger_phrases(an)
    if _KEYS_LIMIT.search(tags):
        _limit_phrases(an)
    if an.limit_price is None and _NUMBER_THEN_VERB.search(tags):
        _price_before_verb(an)
    if "d" in tags or "u" in tags:
        _bound_phrase(an)
    _amount_phrases(an)
    return an


#: A number right before a verb of buying or selling, the coin after it ("4000卖ETH").
_NUMBER_THEN_VERB = re.compile(r"^[^A]*(N)[BS](?:Nc?)?A")


def _price_before_verb(an: _Analysis) -> None:
    """A bare number said right before a Chinese verb, its coin after ("4000賣ETH", "3600買2粒
    ETH", "6.2w接0.05个大饼"): in Chinese order the price the trade is done at, as "eth 4200卖1个",
    never a count of coins ("大饼 0.1 买": the coin first, counts) nor money ("1000U买")."""
    m = _NUMBER_THEN_VERB.search(an.live())
    if m is None:
        return
    k = m.start(1)
    if an.tokens[k].code or (k and an.tags[k - 1] == "Q") or not _before_a_chinese_verb(an, k):
        return  # ("1000U买SUI", "港币3000买比特币": the money spent, with its currency)
    an.limit_price = _num(an, m, 1)
    an.take(k, k + 1, "limit_price")


def _price_for_each(an: _Analysis) -> None:
    """ "sell my 2 sol for 200 each": what each coin is sold for is the price, as "at 200
    each" (not a second amount)."""
    for m in re.finditer(r"f(?=NE)", an.tags):
        k = m.start()
        if (
            _word(an, k) == "for"
            and _word(an, k + 2) in ("each", "apiece")
            and an.tags[k + 3 : k + 4] != "Y"  # ("for 150 each week": a cadence)
        ):
            an.retag(k, "@")


#: "buy eth below 3k", "sell 1 ETH above 3,500": a price bound with no verb of movement
_BOUND = re.compile(r"([du])f?(N)(?![AQckYxP])")
_BOUND_AFTER = re.compile(r"(?<=A)(N)([du])")  # "doge 0.2以上"


def _bound_phrase(an: _Analysis) -> None:
    """A bound on the price said with no verb of movement, never an amount: the side makes
    it a limit ("buy below 3k": at 3,000 or better) or a stop ("buy above 70k") later."""
    live = an.live()
    m = _BOUND.search(live)
    price, way = (_num(an, m, 2), m.group(1)) if m is not None else (None, "")
    after = _BOUND_AFTER.search(live) if m is None else None
    if (
        after is not None
        and an.text[an.tokens[after.start(2)].start] in "以之"
        and any(t in "BSCDg" for t in an.tags[: after.start()])  # ("姨太3100以下能接就接")
    ):
        # "卖点doge 0.2以上": the coin's price, 0.2 or above (said after it, in Chinese)
        m, price, way = after, _num(an, after, 1), after.group(2)
    if m is None or an.condition is not None or price is None or price <= 0:
        return
    op: Literal["<=", ">="] = "<=" if way == "d" else ">="
    tags = an.tags
    if not any(t in "BSCDg" for t in tags[: m.start()]) and any(
        t in "BSCDg" for t in tags[m.end() :]
    ):
        # said before the verb, it is the condition: "sol go above 220 then sell 5",
        # "Should ETH slip under 3k, buy HK$20,000 worth"
        an.condition = _trigger(op, price)
        an.take(m.start(), m.end(), "trigger")
        return
    an.bound = (op, price)
    an.take(m.start(), m.end(), "bound")


def _num(an: _Analysis, m: re.Match[str], group: int) -> Decimal | None:
    idx = m.start(group)
    return an.tokens[idx].value if idx >= 0 else None


# An exit said as a condition after the buy: "sell it if it gets to 4000", "涨到200就卖",
# "跌到150止损". The condition's price is the exit's; up is a take-profit, down a stop-loss.
# (an exit word with its own price after it, "…3,200, tp 3,600", is not this move's)
_EXIT_MOVE = re.compile(r"i?[Apokm@]*([<>=du]+)f?a?(N)([du])?((?:[SRZ](?![@:op]*N))?)")
_EXIT_SAYS = frozenset("SRZ")
_EITHER = re.compile(r"\bor\b|或|定")  # "should it rise to 4,000 or fall to 3,000": two exits
#: Money's worth of a coin said first, then a take-profit or stop-loss word: "$500 of btc, tp
#: if it pumps to 4k", "500港币的ETH，涨到4000止盈".
_MONEY_OF_A_COIN = re.compile(r"N(Q?)o?A(?=.*[RZ])")
_SOLD_AT = re.compile(r"S@(N)")  # "…and then sell it at 3500"
_PAID = re.compile(r"(?:@|[<>=du]+)(N)")  # the buy's own price: "at 58,000", "under 3000"


_WANTED_THEN_SOLD = re.compile(
    r"^\s*(?:i(?:\s+(?:want|need|would\s+like)|['’]d\s+like)\b(?!\s+to\b)|我想要|我要).*"
    r"(?:\b(?:sell|dump|close)\s+(?:it|them)\b|\b(?:tp|sl|take\s+profit|stop\s+loss)\b"
    r"|止盈|止损|止赚|止蚀)",
    re.IGNORECASE,
)


def _exit_phrases(an: _Analysis) -> None:
    tags = an.live()
    start = min((tags.find(t) for t in "BDg" if t in tags), default=-1)
    wanted = False
    if start < 0:
        # "100u into WIF, dump it if it runs to 4": money put into a coin buys it
        into = re.search("[NQ]f[A]", tags)
        worth = _MONEY_OF_A_COIN.match(tags) if "S" not in tags else None
        if into is not None and an.text[an.tokens[into.start() + 1].start :].startswith("into"):
            start = into.start() + 1
        elif worth is not None and (worth.group(1) or an.tokens[0].code in QUOTE_CURRENCIES):
            # "$500 of btc, stop loss if it drops to 50k", "一萬蚊BTC，升到8萬止賺": the exits
            # of the money's worth bought (which, without 的, may still ask the side)
            start = worth.end() - 1
            wanted = True
        elif _WANTED_THEN_SOLD.search(an.text):
            # "I want 0.5 ETH, and if it goes up to 4,000 sell it": the exits of a position
            # wanted, never a sale of it (how it is to be had is then asked)
            start = min((tags.find(t) for t in "NA" if t in tags), default=-1)
            wanted = True
    sells = [k for k in range(start + 1, len(tags)) if tags[k] in _EXIT_SAYS]
    first_sell = tags.find("S")
    if start < 0 or not sells or (0 <= first_sell < start):
        return  # no buy, or the sell comes first: no exits of a position opened here
    moves_from, sold_at = start + 1, ""
    # (only one sale, after a buy's own verb, with no exit word of its own: "… and sell it
    # at 3600 for profit, stop at 2900" is a bracket's to read, "put 5k doge up for sale
    # at 25 cents" no buy)
    at = _SOLD_AT.match(tags, sells[0]) if len(sells) == 1 and tags[start] in "Bg" else None
    if at is not None and not re.search("[KRZJ]", tags[start:]):
        # "buy 0.1 eth when it drops under 3000 and then sell it at 3500": the price it is
        # sold at, above the price paid a take-profit (below it a stop-loss); a move before
        # it is the buy's own condition, a move after it the other exit ("…sell it at 4k
        # or if it dumps to 3k")
        paid_at = _PAID.search(tags, start + 1, sells[0])
        price = _num(an, at, 1)
        paid_price = _num(an, paid_at, 1) if paid_at is not None else None
        low = price is not None and paid_price is not None and price < paid_price
        sold_at = "stop_loss" if low else "take_profit"
        setattr(an, sold_at, price)
        an.take(at.start(), at.end(), sold_at)
        moves_from = at.end()
        other = _OR_AT.match(tags, moves_from)
        other_price = _num(an, other, 1) if other is not None else None
        if other is not None and other_price is not None and price is not None:
            # "…then sell it at 3,200 if it gets there or at 2,400 if it goes bad": the
            # other price is the other exit, by which side of the first it is on
            kind = "stop_loss" if other_price < price else "take_profit"
            if kind == sold_at:
                an.unresolved = True  # two prices of one kind: which?
            setattr(an, kind, other_price)
            an.take(other.start(), other.end(), kind)
            moves_from = other.end()
        if not _EXIT_MOVE.search(tags, moves_from):
            _sells_said_as_exits(an, sells)
            return
    # A move says an exit by its direction only when a sell word is there to be its verb
    # ("buy 1 ETH, sell it if it hits 4k or dumps to 3k"); "BUY 75 SOL if it drops to 135,
    # TP 170" is an entry condition beside a take-profit of its own.
    unpriced_exit = any(tags[k] == "S" or tags[k + 1 : k + 2] not in ("N", "@", ":") for k in sells)
    exits: list[tuple[re.Match[str], str]] = []
    for m in _EXIT_MOVE.finditer(tags, moves_from):
        words = m.group(1) + (m.group(3) or "")
        up, down = any(c in ">u" for c in words), any(c in "<d" for c in words)
        said = m.group(4)
        kind = "take_profit" if said == "R" else "stop_loss" if said == "Z" else ""
        if not kind and up != down and unpriced_exit:
            kind = "take_profit" if up else "stop_loss"
        bailed = any(k < m.start() and an.tokens[k].code == "bail" for k in sells)
        if not kind and not up and bailed:
            kind = "stop_loss"  # "bail if it hits 0.000015": a way out on the way down
        exits.append((m, kind))
    first, second = (exits[0][0], exits[1][0]) if len(exits) == 2 else (None, None)
    if (
        first is not None
        and second is not None
        and first.start() < min(sells)
        and an.tags[first.start()] == "i"  # ("买入3个，涨到4100…就平掉": no if, an exit)
        and not _EITHER.search(
            an.text, an.tokens[first.end() - 1].end, an.tokens[second.start()].start
        )
        and (
            not first.group(4)
            # ("… under 58,000 and then sell if it reaches 70,000": the sale's own move)
            or (
                first.group(4) == "S"
                and second.start() == first.end()
                and an.tags[second.start()] == "i"
                and not second.group(4)
            )
        )
    ):
        # "buy 0.01 btc if it drops under 58,000 and then sell if it reaches 70,000", "… if
        # it goes down to 2,900. And if it then reaches 3,800, take the profit": a move said
        # before any word of an exit, with an exit after it, is the buy's own condition
        exits = exits[1:]
        entered, level = _num(an, first, 2), _num(an, second, 2)
        if not exits[0][1] and entered is not None and level is not None and level != entered:
            # above the price it is bought at, a take-profit; below it, a stop-loss
            exits = [(second, "take_profit" if level > entered else "stop_loss")]
    if not exits or len(exits) > 2:
        if wanted:  # "I want 0.01 btc, sell it at 75k": a sale later, not now: no side
            at = re.compile("S@?(N)").match(tags, sells[0])
            if not exits and at is not None:
                an.take_profit = _num(an, at, 1)  # the price it is to be sold at
                an.take(at.start(), at.end(), "take_profit")
            _sells_said_as_exits(an, sells)
        return
    entry = re.search("@(N)", tags[start + 1 : exits[0][0].start()])
    if len(exits) == 1 and not exits[0][1] and unpriced_exit and entry is not None:
        # "buy 0.01 btc at 58,000 and if it goes to 70,000 sell it": above the price paid,
        # a take-profit; below it, a stop-loss
        paid = an.tokens[start + 1 + entry.start(1)].value
        level = _num(an, exits[0][0], 2)
        if paid is not None and level is not None and level != paid:
            exits = [(exits[0][0], "take_profit" if level > paid else "stop_loss")]
    if len(exits) == 2 and {k for _, k in exits} == {"take_profit", ""}:
        exits = [(m, k or "stop_loss") for m, k in exits]
    elif len(exits) == 2 and {k for _, k in exits} == {"stop_loss", ""}:
        exits = [(m, k or "take_profit") for m, k in exits]
    if sold_at and len(exits) == 1 and not exits[0][1]:
        exits = [(exits[0][0], "stop_loss" if sold_at == "take_profit" else "take_profit")]
    elif len(exits) == 1 and not exits[0][1] and unpriced_exit:
        # "aping 30 sol, moon target 260, bail if it hits 160": below the target said, the
        # stop-loss; above the stop said, the target
        level = _num(an, exits[0][0], 2)
        target, stop = (re.search(f"{t}[@:]?(N)", tags) for t in "RZ")
        if level is not None and target is not None and level < (_num(an, target, 1) or 0):
            exits = [(exits[0][0], "stop_loss")]
        elif level is not None and stop is not None and level > (_num(an, stop, 1) or level):
            exits = [(exits[0][0], "take_profit")]
    kinds = [k for _, k in exits] + ([sold_at] if sold_at else [])
    if any(not kind for _, kind in exits) or len(set(kinds)) != len(kinds):
        if wanted:
            _sells_said_as_exits(an, sells)
        if sold_at:
            an.unresolved = True  # "sell it at 4k or when it hits 5k": two of one kind
        return  # an exit with no direction ("if it gets to 4000"), or two of one kind
    for m, kind in exits:
        setattr(an, kind, _num(an, m, 2))
        an.take(m.start(), m.end(), kind)
    if wanted:  # the exit words of a position wanted are its exits', never a sale now
        for k in sells:
            if an.free[k]:
                an.take(k, k + 1)
    _sells_said_as_exits(an, sells)


#: "… if it gets there or at 2,400 if it goes bad": another price of the sale, with the
#: "if" of each
_OR_AT = re.compile(r"i?\|@(N)i?")


def _sells_said_as_exits(an: _Analysis, sells: list[int]) -> None:
    for k in sells:  # "sell it", "就卖": the exit's verb, not a second side
        if an.tokens[k].tag == "S":
            an.retag(k, "_")
            an.take(k, k + 1)


#: A number named as a count: "数量50", "qty 2".
_COUNT_WORD = re.compile(r"数量|\b(?:qty|quantity|size|amount)\b")
#: Said just before a span of time that has passed: "been trading for", "炒咗".
_LIVED = re.compile(r"\bbeen\b[^,.;!?]*$|[咗了过]\s*$")


def _said_earlier(an: _Analysis, k: int, then: int) -> bool:
    """Whether token ``k`` lies in a sentence before the one of token ``then``."""
    if k >= then:
        return False
    return _SENTENCE_END.search(an.text, an.tokens[k].end, an.tokens[then].start) is not None


def _schedule_phrases(an: _Analysis) -> None:
    m = _EVERY.search(an.live())
    if m is not None:
        if m.group(3):
            step, unit = 1, an.tokens[m.start(3)].code
        else:
            step_value = _whole(_num(an, m, 1))
            unit = an.tokens[m.start(2)].code
            if an.tags[m.start(2)] == "j":  # every Monday: weekly, on that day
                an.on, unit = unit, "W"
            if step_value is None:
                an.unresolved = True
                return
            step = step_value
        an.every = iso_duration(step, unit)
        an.take(m.start(), m.end(), "schedule")
        again = _EVERY.search(an.live())
        if again is not None:
            # "every two weeks like biweekly": the cadence said again; another one is asked
            said = (1, an.tokens[again.start(3)].code) if again.group(3) else None
            if again.group(2) and an.tags[again.start(2)] == "j" and not again.group(1):
                said = (1, "W")  # "Weekly DCA: … every Friday": weekly, on Fridays
                an.on = an.on or an.tokens[again.start(2)].code
            elif again.group(2) and an.tags[again.start(2)] == "Y":
                step_again = _whole(_num(an, again, 1)) if again.group(1) else 1
                said = (step_again or 0, an.tokens[again.start(2)].code)
            an.unresolved = an.unresolved or said is None or iso_duration(*said) != an.every
            an.take(again.start(), again.end(), "schedule")
        live = an.live()
        if unit == "MO":
            # "每个月1号", "每月15日", "on the 1st of every month": the day it falls on
            day = _MONTH_DAY_AFTER.match(live, m.end()) or _MONTH_DAY_BEFORE.search(
                an.tags, 0, m.start() + 1
            )
            if day is not None and day.lastindex == 2:
                # "每月15日" only: "monthly, 6 months" is no day
                written_zh = an.tokens[m.start()].code == "zh"
                if not (written_zh and an.tokens[day.end() - 1].code == "D"):
                    day = None
            if day is not None and all(an.free[day.start() : day.end()]):
                k = day.start(day.lastindex or 1)
                tok = an.tokens[k]
                an.day = int(tok.code) if tok.tag == "U" else _day_of_month(tok)
                an.unresolved = an.unresolved or an.day is None
                an.take(day.start(), day.end(), "schedule")
                live = an.live()
        times = _TIMES.search(live)
        if times is not None:
            an.count = _whole(_num(an, times, 1 if times.group(1) is not None else 2))
            an.unresolved = an.unresolved or an.count is None  # "2.5 times"
            if (
                times.start() == m.end()
                and an.tokens[m.start()].code == "zh"
                # ("两周一次，总共6次": six in all)
                and not an.text[an.tokens[m.end() - 1].end : an.tokens[m.end()].start].strip()
            ):
                an.unresolved = True  # "每月3次": three times a month, not three in all
            an.take(times.start(), times.end(), "schedule")
            return
        # "for 4 weeks", or a length said alone after the cadence: "monthly, 12 months"
        period = _FOR_PERIOD.search(live) or _BARE_PERIOD.search(live)
        if period is not None and (
            _said_earlier(an, period.end() - 1, m.start())
            or (
                period.end() <= m.start()
                and an.tags[period.start()] != "f"  # ("for the next 8 weeks, every week, …")
                and _PAUSE.search(
                    an.text, an.tokens[period.end() - 1].end, an.tokens[m.start()].start
                )
                is not None
            )
            or _LIVED.search(an.text, 0, an.tokens[period.start(1 if period.group(1) else 2)].start)
        ):
            # "I've been trading for 5 years, every month buy…", "我炒咗5年币，每个月买…",
            # "工作10年存了点钱，每个月…": how long the customer has been at it, no length of
            # the schedule (which follows its cadence)
            period = None
        if period is not None:
            length = _whole(_num(an, period, 1))
            period_unit = an.tokens[period.start(2)].code
            an.take(period.start(), period.end(), "schedule")
            count = None if length is None else orders_in(step, unit, length, period_unit)
            if count is None:
                an.unresolved = True
            else:
                an.count = count
        return
    m = _OVER.search(an.live())
    if m is None and "E" not in an.live() and _TWAP.search(an.text):
        # "TWAP买入3个ETH，90分钟": a TWAP's bare length is the time it is spread over
        m = _TWAP_LENGTH.search(an.live())
    if m is not None:
        number, unit_group = (1, 2) if m.group(2) else (3, 4)
        length = _whole(_num(an, m, number))
        if length is None:
            an.unresolved = True
            return
        an.over = iso_duration(length, an.tokens[m.start(unit_group)].code)
        an.take(m.start(), m.end(), "schedule")
        for k, tag in enumerate(an.live()):
            if tag == "O":  # "两个小时内…慢慢卖掉", "分批": the spreading said again
                an.take(k, k + 1, "schedule")
        chunks = _CHUNKS.search(an.live())
        if chunks is not None:
            an.count = _whole(_num(an, chunks, 1))
            an.unresolved = an.unresolved or an.count is None  # "in 2.5 chunks"
            an.take(chunks.start(), chunks.end(), "schedule")


def _bracket_phrases(an: _Analysis) -> None:
    if "R" in an.live() and "K" in an.live() and "S" not in an.tags:
        # "take profit 3,600, stop 2,880" on a buy: the stop is the stop-loss
        an.retag(an.live().find("K"), "Z")
    live = an.live()
    for k in range(len(live) - 2):
        if live[k] in "RZ" and live[k + 1 : k + 3] == "fN" and _word(an, k + 1) == "to":
            an.retag(k + 1, "o")  # "bump TP to 3,450": the to of the price it is moved to
    # "3500止賺, 2800止蝕": each price before its word, when every exit is written so.
    exits = [k for k, t in enumerate(an.live()) if t in "RZ"]
    postfix = bool(exits) and "N" not in an.live()[exits[-1] :]
    for name, forward, backward in (
        ("take_profit", _TAKE_PROFIT, _TAKE_PROFIT_BEFORE),
        ("stop_loss", _STOP_LOSS, _STOP_LOSS_BEFORE),
    ):
        first, second = (backward, forward) if postfix else (forward, backward)
        m = first.search(an.live()) or second.search(an.live())
        if m is None:
            continue
        if getattr(an, name) is not None:
            an.unresolved = True  # a second take-profit (or stop-loss): which one?
        setattr(an, name, _num(an, m, 1))
        an.take(m.start(), m.end(), name)


def _word(an: _Analysis, k: int) -> str:
    """The words of token ``k``."""
    return an.text[an.tokens[k].start : an.tokens[k].end]


def _trigger_phrases(an: _Analysis) -> None:
    live = an.live()
    m = _STOP_PRICE.search(live) or (_STOP_LEVEL.search(live) if "K" in live else None)
    if m is not None:
        an.stop_price = _num(an, m, 1)
        an.take(m.start(), m.end(), "trigger")
        live = an.live()
    m = _CONDITION.search(live) or _MOVE.search(live)
    if m is not None:
        words = m.group(1)
        # "breaks below 0.00002": a preposition says the side over the verb; "goes over".
        # ("breaks 5.80 to the downside": a side said after the price, over the verb too)
        preps = (
            [c for c in words if c in "du"]
            or [c for c in m.group(3) or "" if c in "du"]
            or [c for c in words if c in "<>"]
        )
        if preps:
            first = preps[0]
        elif "O" in words:
            first = ">"
        else:  # "when it reaches 4.2k": up or down? Only "reaches 4.2k or below" would say
            first = m.group(3) or _exit_direction(an.tags)
        price = _num(an, m, 2)
        if first and price is not None and price > 0:
            an.condition = _trigger("<=" if first in "<d" else ">=", price)
        else:
            an.unresolved = True  # a condition we cannot state: ask for it, keep the amount
            if price is not None and price > 0 and an.level is None:
                an.level = price  # "when it reaches 4.2k": up or down is asked, not the price
        end = m.end()
        if end < len(live) and live[end] == "G" and an.stop_price is None:
            end += 1  # "跌破2800触发": the condition's own word for a trigger
        elif end < len(live) and live[end] == "L" and an.tokens[end].code == "post":
            end += 1  # "drops to 130 or lower": the condition's direction, said again
        an.take(m.start(), end, "trigger")


def _exit_direction(tags: str) -> str:
    """The way a sale's condition is crossed when the message names it an exit: a stop
    ("stop loss on my sol - sell all of it if it hits 120", "止损…跌到") is on the way down,
    a take-profit ("take profit: sell 3 sol if it hits 250") on the way up. Nothing for a
    buy, whose exits are its own."""
    # ("I'd like to take profit on 5 SOL once it reaches 250": taking profit is the sale)
    sale = "S" in tags or (_TAKE_PROFIT_NOW.search(tags) is not None and "Z" not in tags)
    if not sale or re.search("[BD]|g(?!f)", tags):  # ("I'd like to": no get)
        return ""
    stops, profits = bool(re.search("[ZK]", tags)), "R" in tags
    return "" if stops == profits else "<" if stops else ">"


def _limit_phrases(an: _Analysis) -> None:
    live = an.live()
    market = _MARKET_PRICE.search(live) if "M" in live else None
    if market is not None:
        an.unresolved = True  # "market" and a price: which one is meant?
        an.take(market.start(), market.end(), "limit_price")
        live = an.live()
    for m in _LIMIT_PRICE.finditer(live):
        if m.group(3) is not None and (
            an.tokens[m.end()].code not in ("zh", "post") and not _price_then_limit(an, m.start(3))
            if live[m.end(3)] == "L"
            else an.text[an.tokens[m.end(3)].start] != "的"
        ):
            continue  # "0.05, limit 58000": in English the price follows "limit"
        if m.group(1) is not None and _spelled_far(an, m.start(), m.start(1)):
            continue  # "at a red light so quick one": "at" is not this "one"'s
        if an.limit_price is not None or _right_after_an_exit(an, m.start()):
            # two prices: do not pick one; "sold at 11.50 and stopped at 7": is 7 the entry's
            # price, or a stop the grammar did not read?
            an.unresolved = True
            return
        alternative = _ALTERNATIVE_PRICE.match(live, m.end())
        if alternative is not None and (
            alternative.group(1) is None or an.tokens[alternative.start(1)].code == "unsure"
        ):
            an.unresolved = True  # "at 60k or 61k": do not pick one
            an.take(m.start(), alternative.end(), "limit_price")
            return
        number = 1 if m.group(1) is not None else 3 if m.group(3) is not None else 5
        if _money_then_verb(an, m.start(number)) or _count_of_them(an, m.start(number)):
            an.unresolved = True  # "XRP 0.5挂单，1000U扫": the 1000U is spent, 0.5 the price?
            an.take(m.start(), m.end(), "limit_price")
            return
        an.limit_price = _num(an, m, number)
        code = an.tokens[m.start(number)].code
        for currency in (2, 4):
            if m.group(currency):
                code = an.tokens[m.start(currency)].code
                an.unit_quote_tokens.add(m.start(currency))
        an.price_quote = code
        an.limit_side = next(
            (t.code for t in an.tokens[m.start() : m.end()] if t.code in ("buy", "sell")), ""
        )
        an.take(m.start(), m.end(), "limit_price")


def _right_after_an_exit(an: _Analysis, k: int) -> bool:
    """Whether ``tokens[k]`` is an "at" right after a take-profit or stop-loss, nothing read
    between ("止损2800 限价2790" names its limit: a stop-limit)."""
    return _word(an, k) == "at" and any(
        last == k for name in ("take_profit", "stop_loss") for _, last in an.spans.get(name, ())
    )


#: A pause between clauses; "and" too, before a stop put on what was bought.
_PAUSE = re.compile(r"[,;，；—–]|\s-\s")
_PAUSE_OR_AND = re.compile(_PAUSE.pattern + r"|\band\b")
_ATTACHED_STOP = re.compile(r"(?:put|set|place|add|attach)\b")
#: … or said with its verb before the stop: "and slap a stop at 120 on it", "add a stop".
_STOP_ATTACHED_BY = re.compile(
    r"\b(?:put|set|place|add|attach|slap|stick|throw|chuck|whack)\s+(?:a\s+|an\s+|the\s+|my\s+)?$"
)


def _count_of_them(an: _Analysis, k: int) -> bool:
    """Whether the number ``tokens[k]`` ends the message as "5 of em", "5 of them": a count,
    not the price a "limit" before it would make it ("sell sol 190 limit 5 of em")."""
    tokens = an.tokens
    return k + 2 == len(tokens) and _word(an, k + 1) == "of"


def _before_a_chinese_verb(an: _Analysis, k: int) -> bool:
    """Whether ``tokens[k]`` is said right before a Chinese verb of buying or selling."""
    tokens = an.tokens
    return (
        k + 1 < len(tokens)
        and tokens[k + 1].tag in "BS"
        and not an.text[tokens[k].end : tokens[k + 1].start].strip()
        and _cjk_after(an.text, tokens[k + 1].start)
    )


def _money_then_verb(an: _Analysis, k: int) -> bool:
    """Whether the number ``tokens[k]`` is a sum of money said right before a Chinese verb
    ("1000U扫", "500U买"): what is spent, not a price."""
    return bool(an.tokens[k].code) and _before_a_chinese_verb(an, k)


def _price_then_limit(an: _Analysis, k: int) -> bool:
    """Whether the number ``tokens[k]`` is the price of an English "140 limit" that ends its
    clause, after a pause ("Buy some SOL, 140 limit"; not "buy 100 limit": the amount)."""
    tokens, text = an.tokens, an.text
    limit = tokens[k + 1]
    return (
        k > 0
        and tokens[k - 1].tag not in "BSCDg"
        and (
            bool(_PAUSE.search(text, tokens[k - 1].end, tokens[k].start))
            # ("Buy some SOL 140 limit": "some" is the amount, so 140 is no count)
            or (k > 1 and tokens[k - 1].tag == "A" and tokens[k - 2].tag == "V")
        )
        and not text[tokens[k].end : limit.start].strip()
        and _CLAUSE_END.match(text, limit.end) is not None
    )


_CLAUSE_END = re.compile(r"\s*(?:$|[,;.!?，。；！？])")


def _spelled_far(an: _Analysis, first: int, last: int) -> bool:
    """Whether token ``last`` is a number spelled in words ("one") with English words no
    token reads between it and token ``first``: the "at" and the "one" of "I'm at a red
    light so quick one" are not a price phrase."""
    number = _word(an, last)
    if not number.isalpha():
        return False
    start, end = an.tokens[first].end, an.tokens[last].start
    gap = list(an.text[start:end])
    for tok in an.tokens[first + 1 : last]:
        gap[tok.start - start : tok.end - start] = " " * (tok.end - tok.start)
    return re.search(r"[a-z]{2,}", "".join(gap)) is not None


#: "for 2 years", "I'm 67 years old", "20分钟后": a length of time no schedule took
_SPAN_OF_TIME = re.compile("NY")
_NAMED_NUMBER_HINT = re.compile(r"岁|歲|y/?o\b|第|#|号|號|step")
_AGE = re.compile(r"\s*(?:岁|歲|y/?o\b)")
#: Before a number that counts or names no quantity: "第3次" (an ordinal), "ticket #4471",
#: "尾号4471", "Step 1:".
_ORDINAL_OR_ID = re.compile(r"(?:第|#|号|號|\bstep)\s*$")


def _numbers_named(an: _Analysis) -> None:
    """An age ("我今年67岁"), an ordinal ("第3次问了") or a number that names something
    ("ticket #4471", "尾号4471") is no amount, price or count: not understood."""
    for k, tok in enumerate(an.tokens):
        if (
            tok.tag == "N"
            and an.free[k]
            and (_AGE.match(an.text, tok.end) or _ORDINAL_OR_ID.search(an.text, 0, tok.start))
        ):
            times = k + 1 < len(an.tokens) and an.tags[k + 1] == "x"  # (第3次: its 次 too)
            _not_understood(an, k, k + 1 + times)


def _spans_of_time(an: _Analysis) -> None:
    """A span of time no schedule took ("been bagholding for 2 years", "I'm 67 years old",
    "止蝕，20分钟后我再来看") is no amount, price or count: not understood."""
    for m in _SPAN_OF_TIME.finditer(an.live()):
        _not_understood(an, m.start(), m.end())


def _not_understood(an: _Analysis, first: int, last: int) -> None:
    """Tokens ``first`` to ``last`` taken as a number no role may place: the amount is asked."""
    an.unclear.append(an.text[an.tokens[first].start : an.tokens[last - 1].end])
    an.bad_amount = True
    an.take(first, last)


#: A sentence ended before another begins (most messages are one sentence: no work then).
_SENTENCE_BEFORE = re.compile(r"(?:[.!?](?=\s)|[。！？])\s*[^\s.!?。！？]")
#: Tags that make a sentence part of a request: a verb, a coin, money, a price or a time.
_REQUEST_TAGS = frozenset("ABSCDgtX~Q$@LKJGRZi<>=dupHVkcEFxOe#^!rjT")


def _numbers_told_before(an: _Analysis) -> None:
    """A bare number in a sentence before the request that says nothing else of a trade ("My
    account number ends in 4471. Sell my LINK if it goes under 12") is no amount, price or
    count of it: not understood."""
    ends = [m.end() for m in _SENTENCE_END.finditer(an.text)]
    sentence = [bisect.bisect_right(ends, t.start) for t in an.tokens]
    told = {
        sentence[k]
        for k, t in enumerate(an.tokens)
        if t.tag in _REQUEST_TAGS or (t.tag == "N" and t.code)
    }  # ("I lost 30% last year. Sell my WIF at 3.20": a share told is no request's either)
    first = min(
        (sentence[k] for k, t in enumerate(an.tokens) if t.tag in _VERBISH or t.tag == "A"),
        default=0,
    )
    for k, tok in enumerate(an.tokens):
        if tok.tag in "NP" and sentence[k] < first and sentence[k] not in told and an.free[k]:
            _not_understood(an, k, k + 1)


def _amount_phrases(an: _Analysis) -> None:
    tokens = an.tokens

    def add(
        kind: str, value: Decimal | None, unit: str, first: int, last: int, att: int = -1
    ) -> None:
        if first > 0 and (tokens[first - 1].tag, tokens[first - 1].code) == ("V", "keep"):
            # "留返一半，沽一半": the half kept is not the half sold; any other amount kept
            # ("sell 2, keep just 3") leaves the amount sold to be asked
            an.alternative_amounts |= kind != "share"
            an.take(first, last)
            return
        vague_before = (
            first > 0
            and tokens[first - 1].tag == "V"
            # "大饼整点，50刀就行": some, namely 50 bucks; "a few hundred" makes it vague
            and not _paused(an.text, tokens[first - 1], tokens[first])
        )
        if value is None or value <= 0 or vague_before:
            # "0 BTC", "3/2 ETH", "1万25": no amount we can read; "a few hundred dollars":
            # a number made vague
            an.bad_amount = True
            an.take(first, last)
            return
        an.amounts.append(_Amount(kind, value, unit, first, last, att))
        an.take(first, last, "amount")

    live = an.live()
    for m in _ALTERNATIVE_AMOUNTS.finditer(live) if "|" in live else ():
        # "0.2还是0.3", "200 or 300 hkd", "like 1 or 2": which amount? asked, nothing else
        an.alternative_amounts = True
        an.unit_quote_tokens.update(k for k in range(m.start(), m.end()) if an.tags[k] == "Q")
        an.take(m.start(), m.end())
    live = an.live()
    # Each phrase runs only when its tags are there (speed); ``live`` is re-read after takes.
    for m in _HALF_UNIT.finditer(live) if "H" in live else ():
        # "半个", "half a one": a quantity of the asset named elsewhere, never a share
        share = tokens[m.start(1)].value or Decimal(0)
        add("bare", share / 100, "", m.start(), m.end())
    live = an.live()
    for m in _HALF_A.finditer(live) if "H" in live or "P" in live else ():
        share = tokens[m.start(1)].value or Decimal(0)
        add("units", share / 100, tokens[m.start(2)].code, m.start(), m.start(2))
    # Numbers written with their currency: $500, 100u, 500$.
    for k, tok in enumerate(tokens) if "N" in live else ():
        if tok.code and tok.tag == "N" and an.free[k]:
            last = k + 1
            if last < len(tokens) and tokens[last].tag == "Q" and tokens[last].code == tok.code:
                an.unit_quote_tokens.add(last)
                last += 1
            add("quote", tok.value, tok.code, k, last)
    # A number followed by a word we don't know: its unit is unknown ("100 块", "2 foo").
    for k, tok in enumerate(tokens) if "N" in live else ():
        if tok.tag == "N" and tok.unclear and an.free[k]:
            an.unclear.append(tok.unclear)
            add("bare", None, "", k, k + 1)
    live = an.live()
    has_number = "N" in live
    for m in _UNNAMED_MONEY.finditer(live) if has_number and "y" in live else ():
        add("bare", None, "", m.start(), m.end())  # before "2000 蚊" is read as HKD
    live = an.live()
    for m in _QUOTE_AMOUNT.finditer(live) if has_number and "y" in live and "Q" in live else ():
        q = tokens[m.start(2)]
        if an.text[q.start : q.end] == "蚊":  # "用人仔定港紙都得, 買一千蚊ETH": yuan or dollars?
            add("bare", None, "", m.start(), m.end())
    live = an.live()
    for m in _QUOTE_AMOUNT.finditer(live) if has_number and "Q" in live else ():
        an.unit_quote_tokens.add(m.start(2))
        add("quote", _num(an, m, 1), tokens[m.start(2)].code, m.start(), m.end())
    live = an.live()
    for m in _QUOTE_FIRST.finditer(live) if has_number and "Q" in live else ():
        if _paused(an.text, tokens[m.start(1)], tokens[m.start(2)]):
            continue  # "eth to usdt, 1.2 of it": the currency is where it goes, not the unit
        an.unit_quote_tokens.add(m.start(1))
        add("quote", _num(an, m, 2), tokens[m.start(1)].code, m.start(), m.end())
    live = an.live()
    for m in _UNNAMED_MONEY.finditer(live) if has_number else ():
        add("bare", None, "", m.start(), m.end())
    live = an.live()
    for m in _UNIT_AMOUNT.finditer(live) if has_number else ():
        unit = tokens[m.start(2)].code  # "" for "50 tokens": the asset named elsewhere
        add("units" if unit else "bare", _num(an, m, 1), unit, m.start(), m.end() - 1)
    live = an.live()
    for m in _SHARE.finditer(live) if "H" in live or "P" in live else ():
        if tokens[m.start(1)].code == _SLASH and not _OF_MY.search(live, m.end(1), m.end()):
            # "sell 1/2 ETH": 0.5 ETH or half of my ETH? Never pick one: ask for the amount.
            an.ambiguous_share = m.start(1)
            an.ambiguous_unit = tokens[m.start(2)].code if m.group(2) else ""
            add("share", None, "%", m.start(), m.end(1))
            continue
        attached = m.start(2) if m.group(2) else -1
        add("share", tokens[m.start(1)].value, "%", m.start(), m.end(1), attached)
    live = an.live()
    for m in _BARE_AMOUNT.finditer(live) if "N" in live else ():
        if (m.start() > 0 and an.tags[m.start() - 1] == "w" and m.end() == len(live)) or (
            m.start() > 0 and an.tags[m.start() - 1] == "w" and live[m.end()] in "BgDC"
        ):
            # "用 100 買比特幣": 100 of what is paid, not of what is bought: asked
            an.unresolved = an.bad_amount = True
            break
        after_asset = m.group() == "N" and m.start() > 0 and an.tags[m.start() - 1] == "A"
        if (
            after_asset
            and (
                (
                    live[m.end() : m.end() + 1] in ("B", "S")
                    and not live[m.end() + 1 :].strip("_")
                    and _CJK_CHAR_RE.match(an.text, tokens[m.end()].start)  # not "sol 1.5 buy"
                )
                or (
                    m.end() == len(tokens)  # the last word: "B btc 1k", not "hbar 10k @ .11"
                    and an.text[tokens[m.start()].end - 1 : tokens[m.start()].end] in ("k", "m")
                )
            )
        ):
            # "ETH 3000 入": 3,000 ETH, or ETH at 3,000 ("ETH 3150 買 1.5 顆")? "B btc 1k":
            # a thousand coins, or a thousand dollars' worth? Asked
            an.unresolved = an.bad_amount = True
            break
        if any(a.kind == "bare" for a in an.amounts):
            # A second loose number: we don't know which is the amount, nor what the other is.
            an.unresolved = an.bad_amount = True
            break
        add("bare", _num(an, m, 1), "", m.start(), m.end())
    if not an.amounts and "a" in an.tags:
        one = _ONE_UNIT.search(an.live())
        if one is not None:
            add("units", Decimal(1), tokens[one.start(1)].code, one.start(), one.start(1))
    every = any(a.kind == "share" and a.value == _HUNDRED for a in an.amounts)
    explicit = [a for a in an.amounts if a.kind in ("units", "quote", "bare")]
    if every and any(_beside_all(an, a) for a in explicit):
        # "大饼5.6万全砸", "sol 150 sell all": all of it at that price, or that many? Asked
        an.unresolved = an.bad_amount = True
    if explicit and len(an.amounts) > len(explicit):
        # "0.1个转晒做SOL", "五万蚊…买晒": 晒/all beside an explicit amount is "all of it"
        # (in its sentence: "…, all of it please. I have decided that one coin is quite
        # enough" says two amounts)
        an.amounts[:] = [
            a
            for a in an.amounts
            if not _all_of_it(a)
            or (
                _SHARE_OF.match(an.text, tokens[a.first].end) is not None
                # ("swap my usdc into btc, all of it, 5": all of it, or 5 of it?)
                and any(_apart(an, a, b) or b.kind == "bare" for b in explicit)
            )
        ]
    if len(an.amounts) > 1 and len({(a.kind, a.value, a.unit) for a in an.amounts}) == 1:
        del an.amounts[1:]  # the same amount said twice ("sell 2 SOL… yes, sell 2 SOL")
    an.vague = any(t.tag == "V" and t.code not in _NOT_VAGUE for t in an.tokens)
    kept = {t.code for t in tokens if t.tag == "V"} & {"except", "keep"}
    if "except" in kept or ("keep" in kept and (every or not an.amounts)):
        # "all but 2 SOL", "sell it all, keep a moon bag", "sell my SOL, keep 2": what is
        # kept is said, not what is sold, so the amount is asked
        an.alternative_amounts = True
    # Numbers no phrase could place (a "%" share or time unit left over, a dangling price).
    live = an.live()  # consumed tokens are "_" there
    if "N" in live or "P" in live:
        an.unresolved = True


def _beside_all(an: _Analysis, amount: _Amount) -> bool:
    """A number with no unit right beside "all" and the verb ("5.6万全砸", "150 sell all")."""
    if amount.kind != "bare" or an.tags[amount.first : amount.last] != "N":
        return False
    after = re.match(r"[BSC]?H", an.tags[amount.last :])
    return after is not None and any(
        a.kind == "share" and a.first == amount.last + after.end() - 1 for a in an.amounts
    )


#: "no stop loss", "no take profit": an exit said not to be wanted (V tokens' codes)
_NO_EXIT = frozenset({"no-stop", "no-profit"})
#: V tokens that make no amount vague: unwanted exits, and something kept back ("keep a
#: bag"), which only asks the amount beside "all"
_NOT_VAGUE = _NO_EXIT | {"keep"}


_SHARE_OF = re.compile(r"\s+of\s+(?:it|them|my|the)\b")  # "all of it": a share said as one


def _apart(an: _Analysis, one: _Amount, other: _Amount) -> bool:
    """Whether a sentence ends between two amounts."""
    first, second = sorted((one, other), key=lambda a: a.first)
    end, start = an.tokens[first.last - 1].end, an.tokens[second.first].start
    return end < start and _SENTENCE_END.search(an.text, end, start) is not None


def _all_of_it(amount: _Amount) -> bool:
    """A share of 100% attached to nothing: "all", 晒."""
    return amount.kind == "share" and amount.value == _HUNDRED and amount.attached < 0


def _mentions(an: _Analysis) -> list[_Mention]:
    """Assets and currencies named as objects (not as the unit of an amount), first first."""
    out: list[_Mention] = []
    seen: set[str] = set()
    for k, tok in enumerate(an.tokens):
        if tok.tag not in "AQ" or k in an.unit_quote_tokens or tok.code in seen:
            continue
        seen.add(tok.code)
        marker = ""
        j = k - 1
        while j >= 0 and an.tags[j] in _MARK_SKIP:
            j -= 1
        by = ""
        if j >= 0 and an.tags[j] in "wf":
            marker, by = an.tags[j], an.tokens[j].code
        elif j >= 0 and an.tags[j] == "D":  # "use 1 ETH to buy SOL": what is used is paid
            marker = "w"
        out.append(_Mention(k, tok.code, marker, by, "m" in an.tags[j + 1 : k]))
    return out


# ---------------------------------------------------------------------------------------------
# 4. Interpretation
# ---------------------------------------------------------------------------------------------


#: Words that act: the first of them says what the message does.
_VERBISH = frozenset("~KBSCDgX")
#: "kill my ETH sell", "pull my btc buy": an order named by its asset and side.
# "pull my order to sell…", "drop the 61k btc bid": the order named, whatever its terms
_STOP_THEN_PRICE = re.compile(r"K@?N")
#: ("姨太那笔4200的卖单不要了": the order named first, then not wanted, in Chinese order)
_MY_ORDER = re.compile(r"^[^BSCDg]*~m?r|^[^BSCDg]*~[^BSCDg]*A[LKr]$|^[^BSCDg]*[BS]?r~[^BSCDg]*$")
_NAMED_ORDER = re.compile(r"~[^BSCDgX]*A[^BSCDgXN]*[BS](?:@N)?(?![^,]*[AN])")


def _first_tag(an: _Analysis, tags: str) -> int:
    for k, t in enumerate(an.tags):
        if t in tags:
            return k
    return -1


_WORTH = re.compile(r"\bworth\b|值")
_WENT_THROUGH = re.compile(
    r"\b(?:filled|gone\s+through|went\s+through|executed|completed)\b"
    r"|\bdid\b[^?]*\b(?:fill|go\s+through|execute|complete)\b"
    r"|成交(?:了|咗)?(?:没|未|吗|冇)"  # (not "市價成交便可以了": how it is to fill)
)
#: "my 0.75 BTC bid", "my 0.5 eth sell": an order of mine, named by its side after its coin.
_MY_SIDE_ORDER = re.compile(r"^[^BSCDg]*m(?:N?A|AN?)([BS])")
_SIDE_NOUNS = frozenset({"bid", "ask", "offer", "buy", "sell", "sale", "purchase"})


def _my_order_by_side(an: _Analysis) -> bool:
    m = _MY_SIDE_ORDER.search(an.tags)
    return m is not None and _word(an, m.start(1)) in _SIDE_NOUNS  # ("my btc stack": no)


_ASKS_TO_PLACE = re.compile(
    r"\b(?:would|could|can|will)\s+you\s+(?:please\s+|kindly\s+)?(?:place|set|put|make|enter|submit)\b"
    r"|\b(?:can|could|may)\s+i\s+(?:please\s+)?(?:place|put|set|make|enter)\b"
)


def _query_kind(tags: str, has_mention: bool) -> QueryKind | None:
    if "r" in tags or ("L" in tags and "N" not in tags):  # 我的挂单: a limit order, asked about
        return "orders"
    if "l" in tags or ("h" in tags and "v" in tags) or ("v" in tags and has_mention):
        return "balance"
    if "p" in tags or ("h" in tags and has_mention) or ("W" in tags and has_mention):
        return "price"
    return None


#: Tags of the words whose misspelling could change what is done: numbers and shares, sides,
#: times and schedules, conditions, negations, currencies and prices.
_MEANINGFUL_TAGS = frozenset("NHPBSCXDEFYjxOnT^#iI<>=duQLKJRZ@%Wplhr")
_LONG_WORD = re.compile(r"[a-z]{4,}")


@lru_cache(maxsize=1)
def _meaningful_words() -> frozenset[str]:
    """The grammar words of four letters or more whose misspelling could change an order."""
    entries = [((word,), entry) for word, entry in WORDS.items()] + list(PHRASES.items())
    entries += [((alias,), _asset_entry(code)) for alias, code in ASSET_ALIASES.items()]
    said = {
        word
        for words, entry in entries
        if any(tag in _MEANINGFUL_TAGS for tag, _ in entry)
        for word in words  # ("take profti at 4,200": the words of a phrase too)
        if _LONG_WORD.fullmatch(word)
    }
    return frozenset(said | {w for w in EN_NUMBER_WORDS if _LONG_WORD.fullmatch(w)})


#: Words one letter from a grammar word that are words of their own (slang, plurals).
_NOT_MISSPELT = frozenset(
    {
        "yeet",
        "drip",
        "slips",
        "zeros",
        "mooning",
        "doesn",
        "crabbing",
        "exits",
        "breakouts",
        "nought",
        "tranche",
        "rugs",
        "hodl",
        "scalp",
    }
)


def _misspelt_grammar(norm: str, tokens: list[Token]) -> tuple[str, str] | None:
    """A word no token read, one letter away from a grammar word that could change the order
    ("sell a quarer of my eth", "every monay", "for the next eght weeks"), with that word;
    ``None`` when there is none. Common English words are never taken for one."""
    common, meaningful = common_words(), _meaningful_words()
    read: bytearray | None = None  # which characters a token read (made once it is needed)
    for m in _LONG_WORD.finditer(norm):
        word = m.group()
        if (
            word in _WORD_TABLE
            or word in meaningful
            or word in common
            or word in _NOT_MISSPELT
            or word in EN_NUMBER_WORDS
            or word in _HARMLESS_AFTER_NUMBER
            or (word.endswith("s") and word[:-1] in meaningful)  # a plural: "bleeds"
        ):
            continue  # (a word of a phrase said alone, "lighten", is in ``meaningful``)
        if read is None:
            read = bytearray(len(norm))
            for t in tokens:
                read[t.start : t.end] = b"\x01" * (t.end - t.start)
        if any(read[m.start() : m.end()]) or fuzzy_asset(word) is not None:
            continue
        meant = _close_grammar_word(word)
        if meant is not None:
            return word, meant
    return None


@lru_cache(maxsize=4096)
def _close_grammar_word(word: str) -> str | None:
    """The grammar word one letter from ``word``: the longest, then the first in the alphabet
    ("evey" is "every", not "evry")."""
    close = [
        meant
        for meant in _meaningful_words()
        if abs(len(meant) - len(word)) <= 1 and OSA.distance(word, meant, score_cutoff=1) <= 1
    ]
    return min(close, key=lambda meant: (-len(meant), meant)) if close else None


def _withdrawal(norm: str) -> re.Match[str] | None:
    """Where ``norm`` takes its request back: a withdrawal at its end, or one followed only by
    words that ask for nothing ("buy 1 BTC... actually forget it, I'll wait for the CPI
    print"); not one a new request follows ("forget it, buy 2 ETH")."""
    for m in _WITHDRAWN.finditer(norm):
        if m.end() == len(norm):
            return m
        if not _conditional(norm[: m.start()]) and not any(
            t.tag in _REQUESTING_TAGS for t in tokenize(norm[m.end() :])
        ):
            return m
    return None


def _conditional(before: str) -> bool:
    """Whether a withdrawal after ``before`` holds only under a condition said just before it
    ("If it is not filled, never mind"), not one of the request ("sell 20 sol if it pumps to
    250 -- scratch that")."""
    said = [m.end() for m in _CONDITIONAL.finditer(before)]
    return bool(said) and not any(t.tag in "NABSCPDgt" for t in tokenize(before[said[-1] :]))


class RuleParser:
    """Deterministic parser from an utterance (English or Chinese) to a parse result."""

    name: ClassVar[str] = "rules"  # (ClassVar: a class attribute once compiled too)
    version: ClassVar[str] = "1.0.0"

    def parse(self, text: str) -> ParseOutput:
        """Parse ``text``; never raises for any string."""
        try:
            return self._parse(text)
        except Exception:  # last-resort safety net: a parser bug must not become a trade
            return Unsupported(
                reason="parse_error",
                message="Sorry, I couldn't understand that. Please rephrase the request, "
                'e.g. "buy 0.1 BTC".',
            )

    def _parse(self, text: str) -> ParseOutput:
        if len(text) > MAX_INPUT_CHARS:
            return _unsupported("too_long")
        norm = _without_courtesy(normalize(text))
        injected = False
        if _INJECTION_HINT.search(norm) and _INJECTION_RE.search(norm):
            injected = True
            norm = _INJECTION_RE.sub(_blank, norm)
        if _EXPLAIN_HINT.search(norm) and _EXPLAIN.search(norm):
            return _unsupported("explain")  # "what does 'limit order' mean?", "什么是市价单？"
        withdrawn = _withdrawal(norm) if _WITHDRAWN_HINT.search(norm) else None
        before = norm[: withdrawn.start()] if withdrawn is not None else ""
        said_before = bool(before.strip())
        if said_before and not _ORDER_WORD.search(before):
            return _unsupported("withdrawn")  # "buy 100u of link... nah forget it"
        norm = _readable(norm)
        tokens = _in_context(tokenize(norm, text), norm)
        for tok in tokens:
            if tok.tag == "!":
                return _unsupported(tok.code)
        if injected:
            # An attempt to change the rules refuses the whole message: the customer sends
            # the trade on its own, and support sees the attempt (it is never half-obeyed).
            return _unsupported("injection")
        if "?" in norm or "wh" in norm or "how" in norm:
            tokens = _asked_then_requested(norm, tokens)
        if "alone" in norm and _LEFT_LOOSELY.search(norm):
            return _unsupported("negation")  # "leave not the BTC alone": what is left alone?
        scoped = _scope_negations(norm, _self_corrections(norm, _restatements(norm, tokens)))
        if scoped is None:
            return _unsupported("negation")
        an = _analyse(scoped, norm)
        # "convert my USDC, not all of it": a denied amount leaves "my X" no default of all
        denied = [t for t in tokens if t not in scoped] if len(scoped) < len(tokens) else []
        an.denied_amount = any(t.tag in "NPH" for t in denied)
        an.denied_verb = any(t.tag in "BSCDg" for t in denied)
        result = _interpret(text, an)
        if isinstance(result, Intent) and result.action in ("buy", "sell", "convert"):
            if said_before:
                # "Grab 1.5m PEPE, market order. nvm": an order's kind named, then withdrawn
                return _unsupported("withdrawn")
            misspelt = _misspelt_grammar(norm, tokens)
            if misspelt is not None:
                # "sell a quarer of my eth" is no sale of all of it: the word is asked about
                return _construct(
                    Unsupported,
                    _UNSUPPORTED_T,
                    {
                        "reason": "unclear_word",
                        "message": f'I couldn\'t read "{misspelt[0]}" (did you mean '
                        f'"{misspelt[1]}"?), and it could change the order. Please write the '
                        "request again.",
                    },
                )
        return result


_CENTS = re.compile(r"\s*(?:us\s+)?cents?\b")  # "50 cents", "50 US cents"
_PLAIN_CENTS = re.compile(r"[\d.,]+\s*cents?\b")  # (no currency named: "10 cents")
#: Said before a coin whose "stack" is then the holding: "my whole pepe stack".
_HOLDING_BEFORE = re.compile(r"\b(?:my|whole|entire|the|your|ur)\s+$")
#: The word that names what pays: "用港紙買BTC", "拿U买".
_PAID_BY_WORD = re.compile(r"用|拿|with\b")
#: Said right after a currency: it pays ("USDT付", "用港币结算").
_PAID_WITH = re.compile(r"\s*(?:付|支付|付款|结算|来付)")
#: The tags whose meaning :func:`_in_context` may change.
_IN_CONTEXT = frozenset("NQg!O@rKC~l")
_SPOT = re.compile(r"\bspot\b|现货|現貨")
_TO_AFTER = re.compile(r"\s+to\b")
_ORDERS_COUNTED = frozenset({"buys", "sells", "purchases"})
_ROUGHLY_BEFORE = re.compile(r"\b(?:around|roughly|approximately|approx|circa)\s+$")
_HEDGE_BEFORE = re.compile(r"\b(?:maybe|perhaps)\s+$|(?:也许|或者)\s*$")
_QUESTION_AFTER = re.compile(r"\s*[?？]")
#: Said after a side asked as a question: still undecided ("買ETH，唔係…賣？唔知，1粒").
_UNDECIDED = re.compile(r"唔知|不知道|不确定|\b(?:dunno|idk|not\s+sure)\b")
#: Words of leverage beyond a bare "long": with them, "long" is no spot buy.
_LEVERAGED = re.compile(r"\d+\s*x\b|\bx\s*\d+|leverage|margin|perps?\b|futures|倍|杠杆|槓桿")
_PUT_TO_USE = re.compile(r"\bwith\s+it\b|\binvest\b|\bset\s+aside\b|想[买買]|投资|投資")


def _verb_follows(tokens: list[Token], k: int) -> bool:
    """Whether a verb comes right after ``tokens[k]`` (a "to" may stand between)."""
    tags = "".join(t.tag for t in tokens[k + 1 : k + 3])
    return bool(tags) and (tags[0] in _VERBISH or (tags[0] == "f" and tags[1:2] in _VERBISH))


def _names_no_money(norm: str, before: Token | None, tok: Token, after: Token | None) -> bool:
    """Whether the currency word ``tok`` names no currency here: "刀" with no number just
    before it ("接飞刀"), or "蚊" just before another currency ("二百蚊美金")."""
    word = norm[tok.start : tok.end]
    if word == "刀":
        return before is None or before.tag != "N" or bool(norm[before.end : tok.start].strip())
    return (
        word == "蚊"
        and after is not None
        and after.tag == "Q"
        and not norm[tok.end : after.start].strip()
    )


#: What may follow a bare sum that ends the request: "大饼买1000 马上", "… asap".
_NOTHING_BUT_HASTE = re.compile(
    r"[\s。.!！?？~,，]*(?:(?:now|asap|rn|right\s+now|quick(?:ly)?|现在|马上|即刻|而家|快啲|快点|快d"
    r"|立刻|立即)[\s。.!！?？~,，]*)*$"
)


def _bare_sum_after_verb(norm: str, out: list[Token], tok: Token) -> bool:
    """Whether ``tok`` is a whole number of 100 or more with no unit right after a Chinese
    verb ("大饼买1000"), or written in Chinese after the verb and its coin ("上车SHIB 五百";
    "沽ETH 3500" counts coins, "限价买入以太坊，3100" names the price)."""
    written = norm[tok.start : tok.end]
    verb = len(out) - 1 if out and out[-1].tag in "BS" and written.isdigit() else -1
    if (
        len(out) > 1
        and out[-1].tag == "A"
        and out[-2].tag in "BS"
        and _CJK_CHAR_RE.search(written)
        and not norm[out[-1].end : tok.start].strip()  # ("买入 HBAR，数量 1万": the amount)
    ):
        verb = len(out) - 2
    return (
        verb >= 0
        and not tok.code
        and not any(t.tag in "L@p<>i" for t in out)
        and _cjk_after(norm, out[verb].start)
        and tok.value is not None
        and tok.value >= 100
        and tok.value == tok.value.to_integral_value()
    )


def _holding_stack(norm: str, out: list[Token], tok: Token, tags: set[str]) -> bool:
    """Whether the verb ``tok`` is the "stack" of a holding beside a sale ("dump my whole
    pepe stack", a negation between them too): a noun, no verb of buying."""
    if not norm.startswith("stack", tok.start) or "S" not in tags or not out:
        return False
    coin = out[-2] if len(out) > 1 and out[-1].tag == "^" else out[-1]
    return coin.tag == "A" and _HOLDING_BEFORE.search(norm, 0, coin.start) is not None


def _in_context(tokens: list[Token], norm: str) -> list[Token]:
    """Words whose meaning depends on the rest of the message.

    "10x" is leverage, except in a schedule ("every day, 10x" is ten times); "withdraw" is
    a withdrawal of funds, except of an order ("withdraw my ETH order" cancels it). "刀" is
    dollars after a number only ("接飞刀" catches a falling knife); "蚊" before another
    currency is that currency's unit ("二百蚊美金": 200 US dollars); "50 cents" is $0.50.
    """
    tags = {t.tag for t in tokens}
    out: list[Token] = []
    for k, tok in enumerate(tokens):
        if tok.tag not in _IN_CONTEXT:
            if tok.tag != "B" or not _holding_stack(norm, out, tok, tags):
                out.append(tok)  # (most words: no branch below reads them; speed)
            continue
        after = tokens[k + 1] if k + 1 < len(tokens) else None
        cents = _CENTS.match(norm, tok.end) if tok.tag == "N" and tok.value else None
        if cents is not None and tok.value is not None:
            out.append(Token("N", tok.start, cents.end(), tok.value / 100, code="USD"))
        elif tok.tag == "Q" and _names_no_money(norm, out[-1] if out else None, tok, after):
            continue
        elif (
            tok.tag == "l"
            and norm.startswith("stack at", tok.start)
            and after is not None
            and after.tag == "N"
            and any(t.tag in "BSDg" for t in out)
        ):
            # "Exit the whole LTC stack at 88.50": the holding sold at a price, no question
            out.append(Token("@", tok.end - 2, tok.end, code="en"))
        elif tok.tag == "Q" and out and out[-1].tag == "c" and _PAID_WITH.match(norm, tok.end):
            # "比特币买0.02个USDT付": the coins counted, then what pays for them (as 用USDT)
            out += [Token("w", tok.start, tok.start), tok]
        elif (
            tok.tag == "N"
            and not tok.code
            and any(t.tag in "BDgt" for t in out)
            and out[-1].tag not in "AQ"
            and after is not None
            and k + 2 < len(tokens)
            and tokens[k + 2].tag == "A"
            and (
                (after.tag == "f" and norm[after.start : after.end] == "into")
                or (
                    any(t.tag in "Dt" for t in out)
                    and after.tag in "f@"
                    and norm[after.start : after.end] in ("on", "in", "at")
                )
            )
        ):
            # "ape 1k into pepe", "spend 500 on sol", "throw 500 at SOL": money put into a
            # coin, in a currency nobody named
            out.append(Token("V", tok.start, tok.end, code="unsure"))
        elif (
            tok.tag == "N"
            and not tok.code
            and len(out) > 2
            and (out[-1].tag, out[-1].code, out[-2].tag) == ("f", "for", "A")
            and any(t.tag in "BSgD" for t in out[:-2])
            and not any(t.tag == "N" for t in out)  # ("sell 1 eth for 4000 or better": a price)
            and (after is None or after.tag not in "AQckTxY")
        ):
            # "buy bitcoin for 100", "get me eth for 500", "sell my eth for 3000": a sum in a
            # currency nobody named, or a price; never coins
            out.append(Token("V", tok.start, tok.end, code="unsure"))
        elif (
            tok.tag == "N"
            and not tok.code
            and (after is None or after.tag not in "AQckT")
            and not (out and out[-1].tag in "@L")  # "at around 3500": a price
            and _ROUGHLY_BEFORE.search(norm, 0, tok.start)
        ):
            # "scoop some link around 14": a rough number with no unit, the amount or the
            # price? asked ("around 40 dollars of toncoin" says which)
            out.append(Token("V", tok.start, tok.end, code="unsure"))
        elif (
            tok.tag == "N"
            and _QUESTION_AFTER.match(norm, tok.end)
            and _HEDGE_BEFORE.search(norm, 0, tok.start)
            and not any(t.tag == "N" and t.value == tok.value for t in tokens[k + 1 :])
        ):
            # "I want to get some ethereum, maybe 500?": a number still asked about (500
            # what?), unless it is said again ("maybe 0.5? yes, 0.5 please")
            out.append(Token("V", tok.start, tok.end, code="unsure"))
        elif (
            tok.tag == "N"
            and after is None
            and _bare_sum_after_verb(norm, out, tok)
            and _NOTHING_BUT_HASTE.match(norm, tok.end) is not None
        ):
            # "大饼买1000", "上车SHIB 五百": a round sum said bare after the verb (and the
            # coin), coins or U? asked
            out.append(Token("V", tok.start, tok.end, code="unsure"))
        elif (
            tok.tag == "N"
            and not tok.code
            and out
            and out[-1].tag == "A"
            and (
                [t.tag for t in tokens[k + 1 : k + 4]] in (["B", "N", "c"], ["S", "N", "c"])
                or (
                    # (one word after another: "BTC企穩7萬先入0.2" waits for 70,000)
                    [t.tag for t in tokens[k + 1 : k + 3]] in (["B", "N"], ["S", "N"])
                    and _cjk_after(norm, tokens[k + 1].start)
                    and not norm[out[-1].end : tok.start].strip()
                    and not norm[tok.end : tokens[k + 1].start].strip()
                    and not norm[tokens[k + 1].end : tokens[k + 2].start].strip()
                )
            )
        ):
            # "ETH 4000放1個", "BTC 7萬2 放0.1粒", "BTC 6萬2 買0.1": the coin, its price,
            # the verb, the count
            out += [Token("@", tok.start, tok.start, code="en"), tok]
        elif (tok.tag, tok.code) == ("@", "entry") and [t.tag for t in tokens[k + 1 : k + 3]] == [
            "N",
            "A",
        ]:
            continue  # "Buy entry 1 ETH @ 3,180": an entry order of 1 ETH (no price)
        elif (tok.tag, tok.code) == ("g", "like") and (
            _verb_follows(tokens, k) or _TO_AFTER.match(norm, tok.end)
        ):
            # "I'd like to sell 30 ATOM": the verb says what is wanted; "I'd like to reduce
            # my Uniswap holding": a verb we do not know says it, never "get"
            continue
        elif (
            tok.tag == "N"
            and out
            and out[-1].tag == "v"
            and not norm[out[-1].end : tok.start].strip()
            and not _PUT_TO_USE.search(norm)
        ):
            # "I have 2000 HKD, buy me bitcoin": what is held, not the amount to trade, which
            # is asked (unless it is put to use: "I have HK$10,000 to invest", "with it")
            out.append(Token("V", tok.start, tok.end, code="unsure"))
        elif (
            (tok.tag, tok.code) == ("~", "unwanted")
            and k == 0
            and after is not None
            and after.tag in "BSC"
            and norm[tok.end : after.start].strip(" ,，。.") == ""
            and norm[tok.end : after.start] != ""
        ):
            continue  # "不要了 换姨太吧 买2个": the last request dismissed, then a new one
        elif (
            tok.tag == "C"
            and tok.code == "get"
            and after is not None
            and after.tag == "A"
            and not any(t.tag in "AQHP" for t in out)  # ("姨太全部换大饼，梭哈": ETH given)
            and any(t.tag == "B" for t in tokens[k + 2 :])
        ):
            continue  # "换姨太吧 买2个": switching to the coin the buy then buys
        elif (
            tok.tag == "K"
            and (
                _ATTACHED_STOP.match(norm, tok.start)
                or _STOP_ATTACHED_BY.search(norm, max(0, tok.start - 16), tok.start)
            )
            and any(t.tag in "Bg" for t in out)
            and _PAUSE_OR_AND.search(
                norm, next((t.end for t in reversed(out) if t.tag not in "a"), 0), tok.start
            )
        ):
            # "buy 1 eth, put a stop at 3000", "… at 61,500 and put a stop at 59,000": a
            # stop put on what was bought, its stop-loss
            out.append(Token("Z", tok.start, tok.end))
        elif (
            tok.tag == "r"
            and norm.startswith("stop", tok.start)
            and any(t.tag in "BSDg" for t in out)
            and not tags & {"X", "~", "W", "K"}
        ):
            # "sell 1 eth stop order at 2800": after a trade's verb, a stop with its price
            # (never a limit at it); "cancel my stop order", "show my stop order": an order
            out.append(Token("K", tok.start, tok.end))
        elif tok.tag == "!" and tok.code == "leverage" and tok.value and tags & {"E", "F"}:
            out.append(Token("N", tok.start, tok.end, tok.value))
            out.append(Token("x", tok.start, tok.end))
        elif (
            tok.tag == "!"
            and tok.code == "leverage"
            and norm[tok.start : tok.end] == "long"
            and not tok.value
            and _SPOT.search(norm)
            and not _LEVERAGED.search(norm)
        ):
            out.append(Token("B", tok.start, tok.end))  # "long 20 AVAX spot": a spot buy
        elif (
            tok.tag == "!"
            and tok.code == "leverage"
            and out
            and out[-1].tag == "^"
            and _SPOT.search(norm)
            and not _paused(norm, out[-1], tok)
        ):
            out.pop()  # "spot, not perps": the refused kind denied, spot is what is asked
        elif (
            tok.tag == "O"
            and norm[tok.start : tok.end] in ("以内", "之内")
            and [t.tag for t in out[-2:]] == ["p", "N"]
        ):
            out.append(Token("L", tok.start, tok.end, code="post"))  # "价格140以内": at most
        elif tok.tag == "!" and tok.code == "withdrawal" and tags & {"r", "L"}:
            out.append(Token("~", tok.start, tok.end))
        elif (
            tok.tag == "!"
            and tok.code == "transfer"
            and out[-2:]
            and [t.tag for t in out[-2:]] == ["w", "Q"]
        ):
            continue  # "入 20 粒 APT, 用 USDT 俾": paid in USDT, nothing sent anywhere
        elif (
            tok.tag == "!"
            and norm[tok.start : tok.end] == "俾"
            and k + 1 < len(tokens)
            and tokens[k + 1].tag == "Q"
        ):
            out.append(Token("w", tok.start, tok.end))  # "入番0.02個大餅, 俾HKD": paid in HKD
        else:
            out.append(tok)
    return out


# Where one clause ends and the next begins (a negation scopes over its own clause only).
_CLAUSE_BREAK = re.compile(
    r"[,;，；。!?！？\n]|\.(?!\d)|\s[-—–]+\s|—|\bbut\b|\binstead\b|\brather\b|而是|但是|不过"
    r"|(?<=[了喇啦咯啰囉])\s+"  # "别买了 改成卖", "唔好入喇 cancel埋張ETH單": ended by its particle
)
_IS_WORD = re.compile(r"是|系|係")


def _paused(text: str, before: Token, after: Token) -> bool:
    """Whether a clause break (a comma, a full stop…) stands between two tokens."""
    return _CLAUSE_BREAK.search(text, before.end, after.start) is not None


_SPLIT_EVENLY = re.compile(
    r"split\s+(?:it\s+)?(?:evenly|equally)|in\s+equal\s+(?:\w+\s+)?(?:parts|instal+ments|amounts|tranches)"
    # "sell my 0.75 BTC in three equal parts, once a week": 0.25 a week
    r"|\b(?:in|into)\s+\S+\s+(?:equal\s+)?(?:\w+\s+)?"
    r"(?:parts|chunks|instal+ments|tranches|pieces|slices|portions|lots|batches)\b"
    r"|平均分|均分|平分",
    re.IGNORECASE,
)
#: "每30分钟出100个": what is said after 每 in its clause is of each order
_EACH_BEFORE = re.compile(r"每[^,，。;；]*$")
#: "買入港幣六千元的以太坊，分三次買": the amount said first, then split into orders
_SPLIT_INTO = re.compile(r"分\s*[\d一二三四五六七八九十两]+\s*次")
_ALTERNATIVE_ASSETS = re.compile(r"A[oac]*\|[oac]*A")
_TAKE_PROFIT_NOW = re.compile(r"(?<![aw])R")
#: Words that say "now" (in normalized text): the chat's "do it now" reads them too.
NOW_WORDS = re.compile(r"\bnow\b|\bright away\b|\bimmediately\b|现在|而家|即刻|马上|立刻")
#: What a negation may deny to only restate a condition the message states elsewhere:
#: "not before then", "I do not wish to buy before it has done so".
_RESTATING = frozenset("IBSDg")
_WHEN_WORDS = frozenset("I")  # before, until, unless, after: what makes it a restatement
#: Tags that say nothing on their own (a negation, of, a, for, with, my, a classifier).
_EMPTY = frozenset("^oafwmc")
#: What a negation must deny for us to know what it means: an object or a verb.
_DENIABLE_CORE = frozenset("AQNPHBSCDX~M")
#: Objects a negation can deny on their own: "not BTC", "not 2", "不是比特币".
_DENIABLE = frozenset("AQNPHck")
#: A negated clause holding one of these is a constraint we must not drop: "don't sell
#: until it hits 4000, then sell 1 ETH" is not "sell 1 ETH now".
_CONSTRAINT = frozenset("iI<>=duTKGOEFnYj")


#: What a negated clause may hold to only bound the limit price: "not paying a cent more than
#: that", "低于3500不卖", "價高則不買", "i don't want to pay more than 3000", "價格唔低過7.5".
_RESTATING_LIMIT = frozenset("^<>dup@VaofwcmBSNi")
_BOUND_UP = re.compile(r"\b(?:more|above|higher)\b|高|多|贵|超")
_BOUND_DOWN = re.compile(r"\b(?:less|below|lower|under|cheaper)\b|低|少|便宜")
_DENYING = re.compile(r"[不唔冇没]|\b(?:no|not)\b")
#: A move of the market ("break", "dips", "突破"), where a bound says only "above" or "低于".
_MARKET_MOVE = re.compile(r"[a-z]|突破|跌破|升穿|跌穿|爆")
#: The words that may stand between a negation and the bound it states ("not paying a cent
#: more than that", "I don't want to pay more than 3000", "do not let it go below 3,200").
_TO_A_BOUND = frozenset(
    {
        "accept",
        "any",
        "anything",
        "at",
        "be",
        "buy",
        "cent",
        "em",
        "fill",
        "filled",
        "for",
        "fraction",
        "get",
        "go",
        "going",
        "it",
        "let",
        "letting",
        "like",
        "me",
        "much",
        "nothing",
        "one",
        "pay",
        "paying",
        "penny",
        "prepared",
        "sell",
        "shall",
        "shan",
        "single",
        "sold",
        "them",
        "to",
        "want",
        "will",
        "willing",
        "wish",
        "would",
    }
)
#: A holding named right after the bound word ("a floor under my losses"): no price bound.
_HOLDING_NEXT = re.compile(r"\s+(?:my|our)\b")
#: A limit named as the limit ("最低价3400", "minimum 3,400"): denied, it is no bound said again.
_OWN_LIMIT = re.compile(r"最|\b(?:lowest|highest|minimum|maximum)\b")
#: Words that make a bound one of price, not of amount: "pay", "price", 价, "for less than".
_PRICED = re.compile(r"\b(?:pay|paying|price|cent|for)\b|价")
#: ... or a bound of price said by its direction alone, when no condition is in the clause
#: ("but not below 3,200"; not "not only once it goes above 3,800")
_PRICED_BY_DIRECTION = re.compile(r"\b(?:below|above|under|cheaper)\b|低于|高于|低过|高过")


def _clause_span(breaks: list[int], c: int, length: int) -> tuple[int, int]:
    """Where clause ``c`` lies, between the clause breaks that start at ``breaks``."""
    return (breaks[c - 1] if c else 0, breaks[c] if c < len(breaks) else length)


def _negated_bound(
    norm: str, tokens: list[Token], breaks: list[int], clause: list[int], i: int
) -> int | None:
    """What the negated clause of ``tokens[i]`` says of the limit price, when that is all it
    says: -1 when it says again that the order's limit is a bound, never above it on a buy
    or below it on a sell ("not paying a cent more than that", "低于3500不卖"); the index of
    its one number when it states that bound itself ("i don't want to pay more than 3000",
    "價格唔低過7.5"); else None (a bound of the amount, "not more than 2", is no price)."""
    ks = [k for k in range(len(tokens)) if clause[k] == clause[i]]
    inside = [tokens[k] for k in ks]
    outside = [t for k, t in enumerate(tokens) if clause[k] != clause[i]]
    if any(t.tag not in _RESTATING_LIMIT for t in inside) or any(
        _DENYING.search(norm, t.start, t.end) for t in inside if t.tag in "<>du@"
    ):  # ("not 价格不低于3610": a bound that holds its own negation, denied)
        return None
    if any(t.tag in "<>" and _MARKET_MOVE.search(norm, t.start, t.end) for t in inside):
        return None  # ("don't on a break above 72,500": a move of the market denied, no bound)
    sides = {t.tag for t in outside if t.tag in "BS"}
    if len(sides) != 1 or any(t.tag in "BS" and t.tag not in sides for t in inside):
        return None
    start, end = _clause_span(breaks, clause[i], len(norm))
    said = norm[start:end]
    if _OWN_LIMIT.search(said):
        return None  # ("…，不要 最低价3400": the floor itself denied, not said again)
    up, down = bool(_BOUND_UP.search(said)), bool(_BOUND_DOWN.search(said))
    if up == down or not (up if sides == {"B"} else down):
        return None
    if not _CJK_CHAR_RE.search(norm[start : tokens[i].start] + norm[tokens[i].end : end]):
        # In English the bound follows its negation, close ("not a cent lower", "do not sell
        # any lower"), and names no holding after it: "I want a floor not under my losses",
        # "want not a floor under …", "… under my not losses" deny no bound.
        bound = (_BOUND_UP if sides == {"B"} else _BOUND_DOWN).search(norm, tokens[i].end, end)
        if (
            bound is None
            or any(
                w not in _TO_A_BOUND
                for w in _LATIN_WORD.findall(norm, tokens[i].end, bound.start())
            )
            or _HOLDING_NEXT.match(norm, bound.end())
        ):
            return None

    limits = {  # "at 3,500", "限價3,100", "at a limit of 2.65"
        t.value
        for k, t in enumerate(tokens)
        if t.tag == "N"
        and clause[k] != clause[i]
        and re.search(r"[@Lp][aof]*$", before := "".join(u.tag for u in tokens[max(0, k - 3) : k]))
        and not re.search(r"[ZRKGJ]@?[aof]*$", before)  # (not "止蝕設喺120": an exit's price)
        # (not "在两个小时内": a length of time)
        and not (k + 1 < len(tokens) and tokens[k + 1].tag in "YxcA")
    }
    numbers = [k for k in ks if tokens[k].tag == "N"]
    if limits:
        return -1 if all(tokens[k].value in limits for k in numbers) else None
    priced = _PRICED.search(said) or (
        _PRICED_BY_DIRECTION.search(said) and not any(t.tag == "i" for t in inside)
    )
    if len(numbers) != 1 or not priced:
        return None
    return numbers[0]


#: What a clause may hold to only restate that an order is spread: "唔好一嘢掃晒", "我不敢一次买",
#: "so that I do not buy everything at one price".
_RESTATING_SPREAD = frozenset("^BSDHNa@pifcwom")
_RATHER = re.compile(r"\b(?:rather|than|instead)\b|而不是|与其|不如")
_ONE_GO = re.compile(
    r"\ball\s+at\s+once\b|\bat\s+one\s+price\b|\bin\s+one\s+go\b|一次|一嘢|一把"
    r"|(?<![均看等试想查])一下"  # (not "平均一下成本": to average it a little)
)


#: Words that deny what follows without a negation's tag: "以免一次過入市" (so as not to).
#: (怕, afraid: "我怕一下子买太多" fears going at once, a denial of its own)
_AVOIDING = re.compile(r"免|怕|\bavoid|\bafraid|\bscared|\bso\s+as\s+not\b")  # 以免, 避免


_SENTENCE_END = re.compile(r"[.!?。！？](?:\s|$)|[。！？]")


def _restates_spread(norm: str, tokens: list[Token], clause: list[int], i: int) -> bool:
    """Whether the negated clause of ``tokens[i]`` only says the order must not go at once,
    when the rest of the message spreads it ("over the next hour", "分4次")."""
    inside = [t for k, t in enumerate(tokens) if clause[k] == clause[i]]
    outside = [t for k, t in enumerate(tokens) if clause[k] != clause[i]]
    if any(t.tag not in _RESTATING_SPREAD for t in inside) or not any(
        t.tag in "Ox" for t in outside
    ):
        return False
    if any(t.value != {"N": _ONE, "H": _HUNDRED}.get(t.tag, t.value) for t in inside):
        return False  # only "one" price, "all" of it
    sides = {_meaning(t)[0] for t in outside if t.tag in "BSgD"}
    if any(t.tag in "BS" and _meaning(t)[0] not in sides for t in inside):
        return False
    start = max((m.end() for m in _CLAUSE_BREAK.finditer(norm, 0, inside[0].start)), default=0)
    after = _CLAUSE_BREAK.search(norm, inside[-1].end)
    end = len(norm) if after is None else after.start()  # ("唔好一次過": its words say nothing)
    if sum(t.tag == "^" for t in inside) > 1 or _AVOIDING.search(norm, start, end):
        return False  # ("not 唔好一次過買晒", "以免 not 一次過"): a denial denied, at once
    # what is denied is going at once ("以免一次過入市影響成 not 交價" denies something else)
    # ("… rather than not all at once": a denial denied, which is all at once)
    return _ONE_GO.search(norm, tokens[i].end, end) is not None and not (
        _RATHER.search(norm, start, inside[-1].end)
    )


def _objects_between(tokens: list[Token], first: int, last: int) -> bool:
    """Whether an order's object (a coin, a currency, an order) stands between two tokens."""
    return any(t.tag in "AQrDL" for t in tokens[first:last])


#: Chinese negations that may deny the coin said before them ("大饼别动", "大饼不卖"); not
#: 不是/唔系, which deny what follows ("大饼不是姨太").
_TOPIC_NEGATIONS = frozenset({"别", "不要", "不用", "不想", "不", "唔", "唔好", "冇", "咪", "勿"})


_LATIN_WORD = re.compile(r"[a-z]{2,}")


def _denied_topic(
    norm: str, tokens: list[Token], breaks: list[int], clause: list[int], i: int
) -> list[int]:
    """What a Chinese negation denies of the coin its clause opens with, when the message
    trades another ("大饼别动 姨太卖一半", "大饼不卖姨太卖一半"): the coin, the negation and
    its bare verb; empty when the negation is not of that shape."""
    if norm[tokens[i].start : tokens[i].end] not in _TOPIC_NEGATIONS:
        return []
    before = [k for k in range(i) if clause[k] == clause[i] and tokens[k].tag not in _EMPTY]
    if before != [i - 1] or tokens[i - 1].tag != "A":
        return []
    gap = norm[tokens[i - 1].end : tokens[i].start]
    if (
        gap
        and not gap.strip()
        and _LATIN_WORD.search(norm, tokens[i].end, _clause_span(breaks, clause[i], len(norm))[1])
    ):
        return []  # ("degen  不要 mode": a word apart from the negation denies that word)
    end = i + 1
    if end < len(tokens) and clause[end] == clause[i] and tokens[end].tag in "BSg":
        end += 1  # "大饼不卖": the verb denied with its coin
    nxt = end + (end < len(tokens) and tokens[end].code == "ba")  # "狗子先不卖 把PEPE全卖了"
    if (
        nxt < len(tokens)
        and clause[nxt] == clause[i]
        and tokens[nxt].tag != "A"
        and not (end > i + 1 and nxt == end and tokens[end].tag in "BSg")  # "大饼不卖 买姨太1个"
    ):
        return []  # "大饼不卖一半": what is denied of it, not the coin
    code = tokens[i - 1].code
    if not any(t.tag == "A" and t.code != code for t in tokens[end:]):
        return []  # "大饼先别卖，等7万再卖": the same coin, its timing denied
    return list(range(i - 1, end))


def _restated_after_a_space(norm: str, tokens: list[Token], i: int) -> bool:
    """Whether the 唔係/不是 ``tokens[i]`` stands between spaces before the verb of the
    request said again ("換0.2 BTC去SOL 唔係 換去AVAX"): a correction without its pause,
    or a denial of the rival, which we cannot tell."""
    tok = tokens[i]
    if norm[tok.start : tok.end] not in ("唔系", "不是") or i + 1 == len(tokens):
        return False
    verb = tokens[i + 1]
    return (
        verb.tag in "BSC"
        and not norm[tok.end : verb.start].strip()  # ("卖一半大饼唔系卖三成啦": no pause at all)
        and any(t.tag == verb.tag for t in tokens[:i])
    )


def _scope_negations(norm: str, tokens: list[Token]) -> list[Token] | None:
    """The tokens with what each negation denies taken out; ``None`` if nothing is left to
    do, or if a denied clause held a condition (the request is then refused, not guessed).

    A negation followed by objects denies those objects ("not BTC, buy 1 ETH", "buy 1 ETH,
    not 2"); otherwise it denies the rest of its clause ("don't sell BTC — sell 5 ETH
    instead", "唔係買呀,係賣,賣2個ETH", "spread it so that I do not move the price"). In a
    cancel, named assets stay: "I don't want ARB any more, cancel" cancels the ARB order.
    A denied condition ("don't sell until it hits 4000, then sell 1 ETH") refuses the whole
    message unless what is kept states its own ("buy once it breaks 70k; not before").
    """
    if not any(t.tag == "^" for t in tokens):
        return tokens
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(norm)]
    clause = [bisect.bisect_right(breaks, t.start) for t in tokens]
    negated = [clause[k] for k, t in enumerate(tokens) if t.tag == "^"]
    if len(negated) != len(set(negated)):
        return None  # "母湯全 not 賣": two negations in one clause, a meaning we would guess
    # (a soft verb denied cancels nothing: "Buy 20 SOL at 165 limit. To not be clear")
    soft = any(t.tag == "~" and (k == 0 or tokens[k - 1].tag != "^") for k, t in enumerate(tokens))
    cancel = any(t.tag == "X" for t in tokens) or (soft and any(t.tag in "rDL" for t in tokens))
    drop: set[int] = set()
    bare_sides: set[str] = set()  # the sides of verbs denied without an object of their own
    restated: set[int] = set()
    stated: dict[int, Token] = {}  # a limit a negation states: the "at" to put before it
    for i, tok in enumerate(tokens):
        if tok.tag != "^":
            continue
        j = i + 1
        meant = False  # "不是btc 是eth": what follows 是 is what is meant
        while j < len(tokens) and clause[j] == clause[i] and tokens[j].tag in _DENIABLE:
            if j > i + 1 and _IS_WORD.search(norm, tokens[j - 1].end, tokens[j].start):
                meant = True
                break
            j += 1
        said_instead = (  # "不是买 是卖 5个sol": not buy, it is sell
            i + 2 < len(tokens)
            and {tokens[i + 1].tag, tokens[i + 2].tag} == {"B", "S"}
            and bool(_IS_WORD.search(norm, tokens[i + 1].end, tokens[i + 2].start))
        )
        # "buy not sell 5 sol", "not buy sell 2 avax": one verb denied beside the other
        verb_for_verb = (
            i + 1 < len(tokens)
            and tokens[i + 1].tag in "BS"
            and any(
                0 <= k < len(tokens)
                and clause[k] == clause[i]
                and {tokens[k].tag, tokens[i + 1].tag} == {"B", "S"}
                for k in (i - 1, i + 2)
            )
        )
        if _restated_after_a_space(norm, tokens, i):
            return None  # "卖一半大饼 唔系 卖三成": no, sell 30 %; or not 30 %?
        topic = _denied_topic(norm, tokens, breaks, clause, i)
        if topic:
            denied = topic
        elif said_instead or verb_for_verb:
            denied = [i, i + 1]
        elif (
            j > i + 1
            and (
                meant
                or j == len(tokens)
                or clause[j] != clause[i]
                or tokens[j].tag == "^"
                # "not btc lol buy 1 eth": a coin denied, then the request
                or (tokens[j].tag in "BS" and all(t.tag == "A" for t in tokens[i + 1 : j]))
            )
        ):
            denied = list(range(i, j))  # "not BTC", "not 2"
        else:
            denied = [k for k in range(i, len(tokens)) if clause[k] == clause[i]]
            # "不买btc 买2个sol", "dont sell eth sell 5 sol": a verb with its object denied,
            # then the request, without a pause between
            verb = denied[1] if len(denied) > 1 and tokens[denied[1]].tag in "BS" else -1
            again = next(
                (
                    k
                    for k in denied[2:]
                    if verb > 0
                    and tokens[k].tag == tokens[verb].tag
                    and any(tokens[m].tag in "ANQ" for m in range(verb + 1, k))
                ),
                None,
            )
            if again is not None:
                denied = list(range(i, again))
        sides_denied = {_meaning(tokens[k])[0] for k in denied if tokens[k].tag in "BSgD"}
        sides_kept = {
            _meaning(t)[0] for k, t in enumerate(tokens) if k not in denied and t.tag in "BSgD"
        }
        bound = None if cancel else _negated_bound(norm, tokens, breaks, clause, i)
        if bound is not None or (not cancel and _restates_spread(norm, tokens, clause, i)):
            restated.update(k for k in range(len(tokens)) if clause[k] == clause[i])
            if bound is not None and bound >= 0:
                stated[bound] = Token("@", tokens[bound].start, tokens[bound].start, code="en")
                restated.discard(bound)
            continue
        if (
            norm[tok.start : tok.end] in ("no", "nope")
            and sides_denied
            and (sides_kept - sides_denied)
        ):
            return None  # "buy, no sell, hmm… 1 ETH": which side is meant?
        if (
            norm[tok.start : tok.end] in ("no", "nope")
            and any(tokens[k].tag == "A" for k in denied)
            and any(t.tag == "A" for t in tokens[:i])  # ("no btc, buy 1 eth" denies first)
            and not any(_said_before(tokens[k], tokens[:i]) for k in denied if tokens[k].tag == "A")
        ):
            return None  # "grab 0.1 eth no btc": not BTC, or no, I mean BTC?
        kept_verbs = [t for k, t in enumerate(tokens) if k not in denied and t.tag in "BSCDg"]
        if (
            sides_denied
            and kept_verbs
            and not sides_denied & {_meaning(t)[0] for t in kept_verbs}
            and all(
                t.end <= tok.start and _SENTENCE_END.search(norm, t.end, tok.start)
                for t in kept_verbs
            )
        ):
            # "…卖出，换回港币。这是孙仔 not 买给我玩的": a verb of the other side denied in a
            # sentence after the request's: what it denies is unclear ("I don't want to
            # sell!! I want to BUY 1 eth" and "Don't buy BTC; sell 1 ETH" deny it first)
            return None
        if cancel:  # "大饼的定投取消掉，不投了": in a cancel, a negation only confirms it
            # ("dont want that avax order anymore cancel it": the cancel after what is no
            # longer wanted stays; "don't cancel", "don't want to cancel my order" deny it)
            kept_cancel = {
                k for k in denied if tokens[k].tag in "X~" and _objects_between(tokens, i, k)
            }
            # ("i don't want to cancel the sol order, cancel the eth one": the order not to
            # cancel is not the one cancelled)
            denied_cancel = any(tokens[k].tag in "X~" and k not in kept_cancel for k in denied)
            drop.update(
                k
                for k in denied
                if k not in kept_cancel and (denied_cancel or tokens[k].tag not in "AQrDL")
            )
            continue
        if any(tokens[k].tag in "^~" for k in denied if k != i):
            return None  # "not 不是BTC", "not 唔要": two negations, a meaning we would guess
        said = {tokens[k].tag for k in denied if k != i} - _EMPTY
        others = [t for k, t in enumerate(tokens) if k not in denied]
        elsewhere = any(t.tag in "i<>KGJ" for t in others)
        same_side = {_meaning(tokens[k])[0] for k in denied if tokens[k].tag in "BSDg"} <= {
            _meaning(t)[0] for t in others if t.tag in "BSDg"
        }
        when = said & _WHEN_WORDS or any(
            t.tag in _WHEN_WORDS and clause[k] == clause[i] for k, t in enumerate(tokens)
        )  # "之前先不要卖": the time word comes before the negation in Chinese
        if said == {"T"} and not any(t.tag == "T" for t in others) and NOW_WORDS.search(norm):
            # "at market now (not tomorrow, now)": a time denied, none kept: now
            restated.update(denied)
            continue
        if said <= _RESTATING and when and elsewhere and same_side:
            # "buy once it breaks 70k; I do not wish to buy before": the condition said again
            restated.update(denied)
            continue
        if not any(tokens[k].tag in _DENIABLE_CORE for k in denied if k != i):
            # "buy 1 BTC not", "not a limit order", "not not": a negation of no asset,
            # amount or verb is one we cannot place
            return None
        if any(tokens[k].tag in "Wl" for k in denied if k != i):
            return None  # "buy 1 eth and not whats my usdt bal": a question denied, no sense
        if (
            all(tokens[k].tag == "N" and not tokens[k].code for k in denied if k != i)
            and not any(t.tag == "N" for t in others)
            and any(t.tag in "BSCDg" for t in others)
        ):
            # "buy 1 ETH, not 2" denies a rival of the amount said; in a trade, a bare
            # number denied with no number beside it ("…避 not 一避風頭") is one we cannot
            # place ("I cannot remember whether I placed one" asks nothing of a trade)
            return None
        for k in denied:
            if not (cancel and tokens[k].tag in "AQ"):
                drop.add(k)
        if not any(tokens[k].tag in "AQNPH" for k in denied):
            # ("Not Bitcoin … I would like 2 Ethereum not bought": a verb denied alone)
            bare_sides |= {_meaning(tokens[k])[0] for k in denied if tokens[k].tag in "BSCDg"}
    kept = [
        t
        for k, tok in enumerate(tokens)
        if k not in drop and k not in restated
        for t in ((stated[k], tok) if k in stated else (tok,))
    ]
    if any(tokens[k].tag == "M" for k in drop):
        # "not market, limit 3500": denied, market is what the order must not be
        kept.append(Token("^", tokens[-1].end, tokens[-1].end, code="not-market"))
    if cancel:
        return kept  # what the cancel names stays; nothing else can trade
    if all(t.tag in _EMPTY for t in kept):
        return None
    # What is denied must not also be asked for: "buy 5 SOL, not SOL"; and a denied verb
    # with no object of its own ("买 不要 入") must not be the verb that remains. A denied
    # verb with its object is a change of mind: "別買狗子了，改買SHIB".
    denied_tokens = [tokens[k] for k in drop if tokens[k].tag not in _EMPTY]
    objects = {_meaning(t) for t in denied_tokens if t.tag in "AQNPH"}
    denied_meaning = objects or {_meaning(t) for t in denied_tokens}
    denied_sides = {_meaning(t)[0] for t in denied_tokens if t.tag in "BSCDg"}
    kept_sides = {_meaning(t)[0] for t in kept if t.tag in "BSCDg"}
    # "Don't buy any more bitcoin; instead, sell 0.1 BTC": the coin of a denied side may be
    # traded on the other side
    other_side = (
        bool(denied_sides)
        and bool(kept_sides)
        and not denied_sides & kept_sides
        and not any(t.tag == "C" for t in denied_tokens)  # a swap gives and gets: both sides
    )
    shared = denied_meaning & {_meaning(t) for t in kept}
    if shared and not (other_side and all(tag in "AN" for tag, _ in shared)):
        return None  # ("姨太全部换大饼，not 梭哈": the share denied is the share asked for)
    verbs = "BSCDg"
    alone = bare_sides if objects else {_meaning(t)[0] for t in denied_tokens if t.tag in verbs}
    if alone & {_meaning(t)[0] for t in kept if t.tag in verbs}:
        return None  # "將0.5個比特幣不要沽出，換取港幣": the swap would be the sale denied
    if not objects and "S" in denied_sides and not kept_sides and any(t.tag in "ZR" for t in kept):
        return None  # "設止蝕 not 賣出": a stop-loss is a sale, the sale denied
    money = {t.code for t in kept if t.tag == "N" and t.code}
    if money and any(t.tag == "Q" for t in denied_tokens):
        return None  # "HK$15,000 …, not from my Hong Kong dollar balance": paid how, then?
    if any(tokens[k].tag in "HP" for k in drop) and not any(t.tag in "HP" for t in kept):
        return None  # "$100 of ETH, not all": a share denied beside no share we use
    verb_denied = any(tokens[k].tag in "BSCDX" for k in drop)
    if verb_denied and any(t.tag in "i<>=EF" for t in kept):
        # "if it drops to 62k, don't sell": the condition was the denied verb's; "每月…，
        # 唔好一直買落去": is the schedule still wanted?
        return None
    constrained = any(tokens[k].tag in _CONSTRAINT for k in drop)
    if constrained and not any(t.tag in "i<>KGJ" for t in kept):
        return None
    return kept


#: Words with no value of their own in a correction: "是50个", "make that 4 of them".
_CORRECTION_FILLER = frozenset("cofam:")  # … "Correction: limit 2,965"
#: Words a number follows when it is a price, not an amount: "at 3,500", "pumps to 220".
_PRICE_WORDS = frozenset("@LKJGRZ<>=p")
_RESTATING_VERBS = frozenset("BgSCD")
_UNSURE = re.compile(r"[?？]|\b(?:maybe|perhaps|probably|or so)\b|可能|大概|也许|或者|左右")
#: "… at the same price", "同一个价": a correction keeps the price said before.
_SAME_PRICE = re.compile(
    r"\b(?:at\s+)?(?:the\s+)?same\s+(?:price|level)\b|(?:同|一样的?|一樣的?)价"
)
#: What a request restated after a correction replaces: its verb, asset and amount.
_REPLACEABLE = frozenset("BgSCDAQNHPe")


def _self_corrections(norm: str, tokens: list[Token]) -> list[Token]:
    """The tokens with each correction inside the message applied.

    A correction marker ("I mean", "make that", "no wait", 不对, 说错了, 唔係 + a comma)
    followed by one value replaces the value it corrects: a number the number of its kind
    ("buy 0.2 ETH, sorry I mean 0.25 ETH", "sell 0.5 ETH at 3,500, make that 3,550": the
    price, the number it is closest to), an asset the asset. A restated request ("噢说反了，
    是把0.5个以太坊换成比特币") replaces the one before it. A correction we cannot place
    leaves both values, so the reading asks.
    """
    if not any(t.tag in "#^" for t in tokens):
        return tokens  # nothing corrects anything (most messages)
    tokens = _denied_then_meant(norm, tokens)
    tokens = [
        # "ETH buy.. actually maybe sell? 1 of them", "買ETH，唔係…賣？唔知": a side still
        # asked about corrects none; both sides stay, so the side is asked
        t
        for t, after in zip(tokens, [*tokens[1:], None], strict=True)
        if not _side_asked_back(norm, t, after)
    ]
    tokens = [
        # "買BTC，唔係，係賣，0.1粒", "买BTC，不是，是卖": no, it is the other side
        Token("#", t.start, t.end) if _corrects_side(norm, tokens, k) else t
        for k, t in enumerate(tokens)
    ]
    # "Sorry I meant 2 ETH": one correction said with two markers
    tokens = [
        t for k, t in enumerate(tokens) if not (t.tag == "#" and k and tokens[k - 1].tag == "#")
    ]
    # "buy 0.05 eth... oh wait not eth, i meant btc": the coin denied right before a
    # correction is the one it corrects (said earlier), not a denial of its own
    denied_then_corrected = {
        j
        for k in range(2, len(tokens))
        if tokens[k].tag == "#"
        and tokens[k - 2].tag == "^"
        and tokens[k - 1].tag == "A"
        and any(t.tag == "A" and t.code == tokens[k - 1].code for t in tokens[: k - 2])
        for j in (k - 2, k - 1)
    }
    if denied_then_corrected:
        kept = [t for j, t in enumerate(tokens) if j not in denied_then_corrected]
        # ("oh wait [not eth,] i meant": one correction, said with two markers)
        tokens = [
            t
            for j, t in enumerate(kept)
            if not (t.tag == "#" and j + 1 < len(kept) and kept[j + 1].tag == "#")
        ]
    out = [
        t
        for k, t in enumerate(tokens)
        if not (
            k + 1 < len(tokens)
            and tokens[k + 1].tag == "#"
            and norm[t.start : t.end] in _CORRECTING_NO
            and not norm[t.end : tokens[k + 1].start].strip(" ,，、…系係")
        )
    ]  # "No, sorry, 80", "唔係，應該係15粒": that "no" belongs to the correction
    start = 0
    while True:
        m = next((k for k in range(start, len(out)) if _is_correction(norm, out, k)), None)
        if m is None:
            return out
        applied = _apply_correction(norm, out, m)
        if applied is not None:
            out, start = applied, 0
        elif out[m].tag == "#":
            out, start = out[:m] + out[m + 1 :], m
        elif any(t.tag == "|" for t in out[m + 1 :]):
            # "0.1.. no 0.2 or 0.3?": a correction still being decided asks, never refuses
            out = [*out[:m], Token("V", out[m].start, out[m].end, code="unsure"), *out[m + 1 :]]
            start = m + 1
        else:
            start = m + 1


#: What a clause may hold to only say again what the request said: values, a denial of another
#: value, and words that say nothing ("That is five hundred, not five thousand").
_RESTATING_TAGS = frozenset("NAQck^#:oamfwe")
#: The words with which a clause says it restates.
_RESTATES = re.compile(
    r"\b(?:that\s+is|that['’]s|it\s+is|it['’]s|i\s+mean|to\s+be\s+(?:perfectly\s+)?clear|only|just)\b"
    r"|[係系是]|确认|数量|清楚"
)


def _restatements(norm: str, tokens: list[Token]) -> list[Token]:
    """The tokens without the clauses after the request that only say one of its values
    again, as careful customers do: "That is five hundred, not five thousand", "麻煩你睇清楚係
    五千唔係五萬", "數量係零點五個", "Kindly make sure it is Hong Kong dollars and not US
    dollars". Such a clause says it restates ("that is", "係", "only"); every number, coin or
    currency it affirms was said before it; what follows its one negation is a value denied,
    one the request does not use. A clause of nothing but such a denial (or an "I mean") goes
    with the restatement just before it. After a bare "no" the value is the one meant, not a
    restatement ("三千蚊左右…唔係，就三千蚊啦")."""
    if not _RESTATES.search(norm):
        return tokens  # nothing says it restates (most messages)
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(norm)]
    if not breaks:
        return tokens
    clause = [bisect.bisect_right(breaks, t.start) for t in tokens]
    drop: set[int] = set()
    dropped_last = False
    for c in sorted(set(clause)):
        ks = [k for k in range(len(tokens)) if clause[k] == c]
        inside = [tokens[k] for k in ks]
        said = [t for k, t in enumerate(tokens) if k < ks[0] and k not in drop]
        if (
            not said
            or any(t.tag not in _RESTATING_TAGS for t in inside)
            or sum(t.tag == "^" for t in inside) > 1
        ):
            dropped_last = False
            continue
        no = next((k for k, t in enumerate(inside) if t.tag == "^"), len(inside))
        affirmed = [t for t in inside[:no] if t.tag in "NAQ"]
        denied = [t for t in inside[no + 1 :] if t.tag in "NAQ"]
        again = all(_said_before(t, said) for t in affirmed) and (
            no == len(inside)  # a denial denies a value the request does not use
            or (bool(denied) and not any(_said_before(t, said + affirmed) for t in denied))
        )
        marked = (
            _RESTATES.search(norm, *_clause_span(breaks, c, len(norm))) is not None
        )  # "that is", "係", "only"
        if again and said[-1].tag not in "^#" and ((marked and affirmed) or dropped_last):
            drop.update(ks)
            dropped_last = True
        else:
            dropped_last = False
    return [t for k, t in enumerate(tokens) if k not in drop] if drop else tokens


#: What a price question before a request may hold: "大饼现在多少了？", "whats btc at?"
_PRICE_ASKED = frozenset("ApWh@moafc")
_REQUESTED = frozenset("BSCD")
_ASKED_AFTER = re.compile(r"(?:,|\band)\s+(?:what['’]?s|whats|what\s+is|how\s+much)\b")


def _asked_then_requested(norm: str, tokens: list[Token]) -> list[Token]:
    """The tokens without a question asked beside a request, as customers ask and act in
    one message. A balance asked after it ("buy 1 eth and whats my usdt bal btw") goes, its
    currency with it. So does a price question before it: "大饼现在多少了？顺手帮我上车0.05个",
    "whats btc at? buy 0.01 if under 61k", "BTC而家幾錢? 唔理啦, 幫我入1000蚊先"; the coin
    that question names stays when the request names none ("先帮我出1个": of the coin just
    asked about). A question with a number, a verb or a condition in it is no mere price
    question: nothing is dropped."""
    asked = _ASKED_AFTER.search(norm)
    if asked is not None:
        # "buy 1 eth and whats my usdt bal btw": a balance asked after the request
        inside = [t for t in tokens if t.start >= asked.start()]
        if (
            inside
            and all(t.tag in "WhlmvQAp" for t in inside)
            and any(t.tag == "l" for t in inside)
        ):
            before = [t for t in tokens if t.start < asked.start()]
            if any(t.tag in _REQUESTED for t in before):
                return before
    mark = norm.find("?")
    head = [t for t in tokens if t.end <= mark]
    tail = [t for t in tokens if t.start > mark]
    if (
        not head
        or not any(t.tag in "pWh" for t in head)
        or any(t.tag not in _PRICE_ASKED for t in head)
        or sum(t.tag == "A" for t in head) > 1
        or not any(t.tag in _REQUESTED for t in tail)
        or any(t.tag in "pWh?" for t in tail)
    ):
        return tokens
    keep = [] if any(t.tag == "A" for t in tail) else [t for t in head if t.tag == "A"]
    return keep + tail


def _said_before(tok: Token, said: list[Token]) -> bool:
    """Whether the number, coin or currency ``tok`` names was named in ``said``."""
    if tok.tag == "N":
        return any(t.tag == "N" and t.value == tok.value for t in said)
    return any(t.code == tok.code and (t.tag == tok.tag or t.tag == "N") for t in said)


_NUMERAL = re.compile(r"[\d零〇一二两三四五六七八九十百千万亿]")


def _denied_then_meant(norm: str, tokens: list[Token]) -> list[Token]:
    """ "买2000个DOGE 不是2000 是20000": a number said again only to be denied, then the one
    meant, is a correction of that number: a marker and the number meant. "I meant 0.03,
    not 0.3": the number replaced, denied after the one meant, is dropped."""
    out = list(tokens)
    for k in range(len(out) - 2):
        neg, said, meant = out[k], out[k + 1], out[k + 2]
        if (
            neg.tag == "^"
            and (k == 0 or out[k - 1].tag != "^")  # "不是 not 3000": two denials, asked
            and said.tag == meant.tag == "N"
            and any(t.tag == "N" and t.value == said.value for t in out[:k])
            and _IS_WORD.search(norm, said.end, meant.start)
        ):
            out[k : k + 2] = [Token("#", neg.start, said.end)]
            break
    # "卖10个sol 150 不 155": a bare 不 between two numbers of one kind corrects the first
    for k in range(1, len(out) - 1):
        before, neg, after = out[k - 1], out[k], out[k + 1]
        if (
            neg.tag == "^"
            and norm[neg.start : neg.end] == "不"
            and before.tag == after.tag == "N"
            # (numbers written as numbers: "one 不 thousand" is no 1 corrected to 1,000)
            and all(_NUMERAL.search(norm, t.start, t.end) for t in (before, after))
            and not before.code
            and not after.code
            and (k + 2 == len(out) or out[k + 2].tag != "c")  # ("不 5个": a count denied)
        ):
            out[k] = Token("#", neg.start, neg.end)
            break
    # "Buy 0.3 bitcoin, I meant 0.03 bitcoin, not 0.3": after a correction's value, the value
    # it replaces denied again, ending the message, says nothing more
    for k in range(2, len(out) - 1):
        if (
            out[k].tag == "^"
            and out[k + 1].tag == "N"
            and k + 2 == len(out)
            and out[k - 1].tag in "NA"
            and any(t.tag == "#" for t in out[max(0, k - 3) : k - 1])
            # (the correction named a number: "no wait make it eth, not 0.1" denies the amount)
            and any(t.tag == "N" for t in out[max(0, k - 2) : k])
            and any(
                t.tag == "N" and t.value == out[k + 1].value
                for t in out[: next(j for j in range(k - 1, -1, -1) if out[j].tag == "#")]
            )
        ):
            del out[k:]
            break
    return out


def _corrects_side(norm: str, tokens: list[Token], k: int) -> bool:
    """Whether ``tokens[k]`` is the 唔係/不是 of "買BTC，唔係，係賣" or "卖一半大饼，唔系，卖三成":
    after a verb, a pause, then what it is: a verb of the other side, or the request said
    again with the same verb."""
    tok = tokens[k]
    said = norm[tok.start : tok.end]
    if tok.tag != "^" or k + 1 == len(tokens) or said not in _CORRECTING_NO or said.isascii():
        return False  # ("buy, no, sell": an English "no" may deny what follows it)
    verb = tokens[k + 1]
    other = {"B": "S", "S": "B"}.get(verb.tag, "")
    # the same verb again replaces the request, unless both name a number ("buy 7 … no, buy
    # 100": which number is meant is the negation's to refuse)
    numbered = any(t.tag == "N" for t in tokens[:k]) and any(t.tag == "N" for t in tokens[k:])
    denied = any(t.tag == "^" for t in tokens[:k])  # ("將SUI換 not 做APT，唔係，…": which?)
    same = verb.tag if verb.tag in "BSC" and not numbered and not denied else ""
    gap = norm[tok.end : verb.start]
    return bool(_CORRECTING_GAP.match(gap)) and any(
        t.tag in other + same for t in tokens[:k] if t.tag
    )


def _side_asked_back(norm: str, tok: Token, after: Token | None) -> bool:
    """Whether ``tok`` marks the other side asked as a question ("actually maybe sell?", "買
    ETH，唔係…賣？唔知"): a correction marker after a hedge or before an undecided word, or a
    唔係/no before an undecided one. It corrects and denies nothing: both sides stay."""
    if after is None or after.tag not in "BS" or not _QUESTION_AFTER.match(norm, after.end):
        return False
    undecided = _UNDECIDED.search(norm, after.end) is not None
    if tok.tag == "#":
        return undecided or _HEDGE_BEFORE.search(norm, 0, after.start) is not None
    return tok.tag == "^" and norm[tok.start : tok.end] in _CORRECTING_NO and undecided


def _is_correction(norm: str, tokens: list[Token], k: int) -> bool:
    """A correction marker, or a "no"/唔係 that corrects a number ("0.1 btc, no 0.15";
    "三萬個…唔係，三百萬個"), not one that denies it ("buy 1 ETH, not 2")."""
    tok = tokens[k]
    if tok.tag == "#":
        return True
    if tok.tag == "^" and k + 1 < len(tokens) and tokens[k + 1].tag == "#":
        return False  # "No, sorry, 80", "唔係，應該係 15 粒": the marker after it corrects
    if tok.tag != "^" or k + 1 == len(tokens):
        return False
    if tokens[k + 1].tag in "@L" and k + 2 < len(tokens) and tokens[k + 2].tag == "N":
        # "掛 3000 買 1 粒 ETH, 哦唔係, 掛 3050": no, the price is 3,050
        return norm[tok.start : tok.end] in _CORRECTING_NO and bool(
            _CORRECTING_GAP.match(norm[tok.end : tokens[k + 1].start])
        )
    if tokens[k + 1].tag not in "NA":
        return False
    if not any(t.tag == tokens[k + 1].tag for t in tokens[:k]):
        return False
    gap = norm[tok.end : tokens[k + 1].start]
    if tokens[k + 1].tag == "A":
        # "沽 0.01 個 ETH 唔係 係BTC", "不是，是SOL": no, it is that coin ("唔係BTC" denies it)
        said = norm[tok.start : tok.end] in _CORRECTING_NO
        return said and bool(_CORRECTING_GAP.match(gap) or _IT_IS.match(gap))
    if norm[tok.start : tok.end] in ("no", "nope", "nah"):
        # "0.1 btc, no 0.15": after a pause; not "no that 0.15", not "一 no 万"
        between = norm[tokens[k - 1].end : tok.start] if k > 0 else ""
        # (a pause: a comma, dots, or a hesitation: "sell 3 SOL ah no 5 SOL")
        paused = bool(re.search(r"[,，.…—–]|\b(?:ah|oh|er|uh|um|eh)\s*$", between))
        # ("sell 2 eth no 1.5", "sell 100 sol no 50": a number, no, a number, in one breath;
        # never inside a Chinese number: "一 no 萬" is no correction)
        said_right_before = (
            k > 0
            and tokens[k - 1].tag in "NAc"
            and norm[tokens[k - 1].end - 1].isascii()
            and norm[tokens[k + 1].start].isascii()
            and not between.strip()
        )
        # ("Please sell 3 Solana, no, wait, 4 Solana": the wait of a correction)
        return (paused or said_right_before) and gap.strip(" ,") in ("", "la", "lah", "wait")
    return bool(_CORRECTING_GAP.match(gap))


#: The "no" of a correction ("No, sorry, 80"), not "not" or "don't", which deny.
_CORRECTING_NO = frozenset({"no", "nope", "nah", "唔系", "唔", "不是"})
#: Between a 唔係/不是 that corrects and its number: a pause, then maybe 是/就 ("唔係，就三千").
_CORRECTING_GAP = re.compile(r"^[係系]?\s*[,，、…]+\s*(?:是|系|係|就|应该是)?\s*$")
#: "唔係 係BTC", "不是 是SOL": what it is, said without a pause
_IT_IS = re.compile(r"^\s*(?:是|系|係|应该是)\s*$")


def _apply_correction(norm: str, tokens: list[Token], m: int) -> list[Token] | None:
    before = tokens[:m]
    rest = tokens[m + 1 :]
    end = next((k for k, t in enumerate(rest) if t.tag == "#"), len(rest))
    rest, tail = rest[:end], rest[end:]
    core = [t for t in rest if t.tag not in _CORRECTION_FILLER]
    if not core:
        # "buy one solana I mean eath": a correction to words we do not know is no
        # correction we may drop; nothing goes until it is said again
        breaks = [b.start() for b in _CLAUSE_BREAK.finditer(norm, tokens[m].end)]
        stop = min(
            breaks[0] if breaks else len(norm),
            tokens[m + 1].start if m + 1 < len(tokens) else len(norm),
        )
        words = re.findall(r"[a-z]{3,}", norm[tokens[m].end : stop])
        unknown = [w for w in words if w not in common_words()]
        if unknown:
            return [*before, Token("V", tokens[m].start, tokens[m].end, code="unsure"), *tail]
        return None
    if any(t.tag in _RESTATING_VERBS for t in core):
        # a restated request replaces the one before when that one held nothing the
        # restatement would silently drop: one verb, asset and amount, no condition
        said = [t.tag for t in before if t.tag not in _CORRECTION_FILLER and t.tag not in "wf"]
        # (a schedule or a condition said again with it is no loss: "every sunday swap … nah
        # just buy 50 usdc of btc every sunday")
        again = {t.tag for t in core} - _REPLACEABLE
        if any(tag not in _REPLACEABLE | again for tag in said) or said.count("N") > 1:
            return None
        if not any(tag in _RESTATING_VERBS or tag == "A" for tag in said):
            return None  # "7 gm… actually, buy 0.25 btc": nothing before was a request
        gets = [t for t in core if t.tag == "A"]
        gave = [k for k, t in enumerate(before) if t.tag == "A"]
        if (
            {t.tag for t in core} <= {"C", "A", "f"}
            and len(gets) == 1
            and len(gave) > 1
            and before[gave[-1] - 1].tag in "Cf"  # (the coin received: "去SOL", "換做ETH")
        ):
            # "換0.2 BTC去SOL，唔係，換去AVAX": only the coin received, said again
            return [*before[: gave[-1]], gets[0], *before[gave[-1] + 1 :], *tail]
        named = [t for t in before if t.tag == "A"][-1:]
        return rest + ([] if gets else named) + tail
    # a value: the first clause after the marker ("不对，价格改成2900，买1个": 2900)
    breaks = [b.start() for b in _CLAUSE_BREAK.finditer(norm, core[0].start)]
    limit = breaks[0] if breaks else len(norm)
    if _UNSURE.search(norm, core[0].start, min(limit + 1, len(norm))):
        return None  # "actually 0.5, no wait, 0.8 maybe?": a value still being decided
    value = [t for t in rest if t.start < limit]
    after = rest[len(value) :]
    same = _SAME_PRICE.search(norm, core[0].start)
    if same is not None:  # "I meant 2 ETH, at the same price": the price said is kept
        value = [t for t in value if not (t.tag in "@p" and same.start() <= t.start < same.end())]
        after = [t for t in after if not (t.tag in "@p" and same.start() <= t.start < same.end())]
    # "8 次, 不對, 12 次": the unit of the number (times, a period) is said again with it
    units = {t.tag for k, t in enumerate(value) if t.tag in "xY" and k and value[k - 1].tag == "N"}
    if any(
        not any(t.tag == unit and k and before[k - 1].tag == "N" for k, t in enumerate(before))
        for unit in units
    ):
        return None  # "Buy 10 SOL, no, sorry, in 3 days": no count of days was said to correct
    core = [
        t
        for k, t in enumerate(value)
        if t.tag not in _CORRECTION_FILLER and not (t.tag in "xY" and k and value[k - 1].tag == "N")
    ]
    shares = [k for k, t in enumerate(before) if t.tag in "HP"]
    if [t.tag for t in core] == ["H"] and len(shares) == 1:
        # "sell half my avax no wait all of it": the share said before, replaced
        out = list(before)
        out[shares[0]] = core[0]
        return out + rest[len(value) :] + tail
    priced = any(t.tag in "@Lp" for t in core)  # "scratch that, lmt 3450": the price
    core = [t for t in core if t.tag not in "@Lp"]
    numbers = [t for t in core if t.tag == "N"]
    assets = [t for t in core if t.tag in "AQ"]
    if len(numbers) > 1 or len(assets) > 1 or len(core) != len(numbers) + len(assets):
        return None
    if not numbers and not assets:
        return None  # "pepe chart? nah just the price": nothing corrected, nothing dropped
    out = list(before)
    if numbers:
        target = _corrected_number(
            out,
            numbers[0],
            unit=bool(assets) or any(t.tag == "c" for t in value) or bool(numbers[0].code),
            price=priced or (m > 0 and tokens[m - 1].tag == "p"),
        )
        if target is None and assets and not any(t.tag == "N" for t in out):
            # "卖link 不对 是uni 50个": the coin corrected, and the amount said with it
            out.append(numbers[0])
            at = len(out)
        elif target is None:
            return None
        else:
            out[target] = numbers[0]
            at = target + 1 + (target + 1 < len(out) and out[target + 1].tag == "c")
    else:
        at = len(out)
    if assets:
        new = assets[0]
        old = [k for k, t in enumerate(out) if t.tag == new.tag]
        if not old:
            out.insert(at, new)
        elif out[old[-1]].code != new.code:
            out[old[-1]] = new  # "买SOL 3个，说错了，5个ETH": the coin too
        elif not numbers:
            return None  # "buy ETH, I mean ETH": nothing to correct
    return out + after + tail


def _corrected_number(before: list[Token], new: Token, *, unit: bool, price: bool) -> int | None:
    """Which number ``new`` corrects: the one price after a price word, the one amount
    when it has a unit, else the one it is closest to (within a factor of two)."""

    def is_price(k: int) -> bool:
        j = k - 1
        while j >= 0 and before[j].tag in "fao":
            j -= 1
        after = before[k + 1].tag if k + 1 < len(before) else ""
        return (j >= 0 and before[j].tag in _PRICE_WORDS) or after in ("d", "u")

    numbers = [k for k, t in enumerate(before) if t.tag == "N" and t.value]
    if price:
        numbers = [k for k in numbers if is_price(k)]
    elif unit:
        numbers = [k for k in numbers if not is_price(k)]
    if len(numbers) > 1 and new.value:
        near = sorted(
            (abs(math.log(new.value / (before[k].value or 1))), k)
            for k in numbers
            if Decimal("0.5") <= new.value / (before[k].value or 1) <= 2
        )
        # the one it is near, if it is clearly nearer than any other ("止损6万3，不对，6万2"
        # beside a take-profit of 7万5)
        clear = len(near) == 1 or (len(near) > 1 and near[1][0] >= 4 * near[0][0] + 0.05)
        numbers = [near[0][1]] if near and clear else []
    return numbers[0] if len(numbers) == 1 else None


def _meaning(tok: Token) -> tuple[str, str]:
    """What a token stands for: the verbs of one side made equal (buy, get, spend, DCA), a
    share by its value ("not all of it, just half" denies 100, asks 50); any number is any
    other (a number denied beside one kept is a change we do not guess at)."""
    if tok.tag in "PH":  # "a quarter" and "25 percent" are one share
        return ("share", f"{tok.value and tok.value.normalize()}")
    if tok.tag == "N":
        return ("N", "")  # in any currency
    side = "B" if tok.tag in "BgD" else "S" if tok.tag in "SCR" else tok.tag  # a swap gives up
    return (side, tok.code)


def _blank(m: re.Match[str]) -> str:
    """Spaces over a match: the words are gone, every offset after them stays."""
    return " " * len(m.group())


def _readable(norm: str) -> str:
    """What the grammar reads of a message or a reply: asides blanked, and each number that
    cannot be read without guessing made one no role accepts."""
    return _MALFORMED_NUMBER.sub(_unreadable_number, _without_asides(norm))


def _unreadable_number(m: re.Match[str]) -> str:
    return "0".ljust(len(m.group()))


def _unsupported(reason: str) -> Unsupported:
    message = UNSUPPORTED_MESSAGES.get(reason, UNSUPPORTED_MESSAGES["off_topic"])
    return _construct(Unsupported, _UNSUPPORTED_T, {"reason": reason, "message": message})


def _spans(text: str, an: _Analysis, fields: dict[str, list[tuple[int, int]]]) -> tuple[Span, ...]:
    out: list[Span] = []
    for name, ranges in fields.items():
        for first, last in ranges:
            if first < 0 or last <= first:
                continue
            start, end = an.tokens[first].start, an.tokens[last - 1].end
            out.append(_span(name, start, end, text[start:end]))
    out.sort(key=lambda s: (s.start, s.field))
    return tuple(out)


def _interpret(text: str, an: _Analysis) -> ParseOutput:
    tags = an.tags
    mentions = _mentions(an)
    fields: dict[str, list[tuple[int, int]]] = {}

    def mark(name: str, index: int) -> None:
        if index >= 0:
            fields.setdefault(name, []).append((index, index + 1))

    # Cancel: "cancel ...", or a soft verb of an order ("kill my SOL order", "停止BTC定投").
    everything = all(a.kind == "share" and a.value == _HUNDRED for a in an.amounts)
    said = tags  # what the cancel decision reads
    first_verb = next((t for t in said if t in _VERBISH), "")
    if (
        first_verb == "S"
        and an.tokens[said.find("S")].code == "rid"
        # "get rid of my ADA, all of it, limit 0.52" sells ("… at 0.62 or better" too)
        and any(
            t.tag in "rKZJ" or (t.tag == "L" and t.code != "post" and said[k + 1 : k + 2] != "N")
            for k, t in enumerate(an.tokens)
        )
    ):
        said = said.replace("S", "~", 1)  # "get rid of that bid on bitcoin": of an order
        first_verb = "~"
    # a standing order named by its kind after a soft verb: "stop my monthly BTC purchases",
    # "nix my LINK stop", "scrap the weekly SOL buy", "pull my btc buy at 60k"
    standing = first_verb in ("~", "K") and bool(
        re.search("[FEjJZR]", said)
        or _NAMED_ORDER.search(said)
        or "K" in said[said.find(first_verb) + 1 :]
    )
    orders = "r" in said or "D" in said or "L" in said or standing
    # "pull my order to sell 0.5 BTC at 75,000": the order named, whatever its terms
    # ("Stop-limit sell SOL, stop 140, limit 138": after a trade's verb, a stop is its own)
    soft = (
        # ("stop 58000, limit 57800": a stop's price, no order stopped)
        (
            "~" in said
            or ("K" in said and first_verb not in "BSCDg" and not _STOP_THEN_PRICE.search(said))
        )
        and orders
        and (everything or bool(_MY_ORDER.search(said)))
    )
    if "X" in said or soft:
        mark("action", _first_tag(an, "X~K"))
        asset = mentions[0].code if mentions else None
        if mentions:
            mark("asset", mentions[0].index)
        return _intent(
            action="cancel",
            asset=asset,
            # "cancel my last order": the one placed last, never all of them
            order_ref="last" if "q" in tags else None,
            spans=_spans(text, an, fields),
        )

    strong = {t for t in tags if t in "BSCD"}
    trade_signal = bool(an.amounts or mentions or an.vague or "k" in tags or "t" in tags)
    one_unit = [a for a in an.amounts if a.kind in ("units", "bare") and a.value == _ONE]
    question = bool(_QUESTION.search(an.text))
    # an order named in a question: "is my BTC stop still live?", "did my LINK bid fill?"
    # ("has my 0.75 BTC bid at 61,250 filled yet?": my order, by its amount, coin and side)
    order_named = (
        "r" in tags or (bool(re.search("[LKJ]", tags)) and "N" not in tags) or _my_order_by_side(an)
    )
    # what a trade would cost or bring: "買0.1個BTC要幾多錢", "sell 1 btc, how much will I get"
    # ("… not sure how much", "买几多好" ask for the amount: no amount is given there)
    cost = any(t.tag == "p" and t.code == "cost" for t in an.tokens) or (
        "h" in tags and bool(an.amounts) and not (an.alternative_amounts or an.vague)
    )
    # ("Would you place a limit order to sell 1 ETH at 3,600?": a request, asked politely)
    placing = order_named and _ASKS_TO_PLACE.search(an.text) is not None
    # whether an order went through: "did my order to buy 50 HSK go through?"
    status = order_named and _WENT_THROUGH.search(an.text) is not None
    if (
        (strong or status)
        and question
        and (an.amounts == one_unit or cost or status)
        and not placing
    ):
        # A question about a trade is no trade: "買一個索拉納要幾多錢？" asks the price, "is
        # my XRP sell still open?" asks about an order.
        # ("get me 1 ETH but only if the price goes below 3000?": a price its trigger took)
        kind = "orders" if order_named else "price" if "p" in an.live() or cost else None
        if kind is not None and mentions:
            mark("query", _first_tag(an, "rp"))
            mark("asset", mentions[0].index)
            return _intent(
                action="query", query=kind, asset=mentions[0].code, spans=_spans(text, an, fields)
            )
    if not strong:
        kind = _query_kind(tags, bool(mentions))
        if kind == "price" and re.search("mc?A", tags) and _WORTH.search(an.text):
            kind = "balance"  # "how much is my eth worth", "我啲ETH值幾錢": what I hold
        if kind is None and question and order_named and not an.amounts:
            kind = "orders"
        if kind is None and question and mentions and re.search("[<>du]", tags):
            kind = "price"  # "is btc above 70k rn?", "比特币跌破6万了吗": where the price is
        # "how much is 1 TON", "幾錢一個": a price per unit; "all my orders": all of them.
        asked = (kind == "price" and (an.amounts == one_unit or cost)) or (
            kind and everything
        )  # "how much would 0.5 btc cost me": what that amount costs, a price
        if kind is not None and (not an.amounts or asked):
            mark("query", _first_tag(an, "rlhvpWL"))
            asset = mentions[0].code if mentions else None
            if asset is not None:
                mark("asset", mentions[0].index)
            if kind == "price" and asset is None:
                return _clarification(
                    missing=("asset",),
                    question="Which asset's price do you want?",
                    spans=_spans(text, an, fields),
                )
            return _intent(action="query", query=kind, asset=asset, spans=_spans(text, an, fields))
        # ("I'd like to trade 0.5 ETH" says no side; "I'd like to take profit" sells; "I'd
        # like 300 ATOM traded into DOT" swaps)
        liked = all(t.code == "like" for t in an.tokens if t.tag == "g")
        if (
            "g" in tags
            and "t" not in tags
            and not (liked and (re.search("[RZ]", tags) or _two_cryptos_to(mentions)))
            and (an.amounts or mentions or an.vague)
            and not _verb_unread_after_wish(an)
        ):
            strong = {"B"}  # "get me 0.1 BTC", "get me some of that", "I'd like 10 bucks of SUI"
        elif re.search(r"[RZ]", an.live()) and "B" not in tags:
            # "take profit on a quarter of my BTC": a sale, whose price is still asked for
            # (with a price and no verb, "ETH 1個, TP 4000", the side is never guessed)
            strong = {"S"}
        # (with a verb denied, "五百港币的比特币 不要 买入", the rest never says the side)
        elif not an.denied_verb and (
            _two_cryptos_to(mentions, verbless="t" not in tags) or _money_into(an, mentions)
        ):
            strong = {"C"}  # "trade LTC for BTC", "BTC to ETH, 0.02 BTC", "HK$8,000 into ETH"
        elif not an.denied_verb and _money_worth(an, mentions):
            strong = {"B"}
        elif not an.denied_verb and _crypto_to_money(an, mentions):
            strong = {"S"}
        elif not trade_signal:
            return _unsupported("off_topic")

    side: TradeSide | None
    if "C" in strong:
        side, verb = "convert", "C"
    elif "S" in strong and not (strong & {"B", "D"}):
        side, verb = "sell", "S"
    elif strong & {"B", "D"} and "S" not in strong:
        side, verb = "buy", "BDg"
    else:
        side, verb = None, ""
    if verb:
        mark("action", _first_tag(an, verb))
    return _trade(text, an, side, mentions, fields)


def _verb_unread_after_wish(an: _Analysis) -> bool:
    """ "I'd like to handle HK$1,500 of ripple": a verb we cannot read after the wish, which
    may name either side ("I'd like 10 bucks of SUI" names none: a buy)."""
    wish = next(k for k, t in enumerate(an.tokens) if t.tag == "g")
    if wish + 1 >= len(an.tokens):
        return False
    gap = an.text[an.tokens[wish].end : an.tokens[wish + 1].start]
    return _ONE_WORD_AFTER_WISH.fullmatch(gap) is not None and not _NO_VERB_AFTER_WISH.fullmatch(
        gap
    )


#: One word between a wish and what follows it ("like to handle"), and the words there that
#: name no action ("like some", "want to get").
_ONE_WORD_AFTER_WISH = re.compile(r"\s*(?:to\s+)?[a-z]+\s*")
_NO_VERB_AFTER_WISH = re.compile(
    r"\s*(?:to\s+)?(?:some|a|an|the|me|my|about|around|maybe|like|just|more|get|have|own"
    r"|either|it|them|one)\s*"
)


def _every_what(an: _Analysis, k: int) -> bool:
    """每 left unread before a word of time the grammar does not know ("每朝早" before it had
    the word): a cadence, then unknown, is never dropped ("每間交易所" is every exchange)."""
    tok = an.tokens[k]
    return tok.code == "zh" and _EVERY_WHEN.match(an.text, tok.end) is not None


#: What follows 每 in a cadence: a part of the day, a season, a half, a round.
_EVERY_WHEN = re.compile(r"\s*(?:个|個)?\s*[朝晚早夜晨午季旬半轮輪]")


def _bare_huan(an: _Analysis, mentions: list[_Mention]) -> bool:
    """Chinese 换 with a single object after it, and nothing paid with: what is received
    ("换点姨太"); counted coins are what is given ("換1粒ETH": one ETH exchanged)."""
    verbs = [k for k, t in enumerate(an.tokens) if t.tag == "C"]
    return (
        len(mentions) == 1
        and not mentions[0].marker
        and len(verbs) == 1
        and an.tokens[verbs[0]].code == "get"
        and verbs[0] < mentions[0].index
        and not any(a.kind == "units" and a.unit == mentions[0].code for a in an.amounts)
    )


@dataclass(frozen=True, slots=True)
class ReplyTerms:
    """The numbers and assets of a short reply, and whether it says anything else.

    ``bare``: nothing but numbers, classifiers, "at", "or", "price" ("0.2个", "Two, please",
    "5粒...定50粒?", "at 3,000"); ``negated``: a negation among them ("0.1... no wait 0.2")."""

    numbers: tuple[Decimal, ...]
    shares: tuple[Decimal, ...]  # percentages and share words ("half", "30%")
    assets: tuple[str, ...]
    currencies: tuple[str, ...]  # the quote currencies it names ("换成U": USDT)
    bare: bool
    negated: bool
    priced: bool  # names a price ("price 150", "at 3000")
    counted: bool  # counts coins with a classifier ("3个", "10粒"): not money
    timed: bool  # names a time or a cadence ("两个钟", "every week")
    money: bool = False  # names a currency ("500 hkd... or 800"): no bare amount of a coin
    side: str | None = None  # the side its verbs say ("actually sell…"), if only one
    direction: Literal["<=", ">="] | None = None  # "below", "升穿": one way only
    meant_assets: tuple[str, ...] = ()  # the coins no negation denies ("not BTC, ETH")
    denied_numbers: bool = False  # every number is denied ("30% not 3")


def _reply_tokens(text: str) -> tuple[str, list[Token]]:
    """A reply as :func:`reply_terms` and :func:`amendment` read it: its normalized text,
    with a leading no and what says nothing blanked ("唔係，買！", "actually no just do it at
    market", "At 3,900, please. I shan't take less."), and its tokens with its own corrections
    applied ("3个，不对，5个" answers 5)."""
    norm = _readable(_LEADING_NO.sub(_blank, _without_courtesy(normalize(text))))
    return norm, _self_corrections(norm, tokenize(norm, text))


def _counted_orders(norm: str, tokens: list[Token]) -> list[Token]:
    """ "12 buys", "6 sells": a number of orders (times), not a verb."""
    if "buys" not in norm and "sells" not in norm and "purchases" not in norm:
        return tokens
    return [
        Token("x", t.start, t.end)
        if t.tag in "BS"
        and k
        and tokens[k - 1].tag == "N"
        and not norm[tokens[k - 1].end : t.start].strip()
        and norm[t.start : t.end] in _ORDERS_COUNTED
        else t
        for k, t in enumerate(tokens)
    ]


def without_timing(text: str) -> str:
    """``text`` with its later date or time blanked (same length): "buy 0.2 btc tomorrow" →
    "buy 0.2 btc         ", what the customer asks for when told the order can only go now
    and answering "ok, do it now"."""
    norm = normalize(text)
    tokens = tokenize(norm, text)
    out = list(text)
    for k, tok in enumerate(tokens):
        if tok.tag in "Tjn":
            # with the word that led to it: "at 9pm", "on friday"
            first = k - 1 if k and tokens[k - 1].tag in "@f" else k
            for i in range(tokens[first].start, tok.end):
                out[i] = " "
    return "".join(out)


def _not_kept(tokens: list[Token], tags: str) -> list[Token]:
    """The ``tags`` tokens but those said as kept back ("留返一半，沽一半": one half sold)."""
    return [
        t
        for k, t in enumerate(tokens)
        if t.tag in tags and not (k and (tokens[k - 1].tag, tokens[k - 1].code) == ("V", "keep"))
    ]


def reply_terms(text: str) -> ReplyTerms:
    """What :mod:`intent.dialogue` needs of a reply: see :class:`ReplyTerms`."""
    norm, tokens = _reply_tokens(text)
    scoped = _scope_negations(norm, tokens)
    meant = scoped or []  # "I meant buy, not sell": the side meant
    sides = {t.tag for t in meant if t.tag in "BS"}
    falls, rises = (any(t.tag in tags for t in meant) for tags in ("<d", ">u"))
    return ReplyTerms(
        numbers=tuple(t.value for t in _not_kept(tokens, "N") if t.value and t.value > 0),
        # "not all of it, half": the share meant, not the one denied
        shares=tuple(t.value for t in _not_kept(meant or tokens, "HP") if t.value and t.value > 0),
        assets=tuple(dict.fromkeys(t.code for t in tokens if t.tag == "A")),
        currencies=tuple(dict.fromkeys(t.code for t in tokens if t.tag == "Q")),
        bare=all(
            (t.tag in _BARE_REPLY or (t.tag, t.code) == ("V", "unsure")) and not t.unclear
            for t in tokens
        ),
        money=any(t.tag == "Q" or (t.tag == "N" and t.code) for t in tokens),
        negated=any(t.tag == "^" or (t.tag, t.code) == ("V", "unsure") for t in tokens),
        priced=any(t.tag in "p@L" for t in tokens),
        counted=any(t.tag in "ck" for t in tokens),
        timed=any(t.tag in "YEFOTjx" for t in tokens),
        side={"B": "buy", "S": "sell"}[sides.pop()] if len(sides) == 1 else None,
        direction=None if falls == rises else "<=" if falls else ">=",
        meant_assets=tuple(dict.fromkeys(t.code for t in meant if t.tag == "A")),
        denied_numbers=scoped is not None
        and any(t.tag == "N" for t in tokens)
        and not any(t.tag == "N" for t in scoped),
    )


#: Tags before a number that make it a price, a level or a time: at, limit, stop, a move,
#: a bound, over, every, a take-profit... ("for" is no such word: "buy btc for 100" spends).
_TERM_BEFORE = frozenset("@LKJGRZ<>=duOEpi")
#: Tags after a number that make it one: a time unit, times, a bound, "or more".
_TERM_AFTER = frozenset("YxduLRZ")


def term_numbers(text: str) -> tuple[tuple[Decimal, bool], ...]:
    """The numbers of ``text`` said as a price, a level, a count of orders or a length of
    time, not as an amount ("sell 1 litecoin for 90 or more": 90; "分3小时卖完": 3; "split
    into 6 orders": 6), each with whether it is a length of time: what no answer to "how
    much?" may silently drop."""
    norm, tokens = _reply_tokens(text)
    out: list[tuple[Decimal, bool]] = []
    for k, tok in enumerate(tokens):
        if tok.tag != "N" or tok.value is None or tok.value <= 0:
            continue
        before = tokens[k - 1] if k else None
        after = tokens[k + 1] if k + 1 < len(tokens) else None
        if (
            (
                before is not None
                and (before.tag in _TERM_BEFORE or (before.tag == "f" and not before.code))
            )
            or (
                after is not None
                and (after.tag in _TERM_AFTER or (after.tag, after.code) == ("r", ""))
            )
            or (after is not None and after.tag == "|" and _OR_MORE.match(norm, after.start))
            # "for 24,000 Hong Kong dollars or less": a cap on what is paid
            or (
                after is not None
                and after.tag == "Q"
                and _OR_MORE.match(norm[after.end :].lstrip()) is not None
            )
            # "分5份", "拆成4笔": a count of orders
            or (after is not None and after.tag == "c" and norm[after.start] in "份笔单")
        ):
            out.append((tok.value, after is not None and after.tag == "Y"))
    return tuple(out)


_OR_MORE = re.compile(r"or\s+(?:more|less|better|higher|lower|above|below)\b")


def way_unsaid(text: str) -> bool:
    """Whether ``text`` holds a condition that says no way ("sell my sol when it hits", "if
    it moves"): a price answered for it is a level crossed up or down, never a limit."""
    tags = {t.tag for t in _reply_tokens(text)[1]}
    return bool(tags & {"i", "="}) and not tags & {"<", ">", "d", "u", "K", "Z", "R", "L", "J"}


#: What may stand beside the numbers of a bare reply: classifiers, "at", "or", "price", "no".
_BARE_REPLY = frozenset("Nc@|pa^okQ#")  # … "of them", "50 coins", "500 hkd… or 800"


@dataclass(frozen=True, slots=True)
class Amendment:
    """What a fragment said after a complete request changes or adds ("at 3,400", "sl 57k
    instead", "x10", "for 10 days", "set 埋 take profit 5000", "改成隔天"): see
    :func:`amendment`. ``stop`` is a stop price whose direction is the request's side;
    ``period`` ("for 10 days") is a length the schedule's cadence turns into a count."""

    limit_price: Decimal | None = None
    market: bool = False
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    stop: Decimal | None = None
    condition: Trigger | None = None
    every: str | None = None
    count: int | None = None
    over: str | None = None
    period: tuple[int, str] | None = None
    amount: Amount | None = None
    on: str | None = None  # the weekday of "every other Monday"
    side: str | None = None  # "改成隔天买": the side the request already has, or none
    asset: str | None = None  # "only if ETH < 3,300": the asset the request already has
    quantity: Decimal | None = None  # "qty 35": the amount, in the request's own unit
    quote: str | None = None  # "with usdc": what it is paid with or sold for
    price_quote: str | None = None  # "At 3,900 US dollars": the currency a price is said in


#: What a fragment may hold besides the phrases it is read by: "please make it", "instead".
_AMENDMENT_FILLER = frozenset("_oafwmc#t")
_LENGTH = re.compile(r"^#?(N)(Y)$")  # "12 months", "actually 6 hrs": a length said alone
_QUANTITY = re.compile(
    r"^\s*(?:(?:chg|change|make|set|amend)\s+)?(?:the\s+)?(?:qty|quantity|size|数量)\b"
    r"|^\s*(?:数量|数目)"
)


def amendment(text: str, *, amount_asked: bool = False) -> Amendment | None:
    """The fields a message without a request of its own sets, when every word it holds is
    read by one of them; ``None`` otherwise (the message then stands on its own). A side or
    a coin it names is returned for the dialogue to check against the request's own; a bare
    number is no amendment (which field would it be?): that is a correction's to place,
    unless the amount was asked for and the message sets a count or a length besides ("0.05
    each time, 6 times")."""
    norm, said = _reply_tokens(text)
    tokens = []
    if (
        len(said) > 1
        and said[0].tag == "^"
        and norm[said[0].start : said[0].end] in _CORRECTING_NO
        and re.match(r"[系係]?\s*[,，]", norm[said[0].end : said[1].start])
    ):
        said = said[1:]  # "唔係, 每兩個禮拜": the no of a correction
    for tok in said:
        if tok.tag == "!" and tok.code == "leverage" and tok.value:
            tokens += [Token("x", tok.start, tok.end), Token("N", tok.start, tok.end, tok.value)]
        elif tok.tag == "!" or tok.tag == "^":
            return None
        else:
            tokens.append(tok)
    sides = {_meaning(t)[0] for t in tokens if t.tag in "BSgD"}
    named = {t.code for t in tokens if t.tag == "A"}
    if not tokens or len(sides) > 1 or len(named) > 1 or any(t.tag in "CXV~" for t in tokens):
        return None
    for k, tok in enumerate(tokens):
        if (
            tok.tag == "H"
            and norm[tok.start : tok.end] in ("all", "everything")
            and not sides
            and not (k + 1 < len(tokens) and tokens[k + 1].tag == "o")
            and not re.search(r"\b(?:it|them)\s+$", norm[: tok.start])
        ):
            # "that's all", "all good", "thanks for all your help": no share of anything;
            # "all of it", "sell them all" say one
            return None
    found: dict[str, Any] = {"side": {"B": "buy", "S": "sell"}[sides.pop()]} if sides else {}
    if named:
        found["asset"] = named.pop()  # "and only if ETH < 3,300": the request's own coin
    quantity = _QUANTITY.match(norm)
    tokens = [t for t in tokens if t.tag not in "BSgDA"]
    numbers = [t for t in tokens if t.tag not in _AMENDMENT_FILLER]
    quoted = "".join(t.tag for t in tokens if t.tag not in "_oam#t")
    if quoted in ("wQ", "fQ"):
        return Amendment(quote=tokens[-1].code, **found)  # "with usdc", "for USDT"
    if quantity is not None and [t.tag for t in numbers] == ["N"] and numbers[0].value:
        found["quantity"] = numbers[0].value  # "qty 35", "chg qty to 0.6"
        tokens = []
    tags = "".join(t.tag for t in tokens)
    if "E" not in tags and "F" not in tags:
        # a count or a length of its own ("x10", "for 10 days", "stretch it to 4h", "12
        # months"), before the amount phrases read its number as an amount
        for pattern, name in ((_TIMES, "count"), (_FOR_PERIOD, "period"), (_LENGTH, "period")):
            m = pattern.search(tags)
            if m is None:
                continue
            number = 1 if m.group(1) is not None else 2
            value = _whole(tokens[m.start(number)].value if m.start(number) >= 0 else None)
            if value is None:
                return None
            found[name] = value if name == "count" else (value, tokens[m.start(2)].code)
            # ("cap it at 12 runs": the at of the count)
            start = m.start() - (name == "count" and tags[m.start() - 1 : m.start()] == "@")
            tokens = tokens[:start] + tokens[m.end() :]
            tags = tags[:start] + tags[m.end() :]
    rest = [t for t in tokens if t.tag not in _AMENDMENT_FILLER]
    if (
        amount_asked
        and ("count" in found or "period" in found)
        and [t.tag for t in rest] == ["N"]
        and rest[0].value
        and not rest[0].code
    ):
        found["quantity"] = rest[0].value  # the amount asked for, in the coin asked about
        tokens = [t for t in tokens if t is not rest[0]]
    # "再加一個停利": "a" take-profit, not one of anything
    one = re.search(r"Nc(?=[RZK])", tags)
    if one is not None and tokens[one.start()].value == _ONE:
        tokens = tokens[: one.start()] + tokens[one.end() :]
    an = _analyse(tokens, norm)
    live = an.live()
    if not tokens and found.get("quantity"):
        return Amendment(**found)
    condition = an.condition
    if an.bound is not None:
        if an.limit_price is None or condition is not None:
            return None  # "below 2800" alone: a level's direction, the dialogue's to place
        condition = _trigger(*an.bound)  # "below 2800, limit 2790": a stop-limit's stop
    if "M" in live and an.limit_price is None:
        found["market"] = True
        live = live.replace("M", "_")
    if an.stop_price is not None and an.condition is None:
        # "add a stop at 120", "slap a stop at 120 on it": put on the position, its stop-loss
        put_on = any(
            t.tag == "K"
            and (
                _ATTACHED_STOP.match(norm, t.start)
                or _STOP_ATTACHED_BY.search(norm, max(0, t.start - 16), t.start)
            )
            for t in tokens
        )
        found["stop_loss" if put_on else "stop"] = an.stop_price
    amounts = [
        a for a in an.amounts if a.kind in ("quote", "share") or (a.unit and a.kind == "units")
    ]
    if (
        len(amounts) != len(an.amounts)
        or len(amounts) > 1
        or an.unresolved
        or an.bad_amount  # ("sorry 1.25 still at market": a number no amount took)
        or an.vague
        or an.alternative_amounts
    ):
        return None
    if amounts:
        a = amounts[0]
        found["amount"] = _amount(a.value, "%" if a.kind == "share" else a.unit)
    # "make it stop limit, limit 2380", "make it a limit order at 66,000": the limit's words
    filler = _AMENDMENT_FILLER | ({"J", "L", "r"} if an.limit_price is not None else set())
    if any(tag not in filler for tag in live):
        return None
    if an.limit_price is not None and an.price_quote:
        found["price_quote"] = an.price_quote
    out = Amendment(
        limit_price=an.limit_price,
        take_profit=an.take_profit,
        stop_loss=found.get("stop_loss", an.stop_loss),
        condition=condition,
        every=an.every,
        on=an.on,
        count=an.count if an.every is not None else found.get("count"),
        over=an.over,
        **{k: v for k, v in found.items() if k not in ("count", "stop_loss")},
    )
    # a side or an asset alone changes nothing
    return out if out != Amendment(side=out.side, asset=out.asset) else None


def _money_into(an: _Analysis, mentions: list[_Mention]) -> bool:
    """An amount of money put "into" or "to" one crypto, with no verb: a buy of it."""
    cryptos = [m for m in mentions if not m.is_quote]
    money = [  # "HK$8,000 into ETH", "half my usdt into sui": money, or a share of money
        a
        for a in an.amounts
        if a.kind == "quote"
        or (a.kind == "share" and a.attached >= 0 and an.tokens[a.attached].tag == "Q")
    ]
    return (
        len(money) == len(an.amounts) == 1
        and len(cryptos) == 1
        and cryptos[0].marker == "f"
        and cryptos[0].by != "for"
        # ("do 1k bucks on doge", "trade 1k on doge": a size traded, on which side?)
        and not ("t" in an.tags and _word_before(an, cryptos[0].index) == "on")
        # ("cash in hk$5000 of eth": a money's worth, whatever word came before it)
        and an.tags[money[0].last : cryptos[0].index] not in ("o", "eo")
    )


def _word_before(an: _Analysis, k: int) -> str:
    """The words of the token before ``tokens[k]`` ("" at the start)."""
    return _word(an, k - 1) if k > 0 else ""


def _crypto_to_money(an: _Analysis, mentions: list[_Mention]) -> bool:
    """One crypto, then the currency it goes to, with no verb ("eth to usdt, 1.2 of it",
    "sol into usdc"): a sale of it."""
    return (
        len(mentions) == 2
        and not mentions[0].is_quote
        and not mentions[0].marker
        and mentions[1].is_quote
        and mentions[1].marker == "f"
        and mentions[1].by != "for"
    )


def _money_worth(an: _Analysis, mentions: list[_Mention]) -> bool:
    """An amount of money's worth "of" one crypto, with no verb at all ("HK$15,000 of ETH
    please", "8,000 港紙 worth of ETH"): a buy of it. ("trade 50u of link" says no side.)"""
    cryptos = [m for m in mentions if not m.is_quote]
    money = [a for a in an.amounts if a.kind == "quote"]
    if not (
        len(money) == len(an.amounts) == 1
        and len(cryptos) == 1
        and "t" not in an.tags
        and an.tags[money[0].last : cryptos[0].index] in ("o", "eo")
    ):
        return False
    return not _unread_words(an, an.tokens[money[0].first].start)


def _unread_words(an: _Analysis, end: int) -> list[str]:
    """The words no token read, courtesy aside: Latin words before ``end`` ("cell two hundred
    dollars of bitcoin"), Chinese anywhere ("倒5000U的eth", "五百港币的比特币 处置"). Each may
    name a side we do not know, and a side is never guessed over a word. (A Latin word counts
    as read when a token starts it; Chinese is read character by character.)"""
    read = [(t.start, t.end) for t in an.tokens]
    blanked = list(an.text)
    for a, b in read:
        blanked[a:b] = " " * (b - a)
    words = [
        w.group()
        for w in re.finditer(r"[a-z]+", an.text[:end])
        if not any(a <= w.start() < b for a, b in read)
    ]
    words += re.findall(r"[\u4e00-\u9fff]+", "".join(blanked))
    return [w for w in words if not _NO_SIDE_WORDS.fullmatch(w)]


#: Verbs of paying: their coins are what is given ("spend 2 eth"), never what is bought.
_PAYS = frozenset({"spend", "use", "花"})
#: Words that say nothing before a request: "please, HK$200 of Bitcoin".
_POLITE = frozenset({"please", "pls", "plz", "kindly", "hi", "hey", "hello", "ok", "okay"})
#: The same in Chinese, with "again", "first", "each time", "now", and the words of getting on
#: ("再上", "直接拿", "给我安排上") that a money's worth is bought with.
_NO_SIDE_WORDS = re.compile(
    "|".join(_POLITE)
    + r"|(?:帮我|帮忙|麻烦你?|你好|我想|我要|想|要|给我|再|先|每次|即刻|马上|立即|现在|而家"
    r"|总共|一共|直接|就|安排|上|拿)+"
)


def _two_cryptos_to(mentions: list[_Mention], *, verbless: bool = False) -> bool:
    """Two crypto assets, the second received ("for BTC", "to ETH", "into SOL")."""
    cryptos = [m for m in mentions if not m.is_quote]
    if len(cryptos) != 2 or cryptos[1].marker != "f" or cryptos[0].marker:
        return False
    if cryptos[1].by == "for" and cryptos[1].mine:
        return False  # "I want ETH for my 2 SOL, can you do that?": the SOL is given
    # Without a verb only "to"/"into"/→ say the direction: "I want SUI for my 20 APT" gives APT
    return not verbless or (len(mentions) == 2 and cryptos[1].by != "for")


def _pick_give_get(
    side: str | None, tags: str, mentions: list[_Mention], quote_amount: bool
) -> tuple[_Mention | None, _Mention | None, bool]:
    """The asset given up and the asset received; the flag is False when it is ambiguous.

    ``quote_amount``: the amount is in a currency ("convert 1000 USDT to ETH"), which is then
    what is given when no other object is named.
    """
    unmarked = [m for m in mentions if not m.marker]
    if side == "sell" or side == "convert":
        # The thing given is what is paid with ("用X换Y", "拿X换Y", "把X换成Y"), else the
        # unmarked object ("sell ETH for BTC"); failing that the only crypto named ("sell
        # everything I have in XRP"). Roles, never word order alone, decide.
        paid = [m for m in mentions if m.marker == "w"]
        if side == "convert" and any(m.by == "with" for m in paid) and len(mentions) > 1:
            # "swap ETH with SOL": which is given? English "with" does not say on a swap.
            return (paid[0], None, False)
        # ("把大饼卖500U": 把 marks what is given on a sale too, never what is got)
        give = paid[0] if len(paid) == 1 and (side == "convert" or paid[0].by == "ba") else None
        give = give or (unmarked[0] if unmarked else None)
        if give is None and not quote_amount:  # a convert's is not what it receives: "into SOL"
            receives = "f" if side == "convert" else ""
            give = next((m for m in mentions if not m.is_quote and m.marker != receives), None)
        rest = [m for m in mentions if m is not give]
        to = [m for m in rest if m.marker == "f"] or rest
        get = to[0] if to else None
        # What is received must be said so ("for BTC", "into SOL", "以太换比特币"), or be a
        # currency ("sell ETH USDT"): "sell my BTC and ETH" is two sales, not a swap.
        said = (
            get is None
            or bool(get.marker)
            or get.is_quote
            or (give is not None and give.marker == "w")  # 换0.01个BTC，用以太币嚟换
            or (give is not None and give.index < tags.find("C", give.index) < get.index)
        )
        return give, get, len(rest) <= 1 and said
    if side == "buy":
        if "D" in tags and "B" not in tags:
            quotes = [m for m in mentions if m.is_quote]
            cryptos = [m for m in mentions if not m.is_quote]
            if len(cryptos) >= 2:
                said = cryptos[1].marker == "f"  # "spend ETH on SOL", not "put BTC and ETH"
                return cryptos[0], cryptos[1], len(cryptos) == 2 and not quotes and said
            if (
                len(cryptos) == 1
                and len(quotes) == 1
                and quotes[0].marker == "f"
                and cryptos[0].index < quotes[0].index
            ):
                return cryptos[0], quotes[0], True  # "put my hbar into usdt": the coin is sold
            give = quotes[0] if quotes else None
            return give, (cryptos[0] if cryptos else None), len(quotes) <= 1
        # The thing bought: an unmarked crypto ("buy SOL with ETH"), else any crypto not paid
        # with ("a limit buy for 20 SOL"), else an unmarked currency.
        get = (
            next((m for m in unmarked if not m.is_quote), None)
            or next((m for m in mentions if not m.is_quote and m.marker != "w"), None)
            or (unmarked[0] if unmarked else None)
        )
        if get is None and len(mentions) == 1 and mentions[0].by == "ba":
            get = mentions[0]  # "將一個以太坊…買入": 将 marks the object of the buy
        gives = [m for m in mentions if m is not get]
        give = gives[0] if gives else None
        # What is paid must be said so ("with ETH", "用以太") or be a currency ("buy BTC USDT"):
        # "buy 1 BTC ETH" or "buy BTC and ETH" is no swap.
        # ("buy 2 LTC … to bitcoin": "to" names what is received, never what a buy pays)
        said = (
            give is None
            or give.is_quote
            or give.marker == "w"
            or (give.marker == "f" and give.by == "for")  # "buy ETH for 0.05 BTC"
        )
        return give, get, len(gives) <= 1 and said
    # No side: report the asset the user named, nothing more.
    cryptos = [m for m in mentions if not m.is_quote] or mentions
    return (cryptos[0] if cryptos else None), None, True


def _stop_after_the_buy(an: _Analysis) -> bool:
    """ "buy $500 of wif, stop at 1.5": a stop said after a pause that ends the buy, with no
    limit and no target beside it, may be the buy's stop-loss (below the market) or the stop
    that buys (above it): which, the words do not say ("buy 0.3 btc stop 72k", "buy stop"
    and "stop 71k limit 71.5k" do)."""
    k = next((k for k, t in enumerate(an.tokens) if t.tag == "K"), -1)
    return (
        k > 0
        and an.take_profit is None
        and any(t.tag == "B" for t in an.tokens[:k])
        and not any(t.tag in "LJR" for t in an.tokens)
        and bool(_PAUSE.search(an.text, an.tokens[k - 1].end, an.tokens[k].start))
    )


def _trade(
    text: str,
    an: _Analysis,
    side: TradeSide | None,
    mentions: list[_Mention],
    fields: dict[str, list[tuple[int, int]]],
) -> ParseOutput:
    tags = an.tags
    missing: set[MissingField] = set()
    priced_after = _count_then_bare_number(an)
    amount_spec = an.amounts[0] if len(an.amounts) == 1 else priced_after
    quote_amount = amount_spec is not None and amount_spec.kind == "quote"
    give, get, clear = _pick_give_get(side, tags, mentions, quote_amount)
    if side == "convert" and _bare_huan(an, mentions):
        give, get = None, mentions[0]  # "换点姨太": 换 with one object gets it
    if not clear or _ALTERNATIVE_ASSETS.search(tags):
        missing.add("asset")  # "BTC or ETH", "狗狗定柴犬币": which one?

    if (len(an.amounts) > 1 and priced_after is None) or an.bad_amount:
        missing.add("amount")
    if priced_after is not None:
        missing.add("price")  # "卖1个eth 3600": the coins counted; 3600, a price, is asked
    # A quote-currency amount with nothing else given: that currency is what is spent.
    if (
        give is None
        and amount_spec is not None
        and amount_spec.kind == "quote"
        and side in ("convert", "sell")
    ):
        give = _Mention(amount_spec.first, amount_spec.unit, "")
    elif (
        give is None
        and amount_spec is not None
        and amount_spec.kind == "share"
        and (amount_spec.attached >= 0)
    ):
        code = an.tokens[amount_spec.attached].code
        if code in QUOTE_CURRENCIES and side == "buy":
            give = _Mention(amount_spec.attached, code, "w")

    # Reduce give/get to (action, base asset, target, quote).
    action: TradeSide | None = side
    asset: _Mention | None = None
    target: _Mention | None = None
    quote: str | None = None
    quote_at = -1
    if side is None:
        asset = give
    elif give is not None and get is not None:
        if get.is_quote and not give.is_quote:
            action, asset, quote, quote_at = "sell", give, get.code, get.index
        elif give.is_quote and not get.is_quote:
            action, asset, quote, quote_at = "buy", get, give.code, give.index
        elif give.is_quote and get.is_quote and give.code in _FIAT and get.code not in _FIAT:
            # "用港幣 8,000 換 USDT": the stablecoin is bought with the money
            action, asset, quote, quote_at = "buy", get, give.code, give.index
        elif give.is_quote and get.is_quote:
            action, asset, quote, quote_at = "sell", give, get.code, get.index
        else:
            action, asset, target = "convert", give, get
    elif side == "sell":
        asset = give
    elif side == "buy":
        asset = get
        if get is None and give is not None and give.is_quote:
            quote, quote_at = give.code, give.index  # "用USDC買": paid in USDC; which coin?
    else:  # convert with only one side known: "换成比特币" names what is received
        asset, target = give, get
        missing.add("asset")
    if asset is not None and asset.is_quote and action in ("buy", "sell") and quote is None:
        # "buy 100 USDT" / "sell my USDT": which asset the other side is, we don't know.
        missing.add("asset")
    if asset is None and action is not None:
        missing.add("asset")
    if asset is None and side is None and not an.amounts:
        missing.add("asset")

    if (
        amount_spec is not None
        and amount_spec.kind == "bare"
        and an.limit_price is None
        and an.tags[amount_spec.first : amount_spec.last] == "N"
        and an.tags[amount_spec.first - 1 : amount_spec.first] == "A"
        and an.tags[amount_spec.last : amount_spec.last + 1] not in ("c", "k")
        and any(t.tag == "L" and t.code != "post" for t in an.tokens[: amount_spec.first])
        and not _COUNT_WORD.search(
            an.text, an.tokens[amount_spec.first - 1].end, an.tokens[amount_spec.first].start
        )
    ):
        # "limit buy eth 3100", "限价买入以太坊，3100": a limit with no price and one bare
        # number after its coin, the price or the amount? Both are asked; the number is kept
        # as neither ("姨太挂单卖0.5": the verb's own number is its amount).
        amount_spec = None
        missing.add("amount")

    # The amount, in the unit it was given in.
    amount: Amount | None = None
    if amount_spec is not None:
        unit = amount_spec.unit
        if amount_spec.kind == "bare" and side == "convert" and give is not None:
            unit = give.code  # "btc→eth 0.05", "usdt→sol 1000": of what is given
        elif amount_spec.kind == "bare":
            unit = asset.code if asset is not None else ""
            before = (give.index - 1, give.index - 2) if give is not None else ()
            paid_by = next((k for k in before if k >= 0 and an.tags[k] == "w"), -1)
            if (
                action == "buy"
                and give is not None
                and give.is_quote
                and paid_by >= 0
                and "A" not in an.tags[paid_by : give.index]  # ("with my usd": my, no coin)
                and _PAID_BY_WORD.match(an.text, an.tokens[paid_by].start)
                and asset is not None
                and max(give.index, asset.index) < amount_spec.first
                and "c" not in an.tags[amount_spec.first - 1 : amount_spec.last + 2]  # (0.1个)
            ):
                missing.add("amount")  # "用港紙買BTC，3千5": 3,500 in coins, or in the money?
        elif amount_spec.kind == "quote":
            if quote is None:
                quote, quote_at = unit, amount_spec.first
        elif (
            amount_spec.kind == "share"
            and action == "buy"
            and quote is None
            and amount_spec.attached < 0
            and asset is not None
            and an.tags[amount_spec.first - 1 : amount_spec.first] != "w"  # 用两成仓位买
        ):
            missing.add("amount")  # "梭哈买SOL": all of what? (a share of money names it)
        elif amount_spec.kind == "share" and amount_spec.attached >= 0:
            code = an.tokens[amount_spec.attached].code
            if action == "buy" and code not in QUOTE_CURRENCIES and quote is None:
                missing.add("amount")  # "buy half my ETH": a share of what we buy is no amount
            elif code in QUOTE_CURRENCIES and quote is None and action == "buy":
                quote, quote_at = code, amount_spec.attached
        elif amount_spec.kind == "units" and unit in QUOTE_CURRENCIES and quote is None:
            quote, quote_at = unit, amount_spec.first
        elif (
            amount_spec.kind == "units"
            and action == "buy"
            and asset is not None
            and unit == asset.code
            and len(mentions) == 1
            and "B" not in tags
            and any(t.tag == "D" and _word(an, k) in _PAYS for k, t in enumerate(an.tokens))
        ):
            missing.add("asset")  # "spend 2 eth", "花2个eth": the coins are paid, for what?
        if unit and "amount" not in missing:
            amount = _amount(amount_spec.value, unit)
            fields.setdefault("amount", []).append((amount_spec.first, amount_spec.last))
        elif not unit:
            missing.add("asset")
    elif (
        action == "buy"
        and quote is not None
        and give is not None
        and give.index > 0
        and an.tags[give.index - 1] == "m"
        and not (an.vague or "amount" in missing or an.denied_amount)
        and not _unread_before(an, give.index - 1)
    ):
        amount = _amount(_HUNDRED, "%")  # "swap my USDT for BTC": all of the USDT paid
    elif (
        an.vague
        or "amount" in missing
        or not _my_asset(an, asset, action)
        or (asset is not None and _unread_before(an, asset.index - 1))
    ):
        missing.add("amount")  # "sell my ETH 3/2": not "all of it" when a number was unread
    else:
        amount = _amount(_HUNDRED, "%")
        if asset is not None:
            fields.setdefault("amount", []).append((asset.index - 1, asset.index + 1))
    if an.alternative_amounts or (
        amount is not None
        and quote is not None
        and amount.unit in QUOTE_CURRENCIES
        and amount.unit != quote
        and asset is not None
        and not asset.is_quote
    ):
        # (a sum in one currency paid in another: "用U买 算了用USDC吧 800的姨太", which?)
        amount = None
        missing.add("amount")
    if an.vague and amount is None:
        missing.add("amount")
    if quote is None and an.price_quote:
        quote = an.price_quote
        fields.setdefault("quote", []).extend(an.spans.get("limit_price", []))
    if quote is None:
        # "once it climbs above US$160", "take profit at US$75,000": a price's currency is
        # the quote named (as a limit's is)
        for name in ("trigger", "take_profit", "stop_loss"):
            for first, last in an.spans.get(name, []):
                codes = {
                    t.code
                    for t in an.tokens[first:last]
                    if t.tag == "N" and t.code and not _PLAIN_CENTS.match(an.text, t.start)
                }
                if len(codes) == 1 and (quote is None or quote in codes):
                    quote = codes.pop()
                    fields.setdefault("quote", []).append((first, last))
    if quote_at >= 0:
        fields.setdefault("quote", []).append((quote_at, quote_at + 1))
    if asset is not None:
        fields.setdefault("asset", []).append((asset.index, asset.index + 1))
    if target is not None:
        fields.setdefault("to", []).append((target.index, target.index + 1))

    # Prices: limit, stop, condition, brackets.
    limit_price = an.limit_price
    trigger = an.condition
    if an.bound is not None:
        op, bound = an.bound
        span = an.spans.pop("bound", [])
        if limit_price is not None or action not in ("buy", "sell"):
            missing.add("price")  # "buy at 3,000 below 3,100", a convert: which price?
        elif (action == "buy") == (op == "<="):
            limit_price = bound  # "buy below 3k": a limit, filled at 3,000 or better
            an.spans.setdefault("limit_price", []).extend(span)
        else:
            trigger = _trigger(op, bound)  # "buy above 70k", "sell below 3k": a stop
            an.spans.setdefault("trigger", []).extend(span)
    live = an.live()  # stop words already used by a phrase ("with a stop at") don't count
    stop_words = live.count("K") + live.count("J") + live.count("G")
    sideless_stop: Decimal | None = None
    if an.stop_price is not None or (stop_words and limit_price is not None and "J" not in tags):
        stop = an.stop_price
        if stop is None:  # "stop sell 1 ETH at 2800": the "at" price is the stop
            stop, limit_price = limit_price, None
            an.spans["trigger"] = an.spans.pop("limit_price", [])
        if action is None and trigger is None and stop is not None and stop > 0:
            sideless_stop = stop  # placed once the side is answered (intent.dialogue)
        elif (
            trigger is not None
            or stop is None
            or stop <= 0
            or action not in ("buy", "sell")
            or (action == "buy" and _stop_after_the_buy(an))
        ):
            missing.add("price")
        else:
            trigger = _trigger("<=" if action == "sell" else ">=", stop)
    elif stop_words and trigger is None:
        missing.add("price")  # a stop with no price
    # "or lower" after a condition's price says its direction again: no limit wanted
    wants_limit = any(t.tag in "LJ" and t.code != "post" for t in an.tokens)
    if wants_limit and limit_price is None:
        missing.add("price")
    if (
        action != "buy"
        and "内" in an.text
        and any(t.tag == "L" and an.text[t.start : t.end] in ("以内", "之内") for t in an.tokens)
    ):
        missing.add("price")  # "价格3000以内" is a buyer's ceiling: on a sale, which is meant?
    if limit_price is not None and an.limit_side not in ("", action):
        # "sell 2 eth, not more than 2": a ceiling is no sale's limit (more likely of the
        # amount); which is meant is asked
        missing.add("price")
    if (
        action == "sell"
        and trigger is None
        and limit_price is None
        and "Z" not in live
        and _TAKE_PROFIT_NOW.search(live)
    ):
        # "take profit on half my PEPE", "止盈一半姨太": a sale now, not an exit order ("set
        # a take profit on my ETH" names one, and its price is asked)
        live = live.replace("R", "_")
    if action == "sell" and trigger is None and limit_price and re.search("[RZ]", live):
        if "Z" in live and any(
            t.tag == "L" and _LIMIT_WORD.search(an.text, t.start, t.end) for t in an.tokens
        ):
            # "止损卖出0.5个BTC，限价57,800": a stop-limit whose limit is given, its stop not
            missing.add("price")
        elif "Z" in live:  # "stop loss sell 1 ETH at 2900": the price is the stop of this sell
            trigger, limit_price = _trigger("<=", limit_price), None
        # "take profit on 0.5 BTC at 74k" stays a limit: a sale at that price or better
    elif (action != "sell" or trigger is None) and re.search("[RZ]", live):
        # a take-profit or stop-loss without its price ("請為0.1個比特幣設止蝕賣出，止蝕價
        # 58,000": a sale's stop-loss word said twice, the second with its price, is priced)
        said = set(re.findall("[RZ]", live))
        if action == "sell":
            said -= {"Z"} if an.stop_loss is not None else set()
            said -= {"R"} if an.take_profit is not None else set()
        if said:
            missing.add("price")
    if "@" in live and any(
        t.tag == "@" and t.code != "zh" and an.free[k] for k, t in enumerate(an.tokens)
    ):
        missing.add("price")  # "sell 1 SOL at... whatever you think", "某个价位": no price
    if trigger is None and _UNPLACED_PRICE.search(live):
        # A condition or a price word no phrase placed ("跌了就买", "at a good price", "when
        # the price is right"): the price is asked for, the order never goes at market.
        missing.add("price")
    if an.unresolved or any(
        price is not None and price <= 0 for price in (limit_price, an.take_profit, an.stop_loss)
    ):
        missing.add("price")  # "at 0" is no price: ask (results are built unvalidated)
    if limit_price is None and any(t.code == "not-market" for t in an.tokens):
        missing.add("price")  # "not at market", and no price given: which one?
    if (
        action == "buy"
        and "into" in an.text
        and any(  # ("sell 500 XRP into the pump": into a rally, a sale)
            t.tag == "f"
            and an.free[k]
            and an.text[t.start : t.end] == "into"
            and any(u.tag == "A" for u in an.tokens[:k])
            and all(u.tag == "k" for u in an.tokens[k + 1 :])
            for k, t in enumerate(an.tokens)
        )
    ):
        # "ape 2 eth into that new coin everyone's shilling": a coin given, into what?
        missing.add("asset")
    if limit_price is not None and "M" in live:
        missing.add("price")  # "buy 1 eth at 3000 at market": a limit or market order?
    if any(t.tag == "A" and _CHEAP_ENDS.fullmatch(an.text, t.end) for t in an.tokens):
        missing.add("price")  # "buy 1 eth cheap": at a low price nobody named
    if action == "sell" and any(
        t.tag == ">" and an.text[t.start : t.end] == "破" for t in an.tokens
    ):
        # "姨太破2800触发 挂2750卖2个": 破 alone (not 跌破, 升破) says no direction; a sale's
        # level may be its stop below the market or its target above: asked
        missing.add("price")
    if not missing and any(t.code == "unsure" for t in an.tokens):
        missing.add("amount")  # "buy 0.1 BTC… I'm not sure": nothing goes while unsure
    unwanted_only = all(t.code == "unwanted" for t in an.tokens if t.tag == "~")
    if "~" in live and (action == "buy" or not unwanted_only):
        # "kill my ETH sell", "停咗" in a trade: cancel or trade? ("唔要" in a sale agrees)
        missing.add("side")
    if "I" in tags or re.search(r"M[du]|[du]M", tags):
        missing.add("price")  # "unless it drops", "a bit below market": no price we can state
    take_profit, stop_loss = an.take_profit, an.stop_loss
    if action == "buy" and stop_loss and limit_price and "K" in tags and "Z" not in tags:
        # "buy 0.1 BTC with stop 72000, limit 72500": a stop-limit entry, or a limit buy
        # with its stop-loss? Only "stop loss" says the second: asked
        missing.add("price")
    said_no = {t.code for t in an.tokens if t.code in _NO_EXIT}
    stops = stop_loss is not None or trigger is not None
    if ("no-stop" in said_no and stops) or ("no-profit" in said_no and take_profit is not None):
        missing.add("price")  # "no stop loss: sell 1 ETH if it drops to 2800": which is it?
    if action == "sell" and (take_profit or stop_loss):
        # Exits of a sell are its trigger: "跌破2780止损卖出" sells once it is at or below 2780.
        if trigger is None and (take_profit is None) != (stop_loss is None):
            trigger = exit_of_a_sale(take_profit, stop_loss)
            take_profit = stop_loss = None
        else:
            missing.add("price")
    if side is None:
        missing.add("side")

    for name in ("limit_price", "trigger", "take_profit", "stop_loss", "schedule"):
        if name in an.spans:
            fields.setdefault(name, []).extend(an.spans[name])
    if _TIME_LEFT.search(live.replace("x", "_") if an.over else live):
        # "buy 1 BTC tomorrow", "next week", "at 09:00", "3 times", "every day at 9": a time
        # or a count no schedule phrase placed. Orders go now, on a price or on a cadence
        # that starts now; a time we cannot honour is refused, never dropped.
        return _unsupported("timing")
    if any(_every_what(an, k) for k, tag in enumerate(live) if tag == "E"):
        return _unsupported("timing")
    split = _SPLIT_INTO.search(an.text) if "分" in an.text else None
    if split is not None and not any(
        an.tokens[a.first].start < split.start()
        and not _EACH_BEFORE.search(an.text, 0, an.tokens[a.first].start)
        for a in an.amounts
    ):
        # "分三次卖，每小时卖一万个", "每30分钟出100个sol，分5次": each order's amount
        split = None
    if an.every and amount is not None and (_SPLIT_EVENLY.search(text) or split is not None):
        # "800 USDT weekly for 8 weeks, split evenly": 800 in all, 100 an order ("half my ETH
        # in 2 parts, weekly" is no share of what is left each week: asked)
        per_order = amount.value / an.count if an.count and amount.unit != "%" else None
        if per_order is not None and per_order == per_order.quantize(Decimal("1e-8")):
            amount = _amount(per_order.normalize(), amount.unit)
        else:
            amount = None
            missing.add("amount")  # not a whole number of units an order: asked
    spans = _spans(text, an, fields)
    schedule = None
    if an.every or an.over:
        schedule = _construct(
            Schedule,
            _SCHEDULE_T,
            {"every": an.every, "count": an.count, "over": an.over, "on": an.on, "day": an.day},
        )

    if (
        "asset" in missing
        and asset is None
        and len(an.unclear) == 1
        and not an.amounts
        and sum(t.tag == "N" for t in an.tokens) == 1
        and an.unclear[0].isalpha()
        and not _CJK_CHAR_RE.search(an.unclear[0])
    ):
        # "Buy 100 ZORBIX": a hundred of a coin we do not know; the coin is asked, and its
        # answer takes the hundred (intent.dialogue)
        missing.discard("amount")
    if missing or action is None:
        if not missing:
            missing.add("side")
        ordered = tuple(sorted(missing))

        # What was read survives the question ("sell ETH at 3,500" → "how much?"): prices
        # only when they are real ones, the schedule always.
        def positive(value: Decimal | None) -> Decimal | None:
            return value if value is not None and value > 0 else None

        kept_limit = positive(limit_price)
        price_for = (
            _price_asked(action or side, live, trigger, limited=kept_limit is not None)
            if "price" in missing
            else None
        )
        level = an.level if price_for is None and trigger is None and "price" in missing else None
        return _clarification(
            corrections=_corrections(text, an),
            side=action or side,  # "swap USDC for SOL" is a buy of SOL with USDC
            asset=asset.code if asset is not None else None,
            to=target.code if target is not None else None,
            quote=quote,
            amount=amount,
            order_type="limit" if kept_limit is not None else None,
            limit_price=kept_limit,
            trigger=trigger if trigger is not None and trigger.price > 0 else None,
            take_profit=positive(take_profit),
            stop_loss=positive(stop_loss),
            schedule=schedule,
            missing=ordered,
            price_for=price_for,
            level=level,
            stop=sideless_stop if "side" in missing else None,
            question=_unclear_words(an, ordered)
            + _share_or_units(text, an, asset.code if asset else None, ordered)
            + clarification_question(
                ordered, side, asset.code if asset else None, price_for, level
            ),
            spans=tuple(s for s in spans if s.field in _CLARIFY_FIELDS),
        )
    assert asset is not None  # guaranteed: a missing asset is a clarification
    return _intent(
        corrections=_corrections(text, an),
        action=action,
        asset=asset.code,
        to=target.code if target is not None else None,
        quote=quote,
        amount=amount,
        order_type="limit" if limit_price is not None else "market",
        limit_price=limit_price,
        trigger=trigger,
        take_profit=take_profit,
        stop_loss=stop_loss,
        schedule=schedule,
        spans=spans,
    )


def _count_then_bare_number(an: _Analysis) -> _Amount | None:
    """The coins counted, when a bare number ends the message after them ("卖1个eth 3600",
    "sell 1 eth 3600"): that number can be no second amount; it is a price we do not place
    without its word (at, 限价), so it is asked, the count kept."""
    if len(an.amounts) != 2:
        return None
    units, bare = an.amounts
    if (
        units.kind != "units"
        or bare.kind != "bare"
        or bare.value is None
        or bare.first < units.last
        # right after the coins and their name ("…actually 0.3, or 0.35?": no)
        or any(t.tag != "A" for t in an.tokens[units.last : bare.first])
        or bare.last != len(an.tokens)
        or bare.last != bare.first + 1
    ):
        return None
    return units


def _price_asked(
    action: str | None, live: str, trigger: Trigger | None, *, limited: bool = False
) -> PriceSlot | None:
    """Which price the question asks for, when the words left without one say it and say
    only one: "limit" → the limit; "set a stop-loss on my ETH" → the price it falls to;
    "buy ETH with a take-profit" → the take-profit; "sell if the price goes down" → the
    price it falls to; a stop-limit whose limit is ``limited`` (given) → its stop. ``None``
    when nothing or several are asked for."""
    asked: set[PriceSlot] = set()
    if "L" in live or ("J" in live and not limited):
        asked.add("limit_price")
    elif "J" in live and trigger is None:
        asked.add("trigger_below" if action == "sell" else "trigger_above")
    if trigger is None:
        if "Z" in live:
            asked.add("trigger_below" if action == "sell" else "stop_loss")
        if "R" in live:
            asked.add("limit_price" if action == "sell" else "take_profit")
        if "K" in live:
            asked.add("trigger_below" if action == "sell" else "trigger_above")
        if "i" in live or "=" in live:
            falls, rises = bool(re.search("[<d]", live)), bool(re.search("[>u]", live))
            if falls and rises and ("d" in live) != ("u" in live):
                # "if it breaks below": the preposition says the way over the verb
                falls, rises = "d" in live, "u" in live
            if falls != rises:
                asked.add("trigger_below" if falls else "trigger_above")
            else:
                return None  # "sell when it hits…": up or down is asked with the price
    if "I" in live or len(asked) != 1 or action not in _TRADE_SIDES:
        return None
    return asked.pop()


#: "cheap" said right after the coin, ending the message: a price wanted, not named.
_CHEAP_ENDS = re.compile(r"\s+cheap[\s.!]*")
#: A limit said as such ("limit", "lmt", 限价), not only an order placed ("挂个5万6的止损").
_LIMIT_WORD = re.compile(r"限|lim|lmt")
_TRADE_SIDES = frozenset({"buy", "sell"})
#: Quote currencies that are money, not tokens: a stablecoin is bought with them.
_FIAT = frozenset({"USD", "HKD", "EUR"})


def _corrections(text: str, an: _Analysis) -> tuple[Correction, ...]:
    """Each misspelt coin name and what it was read as ("bitcoiin" → Bitcoin, BTC)."""
    return tuple(
        Correction(written=text[t.start : t.end], meant=t.meant, code=t.code)
        for t in an.tokens
        if t.meant
    )


def _unclear_words(an: _Analysis, missing: tuple[MissingField, ...]) -> str:
    """What was not understood, said first: "I didn't understand "块" after 100."."""
    if not an.unclear:
        return ""
    words = ", ".join(f'"{w}"' for w in dict.fromkeys(an.unclear))
    if "amount" not in missing:
        return f"I don't know a coin called {words}. " if "asset" in missing else ""
    return f"I didn't understand {words} after the number. "


def _share_or_units(
    text: str, an: _Analysis, asset: str | None, missing: tuple[MissingField, ...]
) -> str:
    """Why a bare "1/2" is asked about: it names a quantity or a share, we can't tell which."""
    if an.ambiguous_share < 0 or "amount" not in missing:
        return ""
    tok = an.tokens[an.ambiguous_share]
    written = text[tok.start : tok.end]
    unit = an.ambiguous_unit or asset
    if unit is None:
        return f'"{written}" could be a quantity or a share of your holdings. '
    share = tok.value or Decimal(0)
    units = share / _HUNDRED
    if units == round(units, 8):  # 1/2, 1/4, 1/8: say both readings in numbers
        return (
            f'"{written} {unit}" could mean {plain(units)} {unit} '
            f"or {plain(share)}% of your {unit}. "
        )
    return f'"{written} {unit}" could be a quantity of {unit} or a share of your {unit}. '


def _unread_before(an: _Analysis, k: int) -> bool:
    """Whether a word we cannot read stands just before token ``k`` ("buy eth w hlaf my usdt":
    a share misspelt, perhaps, so "my USDT" is not all of it)."""
    start = an.tokens[k - 1].end if k > 0 else 0
    words = re.findall(r"[a-z]{3,}", an.text[start : an.tokens[k].start])
    return any(w not in common_words() and w not in _POLITE for w in words)


def _my_asset(an: _Analysis, asset: _Mention | None, action: str | None) -> bool:
    """ "sell my LINK": selling or converting *my* asset with no amount means all of it."""
    if asset is None or action not in ("sell", "convert") or an.denied_amount:
        return False
    if any(t.tag == "S" and _PART_OF.fullmatch(an.text, t.start, t.end) for t in an.tokens):
        return False  # "Trim my SOL at 190": a part of it, how much is asked
    return asset.index > 0 and an.tags[asset.index - 1] == "m"


#: Sale verbs that take a part of a holding, never all of it.
_PART_OF = re.compile(r"trim|trimming|reduce|lighten(?:\s+up\s+on)?|减仓|减码|减掉|减")
