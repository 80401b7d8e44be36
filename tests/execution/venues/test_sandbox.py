"""Tests of the seeded sandbox exchange (execution.venues.sandbox)."""

from __future__ import annotations

import copy
import subprocess
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import ccxt
import pytest
from ccxt.base import types as ccxt_types
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from execution.clock import ManualClock
from execution.venues.protocol import Venue
from execution.venues.sandbox import (
    BookParams,
    MarketCatalog,
    SandboxExchange,
    SandboxMarket,
    generate_book,
    stable_seed,
)
from tests.conftest import CCXT_STATIC
from tests.execution.venues.sandbox_invariants import (
    cancel_all_releases_everything,
    check_account,
    d,
    exact_totals,
)

FIXTURES = CCXT_STATIC / "markets"
REPO = Path(__file__).resolve().parents[3]

ORDER_KEYS = set(ccxt_types.Order.__annotations__)
TRADE_KEYS = set(ccxt_types.Trade.__annotations__)
TICKER_KEYS = set(ccxt_types.Ticker.__annotations__)
BOOK_KEYS = set(ccxt_types.OrderBook.__annotations__)


@pytest.fixture(scope="module")
def catalog() -> MarketCatalog:
    return MarketCatalog.default()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def ex(catalog: MarketCatalog, clock: ManualClock) -> SandboxExchange:
    return SandboxExchange(
        catalog,
        balances={"USDT": Decimal(100_000), "BTC": Decimal(2), "ETH": Decimal(10)},
        clock=clock,
        seed=7,
        account_id="alice",
    )


def fixture_path(name: str) -> Path:
    return FIXTURES / name


def trades_of(ex: SandboxExchange, order: dict[str, Any]) -> list[dict[str, Any]]:
    """The fills of ``order``: like HashKey, order responses carry none (``trades: []``)."""
    return [t for t in ex.fetch_my_trades(order["symbol"]) if t["order"] == order["id"]]


def assert_balance_consistent(balance: dict[str, Any]) -> None:
    for code, total in balance["total"].items():
        assert balance["free"][code] + balance["used"][code] == total, code
        assert balance[code] == {
            "free": balance["free"][code],
            "used": balance["used"][code],
            "total": total,
        }
        assert balance["used"][code] >= 0
        assert total >= 0
    for row in balance["info"]["balances"]:
        assert d(row["free"]) + d(row["locked"]) == d(row["total"])


# -- catalog -----------------------------------------------------------------------------


def test_default_catalog_has_spot_markets_in_ccxt_shape(catalog: MarketCatalog) -> None:
    assert len(catalog) >= 15
    for symbol in ("BTC/USDT", "ETH/USDT", "HSK/USDT", "ETH/BTC", "USDC/USDT", "BTC/HKD"):
        assert symbol in catalog
    for symbol in catalog.symbols:
        market = catalog.market(symbol)
        assert market["symbol"] == symbol
        assert market["type"] == "spot"
        assert market["spot"] is True
        for flag in ("margin", "swap", "future", "option", "contract"):
            assert market[flag] is False
        assert f"{market['base']}/{market['quote']}" == symbol
        assert 0 < market["precision"]["amount"] <= 1
        assert 0 < market["precision"]["price"] < 1
        assert market["limits"]["amount"]["min"] >= market["precision"]["amount"]
        assert set(market["limits"]) >= {"amount", "price", "cost", "leverage"}
        assert market["taker"] >= market["maker"] > 0
        assert catalog.reference_price(symbol) > 0
    assert catalog.reference_price("BTC/USDT") == Decimal("65000")


