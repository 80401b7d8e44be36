"""The seeded price process and snapshot books (execution.venues.sandbox.prices / book)."""

from __future__ import annotations

import json
import math
import random
from decimal import Decimal
from pathlib import Path

import ccxt
import pytest

from execution.clock import ManualClock
from execution.venues.sandbox import MarketCatalog, SandboxMarket, StaticPrices
from execution.venues.sandbox.prices import (
    DEFAULT_ORIGIN_MS,
    STABLE_VOLATILITY,
    RandomWalkPrices,
    SteppedPriceSource,
)

T0 = DEFAULT_ORIGIN_MS
MINUTE = 60_000


@pytest.fixture(scope="module")
def catalog() -> MarketCatalog:
    return MarketCatalog.default()


def path(prices: RandomWalkPrices, symbol: str, times: list[int]) -> list[Decimal]:
    return [prices.reference_price(symbol, t) for t in times]


def test_same_seed_same_path_other_seed_other_path(catalog: MarketCatalog) -> None:
    times = [T0 + i * MINUTE for i in range(120)]
    a = path(RandomWalkPrices(catalog, seed=1), "BTC/USDT", times)
    b = path(RandomWalkPrices(catalog, seed=1), "BTC/USDT", times)
    c = path(RandomWalkPrices(catalog, seed=2), "BTC/USDT", times)
    assert a == b
    assert a != c
    assert a[0] == catalog.reference_price("BTC/USDT")  # S(0) = 0 at the origin
    assert len(set(a)) > 30  # it moves
    # Symbols walk independently.
    eth = path(RandomWalkPrices(catalog, seed=1), "ETH/USDT", times)
    assert [x / a[0] for x in a] != [x / eth[0] for x in eth]


def test_any_time_in_any_order_gives_the_same_answer(catalog: MarketCatalog) -> None:
    rng = random.Random(5)  # noqa: S311 (test data, not crypto)
    times = [T0 + rng.randrange(-3 * 86_400_000, 3 * 86_400_000) for _ in range(200)]
    assert len(set(times)) == 200
    forward = path(RandomWalkPrices(catalog, seed=9), "SOL/USDT", sorted(times))
    shuffled = list(zip(sorted(times), forward, strict=True))
    random.Random(6).shuffle(shuffled)  # noqa: S311
    fresh = RandomWalkPrices(catalog, seed=9)
    assert all(fresh.reference_price("SOL/USDT", t) == p for t, p in shuffled)


def test_price_is_constant_between_grid_points_and_on_the_tick(catalog: MarketCatalog) -> None:
    prices = RandomWalkPrices(catalog, seed=4, step_ms=1_000)
    t = T0 + 10_000
    assert prices.reference_price("BTC/USDT", t) == prices.reference_price("BTC/USDT", t + 999)
    for i in range(50):
        price = prices.reference_price("ETH/BTC", T0 + i * 1_000)
        assert price % Decimal("0.000001") == 0
    # A ±1 walk moves by exactly one step of sigma*sqrt(dt) in log price each grid point.
    sigma_step = float(Decimal("0.6") * (Decimal(1_000) / Decimal(365 * 86_400_000)).sqrt())
    p0 = float(prices.reference_price("BTC/USDT", T0))
    p1 = float(prices.reference_price("BTC/USDT", T0 + 1_000))
    assert abs(abs(math.log(p1 / p0)) - sigma_step) < 0.01 / p0  # up to tick rounding


def test_volatility_is_configurable_per_symbol(catalog: MarketCatalog) -> None:
    prices = RandomWalkPrices(
        catalog, seed=1, volatility={"BTC/USDT": 0, "ETH/USDT": "2.5"}, default_volatility=1
    )
    day = [T0 + i * 3_600_000 for i in range(24)]
    assert set(path(prices, "BTC/USDT", day)) == {Decimal(65000)}
    assert prices.volatility("USDC/USDT") == STABLE_VOLATILITY
    assert prices.volatility("SOL/USDT") == 1

    def spread(symbol: str) -> float:
        values = [float(p) for p in path(prices, symbol, day)]
        return (max(values) - min(values)) / values[0]

    assert spread("ETH/USDT") > spread("USDC/USDT")
    with pytest.raises(ValueError, match="volatility"):
        RandomWalkPrices(catalog, volatility={"BTC/USDT": -1})
    with pytest.raises(ValueError, match="step_ms"):
        RandomWalkPrices(catalog, step_ms=0)


