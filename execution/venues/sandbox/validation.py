"""What ``create_order`` refuses, and with which ccxt exception, before anything changes.

Each check reads its arguments (and the shared market's rules and filters) and either
returns the value as the account will use it (an amount truncated to the step, a price
rounded to the tick, a parsed trigger) or raises: ``ccxt.InvalidOrder`` for malformed
arguments, limits and filters, ``ccxt.DuplicateOrderId``, ``ccxt.OrderImmediatelyFillable``
and ``ccxt.InsufficientFunds``. None changes account state.
:meth:`~execution.venues.sandbox.exchange.SandboxExchange.create_order` calls them in a fixed
order, which decides which exception an order breaking several rules gets; ``venue_id``
starts every message, as ccxt's exchanges start theirs with their id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import ccxt

from execution.venues.filters import check_filters
from execution.venues.sandbox.rules import parse_number, price_to_precision, truncate_amount

if TYPE_CHECKING:
    from execution.venues.sandbox.market import SandboxMarket

__all__ = [
    "check_executable",
    "check_funds",
    "check_order_limits",
    "check_trigger_not_immediate",
    "check_type_and_side",
    "checked_amount",
    "checked_client_id",
    "checked_price",
    "checked_trigger",
    "time_in_force",
]

_ORDER_TYPES = ("market", "limit")
_SIDES = ("buy", "sell")
_TIME_IN_FORCE = ("GTC", "IOC", "FOK", "PO")
_TRIGGER_PARAMS = ("triggerPrice", "stopPrice", "takeProfitPrice", "stopLossPrice")


def check_type_and_side(venue_id: str, type: str, side: str) -> None:
    """``type`` is ``market`` or ``limit``, ``side`` is ``buy`` or ``sell``."""
    if type not in _ORDER_TYPES:
        raise ccxt.InvalidOrder(
            f"{venue_id} does not support order type {type!r}; use one of {_ORDER_TYPES}"
        )
    if side not in _SIDES:
        raise ccxt.InvalidOrder(f"{venue_id} order side must be 'buy' or 'sell', got {side!r}")


def checked_amount(
    venue_id: str, shared: SandboxMarket, symbol: str, market: Mapping[str, Any], amount: Any
) -> Decimal:
    """``amount``, positive, truncated to the market's step and within its amount limits."""
    raw = parse_number(venue_id, amount, "amount")
    if raw <= 0:
        raise ccxt.InvalidOrder(f"{venue_id} amount must be positive, got {amount!r}")
    rules = shared.rules(symbol)
    qty = Decimal(truncate_amount(venue_id, symbol, market, rules.amount_step, raw, raw))
    low, high = rules.amount_limits
    if low is not None and qty < rules.amount_min:
        raise ccxt.InvalidOrder(
            f"{venue_id} amount {qty} of {symbol} is below the minimum amount {low}"
        )
    if high is not None and qty > rules.amount_max:
        raise ccxt.InvalidOrder(
            f"{venue_id} amount {qty} of {symbol} is above the maximum amount {high}"
        )
    return qty


def time_in_force(venue_id: str, type: str, params: Mapping[str, Any]) -> tuple[str, bool]:
    """``(timeInForce, post only)`` from ``params``: ``IOC`` for a market order, ``GTC`` by
    default, ``PO`` for a post-only limit."""
    raw_tif = params.get("timeInForce")
    post_only = bool(params.get("postOnly", False))
    if type == "market":
        if post_only or raw_tif == "PO":
            raise ccxt.InvalidOrder(f"{venue_id} a market order cannot be post-only")
        return "IOC", False
    tif = "GTC" if raw_tif is None else str(raw_tif).upper()
    if tif not in _TIME_IN_FORCE:
        raise ccxt.InvalidOrder(
            f"{venue_id} timeInForce {raw_tif!r} is not supported; use one of {_TIME_IN_FORCE}"
        )
    if tif == "PO":
        post_only = True
    elif post_only and tif != "GTC":
        raise ccxt.InvalidOrder(f"{venue_id} postOnly cannot be combined with {tif}")
    return ("PO" if post_only else tif), post_only


def checked_price(
    venue_id: str, symbol: str, market: Mapping[str, Any], type: str, price: Any
) -> Decimal | None:
    """A limit order's price, positive, rounded to the tick and within the price limits;
    ``None`` for a market order."""
    if type == "market":
        return None  # a market order's price argument is ignored, as on most venues
    if price is None:
        raise ccxt.InvalidOrder(f"{venue_id} a limit order on {symbol} requires a price")
    raw = parse_number(venue_id, price, "price")
    if raw <= 0:
        raise ccxt.InvalidOrder(f"{venue_id} price must be positive, got {price!r}")
    rounded = Decimal(price_to_precision(venue_id, market, raw))
    limits = (market.get("limits") or {}).get("price") or {}
    low, high = limits.get("min"), limits.get("max")
    if rounded <= 0 or (low is not None and rounded < Decimal(str(low))):
        raise ccxt.InvalidOrder(
            f"{venue_id} price {price} of {symbol} is below the minimum price {low}"
        )
    if high is not None and rounded > Decimal(str(high)):
        raise ccxt.InvalidOrder(
            f"{venue_id} price {price} of {symbol} is above the maximum price {high}"
        )
    return rounded


