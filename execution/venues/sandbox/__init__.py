"""A deterministic, seeded sandbox exchange speaking ccxt's unified (sync) API.

``MarketCatalog`` holds ccxt-format spot markets and reference prices, ``generate_book``
builds seeded order books, ``SandboxMarket`` shares those books between accounts and
``SandboxExchange`` is one account implementing :class:`execution.venues.protocol.Venue`.
``RandomWalkPrices`` moves books over time (static prices stay the default), ``filters``
holds HashKey's ``info.filters`` as pure checks (``price_band``, ``check_filters``) and
``FaultPlan`` injects seeded network faults.

Importing this package imports ccxt (slow, ~0.4 s); keep it out of modules that must
import fast, such as :mod:`execution.venues.protocol` and :mod:`execution.clock`.
"""

from __future__ import annotations

from execution.venues.filters import (
    FilterViolation,
    MarketFilters,
    check_filters,
    parse_filters,
    price_band,
)
from execution.venues.sandbox.book import (
    Book,
    BookParams,
    Level,
    PriceSource,
    StaticPrices,
    book_from_snapshot,
    generate_book,
    shift_book,
    stable_seed,
)
from execution.venues.sandbox.exchange import (
    DEFAULT_DEPTH,
    DEFAULT_SPREAD_BPS,
    TRIGGER_MARKET_BUY_BUFFER,
    SandboxExchange,
    SandboxMarket,
)
from execution.venues.sandbox.faults import FaultPlan
from execution.venues.sandbox.markets import MarketCatalog
from execution.venues.sandbox.prices import RandomWalkPrices, SteppedPriceSource

__all__ = [
    "DEFAULT_DEPTH",
    "DEFAULT_SPREAD_BPS",
    "TRIGGER_MARKET_BUY_BUFFER",
    "Book",
    "BookParams",
    "FaultPlan",
    "FilterViolation",
    "Level",
    "MarketCatalog",
    "MarketFilters",
    "PriceSource",
    "RandomWalkPrices",
    "SandboxExchange",
    "SandboxMarket",
    "StaticPrices",
    "SteppedPriceSource",
    "book_from_snapshot",
    "check_filters",
    "generate_book",
    "parse_filters",
    "price_band",
    "shift_book",
    "stable_seed",
]
