"""The composition root: builds every service the app, the CLI and the tests use."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from execution.assistant import Assistant
from execution.checkpoints import Checkpoints
from execution.clock import Clock, ManualClock, SystemClock
from execution.journal import SQLiteJournal
from execution.plan_simulation import simulate_text
from execution.policy import Policy
from execution.sandbox import MarketCatalog, SandboxExchange, SandboxMarket
from execution.scenarios import SymbolScenario
from execution.venue import Venue
from intent.hybrid import HybridParser
from intent.llm import LLMParser, LLMSettings
from intent.parser import Parser
from intent.rules import RuleParser
from web.auth import DEMO_CUSTOMER, DEMO_PRODUCT, DEMO_SUPPORT, Principals
from web.settings import Settings

# Simulations run at this instant unless asked otherwise: 2026-01-01T00:00:00Z.
SIMULATION_EPOCH_MS = 1_767_225_600_000


class SandboxAccounts:
    """One sandbox exchange account per customer, all trading on one shared market."""

    def __init__(
        self,
        catalog: MarketCatalog,
        clock: Clock,
        seed: int,
        opening_balances: Mapping[str, Decimal],
    ) -> None:
        self._market = SandboxMarket(catalog, seed=seed)
        self._clock = clock
        self._opening = dict(opening_balances)
        self._accounts: dict[str, SandboxExchange] = {}
        self._lock = threading.Lock()

    def __call__(self, user_id: str) -> Venue:
        with self._lock:
            venue = self._accounts.get(user_id)
            if venue is None:
                venue = self._market.open_account(
                    balances=self._opening, clock=self._clock, account_id=user_id
                )
                self._accounts[user_id] = venue
            return venue

    def isolated(self, balances: Mapping[str, Decimal], seed: int | None, clock: Clock) -> Venue:
        """A throwaway account for simulations: same markets, its own balances, seed and
        clock (a simulation runs at a fixed instant, so it can be repeated exactly)."""
        market = self._market
        if seed is not None and seed != market.seed:
            market = SandboxMarket(market.catalog, seed=seed, params=market.params)
        return market.open_account(balances=balances, clock=clock, account_id="simulation")


@dataclass
class Services:
    settings: Settings
    clock: Clock
    journal: SQLiteJournal
    principals: Principals
    parser: Parser
    policy: Policy
    venues: SandboxAccounts
    assistant: Assistant

    def close(self) -> None:
        self.journal.close()
        self.principals.close()

    def simulate(
        self,
        text: str,
        balances: Mapping[str, Decimal],
        *,
        seed: int | None = None,
        scenario: Mapping[str, SymbolScenario] | None = None,
        as_of_ms: int = SIMULATION_EPOCH_MS,
    ) -> dict[str, Any]:
        """Parse, plan and preview ``text`` on an isolated sandbox account at ``as_of_ms``;
        sends nothing, and the same arguments always give the same answer."""
        return simulate_text(
            text,
            balances,
            parser=self.parser,
            venue=self.venues.isolated(balances, seed, ManualClock(as_of_ms)),
            policy=self.policy,
            now_ms=as_of_ms,
            default_quote=self.settings.default_quote,
            ttl_ms=self.settings.confirmation_ttl_s * 1000,
            scenario=scenario,
        )


def build_parser(settings: Settings) -> Parser:
    """The parser ``settings.parser`` names: rules (default), llm, or hybrid (rules first)."""
    if settings.parser == "rules" or settings.llm_base_url is None:
        return RuleParser()
    key = settings.llm_api_key
    llm = LLMParser(
        LLMSettings(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=key.get_secret_value() if key is not None else None,
            timeout_s=settings.llm_timeout_s,
            mode=settings.llm_mode,
        )
    )
    return llm if settings.parser == "llm" else HybridParser(llm, RuleParser())


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Open the stores under ``settings.data_dir`` and wire the services together."""
    clock = clock or SystemClock()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    journal = SQLiteJournal(settings.database_path, clock, synchronous=settings.journal_synchronous)
    principals = Principals(settings.database_path)
    if settings.demo_accounts:
        principals.put(DEMO_CUSTOMER, settings.demo_customer_token)
        principals.put(DEMO_SUPPORT, settings.demo_support_token)
        principals.put(DEMO_PRODUCT, settings.demo_product_api_key)
    else:
        for demo in (DEMO_CUSTOMER, DEMO_SUPPORT, DEMO_PRODUCT):
            principals.remove(demo.user_id)
    parser = build_parser(settings)
    policy = Policy()
    venues = SandboxAccounts(MarketCatalog.default(), clock, settings.seed, settings.demo_balances)
    assistant = Assistant(
        journal=journal,
        parser=parser,
        venue_for=venues,
        checkpoints=Checkpoints(settings.derived_key("confirmation-token")),
        policy=policy,
        clock=clock,
        default_quote=settings.default_quote,
        confirmation_ttl_ms=settings.confirmation_ttl_s * 1000,
    )
    return Services(settings, clock, journal, principals, parser, policy, venues, assistant)
