"""The requote rule, one case per condition and per non-condition: is the fresh preview
(made at confirmation) still what the customer agreed to when shown the first one?

Each case previews a step twice through the one pipeline (:func:`judge`) on a sandbox
book, the second time with one input changed, and checks which material changes
:func:`material_change` names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from execution.clock import ManualClock
from execution.policy import Policy, PolicyDecision
from execution.preview.pipeline import judge
from execution.preview.requote import (
    Reason,
    ReasonCode,
    material_change,
    said_in,
    same_figures,
)
from execution.preview.simulator import Fee, PreviewWarning, Simulator, StepPreview
from execution.venues.sandbox import MarketCatalog, SandboxExchange
from intent.models import OrderSpec

BALANCES = {"USDT": Decimal(25_000), "BTC": Decimal("0.5")}
BUY = OrderSpec(symbol="BTC/USDT", side="buy", type="market", amount=Decimal("0.01"))
BUY_USDT = OrderSpec(symbol="BTC/USDT", side="buy", type="market", quote_amount=Decimal(500))
SELL = OrderSpec(symbol="BTC/USDT", side="sell", type="market", amount=Decimal("0.01"))
LIMIT = OrderSpec(
    symbol="BTC/USDT", side="buy", type="limit", amount=Decimal("0.01"), price=Decimal(60_000)
)


@dataclass(frozen=True)
class Fresh:
    """What differs at confirmation from the first preview's inputs."""

    balances: Mapping[str, Decimal] = field(default_factory=lambda: BALANCES)
    price_factor: Decimal = Decimal(1)
    taker: Decimal | None = None  # the market's taker rate, if it changed
    policy: Policy = field(default_factory=lambda: Policy(version="v1"))
    used_today: Decimal = Decimal(0)


def _scaled(book: Mapping[str, Any], factor: Decimal) -> dict[str, Any]:
    return {
        **book,
        "bids": [[Decimal(str(p)) * factor, a] for p, a in book["bids"]],
        "asks": [[Decimal(str(p)) * factor, a] for p, a in book["asks"]],
    }


def _judged(
    venue: SandboxExchange, order: OrderSpec, now_ms: int, fresh: Fresh
) -> tuple[StepPreview, PolicyDecision]:
    simulator = Simulator(venue, policy_version=fresh.policy.version, ttl_ms=30_000)
    market, book = simulator.snapshot(order.symbol)
    if fresh.taker is not None:
        market = {**market, "taker": fresh.taker}
    preview, decision, _ = judge(
        simulator,
        fresh.policy,
        "p1.1",
        order,
        fresh.balances,
        now_ms,
        market=market,
        book=_scaled(book, fresh.price_factor),
        tier="verified",
        used_today=lambda preview: fresh.used_today,
    )
    return preview, decision


def _changes(
    order: OrderSpec, fresh: Fresh, clock: ManualClock, *, tweak: Any = None
) -> set[ReasonCode]:
    return {reason.code for reason in _reasons(order, fresh, clock, tweak=tweak)}


def _reasons(
    order: OrderSpec, fresh: Fresh, clock: ManualClock, *, tweak: Any = None
) -> list[Reason]:
    venue = SandboxExchange(MarketCatalog.default(), balances=BALANCES, clock=clock, seed=7)
    seen, seen_verdict = _judged(venue, order, clock.now_ms(), Fresh())
    assert seen_verdict.allowed
    assert not seen.blocked
    clock.advance(2_000)
    now, verdict = _judged(venue, order, clock.now_ms(), fresh)
    if tweak is not None:
        now = tweak(now)
    return material_change(seen, now, seen_verdict=seen_verdict, fresh_verdict=verdict)


@pytest.mark.parametrize(
    ("order", "fresh", "expected"),
    [
        # not material ------------------------------------------------------------------
        pytest.param(BUY, Fresh(), set(), id="nothing-but-the-instant"),
        pytest.param(
            BUY, Fresh(balances={**BALANCES, "USDT": Decimal(9_000)}), set(), id="balance-funded"
        ),
        pytest.param(
            SELL, Fresh(balances={**BALANCES, "BTC": Decimal("0.02")}), set(), id="sell-funded"
        ),
        pytest.param(BUY, Fresh(price_factor=Decimal("1.003")), set(), id="price-within"),
        pytest.param(
            BUY_USDT, Fresh(price_factor=Decimal("1.003")), set(), id="quote-amount-within"
        ),
        pytest.param(LIMIT, Fresh(price_factor=Decimal("1.003")), set(), id="limit-within"),
        pytest.param(
            BUY, Fresh(policy=Policy(version="v2")), set(), id="policy-version-same-verdict"
        ),
        # material ----------------------------------------------------------------------
        pytest.param(
            BUY, Fresh(price_factor=Decimal("1.01")), {"price", "amount"}, id="price-beyond"
        ),
        pytest.param(
            BUY_USDT,
            Fresh(price_factor=Decimal("0.99")),
            {"price", "amount", "fee"},  # 500 USDT buys 1% more BTC, for 1% more fee
            id="quote-amount-beyond",
        ),
        pytest.param(BUY, Fresh(taker=Decimal("0.002")), {"fee"}, id="fee-rate"),
        pytest.param(
            BUY,
            Fresh(balances={**BALANCES, "USDT": Decimal(100)}),
            {"blocking_warning"},
            id="balance-unfunded",
        ),
        pytest.param(
            SELL,
            Fresh(balances={**BALANCES, "BTC": Decimal("0.005")}),
            {"blocking_warning"},
            id="sell-unfunded",
        ),
        pytest.param(
            BUY,
            Fresh(policy=Policy(version="v2", allowed_assets=frozenset({"ETH", "USDT"}))),
            {"policy", "blocking_warning"},
            id="policy-version-other-verdict",
        ),
        pytest.param(
            BUY,
            Fresh(used_today=Decimal(199_800)),
            {"blocking_warning"},  # the same version denies it now: the day is full
            id="same-policy-day-full",
        ),
    ],
)
def test_material_change(
    order: OrderSpec, fresh: Fresh, expected: set[str], clock: ManualClock
) -> None:
    assert _changes(order, fresh, clock) == expected


