"""HashKey ``info.filters`` in the sandbox (execution.venues.filters)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import ccxt
import pytest

from execution.clock import ManualClock
from execution.venues.filters import check_filters, parse_filters, price_band
from execution.venues.sandbox import MarketCatalog, SandboxExchange, SandboxMarket
from tests.conftest import CCXT_STATIC

FIXTURES = CCXT_STATIC / "markets"


@pytest.fixture(scope="module")
def catalog() -> MarketCatalog:
    return MarketCatalog.default()


@pytest.fixture(scope="module")
def hashkey() -> MarketCatalog:
    return MarketCatalog.from_file(FIXTURES / "hashkey.json")


@pytest.fixture
def ex(catalog: MarketCatalog) -> SandboxExchange:
    return SandboxExchange(
        catalog,
        balances={"USDT": 1_000_000, "BTC": 50, "HSK": 1_000_000},
        clock=ManualClock(),
        seed=3,
    )


def state(ex: SandboxExchange) -> tuple[Any, ...]:
    return ex.fetch_balance()["info"], ex.fetch_open_orders(), ex.fetch_my_trades()


def test_parse_hashkey_fixture_filters(hashkey: MarketCatalog) -> None:
    f = parse_filters(hashkey.market("BTC/USDT"))
    assert f.limit_buy_up_rate == Decimal("0.1")
    assert f.limit_sell_down_rate == Decimal("0.1")
    assert f.market_buy_up_rate == f.market_sell_down_rate == Decimal("0.1")
    assert f.market_max_qty == 4
    assert f.market_min_qty == Decimal("0.00001")
    assert (f.min_amount, f.max_amount) == (Decimal(1), Decimal(400_000))
    assert (f.market_min_amount, f.market_max_amount) == (Decimal(1), Decimal(200_000))
    assert f.min_notional == 1
    assert (f.no_market_from_ms, f.no_market_until_ms) == (1_710_485_700_000, 1_710_486_000_000)
    assert not f.empty


def test_price_band_is_rounded_inwards_to_the_tick(catalog: MarketCatalog) -> None:
    btc = catalog.market("BTC/USDT")
    assert price_band(btc, Decimal(65000)) == (Decimal("58500.00"), Decimal("71500.00"))
    assert price_band(btc, Decimal("65000.07"), "market") == (
        Decimal("58500.07"),  # 58500.063 rounded up: a sell may not go below the band
        Decimal("71500.07"),  # 71500.077 rounded down
    )
    # A market without LIMIT_TRADING/MARKET_TRADING has no band (and no extra filter).
    assert price_band(catalog.market("SOL/USDT"), Decimal(150)) is None
    assert parse_filters(catalog.market("SOL/USDT")).market_max_qty is None


def test_bundled_markets_carry_the_hashkey_filters(catalog: MarketCatalog) -> None:
    for symbol in ("BTC/USDT", "ETH/USDT", "HSK/USDT"):
        f = parse_filters(catalog.market(symbol))
        assert f.limit_buy_up_rate == f.market_sell_down_rate == Decimal("0.1"), symbol
        assert f.market_max_qty is not None, symbol
        assert f.market_max_amount is not None, symbol
        assert f.no_market_from_ms is None, symbol  # OPEN_QUOTE "0" means not set


def test_limit_buy_above_the_band_is_rejected(ex: SandboxExchange) -> None:
    before = state(ex)
    with pytest.raises(ccxt.InvalidOrder) as info:
        ex.create_order("BTC/USDT", "limit", "buy", 0.01, 71_500.01)
    message = str(info.value)
    assert "limit buy price 71500.01 of BTC/USDT" in message
    assert "LIMIT_TRADING" in message
    assert "at most 71500" in message
    assert "buyPriceUpRate 0.1" in message
    assert state(ex) == before
    # The bound itself is inside the band; it crosses the book and fills as taker.
    assert ex.create_order("BTC/USDT", "limit", "buy", 0.01, 71_500)["status"] == "closed"


def test_limit_sell_below_the_band_is_rejected(ex: SandboxExchange) -> None:
    with pytest.raises(ccxt.InvalidOrder, match=r"limit sell price 0\.4949 of HSK/USDT is below"):
        ex.create_order("HSK/USDT", "limit", "sell", 100, 0.4949)
    with pytest.raises(ccxt.InvalidOrder, match=r"at least 0\.495 .*sellPriceDownRate 0\.1"):
        ex.create_order("HSK/USDT", "limit", "sell", 100, 0.4949)
    # A resting sell far above the price is not limited by LIMIT_TRADING (no sell cap).
    assert ex.create_order("HSK/USDT", "limit", "sell", 100, 5)["status"] == "open"


def test_market_amount_above_market_order_max_qty(hashkey: MarketCatalog) -> None:
    ex = SandboxExchange(hashkey, balances={"USDT": 1_000_000, "BTC": 10}, clock=ManualClock())
    with pytest.raises(ccxt.InvalidOrder, match=r"amount 5 of BTC/USDT is above LOT_SIZE "):
        ex.create_order("BTC/USDT", "market", "sell", 5)
    with pytest.raises(ccxt.InvalidOrder, match="marketOrderMaxQty 4"):
        ex.create_order("BTC/USDT", "market", "buy", 4.5)
    # A limit order of the same size is within LOT_SIZE maxQty (8).
    assert ex.create_order("BTC/USDT", "limit", "sell", 5, 70_000)["status"] == "open"


def test_trade_amount_limits(hashkey: MarketCatalog) -> None:
    ex = SandboxExchange(hashkey, balances={"USDT": 1_000_000, "BTC": 10}, clock=ManualClock())
    # 3.5 BTC at ~65,000 is ~227,600 USDT: above marketOrderMaxAmount 200,000.
    with pytest.raises(ccxt.InvalidOrder, match=r"market order notional 22\d{4}\.\d+ on BTC/USDT"):
        ex.create_order("BTC/USDT", "market", "buy", 3.5)
    with pytest.raises(ccxt.InvalidOrder, match="above TRADE_AMOUNT marketOrderMaxAmount 200000"):
        ex.create_order("BTC/USDT", "market", "buy", 3.5)
    # 7 BTC at 60,000 = 420,000 USDT: above the (limit) maxAmount 400,000.
    with pytest.raises(ccxt.InvalidOrder, match=r"notional 420000 .*TRADE_AMOUNT maxAmount 400000"):
        ex.create_order("BTC/USDT", "limit", "buy", 7, 60_000)
    # The fixture has no cost limits, so MIN_NOTIONAL is what stops a dust order.
    with pytest.raises(ccxt.InvalidOrder, match=r"notional 0\.6 on BTC/USDT is below MIN_NOTIONAL"):
        ex.create_order("BTC/USDT", "limit", "buy", 0.00001, 60_000)
    assert ex.fetch_open_orders() == []
    assert ex.fetch_my_trades() == []


def test_market_trading_band_on_the_expected_average(catalog: MarketCatalog) -> None:
    # A thin snapshot book: one small ask at the touch, then a gap to 80,000.
    snapshot = {
        "BTC/USDT": {"bids": [[64_990, 1]], "asks": [[65_010, 0.1], [80_000, 10]]},
    }
    shared = SandboxMarket(catalog, snapshot=snapshot)
    ex = shared.open_account(balances={"USDT": 1_000_000}, clock=ManualClock())
    with pytest.raises(ccxt.InvalidOrder) as info:
        ex.create_order("BTC/USDT", "market", "buy", 1)
    message = str(info.value)
    assert "market buy expected average price 78501 of BTC/USDT" in message
    assert "above the MARKET_TRADING price band: at most 71500" in message
    # Within the band the same book fills.
    assert ex.create_order("BTC/USDT", "market", "buy", 0.1)["average"] == 65_010


def test_check_filters_is_pure_and_reports_every_violation(hashkey: MarketCatalog) -> None:
    market = hashkey.market("BTC/USDT")
    violations = check_filters(
        market,
        type="market",
        side="buy",
        amount=Decimal(5),
        reference=Decimal(65_000),
        expected_average=Decimal(72_000),
        expected_cost=Decimal(360_000),
        now_ms=1_710_485_800_000,  # inside the OPEN_QUOTE no-market window
    )
    assert [(v.filter, v.field) for v in violations] == [
        ("OPEN_QUOTE", "noAllowMarketStartTime"),
        ("LOT_SIZE", "marketOrderMaxQty"),
        ("TRADE_AMOUNT", "marketOrderMaxAmount"),
        ("MARKET_TRADING", "buyPriceUpRate"),
    ]
    assert violations[3].bound == Decimal("71500.00")
    assert violations[3].value == 72_000
    ok = check_filters(
        market,
        type="limit",
        side="sell",
        amount=Decimal(1),
        price=Decimal(60_000),
        reference=Decimal(65_000),
    )
    assert ok == []
    # Without a reference there is no band to check (the caller checks what it knows).
    assert (
        check_filters(market, type="limit", side="buy", amount=Decimal(1), price=Decimal(90_000))
        == []
    )
