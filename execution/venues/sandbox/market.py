"""The shared world of the sandbox venue: catalog, seed, books and reference prices.

:class:`SandboxMarket` is what every account on one sandbox venue shares: the market
catalog, the seeded (or recorded) order books, the price source that moves them and, per
market, the parsed filters and converted :class:`~execution.venues.sandbox.rules.MarketRules`.
It holds no account state; :meth:`SandboxMarket.open_account` opens an account
(:class:`~execution.venues.sandbox.exchange.SandboxExchange`) on it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ccxt

from execution.clock import Clock
from execution.venues.filters import MarketFilters, parse_filters
from execution.venues.sandbox.book import (
    Book,
    BookParams,
    PriceSource,
    StaticPrices,
    book_from_snapshot,
    generate_book,
    shift_book,
)
from execution.venues.sandbox.catalog import MarketCatalog
from execution.venues.sandbox.faults import FaultPlan
from execution.venues.sandbox.prices import SteppedPriceSource
from execution.venues.sandbox.rules import MarketRules

if TYPE_CHECKING:
    from execution.venues.sandbox.exchange import SandboxExchange

__all__ = ["DEFAULT_DEPTH", "DEFAULT_SPREAD_BPS", "SandboxMarket"]

DEFAULT_SPREAD_BPS = Decimal(10)
DEFAULT_DEPTH = 20


class SandboxMarket:
    """The shared side of the sandbox: markets, seeded books and reference prices.

    ``prices`` is the hook for a price process; by default prices are the catalog's
    static reference prices (pass a :class:`~execution.venues.sandbox.prices.RandomWalkPrices` to
    move them). ``snapshot`` replaces generated books by recorded ones for the symbols it
    holds: a path to a JSON file or a mapping ``{symbol: ccxt OrderBook}``; those books are
    used as they are with static prices, and moved proportionally with the price process
    otherwise (their mid follows ``price(t) / catalog reference price``). Books are cached
    per ``(symbol, reference price)`` since they are deterministic in those.
    """

    def __init__(
        self,
        catalog: MarketCatalog,
        *,
        seed: int = 0,
        params: BookParams | None = None,
        prices: PriceSource | None = None,
        snapshot: str | Path | Mapping[str, Any] | None = None,
    ) -> None:
        self.catalog = catalog
        self.seed = seed
        self.params = params or BookParams(spread_bps=DEFAULT_SPREAD_BPS, depth=DEFAULT_DEPTH)
        self.prices: PriceSource = prices or StaticPrices(catalog)
        self._static = prices is None or isinstance(prices, StaticPrices)
        # The grid the price changes on, if the source declares one (else: evaluate "now").
        self.grid_step: tuple[int, int] | None = None
        if isinstance(prices, SteppedPriceSource):
            self.grid_step = (int(prices.step_ms), int(prices.origin_ms))
        self.snapshots: dict[str, Book] = {}
        if snapshot is not None:
            self.snapshots = self._load_snapshot(snapshot)
        self._books: dict[tuple[str, Decimal], Book] = {}
        self._filters: dict[str, MarketFilters] = {}
        self._rules: dict[str, MarketRules] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_account(
        cls,
        catalog: MarketCatalog,
        *,
        seed: int | None,
        spread_bps: Decimal | int | str | None,
        depth: int | None,
        shared: SandboxMarket | None,
    ) -> SandboxMarket:
        """The market of an account built with these arguments: ``shared`` if given (any of
        ``catalog``, ``seed``, ``spread_bps`` and ``depth`` given must agree with it, else
        ``ValueError``), else a market of its own built from them."""
        if shared is None:
            params = BookParams(
                spread_bps=DEFAULT_SPREAD_BPS if spread_bps is None else Decimal(str(spread_bps)),
                depth=DEFAULT_DEPTH if depth is None else depth,
            )
            shared = cls(catalog, seed=0 if seed is None else seed, params=params)
        else:
            mismatches = []
            if shared.catalog is not catalog:
                mismatches.append("catalog")
            if seed is not None and seed != shared.seed:
                mismatches.append(f"seed {seed} != {shared.seed}")
            if spread_bps is not None and Decimal(str(spread_bps)) != shared.params.spread_bps:
                mismatches.append(f"spread_bps {spread_bps} != {shared.params.spread_bps}")
            if depth is not None and depth != shared.params.depth:
                mismatches.append(f"depth {depth} != {shared.params.depth}")
            if mismatches:
                raise ValueError(f"arguments disagree with the shared market: {mismatches}")
        return shared

    def _load_snapshot(self, snapshot: str | Path | Mapping[str, Any]) -> dict[str, Book]:
        if isinstance(snapshot, Mapping):
            document: Mapping[str, Any] = snapshot
        else:
            document = json.loads(Path(snapshot).read_text(encoding="utf-8"))
        books: dict[str, Book] = {}
        for symbol, raw in document.items():
            if not isinstance(raw, Mapping):
                continue  # comments and metadata next to the books
            self.catalog.market(symbol)  # BadSymbol: a snapshot for a market not listed
            books[symbol] = book_from_snapshot(symbol, raw)
        return books

    def filters(self, symbol: str) -> MarketFilters:
        """The parsed ``info.filters`` of ``symbol`` (cached; the catalog is immutable)."""
        found = self._filters.get(symbol)
        if found is None:
            found = parse_filters(self.catalog.markets[symbol])
            self._filters[symbol] = found
        return found

    def rules(self, symbol: str) -> MarketRules:
        """The converted limits, steps and fees of ``symbol`` (cached, like :meth:`filters`)."""
        found = self._rules.get(symbol)
        if found is None:
            found = self._rules[symbol] = MarketRules(self.catalog.markets[symbol])
        return found

    def reference_price(self, symbol: str, now_ms: int) -> Decimal:
        """The price ``symbol``'s book is centred on at ``now_ms``."""
        if symbol not in self.catalog.markets:
            self.catalog.market(symbol)  # BadSymbol before asking the price source
        snap = self.snapshots.get(symbol)
        if snap is None:
            return self.prices.reference_price(symbol, now_ms)
        if self._static:
            return snap.reference_price
        try:
            anchor = self.catalog.reference_price(symbol)
        except ccxt.BadSymbol:
            return snap.reference_price  # no price to move relative to: the snapshot stands
        tick = Decimal(str(self.catalog.markets[symbol]["precision"]["price"]))
        moved = snap.reference_price * self.prices.reference_price(symbol, now_ms) / anchor
        return max((moved / tick).to_integral_value() * tick, tick)

    def book(self, symbol: str, now_ms: int) -> Book:
        """The (exact, Decimal) book of ``symbol`` at ``now_ms``."""
        price = self.reference_price(symbol, now_ms)
        key = (symbol, price)
        with self._lock:
            book = self._books.get(key)
            if book is None:
                market = self.catalog.markets[symbol]
                snap = self.snapshots.get(symbol)
                if snap is not None:
                    book = shift_book(snap, market, price)
                else:
                    book = generate_book(
                        seed=self.seed,
                        market=market,
                        reference_price=price,
                        params=self.params,
                        quote_usd_rate=self.catalog.usd_rate(market["quote"]),
                    )
                if len(self._books) > 4096:  # a moving price process must not grow this forever
                    self._books.clear()
                self._books[key] = book
            return book

    def grid(self, after_ms: int, until_ms: int) -> Iterable[int]:
        """The times in ``(after_ms, until_ms]`` at which prices may have changed.

        A stepped source's grid times; for any other source just ``until_ms`` (its price is
        only known "now"), so an account call always looks at the current price.
        """
        if self.grid_step is None:
            return (until_ms,)
        step, origin = self.grid_step
        first = origin + ((after_ms - origin) // step + 1) * step
        return range(first, until_ms + 1, step)

    def open_account(
        self,
        *,
        balances: Mapping[str, Decimal | int | str],
        clock: Clock,
        account_id: str = "sandbox",
        faults: FaultPlan | None = None,
    ) -> SandboxExchange:
        """A new :class:`~execution.venues.sandbox.exchange.SandboxExchange` account trading on
        these shared books."""
        # Imported here: the exchange module imports this one (an account builds its own
        # SandboxMarket when it is given none).
        from execution.venues.sandbox.exchange import SandboxExchange

        return SandboxExchange(
            self.catalog,
            balances=balances,
            clock=clock,
            account_id=account_id,
            shared=self,
            faults=faults,
        )
