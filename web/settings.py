"""Settings: environment variables prefixed ``TRADEASSIST_``, with embedded defaults.

The defaults run everything on one machine (SQLite under the data directory, the sandbox
venue with demo balances, the rule parser, one demo account per role). In production mode
the app refuses to start with a default secret or with demo accounts enabled.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from execution.actors import Role
from web.secret_strength import GENERATE_HINT, weakness

DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me-in-production-0000"  # noqa: S105
DEFAULT_CUSTOMER_TOKEN = "demo-customer-token"  # noqa: S105
DEFAULT_SUPPORT_TOKEN = "demo-support-token"  # noqa: S105
DEFAULT_PRODUCT_API_KEY = "demo-product-api-key"


class UnsafeSettings(ValueError):
    """The settings would be unsafe in production; the message names each problem."""


class SettingsError(ValueError):
    """A setting names something that cannot be used (a store or venue that does not
    answer); the message names the setting. Raised at start-up, not by validation."""


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for error messages and logs)."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:  # unparseable: show nothing that could be a secret
        return "<unparseable URL>"
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


JOURNAL_URL_SCHEMES = ("redis", "rediss", "unix")

#: The most simulations one batch may hold (web/routes/simulations.py ``MAX_BATCH``): the
#: simulation limits are at least this, so a batch always fits an unused bucket.
LARGEST_BATCH = 1000

#: The shortest journal retention accepted: seven years (7 x 365 days + 2 leap days), the
#: longest record-keeping period the SFC's rules name for a licensed platform's records
#: (README.md, "Record keeping"). A shorter period is refused, never rounded up.
MIN_RETENTION_DAYS = 2557


def retention_text(days: int | None) -> str:
    """The retention in force in words, as ``/healthz`` and the start-up line report it."""
    if days is None:
        return "sessions are kept forever (TRADEASSIST_RETENTION_DAYS unset)"
    return (
        f"sessions must be kept at least {days} days (TRADEASSIST_RETENTION_DAYS); "
        "nothing is deleted by the app"
    )


_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _all_or_none(values: dict[str, str | None], purpose: str) -> None:
    missing = [name for name, value in values.items() if not value]
    if missing and len(missing) < len(values):
        given = ", ".join(name for name in values if name not in missing)
        raise ValueError(
            f"{given} is set but {', '.join(missing)} is not (all are needed {purpose})"
        )


def _check_provider_url(name: str, url: str, mode: str) -> None:
    """An identity provider's URL: https, or http to this machine in development (tests)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError as exc:
        raise ValueError(f"{name}={url!r} is not a URL: {exc}") from None
    if not parts.hostname or parts.scheme not in ("https", "http"):
        raise ValueError(f"{name}={url!r} must be an https:// URL")
    if parts.scheme == "http" and (mode == "production" or parts.hostname not in _LOOPBACK):
        raise ValueError(
            f"{name}={url!r} must be https:// (http:// is accepted only for 127.0.0.1 "
            "in development)"
        )


