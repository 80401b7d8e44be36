"""Tokens read in context before the grammar: a word whose tag depends on its neighbours
(cents, "with", spot, counted orders, a holding, a hedge) gets the tag it has there."""

from __future__ import annotations

import re

from intent.rules.grammar import _ATTACHED_STOP, _PAUSE_OR_AND, _STOP_ATTACHED_BY, _VERBISH
from intent.rules.tokens import _CJK_CHAR_RE, Token, _cjk_after, _paused

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