def checked_trigger(
    venue_id: str, symbol: str, market: Mapping[str, Any], side: str, params: Mapping[str, Any]
) -> tuple[str, Decimal, bool] | None:
    """``(kind, trigger price, fires when the price is >= it)`` or ``None``."""
    given = {key: params[key] for key in _TRIGGER_PARAMS if params.get(key) is not None}
    if not given:
        return None
    stop = {given.pop(k) for k in ("triggerPrice", "stopPrice") if k in given}
    kinds = ([("stop", stop.pop())] if len(stop) == 1 else []) + [
        ("take_profit" if key == "takeProfitPrice" else "stop_loss", value)
        for key, value in given.items()
    ]
    if len(stop) > 0 or len(kinds) != 1:
        named = sorted(params.keys() & set(_TRIGGER_PARAMS))
        raise ccxt.InvalidOrder(
            f"{venue_id} an order takes one trigger (triggerPrice/stopPrice, "
            f"takeProfitPrice or stopLossPrice), got {named}"
        )
    kind, raw = kinds[0]
    number = parse_number(venue_id, raw, f"{kind} trigger price")
    if number <= 0:
        raise ccxt.InvalidOrder(f"{venue_id} trigger price must be positive, got {raw!r}")
    trigger = Decimal(price_to_precision(venue_id, market, number))
    # A stop buys a breakout (fires on the way up) and sells a breakdown; a take-profit
    # sells high / buys low; a stop-loss sells low / buys (covers) high.
    above = {"stop": side == "buy", "take_profit": side == "sell", "stop_loss": side == "buy"}
    return kind, trigger, above[kind]


def checked_client_id(
    venue_id: str, account_id: str, params: Mapping[str, Any], used: Mapping[str, str]
) -> str | None:
    """``params['clientOrderId']`` as a string (``None`` if not given), unless ``used``
    (client id -> order id) already holds it."""
    client_id = params.get("clientOrderId")
    if client_id is not None:
        client_id = str(client_id)
        if client_id in used:
            raise ccxt.DuplicateOrderId(
                f"{venue_id} clientOrderId {client_id!r} is already used by order "
                f"{used[client_id]} on account {account_id}"
            )
    return client_id


def check_executable(
    venue_id: str,
    symbol: str,
    type: str,
    side: str,
    post_only: bool,
    limit_price: Decimal | None,
    plan: Sequence[tuple[Decimal, Decimal]],
) -> None:
    """Against the plan of fills the book offers now: a post-only order must take nothing,
    a market order must take something."""
    if post_only and plan:
        touch = plan[0][0]
        raise ccxt.OrderImmediatelyFillable(
            f"{venue_id} post-only {side} at {limit_price} would take liquidity at "
            f"{touch} on {symbol}"
        )
    if type == "market" and not plan:
        raise ccxt.InvalidOrder(f"{venue_id} no {side} liquidity in the {symbol} book")


def check_trigger_not_immediate(
    venue_id: str,
    symbol: str,
    side: str,
    trigger: tuple[str, Decimal, bool],
    reference: Decimal,
) -> None:
    """A triggered order must not fire at once (at the ``reference`` price now)."""
    kind, trigger_price, above = trigger
    if (reference >= trigger_price) if above else (reference <= trigger_price):
        relation = "at or above" if above else "at or below"
        raise ccxt.OrderImmediatelyFillable(
            f"{venue_id} {kind} {side} trigger {trigger_price} on {symbol} would trigger "
            f"immediately: the reference price {reference} is already {relation} it"
        )


def check_order_limits(
    venue_id: str,
    shared: SandboxMarket,
    symbol: str,
    market: Mapping[str, Any],
    notional: Decimal,
    **order: Any,
) -> None:
    """The market's cost limits, then its venue filters: ``ccxt.InvalidOrder`` at the first
    one broken. ``order`` is what :func:`check_filters` takes."""
    _check_cost(venue_id, shared, symbol, market, notional)
    filters = shared.filters(symbol)
    if filters.empty:
        return
    violations = check_filters(filters, **order)
    if violations:
        raise ccxt.InvalidOrder(f"{venue_id} {violations[0].message}")


def _check_cost(
    venue_id: str, shared: SandboxMarket, symbol: str, market: Mapping[str, Any], notional: Decimal
) -> None:
    rules = shared.rules(symbol)
    low, high = rules.cost_limits
    quote = market["quote"]
    if low is not None and notional < rules.cost_min:
        raise ccxt.InvalidOrder(
            f"{venue_id} order cost {notional} {quote} on {symbol} is below the minimum "
            f"cost {low} {quote}"
        )
    if high is not None and notional > rules.cost_max:
        raise ccxt.InvalidOrder(
            f"{venue_id} order cost {notional} {quote} on {symbol} is above the maximum "
            f"cost {high} {quote}"
        )


def check_funds(
    venue_id: str,
    account_id: str,
    spend_code: str,
    needed: Decimal,
    free: Decimal,
    reserved_for: str | None = None,
) -> None:
    """``needed`` of ``spend_code`` is at most what is ``free``; ``reserved_for`` names the
    kind of a triggered order, whose funds stay reserved until it triggers."""
    if needed > free:
        raise ccxt.InsufficientFunds(
            f"{venue_id} account {account_id} has insufficient {spend_code}: "
            f"needs {needed} {spend_code}, free {free} {spend_code}"
            + (
                ""
                if reserved_for is None
                else f" (reserved for the {reserved_for} order until it triggers)"
            )
        )
