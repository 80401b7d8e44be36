"""Settings: embedded defaults, and production's refusal of unsafe ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from web.settings import Settings


def test_defaults_run_everything_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MODE", "HOST", "PORT", "DATA_DIR", "PARSER", "VENUE"):
        monkeypatch.delenv(f"TRADEASSIST_{name}", raising=False)
    settings = Settings()

    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert (settings.parser, settings.venue, settings.mode) == ("rules", "sandbox", "development")
    assert settings.database_path.suffix == ".sqlite3"
    assert settings.demo_accounts


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRADEASSIST_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRADEASSIST_DEMO_CUSTOMER_TOKEN", "another-token")
    monkeypatch.setenv("TRADEASSIST_PORT", "9001")

    settings = Settings()

    assert settings.data_dir == tmp_path
    assert settings.demo_customer_token == "another-token"
    assert settings.port == 9001


def test_production_refuses_default_secret_and_demo_accounts() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(mode="production")

    message = str(refused.value)
    assert "TRADEASSIST_SECRET_KEY is the development default" in message
    assert "demo accounts enabled" in message


def test_production_starts_with_a_real_secret_and_no_demo_accounts() -> None:
    settings = Settings(mode="production", secret_key="s" * 48, demo_accounts=False)

    assert settings.mode == "production"


def test_unknown_settings_and_short_secrets_are_refused() -> None:
    with pytest.raises(ValidationError, match="secret_key"):
        Settings(secret_key="short")
    with pytest.raises(ValidationError, match="port"):
        Settings(port=0)
