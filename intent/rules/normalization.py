"""Normalization: the text the grammar reads (see :func:`normalize`), and the remarks,
asides, courtesies and stories blanked out of it because they request nothing."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from intent.lexicon import ASSET_ALIASES, RELATIVES_SENT_TO, TRAD_TO_SIMP
from intent.rules.tokens import Token, tokenize


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


def _blank(m: re.Match[str]) -> str:
    """Spaces over a match: the words are gone, every offset after them stays."""
    return " " * len(m.group())


def _readable(norm: str) -> str:
    """What the grammar reads of a message or a reply: asides blanked, and each number that
    cannot be read without guessing made one no role accepts."""
    return _MALFORMED_NUMBER.sub(_unreadable_number, _without_asides(norm))


def _unreadable_number(m: re.Match[str]) -> str:
    return "0".ljust(len(m.group()))
