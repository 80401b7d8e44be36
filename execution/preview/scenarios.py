"""What-if scenarios for plan simulation: a price shock, a wider spread, a thinner book.

A scenario transforms an order-book snapshot before the simulator walks it; the venue
itself is untouched. Prices stay on the market's tick, sizes on its step.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import Field

from intent.models import Model

HUNDRED = Decimal(100)


class SymbolScenario(Model):
    """One symbol's what-if: ``shock_pct`` moves the whole book, ``spread_mult`` scales every
    level's distance from the mid, ``depth_mult`` scales every level's size."""

    shock_pct: Decimal = Field(default=Decimal(0), gt=-100, le=1000)
    spread_mult: Decimal = Field(default=Decimal(1), gt=0, le=100)
    depth_mult: Decimal = Field(default=Decimal(1), gt=0, le=100)


def _on_step(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    return (value / step).to_integral_value(rounding) * step if step > 0 else value


def book_mid(book: Mapping[str, Any]) -> Decimal:
    """The mid of a ccxt order book: halfway between the best bid and the best ask."""
    return (Decimal(str(book["bids"][0][0])) + Decimal(str(book["asks"][0][0]))) / 2


def apply_scenario(
    book: Mapping[str, Any], market: Mapping[str, Any], scenario: SymbolScenario
) -> dict[str, Any]:
    """A copy of ``book`` (ccxt OrderBook shape) as it would look under ``scenario``."""
    bids, asks = book["bids"], book["asks"]
    mid = book_mid(book)
    factor = 1 + scenario.shock_pct / HUNDRED
    shocked_mid = mid * factor
    tick = Decimal(str(market["precision"]["price"]))
    step = Decimal(str(market["precision"]["amount"]))

    def level(price: Any, size: Any, away: int) -> list[float] | None:
        distance = (Decimal(str(price)) - mid) * factor * scenario.spread_mult
        # Keep each side strictly on its side of the mid after rounding to the tick.
        new_price = _on_step(shocked_mid + distance, tick, ROUND_HALF_UP)
        if away * (new_price - shocked_mid) <= 0:
            new_price = _on_step(shocked_mid, tick, ROUND_HALF_UP) + away * tick
        new_size = _on_step(Decimal(str(size)) * scenario.depth_mult, step, ROUND_DOWN)
        if new_price <= 0 or new_size <= 0:
            return None
        return [float(new_price), float(new_size)]

    new_bids = [lv for b in bids if (lv := level(b[0], b[1], -1)) is not None]
    new_asks = [lv for a in asks if (lv := level(a[0], a[1], +1)) is not None]
    return {**book, "bids": new_bids, "asks": new_asks}