class Settings(BaseSettings):
    """Every knob of the app; see README.md for the table."""

    # hide_input_in_errors: a refused value may be a secret (a key, a token, a URL with a
    # password); the messages name the setting instead.
    model_config = SettingsConfigDict(
        env_prefix="TRADEASSIST_", extra="forbid", frozen=True, hide_input_in_errors=True
    )

    mode: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Path.home() / ".local" / "share" / "tradeassist"
    secret_key: str = Field(default=DEFAULT_SECRET_KEY, min_length=32)

    # The largest request body accepted (413 beyond): a chat message or a simulation is a
    # few hundred bytes; a batch of simulations is allowed more.
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_batch_body_bytes: int = Field(default=1024 * 1024, ge=1024)

    # Abuse limits (web/rate_limits.py, README "Abuse limits"), each so many a minute per
    # subject; beyond, 429 rate_limited with Retry-After. Simulations count a batch's items,
    # so their limits are at least the largest batch (web/routes/simulations.py MAX_BATCH).
    rate_login_failures_per_ip: int = Field(default=30, ge=1, le=1_000_000)
    rate_login_failures_per_user: int = Field(default=10, ge=1, le=1_000_000)
    rate_bearer_failures_per_ip: int = Field(default=30, ge=1, le=1_000_000)
    rate_messages_per_principal: int = Field(default=60, ge=1, le=1_000_000)
    rate_simulations_per_principal: int = Field(default=6_000, ge=LARGEST_BATCH, le=10**9)
    rate_simulations_per_ip: int = Field(default=12_000, ge=LARGEST_BATCH, le=10**9)
    # A session's journal growth: refused confirmations and fresh previews of its steps.
    rate_session_refusals: int = Field(default=30, ge=1, le=1_000_000)
    rate_session_previews: int = Field(default=30, ge=1, le=1_000_000)

    parser: Literal["rules", "llm", "hybrid"] = "rules"
    # The LLM parser (off by default): any OpenAI-compatible endpoint.
    llm_base_url: str | None = None
    llm_model: str = "gemma-3-270m"
    llm_api_key: SecretStr | None = None  # SecretStr: never printed in repr or logs
    llm_timeout_s: float = Field(default=10, gt=0, le=120)
    llm_mode: Literal["json_schema", "json_object", "tools"] = "json_schema"
    # sandbox: an in-process sandbox per app process; sandbox-remote: the accounts on a
    # sandbox server (``tradeassist sandbox-server``) shared by every app process.
    venue: Literal["sandbox", "sandbox-remote"] = "sandbox"
    venue_url: str | None = None
    venue_timeout_s: float = Field(default=10, gt=0, le=120)
    seed: int = 7
    default_quote: str = "USDT"
    # Hong Kong public holidays (ISO dates, a JSON list): contract notes are due two business
    # days after the trade, and business days skip weekends and these. Unset: weekends only.
    hk_holidays: frozenset[date] = frozenset()
    confirmation_ttl_s: int = Field(default=30, ge=5, le=600)
    # Confirming previews again; a move beyond this needs a new confirmation.
    requote_tolerance_bps: Decimal = Field(default=Decimal(50), ge=0, le=1_000)
    # At start-up, steps left in flight are settled with the venue; those changed in the
    # last grace seconds are left to the process that may still be sending them.
    reconcile_grace_s: int = Field(default=30, ge=0, le=3_600)
    # Run the worker (execution/worker.py) on a thread of the app; `tradeassist serve`
    # turns it on unless this is set. Off for apps built in tests and libraries.
    embedded_worker: bool = False
    worker_interval_s: float = Field(default=2.0, gt=0, le=3_600)
    # On the Redis journal the worker acts only while it holds a lease in Redis
    # (execution/lease.py), so one worker acts however many are started; another takes
    # over this long after the holder stops renewing (it dies, or stalls).
    worker_lease_s: float = Field(default=10.0, ge=0.5, le=3_600)
    # Live updates (web/routes/live.py): how often each open stream reads the journal's
    # tail, how often a quiet stream sends a heartbeat, how long one connection lasts.
    stream_poll_s: float = Field(default=0.5, gt=0, le=60)
    stream_heartbeat_s: float = Field(default=15, gt=0, le=300)
    stream_lifetime_s: float = Field(default=300, gt=0, le=3_600)
    journal_synchronous: Literal["FULL", "NORMAL"] = "FULL"
    # Unset: SQLite under data_dir. redis://HOST:PORT/DB: the Redis journal, shared by
    # several app processes. SecretStr: the URL may carry a password.
    journal_url: SecretStr | None = None
    journal_prefix: str = Field(default="tradeassist:", min_length=1)
    # How long the operator must keep session journals (README "Record keeping"). Unset or
    # 0: forever. Recorded and reported only: the app never deletes a session.
    retention_days: int | None = None
    # In production a Redis journal must persist (AOF on, or a connected replica), or the
    # operator accepts that a Redis restart may lose sessions by setting this to
    # "volatile" (web/redis_durability.py checks at start-up).
    redis_durability_ack: Literal["volatile"] | None = None

    # Customers from the exchange's identity provider (web/identity/; README "Identity
    # provider (OIDC)"). The three of issuer, audience and JWKS URL turn on bearer JWTs;
    # a client id (with the authorization and token URLs) adds "Sign in with" to /login.
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    oidc_leeway_s: int = Field(default=30, ge=0, le=300)
    oidc_timeout_s: float = Field(default=5, gt=0, le=60)
    # Keys are refetched after max_age, or sooner for a kid not seen, but never twice
    # within min_refetch: a stream of made-up kids cannot make us hammer the provider.
    oidc_jwks_max_age_s: int = Field(default=3600, ge=60, le=86_400)
    oidc_jwks_min_refetch_s: int = Field(default=60, ge=1, le=3_600)
    # The claim naming the caller's role (a string or a list; a dotted path reaches into
    # an object, e.g. realm_access.roles), and its values' roles: the first entry of the
    # map (in the order written) whose value the claim holds wins; none: customer.
    oidc_role_claim: str | None = None
    oidc_role_map: dict[str, Role] = Field(default_factory=dict)
    # The claim naming the caller's tier (one of the policy's tiers); unset, or a value the
    # policy does not define: the tier an administrator set (default verified).
    oidc_tier_claim: str | None = None
    oidc_provider_name: str = Field(default="identity provider", min_length=1, max_length=60)
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None  # a confidential client; unset: PKCE alone
    oidc_authorization_url: str | None = None
    oidc_token_url: str | None = None
    # Where the provider sends the browser back (registered with it); unset: this app's
    # own /login/oidc/callback as the request reached it.
    oidc_redirect_url: str | None = None
    oidc_scope: str = "openid profile email"

    # Observability (README "Observability"). /metrics: open in development; in production
    # to this host (no proxy in between), or to a scraper with this bearer token, or to
    # anyone if metrics_public. Logs: one JSON object a line, or uvicorn's text.
    metrics_token: SecretStr | None = None
    metrics_public: bool = False
    log_format: Literal["json", "text"] = "json"
    # `tradeassist worker` (a process of its own) serves its metrics on this port of
    # TRADEASSIST_HOST, under the same rule; unset: not served.
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # How long /readyz waits for each dependency (journal, venue, LLM endpoint).
    readyz_timeout_s: float = Field(default=2.0, gt=0, le=30)

    demo_accounts: bool = True
    demo_customer_token: str = DEFAULT_CUSTOMER_TOKEN
    demo_support_token: str = DEFAULT_SUPPORT_TOKEN
    demo_product_api_key: str = DEFAULT_PRODUCT_API_KEY
    demo_admin_token: str = "demo-admin-token"  # noqa: S105  (demo accounts: dev only)
    demo_balances: dict[str, Decimal] = Field(
        default_factory=lambda: {
            "USDT": Decimal(25_000),
            "USD": Decimal(5_000),
            "USDC": Decimal(5_000),
            "BTC": Decimal("0.5"),
            "ETH": Decimal(4),
            "SOL": Decimal(40),
        }
    )

    @model_validator(mode="after")
    def _llm_needs_an_endpoint(self) -> Settings:
        if self.parser != "rules" and not self.llm_base_url:
            raise ValueError(
                f"TRADEASSIST_PARSER={self.parser} needs TRADEASSIST_LLM_BASE_URL "
                "(an OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1)"
            )
        return self

    @field_validator("venue_url")
    @classmethod
    def _venue_url_is_http(cls, value: str | None) -> str | None:
        if value is None:
            return None
        # The check RemoteSandbox makes; importing it here would load the sandbox package.
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
        except ValueError as exc:
            raise ValueError(f"TRADEASSIST_VENUE_URL={value!r} is not a URL: {exc}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ValueError(
                f"TRADEASSIST_VENUE_URL={value!r} must be the sandbox server's "
                "http://HOST:PORT (e.g. http://127.0.0.1:8765)"
            )
        return value

    @field_validator("journal_url")
    @classmethod
    def _journal_url_is_redis(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        url = value.get_secret_value()
        shown = redact_url(url)
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
        except ValueError as exc:
            raise ValueError(f"TRADEASSIST_JOURNAL_URL={shown} is not a URL: {exc}") from None
        if parts.scheme not in JOURNAL_URL_SCHEMES or not (parts.hostname or parts.path):
            raise ValueError(
                f"TRADEASSIST_JOURNAL_URL={shown} must be a Redis URL "
                "(redis://HOST:PORT/DB, rediss://... or unix://PATH), "
                "or be unset for SQLite under TRADEASSIST_DATA_DIR"
            )
        return value

    @field_validator("retention_days")
    @classmethod
    def _retention_is_at_least_the_minimum(cls, value: int | None) -> int | None:
        if value is None or value == 0:
            return None  # keep forever
        if value < MIN_RETENTION_DAYS:
            raise ValueError(
                f"TRADEASSIST_RETENTION_DAYS={value} is shorter than the record-keeping "
                f'minimum of {MIN_RETENTION_DAYS} days (7 years; see README.md, "Record '
                'keeping"): set at least that, or 0 (or leave it unset) to keep every '
                "session forever"
            )
        return value

    @model_validator(mode="after")
    def _lease_outlives_a_pause(self) -> Settings:
        if self.worker_lease_s <= self.worker_interval_s:
            raise ValueError(
                f"TRADEASSIST_WORKER_LEASE_S={self.worker_lease_s} must be longer than "
                f"TRADEASSIST_WORKER_INTERVAL_S={self.worker_interval_s} (the lease is renewed "
                "once a pass, and would lapse between passes)"
            )
        return self

    @model_validator(mode="after")
    def _remote_venue_needs_a_url(self) -> Settings:
        if self.venue == "sandbox-remote" and not self.venue_url:
            raise ValueError(
                "TRADEASSIST_VENUE=sandbox-remote needs TRADEASSIST_VENUE_URL (the URL "
                "`tradeassist sandbox-server` prints, e.g. http://127.0.0.1:8765)"
            )
        if self.venue == "sandbox" and self.venue_url:
            raise ValueError(
                "TRADEASSIST_VENUE_URL is set but TRADEASSIST_VENUE=sandbox runs an "
                "in-process sandbox and would ignore it; set TRADEASSIST_VENUE=sandbox-remote"
            )
        return self

    @model_validator(mode="after")
    def _oidc_is_whole(self) -> Settings:
        verifying = {
            "TRADEASSIST_OIDC_ISSUER": self.oidc_issuer,
            "TRADEASSIST_OIDC_AUDIENCE": self.oidc_audience,
            "TRADEASSIST_OIDC_JWKS_URL": self.oidc_jwks_url,
        }
        _all_or_none(verifying, "to verify the identity provider's tokens")
        signing_in = {
            "TRADEASSIST_OIDC_CLIENT_ID": self.oidc_client_id,
            "TRADEASSIST_OIDC_AUTHORIZATION_URL": self.oidc_authorization_url,
            "TRADEASSIST_OIDC_TOKEN_URL": self.oidc_token_url,
        }
        _all_or_none(signing_in, 'for "Sign in with" the identity provider')
        if self.oidc_client_id is not None and self.oidc_issuer is None:
            raise ValueError(
                "TRADEASSIST_OIDC_CLIENT_ID needs TRADEASSIST_OIDC_ISSUER, "
                "TRADEASSIST_OIDC_AUDIENCE and TRADEASSIST_OIDC_JWKS_URL (the id_token "
                "is verified like a bearer token)"
            )
        if self.oidc_client_id is None and (
            self.oidc_client_secret is not None or self.oidc_redirect_url is not None
        ):
            raise ValueError(
                "TRADEASSIST_OIDC_CLIENT_SECRET and TRADEASSIST_OIDC_REDIRECT_URL need "
                "TRADEASSIST_OIDC_CLIENT_ID"
            )
        if self.oidc_role_map and self.oidc_role_claim is None:
            raise ValueError("TRADEASSIST_OIDC_ROLE_MAP needs TRADEASSIST_OIDC_ROLE_CLAIM")
        for name, url in (
            *verifying.items(),
            ("TRADEASSIST_OIDC_AUTHORIZATION_URL", self.oidc_authorization_url),
            ("TRADEASSIST_OIDC_TOKEN_URL", self.oidc_token_url),
            ("TRADEASSIST_OIDC_REDIRECT_URL", self.oidc_redirect_url),
        ):
            if url is not None and name != "TRADEASSIST_OIDC_AUDIENCE":
                _check_provider_url(name, url, self.mode)
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.mode != "production":
            return self
        problems = []
        if self.secret_key == DEFAULT_SECRET_KEY:
            problems.append(
                f"TRADEASSIST_SECRET_KEY is the development default; generate one with "
                f"`{GENERATE_HINT}`"
            )
        elif (weak := weakness(self.secret_key)) is not None:
            problems.append(f"TRADEASSIST_SECRET_KEY {weak}; generate one with `{GENERATE_HINT}`")
        if self.demo_accounts:
            problems.append("TRADEASSIST_DEMO_ACCOUNTS must be false (demo accounts enabled)")
        for name, value, default in (
            ("TRADEASSIST_DEMO_CUSTOMER_TOKEN", self.demo_customer_token, DEFAULT_CUSTOMER_TOKEN),
            ("TRADEASSIST_DEMO_SUPPORT_TOKEN", self.demo_support_token, DEFAULT_SUPPORT_TOKEN),
            (
                "TRADEASSIST_DEMO_PRODUCT_API_KEY",
                self.demo_product_api_key,
                DEFAULT_PRODUCT_API_KEY,
            ),
        ):
            if self.demo_accounts and value == default:
                problems.append(f"{name} is the published demo value")
        if problems:
            raise UnsafeSettings("refusing to start in production: " + "; ".join(problems))
        return self

    def derived_key(self, purpose: str) -> bytes:
        """A separate key per purpose (e.g. confirmation tokens) from the one secret."""
        return hashlib.sha256(f"{purpose}\x1f{self.secret_key}".encode()).digest()

    @property
    def database_path(self) -> Path:
        return self.data_dir / "tradeassist.sqlite3"
