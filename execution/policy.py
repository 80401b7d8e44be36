"""Versioned policy: the exchange's limits, checked on every preview.

A denial is data, not an exception: a :class:`PolicyDecision` with reason codes such as
``NOTIONAL_EXCEEDS_MAX_PER_ORDER: max=50000 USDT, got=61000 USDT``, journaled as an event.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from execution.simulator import StepPreview
from intent.models import Model


class Denial(Model):
    code: str
    message: str


class PolicyDecision(Model):
    policy_version: str
    allowed: bool
    denials: tuple[Denial, ...] = ()


class Policy(Model):
    """The rules in force; ``version`` is recorded with every preview and confirmation."""

    version: str = "2026-11-21.1"
    max_order_notional: dict[str, Decimal] = Field(
        default_factory=lambda: {
            "USDT": Decimal(50_000),
            "USDC": Decimal(50_000),
            "USD": Decimal(50_000),
            "HKD": Decimal(400_000),
            "EUR": Decimal(45_000),
            "BTC": Decimal(1),
        }
    )
    allowed_assets: frozenset[str] | None = None  # None: every asset the venue lists
    max_limit_distance_pct: Decimal = Decimal(10)  # fat-finger band, against the mid
    max_slippage_bps: Decimal = Decimal(200)

    def check(self, preview: StepPreview) -> PolicyDecision:
        base, quote = preview.symbol.split("/", 1)
        denials: list[Denial] = []
        if self.allowed_assets is not None:
            for asset in (base, quote):
                if asset not in self.allowed_assets:
                    denials.append(
                        Denial(
                            code="ASSET_NOT_ALLOWED", message=f"ASSET_NOT_ALLOWED: asset={asset}"
                        )
                    )
        cap = self.max_order_notional.get(quote)
        if cap is None:
            denials.append(
                Denial(
                    code="QUOTE_NOT_ALLOWED",
                    message=f"QUOTE_NOT_ALLOWED: no per-order limit for {quote}",
                )
            )
        elif preview.notional > cap:
            denials.append(
                Denial(
                    code="NOTIONAL_EXCEEDS_MAX_PER_ORDER",
                    message=f"NOTIONAL_EXCEEDS_MAX_PER_ORDER: max={cap} {quote}, "
                    f"got={preview.notional:.2f} {quote}",
                )
            )
        if preview.type == "limit" and preview.price is not None and preview.mid_price > 0:
            # Only the aggressive side is a fat finger: a buy far above the mid or a sell far
            # below it (as HashKey's buyPriceUpRate / sellPriceDownRate filters).
            signed = preview.price - preview.mid_price
            distance = (signed if preview.side == "buy" else -signed) / preview.mid_price * 100
            if distance > self.max_limit_distance_pct:
                denials.append(
                    Denial(
                        code="PRICE_OUTSIDE_BAND",
                        message=f"PRICE_OUTSIDE_BAND: max={self.max_limit_distance_pct}% "
                        f"{'above' if preview.side == 'buy' else 'below'} the mid "
                        f"{preview.mid_price:.2f}, got={distance:.2f}%",
                    )
                )
        if preview.type == "market" and preview.slippage_bps > self.max_slippage_bps:
            denials.append(
                Denial(
                    code="SLIPPAGE_EXCEEDS_MAX",
                    message=f"SLIPPAGE_EXCEEDS_MAX: max={self.max_slippage_bps} bps, "
                    f"got={preview.slippage_bps} bps",
                )
            )
        return PolicyDecision(
            policy_version=self.version, allowed=not denials, denials=tuple(denials)
        )
