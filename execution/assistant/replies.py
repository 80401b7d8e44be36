"""What the assistant says back to a message, in the customer's language: the question a
clarification asks and the refusal of what it will not do, rendered from what the parser
found (missing fields, a reason code) rather than from its English sentence.

An English customer is shown the parser's own sentence, which may say more (which word was
not understood, which reading of "1/2" is meant); the other languages say the same question
from its fields.
"""

from __future__ import annotations

import re

from execution.i18n import Locale
from execution.i18n.catalogue import has, render
from execution.i18n.numbers import grouped
from intent.models import Clarification, Unsupported

_QUOTED = re.compile(r'"([^"]+)"')


def question(clarification: Clarification, locale: Locale) -> str:
    """The question ``clarification`` asks, one sentence per missing field."""
    if locale == "en":
        return clarification.question
    missing, asset = clarification.missing, clarification.asset
    verb = render(f"verb.{clarification.side or 'trade'}", locale)
    parts: list[str] = []
    if "side" in missing:
        parts.append(
            render("ask.side", locale, {"asset": asset}) if asset else render("ask.side_it", locale)
        )
    if "asset" in missing:
        if clarification.query == "price":
            parts.append(render("ask.price_of_what", locale))
        else:
            parts.append(render("ask.asset", locale, {"verb": verb}))
    if "amount" in missing:
        parts.append(
            render("ask.amount", locale, {"verb": verb, "asset": asset})
            if asset
            else render("ask.amount_any", locale, {"verb": verb})
        )
    if "price" in missing and clarification.level is not None:
        parts.append(
            render("ask.direction", locale, {"verb": verb, "level": grouped(clarification.level)})
        )
    elif "price" in missing:
        slot = clarification.price_for
        parts.append(render(f"ask.{slot}" if slot else "ask.price", locale))
    return "".join(parts)


def refusal(unsupported: Unsupported, locale: Locale) -> str:
    """Why the assistant will not act on a message, and what it can do instead."""
    if locale == "en" and unsupported.message:
        return unsupported.message
    reason = unsupported.reason
    if reason == "unplaced_number":
        quoted = _QUOTED.search(unsupported.message)
        return render(f"refuse.{reason}", locale, {"number": quoted.group(1) if quoted else "?"})
    if reason in ("llm_unavailable", "llm_refused"):
        return render("refuse.llm_unavailable", locale)
    if reason == "llm_unsupported":
        return render("refuse.off_topic", locale)
    return render(f"refuse.{reason}" if has(f"refuse.{reason}") else "refuse.other", locale)
