"""The sentences the customer is shown next to Confirm; each is journaled, exactly as
shown, with the confirmation."""

from __future__ import annotations

from decimal import Decimal

from execution.mandates import terms_text
from execution.preview.simulator import CancelPreview, StepPreview
from intent.models import plain


def fmt(value: Decimal, places: int | None = None) -> str:
    return plain(value) if places is None else f"{value:,.{places}f}"


def confirmation_text(description: str, preview: StepPreview) -> str:
    """The exact sentence shown next to Confirm; it is journaled with the confirmation."""
    base, quote = preview.symbol.split("/", 1)
    avg = "n/a" if preview.average_price is None else fmt(preview.average_price, 2)
    worst = "n/a" if preview.worst_price is None else fmt(preview.worst_price, 2)
    after = ", ".join(f"{ccy} {fmt(val)}" for ccy, val in preview.balances_after.items())
    verb = "pay" if preview.side == "buy" else "receive"
    text = (
        f"{description}: {fmt(preview.amount)} {base} at ≈ {avg} {quote} average "
        f"(worst {worst}, slippage {preview.slippage_bps} bps); you {verb} ≈ "
        f"{fmt(preview.notional, 2)} {quote}; fee {fmt(preview.fee.cost)} "
        f"{preview.fee.currency} ({fmt(preview.fee.rate * 100)}%). Balances after: {after}."
    )
    for warning in preview.warnings:
        text += f" Warning: {warning.message}."
    if preview.mandate is not None:
        text += " " + terms_text(preview.mandate)
    return text


def cancel_text(description: str, preview: CancelPreview) -> str:
    """The sentence shown next to Confirm for a cancel step."""
    return (
        f"{description}: frees ≈ {fmt(preview.releases.amount)} {preview.releases.currency}. "
        "Whatever has already filled stays filled."
    )
