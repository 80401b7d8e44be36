"""The composition root: builds every service the app, the CLI and the tests use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from execution.assistant import Assistant
from execution.checkpoints import Checkpoints
from execution.clock import Clock, SystemClock
from execution.disclosures import RiskAcknowledgements
from execution.errors import VenueUnavailable
from execution.journal import Journal, SQLiteJournal
from execution.lease import RedisLease
from execution.policy import Policy, PolicyStore
from execution.policy.limits import LimitLedger, open_ledger
from execution.preview.pipeline import Simulations
from execution.rate_limits import SessionBounds, open_buckets, previews_limit, refusals_limit
from execution.venues.accounts import Accounts, LocalSandboxAccounts, RemoteSandboxAccounts
from execution.venues.sandbox import MarketCatalog
from intent.hybrid import HybridParser
from intent.llm import LLMParser, LLMSettings
from intent.parser import Parser
from intent.rules import RuleParser
from web.api_keys import ApiKeys
from web.auth import DEMO_ADMIN, DEMO_CUSTOMER, DEMO_PRODUCT, DEMO_SUPPORT, Principals
from web.browser_sessions import BrowserSessions
from web.identity import CodeFlow, IdentityProvider, build_code_flow, build_identity
from web.rate_limits import RateLimits
from web.redis_durability import require_durable
from web.settings import Settings, SettingsError, redact_url


class ClosableJournal(Journal, Protocol):
    def close(self) -> None: ...


@dataclass
class Services:
    settings: Settings
    clock: Clock
    journal: Journal
    principals: Principals
    parser: Parser
    venues: Accounts
    assistant: Assistant
    simulations: Simulations
    # Policy versions and audit (the newest version is in force) and the daily-usage ledger.
    policy_store: PolicyStore
    limits: LimitLedger
    # Who acknowledged which version of the risk disclosure (before their first message).
    disclosures: RiskAcknowledgements
    # The keys administrators issue, and the browsers' sessions (both next to the principals).
    api_keys: ApiKeys
    browser_sessions: BrowserSessions
    # The abuse limits of the HTTP routes (their buckets also bound sessions' growth).
    rate_limits: RateLimits
    # What close() releases besides the principals (the journal's connections).
    closers: list[Callable[[], None]] = field(default_factory=list)
    # The exchange's identity provider (web/identity/): its bearer tokens, and the
    # browser's "Sign in with" (None while the settings leave it off).
    identity: IdentityProvider | None = None
    sign_in_flow: CodeFlow | None = None

    def current_policy(self) -> Policy:
        """The policy in force: the newest published version (any process may publish)."""
        return self.policy_store.current()

    def close(self) -> None:
        for close in self.closers:
            close()
        self.disclosures.close()
        self.api_keys.close()
        self.browser_sessions.close()
        self.principals.close()


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
        if settings.mode == "production":
            require_durable(probe, settings.redis_durability_ack)
    except redis.RedisError as exc:
        raise SettingsError(f"{shown} does not answer: {type(exc).__name__}: {exc}") from None
    finally:
        probe.close()
    return RedisJournal.from_url(url, clock, prefix=settings.journal_prefix)


def open_worker_lease(settings: Settings) -> RedisLease | None:
    """The lease the worker holds while it acts, in the Redis journal's Redis (under its
    prefix); None on SQLite, where one process runs the worker."""
    if settings.journal_url is None:
        return None
    return RedisLease.from_url(
        settings.journal_url.get_secret_value(),
        f"{settings.journal_prefix}worker:lease",
        int(settings.worker_lease_s * 1000),
    )


def build_venues(settings: Settings, clock: Clock) -> Accounts:
    """The customers' venue the settings name; a remote sandbox is checked to answer."""
    catalog = MarketCatalog.default()
    if settings.venue == "sandbox-remote" and settings.venue_url is not None:
        remote = RemoteSandboxAccounts(
            settings.venue_url, settings.venue_timeout_s, catalog, settings.seed
        )
        try:
            remote.check()
        except VenueUnavailable as exc:
            raise SettingsError(
                f"TRADEASSIST_VENUE_URL={exc} (start one with `tradeassist sandbox-server`)"
            ) from None
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
    # Beside the journal: in this process's memory, or in the Redis journal's Redis.
    buckets = open_buckets(
        clock,
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
        session_bounds=SessionBounds(
            buckets,
            refusals_limit(settings.rate_session_refusals),
            previews_limit(settings.rate_session_previews),
        ),
    )
    identity = build_identity(
        settings, clock, principals, lambda: policy_store.current().tiers.keys()
    )
    return Services(
        settings,
        clock,
        journal,
        principals,
        parser,
        venues,
        assistant,
        Simulations(
            accounts=venues,
            policy=policy_store.current,
            parser=parser,
            ttl_ms=settings.confirmation_ttl_s * 1000,
            default_quote=settings.default_quote,
        ),
        policy_store,
        limits,
        RiskAcknowledgements(settings.database_path, clock),
        ApiKeys(settings.database_path),
        BrowserSessions(settings.database_path, clock),
        RateLimits(settings, buckets),
        closers=[journal.close, limits.close, policy_store.close, buckets.close],
        identity=identity,
        sign_in_flow=build_code_flow(settings, identity),
    )
