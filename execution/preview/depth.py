"""The side of the order book a preview walked, compact enough to draw on its card, and
the market's mid on that book (a mandate waiting for its trigger is previewed on the book
moved there, so its preview's own mid is the trigger's, not the market's).

A buy walks the asks (cheapest first), a sell the bids (dearest first). The levels kept are
those up to the preview's worst price and a few past it (so the picture shows what lies
beyond), at most :data:`MAX_LEVELS`; each is ``[price, amount]`` as decimal strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

#: At most this many levels (a card is small; the book fetched may be 50 deep).
MAX_LEVELS = 24
#: Levels kept beyond the worst price the preview reached.
PAST_WORST = 3

Depth = list[list[str]]


def _dec(value: Any) -> Decimal | None:
    try:
        found = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return found if found.is_finite() else None


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def walked_depth(
    side: str, worst_price: Decimal | str | None, book: Mapping[str, Any] | None
) -> Depth | None:
    """The levels of ``book`` an order of ``side`` walks, up to ``worst_price`` and
    :data:`PAST_WORST` beyond, at most :data:`MAX_LEVELS`; None when nothing was walked
    (no worst price, or a limit order that would rest: its best level is already past
    it) or there is no such side."""
    worst = None if worst_price is None else _dec(worst_price)
    if book is None or worst is None or side not in ("buy", "sell"):
        return None
    levels: Sequence[Sequence[Any]] = book.get("asks" if side == "buy" else "bids") or ()
    out: Depth = []
    past = 0
    walked = 0
    for level in levels:
        if len(out) >= MAX_LEVELS or len(level) < 2:
            break
        price, amount = _dec(level[0]), _dec(level[1])
        if price is None or amount is None:
            break
        beyond = price > worst if side == "buy" else price < worst
        if beyond:
            past += 1
            if past > PAST_WORST:
                break
        else:
            walked += 1
        out.append([_text(price), _text(amount)])
    return out if walked else None


def market_mid(book: Mapping[str, Any] | None) -> str | None:
    """The mid of ``book`` (halfway between its best bid and best ask) as a decimal string;
    None without both sides."""
    if not book or not book.get("bids") or not book.get("asks"):
        return None
    bid, ask = _dec(book["bids"][0][0]), _dec(book["asks"][0][0])
    if bid is None or ask is None:
        return None
    return _text((bid + ask) / 2)
