"""A deterministic, seeded sandbox exchange speaking ccxt's unified (sync) API.

``MarketCatalog`` holds ccxt-format spot markets and reference prices, ``generate_book``
builds seeded order books, ``SandboxMarket`` shares those books between accounts and
``SandboxExchange`` is one account implementing :class:`execution.venue.Venue`.

Importing this package imports ccxt (slow, ~0.4 s); keep it out of modules that must
import fast, such as :mod:`execution.venue` and :mod:`execution.clock`.
"""

from __future__ import annotations

from execution.sandbox.book import (
    Book,
    BookParams,
    Level,
    PriceSource,
    StaticPrices,
    generate_book,
    stable_seed,
)
from execution.sandbox.exchange import (
    DEFAULT_DEPTH,
    DEFAULT_SPREAD_BPS,
    SandboxExchange,
    SandboxMarket,
)
from execution.sandbox.markets import MarketCatalog

__all__ = [
    "DEFAULT_DEPTH",
    "DEFAULT_SPREAD_BPS",
    "Book",
    "BookParams",
    "Level",
    "MarketCatalog",
    "PriceSource",
    "SandboxExchange",
    "SandboxMarket",
    "StaticPrices",
    "generate_book",
    "stable_seed",
]
