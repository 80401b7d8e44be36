"""Interpretation: from the analysed phrases to a result (:func:`_interpret`): an order named
to cancel, a query, or a trade (:func:`_trade`: the side from the verbs, the assets given and
received from the connectors, the amount, price, schedule and exits)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from intent.language.assets import common_words
from intent.lexicon import QUOTE_CURRENCIES
from intent.models import (
    Amount,
    Correction,
    MissingField,
    PriceSlot,
    QueryKind,
    Schedule,
    Span,
    StandingKind,
    Trigger,
    clarification_question,
    exit_of_a_sale,
    plain,
)
from intent.parser import ParseOutput
from intent.rules.construct import (
    _SCHEDULE_T,
    _amount,
    _clarification,
    _construct,
    _intent,
    _span,
    _trigger,
    _unsupported,
)
from intent.rules.context import _PAID_BY_WORD, _PLAIN_CENTS
from intent.rules.grammar import (
    _CLARIFY_FIELDS,
    _COUNT_WORD,
    _HUNDRED,
    _NO_EXIT,
    _ONE,
    _PAUSE,
    _QUESTION,
    _TAKE_PROFIT_NOW,
    _TIME_LEFT,
    _UNPLACED_PRICE,
    _VERBISH,
    _Amount,
    _Analysis,
    _Mention,
    _mentions,
    _word,
)
from intent.rules.negation import _ALTERNATIVE_ASSETS, _EACH_BEFORE, _SPLIT_EVENLY, _SPLIT_INTO
from intent.rules.tokens import _CJK_CHAR_RE

TradeSide = Literal["buy", "sell", "convert"]
#: "kill my ETH sell", "pull my btc buy": an order named by its asset and side.
# "pull my order to sell…", "drop the 61k btc bid": the order named, whatever its terms
_STOP_THEN_PRICE = re.compile(r"K@?N")
#: ("姨太那笔4200的卖单不要了": the order named first, then not wanted, in Chinese order)
_MY_ORDER = re.compile(r"^[^BSCDg]*~m?r|^[^BSCDg]*~[^BSCDg]*A[LKr]$|^[^BSCDg]*[BS]?r~[^BSCDg]*$")
_NAMED_ORDER = re.compile(r"~[^BSCDgX]*A[^BSCDgXN]*[BS](?:@N)?(?![^,]*[AN])")


#: The standing order a cancel names, by its kind, in the normalized text (traditional
#: characters are read as simplified ones): the first kind that matches, in this order.
_STANDING_KINDS: tuple[tuple[StandingKind, re.Pattern[str]], ...] = (
    ("take_profit", re.compile(r"take[\s-]*profits?\b|\btps?\b|止盈")),
    ("stop_loss", re.compile(r"stop[\s-]*loss(?:es)?\b|\bsls?\b|止损|止蚀|止蝕")),
    (
        "recurring",
        re.compile(
            r"recurr|repeat|\bdca\b|dollar[\s-]*cost|auto[\s-]*(?:buy|invest|purchas)"
            r"|\b(?:daily|weekly|monthly|hourly)\b|\bschedul"
            r"|\bevery\s+(?:day|week|month|hour|mon|tue|wed|thu|fri|sat|sun)"
            r"|定投|定期|每(?:周|天|日|月|个月|小时|星期|礼拜)|自动(?:买|投)"
        ),
    ),
    (
        "conditional",
        re.compile(r"conditional|\btrigger(?:ed)?\s+orders?|条件单|条件委托|触发单"),
    ),
    ("mandate", re.compile(r"standing\s+orders?|\bmandates?\b|automatic\s+orders?|自动单")),
)


def _standing_kind(text: str) -> StandingKind | None:
    """The kind of standing order a cancel names ("stop my weekly BTC buys": recurring,
    "取消止损": a stop-loss); None: it names open orders, as before."""
    for kind, pattern in _STANDING_KINDS:
        if pattern.search(text):
            return kind
    return None


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
        named = _standing_kind(an.text)
        return _intent(
            action="cancel",
            asset=asset,
            # "cancel my last order": the one placed last, never all of them
            order_ref="last" if "q" in tags else None,
            spans=_spans(text, an, fields),
            # (only when named: a result's dump leaves it out otherwise)
            **({} if named is None else {"standing_kind": named}),
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
