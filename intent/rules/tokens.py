"""Tokens: the text as tagged tokens (see :func:`tokenize` and :mod:`intent.lexicon` for the
tag alphabet), numbers read, misspelt coin names corrected, unknown words dropped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

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
    WORDS,
    Entry,
    fuzzy_asset,
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


_ORDERS_COUNTED = frozenset({"buys", "sells", "purchases"})


# Where one clause ends and the next begins (a negation scopes over its own clause only).
_CLAUSE_BREAK = re.compile(
    r"[,;，；。!?！？\n]|\.(?!\d)|\s[-—–]+\s|—|\bbut\b|\binstead\b|\brather\b|而是|但是|不过"
    r"|(?<=[了喇啦咯啰囉])\s+"  # "别买了 改成卖", "唔好入喇 cancel埋張ETH單": ended by its particle
)


def _paused(text: str, before: Token, after: Token) -> bool:
    """Whether a clause break (a comma, a full stop…) stands between two tokens."""
    return _CLAUSE_BREAK.search(text, before.end, after.start) is not None


_SENTENCE_END = re.compile(r"[.!?。！？](?:\s|$)|[。！？]")


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