def test_catalog_lookup(catalog: MarketCatalog) -> None:
    with pytest.raises(ccxt.BadSymbol, match="NOPE/USDT"):
        catalog.market("NOPE/USDT")
    found = catalog.find("eth", "btc")
    assert found is not None
    assert found["symbol"] == "ETH/BTC"
    assert catalog.find("BTC", "EUR") is None
    # Shared, not copied: every caller gets the same frozen market, and none can change
    # what other accounts see; a deep copy is the caller's own to change.
    assert catalog.market("BTC/USDT") is catalog.market("BTC/USDT")
    with pytest.raises(TypeError, match="'taker'"):
        catalog.market("BTC/USDT")["taker"] = 1.0
    own = copy.deepcopy(catalog.market("BTC/USDT"))
    own["taker"] = 1.0
    assert catalog.market("BTC/USDT")["taker"] == 0.001
    assert catalog.usd_rate("USDT") == 1
    hkd = catalog.usd_rate("HKD")
    assert hkd is not None
    assert Decimal("0.12") < hkd < Decimal("0.14")


def test_hashkey_fixture_loads_spot_markets() -> None:
    catalog = MarketCatalog.from_file(fixture_path("hashkey.json"))
    assert catalog.symbols == ["BTC/USDT", "ETH/USDT", "LTC/USDT"]
    assert catalog.market("BTC/USDT")["precision"] == {"amount": 1e-05, "price": 0.01}
    assert catalog.reference_price("ETH/USDT") == Decimal("3200")  # borrowed from the bundle
    ex = SandboxExchange(catalog, balances={"USDT": 10_000}, clock=ManualClock())
    order = ex.create_order("LTC/USDT", "market", "buy", 1)
    assert order["status"] == "closed"
    assert order["fee"]["rate"] == 0.0012


def test_binance_fixture_loads_and_normalises_decimal_places() -> None:
    catalog = MarketCatalog.from_file(
        fixture_path("binance.json"), reference_prices={"TRX/USDT": "0.25"}
    )
    assert len(catalog) == 7
    assert all(catalog.market(s)["spot"] for s in catalog.symbols)
    # binance's fixture counts decimal places (5, 2); the catalog converts to tick sizes.
    assert catalog.market("BTC/USDT")["precision"]["amount"] == 1e-05
    assert catalog.market("BTC/USDT")["precision"]["price"] == 0.01
    assert catalog.market("XRP/USDT")["precision"]["amount"] == 1.0
    ex = SandboxExchange(catalog, balances={"USDT": 10_000}, clock=ManualClock())
    assert ex.amount_to_precision("BTC/USDT", 0.123456789) == "0.12345"
    book = ex.fetch_order_book("TRX/USDT", 3)
    assert 0.2 < book["bids"][0][0] < 0.25 < book["asks"][0][0] < 0.3
    order = ex.create_order("BTC/USDT", "market", "buy", 0.01)
    assert order["filled"] == 0.01


def test_fixture_market_without_price_is_listed_but_not_tradable() -> None:
    catalog = MarketCatalog.from_file(fixture_path("binance.json"))
    assert "TRX/USDT" in catalog
    with pytest.raises(ccxt.BadSymbol, match="reference price"):
        catalog.reference_price("TRX/USDT")


# -- books -------------------------------------------------------------------------------


def test_same_seed_same_book_other_seed_other_book(catalog: MarketCatalog) -> None:
    clock = ManualClock()

    def book(seed: int, symbol: str = "ETH/USDT") -> dict[str, Any]:
        ex = SandboxExchange(catalog, balances={}, clock=clock, seed=seed)
        return dict(ex.fetch_order_book(symbol))

    assert book(1) == book(1)
    assert book(1) != book(2)
    assert book(1, "BTC/USDT") != book(1, "BTC/USDC")
    assert stable_seed(1, "ETH/USDT") == stable_seed(1, "ETH/USDT") != stable_seed(2, "ETH/USDT")


