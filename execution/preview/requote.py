"""Requote on confirm: is the fresh preview still what the customer agreed to?

Confirming a step previews it again on the current book and balances. The customer must
confirm again (``RequoteRequired``) only when the fresh preview differs from the one they
saw in something they agreed to; :func:`material_change` is that rule, the only place it
is written. A change is material when:

- ``price``: the expected average price moved beyond the tolerance (or the order would no
  longer fill the way it was previewed: an average where there was none, or none now);
- ``amount``: what the customer gets (net of a fee paid in it), what they pay, or the
  amount sent moved beyond the tolerance, or is in another currency;
- ``fee``: the fee is in another currency, at another rate, or costs more or less than
  the tolerance allows;
- ``policy``: the policy in force is another version and its verdict on the step is
  another (allowed, or denied for other reasons);
- ``blocking_warning``: a blocking warning the customer was not shown appeared (the
  balance no longer covers the order, a venue filter, a policy denial).

Not material: a balance that changed but still covers the order; a warning that does not
block; a price, amount or fee within tolerance; a new policy version with the same
verdict; a new instant and expiry. Then the order is sent on the fresh preview's figures
(the journal records that preview), and the sentence the customer confirmed still
describes it within the tolerance. Nothing is ever silently refreshed beyond it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from execution.policy import PolicyDecision
from execution.preview.simulator import StepPreview
from intent.models import BPS, plain

DEFAULT_TOLERANCE_BPS = Decimal(50)

ReasonCode = Literal["price", "amount", "fee", "policy", "blocking_warning"]


@dataclass(frozen=True, slots=True)
class Reason:
    """One material change: what kind (``code``) and, for support and the customer's
    refusal, what moved and by how much (``message``)."""

    code: ReasonCode
    message: str


def material_change(
    seen: StepPreview,
    fresh: StepPreview,
    *,
    seen_verdict: PolicyDecision,
    fresh_verdict: PolicyDecision,
    tolerance_bps: Decimal = DEFAULT_TOLERANCE_BPS,
) -> list[Reason]:
    """Why ``fresh`` is no longer what the customer agreed to when they were shown
    ``seen`` (each preview with the policy's verdict on it): an empty list means the
    order may go out on ``fresh`` under the confirmation given for ``seen``."""
    reasons: list[Reason] = []
    base, quote = seen.symbol.split("/", 1)

    def moved(before: Decimal, after: Decimal) -> Decimal | None:
        """``after``'s move from ``before`` in bps if beyond the tolerance, else None."""
        if before == after:
            return None
        if before == 0:
            return Decimal("Infinity")
        bps = abs(after - before) / abs(before) * BPS
        return bps if bps > tolerance_bps else None

    # price
    if seen.average_price is None or fresh.average_price is None:
        if seen.average_price != fresh.average_price:
            reasons.append(
                Reason("price", "the order would no longer fill the way it was previewed")
            )
    elif (bps := moved(seen.average_price, fresh.average_price)) is not None:
        reasons.append(
            Reason(
                "price",
                f"the expected price moved {bps:.1f} bps (from {plain(seen.average_price)} "
                f"to {plain(fresh.average_price)} {quote}; tolerance {plain(tolerance_bps)} bps)",
            )
        )

    # amounts: what is sent, what the customer gets and what they pay
    sides = (
        ("the amount sent", (base, seen.amount), (base, fresh.amount)),
        ("what you get", seen.received, fresh.received),
        ("what you pay", _paid(seen), _paid(fresh)),
    )
    for what, (was_ccy, was), (now_ccy, now) in sides:
        if was_ccy != now_ccy:
            reasons.append(Reason("amount", f"{what} is now in {now_ccy}, not {was_ccy}"))
        elif (bps := moved(was, now)) is not None:
            reasons.append(
                Reason(
                    "amount",
                    f"{what} is now {plain(now)} {now_ccy}, not {plain(was)} "
                    f"({_bps(bps)}; tolerance {plain(tolerance_bps)} bps)",
                )
            )

    # fee
    if (fresh.fee.currency, fresh.fee.rate) != (seen.fee.currency, seen.fee.rate):
        reasons.append(
            Reason(
                "fee",
                f"the fee is now {plain(fresh.fee.rate * 100)}% in {fresh.fee.currency}, not "
                f"{plain(seen.fee.rate * 100)}% in {seen.fee.currency}",
            )
        )
    elif (bps := moved(seen.fee.cost, fresh.fee.cost)) is not None:
        reasons.append(
            Reason(
                "fee",
                f"the fee is now {plain(fresh.fee.cost)} {fresh.fee.currency}, not "
                f"{plain(seen.fee.cost)} ({_bps(bps)}; tolerance {plain(tolerance_bps)} bps)",
            )
        )

    # policy: a new version matters only if it judges the step otherwise
    if fresh_verdict.policy_version != seen_verdict.policy_version and _verdict(
        fresh_verdict
    ) != _verdict(seen_verdict):
        reasons.append(
            Reason(
                "policy",
                f"the policy changed from {seen_verdict.policy_version} to "
                f"{fresh_verdict.policy_version}, and so did its verdict",
            )
        )

    # blocking warnings the customer was not shown (a denial under the same version too)
    shown_blocking = {w.code for w in seen.warnings if w.blocking}
    for warning in fresh.warnings:
        if warning.blocking and warning.code not in shown_blocking:
            reasons.append(Reason("blocking_warning", warning.message))
    return reasons


def same_figures(seen: StepPreview, fresh: StepPreview) -> bool:
    """Whether ``fresh`` shows exactly ``seen``'s figures (only its instant, expiry and
    snapshot time differ): then there is nothing new to record before sending."""
    instant = {"created_ms": seen.created_ms, "expires_ms": seen.expires_ms}
    assumptions = fresh.assumptions.model_copy(update={"snapshot_ms": seen.assumptions.snapshot_ms})
    return fresh.model_copy(update={**instant, "assumptions": assumptions}) == seen


def _paid(preview: StepPreview) -> tuple[str, Decimal]:
    """What the step is expected to cost the customer: (currency, amount)."""
    base, quote = preview.symbol.split("/", 1)
    return (quote, preview.notional) if preview.side == "buy" else (base, preview.amount)


def _verdict(decision: PolicyDecision) -> tuple[bool, frozenset[str]]:
    return decision.allowed, frozenset(d.code for d in decision.denials)


def _bps(bps: Decimal) -> str:
    return "a new amount" if bps.is_infinite() else f"{bps:.1f} bps"


__all__ = ["DEFAULT_TOLERANCE_BPS", "Reason", "ReasonCode", "material_change", "same_figures"]
