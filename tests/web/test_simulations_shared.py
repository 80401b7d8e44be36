"""Cheap throwaway accounts: one frozen catalogue per process, books built once per seed,
what-if snapshots built once per (seed, instant, symbol, scenario), both caches bounded."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from decimal import Decimal

import pytest

from execution.clock import ManualClock
from execution.preview.pipeline import SIMULATION_EPOCH_MS, SimulationError
from execution.preview.scenarios import SymbolScenario
from execution.preview.snapshots import SnapshotCache
from execution.venues.accounts import LocalSandboxAccounts, SeededMarkets
from execution.venues.sandbox import MarketCatalog, SandboxMarket
from intent.parser import ParseOutput, RememberingParser
from intent.rules.parser import RuleParser
from web.services import Services

from .simulation_corpus import corpus_requests


def _accounts(services: Services) -> LocalSandboxAccounts:
    accounts = services.simulations.accounts
    assert isinstance(accounts, LocalSandboxAccounts)
    return accounts


def test_simulations_share_the_one_catalogue_and_never_change_it(services: Services) -> None:
    catalog = _accounts(services).simulations.home.catalog
    before = json.dumps(catalog.markets, sort_keys=True)

    for request in corpus_requests():
        scenario = {s: SymbolScenario(**v) for s, v in request.get("scenario", {}).items()}
        balances = {k: Decimal(v) for k, v in request.get("balances", {}).items()}
        with contextlib.suppress(SimulationError):  # the corpus's refusals
            services.simulations.run(
                request["text"], balances, seed=request.get("seed"), scenario=scenario
            )

    assert json.dumps(catalog.markets, sort_keys=True) == before
    for seed in (None, 3):
        account = services.simulations.accounts.isolated({}, seed, ManualClock())
        assert account.load_markets() is catalog.all_markets()  # shared, not copied
        assert account.market("ETH/USDT") is catalog.markets["ETH/USDT"]


def test_seeded_markets_are_a_bounded_lru_sharing_the_catalogue() -> None:
    home = SandboxMarket(MarketCatalog.default(), seed=7)
    markets = SeededMarkets(home, capacity=3)
    assert markets(None) is home
    assert markets(7) is home
    first = markets(1)
    book = first.book("ETH/USDT", SIMULATION_EPOCH_MS)
    for seed in (2, 3):
        markets(seed)
    assert markets(1) is first  # still cached: the same books
    assert first.book("ETH/USDT", SIMULATION_EPOCH_MS) is book
    markets(4)  # evicts 2, the least recently used
    assert markets.seeds() == [3, 1, 4]
    assert all(markets(s).catalog is home.catalog for s in (1, 3, 4))
    with pytest.raises(ValueError, match="capacity"):
        SeededMarkets(home, capacity=0)


def test_the_snapshot_cache_is_a_bounded_lru_of_frozen_snapshots() -> None:
    cache = SnapshotCache(capacity=2)
    built: list[str] = []

    def build(key: str) -> object:
        def make() -> tuple[dict[str, object], dict[str, object]]:
            built.append(key)
            return {"symbol": key}, {"bids": [[1.0, 2.0]], "asks": []}

        return cache.get(key, make)

    a = build("a")
    assert build("a") is a
    build("b")
    build("a")  # a used last: b goes first
    build("c")
    assert len(cache) == 2
    build("a")
    assert built == ["a", "b", "c"]
    build("b")
    assert built == ["a", "b", "c", "b"]
    _, book = cache.get("a", lambda: ({}, {}))
    with pytest.raises(TypeError):
        book["bids"].append([3.0, 4.0])


def test_a_simulation_builds_its_snapshot_once_per_seed_instant_and_scenario(
    services: Services,
) -> None:
    cache = services.simulations.snapshots
    balances = {"USDT": Decimal(1000)}

    def run(**kwargs: object) -> str:
        return services.simulations.run("buy 0.1 ETH", balances, **kwargs).model_dump_json()  # type: ignore[arg-type]

    first = run()
    assert len(cache) == 1
    assert run() == first
    assert len(cache) == 1
    shocked = {"ETH/USDT": SymbolScenario(shock_pct=Decimal(-5))}
    assert run(scenario=shocked) != first
    run(seed=5)
    run(as_of_ms=SIMULATION_EPOCH_MS + 60_000)
    assert len(cache) == 4
    run(scenario={"ETH/USDT": SymbolScenario(shock_pct=Decimal("-5.0"))})  # the same what-if
    assert len(cache) == 4


def test_only_a_simulation_with_the_rule_parser_runs_on_the_event_loop(
    services: Services,
) -> None:
    assert services.simulations.in_memory  # the rules: CPU only
    assert isinstance(services.simulations.parser, RememberingParser)

    class MayCallAnLLM:
        name = "llm"
        version = "1"

        def parse(self, text: str) -> ParseOutput:
            return RuleParser().parse(text)

    other = dataclasses.replace(services.simulations, parser=MayCallAnLLM())
    assert not other.in_memory  # run in the thread pool
    assert other.run("buy 0.1 ETH", {"USDT": Decimal(1000)}) == services.simulations.run(
        "buy 0.1 ETH", {"USDT": Decimal(1000)}
    )
