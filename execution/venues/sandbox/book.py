"""Seeded, deterministic order books for the sandbox venue.

A book is a pure function of ``(seed, symbol, reference price, BookParams)`` and the
market's precision/limits: same inputs, same levels, on every machine and Python build.
Randomness comes from :class:`random.Random` seeded through SHA-256 of ``seed`` and the
symbol (Python's ``hash()`` is salted per process, so it would break reproducibility).

Where the reference price comes from is a separate concern (:class:`PriceSource`): the
bundled :class:`StaticPrices` returns the catalog's fixed price whatever the time, and a
future price process can implement ``reference_price(symbol, now_ms)`` to move books over
time without touching the generator (see :mod:`execution.venues.sandbox.prices`). Books can also
come from a snapshot (:func:`book_from_snapshot`), moved with the price by
:func:`shift_book`.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from execution.clock import iso
from intent.models import BPS

if TYPE_CHECKING:
    from ccxt.base.types import OrderBook

    from execution.venues.sandbox.catalog import MarketCatalog

__all__ = [
    "Book",
    "BookParams",
    "Level",
    "PriceSource",
    "StaticPrices",
    "book_from_snapshot",
    "generate_book",
    "shift_book",
    "stable_seed",
]

_DRAW_RESOLUTION = 1_000_000  # uniform draws as exact Decimals, not floats


@dataclass(frozen=True)
class BookParams:
    """Shape of the generated books.

    ``spread_bps`` is the full distance between best bid and best ask around the reference
    price; ``depth`` the number of levels per side. Levels are ``level_gap_bps`` apart on
    average (each gap drawn uniformly in ``[0.5, 1.5]`` times it). The size profile is a
    level notional of ``level_notional_usd`` (dollar-valued, converted to the quote
    currency, so BTC-, HKD- and USDT-quoted books are comparably deep) growing by
    ``size_growth`` per level away from the touch, each level jittered by up to
    ``±size_jitter`` of itself.
    """

    spread_bps: Decimal = Decimal(10)
    depth: int = 20
    level_gap_bps: Decimal = Decimal(5)
    level_notional_usd: Decimal = Decimal(25_000)
    size_growth: Decimal = Decimal("1.12")
    size_jitter: Decimal = Decimal("0.4")

    def __post_init__(self) -> None:
        if self.spread_bps < 0:
            raise ValueError(f"spread_bps must be >= 0, got {self.spread_bps}")
        if self.depth < 1:
            raise ValueError(f"depth must be >= 1, got {self.depth}")
        if self.level_gap_bps <= 0:
            raise ValueError(f"level_gap_bps must be > 0, got {self.level_gap_bps}")
        if self.level_notional_usd <= 0:
            raise ValueError(f"level_notional_usd must be > 0, got {self.level_notional_usd}")
        if self.size_growth <= 0:
            raise ValueError(f"size_growth must be > 0, got {self.size_growth}")
        if not 0 <= self.size_jitter < 1:
            raise ValueError(f"size_jitter must be in [0, 1), got {self.size_jitter}")


@dataclass(frozen=True)
class Level:
    """One price level: ``amount`` of base offered at ``price`` (quote per base)."""

    price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Book:
    """A generated book in exact Decimals; bids and asks are best-first."""

    symbol: str
    reference_price: Decimal
    bids: tuple[Level, ...]
    asks: tuple[Level, ...]

    @property
    def best_bid(self) -> Level | None:
        """The highest bid, if any."""
        return self.bids[0] if self.bids else None

    @property
    def best_ask(self) -> Level | None:
        """The lowest ask, if any."""
        return self.asks[0] if self.asks else None

    def to_ccxt(self, timestamp: int, limit: int | None = None) -> OrderBook:
        """The book as ccxt's unified ``OrderBook`` dict (floats, as ccxt returns them)."""
        bids = self.bids if limit is None else self.bids[:limit]
        asks = self.asks if limit is None else self.asks[:limit]
        return {
            "symbol": self.symbol,
            "bids": [[float(level.price), float(level.amount)] for level in bids],
            "asks": [[float(level.price), float(level.amount)] for level in asks],
            "timestamp": timestamp,
            "datetime": iso(timestamp),
            # The sandbox has no update stream; the snapshot time doubles as its sequence.
            "nonce": timestamp,
        }


