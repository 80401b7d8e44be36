"""The simulator previews exactly what the sandbox then does on the same book."""

from __future__ import annotations

from decimal import Decimal

import pytest

from execution.clock import ManualClock
from execution.preview.simulator import Simulator, StepPreview
from execution.venues.sandbox import MarketCatalog, SandboxExchange
from intent.models import OrderSpec

BALANCES = {"USDT": Decimal(20_000), "BTC": Decimal("0.5"), "ETH": Decimal(3)}


@pytest.fixture
def venue(clock: ManualClock) -> SandboxExchange:
    return SandboxExchange(
        MarketCatalog.default(), balances={**BALANCES, "USDT": Decimal(10**6)}, clock=clock, seed=7
    )


def _preview(
    venue: SandboxExchange,
    clock: ManualClock,
    order: OrderSpec,
    balances: dict[str, Decimal] | None = None,
) -> StepPreview:
    simulator = Simulator(venue, policy_version="test", ttl_ms=30_000)
    market, book = simulator.snapshot(order.symbol)
    return simulator.preview(
        "p1.1", order, balances or BALANCES, clock.now_ms(), market=market, book=book
    )


def test_market_buy_preview_matches_the_fill(venue: SandboxExchange, clock: ManualClock) -> None:
    order = OrderSpec(symbol="BTC/USDT", side="buy", type="market", amount=Decimal("0.8"))
    preview = _preview(venue, clock, order, {"USDT": Decimal(100_000)})

    filled = venue.create_order("BTC/USDT", "market", "buy", 0.8)

    assert preview.levels >= 2  # large enough to walk past the best level
    tick = Decimal(str(venue.market("BTC/USDT")["precision"]["price"]))
    assert abs(preview.average_price - Decimal(str(filled["average"]))) <= tick / 200
    assert preview.notional == pytest.approx(Decimal(str(filled["cost"])), rel=Decimal("1e-12"))
    assert preview.fee.currency == filled["fee"]["currency"] == "BTC"
    assert preview.fee.cost == pytest.approx(
        Decimal(str(filled["fee"]["cost"])), rel=Decimal("1e-9")
    )
    assert preview.best_ask <= preview.average_price <= preview.worst_price
    assert preview.slippage_bps > 0
    assert (
        preview.balances_after["BTC"]
        == preview.balances_before["BTC"] + Decimal("0.8") - preview.fee.cost
    )


def test_market_sell_preview_walks_the_bids(venue: SandboxExchange, clock: ManualClock) -> None:
    order = OrderSpec(symbol="ETH/USDT", side="sell", type="market", amount=Decimal(2))
    preview = _preview(venue, clock, order)

    assert preview.worst_price <= preview.average_price <= preview.best_bid
    assert preview.fee.currency == "USDT"
    assert preview.balances_after["ETH"] == Decimal(1)
    assert preview.balances_after["USDT"] == BALANCES["USDT"] + preview.notional - preview.fee.cost
    assert not preview.warnings


def test_quote_amount_buy_spends_at_most_the_budget(
    venue: SandboxExchange, clock: ManualClock
) -> None:
    order = OrderSpec(symbol="ETH/USDT", side="buy", type="market", quote_amount=Decimal(500))
    preview = _preview(venue, clock, order)

    step = Decimal(str(venue.market("ETH/USDT")["precision"]["amount"]))
    assert preview.notional <= Decimal(500)
    assert (preview.amount + step) * preview.worst_price > Decimal(500) - preview.notional
    assert preview.amount == Decimal(venue.amount_to_precision("ETH/USDT", preview.amount))
    assert any("500 USDT" in note for note in preview.notes)


def test_resting_limit_assumes_a_fill_at_the_limit(
    venue: SandboxExchange, clock: ManualClock
) -> None:
    order = OrderSpec(
        symbol="BTC/USDT", side="buy", type="limit", amount=Decimal("0.1"), price=Decimal(60_000)
    )
    preview = _preview(venue, clock, order)

    assert preview.levels == 0
    assert preview.average_price == Decimal(60_000)
    assert preview.notional == Decimal(6_000)
    assert preview.fee.rate == Decimal(str(venue.market("BTC/USDT")["maker"]))
    assert "rests" in preview.assumptions.fill_model


def test_short_balance_is_a_blocking_warning(venue: SandboxExchange, clock: ManualClock) -> None:
    order = OrderSpec(symbol="BTC/USDT", side="buy", type="market", amount=Decimal(1))
    preview = _preview(venue, clock, order, {"USDT": Decimal(100)})

    codes = {w.code: w for w in preview.warnings}
    assert codes["insufficient_balance"].blocking
    assert "100 USDT" in codes["insufficient_balance"].message
    assert preview.blocked


def test_below_market_minimum_is_a_blocking_warning(
    venue: SandboxExchange, clock: ManualClock
) -> None:
    minimum = Decimal(str(venue.market("BTC/USDT")["limits"]["amount"]["min"]))
    order = OrderSpec(symbol="BTC/USDT", side="buy", type="market", amount=minimum / 10)
    preview = _preview(venue, clock, order)

    assert preview.blocked
    assert {w.code for w in preview.warnings} & {"amount_rounds_to_zero", "below_min_amount"}


def test_digest_changes_with_any_figure(venue: SandboxExchange, clock: ManualClock) -> None:
    order = OrderSpec(symbol="BTC/USDT", side="buy", type="market", amount=Decimal("0.01"))
    first = _preview(venue, clock, order)
    again = _preview(venue, clock, order)
    clock.advance(1)
    later = _preview(venue, clock, order)

    assert first.digest() == again.digest()
    assert first.digest() != later.digest()  # the expiry is part of what was shown


def test_thin_book_previews_only_what_can_fill(venue: SandboxExchange, clock: ManualClock) -> None:
    order = OrderSpec(symbol="BTC/USDT", side="buy", type="market", amount=Decimal(500))
    preview = _preview(venue, clock, order, {"USDT": Decimal(10**9)})

    assert "thin_book" in {w.code for w in preview.warnings}
    assert preview.expected_amount < preview.amount
    assert preview.balances_after["BTC"] == (
        preview.balances_before["BTC"] + preview.expected_amount - preview.fee.cost
    )
    assert preview.fee.cost == preview.expected_amount * preview.fee.rate


def test_limit_outside_the_venue_price_band_is_blocked(
    venue: SandboxExchange, clock: ManualClock
) -> None:
    # BTC/USDT carries HashKey's LIMIT_TRADING filter: a buy at most 10% above the mid.
    order = OrderSpec(
        symbol="BTC/USDT", side="buy", type="limit", amount=Decimal("0.01"), price=Decimal(80_000)
    )
    preview = _preview(venue, clock, order)

    band = [w for w in preview.warnings if w.code == "outside_price_band"]
    assert band
    assert band[0].blocking
    assert "LIMIT_TRADING" in band[0].message


def test_resting_limit_warns_of_partial_fill_risk(
    venue: SandboxExchange, clock: ManualClock
) -> None:
    order = OrderSpec(
        symbol="BTC/USDT", side="buy", type="limit", amount=Decimal("0.1"), price=Decimal(64_000)
    )
    preview = _preview(venue, clock, order)

    (risk,) = [w for w in preview.warnings if w.code == "partial_fill_risk"]
    assert not risk.blocking
    assert not preview.blocked
