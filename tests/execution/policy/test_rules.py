"""The policy: per-tier caps per order and per day, the other rules, their validation, and the
store of versions with its audit."""

from __future__ import annotations

import re
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from execution.clock import ManualClock
from execution.errors import LimitStoreError
from execution.policy import (
    DEFAULT_VERSION,
    Policy,
    PolicyDecision,
    PolicyRules,
    PolicyStore,
    TierLimits,
)
from execution.preview.simulator import Simulator, StepPreview
from execution.venues.sandbox import MarketCatalog, SandboxExchange
from intent.models import OrderSpec

DAY_MS = 86_400_000


@pytest.fixture(scope="module")
def eth_buy() -> StepPreview:
    """A real market-buy preview of ETH/USDT; tests set its notional with :func:`_costing`."""
    clock = ManualClock()
    venue = SandboxExchange(
        MarketCatalog.default(), balances={"USDT": Decimal(10**6)}, clock=clock, seed=7
    )
    simulator = Simulator(venue, policy_version=DEFAULT_VERSION, ttl_ms=30_000)
    order = OrderSpec(symbol="ETH/USDT", side="buy", type="market", quote_amount=Decimal(1000))
    market, book = simulator.snapshot(order.symbol)
    return simulator.preview(
        "p1.1", order, {"USDT": Decimal(10**6)}, clock.now_ms(), market=market, book=book
    )


def _costing(preview: StepPreview, notional: str, symbol: str = "ETH/USDT") -> StepPreview:
    return preview.model_copy(update={"notional": Decimal(notional), "symbol": symbol})


def _codes(decision: PolicyDecision) -> list[str]:
    return [d.code for d in decision.denials]


# --- checks ---------------------------------------------------------------------------


def test_the_old_call_checks_as_a_verified_customer_with_nothing_used(
    eth_buy: StepPreview,
) -> None:
    policy = Policy()

    decision = policy.check(eth_buy)

    assert decision == policy.check(eth_buy, "verified", Decimal(0))
    assert (decision.allowed, decision.policy_version) == (True, DEFAULT_VERSION)
    assert policy.order_cap("verified", "USDT") == Decimal(50_000)  # today's caps, kept


@pytest.mark.parametrize(
    ("tier", "notional", "codes"),
    [
        ("basic", "5000", []),
        ("basic", "5000.01", ["NOTIONAL_EXCEEDS_MAX_PER_ORDER", "NOTIONAL_EXCEEDS_MAX_PER_DAY"]),
        ("verified", "50000", []),
        ("verified", "50000.01", ["NOTIONAL_EXCEEDS_MAX_PER_ORDER"]),
        ("pro", "250000", []),
        ("pro", "250000.01", ["NOTIONAL_EXCEEDS_MAX_PER_ORDER"]),
    ],
)
def test_per_order_caps_depend_on_the_tier(
    eth_buy: StepPreview, tier: str, notional: str, codes: list[str]
) -> None:
    # basic's day (10,000) is not reached by one order of 5,000.01 on its own; the daily
    # denial there comes from the per-day cap below it.
    policy = Policy(
        tiers={
            **Policy().tiers,
            "basic": TierLimits(
                max_order_notional={"USDT": Decimal(5000)},
                max_daily_notional={"USDT": Decimal(5000)},
            ),
        }
    )

    decision = policy.check(_costing(eth_buy, notional), tier)

    assert _codes(decision) == codes
    assert decision.allowed is (not codes)


def test_the_per_order_denial_names_the_cap_and_the_order(eth_buy: StepPreview) -> None:
    decision = Policy().check(_costing(eth_buy, "61000"), "verified")

    (denial,) = decision.denials
    assert denial.message == ("NOTIONAL_EXCEEDS_MAX_PER_ORDER: max=50000 USDT, got=61000.00 USDT")


