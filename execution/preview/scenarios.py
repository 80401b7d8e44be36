"""What-if scenarios for plan simulation: a price shock, a wider spread, a thinner book.

A scenario transforms an order-book snapshot before the simulator walks it; the venue
itself is untouched. Prices stay on the market's tick, sizes on its step.

Two guards keep every what-if previewable. The bounds of :class:`SymbolScenario` are what a
risk team asks of a market (a crash of at most 99%, spreads and depth from a hundredth to a
hundred times, to at most four decimal places). And :func:`reshaped` itself refuses
(:class:`~execution.errors.ScenarioRefused`) a book it cannot honestly draw on the market's
precision, whichever market and book it is given: a level priced at or below zero, or a
side left with no level. A level whose size rounds to zero on the step is left out (no
order could fill there, so the walk is the same); a side left with none is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, Literal

from pydantic import Field, field_validator

from execution.errors import ScenarioRefused
from intent.models import Model, plain

HUNDRED = Decimal(100)
ONE = Decimal(1)
Side = Literal["bids", "asks"]

#: The bounds of a what-if (see :class:`SymbolScenario`).
MIN_SHOCK_PCT, MAX_SHOCK_PCT = Decimal(-99), Decimal(1000)
MIN_MULT, MAX_MULT = Decimal("0.01"), Decimal(100)
MAX_SPREAD_MULT = Decimal(50)
SCENARIO_DECIMAL_PLACES = 4


class SymbolScenario(Model):
    """One symbol's what-if: ``shock_pct`` moves the whole book, ``spread_mult`` scales every
    level's distance from the mid, ``depth_mult`` scales every level's size."""

    shock_pct: Decimal = Field(
        default=Decimal(0),
        ge=MIN_SHOCK_PCT,
        le=MAX_SHOCK_PCT,
        decimal_places=SCENARIO_DECIMAL_PLACES,
        description="moves every price by this percentage, from -99 (a 99% crash) to 1000",
    )
    spread_mult: Decimal = Field(
        default=ONE,
        ge=MIN_MULT,
        le=MAX_SPREAD_MULT,
        decimal_places=SCENARIO_DECIMAL_PLACES,
        description="scales each level's distance from the mid, from 0.01 to 50",
    )
    depth_mult: Decimal = Field(
        default=ONE,
        ge=MIN_MULT,
        le=MAX_MULT,
        decimal_places=SCENARIO_DECIMAL_PLACES,
        description="scales each level's size, from 0.01 to 100",
    )

    @field_validator("shock_pct", "spread_mult", "depth_mult")
    @classmethod
    def _as_written(cls, value: Decimal) -> Decimal:
        """``-10``, not ``-1E+1`` or ``-10.0000``: one spelling per figure, as people write it
        (it is shown back in the preview's assumptions)."""
        return Decimal(plain(value))


def _on_step(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    return (value / step).to_integral_value(rounding) * step if step > 0 else value


def book_mid(book: Mapping[str, Any]) -> Decimal:
    """The mid of a ccxt order book: halfway between the best bid and the best ask."""
    return (Decimal(str(book["bids"][0][0])) + Decimal(str(book["asks"][0][0]))) / 2


def apply_scenario(
    book: Mapping[str, Any], market: Mapping[str, Any], scenario: SymbolScenario
) -> dict[str, Any]:
    """A copy of ``book`` (ccxt OrderBook shape) as it would look under ``scenario``;
    :class:`~execution.errors.ScenarioRefused` if that book cannot be previewed."""
    return reshaped(
        book,
        market,
        shock_pct=scenario.shock_pct,
        spread_mult=scenario.spread_mult,
        depth_mult=scenario.depth_mult,
        what=f"under {_described(scenario)}",
    )


def reshaped(
    book: Mapping[str, Any],
    market: Mapping[str, Any],
    *,
    shock_pct: Decimal = Decimal(0),
    spread_mult: Decimal = ONE,
    depth_mult: Decimal = ONE,
    what: str | None = None,
) -> dict[str, Any]:
    """A copy of ``book`` with every price moved by ``shock_pct``, every level's distance
    from the mid scaled by ``spread_mult`` and every size by ``depth_mult``, on the market's
    tick and step; :class:`~execution.errors.ScenarioRefused` if a level's price lands at
    or below zero, or a side has no level left (``what``, e.g. ``under shock_pct=-99``,
    says in its message how the book was changed). Takes any figures:
    :class:`SymbolScenario` bounds what a caller may ask for."""
    symbol = str(market.get("symbol", "?"))
    what = what or f"under shock_pct={plain(shock_pct)}"
    mid = book_mid(book)
    factor = 1 + shock_pct / HUNDRED
    shocked_mid = mid * factor
    tick = Decimal(str(market["precision"]["price"]))
    step = Decimal(str(market["precision"]["amount"]))

    def refuse(side: Side, message: str, **details: str) -> ScenarioRefused:
        return ScenarioRefused(
            f"{symbol}'s book {what} would have {message}",
            {"symbol": symbol, "side": side, **details},
        )

    def side_of(levels: Any, side: Side) -> list[list[float]]:
        away = -1 if side == "bids" else +1
        out: list[list[float]] = []
        for number, (price, size, *_) in enumerate(levels, start=1):
            distance = (Decimal(str(price)) - mid) * factor * spread_mult
            # Keep each side strictly on its side of the mid after rounding to the tick.
            new_price = _on_step(shocked_mid + distance, tick, ROUND_HALF_UP)
            if away * (new_price - shocked_mid) <= 0:
                new_price = _on_step(shocked_mid, tick, ROUND_HALF_UP) + away * tick
            if new_price <= 0:
                raise refuse(
                    side,
                    f"a {side[:-1]} at {plain(new_price)} (level {number}), at or below zero "
                    f"on the tick {plain(tick)}",
                    level=str(number),
                    price=plain(new_price),
                )
            new_size = _on_step(Decimal(str(size)) * depth_mult, step, ROUND_DOWN)
            if new_size > 0:  # less than a step: nothing could fill there
                out.append([float(new_price), float(new_size)])
        if not out:
            raise refuse(
                side,
                f"no {side}: every level's size rounds to zero on the step {plain(step)}"
                if len(levels)
                else f"no {side}",
            )
        return out

    return {**book, "bids": side_of(book["bids"], "bids"), "asks": side_of(book["asks"], "asks")}


def _described(scenario: SymbolScenario) -> str:
    """``shock_pct=-99, depth_mult=0.01``: the figures that differ from no change."""
    changed = [
        f"{name}={plain(value)}"
        for name, value in scenario.model_dump().items()
        if value != SymbolScenario.model_fields[name].default
    ]
    return ", ".join(changed) or "no change"
