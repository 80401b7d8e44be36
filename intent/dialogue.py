"""Multi-turn clarification: a pending question, the customer's reply, what they now mean.

"buy some bitcoin" → the assistant asks how much → "0.1" → buy 0.1 BTC. A reply can fill
any missing field ("sell", "BTC", "at 3000"); "never mind" drops the pending request; a
reply that is a complete request on its own replaces it. Nothing is guessed: the merge
only copies what one of the two messages said, and what is still missing is asked again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from intent.models import (
    Amount,
    Clarification,
    Intent,
    IntentFields,
    MissingField,
    Unsupported,
    clarification_question,
)
from intent.numbers import NUMERIC_RE, parse_number
from intent.parser import ParseOutput

# Replies that withdraw the pending request (EN, zh-Hans, zh-Hant).
_DISMISS = re.compile(
    r"^\s*(?:never\s*mind|nevermind|nvm|forget\s+(?:it|that|about\s+it)|cancel(?:\s+(?:that|it))?"
    r"|no(?:pe)?|stop|drop\s+it|don'?t|skip\s+it|算了(?:吧)?|不用了?|不要了?|取消(?:吧)?|别买了|"
    r"別買了|不买了|不買了|不卖了|不賣了)\s*[.!。！]*\s*$",
    re.IGNORECASE,
)
# A bare price: "at 3000", "@3k", "limit 3000", "price 3000", "3000" (when a price is missing).
_PRICE = re.compile(
    r"^\s*(?:at|@|limit(?:\s+price)?|price|限价|限價|价格|價格)?\s*(?P<n>[^\s].*?)\s*$"
)
_TRADE_ACTIONS = ("buy", "sell", "convert")
# What a reply may supply: every field of a request but its provenance and query kind.
_FILLABLE = tuple(name for name in IntentFields.model_fields if name not in ("spans", "query"))


@dataclass(frozen=True, slots=True)
class Dismissed:
    """The customer withdrew the pending request."""

    kind: Literal["dismissed"] = "dismissed"


@dataclass(frozen=True, slots=True)
class Answered:
    """The reply filled (some of) the missing fields: a complete Intent or a new question."""

    result: Intent | Clarification
    kind: Literal["answered"] = "answered"


@dataclass(frozen=True, slots=True)
class NewRequest:
    """The reply stands on its own (a complete trade, a query, a refusal): handle it as is."""

    result: ParseOutput
    kind: Literal["new_request"] = "new_request"


Outcome = Dismissed | Answered | NewRequest


def _bare_number(text: str) -> Decimal | None:
    match = _PRICE.match(text)
    if match is None:
        return None
    value = parse_number(match["n"])
    return value if value is not None and value > 0 else None


def _unitless_amount(pending: Clarification, pending_text: str) -> Decimal | None:
    """The one number of "sell 2" (amount understood, unit unknown until the asset is)."""
    if pending.amount is not None or "amount" in pending.missing:
        return None
    found = [m.group() for m in NUMERIC_RE.finditer(pending_text.lower())]
    if len(found) != 1:
        return None
    value = parse_number(found[0])
    return value if value is not None and value > 0 else None


def continue_dialogue(
    pending: Clarification, pending_text: str, reply_text: str, reply: ParseOutput
) -> Outcome:
    """What ``reply_text`` (parsed as ``reply``) means given the ``pending`` question,
    which the parser asked after ``pending_text``."""
    if _DISMISS.match(reply_text):
        return Dismissed()
    if isinstance(reply, Intent):
        if reply.action == "cancel" and reply.asset is None:
            return Dismissed()  # "cancel that" while a question is open: drop the question
        return NewRequest(reply)
    if isinstance(reply, Unsupported) and reply.reason not in ("off_topic", "parse_error"):
        return NewRequest(reply)  # an explicit refusal (withdrawal, leverage...) stands

    fills: dict[str, object] = {}
    if isinstance(reply, Clarification):
        for name in _FILLABLE:
            value = getattr(reply, name)
            if value is not None:
                fills[name] = value
        if reply.side is not None:
            fills["side"] = reply.side
    if not fills:
        number = _bare_number(reply_text)
        if number is not None:
            if "amount" in pending.missing and pending.asset is not None:
                fills["amount"] = Amount(value=number, unit=pending.asset)
            elif "price" in pending.missing:
                fills["limit_price"] = number
    if not fills:
        return NewRequest(reply)  # nothing in the reply answers the question
    unitless = _unitless_amount(pending, pending_text)
    asset = fills.get("asset", pending.asset)
    if unitless is not None and "amount" not in fills and isinstance(asset, str):
        fills["amount"] = Amount(value=unitless, unit=asset)
    return Answered(_merge(pending, fills))


def _merge(pending: Clarification, fills: dict[str, object]) -> Intent | Clarification:
    fields = pending.model_dump(exclude={"kind", "missing", "question", "spans"})
    fields.update(fills)
    if fields.get("limit_price") is not None and fields.get("order_type") is None:
        fields["order_type"] = "limit"
    side = fields.pop("side")
    missing: list[MissingField] = []
    if side not in _TRADE_ACTIONS:
        missing.append("side")
    if fields.get("asset") is None or (side == "convert" and fields.get("to") is None):
        missing.append("asset")
    if fields.get("amount") is None:
        missing.append("amount")
    elif fields["amount"] is not None and isinstance(fields["amount"], Amount):
        unit = fields["amount"].unit
        if unit not in ("%", fields.get("asset"), fields.get("to"), fields.get("quote")) and (
            fields.get("quote") is None
        ):
            fields["quote"] = unit  # "500 usdt" answering "how much BTC?": spend 500 USDT
    if "price" in pending.missing and fields.get("limit_price") is None:
        missing.append("price")
    if missing:
        return Clarification(
            side=side if side in _TRADE_ACTIONS else None,
            missing=tuple(sorted(set(missing))),
            question=clarification_question(
                missing,
                side if isinstance(side, str) and side in _TRADE_ACTIONS else None,
                asset if isinstance(asset := fields.get("asset"), str) else None,
            ),
            **fields,
        )
    fields.setdefault("order_type", "market")
    if fields["order_type"] is None:
        fields["order_type"] = "market"
    return Intent(action=side, **fields)
