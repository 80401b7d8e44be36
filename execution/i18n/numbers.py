"""Numbers as the customer reads them: formatted once, here (the chat page's ``money`` in
web/static/chat.js follows the same rules)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

# Fiat and stablecoins are shown to the cent; other amounts to at most 8 decimals.
CASH = frozenset({"USD", "USDT", "USDC", "FDUSD", "TUSD", "DAI", "HKD", "EUR", "GBP"})
_EIGHT = Decimal("0.00000001")


def money(value: Decimal, currency: str) -> str:
    """An amount of ``currency``: thousands separators, 2 decimals for fiat and stablecoins,
    otherwise up to 8 without trailing zeros; never an exponent."""
    if currency in CASH:  # half away from zero, as the page's Intl.NumberFormat rounds
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    if not value:
        return "0"
    return format(value.quantize(_EIGHT, rounding=ROUND_HALF_UP).normalize(), ",f")


def grouped(value: Decimal) -> str:
    """A price or level as written for a person: separators, no trailing zeros (65,000)."""
    return format(value.normalize(), ",f")


def moment(ms: int) -> str:
    """An instant as the customer reads it, in UTC to the minute: ``2026-02-05 00:00 UTC``."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
