"""Grammar: named phrase patterns over the tag string (schedules, take-profit/stop-loss,
stops and conditions, limit prices, amounts); :func:`_analyse` gives each number one role."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from intent.lexicon import QUOTE_CURRENCIES
from intent.models import Trigger
from intent.rules.construct import _trigger
from intent.rules.tokens import (
    _CJK_CHAR_RE,
    _SENTENCE_END,
    _SLASH,
    Token,
    _cjk_after,
    _day_of_month,
    _paused,
)

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


#: Words that act: the first of them says what the message does.
_VERBISH = frozenset("~KBSCDgX")
_TAKE_PROFIT_NOW = re.compile(r"(?<![aw])R")
