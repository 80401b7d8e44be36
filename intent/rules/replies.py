"""A reply inside a dialogue: the terms it sets (:func:`reply_terms`), the numbers it
names, and an amendment of the pending request (:func:`amendment`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from intent.models import Amount, Trigger
from intent.rules.construct import _amount, _trigger
from intent.rules.corrections import _CORRECTING_NO, _self_corrections
from intent.rules.grammar import (
    _ATTACHED_STOP,
    _FOR_PERIOD,
    _ONE,
    _STOP_ATTACHED_BY,
    _TIMES,
    _analyse,
    _whole,
)
from intent.rules.negation import _meaning, _scope_negations
from intent.rules.normalization import _LEADING_NO, _blank, _readable, _without_courtesy, normalize
from intent.rules.tokens import Token, tokenize


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
