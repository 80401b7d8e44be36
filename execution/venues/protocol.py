"""The Venue protocol: the subset of ccxt's unified (synchronous) API the product uses.

A venue returns ccxt's unified structures (plain dicts, numbers as ccxt gives them) and
raises ccxt's exceptions; :mod:`execution.errors` translates those once, at the boundary
where the product calls a venue. Both the sandbox exchange and the adapter around a real
ccxt exchange implement it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:  # ccxt is heavy to import; its types are only needed by the checker.
    from collections.abc import Mapping
    from decimal import Decimal

    from ccxt.base.types import Balances, MarketInterface, Order, OrderBook, Ticker, Trade

    from execution.clock import Clock


@runtime_checkable
class Venue(Protocol):
    """A ccxt-shaped exchange connector for one account."""

    id: str

    def load_markets(self, reload: bool = False) -> dict[str, MarketInterface]: ...

    def market(self, symbol: str) -> MarketInterface: ...

    def fetch_ticker(self, symbol: str) -> Ticker: ...

    def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook: ...

    def fetch_balance(self) -> Balances: ...

    def create_order(
        self,
        symbol: str,
        type: str,
        side: str,
        amount: float,
        price: float | None = None,
        params: dict[str, Any] | None = None,
    ) -> Order: ...

    def cancel_order(
        self, id: str, symbol: str | None = None, params: dict[str, Any] | None = None
    ) -> Order: ...

    def fetch_order(
        self, id: str, symbol: str | None = None, params: dict[str, Any] | None = None
    ) -> Order: ...

    def fetch_open_orders(self, symbol: str | None = None) -> list[Order]: ...

    def fetch_my_trades(self, symbol: str | None = None) -> list[Trade]: ...

    def amount_to_precision(self, symbol: str, amount: Any) -> str: ...

    def price_to_precision(self, symbol: str, price: Any) -> str: ...


class IsolatedAccounts(Protocol):
    """Throwaway in-process accounts, what a simulation runs on."""

    def isolated(
        self, balances: Mapping[str, Decimal], seed: int | None, clock: Clock
    ) -> Venue: ...
