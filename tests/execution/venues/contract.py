"""The Venue contract: what the product relies on from every venue, as one reusable suite.

A test module runs it by subclassing :class:`VenueContract` and providing a
``venue_case`` fixture that returns a :class:`VenueCase`: how to build a fresh venue,
which inputs that venue can answer (a recorded venue answers only what was recorded) and
which contracts do not apply to it, each with the reason. A contract that does not apply
is skipped with that reason, never passed vacuously.

Every venue under contract raises our errors (:mod:`execution.errors`), not ccxt's: a raw
ccxt venue is wrapped in :class:`execution.venues.ccxt_adapter.TranslatingVenue` first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ccxt
import pytest
from ccxt.base import types as ccxt_types

from execution.errors import DuplicateOrder, OrderNotFound, OrderRejected, VenueError
from execution.venues.protocol import Venue

ORDER_KEYS = frozenset(ccxt_types.Order.__annotations__)
TICKER_KEYS = frozenset(ccxt_types.Ticker.__annotations__)
ORDER_STATUSES = frozenset({"open", "closed", "canceled"})

# The names of the contracts, for VenueCase.not_applicable.
MARKETS = "markets"
ORDER_BOOK = "order_book"
TICKER = "ticker"
BALANCE = "balance"
MARKET_ORDER = "market_order"
CLIENT_ORDER_ID_LOOKUP = "client_order_id_lookup"
DUPLICATE_CLIENT_ORDER_ID = "duplicate_client_order_id"
RESTING_ORDER_CANCEL = "resting_order_cancel"
UNKNOWN_ORDER = "unknown_order"
BAD_SYMBOL = "bad_symbol"
PRECISION = "precision"
CONTRACTS = frozenset(
    {
        MARKETS,
        ORDER_BOOK,
        TICKER,
        BALANCE,
        MARKET_ORDER,
        CLIENT_ORDER_ID_LOOKUP,
        DUPLICATE_CLIENT_ORDER_ID,
        RESTING_ORDER_CANCEL,
        UNKNOWN_ORDER,
        BAD_SYMBOL,
        PRECISION,
    }
)


@dataclass(frozen=True)
class OrderArgs:
    """The arguments of one ``create_order`` call the venue can answer."""

    symbol: str
    type: str
    side: str
    amount: float
    price: float | None = None

    def send(self, venue: Venue, params: dict[str, Any] | None = None) -> Any:
        return venue.create_order(
            self.symbol, self.type, self.side, self.amount, self.price, params
        )


@dataclass(frozen=True)
class VenueCase:
    """One venue under contract and the inputs it can answer."""

    name: str
    make: Callable[[], Venue]
    symbol: str  # a spot symbol with a book and a ticker
    market_order: OrderArgs
    resting_order: OrderArgs  # a limit order far from the touch: stays open
    book_limit: int | None = None
    not_applicable: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.not_applicable) - CONTRACTS
        if unknown:
            raise ValueError(f"unknown contract names {sorted(unknown)}")

    def venue_for(self, contract: str) -> Venue:
        """A fresh venue, or skip the test with the stated reason if it does not apply."""
        reason = self.not_applicable.get(contract)
        if reason is not None:
            pytest.skip(f"not applicable to {self.name}: {reason}")
        return self.make()


def assert_venue_error(exc: BaseException, kind: type[VenueError]) -> None:
    """Ours, of ``kind``, translated from a ccxt exception (kept as the cause)."""
    assert isinstance(exc, kind), f"{type(exc).__name__} is not a {kind.__name__}"
    assert not isinstance(exc, ccxt.BaseError)
    assert isinstance(exc.__cause__, ccxt.BaseError), "the ccxt exception is not the cause"


class VenueContract:
    """The contract tests; subclass in a test module that provides ``venue_case``."""

    def test_is_a_venue(self, venue_case: VenueCase) -> None:
        venue = venue_case.make()
        assert isinstance(venue, Venue)
        assert isinstance(venue.id, str)
        assert venue.id

    def test_load_markets_gives_spot_markets_with_precision_limits_and_fees(
        self, venue_case: VenueCase
    ) -> None:
        venue = venue_case.venue_for(MARKETS)
        markets = venue.load_markets()
        assert venue_case.symbol in markets
        spot = [m for m in markets.values() if m.get("spot")]
        assert spot
        for market in spot:
            assert market["type"] == "spot"
            assert markets[market["symbol"]] is market
            assert f"{market['base']}/{market['quote']}" == market["symbol"]
            assert isinstance(market["id"], str)
            assert market["precision"]["amount"] > 0
            assert market["precision"]["price"] > 0
            assert {"amount", "price", "cost"} <= set(market["limits"])
            assert market["limits"]["amount"]["min"] > 0
            assert 0 <= market["maker"] <= market["taker"] < 0.05
        assert venue.market(venue_case.symbol)["symbol"] == venue_case.symbol

    def test_order_book_is_sorted_and_not_crossed(self, venue_case: VenueCase) -> None:
        venue = venue_case.venue_for(ORDER_BOOK)
        book = venue.fetch_order_book(venue_case.symbol, venue_case.book_limit)
        assert book["symbol"] == venue_case.symbol
        bids, asks = book["bids"], book["asks"]
        assert bids
        assert asks
        if venue_case.book_limit is not None:
            assert len(bids) <= venue_case.book_limit
            assert len(asks) <= venue_case.book_limit
        bid_prices = [level[0] for level in bids]
        ask_prices = [level[0] for level in asks]
        assert bid_prices == sorted(bid_prices, reverse=True)
        assert ask_prices == sorted(ask_prices)
        assert len(set(bid_prices)) == len(bid_prices)
        assert len(set(ask_prices)) == len(ask_prices)
        assert all(level[1] > 0 for level in bids + asks)
        assert bid_prices[0] < ask_prices[0]
        assert isinstance(book["timestamp"], int)

    def test_ticker_has_bid_ask_last(self, venue_case: VenueCase) -> None:
        venue = venue_case.venue_for(TICKER)
        ticker = venue.fetch_ticker(venue_case.symbol)
        assert set(ticker) >= TICKER_KEYS
        assert ticker["symbol"] == venue_case.symbol
        assert 0 < ticker["bid"] < ticker["ask"]
        assert ticker["last"] > 0

    def test_balance_free_plus_used_is_total(self, venue_case: VenueCase) -> None:
        venue = venue_case.venue_for(BALANCE)
        balance = venue.fetch_balance()
        assert balance["total"]
        for code, total in balance["total"].items():
            free, used = balance["free"][code], balance["used"][code]
            assert free + used == pytest.approx(total), code
            assert used >= 0
            assert balance[code] == {"free": free, "used": used, "total": total}

    def test_market_order_returns_a_full_ccxt_order(self, venue_case: VenueCase) -> None:
        venue = venue_case.venue_for(MARKET_ORDER)
        args = venue_case.market_order
        order = args.send(venue)
        assert set(order) >= ORDER_KEYS, sorted(ORDER_KEYS - set(order))
        assert order["status"] in ORDER_STATUSES
        assert isinstance(order["id"], str)
        assert order["id"]
        assert (order["symbol"], order["type"], order["side"]) == (
            args.symbol,
            "market",
            args.side,
        )
        assert order["amount"] == pytest.approx(args.amount)
        assert 0 < order["filled"] <= order["amount"]
        assert isinstance(order["timestamp"], int)

    def test_order_is_found_by_its_client_order_id(self, venue_case: VenueCase) -> None:
        venue = venue_case.venue_for(CLIENT_ORDER_ID_LOOKUP)
        args = venue_case.market_order
        sent = args.send(venue, {"clientOrderId": "contract-coid-1"})
        assert sent["clientOrderId"] == "contract-coid-1"
        found = venue.fetch_order("", args.symbol, {"clientOrderId": "contract-coid-1"})
        assert found["id"] == sent["id"]
        assert found["clientOrderId"] == "contract-coid-1"
        assert set(found) >= ORDER_KEYS

    def test_reused_client_order_id_is_a_duplicate(self, venue_case: VenueCase) -> None:
        venue = venue_case.venue_for(DUPLICATE_CLIENT_ORDER_ID)
        args = venue_case.resting_order
        args.send(venue, {"clientOrderId": "contract-coid-2"})
        with pytest.raises(DuplicateOrder) as raised:
            args.send(venue, {"clientOrderId": "contract-coid-2"})
        assert_venue_error(raised.value, DuplicateOrder)
        assert len(venue.fetch_open_orders(args.symbol)) == 1

    def test_resting_order_is_open_then_canceled(self, venue_case: VenueCase) -> None:
        venue = venue_case.venue_for(RESTING_ORDER_CANCEL)
        args = venue_case.resting_order
        order = args.send(venue)
        assert order["status"] == "open"
        assert [o["id"] for o in venue.fetch_open_orders(args.symbol)] == [order["id"]]
        canceled = venue.cancel_order(order["id"], args.symbol)
        assert canceled["status"] == "canceled"
        assert venue.fetch_open_orders(args.symbol) == []
        with pytest.raises(OrderNotFound):  # no longer open: nothing to cancel
            venue.cancel_order(order["id"], args.symbol)

    def test_unknown_order_is_order_not_found(self, venue_case: VenueCase) -> None:
        venue = venue_case.venue_for(UNKNOWN_ORDER)
        with pytest.raises(OrderNotFound) as raised:
            venue.fetch_order("no-such-order", venue_case.symbol)
        assert_venue_error(raised.value, OrderNotFound)
        with pytest.raises(OrderNotFound) as by_client_id:
            venue.fetch_order("", venue_case.symbol, {"clientOrderId": "no-such-client-id"})
        assert_venue_error(by_client_id.value, OrderNotFound)

    def test_bad_symbol_is_order_rejected(self, venue_case: VenueCase) -> None:
        venue = venue_case.venue_for(BAD_SYMBOL)
        args = venue_case.market_order
        with pytest.raises(OrderRejected) as on_order:
            venue.create_order("NOPE/USDT", args.type, args.side, args.amount, args.price)
        assert_venue_error(on_order.value, OrderRejected)
        assert isinstance(on_order.value.__cause__, ccxt.BadSymbol)
        assert "NOPE/USDT" in str(on_order.value)
        with pytest.raises(OrderRejected) as on_market:
            venue.market("NOPE/USDT")
        assert isinstance(on_market.value.__cause__, ccxt.BadSymbol)

    def test_precision_helpers_format_and_reject_below_precision(
        self, venue_case: VenueCase
    ) -> None:
        venue = venue_case.venue_for(PRECISION)
        market = venue.market(venue_case.symbol)
        step = market["precision"]["amount"]
        tick = market["precision"]["price"]
        # Truncated to the step, never rounded up: 1.9 steps is 1 step.
        assert float(venue.amount_to_precision(venue_case.symbol, step * 1.9)) == (
            pytest.approx(step)
        )
        price = float(venue.price_to_precision(venue_case.symbol, 1000 + tick * 0.2))
        assert price == pytest.approx(1000)
        with pytest.raises(OrderRejected) as raised:
            venue.amount_to_precision(venue_case.symbol, step / 10)
        assert_venue_error(raised.value, OrderRejected)