def test_book_shape_tick_step_and_parameters(catalog: MarketCatalog) -> None:
    for symbol in catalog.symbols:
        market = catalog.market(symbol)
        ref = catalog.reference_price(symbol)
        book = generate_book(
            seed=3, market=market, reference_price=ref, params=BookParams(depth=15)
        )
        tick, step = d(market["precision"]["price"]), d(market["precision"]["amount"])
        assert len(book.asks) == 15
        assert len(book.bids) == 15
        assert book.bids[0].price < ref < book.asks[0].price
        prices = [lvl.price for lvl in book.asks]
        assert prices == sorted(set(prices))
        bids = [lvl.price for lvl in book.bids]
        assert bids == sorted(set(bids), reverse=True)
        for level in book.asks + book.bids:
            assert level.price % tick == 0, (symbol, level)
            assert level.amount % step == 0, (symbol, level)
            assert level.amount >= d(market["limits"]["amount"]["min"])

    market = catalog.market("BTC/USDT")
    ref = Decimal(65000)
    narrow = generate_book(
        seed=0, market=market, reference_price=ref, params=BookParams(spread_bps=Decimal(2))
    )
    wide = generate_book(
        seed=0, market=market, reference_price=ref, params=BookParams(spread_bps=Decimal(50))
    )
    assert narrow.asks[0].price - narrow.bids[0].price == Decimal("13.00")
    assert wide.asks[0].price - wide.bids[0].price == Decimal("325.00")
    # Books of different depth agree on their common levels.
    deep = generate_book(seed=0, market=market, reference_price=ref, params=BookParams(depth=40))
    shallow = generate_book(seed=0, market=market, reference_price=ref, params=BookParams(depth=5))
    assert deep.asks[:5] == shallow.asks
    assert deep.bids[:5] == shallow.bids


def test_fetch_order_book_is_ccxt_shaped(ex: SandboxExchange, clock: ManualClock) -> None:
    book = ex.fetch_order_book("BTC/USDT", limit=5)
    assert set(book) == BOOK_KEYS
    assert book["symbol"] == "BTC/USDT"
    assert len(book["bids"]) == len(book["asks"]) == 5
    assert all(isinstance(x, float) for level in book["bids"] for x in level)
    assert book["timestamp"] == clock.now_ms()
    assert book["datetime"] == "2026-01-01T00:00:00.000Z"
    assert len(ex.fetch_order_book("BTC/USDT")["asks"]) == 20
    with pytest.raises(ccxt.BadSymbol):
        ex.fetch_order_book("BTC/EUR")


def test_spread_and_depth_constructor_arguments(catalog: MarketCatalog) -> None:
    ex = SandboxExchange(catalog, balances={}, clock=ManualClock(), spread_bps=40, depth=3)
    book = ex.fetch_order_book("BTC/USDT")
    assert len(book["asks"]) == 3
    assert book["asks"][0][0] - book["bids"][0][0] == pytest.approx(260, abs=0.02)


def test_ticker(ex: SandboxExchange) -> None:
    ticker = ex.fetch_ticker("ETH/USDT")
    assert set(ticker) >= TICKER_KEYS
    book = ex.fetch_order_book("ETH/USDT", 1)
    assert ticker["bid"] == book["bids"][0][0]
    assert ticker["ask"] == book["asks"][0][0]
    assert ticker["last"] == ticker["close"] == 3200.0
    assert ticker["bid"] < ticker["last"] < ticker["ask"]


# -- orders ------------------------------------------------------------------------------


def test_market_buy_walks_the_book(ex: SandboxExchange) -> None:
    book = ex.fetch_order_book("BTC/USDT")
    asks = book["asks"]
    amount = d(asks[0][1]) + d(asks[1][1]) + Decimal("0.1")  # into the third level
    before = ex.fetch_balance()
    order = ex.create_order("BTC/USDT", "market", "buy", float(amount))
    assert set(order) >= ORDER_KEYS
    assert order["status"] == "closed"
    assert order["filled"] == float(amount)
    assert order["remaining"] == 0
    assert asks[0][0] < order["average"] < asks[2][0]
    assert [t["price"] for t in trades_of(ex, order)] == [asks[0][0], asks[1][0], asks[2][0]]
    assert all(t["takerOrMaker"] == "taker" for t in trades_of(ex, order))
    taken = [d(asks[0][1]), d(asks[1][1]), Decimal("0.1")]
    expected_cost = sum((d(asks[i][0]) * q for i, q in enumerate(taken)), Decimal(0))
    assert d(order["info"]["cummulativeQuoteQty"]) == expected_cost
    assert order["cost"] == pytest.approx(float(expected_cost))
    assert order["fee"]["currency"] == "BTC"
    assert order["fee"]["rate"] == 0.001
    assert d(order["info"]["commission"]) == amount * Decimal("0.001")
    after = ex.fetch_balance()
    assert_balance_consistent(after)
    assert after["total"]["USDT"] == pytest.approx(before["total"]["USDT"] - float(expected_cost))
    assert after["total"]["BTC"] == pytest.approx(
        before["total"]["BTC"] + float(amount) * (1 - 0.001)
    )
    assert ex.fetch_order(order["id"]) == order
    assert order["trades"] == []  # as HashKey's createOrder / fetchOrder responses
    assert ex.fetch_my_trades("BTC/USDT") == trades_of(ex, order)
    assert all(set(t) >= TRADE_KEYS for t in trades_of(ex, order))


