"""What-if books: the bounds of a scenario, and a reshaped book that is always previewable
(both sides present, every price above zero on the tick, every size on the step) or refused
with our own error, never an exception of another kind."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from execution.clock import ManualClock
from execution.errors import ScenarioRefused
from execution.preview.pipeline import at_price
from execution.preview.scenarios import (
    MAX_MULT,
    MAX_SHOCK_PCT,
    MAX_SPREAD_MULT,
    MIN_MULT,
    MIN_SHOCK_PCT,
    SymbolScenario,
    apply_scenario,
    reshaped,
)
from execution.preview.simulator import Simulator
from execution.venues.sandbox import MarketCatalog, SandboxExchange
from intent.models import OrderSpec

SEEDS = (None, 1, 7, 42)


@cache
def _venue(seed: int | None) -> SandboxExchange:
    balances = {"USDT": Decimal(10**9), "USD": Decimal(10**9), "USDC": Decimal(10**9)}
    return SandboxExchange(
        MarketCatalog.default(), balances=balances, clock=ManualClock(), seed=seed
    )


@cache
def _snapshot(seed: int | None, symbol: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    venue = _venue(seed)
    return venue.market(symbol), venue.fetch_order_book(symbol, 50)


SYMBOLS = tuple(sorted(_venue(None).load_markets()))


def _market(tick: str, step: str) -> dict[str, Any]:
    return {"symbol": "XYZ/USDT", "precision": {"price": float(tick), "amount": float(step)}}


def assert_previewable(book: Mapping[str, Any], market: Mapping[str, Any]) -> None:
    """Both sides have levels; every price is above zero on the tick, every size above zero
    on the step; the best bid is below the best ask."""
    tick = Decimal(str(market["precision"]["price"]))
    step = Decimal(str(market["precision"]["amount"]))
    assert book["bids"], "no bids"
    assert book["asks"], "no asks"
    for price, size in (*book["bids"], *book["asks"]):
        price, size = Decimal(str(price)), Decimal(str(size))
        assert price > 0
        assert size > 0
        assert price % tick == 0, (price, tick)
        assert size % step == 0, (size, step)
    assert max(p for p, _ in book["bids"]) < min(p for p, _ in book["asks"])


# --- the bounds -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("depth_mult", "1e-300"),  # passed before, and emptied every book (issue 15)
        ("shock_pct", "-99.9999999"),  # passed before, and emptied every book (issue 15)
        ("shock_pct", "-100"),
        ("shock_pct", "-99.0001"),
        ("shock_pct", "1000.0001"),
        ("spread_mult", "0"),
        ("spread_mult", "0.0099"),
        ("spread_mult", "50.0001"),
        ("depth_mult", "0.0099"),
        ("depth_mult", "100.0001"),
        ("depth_mult", "0.12345"),  # more than four decimal places
        ("shock_pct", "NaN"),
        ("spread_mult", "Infinity"),
        ("depth_mult", "-Infinity"),
        ("shock_pct", "1e400"),
    ],
)
def test_a_figure_outside_its_bounds_is_refused_naming_it(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        SymbolScenario.model_validate({field: value})
    assert [e["loc"] for e in refused.value.errors()] == [(field,)]


def test_the_bounds_themselves_are_accepted_and_kept_as_written() -> None:
    low = SymbolScenario(shock_pct=MIN_SHOCK_PCT, spread_mult=MIN_MULT, depth_mult=MIN_MULT)
    high = SymbolScenario.model_validate(
        {"shock_pct": "1E+3", "spread_mult": "50.0000", "depth_mult": "100"}
    )
    assert high == SymbolScenario(
        shock_pct=MAX_SHOCK_PCT, spread_mult=MAX_SPREAD_MULT, depth_mult=MAX_MULT
    )
    assert high.model_dump(mode="json") == {
        "shock_pct": "1000",
        "spread_mult": "50",
        "depth_mult": "100",
    }
    assert low.model_dump(mode="json") == {
        "shock_pct": "-99",
        "spread_mult": "0.01",
        "depth_mult": "0.01",
    }


# --- the refusals -----------------------------------------------------------------------

BOOK = {
    "symbol": "XYZ/USDT",
    "bids": [[9.99, 0.02], [9.5, 0.01], [5.0, 3.0]],
    "asks": [[10.01, 0.01], [10.5, 0.02], [15.0, 3.0]],
    "timestamp": 1,
}


def test_a_side_whose_every_size_rounds_to_zero_is_refused_naming_it() -> None:
    thin = {**BOOK, "bids": [[9.99, 0.01]], "asks": [[10.01, 0.01], [10.5, 0.01]]}

    with pytest.raises(ScenarioRefused) as refused:
        apply_scenario(thin, _market("0.01", "0.01"), SymbolScenario(depth_mult=Decimal("0.5")))

    assert refused.value.code == "scenario_refused"
    assert refused.value.details == {"symbol": "XYZ/USDT", "side": "bids"}
    assert str(refused.value) == (
        "XYZ/USDT's book under depth_mult=0.5 would have no bids: every level's size rounds "
        "to zero on the step 0.01"
    )


def test_a_level_under_one_step_is_left_out_and_the_rest_kept() -> None:
    book = apply_scenario(BOOK, _market("0.01", "0.01"), SymbolScenario(depth_mult=Decimal("0.6")))

    assert book["bids"] == [[9.99, 0.01], [5.0, 1.8]]  # 0.01 x 0.6 is less than a step
    assert book["asks"] == [[10.5, 0.01], [15.0, 1.8]]
    assert_previewable(book, _market("0.01", "0.01"))


def test_a_level_pushed_to_or_below_zero_is_refused_naming_it() -> None:
    market = _market("0.01", "0.01")

    with pytest.raises(ScenarioRefused) as refused:  # the 5.00 bid is 50% below the mid
        apply_scenario(BOOK, market, SymbolScenario(spread_mult=Decimal(2)))

    assert refused.value.details == {
        "symbol": "XYZ/USDT",
        "side": "bids",
        "level": "3",
        "price": "0",
    }
    assert "under spread_mult=2 would have a bid at 0 (level 3)" in str(refused.value)
    apply_scenario(BOOK, market, SymbolScenario(spread_mult=Decimal("1.9")))  # 0.50: kept


def test_a_book_moved_below_the_tick_is_refused_not_emptied() -> None:
    """A standing order's condition price is previewed on the book moved there: a price the
    market's tick cannot draw a bid at is refused (it emptied the book: a 500 in the chat)."""
    market = _market("0.01", "0.01")

    with pytest.raises(ScenarioRefused) as refused:
        at_price(BOOK, market, Decimal("0.001"))

    assert str(refused.value).startswith("XYZ/USDT's book moved to 0.001 would have a bid at 0")
    moved = at_price(BOOK, market, Decimal("0.02"))  # one tick either side of 0.02
    assert (moved["bids"][0][0], moved["asks"][0][0]) == (0.01, 0.03)


