"""The composition root: builds every service the app, the CLI and the tests use."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from execution.assistant import Assistant
from execution.checkpoints import Checkpoints
from execution.clock import Clock, ManualClock, SystemClock
from execution.journal import Journal, SQLiteJournal
from execution.limits import LimitLedger, open_ledger
from execution.policy import Policy, PolicyStore
from execution.preview.pipeline import Pipeline, Simulation, simulate
from execution.preview.scenarios import SymbolScenario
from execution.sandbox import MarketCatalog, SandboxExchange, SandboxMarket
from execution.sandbox.remote import RemoteSandbox
from execution.venue import Venue
from intent.hybrid import HybridParser
from intent.llm import LLMParser, LLMSettings
from intent.parser import Parser
from intent.rules import RuleParser
from web.auth import DEMO_ADMIN, DEMO_CUSTOMER, DEMO_PRODUCT, DEMO_SUPPORT, Principals
from web.settings import Settings, SettingsError, redact_url

# Simulations run at this instant unless asked otherwise: 2026-01-01T00:00:00Z.
SIMULATION_EPOCH_MS = 1_767_225_600_000


class Accounts(Protocol):
    """The venue of each customer, and throwaway in-process accounts for simulations."""

    def __call__(self, user_id: str) -> Venue: ...

    def isolated(
        self, balances: Mapping[str, Decimal], seed: int | None, clock: Clock
    ) -> Venue: ...


class ClosableJournal(Journal, Protocol):
    def close(self) -> None: ...


def _isolated(
    market: SandboxMarket, balances: Mapping[str, Decimal], seed: int | None, clock: Clock
) -> Venue:
    """A throwaway account for simulations: same markets, its own balances, seed and
    clock (a simulation runs at a fixed instant, so it can be repeated exactly)."""
    if seed is not None and seed != market.seed:
        market = SandboxMarket(market.catalog, seed=seed, params=market.params)
    return market.open_account(balances=balances, clock=clock, account_id="simulation")


class LocalSandboxAccounts:
    """One in-process sandbox account per customer, all trading on one shared market
    (``TRADEASSIST_VENUE=sandbox``: each app process has its own)."""

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
        """A throwaway in-process account for a simulation (see :func:`_isolated`)."""
        return _isolated(self._market, balances, seed, clock)


class RemoteSandboxAccounts:
    """Each customer's account on the sandbox server at ``base_url``
    (``TRADEASSIST_VENUE=sandbox-remote``): every app process trades on the same accounts,
    which outlive the process. Simulations still run on in-process accounts."""

    def __init__(self, base_url: str, timeout_s: float, catalog: MarketCatalog, seed: int) -> None:
        self.base_url = base_url
        self._timeout_s = timeout_s
        self._simulations = SandboxMarket(catalog, seed=seed)
        self._accounts: dict[str, RemoteSandbox] = {}
        self._lock = threading.Lock()

    def __call__(self, user_id: str) -> RemoteSandbox:
        with self._lock:
            venue = self._accounts.get(user_id)
            if venue is None:  # kept: it caches the markets
                venue = RemoteSandbox(self.base_url, user_id, self._timeout_s)
                self._accounts[user_id] = venue
            return venue

    def isolated(self, balances: Mapping[str, Decimal], seed: int | None, clock: Clock) -> Venue:
        """A throwaway in-process account for a simulation (see :func:`_isolated`)."""
        return _isolated(self._simulations, balances, seed, clock)

    def check(self) -> None:
        """:class:`SettingsError` naming TRADEASSIST_VENUE_URL unless the server answers."""
        import ccxt

        probe = RemoteSandbox(self.base_url, "-", self._timeout_s)
        try:
            probe.health()
        except ccxt.BaseError as exc:
            raise SettingsError(
                f"TRADEASSIST_VENUE_URL={self.base_url} does not answer as a sandbox server "
                f"(start one with `tradeassist sandbox-server`): {exc}"
            ) from None


@dataclass
class Services:
    settings: Settings
    clock: Clock
    journal: Journal
    principals: Principals
    parser: Parser
    venues: Accounts
    assistant: Assistant
    # Policy versions and audit (the newest version is in force) and the daily-usage ledger.
    policy_store: PolicyStore
    limits: LimitLedger
    # What close() releases besides the principals (the journal's connections).
    closers: list[Callable[[], None]] = field(default_factory=list)

    def current_policy(self) -> Policy:
        """The policy in force: the newest published version (any process may publish)."""
        return self.policy_store.current()

    def close(self) -> None:
        for close in self.closers:
            close()
        self.principals.close()

    def simulate(
        self,
        text: str,
        balances: Mapping[str, Decimal],
        *,
        seed: int | None = None,
        scenario: Mapping[str, SymbolScenario] | None = None,
        as_of_ms: int = SIMULATION_EPOCH_MS,
    ) -> Simulation:
        """Parse, plan and preview ``text`` on an isolated sandbox account at ``as_of_ms``;
        sends nothing, and the same arguments always give the same answer."""
        pipeline = Pipeline(
            venue=self.venues.isolated(balances, seed, ManualClock(as_of_ms)),
            policy=self.current_policy(),
            now_ms=lambda: as_of_ms,
            ttl_ms=self.settings.confirmation_ttl_s * 1000,
            default_quote=self.settings.default_quote,
            scenario=scenario,
        )
        return simulate(pipeline, self.parser, text, balances)


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


def open_journal(settings: Settings, clock: Clock) -> ClosableJournal:
    """The journal the settings name: SQLite under ``data_dir`` by default, or the Redis
    journal at ``TRADEASSIST_JOURNAL_URL``, checked to answer (:class:`SettingsError` naming
    the setting if it does not)."""
    if settings.journal_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return SQLiteJournal(
            settings.database_path, clock, synchronous=settings.journal_synchronous
        )
    import redis

    from execution.journal.redis import RedisJournal

    url = settings.journal_url.get_secret_value()
    shown = f"TRADEASSIST_JOURNAL_URL={redact_url(url)}"
    try:
        probe = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    except ValueError as exc:
        raise SettingsError(f"{shown} is not a usable Redis URL: {exc}") from None
    try:
        probe.ping()
    except redis.RedisError as exc:
        raise SettingsError(f"{shown} does not answer: {type(exc).__name__}: {exc}") from None
    finally:
        probe.close()
    return RedisJournal.from_url(url, clock, prefix=settings.journal_prefix)


def build_venues(settings: Settings, clock: Clock) -> Accounts:
    """The customers' venue the settings name; a remote sandbox is checked to answer."""
    catalog = MarketCatalog.default()
    if settings.venue == "sandbox-remote" and settings.venue_url is not None:
        remote = RemoteSandboxAccounts(
            settings.venue_url, settings.venue_timeout_s, catalog, settings.seed
        )
        remote.check()
        return remote
    return LocalSandboxAccounts(catalog, clock, settings.seed, settings.demo_balances)


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Open the stores the settings name and wire the services together;
    :class:`SettingsError` (naming the setting) if a store or venue does not answer."""
    clock = clock or SystemClock()
    venues = build_venues(settings, clock)
    journal = open_journal(settings, clock)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    principals = Principals(settings.database_path)
    if settings.demo_accounts:
        principals.put(DEMO_CUSTOMER, settings.demo_customer_token)
        principals.put(DEMO_SUPPORT, settings.demo_support_token)
        principals.put(DEMO_PRODUCT, settings.demo_product_api_key)
        principals.put(DEMO_ADMIN, settings.demo_admin_token)
    else:
        for demo in (DEMO_CUSTOMER, DEMO_SUPPORT, DEMO_PRODUCT, DEMO_ADMIN):
            principals.remove(demo.user_id)
    parser = build_parser(settings)
    policy_store = PolicyStore(settings.database_path, clock)
    journal_url = settings.journal_url
    limits = open_ledger(
        clock,
        sqlite_path=settings.database_path,
        redis_url=None if journal_url is None else journal_url.get_secret_value(),
        prefix=settings.journal_prefix,
    )
    assistant = Assistant(
        journal=journal,
        parser=parser,
        venue_for=venues,
        checkpoints=Checkpoints(settings.derived_key("confirmation-token")),
        policy=policy_store.current,
        clock=clock,
        tier_of=principals.tier_of,
        limits=limits,
        default_quote=settings.default_quote,
        confirmation_ttl_ms=settings.confirmation_ttl_s * 1000,
        requote_tolerance_bps=settings.requote_tolerance_bps,
    )
    return Services(
        settings,
        clock,
        journal,
        principals,
        parser,
        venues,
        assistant,
        policy_store,
        limits,
        closers=[journal.close, limits.close, policy_store.close],
    )