def test_market_sell_pays_fee_in_quote(ex: SandboxExchange) -> None:
    best_bid = ex.fetch_ticker("ETH/USDT")["bid"]
    order = ex.create_order("ETH/USDT", "market", "sell", 0.5)
    assert trades_of(ex, order)[0]["price"] == best_bid
    assert order["fee"]["currency"] == "USDT"
    assert order["fee"]["cost"] == pytest.approx(order["cost"] * 0.001)
    balance = ex.fetch_balance()
    assert balance["total"]["ETH"] == 9.5
    assert balance["total"]["USDT"] == pytest.approx(100_000 + order["cost"] * 0.999)


def test_market_order_exhausting_the_book_is_partially_filled(catalog: MarketCatalog) -> None:
    ex = SandboxExchange(catalog, balances={"BTC": 100}, clock=ManualClock(), depth=2)
    bids = ex.fetch_order_book("BTC/USDT")["bids"]
    available = d(bids[0][1]) + d(bids[1][1])
    order = ex.create_order("BTC/USDT", "market", "sell", 50)
    assert order["status"] == "canceled"
    assert order["info"]["cancelReason"] == "book exhausted"
    assert d(order["info"]["executedQty"]) == available
    assert order["remaining"] == pytest.approx(50 - float(available))
    balance = ex.fetch_balance()
    assert balance["used"]["BTC"] == 0
    assert balance["total"]["BTC"] == pytest.approx(100 - float(available))


def test_limit_rests_reserves_and_cancel_releases(ex: SandboxExchange) -> None:
    order = ex.create_order("BTC/USDT", "limit", "buy", 0.5, 60_000.004, {"clientOrderId": "c-1"})
    assert order["status"] == "open"
    assert order["price"] == 60_000.0  # rounded to the tick
    assert order["filled"] == 0
    assert order["trades"] == []
    assert trades_of(ex, order) == []
    assert order["clientOrderId"] == "c-1"
    balance = ex.fetch_balance()
    assert balance["used"]["USDT"] == 30_000
    assert balance["free"]["USDT"] == 70_000
    assert_balance_consistent(balance)

    sell = ex.create_order("ETH/USDT", "limit", "sell", 2, 4000)
    assert ex.fetch_balance()["used"]["ETH"] == 2
    assert [o["id"] for o in ex.fetch_open_orders()] == [order["id"], sell["id"]]
    assert [o["id"] for o in ex.fetch_open_orders("ETH/USDT")] == [sell["id"]]
    assert ex.fetch_order("", params={"clientOrderId": "c-1"})["id"] == order["id"]

    canceled = ex.cancel_order(order["id"], "BTC/USDT")
    assert canceled["status"] == "canceled"
    assert set(canceled) >= ORDER_KEYS
    balance = ex.fetch_balance()
    assert balance["used"]["USDT"] == 0
    assert balance["free"]["USDT"] == 100_000
    assert ex.fetch_order(order["id"])["status"] == "canceled"
    with pytest.raises(ccxt.OrderNotFound, match="canceled"):
        ex.cancel_order(order["id"])
    assert ex.fetch_open_orders() == [ex.fetch_order(sell["id"])]
    by_client = ex.create_order("ETH/USDT", "limit", "sell", 1, 4100, {"clientOrderId": "c-2"})
    assert ex.cancel_order("", params={"clientOrderId": "c-2"})["id"] == by_client["id"]
    assert ex.fetch_balance()["used"]["ETH"] == 2