def test_the_day_is_full_when_used_plus_this_order_passes_the_cap(eth_buy: StepPreview) -> None:
    policy = Policy()
    preview = _costing(eth_buy, "15000")

    at_cap = policy.check(preview, "verified", Decimal(185_000))
    past = policy.check(preview, "verified", Decimal("185000.01"))

    assert at_cap.allowed
    assert _codes(past) == ["NOTIONAL_EXCEEDS_MAX_PER_DAY"]
    assert past.denials[0].message == (
        "NOTIONAL_EXCEEDS_MAX_PER_DAY: max=200000 USDT per day (tier verified), "
        "already used=185000.01 USDT, this order=15000.00 USDT"
    )


def test_daily_caps_differ_by_tier(eth_buy: StepPreview) -> None:
    policy = Policy()
    preview = _costing(eth_buy, "4000")

    assert _codes(policy.check(preview, "basic", Decimal(7000))) == ["NOTIONAL_EXCEEDS_MAX_PER_DAY"]
    assert policy.check(preview, "verified", Decimal(7000)).allowed
    assert policy.check(preview, "pro", Decimal(990_000)).allowed
    assert not policy.check(preview, "pro", Decimal("996000.01")).allowed


def test_an_unknown_tier_is_a_denial_and_the_other_rules_still_run(
    eth_buy: StepPreview,
) -> None:
    policy = Policy(allowed_assets=frozenset({"BTC", "USDT"}))

    decision = policy.check(eth_buy, "gold")

    assert _codes(decision) == ["ASSET_NOT_ALLOWED", "TIER_UNKNOWN"]
    assert decision.denials[1].message == (
        f"TIER_UNKNOWN: policy {DEFAULT_VERSION} has no limits for tier 'gold' "
        "(known: basic, pro, verified)"
    )


def test_a_quote_without_caps_is_not_allowed(eth_buy: StepPreview) -> None:
    decision = Policy().check(_costing(eth_buy, "10", "ETH/DAI"), "pro")

    assert _codes(decision) == ["QUOTE_NOT_ALLOWED"]


def test_price_band_and_slippage_still_apply(eth_buy: StepPreview) -> None:
    policy = Policy(max_slippage_bps=Decimal("0.0001"))
    far_limit = eth_buy.model_copy(update={"type": "limit", "price": eth_buy.mid_price * 2})

    assert "SLIPPAGE_EXCEEDS_MAX" in _codes(
        policy.check(eth_buy.model_copy(update={"slippage_bps": Decimal(1)}))
    )
    assert _codes(Policy().check(far_limit)) == ["PRICE_OUTSIDE_BAND"]


def test_used_today_cannot_be_negative(eth_buy: StepPreview) -> None:
    with pytest.raises(ValueError, match="used_today"):
        Policy().check(eth_buy, "verified", Decimal(-1))


# --- validation -------------------------------------------------------------------------


def _rules(**tiers: dict[str, Any]) -> dict[str, Any]:
    return {"tiers": tiers}


