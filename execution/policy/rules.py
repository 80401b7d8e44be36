"""The exchange's rules, checked on every preview: caps per order and per UTC day by tier
and quote currency, price bands, and what a denial says.

A denial is data, not an exception: a :class:`PolicyDecision` with reason codes such as
``NOTIONAL_EXCEEDS_MAX_PER_ORDER: max=50000 USDT, got=61000 USDT``, journaled as an event.
:meth:`Policy.check` is given what the customer has already used today (from
:mod:`execution.policy.limits`); the ledger enforces the daily cap again, atomically, when
an order is about to be sent.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Annotated

from pydantic import (
    Field,
    StringConstraints,
    ValidationInfo,
    field_serializer,
    field_validator,
)

from execution.i18n.numbers import money
from execution.preview.simulator import StepPreview
from intent.models import Model, plain

DEFAULT_VERSION = "2026-11-21.2"
DEFAULT_TIER = "verified"
MAX_MONEY = Decimal(10**10)  # the ledger counts in 10^-8 units in a signed 64-bit integer

TierName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,16}$")]
Money = Annotated[Decimal, Field(gt=0, le=MAX_MONEY, decimal_places=8)]


class Denial(Model):
    """A rule the order breaks: ``message`` for support, ``params`` for the sentence the
    customer is shown (execution.i18n), which says what the limit is and what it allows."""

    code: str
    message: str
    params: dict[str, str] = Field(default_factory=dict, exclude_if=lambda v: not v)


class PolicyDecision(Model):
    policy_version: str
    allowed: bool
    denials: tuple[Denial, ...] = ()


def _caps(usd: int, hkd: int, eur: int, btc: str) -> dict[str, Decimal]:
    return {
        "USDT": Decimal(usd),
        "USDC": Decimal(usd),
        "USD": Decimal(usd),
        "HKD": Decimal(hkd),
        "EUR": Decimal(eur),
        "BTC": Decimal(btc),
    }


class TierLimits(Model):
    """One tier's notional caps per quote currency: per order and per UTC day."""

    max_order_notional: dict[Currency, Money] = Field(min_length=1)
    max_daily_notional: dict[Currency, Money] = Field(min_length=1)

    @field_validator("max_daily_notional")
    @classmethod
    def _daily_covers_each_order(
        cls, daily: dict[str, Decimal], info: ValidationInfo
    ) -> dict[str, Decimal]:
        per_order = info.data.get("max_order_notional")
        if per_order is None:  # already reported on its own field
            return daily
        if set(daily) != set(per_order):
            missing = sorted(set(per_order) ^ set(daily))
            raise ValueError(
                "must name the same quote currencies as max_order_notional "
                f"(differs in {', '.join(missing)})"
            )
        below = sorted(q for q in daily if daily[q] < per_order[q])
        if below:
            raise ValueError(
                "must not be below max_order_notional for "
                + ", ".join(f"{q} ({daily[q]} < {per_order[q]})" for q in below)
            )
        return daily


def _default_tiers() -> dict[str, TierLimits]:
    return {
        "basic": TierLimits(
            max_order_notional=_caps(5_000, 40_000, 4_500, "0.1"),
            max_daily_notional=_caps(10_000, 80_000, 9_000, "0.2"),
        ),
        "verified": TierLimits(
            max_order_notional=_caps(50_000, 400_000, 45_000, "1"),
            max_daily_notional=_caps(200_000, 1_600_000, 180_000, "4"),
        ),
        "pro": TierLimits(
            max_order_notional=_caps(250_000, 2_000_000, 225_000, "5"),
            max_daily_notional=_caps(1_000_000, 8_000_000, 900_000, "20"),
        ),
    }


class PolicyRules(Model):
    """The rules without their version: what an administrator submits."""

    tiers: dict[TierName, TierLimits] = Field(default_factory=_default_tiers, min_length=1)
    allowed_assets: frozenset[Currency] | None = None  # None: every asset the venue lists
    max_limit_distance_pct: Decimal = Field(default=Decimal(10), gt=0, le=100)  # fat finger
    max_slippage_bps: Decimal = Field(default=Decimal(200), gt=0, le=10_000)

    @field_serializer("allowed_assets", when_used="json")
    def _sorted_assets(self, assets: frozenset[str] | None) -> list[str] | None:
        return None if assets is None else sorted(assets)  # the same JSON in every process


def daily_limit_denial(
    quote: str, cap: Decimal, used: Decimal, amount: Decimal, tier: str | None = None
) -> Denial:
    """The denial for an order that would take the day's notional past ``cap``."""
    of_tier = f" (tier {tier})" if tier is not None else ""
    return Denial(
        code="NOTIONAL_EXCEEDS_MAX_PER_DAY",
        params={
            "cap": money(cap, quote),
            "left": money(max(cap - used, Decimal(0)), quote),
            "quote": quote,
        },
        message=f"NOTIONAL_EXCEEDS_MAX_PER_DAY: max={plain(cap)} {quote} per day{of_tier}, "
        f"already used={used:.2f} {quote}, this order={amount:.2f} {quote}",
    )