def test_crossing_limit_takes_up_to_the_limit_and_rests_the_rest(ex: SandboxExchange) -> None:
    asks = ex.fetch_order_book("ETH/USDT")["asks"]
    limit = asks[1][0]  # takes the first two levels, no further
    amount = d(asks[0][1]) + d(asks[1][1]) + Decimal(1)
    order = ex.create_order("ETH/USDT", "limit", "buy", float(amount), limit)
    assert order["status"] == "open"
    assert [t["price"] for t in trades_of(ex, order)] == [asks[0][0], asks[1][0]]
    assert order["remaining"] == pytest.approx(1)
    assert order["fee"]["rate"] == 0.001  # all fills so far were taker fills
    balance = ex.fetch_balance()
    assert balance["used"]["USDT"] == pytest.approx(limit)
    assert_balance_consistent(balance)


def test_time_in_force_variants(ex: SandboxExchange) -> None:
    asks = ex.fetch_order_book("ETH/USDT")["asks"]
    amount = float(d(asks[0][1]) + 1)
    ioc = ex.create_order("ETH/USDT", "limit", "buy", amount, asks[0][0], {"timeInForce": "IOC"})
    assert ioc["status"] == "canceled"
    assert ioc["filled"] == asks[0][1]
    fok = ex.create_order("ETH/USDT", "limit", "buy", amount, asks[0][0], {"timeInForce": "FOK"})
    assert fok["status"] == "canceled"
    assert fok["filled"] == 0
    with pytest.raises(ccxt.OrderImmediatelyFillable):
        ex.create_order("ETH/USDT", "limit", "buy", 1, asks[0][0], {"postOnly": True})
    maker = ex.create_order("ETH/USDT", "limit", "buy", 1, 3000, {"timeInForce": "PO"})
    assert maker["status"] == "open"
    assert maker["postOnly"] is True
    assert ex.fetch_balance()["used"]["USDT"] == 3000
    assert_balance_consistent(ex.fetch_balance())


def test_moving_price_fills_resting_orders_as_maker(catalog: MarketCatalog) -> None:
    class Steps:
        def __init__(self) -> None:
            self.bump = Decimal(0)

        def reference_price(self, symbol: str, now_ms: int) -> Decimal:
            return catalog.reference_price(symbol) * (1 + self.bump)

    prices = Steps()
    shared = SandboxMarket(catalog, seed=1, prices=prices)
    clock = ManualClock()
    ex = shared.open_account(balances={"USDT": 10_000}, clock=clock, account_id="bob")
    order = ex.create_order("SOL/USDT", "limit", "buy", 10, 140)
    assert order["status"] == "open"
    prices.bump = Decimal("-0.1")  # SOL falls to 135: the book now crosses the bid at 140
    clock.advance(1_000)
    filled = ex.fetch_order(order["id"])
    assert filled["status"] == "closed"
    assert filled["average"] == 140
    assert trades_of(ex, filled)[0]["takerOrMaker"] == "maker"
    assert filled["fee"] == {"currency": "SOL", "cost": pytest.approx(10 * 0.0008), "rate": 0.0008}
    assert filled["lastTradeTimestamp"] == clock.now_ms()
    balance = ex.fetch_balance()
    assert balance["used"]["USDT"] == 0
    assert balance["total"]["USDT"] == 8_600
    assert balance["total"]["SOL"] == pytest.approx(10 - 0.008)


def test_accounts_share_books_not_balances(catalog: MarketCatalog) -> None:
    shared = SandboxMarket(catalog, seed=5)
    clock = ManualClock()
    a = shared.open_account(balances={"USDT": 1_000}, clock=clock, account_id="a")
    b = shared.open_account(balances={"USDT": 2_000}, clock=clock, account_id="b")
    assert a.fetch_order_book("BTC/USDT") == b.fetch_order_book("BTC/USDT")
    oa = a.create_order("BTC/USDT", "market", "buy", 0.01)
    ob = b.create_order("BTC/USDT", "market", "buy", 0.01)
    assert oa["id"] == "a-000001"
    assert ob["id"] == "b-000001"
    assert oa["average"] == ob["average"]  # fills do not deplete the shared snapshot
    assert a.fetch_balance()["total"]["USDT"] != b.fetch_balance()["total"]["USDT"]
    assert b.fetch_my_trades()[0]["order"] == "b-000001"
    with pytest.raises(ValueError, match="seed"):
        SandboxExchange(catalog, balances={}, clock=clock, seed=6, shared=shared)


