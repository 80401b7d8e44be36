"""Seeded fault injection (execution.venues.sandbox.faults)."""

from __future__ import annotations

from typing import Any

import ccxt
import pytest

from execution.clock import ManualClock
from execution.venues.sandbox import MarketCatalog, SandboxExchange, SandboxMarket
from execution.venues.sandbox.faults import FaultPlan


@pytest.fixture(scope="module")
def catalog() -> MarketCatalog:
    return MarketCatalog.default()


def account(
    catalog: MarketCatalog, plan: FaultPlan | None, clock: ManualClock | None = None
) -> SandboxExchange:
    return SandboxExchange(
        catalog,
        balances={"USDT": 100_000, "BTC": 2},
        clock=clock or ManualClock(),
        seed=1,
        account_id="f",
        faults=plan,
    )


def outcomes(ex: SandboxExchange, calls: int) -> list[str]:
    seen = []
    for _ in range(calls):
        try:
            ex.fetch_ticker("BTC/USDT")
            seen.append("ok")
        except ccxt.BaseError as exc:
            seen.append(type(exc).__name__)
    return seen


MIXED: dict[str, Any] = {
    "network_error": 0.2,
    "rate_limit": 0.1,
    "timeout_before": 0.1,
    "timeout_after": 0.1,
}


def test_fault_plan_validates() -> None:
    with pytest.raises(ValueError, match="network_error"):
        FaultPlan(network_error=1.5)
    with pytest.raises(ValueError, match="sum to more than 1"):
        FaultPlan(network_error=0.6, rate_limit=0.6)
    with pytest.raises(ValueError, match="latency_ms"):
        FaultPlan(latency_ms=(5, 1))
    with pytest.raises(ValueError, match="fetch_candles"):
        FaultPlan(methods=frozenset({"fetch_candles"}))


def test_same_seed_same_faults_other_seed_other_faults(catalog: MarketCatalog) -> None:
    a = outcomes(account(catalog, FaultPlan(seed=4, **MIXED)), 60)
    b = outcomes(account(catalog, FaultPlan(seed=4, **MIXED)), 60)
    c = outcomes(account(catalog, FaultPlan(seed=5, **MIXED)), 60)
    assert a == b
    assert a != c
    assert set(a) == {"ok", "NetworkError", "RateLimitExceeded", "RequestTimeout"}
    # The book seed does not move the fault sequence: the two RNGs are independent.
    other_book = SandboxExchange(
        catalog,
        balances={},
        clock=ManualClock(),
        seed=99,
        account_id="f",
        faults=FaultPlan(seed=4, **MIXED),
    )
    assert outcomes(other_book, 60) == a


def test_failures_before_delivery_change_nothing(catalog: MarketCatalog) -> None:
    for kind, error in (
        ("network_error", ccxt.NetworkError),
        ("rate_limit", ccxt.RateLimitExceeded),
        ("timeout_before", ccxt.RequestTimeout),
    ):
        rates: dict[str, Any] = {kind: 1.0}
        plan = FaultPlan(seed=1, methods=frozenset({"create_order"}), **rates)
        ex = account(catalog, plan)
        before = ex.fetch_balance()
        with pytest.raises(error, match=r"create_order .*(not delivered|rejected)"):
            ex.create_order("BTC/USDT", "limit", "buy", 0.1, 60_000, {"clientOrderId": "k1"})
        assert ex.fetch_balance() == before
        assert ex.fetch_open_orders() == []
        with pytest.raises(ccxt.OrderNotFound, match="'k1'"):
            ex.fetch_order("", params={"clientOrderId": "k1"})
        assert ex.faults is not None
        assert [d.fault for d in ex.faults.log] == [kind]


def test_timeout_after_acceptance_is_resolved_by_client_order_id(catalog: MarketCatalog) -> None:
    plan = FaultPlan(seed=1, timeout_after=1.0, methods=frozenset({"create_order"}))
    ex = account(catalog, plan)
    with pytest.raises(ccxt.RequestTimeout, match="WAS processed") as info:
        ex.create_order("BTC/USDT", "limit", "buy", 0.1, 60_000, {"clientOrderId": "step-7"})
    assert info.value.__cause__ is None  # the venue had accepted it: no error was hidden
    found = ex.fetch_order("", params={"clientOrderId": "step-7"})
    assert found["status"] == "open"
    assert [o["clientOrderId"] for o in ex.fetch_open_orders()] == ["step-7"]
    assert ex.fetch_balance()["used"]["USDT"] == 6_000
    # While the line is still bad the venue's DuplicateOrderId answer is itself lost ...
    with pytest.raises(ccxt.RequestTimeout) as again:
        ex.create_order("BTC/USDT", "limit", "buy", 0.1, 60_000, {"clientOrderId": "step-7"})
    assert isinstance(again.value.__cause__, ccxt.DuplicateOrderId)
    # ... and once it is healed a resend is refused: still exactly one order.
    ex.faults = None
    with pytest.raises(ccxt.DuplicateOrderId, match="'step-7'"):
        ex.create_order("BTC/USDT", "limit", "buy", 0.1, 60_000, {"clientOrderId": "step-7"})
    assert len(ex.fetch_open_orders()) == 1


def test_latency_goes_through_the_injected_sleep(catalog: MarketCatalog) -> None:
    clock = ManualClock()
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(round(seconds * 1000))

    plan = FaultPlan(seed=2, latency_ms=(20, 80), sleep=sleep)
    ex = account(catalog, plan, clock)
    start = clock.now_ms()
    for _ in range(30):
        ex.fetch_balance()
    assert len(slept) == 30
    assert all(0.02 <= s <= 0.08 for s in slept)
    assert len(set(slept)) > 5
    assert clock.now_ms() - start == round(sum(slept) * 1000)
    assert ex.faults is not None
    assert [d.latency_ms for d in ex.faults.log] == [round(s * 1000) for s in slept]
    ex.load_markets()
    ex.amount_to_precision("BTC/USDT", 0.1)
    assert len(slept) == 30  # local helpers never go over the network


def test_only_the_chosen_methods_fail(catalog: MarketCatalog) -> None:
    plan = FaultPlan(seed=3, network_error=1.0, methods=frozenset({"fetch_balance"}))
    ex = account(catalog, plan)
    with pytest.raises(ccxt.NetworkError, match="fetch_balance"):
        ex.fetch_balance()
    assert ex.create_order("BTC/USDT", "market", "buy", 0.01)["status"] == "closed"
    assert ex.fetch_order_book("BTC/USDT", 1)["asks"]


def test_shared_market_accounts_get_their_own_fault_streams(catalog: MarketCatalog) -> None:
    shared = SandboxMarket(catalog, seed=1)
    plan = FaultPlan(seed=8, **MIXED)
    a = shared.open_account(balances={}, clock=ManualClock(), account_id="a", faults=plan)
    a2 = shared.open_account(balances={}, clock=ManualClock(), account_id="a", faults=plan)
    b = shared.open_account(balances={}, clock=ManualClock(), account_id="b", faults=plan)
    first = outcomes(a, 40)
    assert first == outcomes(a2, 40)  # same plan, same account id: same stream
    assert first != outcomes(b, 40)  # seeded per account as well
