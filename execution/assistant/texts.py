"""The sentences the customer is shown next to Confirm; each is journaled, exactly as
shown, with the confirmation."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from execution.mandates import terms_text
from execution.preview.simulator import CancelPreview, StepPreview

# Fiat and stablecoins are shown to the cent; other amounts to at most 8 decimals.
CASH = frozenset({"USD", "USDT", "USDC", "FDUSD", "TUSD", "DAI", "HKD", "EUR", "GBP"})
_EIGHT = Decimal("0.00000001")


def money(value: Decimal, currency: str) -> str:
    """An amount of ``currency`` as the customer reads it: thousands separators, 2 decimals
    for fiat and stablecoins, otherwise up to 8 without trailing zeros; never an exponent.
    (The chat page's ``money`` in web/static/chat.js follows the same rules.)"""
    if currency in CASH:  # half away from zero, as the page's Intl.NumberFormat rounds
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    if not value:
        return "0"
    return format(value.quantize(_EIGHT, rounding=ROUND_HALF_UP).normalize(), ",f")


def confirmation_text(description: str, preview: StepPreview) -> str:
    """The exact sentence shown next to Confirm, and journaled with the confirmation: what
    the customer pays and gets (the card's figures say the rest), then each warning and a
    mandate's terms."""
    base, quote = preview.symbol.split("/", 1)
    fee = preview.fee
    got_ccy, got = preview.received
    if preview.side == "buy":
        pay = preview.notional + (fee.cost if fee.currency == quote else Decimal(0))
        deal = f"you pay ≈ {money(pay, quote)} {quote} and get ≈ {money(got, got_ccy)} {got_ccy}"
    else:
        deal = (
            f"you sell {money(preview.amount, base)} {base} and get ≈ "
            f"{money(got, got_ccy)} {got_ccy}"
        )
    text = f"{description}: {deal}."
    for warning in preview.warnings:
        text += f" Warning: {warning.message}."
    if preview.mandate is not None:
        text += " " + terms_text(preview.mandate)
    return text


def cancel_text(description: str, preview: CancelPreview) -> str:
    """The sentence shown next to Confirm for a cancel step."""
    return (
        f"{description}: frees ≈ {money(preview.releases.amount, preview.releases.currency)} "
        f"{preview.releases.currency}. "
        "Whatever has already filled stays filled."
    )


# Stopping a standing order from the chat: one code per sentence, to be translated later.
STOP_TEXTS: dict[str, str] = {
    "stop.shown": "Stop: {description} — {placed} of {total} orders placed; orders already "
    "placed stay placed.",
    "stop.plan": "Here is what would stop. Nothing changes until you confirm.",
    "stop.none": "You have no standing order like that.",
    "stop.none_but": "You have no standing order like that. Your standing orders: {listed}.",
    "stop.which": "Several standing orders match: {listed}. Which one should I stop? Say it "
    "with its asset or kind, or press Stop next to it under Orders & plans.",
    "stop.listed": "{description} ({state}, {placed} of {total} orders placed)",
    "stop.not_found": "the standing order could not be found any more; nothing was changed",
}
# A standing order's state, as the sentences above say it.
STANDING_STATE_TEXTS: dict[str, str] = {
    "armed": "active",
    "paused": "paused",
    "awaiting_confirmation": "awaiting your confirmation",
    "blocked": "blocked",
}


def stop_text(code: str, **params: object) -> str:
    """The sentence ``code`` of :data:`STOP_TEXTS`, with ``params`` filled in."""
    return STOP_TEXTS[code].format(**params)