@pytest.mark.parametrize(
    ("body", "loc", "match"),
    [
        (
            _rules(
                basic={"max_order_notional": {"USDT": "10"}, "max_daily_notional": {"USDT": "5"}}
            ),
            ("tiers", "basic", "max_daily_notional"),
            r"below max_order_notional for USDT \(5 < 10\)",
        ),
        (
            _rules(basic={"max_order_notional": {"USDT": "1"}, "max_daily_notional": {"USD": "5"}}),
            ("tiers", "basic", "max_daily_notional"),
            "same quote currencies",
        ),
        (
            _rules(
                basic={"max_order_notional": {"USDT": "-1"}, "max_daily_notional": {"USDT": "1"}}
            ),
            ("tiers", "basic", "max_order_notional", "USDT"),
            "greater than 0",
        ),
        (
            _rules(
                basic={
                    "max_order_notional": {"USDT": "0.000000001"},
                    "max_daily_notional": {"USDT": "1"},
                }
            ),
            ("tiers", "basic", "max_order_notional", "USDT"),
            "8 decimal places",
        ),
        (
            _rules(Gold={"max_order_notional": {"USDT": "1"}, "max_daily_notional": {"USDT": "1"}}),
            ("tiers", "Gold", "[key]"),
            "pattern",
        ),
        (
            _rules(
                basic={"max_order_notional": {"usdt": "1"}, "max_daily_notional": {"USDT": "1"}}
            ),
            ("tiers", "basic", "max_order_notional", "usdt", "[key]"),
            "pattern",
        ),
        ({"tiers": {}}, ("tiers",), "at least 1"),
        ({"max_slippage_bps": "0"}, ("max_slippage_bps",), "greater than 0"),
        ({"max_limit_distance_pct": "101"}, ("max_limit_distance_pct",), "less than or equal"),
        ({"version": "mine"}, ("version",), "Extra inputs"),
    ],
)
def test_invalid_rules_name_the_field(
    body: dict[str, Any], loc: tuple[str, ...], match: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        PolicyRules.model_validate(body)

    errors = refused.value.errors()
    assert [e["loc"] for e in errors] == [loc], errors
    assert any(re.search(match, e["msg"]) for e in errors), errors


def test_a_policy_survives_its_json(eth_buy: StepPreview) -> None:
    policy = Policy(allowed_assets=frozenset({"ETH", "USDT"}), version="x.1")

    again = Policy.model_validate_json(policy.model_dump_json())

    assert again == policy
    assert again.check(eth_buy) == policy.check(eth_buy)


# --- the store of versions --------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "tradeassist.sqlite3"


def test_a_new_store_holds_the_builtin_policy(db: Path, clock: ManualClock) -> None:
    store = PolicyStore(db, clock)

    assert store.current() == Policy()
    assert [(v.version, v.created_by) for v in store.versions()] == [(DEFAULT_VERSION, "builtin")]
    assert store.audit() == []
    store.close()


def test_publishing_numbers_versions_per_utc_day_and_audits(db: Path, clock: ManualClock) -> None:
    store = PolicyStore(db, clock)
    stricter = PolicyRules(max_slippage_bps=Decimal(50))

    old, first = store.publish(stricter, by="ada")
    _, second = store.publish(PolicyRules(), by="ada")
    clock.advance(DAY_MS)
    _, third = store.publish(stricter, by="grace")

    assert (old.version, first.version, second.version, third.version) == (
        DEFAULT_VERSION,
        "2026-01-01.1",
        "2026-01-01.2",
        "2026-01-02.1",
    )
    assert store.current() == third
    assert third.max_slippage_bps == Decimal(50)
    assert [(a.who, a.action, a.subject, a.old_value, a.new_value) for a in store.audit()] == [
        ("ada", "policy_published", "policy", DEFAULT_VERSION, "2026-01-01.1"),
        ("ada", "policy_published", "policy", "2026-01-01.1", "2026-01-01.2"),
        ("grace", "policy_published", "policy", "2026-01-01.2", "2026-01-02.1"),
    ]
    assert store.audit()[-1].at_ms == clock.now_ms()
    assert store.version("2026-01-01.1") == first  # an old preview's rules, for replay
    assert store.version("nope") is None
    store.close()


def test_a_version_published_elsewhere_is_in_force_here(db: Path, clock: ManualClock) -> None:
    here, elsewhere = PolicyStore(db, clock), PolicyStore(db, clock)  # two app processes
    assert here.current().version == DEFAULT_VERSION

    _, published = elsewhere.publish(PolicyRules(max_slippage_bps=Decimal(5)), by="ada")

    assert here.current() == published
    elsewhere.close()
    here.close()
    reopened = PolicyStore(db, clock, initial=Policy(version="ignored.1"))
    assert reopened.current() == published  # the initial policy only seeds an empty store
    reopened.close()


def test_the_store_translates_sqlite_errors(db: Path, clock: ManualClock) -> None:
    store = PolicyStore(db, clock)
    raw = sqlite3.connect(db)
    raw.execute("DROP TABLE policy_versions")
    raw.commit()
    raw.close()

    with pytest.raises(LimitStoreError, match="could not publish a policy version") as caught:
        store.publish(PolicyRules(), by="ada")
    assert isinstance(caught.value.__cause__, sqlite3.Error)
    store.close()
