"""Requote on confirm: is what the customer saw still what would happen?

Confirming a step previews it again on the current book and balances. If the price
moved beyond the tolerance, or the fee, the balances, the amount, the policy or the
blocking warnings changed, the confirmation is refused (``RequoteRequired``) and the
new preview needs its own confirmation. Nothing is silently refreshed.
"""

from __future__ import annotations

from decimal import Decimal

from execution.preview.simulator import StepPreview
from intent.models import BPS, plain

DEFAULT_TOLERANCE_BPS = Decimal(50)


def requote_reasons(
    shown: StepPreview, now: StepPreview, tolerance_bps: Decimal = DEFAULT_TOLERANCE_BPS
) -> list[str]:
    """Why ``now`` differs materially from ``shown``: an empty list means confirm as shown."""
    reasons: list[str] = []
    base, quote = shown.symbol.split("/", 1)
    if now.policy_version != shown.policy_version:
        reasons.append(f"the policy changed from {shown.policy_version} to {now.policy_version}")
    if now.amount != shown.amount:
        reasons.append(f"the amount is now {plain(now.amount)} {base}, not {plain(shown.amount)}")
    if shown.average_price is None or now.average_price is None:
        if shown.average_price != now.average_price:
            reasons.append("the order would no longer fill the way it was previewed")
    else:
        moved = abs(now.average_price - shown.average_price) / shown.average_price * BPS
        if moved > tolerance_bps:
            reasons.append(
                f"the expected price moved {moved:.1f} bps (from {plain(shown.average_price)} "
                f"to {plain(now.average_price)} {quote}; tolerance {plain(tolerance_bps)} bps)"
            )
    if (now.fee.currency, now.fee.rate) != (shown.fee.currency, shown.fee.rate):
        reasons.append(
            f"the fee is now {plain(now.fee.rate * 100)}% in {now.fee.currency}, not "
            f"{plain(shown.fee.rate * 100)}% in {shown.fee.currency}"
        )
    if now.balances_before != shown.balances_before:
        changed = sorted(
            ccy
            for ccy in now.balances_before.keys() | shown.balances_before.keys()
            if now.balances_before.get(ccy) != shown.balances_before.get(ccy)
        )
        reasons.append(f"your {', '.join(changed)} balance changed since the preview")
    new_blocking = {w.code for w in now.warnings if w.blocking} - {
        w.code for w in shown.warnings if w.blocking
    }
    for warning in now.warnings:
        if warning.code in new_blocking:
            reasons.append(warning.message)
    return reasons
