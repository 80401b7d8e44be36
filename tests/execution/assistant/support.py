"""Building assistants on a shared journal and venue, as several app processes would."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from execution.actors import Actor
from execution.assistant import Assistant
from execution.checkpoints import Checkpoints
from execution.clock import Clock
from execution.journal import Journal
from execution.policy import DEFAULT_TIER, Policy
from execution.policy.limits import LimitLedger
from execution.rate_limits import SessionBounds
from execution.venues.protocol import Venue
from execution.venues.sandbox import MarketCatalog, SandboxMarket
from intent.rules import RuleParser

KEY = b"k" * 32
ALICE = Actor("alice", "customer", "chat")
SUPPORT = Actor("sam", "support", "chat")
OPENING: dict[str, Decimal] = {
    "USDT": Decimal(25_000),
    "BTC": Decimal("0.5"),
    "ETH": Decimal(4),
    "SOL": Decimal(40),
}


class Counting:
    """A venue proxy counting the orders that reach the venue, by clientOrderId."""

    def __init__(self, venue: Venue) -> None:
        self._venue = venue
        self.created: list[str] = []
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._venue, name)

    def create_order(self, *args: Any, **kwargs: Any) -> Any:
        params = args[5] if len(args) > 5 else kwargs.get("params") or {}
        with self._lock:
            self.created.append(str(params.get("clientOrderId")))
        return self._venue.create_order(*args, **kwargs)


class MovablePrices:
    """A price source the test moves by hand: the catalog's price times a factor."""

    def __init__(self, catalog: MarketCatalog) -> None:
        self.catalog = catalog
        self.factor: dict[str, Decimal] = {}

    def reference_price(self, symbol: str, now_ms: int) -> Decimal:
        return self.catalog.reference_price(symbol) * self.factor.get(symbol, Decimal(1))


class Accounts:
    """One sandbox account per user on one shared market (the venue every process uses)."""

    def __init__(
        self,
        clock: Clock,
        market: SandboxMarket | None = None,
        balances: Mapping[str, Decimal] = OPENING,
    ) -> None:
        self.market = market or SandboxMarket(MarketCatalog.default(), seed=7)
        self.clock = clock
        self.balances = dict(balances)
        self.venues: dict[str, Venue] = {}

    def __call__(self, user_id: str) -> Venue:
        if user_id not in self.venues:
            self.venues[user_id] = self.market.open_account(
                balances=self.balances, clock=self.clock, account_id=user_id
            )
        return self.venues[user_id]


def make_assistant(
    journal: Journal,
    venue_for: Callable[[str], Venue],
    clock: Clock,
    *,
    policy: Policy | None = None,
    crash_point: Callable[[str], None] | None = None,
    tier: str = DEFAULT_TIER,
    limits: LimitLedger | None = None,
    session_bounds: SessionBounds | None = None,
) -> Assistant:
    return Assistant(
        journal=journal,
        parser=RuleParser(),
        venue_for=venue_for,
        checkpoints=Checkpoints(KEY),
        policy=policy or Policy(),
        clock=clock,
        tier_of=lambda user_id: tier,
        limits=limits,
        crash_point=crash_point,
        session_bounds=session_bounds,
    )