# --- every scenario that validates ------------------------------------------------------


def _figures(low: Decimal, high: Decimal) -> st.SearchStrategy[Decimal]:
    return st.one_of(
        st.sampled_from([low, high]),  # the edges, often
        st.decimals(min_value=low, max_value=high, places=4),
    )


scenarios = st.builds(
    SymbolScenario,
    shock_pct=_figures(MIN_SHOCK_PCT, MAX_SHOCK_PCT),
    spread_mult=_figures(MIN_MULT, MAX_SPREAD_MULT),
    depth_mult=_figures(MIN_MULT, MAX_MULT),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios, symbol=st.sampled_from(SYMBOLS), seed=st.sampled_from(SEEDS))
def test_every_scenario_that_validates_keeps_every_sandbox_book_previewable(
    scenario: SymbolScenario, symbol: str, seed: int | None
) -> None:
    """On the sandbox's books (at most about 1.6% deep a side) the bounds alone keep every
    what-if previewable: nothing is refused, and the simulator walks it both ways."""
    market, book = _snapshot(seed, symbol)

    shaped = apply_scenario(book, market, scenario)

    assert_previewable(shaped, market)
    simulator = Simulator(_venue(seed), policy_version="test", ttl_ms=30_000)
    step = Decimal(str(market["precision"]["amount"]))
    for side in ("buy", "sell"):
        order = OrderSpec(symbol=symbol, side=side, type="market", amount=step * 1000)
        balances = {symbol.split("/")[0]: Decimal(10**9), symbol.split("/")[1]: Decimal(10**12)}
        preview = simulator.preview("p1.1", order, balances, 0, market=market, book=shaped)
        assert preview.best_bid < preview.best_ask


levels = st.lists(
    st.tuples(
        st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(10**6), places=4),
        st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(10**4), places=4),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(
    scenario=scenarios,
    bids=levels,
    asks=levels,
    tick=st.sampled_from(["0.0001", "0.01", "1", "100"]),
    step=st.sampled_from(["0.0001", "0.01", "1", "1000"]),
)
def test_every_scenario_that_validates_gives_any_book_previewable_or_refused(
    scenario: SymbolScenario,
    bids: list[tuple[Decimal, Decimal]],
    asks: list[tuple[Decimal, Decimal]],
    tick: str,
    step: str,
) -> None:
    """Whatever the market's precision and book (a real venue's, dust levels and all): a
    previewable book, or :class:`ScenarioRefused`; never an empty side, never another
    exception."""
    mid = max(p for p, _ in bids)
    book = {
        "bids": sorted(([float(p), float(s)] for p, s in bids), reverse=True),
        "asks": sorted([float(mid + p), float(s)] for p, s in asks),
    }
    market = _market(tick, step)

    figures = scenario.model_dump()
    try:
        shaped = reshaped(book, market, **figures)
    except ScenarioRefused as exc:
        refused = exc
    else:
        assert_previewable(shaped, market)
        return
    assert refused.details is not None
    assert refused.details["side"] in ("bids", "asks")
