"""Settings: embedded defaults, and production's refusal of unsafe ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from web.settings import Settings


def test_defaults_run_everything_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MODE", "HOST", "PORT", "DATA_DIR", "PARSER", "VENUE", "VENUE_URL", "JOURNAL_URL"):
        monkeypatch.delenv(f"TRADEASSIST_{name}", raising=False)
    settings = Settings()

    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert (settings.parser, settings.venue, settings.mode) == ("rules", "sandbox", "development")
    assert settings.database_path.suffix == ".sqlite3"
    assert (settings.venue_url, settings.journal_url) == (None, None)  # in-process, SQLite
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


def test_shared_venue_and_journal_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRADEASSIST_VENUE", "sandbox-remote")
    monkeypatch.setenv("TRADEASSIST_VENUE_URL", "http://127.0.0.1:8765")
    monkeypatch.setenv("TRADEASSIST_JOURNAL_URL", "redis://:hunter2@127.0.0.1:6379/3")

    settings = Settings()

    assert (settings.venue, settings.venue_url) == ("sandbox-remote", "http://127.0.0.1:8765")
    assert settings.journal_url is not None
    assert settings.journal_url.get_secret_value() == "redis://:hunter2@127.0.0.1:6379/3"
    assert "hunter2" not in repr(settings)


@pytest.mark.parametrize(
    ("values", "named"),
    [
        (
            {"venue": "sandbox-remote"},
            "TRADEASSIST_VENUE=sandbox-remote needs TRADEASSIST_VENUE_URL",
        ),
        ({"venue_url": "http://127.0.0.1:8765"}, "TRADEASSIST_VENUE_URL is set but"),
        ({"venue": "sandbox-remote", "venue_url": "ftp://h:1"}, "TRADEASSIST_VENUE_URL='ftp"),
        ({"venue": "sandbox-remote", "venue_url": "127.0.0.1:8765"}, "TRADEASSIST_VENUE_URL="),
        ({"venue": "sandbox-remote", "venue_url": "http://h:port"}, "TRADEASSIST_VENUE_URL="),
        ({"venue": "nasdaq"}, "venue"),
        ({"journal_url": "postgres://db/x"}, "TRADEASSIST_JOURNAL_URL=postgres://db/x must be"),
        ({"journal_url": "redis://h:port/0"}, "TRADEASSIST_JOURNAL_URL=redis://h:port/0 is not"),
        ({"journal_url": "redis://"}, "TRADEASSIST_JOURNAL_URL=redis:// must be a Redis URL"),
    ],
)
def test_bad_venue_and_journal_settings_are_refused_by_name(
    values: dict[str, Any], named: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(**values)

    assert named in str(refused.value)


def test_a_refused_journal_url_does_not_show_its_password() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(journal_url="http://user:hunter2@127.0.0.1/0")

    message = str(refused.value)
    assert "TRADEASSIST_JOURNAL_URL=http://user:***@127.0.0.1/0 must be a Redis URL" in message
    assert "hunter2" not in message
