"""Market rules: what an order on one sandbox market is rounded to, limited by and charged.

:class:`MarketRules` converts a catalog market's amount step, amount and cost limits and fee
rates once (:meth:`~execution.venues.sandbox.market.SandboxMarket.rules` caches one per
market); :func:`truncate_amount` and :func:`price_to_precision` round as ccxt does (TICK_SIZE
mode), and :func:`parse_number` reads a number given by a caller, refusing anything that is not
a finite number with ``ccxt.InvalidOrder``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

import ccxt
from ccxt.base.decimal_to_precision import (
    NO_PADDING,
    ROUND,
    TICK_SIZE,
    TRUNCATE,
    decimal_to_precision,
)

__all__ = ["MarketRules", "parse_number", "price_to_precision", "truncate_amount"]

_ZERO = Decimal(0)


@functools.lru_cache(maxsize=8192)
def _decimal_to_precision(number: str, rounding: int, step: str) -> str:
    """ccxt's own rounding (TICK_SIZE mode, no padding), memoised: it is a pure function
    of its arguments and costs several microseconds a call."""
    return str(decimal_to_precision(number, rounding, step, TICK_SIZE, NO_PADDING))


def _rate(market: Mapping[str, Any], key: str) -> Decimal:
    value = market.get(key)
    # Some fixtures omit fees; a missing rate is treated as free rather than an error.
    return _ZERO if value is None else Decimal(str(value))


def _min_max(market: Mapping[str, Any], kind: str) -> tuple[Any, Any]:
    limits = (market.get("limits") or {}).get(kind) or {}
    return limits.get("min"), limits.get("max")


class MarketRules:
    """What an order on one market is checked and charged with, converted from its catalog
    entry once rather than on every order (the catalog is immutable): the amount step as
    ccxt's precision string, the fee rates and the amount and cost limits as Decimals.

    Each value is a ``cached_property`` computed on first use: a malformed catalog value
    raises where, and every time, it is used, as converting it on each order did.
    """

    def __init__(self, market: Mapping[str, Any]) -> None:
        self.market = market

    @cached_property
    def amount_step(self) -> str:
        return str(self.market["precision"]["amount"])

    @cached_property
    def taker(self) -> Decimal:
        return _rate(self.market, "taker")

    @cached_property
    def maker(self) -> Decimal:
        return _rate(self.market, "maker")

    @cached_property
    def amount_limits(self) -> tuple[Any, Any]:
        """``limits.amount`` ``(min, max)`` as the catalog has them (``None``: no limit)."""
        return _min_max(self.market, "amount")

    @cached_property
    def amount_min(self) -> Decimal:  # read only when there is a minimum
        return Decimal(str(self.amount_limits[0]))

    @cached_property
    def amount_max(self) -> Decimal:  # read only when there is a maximum
        return Decimal(str(self.amount_limits[1]))

    @cached_property
    def cost_limits(self) -> tuple[Any, Any]:
        """``limits.cost`` ``(min, max)`` as the catalog has them (``None``: no limit)."""
        return _min_max(self.market, "cost")

    @cached_property
    def cost_min(self) -> Decimal:  # read only when there is a minimum
        return Decimal(str(self.cost_limits[0]))

    @cached_property
    def cost_max(self) -> Decimal:  # read only when there is a maximum
        return Decimal(str(self.cost_limits[1]))


def truncate_amount(
    venue_id: str, symbol: str, market: Mapping[str, Any], step: str, number: Decimal, amount: Any
) -> str:
    """``amount`` (already parsed into ``number``) truncated to ``step`` (ccxt's TRUNCATE,
    TICK_SIZE mode); ``ccxt.InvalidOrder`` if it truncates to zero, as ccxt does."""
    result = _decimal_to_precision(str(number), TRUNCATE, step)
    if Decimal(result) == 0:
        raise ccxt.InvalidOrder(
            f"{venue_id} amount {amount} of {symbol} rounds to zero: "
            f"must be at least the amount precision {market['precision']['amount']}"
        )
    return result


def price_to_precision(venue_id: str, market: Mapping[str, Any], price: Any) -> str:
    """``price`` rounded to ``market``'s tick (ccxt's ROUND, TICK_SIZE mode)."""
    return _to_precision(venue_id, price, ROUND, market["precision"]["price"], "price")


def _to_precision(venue_id: str, value: Any, rounding: int, step: Any, what: str) -> str:
    number = parse_number(venue_id, value, what)
    return _decimal_to_precision(str(number), rounding, str(step))


def parse_number(venue_id: str, value: Any, what: str) -> Decimal:
    """``value`` as a Decimal; ``ccxt.InvalidOrder`` if it is a bool, not a number or not
    finite (``what`` names it in the message)."""
    if isinstance(value, bool):
        raise ccxt.InvalidOrder(f"{venue_id} {what} must be a number, got {value!r}")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ccxt.InvalidOrder(f"{venue_id} {what} must be a number, got {value!r}") from None
    if not number.is_finite():
        raise ccxt.InvalidOrder(f"{venue_id} {what} must be finite, got {value!r}")
    return number