class Policy(PolicyRules):
    """The rules in force; ``version`` is recorded with every preview and confirmation."""

    version: str = Field(default=DEFAULT_VERSION, min_length=1, max_length=64)

    def order_cap(self, tier: str, quote: str) -> Decimal | None:
        """The per-order cap for ``tier`` in ``quote``; None if the tier or quote has none."""
        limits = self.tiers.get(tier)
        return None if limits is None else limits.max_order_notional.get(quote)

    def daily_cap(self, tier: str, quote: str) -> Decimal | None:
        """The per-day cap for ``tier`` in ``quote``: what the ledger reserves against."""
        limits = self.tiers.get(tier)
        return None if limits is None else limits.max_daily_notional.get(quote)

    def check(
        self,
        preview: StepPreview,
        tier: str = DEFAULT_TIER,
        used_today: Decimal = Decimal(0),
    ) -> PolicyDecision:
        """Every rule against ``preview``; ``used_today`` is the notional the customer has
        already committed today in the preview's quote currency (see execution.policy.limits)."""
        if used_today < 0:
            raise ValueError(f"used_today cannot be negative: {used_today}")
        base, quote = preview.symbol.split("/", 1)
        denials: list[Denial] = []
        if self.allowed_assets is not None:
            for asset in (base, quote):
                if asset not in self.allowed_assets:
                    denials.append(
                        Denial(
                            code="ASSET_NOT_ALLOWED",
                            message=f"ASSET_NOT_ALLOWED: asset={asset}",
                            params={"asset": asset},
                        )
                    )
        denials.extend(self._notional_denials(preview, quote, tier, used_today))
        if preview.type == "limit" and preview.price is not None and preview.mid_price > 0:
            # Only the aggressive side is a fat finger: a buy far above the mid or a sell far
            # below it (as HashKey's buyPriceUpRate / sellPriceDownRate filters).
            signed = preview.price - preview.mid_price
            distance = (signed if preview.side == "buy" else -signed) / preview.mid_price * 100
            if distance > self.max_limit_distance_pct:
                away = self.max_limit_distance_pct / 100
                bound = preview.mid_price * (1 + away if preview.side == "buy" else 1 - away)
                denials.append(
                    Denial(
                        code="PRICE_OUTSIDE_BAND",
                        params={
                            "side": preview.side,
                            "pct": plain(self.max_limit_distance_pct),
                            "bound": money(bound, quote),
                            "quote": quote,
                        },
                        message=f"PRICE_OUTSIDE_BAND: max={self.max_limit_distance_pct}% "
                        f"{'above' if preview.side == 'buy' else 'below'} the mid "
                        f"{preview.mid_price:.2f}, got={distance:.2f}%",
                    )
                )
        if preview.type == "market" and preview.slippage_bps > self.max_slippage_bps:
            denials.append(
                Denial(
                    code="SLIPPAGE_EXCEEDS_MAX",
                    params={
                        "max": plain(self.max_slippage_bps / 100),
                        "got": plain((preview.slippage_bps / 100).quantize(Decimal("0.01"))),
                    },
                    message=f"SLIPPAGE_EXCEEDS_MAX: max={self.max_slippage_bps} bps, "
                    f"got={preview.slippage_bps} bps",
                )
            )
        return PolicyDecision(
            policy_version=self.version, allowed=not denials, denials=tuple(denials)
        )

    def caps(self, tier: str, quote: str) -> tuple[Decimal, Decimal] | Denial:
        """(per-order cap, per-day cap) for ``tier`` in ``quote``, or the denial saying why
        there are none (``TIER_UNKNOWN`` or ``QUOTE_NOT_ALLOWED``)."""
        limits = self.tiers.get(tier)
        if limits is None:
            return Denial(
                code="TIER_UNKNOWN",
                message=f"TIER_UNKNOWN: policy {self.version} has no limits for tier "
                f"{tier!r} (known: {', '.join(sorted(self.tiers))})",
            )
        order_cap = limits.max_order_notional.get(quote)
        daily_cap = limits.max_daily_notional.get(quote)
        if order_cap is None or daily_cap is None:
            return Denial(
                code="QUOTE_NOT_ALLOWED",
                params={"quote": quote},
                message=f"QUOTE_NOT_ALLOWED: no per-order limit for {quote}",
            )
        return order_cap, daily_cap

    def _notional_denials(
        self, preview: StepPreview, quote: str, tier: str, used_today: Decimal
    ) -> list[Denial]:
        caps = self.caps(tier, quote)
        if isinstance(caps, Denial):
            return [caps]
        order_cap, daily_cap = caps
        denials: list[Denial] = []
        if preview.notional > order_cap:
            base = preview.symbol.split("/", 1)[0]
            price = preview.average_price or preview.mid_price
            most = order_cap / price if price > 0 else Decimal(0)
            denials.append(
                Denial(
                    code="NOTIONAL_EXCEEDS_MAX_PER_ORDER",
                    params={
                        "cap": money(order_cap, quote),
                        "quote": quote,
                        "base": base,
                        "max_amount": money(most.quantize(Decimal("0.000001"), ROUND_DOWN), base),
                    },
                    message=f"NOTIONAL_EXCEEDS_MAX_PER_ORDER: max={order_cap} {quote}, "
                    f"got={preview.notional:.2f} {quote}",
                )
            )
        if used_today + preview.notional > daily_cap:
            denials.append(daily_limit_denial(quote, daily_cap, used_today, preview.notional, tier))
        return denials
