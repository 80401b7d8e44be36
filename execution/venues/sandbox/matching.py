"""Matching: which fills an order gets from a book, as pure functions of their arguments.

A *plan* is the list of ``(price, amount)`` fills an order takes, best price first.
:func:`walk` takes an amount from a book's opposite side up to an optional limit price (the
book is a snapshot: walking it does not deplete it), :func:`within_budget` cuts a plan to
what a quote budget pays for and :func:`totals` adds a plan up. No account state is read or
changed here: the account (:mod:`execution.venues.sandbox.exchange`) executes plans.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_FLOOR, Decimal

from execution.venues.sandbox.book import Book, Level

__all__ = ["totals", "walk", "within_budget"]

_ZERO = Decimal(0)


def walk(
    book: Book, side: str, qty: Decimal, limit: Decimal | None
) -> list[tuple[Decimal, Decimal]]:
    """Fills ``(price, amount)`` taking ``qty`` from the opposite side up to ``limit``."""
    levels: tuple[Level, ...] = book.asks if side == "buy" else book.bids
    plan: list[tuple[Decimal, Decimal]] = []
    left = qty
    for level in levels:
        if limit is not None and (
            (side == "buy" and level.price > limit) or (side == "sell" and level.price < limit)
        ):
            break
        take = min(left, level.amount)
        plan.append((level.price, take))
        left -= take
        if left == 0:
            break
    return plan


def within_budget(
    plan: list[tuple[Decimal, Decimal]], budget: Decimal, step: Decimal
) -> list[tuple[Decimal, Decimal]]:
    """The prefix of ``plan`` a buyer with ``budget`` quote can pay for (whole steps)."""
    kept: list[tuple[Decimal, Decimal]] = []
    left = budget
    for price, qty in plan:
        if price * qty <= left:
            kept.append((price, qty))
            left -= price * qty
            continue
        part = (left / price / step).to_integral_value(rounding=ROUND_FLOOR) * step
        if part > 0:
            kept.append((price, part))
        break
    return kept


def totals(plan: Iterable[tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal]:
    """``(sum of amounts, sum of price x amount)`` of a plan of fills, added up from zero in
    plan order (as ``sum(..., Decimal(0))`` does), in one pass."""
    qty = cost = _ZERO
    for price, amount in plan:
        qty += amount
        cost += price * amount
    return qty, cost
