"""The vocabulary of the rule parser: assets, currencies and the words of the grammar.

Every known word maps to one or more *tags* (single characters) that the grammar in
:mod:`intent.rules` matches with regular expressions over the tag string. A tag may carry a
payload string: an asset code, a share percentage, a time unit or an unsupported reason.

Tag alphabet (kept in one place so the grammar stays readable)::

    N number         P percent         H share word (payload %)   V vague amount ("some")
    A crypto asset   Q quote currency  k generic crypto ("crypto", "coins")
    B buy            g get (weak buy)  S sell       C convert     D spend/put/use/invest
    t trade/do (no side)               X cancel     M market
    o of/worth/的    w with/用         f for/to/into/on   m my    a a/an    c classifier 个
    @ at/@/以        L limit           K stop       J stop-limit  G trigger
    R take profit    Z stop loss       i if/when/once
    < falls/跌破     > rises/突破      d below/以下  u above/以上  O over/within/接下来
    E every/每       F daily/weekly    Y time unit  x times/次    n next
    p price          l balance         h how much   v have/hold   r orders   W show/what
    q last/latest (which order?)   ! unsupported (payload reason)
    = reaches/hits (a price level with no direction)    | or (alternatives)
    e worth/价值 (the number before it is money)   ¥ 块/元: a currency unit it does not name
    T a time that is not a schedule (tomorrow, 明天)   ~ soft cancel (kill, remove: of an order)
    ^ negation (not, don't, 不要, 唔好): scopes over its clause (see intent.rules)
    # a correction ("I mean", "make that", 不对, 说错了): what follows replaces what it names
    y a currency we do not trade (人民币, RMB): an amount in it is asked about
    I a condition that is no price trigger (unless, until, before, 除非): the reading asks
    j a weekday (Monday, 周一): weekly after "every", else a date we cannot wait for
"""

from __future__ import annotations

from intent.language.assets import Asset, correct
from intent.language.assets import aliases as universe_aliases

#: Currencies that can be the quote side of a pair.
QUOTE_CURRENCIES: frozenset[str] = frozenset({"USD", "USDT", "USDC", "HKD", "EUR"})

#: Names the lexicon fixes itself (nicknames, currencies); the universe adds the rest.
_CURATED_ALIASES: dict[str, str] = {
    # crypto
    "btc": "BTC",
    "bitcoin": "BTC",
    "bitcoins": "BTC",
    "xbt": "BTC",
    "sats": "BTC",  # satoshis: amounts in them are scaled to bitcoin by the tokenizer
    "satoshi": "BTC",
    "satoshis": "BTC",
    "比特币": "BTC",
    "比特": "BTC",
    "大饼": "BTC",
    "二饼": "ETH",  # 大饼 is BTC, 二饼 ETH
    "饼": "BTC",
    "eth": "ETH",
    "ether": "ETH",
    "ethereum": "ETH",
    "ethers": "ETH",
    "以太坊": "ETH",
    "以太": "ETH",
    "姨太": "ETH",
    "以太币": "ETH",
    "sol": "SOL",
    "solana": "SOL",
    "索拉纳": "SOL",
    "索拉那": "SOL",
    "xrp": "XRP",
    "ripple": "XRP",
    "瑞波币": "XRP",
    "瑞波": "XRP",
    "doge": "DOGE",
    "dogecoin": "DOGE",
    "dogecoins": "DOGE",
    "狗狗币": "DOGE",
    "狗币": "DOGE",
    "狗狗": "DOGE",
    "狗子": "DOGE",
    "柴犬": "SHIB",  # the dog of the name, as 狗狗 is DOGE's
    "ada": "ADA",
    "cardano": "ADA",
    "艾达币": "ADA",
    "艾达": "ADA",
    "link": "LINK",
    "chainlink": "LINK",
    "avax": "AVAX",
    "avalanche": "AVAX",
    "雪崩": "AVAX",
    "ltc": "LTC",
    "litecoin": "LTC",
    "litecoins": "LTC",
    "莱特币": "LTC",
    "dot": "DOT",
    "polkadot": "DOT",
    "波卡": "DOT",
    "bnb": "BNB",
    "币安币": "BNB",
    "hsk": "HSK",
    # quote currencies
    "usdt": "USDT",
    "tether": "USDT",
    "泰达币": "USDT",
    "usdc": "USDC",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "buck": "USD",
    "bucks": "USD",
    "美元": "USD",
    "美金": "USD",
    "刀": "USD",
    "hkd": "HKD",
    "港币": "HKD",
    "港元": "HKD",
    "港纸": "HKD",
    "蚊": "HKD",
    "美刀": "USD",
    "镁": "USD",
    "鎂": "USD",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "欧元": "EUR",
}

_UNIVERSE, _UNIVERSE_CLASH = universe_aliases()
#: Every name of an asset or currency (English lower case, Chinese simplified or
#: traditional) → its code: the curated names above, then the asset universe's.
ASSET_ALIASES: dict[str, str] = {**_UNIVERSE, **_CURATED_ALIASES}
#: Universe names that are also ordinary words ("near", "one", "gas"): a coin only in
#: capitals or right after a number, "my", "of", a share or a trade verb.
CLASH_ALIASES: frozenset[str] = frozenset(a for a in _UNIVERSE_CLASH if a not in _CURATED_ALIASES)

#: Currency symbols written before or after a number.
CURRENCY_SYMBOLS: dict[str, str] = {"$": "USD", "us$": "USD", "hk$": "HKD", "€": "EUR"}

_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS = {day + suffix: day for day in _DAYS for suffix in ("", "s")}
_CJK_DAYS = dict(zip("一二三四五六日天", (*_DAYS, "sunday"), strict=True))

# English words of the grammar: word -> ((tag, payload), ...).
Entry = tuple[tuple[str, str], ...]


def _e(*pairs: str) -> Entry:
    """``_e("S")`` or ``_e("H", "100")``: build a lexicon entry from tag/payload pairs."""
    out: list[tuple[str, str]] = []
    for item in pairs:
        if len(item) == 1 or not out or out[-1][1]:
            out.append((item, ""))
        else:
            out[-1] = (out[-1][0], item)
    return tuple(out)


def _tags(tag: str, *words: str) -> dict[str, Entry]:
    return {w: ((tag, ""),) for w in words}


#: Relatives funds could be sent to: a transfer, unless a sentence only tells of them
#: (intent.rules: "my friend has some").
RELATIVES_SENT_TO = ("friend", "brother", "sister")

