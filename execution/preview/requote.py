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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from execution.i18n import DEFAULT_LOCALE, Locale
from execution.i18n.catalogue import render
from execution.policy import PolicyDecision
from execution.preview.simulator import PreviewWarning, StepPreview
from execution.preview.warnings import warning_text
from intent.models import BPS, plain

DEFAULT_TOLERANCE_BPS = Decimal(50)

ReasonCode = Literal["price", "amount", "fee", "policy", "blocking_warning"]


@dataclass(frozen=True, slots=True)
class Reason:
    """One material change: what kind (``code``), and the sentence that says what moved
    and by how much: catalogue ``requote.<key>`` filled with ``params`` (figures already
    formatted), or a blocking ``warning``'s own sentence. Said in the customer's language
    with :meth:`text`; :attr:`message` is for support and the journal's English."""

    code: ReasonCode
    key: str
    params: Mapping[str, str] = field(default_factory=dict)
    warning: PreviewWarning | None = None

    def text(self, locale: Locale = DEFAULT_LOCALE) -> str:
        if self.warning is not None:
            return warning_text(self.warning, locale)
        params = dict(self.params)
        if "what" in params:  # which amount: its words in the same language
            params["what"] = render(f"requote.what.{params['what']}", locale)
        return render(f"requote.{self.key}", locale, params)

    @property
    def message(self) -> str:
        """For support: a warning's own message (with the venue's or policy's code), else
        the English sentence."""
        return self.text(DEFAULT_LOCALE) if self.warning is None else self.warning.message

    def to_json(self) -> dict[str, Any]:
        """As the journal keeps it (``Requote.said``), to be said again in any language."""
        data: dict[str, Any] = {"code": self.code, "key": self.key, "params": dict(self.params)}
        if self.warning is not None:
            data["warning"] = self.warning.model_dump(mode="json")
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Reason:
        warning = data.get("warning")
        return cls(
            code=data["code"],
            key=data["key"],
            params=dict(data.get("params") or {}),
            warning=None if warning is None else PreviewWarning.model_validate(warning),
        )


def said_in(locale: Locale, english: Sequence[str], said: Sequence[Mapping[str, Any]]) -> list[str]:
    """A journaled requote's reasons in ``locale``: from their codes (``said``), or the
    ``english`` sentences of an entry written before codes were kept."""
    return [Reason.from_json(reason).text(locale) for reason in said] if said else list(english)


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
            reasons.append(Reason("price", "fill_changed"))
    elif (bps := moved(seen.average_price, fresh.average_price)) is not None:
        reasons.append(
            Reason(
                "price",
                "price_moved",
                {
                    "bps": f"{bps:.1f}",
                    "was": plain(seen.average_price),
                    "now": plain(fresh.average_price),
                    "quote": quote,
                    "tolerance": plain(tolerance_bps),
                },
            )
        )

    # amounts: what is sent, what the customer gets and what they pay
    sides = (
        ("sent", (base, seen.amount), (base, fresh.amount)),
        ("get", seen.received, fresh.received),
        ("pay", _paid(seen), _paid(fresh)),
    )
    for what, (was_ccy, was), (now_ccy, now) in sides:
        if was_ccy != now_ccy:
            reasons.append(
                Reason(
                    "amount",
                    "amount_currency",
                    {"what": what, "now_currency": now_ccy, "was_currency": was_ccy},
                )
            )
        elif (bps := moved(was, now)) is not None:
            reasons.append(
                Reason(
                    "amount",
                    "amount_moved" if bps.is_finite() else "amount_new",
                    {
                        "what": what,
                        "now": plain(now),
                        "was": plain(was),
                        "currency": now_ccy,
                        "bps": f"{bps:.1f}" if bps.is_finite() else "",
                        "tolerance": plain(tolerance_bps),
                    },
                )
            )

    # fee
    if (fresh.fee.currency, fresh.fee.rate) != (seen.fee.currency, seen.fee.rate):
        reasons.append(
            Reason(
                "fee",
                "fee_rate",
                {
                    "rate": plain(fresh.fee.rate * 100),
                    "currency": fresh.fee.currency,
                    "was_rate": plain(seen.fee.rate * 100),
                    "was_currency": seen.fee.currency,
                },
            )
        )
    elif (bps := moved(seen.fee.cost, fresh.fee.cost)) is not None:
        reasons.append(
            Reason(
                "fee",
                "fee_moved" if bps.is_finite() else "fee_new",
                {
                    "now": plain(fresh.fee.cost),
                    "was": plain(seen.fee.cost),
                    "currency": fresh.fee.currency,
                    "bps": f"{bps:.1f}" if bps.is_finite() else "",
                    "tolerance": plain(tolerance_bps),
                },
            )
        )

    # policy: a new version matters only if it judges the step otherwise
    if fresh_verdict.policy_version != seen_verdict.policy_version and _verdict(
        fresh_verdict
    ) != _verdict(seen_verdict):
        reasons.append(
            Reason(
                "policy",
                "policy",
                {"was": seen_verdict.policy_version, "now": fresh_verdict.policy_version},
            )
        )

    # blocking warnings the customer was not shown (a denial under the same version too)
    shown_blocking = {w.code for w in seen.warnings if w.blocking}
    for warning in fresh.warnings:
        if warning.blocking and warning.code not in shown_blocking:
            reasons.append(Reason("blocking_warning", "warning", warning=warning))
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


__all__ = [
    "DEFAULT_TOLERANCE_BPS",
    "Reason",
    "ReasonCode",
    "material_change",
    "said_in",
    "same_figures",
]
