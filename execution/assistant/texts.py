"""The sentences the customer is shown on a step: its title, the line next to Confirm (each
journaled, exactly as shown, with the confirmation), its warnings and a mandate's terms, in
the customer's language (:mod:`execution.i18n`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from execution.i18n import DEFAULT_LOCALE, SENTENCE_BREAK, Locale
from execution.i18n.catalogue import has, render
from execution.i18n.numbers import money
from execution.mandates import terms_text
from execution.preview.simulator import CancelPreview, StepPreview
from execution.preview.warnings import warning_text

__all__ = [
    "cancel_text",
    "confirmation_text",
    "money",
    "refusal_text",
    "terms_text",
]

# How the chat page joins a requote's reasons (web/static/text.js ``requoted``).
_REASONS_JOIN: dict[Locale, str] = {"en": "; ", "zh-Hans": "；", "zh-Hant": "；"}


def confirmation_text(
    description: str, preview: StepPreview, locale: Locale = DEFAULT_LOCALE
) -> str:
    """The exact sentence shown next to Confirm, and journaled with the confirmation: what
    the customer pays and gets (the card's figures say the rest), then each warning and a
    mandate's terms."""
    base, quote = preview.symbol.split("/", 1)
    fee = preview.fee
    got_ccy, got = preview.received
    if preview.side == "buy":
        pay = preview.notional + (fee.cost if fee.currency == quote else Decimal(0))
        text = render(
            "confirm.buy",
            locale,
            {
                "title": description,
                "pay": money(pay, quote),
                "quote": quote,
                "got": money(got, got_ccy),
                "got_ccy": got_ccy,
            },
        )
    else:
        text = render(
            "confirm.sell",
            locale,
            {
                "title": description,
                "amount": money(preview.amount, base),
                "base": base,
                "got": money(got, got_ccy),
                "got_ccy": got_ccy,
            },
        )
    for warning in preview.warnings:
        text += render("confirm.warning", locale, {"text": warning_text(warning, locale)})
    if preview.mandate is not None:
        text += SENTENCE_BREAK[locale] + terms_text(preview.mandate, locale)
    return text


def cancel_text(description: str, preview: CancelPreview, locale: Locale = DEFAULT_LOCALE) -> str:
    """The sentence shown next to Confirm for a cancel step."""
    releases = preview.releases
    return render(
        "confirm.cancel",
        locale,
        {
            "title": description,
            "amount": money(releases.amount, releases.currency),
            "currency": releases.currency,
        },
    )


def stop_text(code: str, locale: Locale = DEFAULT_LOCALE, **params: object) -> str:
    """A sentence about stopping a standing order from the chat (catalogue ``stop.*``)."""
    return render(code, locale, params)


def refusal_text(
    code: str, locale: Locale = DEFAULT_LOCALE, *, message: str = "", reasons: Sequence[str] = ()
) -> str:
    """What the chat page said when a confirmation was refused (``code``, as journaled by
    ``confirmation_refused``): an expired quote asks for a fresh one, a requote gives its
    ``reasons`` and shows the new preview, any other refusal is "not sent" and why. A code
    with no sentence says the server's ``message``, as the page does."""
    if code == "token_expired":
        return render("refused.token_expired", locale)
    if code == "requote_required":
        return render("refused.requoted", locale, {"reasons": _REASONS_JOIN[locale].join(reasons)})
    why = render(f"refused.{code}", locale) if has(f"refused.{code}") else message
    return render("refused.not_sent", locale, {"text": why})
