"""Invariants every sandbox account keeps, checked after each step of a property test."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from execution.venues.sandbox import MarketCatalog, SandboxExchange


def d(value: Any) -> Decimal:
    return Decimal(str(value))


def exact_totals(ex: SandboxExchange) -> dict[str, Decimal]:
    """Balances as exact decimals (from the venue's own ``info`` strings)."""
    return {row["asset"]: d(row["total"]) for row in ex.fetch_balance()["info"]["balances"]}


def check_account(
    ex: SandboxExchange, catalog: MarketCatalog, before: dict[str, Decimal], seen_trades: int
) -> int:
    """Assert the invariants after one step; return how many fills have been seen.

    free + used = total and nothing negative; reserved funds are exactly what the open
    orders hold back; every balance change is explained by the new fills, and at each
    fill's price the account's value changes by exactly minus the fee.
    """
    balance = ex.fetch_balance()
    for code, total in balance["total"].items():
        assert balance["free"][code] + balance["used"][code] == total, code
    rows = balance["info"]["balances"]
    for row in rows:
        assert d(row["free"]) + d(row["locked"]) == d(row["total"])
        assert d(row["free"]) >= 0
        assert d(row["locked"]) >= 0
    reserved: dict[str, Decimal] = {}
    for order in ex.fetch_open_orders():
        market = catalog.market(order["symbol"])
        code = market["quote"] if order["side"] == "buy" else market["base"]
        reserved[code] = reserved.get(code, Decimal(0)) + d(order["info"]["reserved"])
    for row in rows:
        assert d(row["locked"]) == reserved.get(row["asset"], Decimal(0))

    trades = ex.fetch_my_trades()[seen_trades:]
    delta: dict[str, Decimal] = {}
    for trade in trades:
        market = catalog.market(trade["symbol"])
        base, quote = market["base"], market["quote"]
        price, qty = d(trade["info"]["price"]), d(trade["info"]["qty"])
        fee = d(trade["info"]["commission"])
        sign = 1 if trade["side"] == "buy" else -1
        d_base = sign * qty - (fee if trade["fee"]["currency"] == base else 0)
        d_quote = -sign * price * qty - (fee if trade["fee"]["currency"] == quote else 0)
        fee_value = fee * price if trade["fee"]["currency"] == base else fee
        assert d_base * price + d_quote == -fee_value
        delta[base] = delta.get(base, Decimal(0)) + d_base
        delta[quote] = delta.get(quote, Decimal(0)) + d_quote
    after = exact_totals(ex)
    for code in set(before) | set(after):
        assert after.get(code, 0) - before.get(code, 0) == delta.get(code, 0), code
    return seen_trades + len(trades)


def cancel_all_releases_everything(ex: SandboxExchange) -> None:
    for order in ex.fetch_open_orders():
        ex.cancel_order(order["id"])
    assert all(v == 0 for v in ex.fetch_balance()["used"].values())