@runtime_checkable
class PriceSource(Protocol):
    """Where books are centred: the hook a price process implements."""

    def reference_price(self, symbol: str, now_ms: int) -> Decimal: ...


class StaticPrices:
    """A :class:`PriceSource` that never moves: the catalog's reference price."""

    def __init__(self, catalog: MarketCatalog) -> None:
        self._catalog = catalog

    def reference_price(self, symbol: str, now_ms: int) -> Decimal:
        """The catalog's price for ``symbol``; ``now_ms`` is ignored (static prices)."""
        return self._catalog.reference_price(symbol)


def stable_seed(seed: int, symbol: str) -> int:
    """A process-independent 64-bit seed for ``(seed, symbol)``."""
    digest = hashlib.sha256(f"{seed}\x1f{symbol}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _step(value: object) -> Decimal:
    # ccxt floats such as 1e-05 -> Decimal("0.00001"): str() keeps the short repr.
    return Decimal(str(value))


def _round_to(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    return (value / step).to_integral_value(rounding=rounding) * step


def _uniform(rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(_DRAW_RESOLUTION + 1)) / _DRAW_RESOLUTION


def generate_book(
    *,
    seed: int,
    market: Mapping[str, Any],
    reference_price: Decimal,
    params: BookParams,
    quote_usd_rate: Decimal | None = None,
) -> Book:
    """Generate the book of ``market`` around ``reference_price``.

    Prices sit on the market's tick (asks rounded up, bids down, strictly monotonic, the
    spread at least one tick) and within its price limits; amounts sit on its step and
    are at least its minimum amount. ``quote_usd_rate`` (USD per unit of quote) converts
    ``params.level_notional_usd`` into the quote currency; ``None`` treats the quote as
    dollars.
    """
    if reference_price <= 0:
        raise ValueError(f"reference price of {market['symbol']} must be > 0: {reference_price}")
    symbol: str = market["symbol"]
    tick = _step(market["precision"]["price"])
    step = _step(market["precision"]["amount"])
    limits = market.get("limits") or {}
    amount_min = _step((limits.get("amount") or {}).get("min") or step)
    amount_min = max(amount_min, step)
    price_min = _step((limits.get("price") or {}).get("min") or tick)
    price_max_raw = (limits.get("price") or {}).get("max")
    price_max = _step(price_max_raw) if price_max_raw else None
    usd_rate = quote_usd_rate if quote_usd_rate and quote_usd_rate > 0 else Decimal(1)
    notional = params.level_notional_usd / usd_rate

    rng = random.Random(stable_seed(seed, symbol))  # noqa: S311 (simulation, not crypto)
    half = params.spread_bps / 2 / BPS
    best_ask = _round_to(reference_price * (1 + half), tick, ROUND_CEILING)
    best_bid = _round_to(reference_price * (1 - half), tick, ROUND_FLOOR)
    if best_ask <= best_bid:  # coarse tick or zero spread: keep the book uncrossed
        best_ask = best_bid + tick

    asks: list[Level] = []
    bids: list[Level] = []
    ask_offset = bid_offset = Decimal(0)
    for i in range(params.depth):
        # A fixed draw order (ask gap, ask size, bid gap, bid size) keeps books stable
        # when depth changes: the first n levels are the same for any depth >= n.
        ask_gap = params.level_gap_bps * (Decimal("0.5") + _uniform(rng)) if i else Decimal(0)
        ask_jitter = 1 + params.size_jitter * (2 * _uniform(rng) - 1)
        bid_gap = params.level_gap_bps * (Decimal("0.5") + _uniform(rng)) if i else Decimal(0)
        bid_jitter = 1 + params.size_jitter * (2 * _uniform(rng) - 1)
        ask_offset += ask_gap
        bid_offset += bid_gap
        level_notional = notional * params.size_growth**i

        ask_price = _round_to(best_ask * (1 + ask_offset / BPS), tick, ROUND_CEILING)
        if asks and ask_price <= asks[-1].price:
            ask_price = asks[-1].price + tick
        if price_max is None or ask_price <= price_max:
            amount = _round_to(level_notional * ask_jitter / ask_price, step, ROUND_FLOOR)
            asks.append(Level(ask_price, max(amount, amount_min)))

        bid_price = _round_to(best_bid * (1 - bid_offset / BPS), tick, ROUND_FLOOR)
        if bids and bid_price >= bids[-1].price:
            bid_price = bids[-1].price - tick
        if bid_price >= price_min and bid_price > 0:
            amount = _round_to(level_notional * bid_jitter / bid_price, step, ROUND_FLOOR)
            bids.append(Level(bid_price, max(amount, amount_min)))

    return Book(symbol=symbol, reference_price=reference_price, bids=tuple(bids), asks=tuple(asks))


def book_from_snapshot(symbol: str, snapshot: Mapping[str, Any]) -> Book:
    """A :class:`Book` from a ccxt ``OrderBook`` dict (``bids``/``asks`` of ``[price, amount]``).

    Levels are sorted best-first, zero or negative amounts dropped, and the reference price
    is the mid of the touch (or the one-sided touch). ``ValueError`` if the snapshot is
    crossed, empty, or has a non-positive price.
    """

    def levels(key: str, reverse: bool) -> tuple[Level, ...]:
        rows = []
        for row in snapshot.get(key) or ():
            price, amount = _step(row[0]), _step(row[1])
            if price <= 0:
                raise ValueError(f"snapshot of {symbol}: {key} price {row[0]!r} must be > 0")
            if amount > 0:
                rows.append(Level(price, amount))
        return tuple(sorted(rows, key=lambda lvl: lvl.price, reverse=reverse))

    bids, asks = levels("bids", True), levels("asks", False)
    if bids and asks and bids[0].price >= asks[0].price:
        raise ValueError(
            f"snapshot of {symbol} is crossed: best bid {bids[0].price} >= best ask {asks[0].price}"
        )
    if bids and asks:
        reference = (bids[0].price + asks[0].price) / 2
    elif bids or asks:
        reference = (bids or asks)[0].price
    else:
        raise ValueError(f"snapshot of {symbol} has no levels")
    return Book(symbol=symbol, reference_price=reference, bids=bids, asks=asks)


def shift_book(book: Book, market: Mapping[str, Any], reference_price: Decimal) -> Book:
    """``book`` moved proportionally so that its mid becomes ``reference_price``.

    Every level's price is scaled by ``reference_price / book.reference_price`` and put back
    on the tick (asks up, bids down, kept strictly monotonic); amounts are unchanged. This is
    how a snapshot book follows a moving price process.
    """
    if reference_price == book.reference_price:
        return book
    ratio = reference_price / book.reference_price
    tick = _step(market["precision"]["price"])
    asks: list[Level] = []
    for level in book.asks:
        price = _round_to(level.price * ratio, tick, ROUND_CEILING)
        if asks and price <= asks[-1].price:
            price = asks[-1].price + tick
        asks.append(Level(price, level.amount))
    bids: list[Level] = []
    for level in book.bids:
        price = _round_to(level.price * ratio, tick, ROUND_FLOOR)
        if bids and price >= bids[-1].price:
            price = bids[-1].price - tick
        if asks and price >= asks[0].price:
            price = asks[0].price - tick
        if price > 0:
            bids.append(Level(price, level.amount))
    return Book(book.symbol, reference_price, tuple(bids), tuple(asks))