def _with_fee(preview: StepPreview, **update: Any) -> StepPreview:
    return preview.model_copy(update={"fee": preview.fee.model_copy(update=update)})


def test_a_fee_in_another_currency_is_material(clock: ManualClock) -> None:
    found = _changes(BUY, Fresh(), clock, tweak=lambda p: _with_fee(p, currency="USDT"))
    assert "fee" in found


def test_a_fee_costing_more_than_the_tolerance_is_material(clock: ManualClock) -> None:
    assert _changes(BUY, Fresh(), clock, tweak=lambda p: _with_fee(p, cost=p.fee.cost * 2)) == {
        "fee"
    }


def test_a_warning_that_does_not_block_is_not_material(clock: ManualClock) -> None:
    notice = PreviewWarning(code="thin_book", message="the book is thin", blocking=False)
    found = _changes(
        BUY, Fresh(), clock, tweak=lambda p: p.model_copy(update={"warnings": (notice,)})
    )
    assert found == set()


def test_no_fill_where_one_was_previewed_is_material(clock: ManualClock) -> None:
    found = _changes(
        BUY, Fresh(), clock, tweak=lambda p: p.model_copy(update={"average_price": None})
    )
    assert found == {"price"}


def test_the_reasons_say_what_moved_and_by_how_much(clock: ManualClock) -> None:
    venue = SandboxExchange(MarketCatalog.default(), balances=BALANCES, clock=clock, seed=7)
    seen, verdict = _judged(venue, BUY, clock.now_ms(), Fresh())
    now, _ = _judged(venue, BUY, clock.now_ms(), Fresh(price_factor=Decimal("1.01")))
    (price, *_) = material_change(seen, now, seen_verdict=verdict, fresh_verdict=verdict)
    assert price.code == "price"
    assert "expected price moved 100.0 bps" in price.message
    assert "tolerance 50 bps" in price.message
    wider = material_change(
        seen, now, seen_verdict=verdict, fresh_verdict=verdict, tolerance_bps=Decimal(150)
    )
    assert wider == []


@pytest.mark.parametrize(
    ("order", "fresh", "tweak"),
    [
        (BUY, Fresh(price_factor=Decimal("1.01")), None),  # price, amount
        (BUY_USDT, Fresh(price_factor=Decimal("0.99")), None),  # price, amount, fee cost
        (BUY, Fresh(taker=Decimal("0.002")), None),  # fee rate
        (BUY, Fresh(), lambda p: _with_fee(p, currency="USDT")),  # fee currency
        (BUY, Fresh(), lambda p: p.model_copy(update={"average_price": None})),  # no fill
        (BUY, Fresh(policy=Policy(version="v2", allowed_assets=frozenset({"ETH", "USDT"}))), None),
        (BUY, Fresh(balances={**BALANCES, "USDT": Decimal(100)}), None),  # unfunded
    ],
)
def test_the_reasons_are_said_in_the_customers_language(
    order: OrderSpec, fresh: Fresh, tweak: Any, clock: ManualClock
) -> None:
    reasons = _reasons(order, fresh, clock, tweak=tweak)
    assert reasons
    journaled = [reason.to_json() for reason in reasons]
    assert [Reason.from_json(data) for data in journaled] == reasons  # as the journal keeps it
    english = said_in("en", [], journaled)
    assert english == [reason.text("en") for reason in reasons]
    for locale in ("zh-Hans", "zh-Hant"):
        said = said_in(locale, english, journaled)
        for sentence, in_english in zip(said, english, strict=True):
            assert sentence != in_english
            # Only figures, currencies, versions and units stay in Latin letters.
            words = {w for w in re.findall(r"[A-Za-z]+", sentence) if w not in {"bps"}}
            assert words <= {"USDT", "BTC", "ETH", "v", "v1", "v2", "USD"}, sentence
    # An entry written before codes were kept is said as it was: in English.
    assert said_in("zh-Hans", english, []) == english


def test_same_figures_ignores_only_the_instant(clock: ManualClock) -> None:
    venue = SandboxExchange(MarketCatalog.default(), balances=BALANCES, clock=clock, seed=7)
    seen, _ = _judged(venue, BUY, clock.now_ms(), Fresh())
    clock.advance(2_000)
    later, _ = _judged(venue, BUY, clock.now_ms(), Fresh())
    assert later.created_ms != seen.created_ms
    assert same_figures(seen, later)
    funded, _ = _judged(venue, BUY, clock.now_ms(), Fresh(balances={"USDT": Decimal(9_000)}))
    assert not same_figures(seen, funded)
    assert not same_figures(seen, _with_fee(later, cost=Decimal(0)))
    assert isinstance(seen.fee, Fee)
