"""Settings: environment variables prefixed ``TRADEASSIST_``, with embedded defaults.

The defaults run everything on one machine (SQLite under the data directory, the sandbox
venue with demo balances, the rule parser, one demo account per role). In production mode
the app refuses to start with a default secret or with demo accounts enabled.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me-in-production-0000"  # noqa: S105
DEFAULT_CUSTOMER_TOKEN = "demo-customer-token"  # noqa: S105
DEFAULT_SUPPORT_TOKEN = "demo-support-token"  # noqa: S105
DEFAULT_PRODUCT_API_KEY = "demo-product-api-key"


class UnsafeSettings(ValueError):
    """The settings would be unsafe in production; the message names each problem."""


class Settings(BaseSettings):
    """Every knob of the app; see README.md for the table."""

    model_config = SettingsConfigDict(env_prefix="TRADEASSIST_", extra="forbid", frozen=True)

    mode: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Path.home() / ".local" / "share" / "tradeassist"
    secret_key: str = Field(default=DEFAULT_SECRET_KEY, min_length=32)

    parser: Literal["rules", "llm", "hybrid"] = "rules"
    # The LLM parser (off by default): any OpenAI-compatible endpoint.
    llm_base_url: str | None = None
    llm_model: str = "gemma-3-270m"
    llm_api_key: SecretStr | None = None  # SecretStr: never printed in repr or logs
    llm_timeout_s: float = Field(default=10, gt=0, le=120)
    llm_mode: Literal["json_schema", "json_object", "tools"] = "json_schema"
    venue: Literal["sandbox"] = "sandbox"
    seed: int = 7
    default_quote: str = "USDT"
    confirmation_ttl_s: int = Field(default=30, ge=5, le=600)
    journal_synchronous: Literal["FULL", "NORMAL"] = "FULL"

    demo_accounts: bool = True
    demo_customer_token: str = DEFAULT_CUSTOMER_TOKEN
    demo_support_token: str = DEFAULT_SUPPORT_TOKEN
    demo_product_api_key: str = DEFAULT_PRODUCT_API_KEY
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

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.mode != "production":
            return self
        problems = []
        if self.secret_key == DEFAULT_SECRET_KEY:
            problems.append("TRADEASSIST_SECRET_KEY is the development default")
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
        """A separate key per purpose (cookies, confirmation tokens) from the one secret."""
        return hashlib.sha256(f"{purpose}\x1f{self.secret_key}".encode()).digest()

    @property
    def database_path(self) -> Path:
        return self.data_dir / "tradeassist.sqlite3"