def test_sandbox_is_deterministic(catalog: MarketCatalog) -> None:
    def run() -> list[Any]:
        ex = SandboxExchange(catalog, balances={"USDT": 50_000}, clock=ManualClock(), seed=11)
        out: list[Any] = [ex.create_order("ETH/USDT", "market", "buy", 1.2345)]
        out.append(ex.create_order("SOL/USDT", "limit", "buy", 3, 120))
        out.append(ex.fetch_balance())
        return out

    assert run() == run()


def test_precision_helpers(ex: SandboxExchange) -> None:
    assert ex.amount_to_precision("BTC/USDT", 0.123456789) == "0.12345"
    assert ex.amount_to_precision("DOGE/USDT", "101.9") == "101"
    assert ex.price_to_precision("BTC/USDT", 65000.005) == "65000.01"
    assert ex.price_to_precision("ETH/BTC", "0.0492314") == "0.049231"
    with pytest.raises(ccxt.InvalidOrder, match="1e-07"):
        ex.amount_to_precision("BTC/USDT", 1e-07)


def test_satisfies_venue_protocol(ex: SandboxExchange) -> None:
    assert isinstance(ex, Venue)
    assert ex.id == "sandbox"
    markets = ex.load_markets()
    assert markets["BTC/USDT"] == ex.market("BTC/USDT")
    with pytest.raises(ccxt.BadSymbol):
        ex.market("FOO/BAR")


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("FOO/USDT", "market", "buy", 1), ccxt.BadSymbol, "FOO/USDT"),
        (("BTC/USDT", "stop", "buy", 1, 60_000), ccxt.InvalidOrder, "'stop'"),
        (("BTC/USDT", "market", "hold", 1), ccxt.InvalidOrder, "'hold'"),
        (("BTC/USDT", "limit", "buy", 0.1), ccxt.InvalidOrder, "requires a price"),
        (("BTC/USDT", "market", "buy", 0.000001), ccxt.InvalidOrder, "rounds to zero"),
        (("BTC/USDT", "market", "buy", -1), ccxt.InvalidOrder, "-1"),
        (("DOGE/USDT", "limit", "buy", 0.5, 0.1), ccxt.InvalidOrder, "0.5"),
        (("BTC/USDT", "limit", "buy", 101, 1), ccxt.InvalidOrder, "maximum amount 100"),
        (("BTC/USDT", "limit", "buy", 0.00001, 60_000), ccxt.InvalidOrder, "cost 0.6"),
        (("BTC/USDT", "limit", "buy", 0.1, 2_000_000), ccxt.InvalidOrder, "maximum price"),
        (("BTC/USDT", "limit", "buy", 0.1, "abc"), ccxt.InvalidOrder, "'abc'"),
        (("BTC/USDT", "market", "buy", 10), ccxt.InsufficientFunds, "USDT"),
        (("BTC/USDT", "market", "sell", 3), ccxt.InsufficientFunds, "needs 3 BTC, free 2 BTC"),
    ],
)
def test_create_order_errors(
    ex: SandboxExchange, args: tuple[Any, ...], error: type[Exception], message: str
) -> None:
    before = ex.fetch_balance()
    with pytest.raises(error, match=message.replace("(", r"\(")):
        ex.create_order(*args)
    assert ex.fetch_balance() == before
    assert ex.fetch_open_orders() == []
    assert ex.fetch_my_trades() == []


