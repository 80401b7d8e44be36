"""Self-corrections and restatements inside one message ("1 BTC, no, 2"): what is said
later replaces what it names; a price asked before a request is no part of it."""

from __future__ import annotations

import bisect
import math
import re
from decimal import Decimal

from intent.language.assets import common_words
from intent.rules.context import _HEDGE_BEFORE, _QUESTION_AFTER, _UNDECIDED
from intent.rules.negation import _IS_WORD, _clause_span, _said_before
from intent.rules.tokens import _CLAUSE_BREAK, Token

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