WORDS: dict[str, Entry] = {
    # Verb classes: acquire, dispose, exchange, spend, cancel.
    **_tags(
        "B",
        "buy",
        "buying",
        "buys",
        "bought",
        "purchase",
        "purchasing",
        "acquire",
        "punt",  # "punt 100 bucks on floki": a bet placed, never the coin PNUT
        "punting",
        "grab",
        "grabbing",
        "long-buy",
        "snag",
        "snagging",
        "scoop",
        "scooping",
        "cop",
        "accumulate",
        "stack",
        "ape",
        "aping",
        "yolo",
        "scale-in",
        "load",
        "chase",
        "nibble",  # "just nibble 0.01 btc for now"
        "byu",  # a typo kept by phones: "byu 500u of sol"
    ),
    # A bid is a limit buy, an offer a limit sell: both need their price.
    "bid": (("B", ""), ("L", "")),
    "offer": (("S", ""), ("L", "")),
    **_tags("g", "get", "gimme"),  # not "want"/"need": "I want 2 bitcoins" says no side
    "lift": (("B", ""),),
    "stacking": (("B", ""),),  # "stacking sats today: 0.02 btc"
    "throw": (("t", ""),),  # "throw 500 at SOL" (money put in), "throw 40 ton out"
    "evry": (("E", ""),),  # "buy 20u eth evry day"
    "b4": (("I", ""),),  # "not b4 it breaks out": before
    "market-buy": (("B", ""), ("M", "")),
    "market-sell": (("S", ""), ("M", "")),
    # a stop order's side: "Buy-stop 0.2 BTC at 71,400", "Sell-stop 3,000 ADA at 0.41"
    "breakout": ((">", ""),),  # "BTC breakout 70k即刻入0.05個": a break upwards, on either side
    **{w: (("B", ""), ("K", "")) for w in ("buy-stop", "stop-buy")},
    **{w: (("S", ""), ("K", "")) for w in ("sell-stop", "stop-sell")},
    "buy-stop-limit": (("B", ""), ("J", "")),  # "buy-stop-limit 0.1 BTC: trigger 72k, limit 72.3k"
    "sell-stop-limit": (("S", ""), ("J", "")),
    "trig": (("G", ""),),
    "loses": (("<", ""),),
    "lose": (("<", ""),),
    "option": (("!", "options"),),
    **_tags(
        "S",
        "sell",
        "selling",
        "sells",
        "sold",  # "I'd like HK$2,000 of Bitcoin sold each week"
        "sel",
        "dump",
        "dumping",
        "offload",
        "liquidate",
        "unload",
        "trim",
        "paper-hand",
        "exit",
        "flog",
        "puke",  # "puke 0.5 eth at market"
    ),
    **_tags(
        "C",
        "convert",
        "swap",
        "exchange",
        "converting",
        "swapping",
        "conver",
        "switch",
        "conv",  # "conv 200 doge for shib"
        "rotate",
        "flip",
        "turn",
        "change",
    ),
    **_tags("D", "spend", "put", "use", "invest", "dca", "deploy", "allocate"),
    **_tags("~", "kill", "scrap", "scratch", "pull", "remove", "delete", "undo", "nuke"),
    **_tags("t", "trade", "do"),
    **_tags("X", "cancel", "cancle", "cancl", "cncl", "revoke", "withdraw-order", "cxl", "canx"),
    "gtc": (),
    "reclaims": ((">", ""),),
    "reclaim": ((">", ""),),
    **_tags("M", "market"),
    **_tags("q", "last", "latest", "recent", "previous", "newest", "oldest", "earlier"),
    **_tags("o", "of"),
    **_tags("e", "worth"),
    # "with" names what is paid on a buy; on a swap ("swap ETH with SOL") it is ambiguous.
    "with": (("w", "with"),),
    "using": (("w", ""),),
    **_tags("f", "to", "into", "in", "on"),
    "for": (("f", "for"),),  # "trade X for Y" gives X; "I want X for my Y" gives Y
    **_tags("m", "my"),
    **_tags("a", "a", "an"),
    "at": (("@", "en"),),
    "lmt": (("L", ""),),
    "lim": (("L", ""),),  # "buy 10 sol stop 160 lim 162"
    "mkt": (("M", ""),),
    **_tags("L", "limit"),
    **_tags("K", "stop"),
    **_tags("J", "stop-limit", "stoplimit"),
    **_tags("G", "trigger", "triggered"),
    **_tags("R", "tp", "take-profit", "takeprofit"),
    **_tags("Z", "sl", "stop-loss", "stoploss"),
    **_tags("i", "if", "when", "once", "whenever"),
    **_tags("<", "drops", "drop", "dropped", "falls", "fall", "dips", "dip", "sinks", "crashes"),
    **_tags(">", "breaks", "break", "climbs", "climb", "rises", "rise", "exceeds", "pumps"),
    **_tags("=", "reaches", "reach", "reached", "hits", "hit", "touches", "touch"),
    **_tags("=", "crosses", "cross", "crossed"),
    **_tags("|", "or"),
    **_tags("d", "below", "under", "beneath"),
    **_tags("u", "above"),
    **_tags("O", "over", "within", "during", "across"),  # "a 50 ETH sale across 2 days"
    **_tags("E", "every", "each", "per", "apiece"),
    **_tags("x", "times", "orders-count"),
    **_tags("n", "next", "coming"),
    **_tags("p", "price", "prices", "quote", "trading"),
    **_tags(
        "l",
        "balance",
        "balances",
        "holdings",
        "portfolio",
        "positions",
        "position",
        "bal",
        "bags",
        "left",
        "available",
    ),
    **_tags("v", "have", "hold", "own", "got", "holding"),
    **_tags("r", "orders", "order", "ordr", "ordrs", "ords"),  # (typed short on a phone)
    # standing orders by what they are: a ladder, a TWAP, a recurring plan
    **_tags(
        "r", "ladder", "ladders", "twap", "twaps", "plan", "plans", "recurring", "offers", "bids"
    ),
    **_tags("r", "purchases"),
    **_tags("~", "yank", "nix", "discontinue", "axe", "terminate", "void", "annul", "retract"),
    **_tags("~", "rm", "clear"),
    **_tags(
        "W",
        "show",
        "what",
        "what's",
        "whats",
        "wats",  # "wats doge at": not SATS
        "check",
        "list",
        "display",
        "see",
        "view",
        "where's",
        "wheres",
    ),
    **_tags("p", "px", "jiage"),
    **{w: (("p", "cost"),) for w in ("cost", "costs")},  # what a trade would cost: a question
    "stop-market": (("K", ""),),
    "account": (("l", ""),),
    **_tags(
        "T",
        "tomorrow",
        "tmrw",
        "tmr",
        "tonight",
        "tonite",
        "2nite",
        "2moro",
        "tmw",
        "later",
        "morning",
        "evening",
        "afternoon",
        "noon",
        "midnight",
        "weekend",
        "hkt",
        "arvo",  # Australian: this afternoon
        # months: a date the order cannot wait for ("a December BTC call"); not "may", "march"
        "january",
        "february",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "apr",
        "jun",
        "jul",
        "aug",
        "sept",
        "oct",
        "nov",
        "dec",
    ),
    **{
        w: (("!", "options"),)
        for w in ("strike", "strikes", "expiry", "expiries", "expiring", "expiration")
    },
    **_tags("x", "chunks", "slices", "clips", "tranches", "pieces", "batches"),
    **_tags("I", "unless", "until", "till", "before", "after"),
    # Vague quantities: never turned into a number (and they block "my X" = all of it).
    **_tags(
        "V",
        "some",
        "few",
        "several",
        "part",
        "portion",
        "partial",
        "most",
        "bit",
        "little",
        "chunk",
        "fraction",
        "piece",
        "bunch",
        "lot",
        "lots",
        "more",
        "less",
        "rest",
        "remaining",
        "majority",
        "bulk",
        "small",
        "tiny",
        "large",
        "big",
        "amount",
    ),
    # what follows corrects what came before ("0.2 BTC, sorry 0.25"); a correction that
    # names no value it can replace is dropped (intent.rules.corrections._self_corrections)
    **_tags("#", "correction", "oops", "typo", "sorry", "actually"),
    # An exception to the amount: "sell everything except a moon bag", "all but 2 SOL" say
    # what is kept, never what is sold, so the amount is asked
    **{w: (("V", "except"),) for w in ("except", "excluding", "excl", "minus")},
    "profit-taking": (("R", ""),),
    "quarterly": (("E", ""), ("N", "3"), ("Y", "MO")),
    "quotation": (("p", ""),),
    "stp": (("K", ""),),
    **{
        abbr: (("j", day),)
        for abbr, day in (
            ("mon", "monday"),
            ("tue", "tuesday"),
            ("tues", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thursday"),
            ("thur", "thursday"),
            ("thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
        )
    },
    **_tags("S", "flatten", "maichu", "jual", "distribute"),  # jual: Malay, sell
    "cut": (("S", "rid"),),  # of a coin: a sale; "cut 咗我啲 SOL 單佢": of an order, a cancel
    **_tags(">", "rips", "tops", "brakes"),  # "if it tops 4k", "brakes" (breaks)
    "pending": (("r", ""),),  # "show my pending stuff": orders
    **_tags("B", "snipe"),
    **_tags("R", "target"),  # "stop 1.62, target 2.10": the take-profit
    **_tags("x", "parts"),  # "in 4 parts": orders
    **_tags("W", "status"),
    **_tags("C", "cnvrt", "cnvt"),
    **_tags("~", "abort"),  # "abort the BONK buy": of an order
    **{w: () for w in ("gm", "gn", "degens", "fam", "hw", "just", "sor")},  # not JUST (JST)
    "sry": (("#", ""),),  # "buy 0.2 eth sry 0.25"
    "jk": (("#", ""),),  # "grab 1k BONK... jk 1 mil BONK": just kidding, this
    "nah": (("#", ""),),  # "sell 0.05 btc, nah 0.04": the number meant
    **_tags("B", "mairu", "chaodi", "beli", "tapau"),  # beli: Malay, buy; tapau: take away
    "ditch": (("S", "rid"),),  # of a coin: a sale; "ditch my open wif order": a cancel
    **_tags("S", "jeet", "jeeted", "unwind"),  # slang: sell out early; unwind a position
    **_tags("=", "tags", "prints"),  # "when it tags 75,000", "if it prints 25"
    **_tags(">", "clears"),  # "if eth clears 4k"
    **_tags("<", "tanks", "flushes"),  # "if it tanks to 10 cents"
    # "sell my doge when it moons": a rise, its price then asked as a trigger above
    **_tags(">", "moons", "skyrockets", "rockets", "soars", "surges", "spikes"),
    **_tags("<", "dumps", "plunges", "plummets", "craters", "tumbles"),  # "when it dumps"
    "entry": (("@", "entry"),),  # "Bracket buy on SOL: entry 170": the price, no amount
    "auto-buy": (("B", ""),),
    "auto-sell": (("S", ""),),
    "initiate": (("B", ""),),  # "initiate a 300 APT position"
    "del": (("X", ""),),  # "del咗張PEPE單"
    **_tags("x", "fills", "rounds"),  # "every 4 hours, 6 fills"
    "limits": (("r", ""),),  # "rip up all my limits", "list my open limits": orders
    **_tags(
        "^",
        "don't",
        "dont",
        "don’t",
        "never",
        "not",
        "no",
        "nothing",
        "won't",
        "wont",
        "shan't",  # "I shan't accept less than that"
        "shan’t",
        "doesn't",
        "doesnt",
        "shouldn't",
        "didn't",
        "cannot",
        "can't",
    ),
    **{
        w: (("!", "advice"),)
        for w in (
            "shall",
            "recommend",
            "recommendation",
            "advice",
            "advise",
            "suggest",
            "suggestion",
            "predict",
            "prediction",
            "forecast",
            "opinion",
        )
    },
    # counted units after a number ("ADA 1000 qty", "LTC 2 pcs", "litecoin 3 nos")
    **_tags("c", "units", "unit", "pcs", "nos"),
    **{w: () for w in ("qty", "quantity")},  # "ADA 1000 qty", "qty 1.2": the number is it
    **_tags(
        "k",
        "crypto",
        "coin",
        "coins",
        "token",
        "tokens",
        "cryptocurrency",
        "memecoin",
        "memecoins",
        "meme",  # "that new meme coin", "meme币": a kind of coin, not the MEME token
        "altcoin",
        "altcoins",
        "shitcoin",
        "shitcoins",
        "stablecoin",
        "stablecoins",
    ),
    **_tags("y", "rmb", "cny", "yuan", "renminbi"),
    "half": (("H", "50"),),
    "quarter": (("H", "25"),),
    "all": (("H", "100"),),
    "everything": (("H", "100"),),
    "entire": (("H", "100"),),
    # Words that are no coin, whatever a ticker list says ("me" is Magic Eden's).
    **{w: () for w in ("me", "i", "it", "you", "we", "the", "is", "are", "this", "that", "so")},
    "percent": (("%", ""),),
    "pct": (("%", ""),),
    "daily": (("F", "D"),),
    "hourly": (("F", "H"),),
    "weekly": (("F", "W"),),
    "monthly": (("F", "MO"),),
    "biweekly": (("E", ""), ("N", "2"), ("Y", "W")),
    "fortnightly": (("E", ""), ("N", "2"), ("Y", "W")),
    "fortnight": (("N", "2"), ("Y", "W")),  # "each fortnight", "for a fortnight"
    "fortnights": (("N", "2"), ("Y", "W")),
    "twice": (("N", "2"), ("x", "")),
    **{word: (("j", day),) for word, day in _WEEKDAYS.items()},
    "minute": (("Y", "MIN"),),
    "minutes": (("Y", "MIN"),),
    "min": (("Y", "MIN"),),
    "mins": (("Y", "MIN"),),
    "hour": (("Y", "H"),),
    "hours": (("Y", "H"),),
    "hr": (("Y", "H"),),
    "hrs": (("Y", "H"),),
    "h": (("Y", "H"),),
    "day": (("Y", "D"),),
    "days": (("Y", "D"),),
    "d": (("Y", "D"),),
    "week": (("Y", "W"),),
    "weeks": (("Y", "W"),),
    "wk": (("Y", "W"),),
    "wks": (("Y", "W"),),
    "month": (("Y", "MO"),),
    "months": (("Y", "MO"),),
    "year": (("Y", "YR"),),
    "years": (("Y", "YR"),),
    # Things the assistant will not do.
    **{
        w: (("!", "withdrawal"),)
        for w in ("withdraw", "withdrawal", "withdrawals", "withdrawing", "withdrew")
    },
    **{
        w: (("!", "transfer"),)
        for w in (
            *("send", "sending", "sent", "transfer", "transferring", "wire", "pay", "tip"),
            *("bridge", "bridging", "bridged"),  # "bridge my eth over to arbitrum": a chain
        )
    },
    **{
        w: (("!", "leverage"),)
        for w in (
            "leverage",
            "leveraged",
            "margin",
            "futures",
            "future",
            "perp",
            "perps",
            "perpetual",
            "perpetuals",
            "short",
            "shorting",
            "shorts",
            "long",
            "longs",
            "liquidation",
        )
    },
    **{w: (("!", "staking"),) for w in ("stake", "staking", "unstake", "restake")},
    **{w: (("!", "lending"),) for w in ("lend", "lending", "borrow", "borrowing", "loan")},
    **{w: (("!", "deposit"),) for w in ("deposit", "deposits", "depositing")},
    # Where funds would go off the exchange: a transfer, whatever the verb.
    **{
        w: (("!", "transfer"),)
        for w in ("wallet", "ledger", "address", "bank", "hsbc", *RELATIVES_SENT_TO)
    },
    **{w: (("!", "advice"),) for w in ("tax", "taxes")},
    **{w: (("!", "options"),) for w in ("options", "puts", "calls")},
}

# Multi-word phrases, matched before single words (longest first).
#: Verbs whose "to" is that of a verb after them, never of a swap's coin received.
_TO_A_VERB = ("want", "wanna", "need", "like", "going", "plan", "wish", "hoping", "decided")
PHRASES: dict[tuple[str, ...], Entry] = {
    ("take", "profit"): (("R", ""),),
    # "take some profit on my PEPE, like 40%"; on "my BTC" alone, how much is asked
    ("take", "some", "profit"): (("R", ""), ("V", "")),
    ("take", "gains"): (("R", ""),),  # "300 bucks of link, cut it at 11, take gains at 18"
    ("what", "would"): (("W", ""),),  # "what would 1 eth sell for rn": a price asked
    ("take", "some", "profits"): (("R", ""), ("V", "")),
    # "sell like 1k of my doge maybe more": the amount still being decided
    **{
        (h, w): (("V", "unsure"),)
        for h in ("maybe", "perhaps", "possibly")
        for w in ("more", "less")
    },
    ("for", "some"): (("f", "for"),),  # "trade 100 LINK for some AVAX": the coin got
    ("take", "profits"): (("R", ""),),
    # "i'll take profits at 60": the take-profit, not "I'll take" (a buy)
    **{
        (*who, "take", w): (("R", ""),)
        for who in (("i'll",), ("ill",), ("i", "will"))
        for w in ("profit", "profits")
    },
    ("protective", "stop"): (("Z", ""),),  # "…at market, protective stop 0.228": a stop-loss
    # "I shall want them sold at 11.50 and protected at 7": a stop-loss at 7
    **{
        (w, *it, "at"): (("Z", ""),)
        for w in ("protect", "protected", "protection")
        for it in ((), ("it",), ("them",), ("me",))
    },
    ("take", "my", "profit"): (("R", ""),),
    ("take", "my", "profits"): (("R", ""),),
    ("take", "the", "profit"): (("R", ""),),
    ("profit", "target"): (("R", ""),),
    ("stop", "loss"): (("Z", ""),),
    ("stop", "limit"): (("J", ""),),
    ("stop", "price"): (("K", ""),),
    ("trigger", "price"): (("G", ""),),
    ("limit", "price"): (("L", ""),),
    ("open", "orders"): (("r", ""),),
    ("open", "order"): (("r", ""),),
    ("pending", "orders"): (("r", ""),),
    ("how", "much"): (("h", ""),),
    ("how", "many"): (("h", ""),),
    ("a", "quarter"): (("H", "25"),),
    ("a", "third"): (("H", "33.33333333333333333333333333"),),
    ("one", "third"): (("H", "33.33333333333333333333333333"),),
    ("two", "thirds"): (("H", "66.66666666666666666666666667"),),
    ("three", "quarters"): (("H", "75"),),
    ("a", "tenth"): (("H", "10"),),
    ("one", "quarter"): (("H", "25"),),
    ("one", "half"): (("H", "50"),),
    ("do", "not"): (("^", ""),),
    ("does", "not"): (("^", ""),),
    # Uncertainty is no negation: "not sure how much" leaves the amount to ask for.
    ("not", "sure"): (("V", "unsure"),),
    **{
        phrase: (("H", "100"), ("V", "except"))
        for phrase in (("all", "but"), ("everything", "but"), ("the", "lot", "but"))
    },
    **{phrase: (("V", "except"),) for phrase in (("apart", "from"), ("other", "than"))},
    ("other", "than", "that"): (),
    ("for", "later"): (),  # "keep the rest for later": what is held, not when to trade
    **{("cut", w): (("Z", ""),) for w in ("loss", "losses")},  # "buy 1000 doge, cut loss at 0.09"
    # "buy 10k doge, …, cut it at 0.1": the price it is cut at, a stop-loss
    **{("cut", w, "at"): (("Z", ""), ("@", "en")) for w in ("it", "them")},
    **{("cut", w, "on"): (("S", ""),) for w in ("loss", "losses")},  # "cut loss on my arb": sold
    # "actually scrap the condition, sell 40 DOT at market now": the condition dropped, no
    # order cancelled (what is left says what is wanted)
    **{
        (verb, "the", what): ()
        for verb in ("scrap", "drop", "remove", "forget", "skip", "ditch", "lose", "kill", "cancel")
        for what in ("condition", "trigger", "conditions")
    },
    # Something kept back: beside "all" it asks the amount ("dump it all, keep a moon bag")
    **{
        (verb, *rest): (("V", "keep"),)
        for verb in ("keep", "keeping", "leave", "leaving")
        for rest in (("a",), ("some",), ("just",), ("only",), ("a", "little"), ("a", "few"))
    },
    ("not", "quite", "sure"): (("V", "unsure"),),
    ("not", "too", "much", "trouble"): (),
    # Courtesy, not conditions: "if you would be so kind", "if that is convenient".
    **{
        tuple(phrase.split()): ()
        for phrase in (
            "if you would be so kind",
            "if you would",
            "if you could",
            "if you can",
            "if you don't mind",
            "if you do not mind",
            "if possible",
            "if that is possible",
            "if that's possible",
            "if that is convenient",
            "if convenient",
            "if that is ok",
            "if that's ok",
            "if that is okay",
            "if that's okay",
            "if that is alright",
            "if that's alright",
            "if that is all right",
            "if that is not too complicated",
            "if it is not too much trouble",
            "if it's not too much trouble",
            "no hurry",
            "no rush",
            "in no hurry",
            # "so I don't move the price": a reason for spreading an order, not a denial
            "don't move the price",
            "do not move the price",
            "doesn't move the price",
            "doesnt move the price",
            "does not move the price",
            "doesn't move the market",
            "does not move the market",
            "not move the price",
            "don't move the market",
            "do not move the market",
            "don't move the book",
            "dont move the book",
            "dont move the price",
            "dont wanna move the book",
            "don't wanna move the book",
        )
    },
    # The market price said with "at": "at the present market price", "at the going rate".
    **{
        tuple(phrase.split()): (("M", ""),)
        for phrase in (
            "at the current price",
            "at current price",
            "at the present price",
            "at the current market price",
            "at the present market price",
            "at current market price",
            "at whatever the going price is",
            "at the going price",
            "at the going rate",
            "at today's price",
            "at todays price",
            "at today's rate",
            "at whatever price",
            "at whatever the price is",
        )
    },
    # A correction inside the message: what follows replaces what it names (intent.rules)
    ("in", "all"): (),
    ("hong", "kong", "dollar"): (("Q", "HKD"),),
    # "paying … out of my USDT balance", "rotate out of my ETH into SOL": what is paid with
    ("out", "of", "my"): (("w", ""), ("m", "")),
    # a limit said again, or a term that changes nothing: "at 180, and no higher"
    ("no", "higher"): (("L", "post"),),
    ("no", "lower"): (("L", "post"),),
    ("and", "not", "otherwise"): (),
    ("not", "otherwise"): (),
    ("nothing", "further"): (),
    ("subject", "to", "nothing", "further"): (),
    ("not", "on", "margin"): (),  # spot, "and not on margin"
    ("no", "take-profit"): (("V", "no-profit"),),
    ("no", "stop"): (("V", "no-stop"),),
    ("until", "filled", "or", "cancelled"): (),
    ("at", "the", "prevailing", "market", "price"): (("M", ""),),
    ("no", "cap"): (),  # slang: "for real"
    ("buying", "the", "dip"): (("B", ""),),
    ("buy", "the", "dip"): (("B", ""),),
    ("before", "it", "rips"): (),  # a reason to buy now, no condition
    # The order itself is what comes after: "check the amount before placing it". Every order
    # waits for the customer's confirmation, so these say nothing of when it goes.
    **{
        ("before", *words): ()
        for words in (
            ("placing",),
            ("sending",),
            ("submitting",),
            ("proceeding",),
            ("executing",),
            ("going", "ahead"),
            ("you", "place"),
            ("you", "send"),
            ("you", "submit"),
            ("you", "proceed"),
            ("you", "execute"),
            ("you", "go", "ahead"),
            ("anything", "is", "done"),
            ("doing", "anything"),
            ("anything", "happens"),
            ("it", "goes", "through"),
            ("it", "is", "placed"),
            ("it", "is", "sent"),
        )
    },
    ("before", "it", "pumps"): (),
    ("before", "it", "moons"): (),
    ("on", "the", "way", "down"): (("d", ""),),
    ("on", "the", "way", "up"): (("u", ""),),
    ("ladder", "out", "of"): (("S", ""),),
    ("ladder", "out"): (("S", ""),),
    ("my", "ask"): (("m", ""), ("r", "")),  # "take down my ask on ARB": an order
    ("my", "asks"): (("m", ""), ("r", "")),
    ("bag", "size"): (("l", ""),),  # "avax bag size?"
    ("bag", "me"): (("B", ""),),  # "bag me 30 LINK" (a bag alone is a holding)
    ("going", "for"): (("p", ""),),  # "what's bonk going for": its price
    ("where", "is"): (("p", ""),),  # "Where is ETH right now?": its price ("… my order": orders)
    ("to", "be", "clear"): (),  # "To be clear: 165, not 156."
    # "if" that asks the customer's own question or is polite, no condition on a price:
    # "if that's how it's spelled", "if you please", "if I may"
    **{("if", w): () for w in ("you", "that's", "ok", "okay", "yes", "so")},
    ("if", "that", "is"): (),
    **{("once", "a", u): (("F", c),) for u, c in (("day", "D"), ("week", "W"), ("month", "MO"))},
    ("at", "whatever"): (("M", ""),),  # "at whatever the current price is"
    ("per", "cent"): (("%", ""),),  # "10 per cent of my Bitcoin"
    ("to", "the", "downside"): (("d", ""),),  # "if it breaks 5.80 to the downside"
    ("to", "the", "upside"): (("u", ""),),
    ("take", "it", "off"): (("~", ""),),
    ("rip", "up"): (
        ("~", ""),
    ),  # "rip up all my limits"  # "The Dogecoin order: please take it off"
    ("i'd", "like"): (("g", "like"),),  # "I'd like 10 bucks of sui": a request to get it
    ("i", "would", "like"): (("g", "like"),),
    ("can", "i", "have"): (("g", ""),),
    **{("paper", w): (("S", ""),) for w in ("hand", "hands", "handing")},
    ("my", "bag"): (("m", ""), ("l", "")),
    ("my", "bags"): (("m", ""), ("l", "")),
    ("bag", "worth"): (("l", ""),),
    ("my", "remaining"): (("m", ""),),  # "get rid of my remaining DOGE": all of it
    ("take", "down", "my"): (("~", ""), ("m", "")),
    ("take", "down", "my", "ask"): (("~", ""), ("m", ""), ("r", "")),
    ("at", "the", "prevailing", "price"): (("M", ""),),
    ("at", "the", "prevailing", "rate"): (("M", ""),),
    ("at", "whatever", "the", "market", "will", "bear"): (("M", ""),),
    ("show", "my", "bag"): (("l", ""),),
    ("for", "sale"): (("S", ""),),  # "put up 5,000 DOGE for sale at 0.16"
    ("put", "up"): (),
    ("call", "it", "a", "day"): (),  # "buy 2 eth and call it a day": no daily schedule
    ("until", "further", "notice"): (),  # no end: a count is asked by the planner
    ("till", "further", "notice"): (),
    ("until", "i", "say", "stop"): (),
    ("till", "i", "say", "stop"): (),
    ("until", "i", "tell", "you", "otherwise"): (),
    # placing an order of no side yet: "please arrange an order for me", "幫我下單"
    ("place", "an", "order"): (("t", ""),),
    ("a", "trade", "for"): (("t", ""),),  # "place a trade for HK$3,000 of SOL": which side?
    ("arrange", "an", "order"): (("t", ""),),
    ("put", "in", "an", "order"): (("t", ""),),
    ("make", "an", "order"): (("t", ""),),
    # A ceiling or floor said as a negation is a limit word: "no more than USD 180".
    ("or", "less"): (("L", "post"),),  # "at 58,000 or less": the price before it
    ("or", "higher"): (("L", "post"),),
    ("or", "cheaper"): (("L", "post"),),
    ("at", "or", "below"): (("@", "buy"),),
    ("at", "or", "above"): (("@", "sell"),),
    ("no", "more", "than"): (("@", "buy"),),
    ("not", "more", "than"): (("@", "buy"),),
    ("no", "less", "than"): (("@", "sell"),),
    ("not", "less", "than"): (("@", "sell"),),
    ("not", "exceeding"): (("@", "buy"),),
    ("at", "no", "more", "than"): (("@", "buy"),),
    ("at", "no", "less", "than"): (("@", "sell"),),
    ("nothing", "above"): (("@", "buy"),),
    ("nothing", "below"): (("@", "sell"),),
    # A cadence said without "every": "500 XRP a day", "every fortnight", "quarterly".
    ("for", "a", "day"): (("f", "for"), ("a", ""), ("Y", "D")),  # a length, no cadence
    ("for", "a", "week"): (("f", "for"), ("a", ""), ("Y", "W")),
    ("for", "a", "month"): (("f", "for"), ("a", ""), ("Y", "MO")),
    ("a", "day"): (("F", "D"),),
    ("per", "day"): (("F", "D"),),
    ("a", "week"): (("F", "W"),),
    ("per", "week"): (("F", "W"),),
    ("a", "month"): (("F", "MO"),),
    ("per", "month"): (("F", "MO"),),
    ("every", "fortnight"): (("E", ""), ("N", "2"), ("Y", "W")),
    ("once", "a", "fortnight"): (("E", ""), ("N", "2"), ("Y", "W")),
    ("and", "then", "stop"): (),  # "every 30 minutes…, 6 times, and then stop": the count ends it
    ("then", "stop"): (),
    ("and", "then", "stop", "loss"): (("Z", ""),),  # "buy 0.02 btc, and then stop loss at 55k"
    ("then", "stop", "loss"): (("Z", ""),),
    # "Please spread the sale of all my Dogecoin", "split my sale of 1 Bitcoin": a sale
    ("sale", "of"): (("S", ""), ("o", "")),
    # "…, and at 500 if it goes against me": the exit on the way down, a stop-loss
    **{
        ("if", "it", verb, *rest): (("Z", ""),)
        for verb in ("goes", "turns", "moves", "runs")
        for rest in (("against", "me"), ("against", "us"), ("the", "wrong", "way"), ("south",))
    },
    # reasons, not denials: "so I don't lose too much", "without leverage"
    ("so", "i", "don't", "lose", "too", "much"): (),
    ("so", "that", "i", "do", "not", "lose", "too", "much"): (),
    ("so", "i", "do", "not", "lose", "too", "much"): (),
    ("no", "leverage"): (),
    ("no", "lev"): (),  # "go long spot 0.1 btc, no lev": spot, said again
    ("without", "leverage"): (),
    ("i", "no", "longer", "have", "confidence", "in", "it"): (),
    ("i", "do", "not", "wish", "to", "hold"): (),
    ("i", "would", "rather", "not", "hold"): (),
    ("i", "don't", "want", "to", "hold"): (),
    # "Kindly advise the current price": tell me, not advice
    ("advise", "the"): (("W", ""),),
    ("advise", "how"): (("W", ""), ("h", "")),
    ("advise", "my"): (("W", ""), ("m", "")),
    ("profit", "taking"): (("R", ""),),
    # placing a stop is no purchase: "put stop at 2500 for my 0.05 eth"
    ("put", "stop"): (("K", ""),),
    ("put", "a", "limit", "order"): (("L", ""), ("r", "")),  # placed: no side of its own
    ("put", "a", "limit"): (("L", ""),),
    ("put", "an", "order"): (("r", ""),),
    ("every", "one", "of", "them"): (("H", "100"),),  # "my SHIB tokens, every one of them"
    ("paying", "in"): (("w", ""),),  # "want 1 eth, paying in usdc"
    ("put", "a", "stop"): (("K", ""),),
    # "Put a stop on my AVAX at 24": a stop-loss on a holding, as "set a stop loss on"
    **{
        (v, "a", "stop", "on", "my"): (("Z", ""), ("f", ""), ("m", ""))
        for v in ("put", "set", "place")
    },
    ("stop", "orders"): (("r", ""),),  # "list my open stop orders": orders of a kind
    ("stop", "order"): (("r", ""),),
    ("buy", "stop", "order"): (("B", ""), ("K", ""), ("r", "")),  # "a buy stop order at 72k"
    ("sell", "stop", "order"): (("S", ""), ("K", ""), ("r", "")),
    ("place", "a", "stop"): (("K", ""),),
    ("set", "a", "stop"): (("K", ""),),
    ("put", "stop", "loss"): (("Z", ""),),
    ("put", "a", "stop", "loss"): (("Z", ""),),
    ("place", "a", "stop", "loss"): (("Z", ""),),
    ("set", "a", "stop", "loss"): (("Z", ""),),
    ("put", "a", "stop-loss"): (("Z", ""),),
    ("set", "a", "stop-loss"): (("Z", ""),),
    ("i'll", "take"): (("B", ""),),
    ("i", "will", "take"): (("B", ""),),
    ("pick", "me", "up"): (("B", ""),),
    ("hit", "the", "ask"): (("B", ""),),
    ("hit", "the", "offer"): (("B", ""),),
    ("close", "out"): (("S", ""),),
    ("want", "in", "on"): (("B", ""),),
    # the "to" of a verb that follows ("i want to keep my btc, sell 4 eth"): no "to" of what a
    # swap receives; "I want to try solanna, 15 bucks worth": some bought
    **{(w, "to"): () for w in _TO_A_VERB},
    **{(w, "to", "try"): (("B", ""),) for w in _TO_A_VERB},
    ("mai", "ru"): (("B", ""),),  # pinyin typed for 买入 / 卖出
    ("mai", "chu"): (("S", ""),),
    ("bid", "ask"): (("p", ""),),
    ("bid", "and", "ask"): (("p", ""),),
    ("bid", "offer"): (("p", ""),),
    ("how", "expensive"): (("p", ""),),
    ("bag", "check"): (("l", ""),),
    ("what", "am", "i", "holding"): (("l", ""),),
    ("what", "do", "i", "hold"): (("l", ""),),
    ("what", "do", "i", "own"): (("l", ""),),  # "six times in all": in total, not all of a holding
    ("no", "wait"): (("#", ""),),
    ("wait", "no"): (("#", ""),),  # "grab 0.1 eth wait no btc"
    ("oh", "wait"): (("#", ""),),
    ("scratch", "that"): (("#", ""),),
    ("i", "mean"): (("#", ""),),
    ("i", "meant"): (("#", ""),),
    ("make", "that"): (("#", ""),),
    ("make", "it"): (("#", ""),),
    ("no", "make", "it"): (("#", ""),),
    ("no", "make", "that"): (("#", ""),),
    ("never", "mind"): (),
    # "No stop loss for now": no exit. Beside a stop it contradicts, the reading asks.
    ("no", "stop", "loss"): (("V", "no-stop"),),
    # "don't touch the btc": keep it (a denial of the coin, not a level it touches)
    # "buy 1 ETH but wait for a better entry": a price nobody named, asked for
    ("wait", "for", "a", "better", "entry"): (("I", ""),),
    ("wait", "for", "a", "better", "price"): (("I", ""),),
    ("wait", "for", "a", "dip"): (("I", ""),),
    ("wait", "for", "a", "pullback"): (("I", ""),),
    ("no", "reason", "not", "to"): (),  # "I can see no reason not to go ahead, so please…"
    ("me", "out", "of"): (("S", ""),),  # "TWAP me out of 150 SOL"
    ("scale", "out", "of"): (("S", ""),),
    ("scale", "out"): (("S", ""),),
    ("put", "up", "an", "ask"): (("S", ""), ("L", "")),  # "put up an ask for 1 eth @ 4k"
    ("put", "an", "ask", "up"): (("S", ""), ("L", "")),  # "put an ask up for 2 eth at 4.2k"
    **{(v, "an", "ask"): (("S", ""), ("L", "")) for v in ("put", "place", "set", "post")},
    ("put", "up", "a", "bid"): (("B", ""), ("L", "")),
    ("it's", "over"): (),  # "dump all my pepe, it's over"
    ("send", "it", "on"): (("B", ""), ("f", "")),  # slang: "send it on SOL"
    ("go", "big", "on"): (("B", ""), ("f", "")),
    ("get", "me", "some"): (("g", ""), ("V", "")),
    ("just", "in", "case"): (),
    ("i", "shall"): (),  # "I shall pay with HK dollars": a statement ("shall I…?" asks advice)
    ("i", "have", "thought", "it", "over"): (),
    ("i", "am", "quite", "sure"): (),
    ("not", "the", "other", "way", "around"): (),
    ("i", "do", "not", "watch", "the", "screen"): (),
    ("do", "not", "buy", "more", "than", "that"): (),
    ("until", "i", "tell", "you", "to", "stop"): (),
    ("pay", "in"): (("w", ""),),
    ("not", "what", "they", "used", "to", "be"): (),  # "My eyes are not what they used to be."
    ("at", "my", "age"): (),
    ("don't", "want", "to", "chase"): (),  # "- don't want to chase it down": a reason
    ("buy", "side"): (("B", ""),),
    ("sell", "side"): (("S", ""),),
    ("what", "would", "i", "receive"): (("h", ""),),  # what a sale would bring: its price
    ("what", "would", "i", "get"): (("h", ""),),
    # Reassurances that change nothing (a careful customer's): "I am in no particular hurry",
    # "If it is not filled, that is quite all right", "rather than all at once"
    ("in", "no", "particular", "hurry"): (),
    ("if", "it", "is", "not", "filled"): (),
    ("if", "it", "isn't", "filled"): (),
    ("i", "have", "checked", "the", "amount", "twice"): (),
    ("as", "i", "do", "not", "like", "to", "chase", "the", "price"): (),
    ("i", "do", "not", "like", "to", "chase", "the", "price"): (),
    ("not", "a", "cent", "more"): (("L", "post"),),
    ("i", "no", "longer", "wish", "to", "hold", "it"): (),
    ("i", "dont", "want", "to", "lose", "more"): (),
    ("i", "don't", "want", "to", "lose", "more"): (),
    # "… and I no longer wish to keep it": the reason for a sale, no denial of it
    ("no", "longer", "wish", "to", "keep"): (),
    ("no", "longer", "want", "to", "keep"): (),
    ("pay", "me", "in"): (("f", ""),),  # "sell 2 ETH and pay me in USDC": what it is sold for
    ("cannot", "decide"): (("V", "unsure"),),
    ("can't", "decide"): (("V", "unsure"),),
    # "so as not to disturb the price": a reason for spreading an order, no denial
    ("so", "as", "not", "to", "disturb", "the", "price"): (),
    ("not", "to", "disturb", "the", "price"): (),
    ("so", "as", "not", "to", "move", "the", "price"): (),
    ("don't", "touch"): (("^", ""),),
    ("dont", "touch"): (("^", ""),),
    ("do", "not", "touch"): (("^", ""),),
    ("what", "have", "i", "got"): (("l", ""),),
    ("in", "my", "wallet"): (("l", ""),),
    ("no", "stop-loss"): (("V", "no-stop"),),
    ("no", "take", "profit"): (("V", "no-profit"),),
    ("no", "sl"): (("V", "no-stop"),),
    ("no", "tp"): (("V", "no-profit"),),
    # "Market-buy 3.75 ETH, no TP/SL.": neither exit wanted
    **{
        ("no", tp, joint, sl): (("V", "no-profit"), ("V", "no-stop"))
        for tp in ("tp", "take-profit")
        for joint in ("or", "and", "nor")
        for sl in ("sl", "stop-loss")
    },
    ("no", "tp", "sl"): (("V", "no-profit"), ("V", "no-stop")),
    ("no", "idea"): (("V", "unsure"),),
    # "buy 0.5 ETH and stop it out at 2,900": its stop-loss; "stop out of SOL": a sale
    ("stop", "it", "out"): (("Z", ""),),
    ("stop", "me", "out"): (("Z", ""),),
    ("stopped", "out"): (("Z", ""),),
    ("stop", "out", "at"): (("Z", ""),),
    ("stop", "out"): (("S", ""), ("K", "")),  # "stop out 10 avax at 32": a stop sell
    ("stop", "out", "of"): (("S", ""),),
    ("over", "to"): (("f", ""),),
    ("over", "into"): (("f", ""),),
    ("nevermind",): (),
    ("drop", "my"): (("~", ""),),
    ("still", "open"): (("r", ""),),
    ("drop", "the"): (("~", ""),),
    ("drop", "that"): (("~", ""),),  # "drop that wif order"
    **{("bin", w): (("~", ""),) for w in ("the", "my", "that")},  # "bin the bonk order"
    ("drop", "all"): (("~", ""),),
    ("full", "bag"): (("H", "100"),),
    ("the", "lot"): (("H", "100"),),
    ("get", "me", "out"): (("S", ""),),
    ("runs", "to"): ((">", ""),),
    ("runs", "up", "to"): ((">", ""),),
    ("to", "my", "bag"): (("B", ""),),
    ("to", "my", "bags"): (("B", ""),),
    ("to", "my", "position"): (("B", ""),),
    ("whole", "bag"): (("H", "100"),),
    ("all", "in", "on"): (("B", ""), ("H", "100")),
    ("all", "in"): (("B", ""), ("H", "100")),
    ("go", "all", "in", "on"): (("B", ""), ("H", "100")),
    ("going", "all", "in", "on"): (("B", ""), ("H", "100")),
    ("no", "worse", "than"): (("@", ""),),
    ("or", "better"): (("L", "post"),),
    ("or", "lower"): (("L", "post"),),
    ("pick", "up"): (("B", ""),),
    ("picking", "up"): (("B", ""),),
    ("load", "up"): (("B", ""),),
    ("load", "up", "on"): (("B", ""),),
    ("loading", "up", "on"): (("B", ""),),
    ("scoop", "up"): (("B", ""),),
    ("part", "with"): (("S", ""),),  # "Please part with 0.5 of my Bitcoin Cash"
    # "Every Monday buy 0.05 BTC, but only while it's under 65k": a condition on each buy
    **{
        ("while", *it, bound): (("i", ""), ("d" if bound in ("under", "below") else "u", ""))
        for it in (("it's",), ("its",), ("it", "is"), ("it’s",))
        for bound in ("under", "below", "above", "over")
    },
    # "Buy 3 ETH limit 3,075 and once filled put a stop at 2,950": after the entry, an exit
    **{
        tuple(phrase.split()): ()
        for phrase in (
            "once filled",
            "when filled",
            "once it fills",
            "once it is filled",
            "once it's filled",
            "once it has filled",
            "after it fills",
            "after it is filled",
            "after fill",
        )
    },
    ("long", "spot"): (("B", ""),),
    ("go", "long", "spot"): (("B", ""),),
    ("size", "up", "on"): (("B", ""),),
    ("size", "into"): (("B", ""),),
    ("scale", "into"): (("B", ""),),
    ("top", "up"): (("B", ""),),
    ("buy", "in"): (("B", ""),),
    ("buy", "back"): (("B", ""),),
    ("get", "rid", "of"): (("S", "rid"),),  # of a coin: a sale; of an order: a cancel
    ("get", "out", "of"): (("C", ""),),
    ("out", "of"): (("C", ""),),  # "I want out of SOL and into ETH": SOL is given
    ("hit", "the", "bid"): (("S", ""),),
    ("hit", "the", "bid", "on"): (("S", ""),),
    ("lift", "the", "offer"): (("B", ""),),
    ("dca", "out", "of"): (("S", ""),),
    ("dca", "out"): (("S", ""),),
    ("twap", "out", "of"): (("S", ""),),
    ("twap", "out"): (("S", ""),),
    ("below", "market"): (("M", ""), ("d", "")),
    ("above", "market"): (("M", ""), ("u", "")),
    ("under", "market"): (("M", ""), ("d", "")),
    ("cash", "out"): (("S", ""),),
    ("cash", "out", "of"): (("S", ""),),
    ("cashing", "out"): (("S", ""),),
    ("cashing", "out", "of"): (("S", ""),),
    ("let", "go", "of"): (("S", ""),),
    ("bleed", "out"): (("S", ""),),
    ("bleed", "out", "of"): (("S", ""),),
    ("off", "the", "table"): (("S", ""),),  # "take some off the table: 0.2 btc"
    **{(v, w, "on"): (("S", ""),) for v in ("realise", "realize") for w in ("gains", "profits")},
    ("fill", "my", "bags", "with"): (("B", ""),),
    ("fill", "my", "bags", "w"): (("B", ""),),
    ("fill", "my", "bag", "with"): (("B", ""),),
    ("fill", "me", "up", "on"): (("B", ""),),
    ("adding", "to"): (("B", ""),),
    ("going", "in", "on"): (("B", ""),),
    ("go", "in", "on"): (("B", ""),),
    ("sell", "off"): (("S", ""),),
    ("lighten", "up", "on"): (("S", ""),),
    ("dispose", "of"): (("S", ""),),
    ("bail", "on"): (("S", ""),),
    # "…, get out if it drops to 2800": leaving what was bought
    ("get", "out"): (("S", ""),),
    # "ape 300 bucks into doge, bail if it drops to 0.3": leaving it, on the way down
    ("bail", "if"): (("S", "bail"), ("i", "")),
    ("bail", "out", "of"): (("S", ""),),
    ("clear", "out"): (("S", "rid"),),  # of a coin a sale; "clear out every pending order"
    ("move", "into"): (("C", ""), ("f", "")),
    ("move", "out", "of"): (("C", ""),),
    ("trade", "into"): (("C", ""), ("f", "")),
    ("take", "down"): (("~", ""),),
    ("take", "it", "down"): (("~", ""),),
    ("take", "back"): (("~", ""),),
    ("call", "off"): (("~", ""),),
    ("call", "it", "off"): (("~", ""),),  # "would you call it off, please?"
    ("attach", "a", "stop"): (("Z", ""),),  # an exit attached to the order: its stop-loss
    ("over", "the", "course", "of"): (("O", ""),),  # "over the course of the next day"
    **{("every", w, "one"): (("H", "100"),) for w in ("last", "single")},  # all of them
    ("every", "other"): (("E", ""), ("N", "2")),
    ("every", "alternate"): (("E", ""), ("N", "2")),
    ("on", "alternate"): (("E", ""), ("N", "2")),
    ("every", "second"): (("E", ""), ("N", "2")),
    ("until", "i", "stop"): (),
    **{("until", "i", v, "it", "off"): () for v in ("switch", "turn")},  # "until I switch it off"
    # ("until i say stop", "till i say stop", "until i tell you to stop" are above)
    **{(u, "i", "ask", "you", "to", "stop"): () for u in ("until", "till", "til")},
    ("till", "i", "tell", "you", "to", "stop"): (),
    ("til", "i", "tell", "you", "to", "stop"): (),
    ("til", "i", "say", "stop"): (),
    ("keep", "it", "running"): (),
    ("my", "whole"): (("m", ""), ("H", "100")),  # "sell my whole ltc stack"
    ("the", "whole", "bag"): (("H", "100"),),
    ("my", "bags", "of"): (("m", ""), ("H", "100")),  # "dump my bags of PEPE": all of it
    ("my", "bag", "of"): (("m", ""), ("H", "100")),
    ("stack", "worth"): (("l", ""),),  # "what's my PEPE stack worth": the holding's value
    ("left", "to", "ape", "with"): (),  # "how many usdt do i have left to ape with"
    ("fill", "me"): (("B", ""),),  # "Fill me 50m PEPE at market"
    ("stack", "at"): (("l", ""),),  # "whats my eth stack at": the holding
    ("dont", "wanna", "nuke", "the", "book"): (),
    ("don't", "wanna", "nuke", "the", "book"): (),
    ("over", "a", "day"): (("O", ""), ("N", "1"), ("Y", "D")),
    ("not", "before", "it", "breaks", "out"): (("I", ""),),  # a breakout nobody priced
    ("trading", "at"): (("p", ""),),
    ("do", "you", "think"): (("!", "advice"),),  # "Do you think Bitcoin will go up?"
    ("i", "dont", "really", "want", "it", "anymore"): (),
    ("i", "don't", "really", "want", "it", "anymore"): (),
    ("on", "the", "hour"): (),  # "every hour, on the hour"
    ("until", "i", "cancel"): (),
    ("until", "cancelled"): (),
    ("until", "canceled"): (),
    ("good", "till", "cancelled"): (),
    ("good", "til", "cancelled"): (),
    ("right", "now"): (),
    ("at", "market"): (("M", ""),),
    ("no", "limit"): (("M", ""),),  # "0.1 btc at market, no limit": not a limit order
    ("still", "working"): (("r", ""),),  # "Anything still working on SOL?": an open order
    # a breakout nobody priced: a stop whose price is asked
    **{
        w: (("K", ""),)
        for w in (("on", "the", "breakout"), ("on", "a", "breakout"), ("the", "breakout"))
    },  # ("Buy the breakout on NEAR, 400 NEAR")
    ("cap", "it", "at"): (("@", ""),),  # "cap it at 12 buys" (a count), "at 3000" (a price)
    # "I should like all my pending orders cancelled"
    **{
        (*o, c): (("r", ""), ("X", ""))
        for o in (("order",), ("orders",), ("pending", "orders"), ("open", "orders"))
        for c in ("cancelled", "canceled")
    },
    ("stop", "losses"): (("Z", ""),),
    **{w: (("H", "100"),) for w in (("the", "whole", "lot"), ("whole", "lot"))},
    ("full", "port"): (("H", "100"),),  # "full port my USDC into ETH": all of it
    ("secure", "the", "bag"): (("S", ""),),  # take the profit: sell
    ("secure", "the", "bag", "on"): (("S", ""),),
    ("still", "running"): (("r", ""),),  # "Is my ETH DCA still running?"
    ("either", "way"): (),
    ("all", "the", "same"): (),  # "thank you all the same": nevertheless (no "all")
    ("at", "the", "market"): (("M", ""),),
    ("at", "the", "market", "price"): (("M", ""),),
    ("at", "market", "price"): (("M", ""),),
    ("each", "time"): (),
    ("every", "time"): (),
    ("per", "order"): (),
    ("each", "order"): (),
    ("quick", "one"): (),  # "hi there, quick one: sell my ada": a request, no amount of one
    ("good", "morning"): (),
    ("good", "afternoon"): (),
    ("good", "evening"): (),
    ("good", "night"): (),
    ("in", "total"): (),
    ("a", "ton", "of"): (("V", ""),),
    ("tons", "of"): (("V", ""),),
    # "what are the fees to buy 50 HSK?": what a trade would cost, asked
    **{
        (w, p): (("p", "cost"),) for w in ("fee", "fees", "commission") for p in ("to", "for", "on")
    },
    ("is", "it", "worth"): (("!", "advice"),),
    ("should", "i"): (("!", "advice"),),
    ("should", "we"): (("!", "advice"),),
    ("is", "it", "good"): (("!", "advice"),),
    ("is", "it", "a", "good"): (("!", "advice"),),
    ("good", "idea"): (("!", "advice"),),
    ("if", "you", "were", "me"): (("!", "advice"),),  # "would you sell 1 eth if you were me?"
    ("what", "if", "i"): (("!", "advice"),),  # "what if i buy 1 eth when it breaks 4000"
    ("what", "if", "we"): (("!", "advice"),),
    # "what would happen if i sell 2 eth if it breaks below 2.9k?": a what-if, asked
    ("what", "would", "happen"): (("!", "advice"),),
    ("what", "will", "happen"): (("!", "advice"),),
    ("what", "happens", "if"): (("!", "advice"),),
    ("what", "happens", "when"): (("!", "advice"),),
    ("whether", "to"): (("!", "advice"),),  # "i'm not sure whether to sell 1 eth": undecided
    ("explain", "how"): (("!", "how_to"),),  # "can you explain how to buy 1 btc": how, asked
    ("explain", "to", "me", "how"): (("!", "how_to"),),
    ("remind", "me", "to"): (("!", "timing"),),  # "remind me to buy 1 eth": a reminder
    # "Would it be sensible for me to sell my Solana now?": asked, not told
    **{
        ("would", "it", "be", w): (("!", "advice"),)
        for w in ("sensible", "wise", "smart", "better", "prudent")
    },
    **{("is", "it", w): (("!", "advice"),) for w in ("sensible", "wise", "smart", "prudent")},
    ("good", "time"): (("!", "advice"),),
    ("bad", "idea"): (("!", "advice"),),
    ("pay", "with"): (("w", ""),),
    ("pay", "more", "than"): (("@", "buy"),),
    ("pay", "a", "cent", "more", "than"): (("@", "buy"),),  # "do not pay a cent more than that"
    ("pay", "no", "more", "than"): (("@", "buy"),),
    ("paying", "with"): (("w", ""),),
    ("pay", "for", "it", "with"): (("w", ""),),
    ("add", "to"): (("B", ""),),
    ("put", "in"): (),
    ("up", "to"): (("V", ""),),
    ("down", "to"): (("<", ""),),
    ("trades", "down", "to"): (("<", ""),),
    ("trades", "below"): (("<", ""),),
    ("trades", "above"): ((">", ""),),
    ("good", "investment"): (("!", "advice"),),
    ("goes", "up"): ((">", ""),),
    # "sell my doge when it gets high": a rise, its price asked as a trigger above
    **{(v, w): ((">", ""),) for v in ("gets", "goes") for w in ("high", "higher")},
    **{(v, w): (("<", ""),) for v in ("gets", "goes") for w in ("low", "lower")},
    ("go", "up"): ((">", ""),),
    ("goes", "down"): (("<", ""),),
    ("go", "down"): (("<", ""),),
    ("trade", "for"): (("C", ""), ("f", "")),
    ("a", "half"): (("H", "50"),),
    ("a", "bit"): (("V", ""),),
    ("a", "little"): (("V", ""),),
    ("a", "lil"): (("V", ""),),  # "buy a lil doge": some, never one
    ("a", "smidge"): (("V", ""),),
    ("a", "few"): (("V", ""),),
    ("a", "couple"): (("V", ""),),
    ("less", "than"): (("d", ""),),
    ("lower", "than"): (("d", ""),),
    ("more", "than"): (("u", ""),),
    ("higher", "than"): (("u", ""),),
    ("greater", "than"): (("u", ""),),
    ("gets", "to"): (("=", ""),),
    ("goes", "to"): (("=", ""),),
    ("comes", "to"): (("=", ""),),
    ("goes", "over"): (("u", ""),),
    ("go", "over"): (("u", ""),),
    ("gets", "over"): (("u", ""),),
    ("us", "dollars"): (("Q", "USD"),),
    ("hk", "dollars"): (("Q", "HKD"),),
    ("hong", "kong", "dollars"): (("Q", "HKD"),),
    ("send", "me"): (),
    # "long"/"short" only mean leverage as trading words.
    ("how", "long"): (),
    ("so", "long"): (),
    ("as", "long"): (),
    ("too", "long"): (),
    ("for", "long"): (),
    ("long", "term"): (),
    ("short", "term"): (),
    ("in", "short"): (),
    ("short", "while"): (),
}
# Coin names of several words ("bitcoin cash", "shiba inu") are phrases too.
for _alias, _code in ASSET_ALIASES.items():
    _words = tuple(_alias.split())
    if len(_words) > 1 and all(w.isalpha() for w in _words):
        PHRASES.setdefault(_words, (("Q" if _code in QUOTE_CURRENCIES else "A", _code),))
PHRASE_MAX_WORDS = max(len(k) for k in PHRASES)
#: Words that mean something to the grammar: never read as a misspelt coin name.
_GRAMMAR_WORDS = frozenset(WORDS) | {w for phrase in PHRASES for w in phrase}
#: What is never a misspelt coin: the grammar's words, and words no grammar reads that are
#: one letter off a coin ("i think thats how its spelt" names no SPELL).
_NOT_CORRECTED = _GRAMMAR_WORDS | {"spelt", "spelled", "spelling"}

# Chinese words (simplified; traditional text is mapped first): word -> tags.
CJK_WORDS: dict[str, Entry] = {
    **_tags(
        "B",
        "买",
        "买入",
        "买进",
        "购买",
        "购入",
        "抄底",
        "入手",
        "加仓",
        "入",
        "入货",
        "上车",
        "扫",
        "扫货",
        "建仓",
        "冲",
        "追",
        "追进",
        "追进去",
        "执平货",
        "补仓",
    ),
    **_tags("g", "来"),
    **{w: (("g", ""), ("V", "")) for w in ("搞点", "搞些", "整点")},  # get some
    **_tags("t", "搞"),  # "SOL我想搞5个": do what with it?
    **_tags("B", "拿下"),  # "拿下一万个狗子": take (a position)
    "上点": (("B", ""), ("V", "")),  # "帮我上点TON": get on with some
    **_tags("B", "给我上", "帮我上"),  # "给我上1个": get me on (上车) one
    # "追一把", "扫一波": a go at it, no count of one
    **_tags("B", "追一把", "冲一把", "扫一波", "买一波", "冲一波", "搞一波", "上一波"),
    **_tags("B", "吸", "吸筹", "补点仓", "建个底仓", "建底仓", "建个仓"),  # absorb, top up, open
    **_tags("B", "撸", "上个车"),  # "APT撸它200个": grab; "上个车 NEAR 100个": 上车
    **_tags("S", "减掉", "兑现"),  # cash in (a holding)
    "平仓": (("S", ""), ("H", "100")),  # close out: all of it
    "平掉": (("S", ""),),  # "平掉一半SOL"
    "补充": (),  # "补充一下": to add (充 here deposits nothing)
    "进行": (),  # "以市價進行": proceed (进 here buys nothing)
    "全仓": (("H", "100"),),  # "跌到就全仓卖": the whole position
    "充": (("!", "deposit"),),  # "充5000港币进来": a deposit
    **_tags("R", "目标"),  # "目標45, 止蝕30": the take-profit
    **_tags("B", "增持"),  # add to a holding (减持 sells, below)
    **_tags("i", "一旦"),  # "一旦突破四千": once (一 here is no number)
    **_tags("#", "更正一下"),  # "不，更正一下，是0.2個": a correction (更正 is below)
    **_tags("W", "列出", "列出来", "拉出来"),  # list (my orders)
    # "設定止蝕賣出，價位在120": a stop-loss sale at that price (its stop, no limit)
    **{w: (("Z", ""), ("S", "")) for w in ("止损卖出", "止蚀卖出")},
    **{w: () for w in ("设定", "设置")},  # set up (定 here is no "or")
    **{w: (("^", ""),) for w in ("千万别", "千万不要", "千万唔好", "千万不能")},  # never (no 10m)
    "止损放": (("Z", ""), ("@", "zh")),  # "止损放120": the stop put at 120 (放 sells nothing)
    "止盈放": (("R", ""), ("@", "zh")),
    "统统": (("H", "100"),),  # every one of them
    **_tags("~", "关掉", "关了"),  # "姨太的定投关掉": switch off
    **{w: (("B", ""), ("r", "")) for w in ("一个买单", "一张买单")},  # "挂一个买单：100个SOL"
    **{w: (("S", ""), ("r", "")) for w in ("一个卖单", "一张卖单")},
    **_tags("p", "最新成交价", "成交价"),  # the price it last traded at
    **{w: () for w in ("就停", "就停止", "就收手")},  # "买10次就停": the count says when
    **_tags("R", "就停利"),  # ("漲到 40 就停利": not 就停 and a word we cannot read)
    **_tags("Z", "就停损"),
    # "BTC而家幾錢? 唔理啦, 幫我入1000蚊先": whatever (the question), no denial
    **{
        w: ()
        for w in ("唔理啦", "唔理喇", "唔理咁多", "不管了", "不管啦", "管他呢", "管它呢", "先不管")
    },
    "砸进": (("D", ""), ("f", "")),  # "2W U砸进大饼": throw the money into it
    **{w: (("S", ""), ("H", "100")) for w in ("都甩了", "都卖了", "都卖掉", "都出了", "都抛了")},
    **{w: (("H", "100"),) for w in ("一个不留", "一个都不留", "一粒不留", "一粒都唔留")},
    # Asides: "拿不住了" (can't hold it any more), "别砸盘" (don't crash the market)
    **{w: () for w in ("拿不住了", "拿不住", "别砸盘", "不要砸盘", "唔好砸盘", "别砸市")},
    "搞掂": (),
    **_tags("S", "斩", "斩仓", "斩咗", "止蚀卖"),
    **_tags("B", "揸多", "捞底", "撈底", "追入", "转买", "改买"),  # 唔要BTC喇, 轉買 100U ETH
    **_tags("B", "加码", "进场", "敲进", "低接", "囤", "布局", "捡便宜", "追买"),
    **_tags("S", "变现", "脱手", "减码", "砍仓", "获利了结", "出清", "认赔杀出", "倒货"),
    **_tags("S", "落袋为安", "下车", "跑路"),  # 上车 buys; 下车 gets off: sells
    **{w: (("!", "leverage"),) for w in ("放空",)},
    **{w: (("!", "options"),) for w in ("选择权",)},
    **_tags("w", "拎", "攞"),
    **_tags("p", "几刀"),
    **_tags("r", "没成交", "未成交"),
    "个半": (("N", "1.5"), ("c", "")),
    **_tags("@", "出价"),
    **_tags("~", "抽", "抽单", "抽咗"),
    **{w: (("!", "leverage"),) for w in ("沽空", "卖空", "賣空")},
    **{w: (("!", "options"),) for w in ("期权", "期權")},
    **{w: (("!", "lending"),) for w in ("收息", "理财")},
    **{w: (("!", "deposit"),) for w in ("入钱", "存钱")},
    **{w: (("!", "transfer"),) for w in ("汇丰", "滙丰", "银行户口")},
    **{w: (("!", "advice"),) for w in ("税", "交税")},
    **_tags("l", "值几多", "值多少"),
    **_tags(
        "S",
        "卖",
        "卖出",
        "卖掉",
        "抛",
        "抛售",
        "抛掉",
        "出售",
        "减仓",
        "止盈卖出",
        "出",
        "出货",
        "出掉",
        "沽",
        "沽出",
        "放",
        "割肉",
        "砸",
        "套现",
        "卖完",
    ),
    "清仓": (("S", ""), ("H", "100")),
    "全卖": (("S", ""), ("H", "100")),
    "清": (("S", ""), ("H", "100")),
    "清咗": (("S", ""), ("H", "100")),
    "晒": (("H", "100"),),
    **_tags("C", "兑换", "转换", "兑", "换掉", "转"),
    "换": (("C", "get"),),  # 换 + one object gets it ("换点姨太"); 把X换/X换Y give X
    "换成": (("C", ""), ("f", "")),
    "都换成": (("H", "100"), ("C", ""), ("f", "")),  # "把pepe都换成狗子": all of it
    "全跑": (("S", ""), ("H", "100")),  # "大饼跌破6w就全跑": get out of all of it
    "换为": (("C", ""), ("f", "")),
    "换返": (("C", ""), ("f", "")),
    "兑换成": (("C", ""), ("f", "")),
    "转换成": (("C", ""), ("f", "")),
    "转成": (("C", ""), ("f", "")),
    "转做": (("C", ""), ("f", "")),
    "转为": (("C", ""), ("f", "")),
    "做": (("f", ""),),
    "去": (("f", ""),),
    "连续": (("f", ""),),
    "连": (("f", ""),),
    "成": (("f", ""),),
    "收": (("f", ""),),
    "把": (("w", "ba"),),  # 把/将 mark the object: what is given, or with a buy what is got
    "将": (("w", "ba"),),
    "喺": (("@", "zh"),),  # Cantonese "at": "沽2粒ETH喺3600"
    **_tags("D", "定投", "投", "投入", "花"),
    **_tags("t", "交易", "操作", "处理一下"),  # "我想處理一下我五千港幣嘅比特幣": do what?
    **_tags("X", "撤", "撤销", "取消", "撤单", "撤回", "撤掉", "删", "删除", "撳走", "干掉"),
    **_tags("~", "停", "停止", "停咗", "停掉", "叫停", "停咗佢"),
    **_tags("r", "计划"),
    **_tags("E", "逢"),  # 逢星期五: every Friday
    "半年": (("N", "6"), ("Y", "MO")),  # 买半年: for six months
    **_tags("x", "期"),  # 12期: twelve instalments
    "有效期": (),  # 有效期到撤单为止: how long an order stands, no count
    **_tags("f", "持续", "为期", "共"),  # 持续 4 周, 为期一年: for four weeks, for a year
    # "有效期到撤单为止": good till cancelled, no cancel
    **{w: () for w in ("到撤单为止", "撤单为止", "直到撤单", "直到取消")},
    **_tags("p", "咩价", "咩价钱"),
    **_tags("^", "母汤"),  # Taiwanese slang for 不要
    **_tags("x", "注"),  # 分4注: in four parts
    **_tags("t", "下单", "下个单", "下张单", "下一张单", "落单", "落张单", "落个单"),
    "清掉": (("S", "rid"), ("H", "100")),  # of a coin: all sold; "把我挂着的单全清掉": cancels
    # done with a coin: the reason for a sale, no denial of it
    **{w: () for w in ("不玩了", "唔玩喇", "唔玩了", "不玩啦", "唔想再揸", "不想拿了", "不想再拿")},
    **{w: () for w in ("不加杠杆", "不用杠杆", "不开杠杆")},
    **_tags("i", "的时候", "时候"),  # "在65,000左右的時候": a condition, with no direction
    **_tags("B", "抄", "进"),
    **_tags("S", "割", "割了"),
    **_tags("g", "整"),
    **_tags("D", "定期定额", "定期定投"),
    **{w: (("~", "unwanted"),) for w in ("唔要", "不要了")},  # of an order: cancel it
    **_tags("M", "市价", "以市价", "按市价", "用市价"),
    **_tags("q", "最后", "最近", "上一个", "刚才", "刚刚"),
    **_tags("o", "的", "嘅"),
    **_tags("e", "价值"),
    **_tags("¥", "块", "块钱", "元"),
    **_tags("y", "人民币", "人仔"),  # a currency we do not trade
    **_tags("w", "用", "拿"),
    **_tags("m", "我的", "我啲", "我嘅"),
    **_tags("c", "个", "颗", "枚", "份", "粒", "只"),
    **{w: (("@", "zh"),) for w in ("以", "在", "按")},  # 按3000的价格: at that price
    "贵": (("u", ""),),  # "不要比3000贵": dearer than, above
    "比": (),  # "比3000贵": than (the word after says which way)
    # A price nobody named: the order cannot go at market, the price is asked for.
    **{w: (("@", "vague"),) for w in ("某个价位", "某个价格", "好价钱")},
    **{w: (("L", "zh"),) for w in ("限价", "挂单", "限价单", "挂")},
    **_tags("K", "止损单"),
    **_tags("G", "触发", "触发价"),
    **_tags("R", "止盈", "止赚", "停利"),
    **_tags("Z", "止损", "止蚀", "停损"),
    # "设一个止蚀": a stop-loss, never one coin
    # "入场0.15个BTC，…，不设止盈", "止賺就唔使喇": an exit not wanted
    **{
        no + w: (("V", "no-profit"),)
        for no in ("不设", "不要", "不用")
        for w in ("止盈", "止赚", "停利")
    },
    **{
        no + w: (("V", "no-stop"),)
        for no in ("不设", "不要", "不用")
        for w in ("止损", "止蚀", "停损")
    },
    **{
        w + later: (("V", "no-profit"),)
        for w in ("止盈", "止赚")
        for later in ("就唔使", "就不用", "唔使")
    },
    # "請幫我將我的索拉納設定止賺": a take-profit order set (its price asked), no sale now
    **{
        setter + w: (("a", ""), ("R", ""))
        for setter in ("设一个", "设定", "设置", "设个", "设")
        for w in ("止盈", "止赚", "停利")
    },
    **_tags("Z", *("设一个" + w for w in ("止损", "止蚀", "停损"))),
    # Conditions the grammar cannot state as a price trigger: a reading with one asks.
    **_tags("I", "除非", "之前", "以前", "之后", "以后"),
    # A move with no price: "便宜点就买" waits for a price nobody named, so it is asked.
    **_tags(
        "I",
        "便宜点",
        "便宜些",
        "便宜一点",
        "便宜啲",
        "平啲",
        "平点",
        "平一点",
        "回落",
        "跌一点",
        "跌多点",
        "跌啲",
        "贵点",
        "贵啲",
        "涨一点",
        "升啲",
        "涨多点",
        # a price nobody named: "价格合理时请代为购入", "价格合适就行"
        "价格合理",
        "价格合适",
        "价钱合适",
        "价钱合理",
        "价位合适",
        "合理的价格",
        "合理嘅价格",
        "合适价格",
        "合理价格",
    ),
    # "幾百蚊", "几千U": a number made vague, never read as 100 or 1000
    **_tags("V", "几十", "几百", "几千", "几万", "十几", "百几", "千几"),
    # "但我還未決定賣多少": how much is not decided yet
    **_tags(
        "V",
        *(
            f"{still}{no}{decided}{verb}多少"
            for still in ("", "还")
            for no in ("未", "没")
            for decided in ("决定", "想好")
            for verb in ("", "卖", "买")
        ),
    ),
    **{w: () for w in ("别磨蹭", "快点", "快啲")},  # "入二十个ETH，市价，别磨蹭": hurry
    **{w: () for w in ("一样", "其他一样", "其他不变")},  # "其他一樣": the rest stays, no number 1
    **{w: () for w in ("唔少", "不少", "以免推高价钱", "以免推高价格")},  # a reason, no denial
    **{w: () for w in ("成交唔到都冇所谓", "唔好搞错")},
    **_tags("W", "俾我睇", "俾我睇一睇", "俾我过目", "让我先看看"),  # let me see
    **_tags("#", "我是说", "我的意思是"),  # "卖0.3个，呃，我是说0.2个以太坊"
    **_tags("S", "减持"),  # "將我嘅以太坊減持兩成": reduce the holding
    **{w: (("L", "post"),) for w in ("或更佳",)},  # "… 或更佳": a limit
    **_tags("E", "间隔", "每次间隔"),  # "分3次，每次间隔2小时": every 2 hours, 3 times
    **_tags("W", "啥样", "怎么样", "点样"),  # "ARB跌成啥样了": how is it doing (its price)
    **_tags("i", "如果", "要是", "若", "当", "等", "的话", "假如"),
    **_tags(
        "<",
        "跌破",
        "跌到",
        "返落",  # "ETH返落3千就入": falls back down to
        "跌返落",
        "跌至",
        "跌穿",
        "低于",
        "跌",
        "掉到",
        "回落到",
        "低过",
        "跌返",
        "回踩到",
        "回踩",
        "砸到",
        "砸穿",
        "砸破",
    ),
    **_tags(">", "反弹到", "反弹"),  # rebounds to
    **_tags("<", "回调到", "回调"),  # pulls back to
    **_tags(">", "冲破", "冲到", "冲上", "冲过"),  # "大饼冲破72000就出": breaks through (冲 buys)
    **_tags(">", "爆上", "爆穿"),  # "大餅爆上6萬8就追": bursts above (爆 before a number: rules)
    **_tags(
        ">",
        "突破",
        "涨到",
        "拉到",  # "大饼拉到8万就出": pumped to
        "涨破",
        "涨至",
        "高于",
        "超过",
        "涨",
        "站上",
        "站稳",  # "BTC企穩7萬先入0.2": holds above
        "企稳",
        "升",
        "升到",
        "升穿",
        "返上",  # "BTC返上7萬2就入0.2粒": climbs back up to
        "升返上",
        "升破",
        "升至",
        "高过",
        "过",
    ),
    **_tags("=", "到", "达到", "到达", "触及", "碰到", "摸到", "去到", "见到", "见"),
    "再见": (),  # goodbye (见 here sees no price)
    # "入0.2個BTC, 見7萬5就走": then leave (sell), an exit of the position bought
    **_tags("S", "就走", "就跑"),
    # "買入萊特幣，之後如果升到120就賣出": then, if (之后 here waits for nothing else)
    **_tags("i", "之后如果", "然后如果", "之后若", "之后要是"),
    **_tags("|", "或", "或者", "还是", "定系", "定"),
    **_tags("d", "以下", "之下"),
    **_tags("u", "以上", "之上"),
    **_tags("O", "接下来", "未来", "内", "之内", "以内", "分批", "慢慢"),
    **_tags("V", "唔知", "不知道", "不确定"),
    **{w: (("V", "unsure"),) for w in ("讲反了", "反了")},
    **_tags("y", "新台币", "台币"),
    **{w: () for w in ("到我叫停", "直到我说停", "直到我叫停", "到我说停")},
    **{w: () for w in ("我不喊停就别停", "不喊停就别停", "一直买下去")},
    **_tags("S", "甩", "甩咗", "散"),  # Cantonese: throw off, scatter (a holding)
    **_tags("B", "接"),  # "姨太3k挂单接2个": catch it at that price
    "直接": (),  # "直接卖2个ETH": straight away (not 接)
    **_tags("l", "仓位"),  # "我啲倉位點呀": my positions
    **{w: (("V", "except"),) for w in ("除了", "除咗", "除开")},  # "除了2个SOL其他全卖"
    "平均一下": (),  # "…分四次买入，平均一下成本": to average the cost, no 一下 (at once)
    # "改成两周一次": every two weeks (not a count of two)
    **{
        e + w: (("E", "zh"), ("N", "2"), ("Y", "W"))
        for e in ("", "每")
        for w in ("两周一次", "两个星期一次", "两个礼拜一次")
    },
    # something kept back: beside 全部/晒 it asks the amount ("全部沽晒，留返兩粒")
    **{w: (("V", "keep"),) for w in ("留点", "留一点", "留一些", "留些", "留返", "留下", "只留")},
    "四分一": (("H", "25"),),  # Cantonese "a quarter" (四分之一)
    **_tags(
        "#", "啊不", "呃不", "唔好意思", "啊唔系", "哦唔系", "呃唔系"
    ),  # "0.8个eth 啊不 1个": oh no, one
    # "每個唔好高過一百五十美元": a limit, never above it
    **{w: (("L", "post"),) for w in ("唔好高过", "不要高于", "唔好低过")},
    **_tags("M", "直接吃", "别挂单"),  # take what is offered: a market order
    **_tags("I", "唔好太贵", "不要太贵", "别太贵"),  # a price nobody named
    # "賣出一百個UNI，價格要好一點": a better price, which nobody named
    **_tags(
        "I",
        *(p + w for p in ("价格", "价钱", "价") for w in ("要好一点", "好一点", "好啲", "要好啲")),
        *("好价", "好啲价", "好一点的价格", "好点的价格", "好一点的价钱"),
    ),
    **{w: (("!", "deposit"),) for w in ("入户口",)},  # "存 1 萬蚊港幣入戶口"
    **_tags("r", "成交咗未", "成交了吗", "成交了没", "定投单"),  # an order asked about
    **_tags("p", "啥价", "什么价"),  # "sol现在啥价"
    **{w: (("p", "cost"),) for w in ("值几多钱", "值多少钱")},  # what it is worth: a price
    **{w: () for w in ("过年要用钱", "搏一搏", "蚀到入肉", "跌咗好多", "花红到咗")},  # asides
    **_tags("O", "接落嚟", "接落来"),  # "接落嚟一個鐘內": within the next hour (not 接, buy)
    "掟": (("S", ""),),  # Cantonese: throw out
    "掟晒": (("S", ""), ("H", "100")),
    **_tags("B", "沟淡", "要返"),  # average down; "想要返 0.02 個 BTC"
    **_tags("X", "铲", "铲咗"),  # "剷咗張AVAX單"
    **_tags("B", "铲底"),  # "鏟底! 買0.1 BTC": buy the dip, as 抄底
    **_tags("B", "埋伏", "捞返"),  # lie in wait for a coin; "撈返啲AVAX": pick some up
    "走货": (("S", ""),),  # "BCH走貨": move the goods out
    "直接搞": (),  # "别问，直接搞": just do it (接 here buys nothing)
    **{w: () for w in ("赌一把", "博一把", "搏一把", "赌一下")},  # take a gamble (一 no number)
    "再三": (),  # "再三確認": over and over (三 here is no number)
    # "落單之前再核對一次": before the order goes, which waits for a confirmation anyway
    **{w: () for w in ("落单之前", "下单之前", "落单前", "下单前")},
    "算了还是": (("#", ""),),  # "卖0.5个……算了还是卖0.8个": never mind, rather
    "算了": (("#", ""),),  # "上车大饼……算了，换成买10个SOL": what follows replaces it
    **_tags("B", "换成买", "改成买"),  # "上车大饼……算了，换成买10个SOL": buy that instead
    **_tags("S", "换成卖", "改成卖"),
    "入面": (("O", ""),),  # "喺2個鐘入面": within two hours (入 here buys nothing)
    "挂着等": (("L", "zh"),),  # "1.8挂着等": a limit order left to wait
    "砍掉": (("~", ""),),  # "我挂的PEPE单子砍掉": of an order
    "作废": (("X", ""),),  # "刚下的姨太单子作废": void it
    **_tags("J", "止损限价", "止损限价单"),  # a stop-limit order: two prices to give
    **_tags(
        "I",
        "合适的价位",
        "合适价位",
        "合适的价格",
        "合适的价钱",
        "合适嘅价位",
        "合适嘅价格",
        "合适嘅价钱",
    ),  # a price nobody named
    **_tags("I", "一定程度", "某个程度", "某种程度"),  # "姨太跌到一定程度就抄底": how far?
    **_tags("r", "成交没", "成交没有"),  # "大饼那张单成交没": filled yet? (没 asks, denies nothing)
    **{w: (("!", "advice"),) for w in ("推介",)},
    **_tags("#", "对唔住", "对不起"),  # "對唔住，應該係0.15個"
    **{
        w: ()  # until I say stop
        for w in (
            "直至我叫停为止",
            "直至我叫停",
            "直到我叫停为止",
            "直至我通知你停止为止",
            "直到我通知你停止为止",
            "直到我喊停",
            "等我喊停",
            "我说停再停",
            "到我话停为止",
            "直到我话停为止",
        )
    },
    **{w: () for w in ("等佢", "等它")},  # "掛3200等佢": post it and wait (its level said)
    **_tags("T", "周末", "这个周末", "下个周末"),  # a weekend is a later date
    **_tags("I", "低点", "低位", "高点", "高位"),  # "低点接10个sol": at a low nobody named
    "梭哈": (("B", ""), ("H", "100")),  # all in: put all of it in
    **{w: () for w in ("新出", "新出的", "新出嘅")},  # newly issued (出 here sells nothing)
    **_tags("k", "土狗"),  # a small new meme coin, unnamed
    **{w: () for w in ("等值的", "等值")},  # "一个姨太换成等值的sol": its worth in SOL
    "加点仓": (("B", ""), ("V", "")),  # add a bit to the position
    "减点仓": (("S", ""), ("V", "")),
    **_tags(">", "破"),  # "大饼破7万追进去" (跌破 and 突破 say their own way)
    # "每兩個星期一次": once every two weeks (一次 is not Monday's 一 nor a count)
    **{w: (("Y", "W"),) for w in ("个星期一次", "星期一次", "个礼拜一次", "礼拜一次", "周一次")},
    **{w: (("E", "zh"),) for w in ("每", "每隔")},  # "zh": "每月3次" is three a month
    # every morning, every night: daily
    **{
        w: (("E", "zh"), ("Y", "D"))
        for w in (
            *("每朝", "每朝早", "每个朝早", "每早", "每晚", "每夜", "每个早上", "每个晚上"),
            *("每天早上", "每天晚上"),
        )
    },
    **_tags("x", "次"),
    **_tags("p", "价格", "现价", "行情", "价", "币价", "几毛"),
    **{w: (("p", "cost"),) for w in ("多少钱", "几钱", "几多钱")},
    **_tags("p", "买一卖一", "买一价", "卖一价", "盘口"),
    "卖紧": (),  # "而家賣緊幾錢": what it sells at now, a price question
    "有冇": (("v", ""),),  # "我有冇BTC嘅掛單": a question, no negation
    **_tags("l", "投资组合", "组合"),
    **_tags("l", "余额", "结余", "还剩", "剩", "持仓", "资产", "剩下", "账户", "户口"),
    **_tags("h", "多少", "几个", "几多"),
    **_tags("v", "有", "有没有"),
    **_tags("r", "订单", "委托", "单", "成交", "单子"),
    **_tags("W", "查", "查看", "查询", "看看", "显示"),
    **_tags("V", "一点", "一些", "点", "些", "点儿", "啲", "少少", "一啲"),  # 一啲: some, not one
    **_tags("x", "笔", "批"),
    **_tags("T", "明天", "明日", "听日", "今晚", "晚上", "早上", "中午", "下周", "下个月", "后天"),
    **_tags("T", "听朝", "听晚", "明早", "明晚", "听日朝早", "后日"),
    **_tags("k", "币", "加密货币", "数字货币"),
    "一半": (("H", "50"),),
    "半": (("H", "50"),),
    "全部": (("H", "100"),),
    "所有": (("H", "100"),),
    "全": (("H", "100"),),
    "分钟": (("Y", "MIN"),),
    "小时": (("Y", "H"),),
    "个小时": (("Y", "H"),),
    "钟头": (("Y", "H"),),
    "天": (("Y", "D"),),
    "日": (("Y", "D"),),
    "周": (("Y", "W"),),
    "星期": (("Y", "W"),),
    "礼拜": (("Y", "W"),),
    "个星期": (("Y", "W"),),
    "月": (("Y", "MO"),),
    "个月": (("Y", "MO"),),
    "年": (("Y", "YR"),),
    "个钟": (("Y", "H"),),
    "钟": (("Y", "H"),),
    "个礼拜": (("Y", "W"),),
    "隔日": (("E", ""), ("N", "2"), ("Y", "D")),
    "隔一日": (("E", ""), ("N", "2"), ("Y", "D")),
    "隔一天": (("E", ""), ("N", "2"), ("Y", "D")),
    "隔天": (("E", ""), ("N", "2"), ("Y", "D")),
    "每隔一天": (("E", ""), ("N", "2"), ("Y", "D")),
    "每隔一日": (("E", ""), ("N", "2"), ("Y", "D")),
    **{
        prefix + unit: (("E", ""), ("N", "2"), ("Y", code))
        for prefix in ("隔", "隔一", "隔个", "隔一个", "每隔一", "每隔一个")
        for unit, code in (("周", "W"), ("星期", "W"), ("礼拜", "W"), ("月", "MO"))
        if prefix + unit not in ("隔个周", "隔一个周", "每隔一个周")
    },
    **{
        prefix + char: (("j", day),)
        for prefix in ("周", "星期", "礼拜", "个星期", "个礼拜")
        for char, day in _CJK_DAYS.items()
    },
    **{w: (("!", "withdrawal"),) for w in ("提币", "提现", "提款", "出金", "提出")},
    **{
        w: (("!", "transfer"),)
        for w in ("转账", "转给", "转到", "打给", "汇款", "转币", "俾", "钱包", "银行", "朋友")
    },
    **{
        w: (("!", "leverage"),)
        for w in (
            *("杠杆", "合约", "做空", "做多", "期货", "倍", "永续", "保证金", "开多", "开空"),
            *("空单", "多单"),  # "开个空单对冲一下": a short
        )
    },
    **{w: (("!", "staking"),) for w in ("质押",)},
    **{
        w: (("!", "lending"),)
        for w in ("借贷", "借币", "借钱", "贷款", "借", "借我", "借些", "借点")
    },
    **{w: (("!", "deposit"),) for w in ("充值", "入金")},
    **_tags("^", "别", "不要", "不用", "不想", "不", "没", "唔", "唔好", "唔使", "冇", "咪", "勿"),
    **_tags("^", "唔系", "不是"),
    **_tags(
        "#",  # a correction inside the message: "买1万个，不对，是10万个"
        "不对",
        "说错",
        "说错了",
        "讲错",
        "讲错了",
        "打错",
        "打错了",
        "写错",
        "写错了",
        "搞错",
        "搞错了",
        "哦不",
        "噢不",
        "哦不对",
        "噢不对",
        "应该是",
        "应该系",
        "唔系唔系",  # "0.3，唔係唔係，0.35": one correction, said twice
        "不是不是",
        "不对不对",
        "说反了",
        "说反",
        "搞反了",
        "弄反了",
        "更正",
        "唔啱",
        "改成",
        "改为",
    ),
    "一过": (("i", ""), (">", "")),
    # Not negations: 不低于 names a limit, 不过 joins clauses, 唔该 is "please".
    **_tags("@", "不低于", "不高于", "不超过"),
    **{
        w: (("!", "advice"),)
        for w in (
            "应该",
            "建议",
            "推荐",
            "会涨",
            "会跌",
            "预测",
            "值得",
            "划算",  # "卖0.3个BTC收港币划算吗？": is it worth it, asked
            "划唔划算",
            "抵唔抵",
            "值唔值",
            "值不值",
            "要不要",  # "我在考虑要不要买1个ETH": undecided, not told
            "要唔要",
            "你觉得",
            "会不会",
            "会唔会",
            "好唔好",
            "好不好",
            "会怎样",  # "如果我卖1个eth会怎样": a what-if, asked
            "会怎么样",
            "会点样",
        )
    },
    # "可唔可以解释下点样卖0.3个BTC": how to do it, asked
    **{
        w: (("!", "how_to"),)
        for w in (
            "解释下点样",
            "解释一下点样",
            "解释下怎么",
            "解释一下怎么",
            "解释一下如何",
            "教我点样",
            "教下我点样",
            "教我怎么",
        )
    },
    "提醒我": (("!", "timing"),),  # "提醒我买0.1个btc": a reminder, no order now
    # After a price: "0.65或以上" is the limit itself, like "or better".
    **{w: () for w in ("或以上", "或以下", "或更高", "或更低", "或更好", "或更平")},
    # "BTC 62000 或者更平先入": at that price or better, a limit
    **{w: (("L", "post"),) for w in ("或者更好", "或者更高", "或者更低", "或者更平")},
    "半个钟": (("N", "30"), ("Y", "MIN")),
    "半小时": (("N", "30"), ("Y", "MIN")),
    "半个小时": (("N", "30"), ("Y", "MIN")),
    # Fillers that would otherwise be split into meaningful characters.
    **{
        w: ()
        for w in (
            "可以",
            "所以",
            "现在",
            "一下",
            "帮我",
            "我想",
            "我要",
            "请",
            "马上",
            "立刻",
            "立即",
            "然后",
            "并且",
            "同时",
            "已经",
            "一个个",
            "单位",
            "唔该",
            "不过",
            "不错",
            "不然",
            "要不",
            "依家",
            "而家",
            "佢",
            "咗",
            "番",
            "返",
            "一下子",
            "出现",
            "即刻",
            "一张",
            "一共",
            "总共",
            "清楚",
            "不如",
            "每次",
            "不急",
            "以防万一",
            "平过",  # "平过15就更加好": cheaper is better, no condition
            "更加好",
            "就更好",
            "买了以后",
            "买完以后",
            "跌了这么多",
            "跌了很多",
            "跌咗咁多",
            "升得好劲",
            "涨了很多",
            "涨了这么多",
            "万一",
            "谢谢晒",
            "唔该晒",
            "麻烦晒",
            "多谢晒",
            "可唔可以",
            "可不可以",
            "能不能",  # "能不能帮我卖掉30%的莱特币": can you, no negation
            "能唔能",
            "得唔得",
            "一直",
            "不好意思",
            "一次",
            "一次过",  # "唔好一次過": not all at once (过 is no rise here)
            "一下过",
            "了没",
            "还没",
            "未",
            "月亮",
            "个月亮",  # "买个月亮狗币": a coin named after the moon, not 个月 (a month)
            "见谅",  # "请见谅": forgive me (见 is no level reached)
            "原谅",
            "put-in",
            "那张",
            "这张",
            "张",
            "那笔",
            "这笔",
            "一笔",
        )
    },
}
for _alias, _code in ASSET_ALIASES.items():
    if not _alias.isascii():
        CJK_WORDS[_alias] = (("Q" if _code in QUOTE_CURRENCIES else "A", _code),)
CJK_MAX_LEN = max(len(k) for k in CJK_WORDS)

# Traditional → simplified for the characters the lexicon uses (same length, so spans hold).
# Checked against OpenCC's s2t for every character of CJK_WORDS (tests/intent/test_rules.py
# pins that none is missing).
_TRADITIONAL = (
    "買賣幣個顆價錢單撤銷掛損換還餘倉兌現時內週後漲於額設這幫們對點從將讓給轉帳賬債場"
    "務應當為與準備條開關區實業說請樣約槓桿質產資數萬億兩隻鐘頭禮拜級圓歐狗艾達萊雙條"
    "達貨幾麼麽進購溝隨億幾査剩查詢裡裏來筆倍頻掃紙執衝刪聽車銀塊線勢盤蝕賺餅該沒張斬"
    "戶謝煩發碼場敲撿擇脫獲結認賠殺袋囤佈倉續別豐爲雲亞會儲兒減剛勁變臺圖爾幹並總恆拋"
    "撈顯曬權樹匯測確稅納經羅薦蟻補見覺觸訂議講證話諾財貸過連適選鍾鏈錯鎂門預馬黃寫調貴係劃計緊組號湯間嗎喫謂剷鏟紅廢賭統彈籌較暫動頂撐問費標穩種諒順處擼決釋"
)
_SIMPLIFIED = (
    "买卖币个颗价钱单撤销挂损换还余仓兑现时内周后涨于额设这帮们对点从将让给转帐账债场"
    "务应当为与准备条开关区实业说请样约杠杆质产资数万亿两只钟头礼拜级圆欧狗艾达莱双条"
    "达货几么么进购沟随亿几查剩查询里里来笔倍频扫纸执冲删听车银块线势盘蚀赚饼该没张斩"
    "户谢烦发码场敲捡择脱获结认赔杀袋囤布仓续别丰为云亚会储儿减刚劲变台图尔干并总恒抛"
    "捞显晒权树汇测确税纳经罗荐蚁补见觉触订议讲证话诺财贷过连适选钟链错镁门预马黄写调贵系划计紧组号汤间吗吃谓铲铲红废赌统弹筹较暂动顶撑问费标稳种谅顺处撸决释"
)
TRAD_TO_SIMP = str.maketrans(_TRADITIONAL, _SIMPLIFIED)

#: Helpful messages for each unsupported reason.
UNSUPPORTED_MESSAGES: dict[str, str] = {
    "withdrawn": "Understood: you took that request back, so nothing will be done. Tell me "
    "what you would like instead.",
    "withdrawal": "I can't move funds off the exchange. Withdrawals are done from the "
    "Withdraw page after your own security checks; I can help you buy, sell or convert.",
    "transfer": "I can't send or transfer funds to other people or addresses. I can help you "
    "buy, sell, convert, cancel orders or check prices and balances.",
    "leverage": "Leverage, margin, futures and short selling aren't available here: I can "
    "only place spot orders with funds you hold.",
    "staking": "Staking isn't something I can do. I can help with spot buy, sell and convert "
    "orders.",
    "lending": "Lending and borrowing aren't available. I can help with spot buy, sell and "
    "convert orders.",
    "deposit": "I can't take deposits; use the Deposit page. I can help you trade once your "
    "funds arrive.",
    "options": "Options aren't available here: I can only place spot orders.",
    "negation": "I won't place anything: that reads as something you don't want to do. Tell "
    'me the trade you do want, e.g. "buy 0.1 BTC".',
    "advice": "I can't give investment advice or predictions. I can place the trade you decide "
    "on, or show prices and balances.",
    "explain": "A market order buys or sells now at the best prices available; a limit order "
    "only at your price or better; a stop (stop-loss) sends an order once the price reaches "
    'the level you set. Tell me the trade you want, e.g. "buy 0.1 BTC at 60,000".',
    "injection": 'I can only act on trading requests such as "buy 0.1 BTC" or "sell half my '
    'ETH"; instructions to change how I work are ignored.',
    "off_topic": "I can help with trading on this exchange: buying, selling, converting, "
    "cancelling orders, and checking prices, balances and open orders.",
    "timing": "I can't wait for a date or a time of day. I can place the order now, when the "
    'price reaches a level you name ("if BTC drops below 60k"), or on a repeating schedule '
    '("every Monday").',
    "how_to": "I don't walk through the steps, I do them for you: tell me the trade, e.g. "
    '"buy 0.1 BTC", and I will show you a preview with the price and fees to confirm first.',
    "unclear_word": "I couldn't read one of the words, and it could change the order. Please "
    "write the request again.",
    "too_long": "That message is too long for me to act on safely. Please state the trade in "
    "one short sentence.",
}


def fuzzy_asset(word: str) -> Asset | None:
    """The asset a misspelled name unambiguously means (``bitcon`` → Bitcoin), else ``None``.

    Grammar words are never corrected; see :func:`intent.language.assets.correct`.
    """
    return correct(word, _NOT_CORRECTED)