def test_amount_below_market_minimum(catalog: MarketCatalog) -> None:
    market = dict(catalog.market("ETH/USDT"))
    market["limits"] = {**market["limits"], "amount": {"min": 0.01, "max": 100}}
    custom = MarketCatalog.from_markets({"ETH/USDT": market}, reference_prices={"ETH/USDT": "3200"})
    ex = SandboxExchange(custom, balances={"USDT": 1_000}, clock=ManualClock())
    with pytest.raises(ccxt.InvalidOrder, match=r"amount 0.005 of ETH/USDT is below the minimum"):
        ex.create_order("ETH/USDT", "limit", "buy", 0.005, 3000)
    assert ex.create_order("ETH/USDT", "limit", "buy", 0.01, 3000)["status"] == "open"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("BTC/USDT", "market", "buy", 0.000001),
            "sandbox amount 0.000001 of BTC/USDT rounds to zero: must be at least the amount "
            "precision 1e-05",
        ),
        (
            ("ETH/USDT", "market", "buy", 1e-9),
            "sandbox amount 1E-9 of ETH/USDT rounds to zero: must be at least the amount "
            "precision 0.0001",
        ),
        (
            ("BTC/USDT", "market", "buy", 100.5),
            "sandbox amount 100.5 of BTC/USDT is above the maximum amount 100",
        ),
        (
            ("BTC/USDT", "limit", "buy", 0.00001, 60_000),
            "sandbox order cost 0.60000 USDT on BTC/USDT is below the minimum cost 1 USDT",
        ),
        (
            ("BTC/USDT", "limit", "buy", 99, 60_000),
            "sandbox order cost 5940000 USDT on BTC/USDT is above the maximum cost 5000000 USDT",
        ),
    ],
)
def test_limit_messages_quote_the_catalog(
    catalog: MarketCatalog, args: tuple[Any, ...], message: str
) -> None:
    # Limits, steps and fees are converted once per market; messages still show the
    # catalog's own numbers and the order's exact decimals.
    rich = SandboxExchange(catalog, balances={"USDT": 10**7}, clock=ManualClock(), seed=7)
    for _ in range(2):  # the first order of a market converts, the second reuses
        with pytest.raises(ccxt.InvalidOrder) as info:
            rich.create_order(*args)
        assert str(info.value) == message


def test_market_without_fees_or_with_a_malformed_limit(catalog: MarketCatalog) -> None:
    market = dict(catalog.market("ETH/USDT"))
    del market["taker"], market["maker"]  # some fixtures omit fees: trading is free
    free = MarketCatalog.from_markets({"ETH/USDT": market}, reference_prices={"ETH/USDT": "3200"})
    ex = SandboxExchange(free, balances={"USDT": 10**6}, clock=ManualClock())
    order = ex.create_order("ETH/USDT", "market", "buy", 1)
    assert order["fee"] == {"currency": "ETH", "cost": 0.0, "rate": 0.0}
    # A limit that is not a number fails every order that reaches its check, not just the
    # first (nothing half-converted is kept).
    market["limits"] = {**market["limits"], "cost": {"min": "abc", "max": None}}
    bad = MarketCatalog.from_markets({"ETH/USDT": market}, reference_prices={"ETH/USDT": "3200"})
    ex = SandboxExchange(bad, balances={"USDT": 10**6}, clock=ManualClock())
    for _ in range(2):
        with pytest.raises(InvalidOperation):
            ex.create_order("ETH/USDT", "market", "buy", 1)
    assert ex.fetch_open_orders() == []
    assert ex.fetch_my_trades() == []


def test_insufficient_funds_names_currency_needed_and_free(ex: SandboxExchange) -> None:
    ex.create_order("BTC/USDT", "limit", "buy", 1, 60_000)  # reserves 60,000 USDT
    with pytest.raises(ccxt.InsufficientFunds) as info:
        ex.create_order("BTC/USDT", "limit", "buy", 1, 50_000)
    message = str(info.value)
    assert "USDT" in message
    assert "needs 50000" in message
    assert "free 40000" in message