def test_walk_is_defined_before_the_origin(catalog: MarketCatalog) -> None:
    prices = RandomWalkPrices(catalog, seed=3)
    assert prices.walk("BTC/USDT", 0) == 0
    before = [prices.walk("BTC/USDT", -n) for n in range(1, 10_000, 997)]
    after = [prices.walk("BTC/USDT", n) for n in range(1, 10_000, 997)]
    assert before != [-x for x in after]  # its own steps, not a mirror
    assert all(
        abs(a - b) == 1
        for a, b in zip(
            [prices.walk("BTC/USDT", n) for n in range(-5000, 5000)],
            [prices.walk("BTC/USDT", n) for n in range(-4999, 5001)],
            strict=True,
        )
    )


def test_books_move_with_the_process_and_stay_static_by_default(catalog: MarketCatalog) -> None:
    clock = ManualClock()
    moving = SandboxMarket(catalog, seed=1, prices=RandomWalkPrices(catalog, seed=8))
    static = SandboxMarket(catalog, seed=1)
    assert isinstance(static.prices, StaticPrices)
    assert isinstance(moving.prices, SteppedPriceSource)
    a = moving.open_account(balances={}, clock=clock)
    s = static.open_account(balances={}, clock=clock)
    first, still = a.fetch_ticker("BTC/USDT"), s.fetch_order_book("BTC/USDT")
    clock.advance(10 * MINUTE)
    second = a.fetch_ticker("BTC/USDT")
    assert first["last"] != second["last"]
    assert second["bid"] < second["last"] < second["ask"]
    assert s.fetch_order_book("BTC/USDT")["bids"] == still["bids"]


def test_snapshot_books_load_and_follow_the_price(catalog: MarketCatalog, tmp_path: Path) -> None:
    snap = {
        "comment": "recorded 2026-01-01",
        "ETH/USDT": {
            "bids": [[3199.5, 2.0], [3199.0, 5.0], [3190.0, 0.0]],
            "asks": [[3201.0, 1.5], [3200.5, 1.0]],  # unsorted on purpose
            "timestamp": 1,
        },
    }
    file = tmp_path / "books.json"
    file.write_text(json.dumps(snap), encoding="utf-8")
    clock = ManualClock()
    ex = SandboxMarket(catalog, snapshot=file).open_account(balances={}, clock=clock)
    book = ex.fetch_order_book("ETH/USDT")
    assert book["bids"] == [[3199.5, 2.0], [3199.0, 5.0]]
    assert book["asks"] == [[3200.5, 1.0], [3201.0, 1.5]]
    assert ex.fetch_ticker("ETH/USDT")["last"] == 3200.0
    assert len(ex.fetch_order_book("BTC/USDT")["asks"]) == 20  # others still generated

    prices = RandomWalkPrices(catalog, seed=2, default_volatility=3)
    moving = SandboxMarket(catalog, snapshot=snap, prices=prices)
    mx = moving.open_account(balances={}, clock=clock)
    clock.advance(30 * MINUTE)
    ratio = float(prices.reference_price("ETH/USDT", clock.now_ms()) / Decimal(3200))
    moved = mx.fetch_order_book("ETH/USDT")
    assert moved["bids"][0][0] == pytest.approx(3199.5 * ratio, abs=0.011)
    assert moved["asks"][1][0] == pytest.approx(3201.0 * ratio, abs=0.011)
    assert [lvl[1] for lvl in moved["asks"]] == [1.0, 1.5]

    with pytest.raises(ValueError, match="crossed"):
        SandboxMarket(catalog, snapshot={"ETH/USDT": {"bids": [[3201, 1]], "asks": [[3200, 1]]}})
    with pytest.raises(ccxt.BadSymbol, match="NOPE/USDT"):
        SandboxMarket(catalog, snapshot={"NOPE/USDT": {"bids": [[1, 1]], "asks": [[2, 1]]}})
