"""Negation scopes over its own clause: what a negation denies is dropped, and a negation
that denies what is kept, or nothing we understood, refuses the reading."""

from __future__ import annotations

import bisect
import re

from intent.rules.grammar import _HUNDRED, _ONE
from intent.rules.tokens import _CJK_CHAR_RE, _CLAUSE_BREAK, _SENTENCE_END, Token

_IS_WORD = re.compile(r"是|系|係")


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


def _said_before(tok: Token, said: list[Token]) -> bool:
    """Whether the number, coin or currency ``tok`` names was named in ``said``."""
    if tok.tag == "N":
        return any(t.tag == "N" and t.value == tok.value for t in said)
    return any(t.code == tok.code and (t.tag == tok.tag or t.tag == "N") for t in said)


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