def test_duplicate_client_order_id(ex: SandboxExchange, catalog: MarketCatalog) -> None:
    ex.create_order("ETH/USDT", "limit", "buy", 1, 3000, {"clientOrderId": "abc"})
    with pytest.raises(ccxt.DuplicateOrderId, match="'abc'"):
        ex.create_order("ETH/USDT", "limit", "buy", 1, 3000, {"clientOrderId": "abc"})
    # Scoped per account: another account may reuse it.
    other = SandboxExchange(catalog, balances={"USDT": 5_000}, clock=ManualClock())
    assert (
        other.create_order("ETH/USDT", "limit", "buy", 1, 3000, {"clientOrderId": "abc"})["status"]
        == "open"
    )


def test_order_not_found(ex: SandboxExchange) -> None:
    with pytest.raises(ccxt.OrderNotFound, match="'nope'"):
        ex.fetch_order("nope")
    with pytest.raises(ccxt.OrderNotFound, match="'nope'"):
        ex.cancel_order("nope", "BTC/USDT")
    with pytest.raises(ccxt.OrderNotFound, match="'ghost'"):
        ex.fetch_order("", params={"clientOrderId": "ghost"})
    order = ex.create_order("ETH/USDT", "limit", "buy", 1, 3000)
    with pytest.raises(ccxt.OrderNotFound, match="ETH/USDT"):
        ex.fetch_order(order["id"], "BTC/USDT")
    filled = ex.create_order("ETH/USDT", "market", "buy", 1)
    with pytest.raises(ccxt.OrderNotFound, match="closed"):
        ex.cancel_order(filled["id"])


def test_venue_and_clock_do_not_import_ccxt() -> None:
    code = (
        "import sys, execution.venues.protocol, execution.clock; "
        "assert 'ccxt' not in sys.modules, 'ccxt imported'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


# -- properties --------------------------------------------------------------------------

SYMBOLS = ["BTC/USDT", "ETH/USDT", "ETH/BTC", "SOL/USDC", "USDC/USDT"]

actions = st.lists(
    st.one_of(
        st.tuples(
            st.just("order"),
            st.sampled_from(SYMBOLS),
            st.sampled_from(["market", "limit"]),
            st.sampled_from(["buy", "sell"]),
            st.integers(min_value=1, max_value=9),  # notional mantissa, dollars
            st.integers(min_value=-1, max_value=5),  # notional exponent: $0.10 .. $900k
            st.integers(min_value=-300, max_value=300),  # limit offset from reference, bps
        ),
        st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=20)),
        st.tuples(st.just("tick"), st.integers(min_value=1, max_value=60_000)),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=3),
    depth=st.integers(min_value=1, max_value=20),  # shallow books exhaust: partial fills
    script=actions,
)
def test_balances_stay_consistent_and_value_is_conserved_up_to_fees(
    seed: int, depth: int, script: list[tuple[Any, ...]]
) -> None:
    catalog = MarketCatalog.default()
    clock = ManualClock()
    ex = SandboxExchange(
        catalog,
        balances={"USDT": 500_000, "USDC": 200_000, "BTC": 10, "ETH": 100, "SOL": 2_000},
        clock=clock,
        seed=seed,
        depth=depth,
    )
    seen_trades = 0
    for action in script:
        before = exact_totals(ex)
        if action[0] == "order":
            _, symbol, type_, side, mantissa, exponent, offset = action
            market = catalog.market(symbol)
            ref = catalog.reference_price(symbol)
            usd = Decimal(mantissa).scaleb(exponent)  # the same dollar range on every pair
            amount = usd / (ref * (catalog.usd_rate(market["quote"]) or 1))
            price = ref * (1 + Decimal(offset) / 10_000) if type_ == "limit" else None
            try:
                ex.create_order(symbol, type_, side, float(amount), price and float(price))
            except (ccxt.InvalidOrder, ccxt.InsufficientFunds):
                assert exact_totals(ex) == before
        elif action[0] == "cancel":
            open_orders = ex.fetch_open_orders()
            if open_orders:
                ex.cancel_order(open_orders[action[1] % len(open_orders)]["id"])
        else:
            clock.advance(action[1])

        assert_balance_consistent(ex.fetch_balance())
        seen_trades = check_account(ex, catalog, before, seen_trades)

    cancel_all_releases_everything(ex)
