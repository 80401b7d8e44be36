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
from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol

import ccxt

from execution.clock import Clock
from execution.errors import VenueUnavailable
from execution.venues.protocol import IsolatedAccounts, Venue
from execution.venues.sandbox import MarketCatalog, SandboxExchange, SandboxMarket
from execution.venues.sandbox.remote import RemoteSandbox


class Accounts(IsolatedAccounts, Protocol):
    """The venue of each customer, and throwaway in-process accounts for simulations."""

    def __call__(self, user_id: str) -> Venue: ...


def _isolated(
    market: SandboxMarket, balances: Mapping[str, Decimal], seed: int | None, clock: Clock
) -> Venue:
    """A throwaway account for simulations: same markets, its own balances, seed and
    clock (a simulation runs at a fixed instant, so it can be repeated exactly)."""
    if seed is not None and seed != market.seed:
        market = SandboxMarket(market.catalog, seed=seed, params=market.params)
    return market.open_account(balances=balances, clock=clock, account_id="simulation")


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
        """A throwaway in-process account for a simulation (see :func:`_isolated`)."""
        return _isolated(self._market, balances, seed, clock)


class RemoteSandboxAccounts:
    """Each customer's account on the sandbox server at ``base_url``
    (``TRADEASSIST_VENUE=sandbox-remote``): every app process trades on the same accounts,
    which outlive the process. Simulations still run on in-process accounts."""

    def __init__(self, base_url: str, timeout_s: float, catalog: MarketCatalog, seed: int) -> None:
        self.base_url = base_url
        self._timeout_s = timeout_s
        self._simulations = SandboxMarket(catalog, seed=seed)
        self._accounts: dict[str, RemoteSandbox] = {}
        self._lock = threading.Lock()

    def __call__(self, user_id: str) -> RemoteSandbox:
        with self._lock:
            venue = self._accounts.get(user_id)
            if venue is None:  # kept: it caches the markets
                venue = RemoteSandbox(self.base_url, user_id, self._timeout_s)
                self._accounts[user_id] = venue
            return venue

    def isolated(self, balances: Mapping[str, Decimal], seed: int | None, clock: Clock) -> Venue:
        """A throwaway in-process account for a simulation (see :func:`_isolated`)."""
        return _isolated(self._simulations, balances, seed, clock)

    def check(self) -> None:
        """:class:`VenueUnavailable` unless the server answers as a sandbox server."""
        probe = RemoteSandbox(self.base_url, "-", self._timeout_s)
        try:
            probe.health()
        except ccxt.BaseError as exc:
            raise VenueUnavailable(
                f"{self.base_url} does not answer as a sandbox server: {exc}"
            ) from None
