"""Whose account is which: the venue each customer trades on, and throwaway accounts for
simulations.

``TRADEASSIST_VENUE=sandbox`` gives every app process its own in-process market
(:class:`LocalSandboxAccounts`); ``sandbox-remote`` points every process at the same
accounts on a sandbox server (:class:`RemoteSandboxAccounts`). Simulations always run on an
isolated in-process account with the balances, seed and clock they are given, so the same
request always gives the same answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol

import ccxt

from execution.clock import Clock
from execution.errors import VenueUnavailable
from execution.venues.protocol import IsolatedAccounts, Venue
from execution.venues.sandbox import MarketCatalog, SandboxExchange, SandboxMarket
from execution.venues.sandbox.remote import KeptConnections, RemoteSandbox


class Accounts(IsolatedAccounts, Protocol):
    """The venue of each customer, and throwaway in-process accounts for simulations."""

    def __call__(self, user_id: str) -> Venue: ...


class SeededMarkets:
    """The markets simulations run on, one per order-book seed, each built once: the
    process's own market for its seed, and a bounded LRU of the others (at most
    ``capacity``; the least recently used seed goes first). Each market keeps its own
    books cached (:meth:`SandboxMarket.book`), so a seed's books are generated once while
    it stays here, and every market shares the process's one frozen catalog."""

    def __init__(self, home: SandboxMarket, capacity: int = 64) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity!r}")
        self.home = home
        self.capacity = capacity
        self._others: OrderedDict[int, SandboxMarket] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, seed: int | None) -> SandboxMarket:
        """The market of ``seed`` (the home market's for ``None``)."""
        if seed is None or seed == self.home.seed:
            return self.home
        with self._lock:
            market = self._others.get(seed)
            if market is None:
                market = SandboxMarket(self.home.catalog, seed=seed, params=self.home.params)
                self._others[seed] = market
                if len(self._others) > self.capacity:
                    self._others.popitem(last=False)
            else:
                self._others.move_to_end(seed)
            return market

    def seeds(self) -> list[int]:
        """The seeds cached besides the home market's, least recently used first."""
        with self._lock:
            return list(self._others)

    def isolated(self, balances: Mapping[str, Decimal], seed: int | None, clock: Clock) -> Venue:
        """A throwaway account for simulations: the seed's shared market (catalog and
        books), its own balances and clock (a simulation runs at a fixed instant, so it can
        be repeated exactly)."""
        return self(seed).open_account(balances=balances, clock=clock, account_id="simulation")


class LocalSandboxAccounts:
    """One in-process sandbox account per customer, all trading on one shared market
    (``TRADEASSIST_VENUE=sandbox``: each app process has its own)."""

    def __init__(
        self,
        catalog: MarketCatalog,
        clock: Clock,
        seed: int,
        opening_balances: Mapping[str, Decimal],
    ) -> None:
        self._market = SandboxMarket(catalog, seed=seed)
        self.simulations = SeededMarkets(self._market)
        self._clock = clock
        self._opening = dict(opening_balances)
        self._accounts: dict[str, SandboxExchange] = {}
        self._lock = threading.Lock()

    def __call__(self, user_id: str) -> Venue:
        with self._lock:
            venue = self._accounts.get(user_id)
            if venue is None:
                venue = self._market.open_account(
                    balances=self._opening, clock=self._clock, account_id=user_id
                )
                self._accounts[user_id] = venue
            return venue

    def isolated(self, balances: Mapping[str, Decimal], seed: int | None, clock: Clock) -> Venue:
        """A throwaway in-process account for a simulation (see :class:`SeededMarkets`)."""
        return self.simulations.isolated(balances, seed, clock)


class RemoteSandboxAccounts:
    """Each customer's account on the sandbox server at ``base_url``
    (``TRADEASSIST_VENUE=sandbox-remote``): every app process trades on the same accounts,
    which outlive the process. Simulations still run on in-process accounts."""

    def __init__(self, base_url: str, timeout_s: float, catalog: MarketCatalog, seed: int) -> None:
        self.base_url = base_url
        self._timeout_s = timeout_s
        self.simulations = SeededMarkets(SandboxMarket(catalog, seed=seed))
        self._accounts: dict[str, RemoteSandbox] = {}
        self._lock = threading.Lock()
        # One kept-alive connection per thread for every account's reads, not one each.
        self._connections = KeptConnections(base_url, timeout_s)

    def __call__(self, user_id: str) -> RemoteSandbox:
        with self._lock:
            venue = self._accounts.get(user_id)
            if venue is None:  # kept: it caches the markets
                venue = RemoteSandbox(self.base_url, user_id, self._timeout_s, self._connections)
                self._accounts[user_id] = venue
            return venue

    def isolated(self, balances: Mapping[str, Decimal], seed: int | None, clock: Clock) -> Venue:
        """A throwaway in-process account for a simulation (see :class:`SeededMarkets`)."""
        return self.simulations.isolated(balances, seed, clock)

    def check(self) -> None:
        """:class:`VenueUnavailable` unless the server answers as a sandbox server."""
        probe = RemoteSandbox(self.base_url, "-", self._timeout_s)
        try:
            probe.health()
        except ccxt.BaseError as exc:
            raise VenueUnavailable(
                f"{self.base_url} does not answer as a sandbox server: {exc}"
            ) from None
