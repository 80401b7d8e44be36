"""Resting orders and triggered orders on a moving price (execution.venues.sandbox.exchange)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import ccxt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from execution.clock import ManualClock
from execution.venues.sandbox import MarketCatalog, SandboxExchange, SandboxMarket
from execution.venues.sandbox.prices import RandomWalkPrices
from tests.execution.venues.sandbox_invariants import (
    cancel_all_releases_everything,
    check_account,
    d,
    exact_totals,
)

T0 = ManualClock().now_ms()


class ScriptedPrices:
    """A stepped price source replaying given prices, one per second from T0."""

    step_ms = 1_000
    origin_ms = T0

    def __init__(self, paths: Mapping[str, Sequence[int | str]]) -> None:
        self.paths = {s: [Decimal(str(p)) for p in ps] for s, ps in paths.items()}

    def reference_price(self, symbol: str, now_ms: int) -> Decimal:
        steps = self.paths[symbol]
        return steps[max(0, min((now_ms - T0) // 1_000, len(steps) - 1))]


@pytest.fixture(scope="module")
def catalog() -> MarketCatalog:
    return MarketCatalog.default()


def trades_of(ex: SandboxExchange, order: dict[str, Any]) -> list[dict[str, Any]]:
    """The fills of ``order``: like HashKey, order responses carry none (``trades: []``)."""
    return [t for t in ex.fetch_my_trades(order["symbol"]) if t["order"] == order["id"]]


def account(
    catalog: MarketCatalog,
    paths: Mapping[str, Sequence[int | str]],
    snapshot: Mapping[str, Any] | None = None,
) -> tuple[SandboxExchange, ManualClock]:
    clock = ManualClock()
    shared = SandboxMarket(catalog, seed=2, prices=ScriptedPrices(paths), snapshot=snapshot)
    ex = shared.open_account(
        balances={"USDT": 200_000, "BTC": 3, "SOL": 100}, clock=clock, account_id="t"
    )
    return ex, clock


def test_stop_loss_sell_waits_then_fires_as_market(catalog: MarketCatalog) -> None:
    ex, clock = account(catalog, {"BTC/USDT": [65000, 64500, 64100, 63900, 63000]})
    order = ex.create_order("BTC/USDT", "market", "sell", 1, None, {"stopLossPrice": 64000})
    assert order["status"] == "open"
    assert order["triggerPrice"] == order["stopPrice"] == order["stopLossPrice"] == 64000
    assert order["takeProfitPrice"] is None
    assert order["info"]["triggered"] is False
    balance = ex.fetch_balance()
    assert balance["used"]["BTC"] == 1  # the base amount is reserved until it fires
    clock.advance(2_500)  # prices 64500, 64100: not yet
    assert ex.fetch_order(order["id"])["status"] == "open"
    clock.advance(10_000)  # 63900 at T0+3s fires it; the sync is later than that
    done = ex.fetch_order(order["id"])
    assert done["status"] == "closed"
    assert done["info"]["triggered"] is True
    assert done["info"]["triggerTime"] == T0 + 3_000
    assert done["lastTradeTimestamp"] == T0 + 3_000
    bid_then = ex.shared.book("BTC/USDT", T0 + 3_000).bids[0].price
    assert d(trades_of(ex, done)[0]["price"]) == bid_then  # the book of that moment
    assert all(t["takerOrMaker"] == "taker" for t in trades_of(ex, done))
    balance = ex.fetch_balance()
    assert balance["used"]["BTC"] == 0
    assert balance["total"]["BTC"] == 2


def test_take_profit_sell_and_stop_buy_fire_in_their_direction(catalog: MarketCatalog) -> None:
    ex, clock = account(catalog, {"SOL/USDT": [150, 149, 152, 156, 158]})
    tp = ex.create_order("SOL/USDT", "market", "sell", 10, None, {"takeProfitPrice": 155})
    stop_buy = ex.create_order("SOL/USDT", "market", "buy", 10, None, {"triggerPrice": 151})
    dip_buy = ex.create_order("SOL/USDT", "market", "buy", 10, None, {"takeProfitPrice": 148})
    clock.advance(2_000)  # 149 then 152: the stop buy (>= 151) fires at T0+2s
    assert ex.fetch_order(stop_buy["id"])["info"]["triggerTime"] == T0 + 2_000
    assert ex.fetch_order(tp["id"])["status"] == "open"
    clock.advance(1_000)  # 156 >= 155: take-profit sell
    assert ex.fetch_order(tp["id"])["status"] == "closed"
    assert ex.fetch_order(tp["id"])["info"]["triggerTime"] == T0 + 3_000
    assert ex.fetch_order(dip_buy["id"])["status"] == "open"  # never fell to 148


def test_stop_limit_rests_after_firing_and_fills_as_maker(catalog: MarketCatalog) -> None:
    ex, clock = account(catalog, {"SOL/USDT": [150, 151, 153, 149, 145]})
    # A buy stop at 152 with limit 152.5: at 153 the book's asks are above the limit.
    order = ex.create_order("SOL/USDT", "limit", "buy", 10, 152.5, {"stopPrice": 152})
    assert ex.fetch_balance()["used"]["USDT"] == 1_525  # amount x limit
    clock.advance(2_000)
    fired = ex.fetch_order(order["id"])
    assert fired["status"] == "open"
    assert fired["info"]["triggered"] is True
    assert fired["filled"] == 0
    assert ex.fetch_balance()["used"]["USDT"] == 1_525
    clock.advance(2_000)  # 149: the asks now cross 152.5
    done = ex.fetch_order(order["id"])
    assert done["status"] == "closed"
    assert done["average"] == 152.5
    assert trades_of(ex, done)[0]["takerOrMaker"] == "maker"
    assert ex.fetch_balance()["used"]["USDT"] == 0


def test_trigger_that_would_fire_at_once_is_rejected(catalog: MarketCatalog) -> None:
    ex, _ = account(catalog, {"BTC/USDT": [65000]})
    with pytest.raises(ccxt.OrderImmediatelyFillable, match="reference price 65000"):
        ex.create_order("BTC/USDT", "market", "sell", 1, None, {"stopLossPrice": 66000})
    with pytest.raises(ccxt.InvalidOrder, match="one trigger"):
        ex.create_order(
            "BTC/USDT",
            "market",
            "sell",
            1,
            None,
            {"stopLossPrice": 60000, "takeProfitPrice": 70000},
        )
    with pytest.raises(ccxt.InvalidOrder, match="post-only"):
        ex.create_order(
            "BTC/USDT", "limit", "sell", 1, 60000, {"stopPrice": 61000, "postOnly": True}
        )
    assert ex.fetch_open_orders() == []


def test_reservations_of_triggered_orders_and_cancel(catalog: MarketCatalog) -> None:
    ex, _ = account(catalog, {"BTC/USDT": [65000], "SOL/USDT": [150]})
    buy = ex.create_order("BTC/USDT", "market", "buy", 1, None, {"triggerPrice": 70000})
    # Stop-market buy: amount x trigger x (1 + MARKET_TRADING buyPriceUpRate 0.1).
    assert d(buy["info"]["reserved"]) == Decimal(77000)
    sol = ex.create_order("SOL/USDT", "market", "buy", 10, None, {"triggerPrice": 160})
    # SOL/USDT has no filters: the default buffer (10 %) applies.
    assert d(sol["info"]["reserved"]) == Decimal(1760)
    assert ex.fetch_balance()["used"]["USDT"] == 78_760
    with pytest.raises(ccxt.InsufficientFunds, match="reserved for the stop order"):
        ex.create_order("BTC/USDT", "market", "buy", 2, None, {"triggerPrice": 70000})
    ex.cancel_order(buy["id"])
    ex.cancel_order(sol["id"])
    assert ex.fetch_balance()["used"]["USDT"] == 0


def test_resting_limit_fills_partially_where_depth_is_short(catalog: MarketCatalog) -> None:
    snapshot = {
        "BTC/USDT": {
            "bids": [[64_990, 1]],
            "asks": [[65_010, 0.3], [65_100, 0.5], [66_000, 5]],
        }
    }
    # Ratios 0.984 and 0.98385 put only the first ask under 64,000; 62,000 puts all three.
    ex, clock = account(catalog, {"BTC/USDT": [65000, 63960, 63950, 62000]}, snapshot)
    order = ex.create_order("BTC/USDT", "limit", "buy", 1, 64_000)
    assert order["status"] == "open"
    clock.advance(1_000)
    first = ex.fetch_order(order["id"])
    assert first["status"] == "open"
    assert first["filled"] == 0.3
    assert d(first["info"]["reserved"]) == Decimal("0.7") * 64_000
    assert ex.fetch_balance()["used"]["USDT"] == 0.7 * 64_000
    clock.advance(1_000)
    assert ex.fetch_order(order["id"])["filled"] == 0.6
    clock.advance(1_000)
    done = ex.fetch_order(order["id"])
    assert done["status"] == "closed"
    assert [t["amount"] for t in trades_of(ex, done)] == [0.3, 0.3, 0.4]
    assert {t["price"] for t in trades_of(ex, done)} == {64_000}
    assert {t["takerOrMaker"] for t in trades_of(ex, done)} == {"maker"}
    assert ex.fetch_balance()["used"]["USDT"] == 0


def test_triggered_order_outside_the_band_is_canceled_on_activation(
    catalog: MarketCatalog,
) -> None:
    snapshot = {"BTC/USDT": {"bids": [[64_990, 1]], "asks": [[65_010, 0.1], [90_000, 10]]}}
    ex, clock = account(catalog, {"BTC/USDT": [64000, 65000]}, snapshot)
    order = ex.create_order("BTC/USDT", "market", "buy", 1, None, {"triggerPrice": 64500})
    clock.advance(1_000)
    done = ex.fetch_order(order["id"])
    assert done["status"] == "canceled"
    assert done["filled"] == 0
    assert "rejected at trigger" in done["info"]["cancelReason"]
    assert "MARKET_TRADING" in done["info"]["cancelReason"]
    assert ex.fetch_balance()["used"]["USDT"] == 0
    assert ex.fetch_balance()["total"]["USDT"] == 200_000


def test_triggered_market_buy_spends_at_most_its_reservation(catalog: MarketCatalog) -> None:
    # Sparse asks 8 % above the mid: the fill costs more than amount x trigger x 1.1 allows
    # only past the first level.
    snapshot = {"SOL/USDT": {"bids": [[149, 100]], "asks": [[151, 5], [175, 100]]}}
    ex, clock = account(catalog, {"SOL/USDT": [150, 160]}, snapshot)
    order = ex.create_order("SOL/USDT", "market", "buy", 10, None, {"triggerPrice": 155})
    budget = Decimal(10 * 155) * Decimal("1.1")
    clock.advance(1_000)
    done = ex.fetch_order(order["id"])
    assert done["status"] == "canceled"
    assert done["info"]["cancelReason"] == "reserved funds exhausted"
    assert d(done["info"]["cummulativeQuoteQty"]) <= budget
    assert 5 < done["filled"] < 10
    assert ex.fetch_balance()["used"]["USDT"] == 0


# -- property: moving prices, resting and triggered orders -----------------------------

SYMBOLS = ["BTC/USDT", "ETH/USDT", "SOL/USDT", "ETH/BTC"]
TRIGGERS = [None, "triggerPrice", "takeProfitPrice", "stopLossPrice"]

actions = st.lists(
    st.one_of(
        st.tuples(
            st.just("order"),
            st.sampled_from(SYMBOLS),
            st.sampled_from(["market", "limit"]),
            st.sampled_from(["buy", "sell"]),
            st.integers(min_value=1, max_value=9),  # notional mantissa, dollars
            st.integers(min_value=1, max_value=5),  # exponent: $10 .. $900k
            st.integers(min_value=-200, max_value=200),  # limit offset, bps of the price
            st.sampled_from(TRIGGERS),
            st.integers(min_value=-150, max_value=150),  # trigger offset, bps
        ),
        st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=20)),
        st.tuples(st.just("tick"), st.integers(min_value=1, max_value=900_000)),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=5), script=actions)
def test_moving_prices_keep_balances_consistent_and_conserve_value(
    seed: int, script: list[tuple[Any, ...]]
) -> None:
    catalog = MarketCatalog.default()
    clock = ManualClock()
    prices = RandomWalkPrices(catalog, seed=seed, default_volatility=3, step_ms=1_000)
    shared = SandboxMarket(catalog, seed=seed, prices=prices)
    ex = shared.open_account(
        balances={"USDT": 500_000, "BTC": 10, "ETH": 100, "SOL": 2_000}, clock=clock
    )
    seen_trades = 0
    for action in script:
        before = exact_totals(ex)
        if action[0] == "order":
            _, symbol, type_, side, mantissa, exponent, offset, trigger, t_offset = action
            ref = shared.reference_price(symbol, clock.now_ms())
            quote_usd = catalog.usd_rate(catalog.market(symbol)["quote"]) or Decimal(1)
            amount = Decimal(mantissa).scaleb(exponent) / (ref * quote_usd)
            price = ref * (1 + Decimal(offset) / 10_000) if type_ == "limit" else None
            params = {} if trigger is None else {trigger: ref * (1 + Decimal(t_offset) / 10_000)}
            try:
                limit = None if price is None else float(price)
                ex.create_order(symbol, type_, side, float(amount), limit, params)
            except (ccxt.InvalidOrder, ccxt.InsufficientFunds):
                assert exact_totals(ex) == before
        elif action[0] == "cancel":
            open_orders = ex.fetch_open_orders()
            if open_orders:
                ex.cancel_order(open_orders[action[1] % len(open_orders)]["id"])
        else:
            clock.advance(action[1])

        seen_trades = check_account(ex, catalog, before, seen_trades)

    cancel_all_releases_everything(ex)
