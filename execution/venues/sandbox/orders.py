"""The records an account keeps: :class:`OrderState` per order and a :data:`Fill` per fill.

Only the owning :class:`~execution.venues.sandbox.exchange.SandboxExchange` changes them;
:mod:`execution.venues.sandbox.shapes` turns them into ccxt's ``Order`` and ``Trade`` dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

__all__ = ["FILL_FEE_RATE", "FILL_SYMBOL", "Fill", "OrderState"]

_ZERO = Decimal(0)


# One fill: ``(id, order_id, symbol, type, side, price, amount, cost, fee_cost,
# fee_currency, fee_rate, taker_or_maker, timestamp)``. A plain tuple rather than an object
# because an account keeps every fill it ever made: the garbage collector stops tracking a
# tuple of atoms (str, int, Decimal) after its first collection, whereas every dataclass
# instance is traversed again by each full collection (with five fills per order, those
# collections were about a quarter of a market order's cost in bench/venue.py).
Fill = tuple[str, str, str, str, str, Decimal, Decimal, Decimal, Decimal, str, Decimal, str, int]
FILL_SYMBOL: Final = 2
FILL_FEE_RATE: Final = 10


@dataclass(slots=True)
class OrderState:
    """Mutable bookkeeping of one order (only the owning exchange touches it)."""

    id: str
    client_order_id: str | None
    symbol: str
    base: str
    quote: str
    type: str
    side: str
    time_in_force: str
    post_only: bool
    amount: Decimal
    price: Decimal | None
    timestamp: int
    maker_rate: Decimal
    seen_reference: Decimal
    status: str = "open"
    filled: Decimal = _ZERO
    cost: Decimal = _ZERO
    fee_cost: Decimal = _ZERO
    fills: tuple[Fill, ...] = ()
    last_trade_timestamp: int | None = None
    last_update_timestamp: int | None = None
    reserved: Decimal = _ZERO
    cancel_reason: str | None = None
    # Conditional orders: which trigger param, its price, and the side of it that fires.
    trigger_kind: str | None = None
    trigger_price: Decimal | None = None
    trigger_above: bool = False
    triggered: bool = False
    trigger_time: int | None = None
    reserve_cap: Decimal | None = None  # spending cap of a triggered market buy

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.filled

    @property
    def fee_currency(self) -> str:
        return self.base if self.side == "buy" else self.quote

    @property
    def reserve_currency(self) -> str:
        return self.quote if self.side == "buy" else self.base
