"""The decimal arithmetic every preview and record is computed in, whatever the thread's
context.

ccxt's ``decimal_to_precision`` (called by any ccxt exchange's ``amount_to_precision`` and
``price_to_precision``) sets its *thread's* decimal context to ``ROUND_HALF_UP`` and traps
``Underflow``, and never restores it. Figures a preview rounds with the context's rounding
(a mandate's price band, a slippage in bps) would then depend on what ran earlier on the
same thread: one server thread answers ``3297.54``, the next ``3297.55``, for the same
request. :func:`fixed_decimals` fixes Python's default arithmetic for the duration of a
preview (or a contract note, a statement), so the same inputs always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from functools import wraps
from typing import ParamSpec, TypeVar

__all__ = ["FIXED_CONTEXT", "fixed_decimals"]

#: Python's default context (28 digits, half-even, the default traps), spelt out.
FIXED_CONTEXT = Context(
    prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)

P = ParamSpec("P")
R = TypeVar("R")


def fixed_decimals(function: Callable[P, R]) -> Callable[P, R]:
    """``function`` run in :data:`FIXED_CONTEXT` (a local copy; the caller's is restored)."""

    @wraps(function)
    def in_context(*args: P.args, **kwargs: P.kwargs) -> R:
        with localcontext(FIXED_CONTEXT):
            return function(*args, **kwargs)

    return in_context
