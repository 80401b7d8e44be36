"""Settings: embedded defaults, and production's refusal of unsafe ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from web.app import create_app
from web.settings import MIN_RETENTION_DAYS, Settings, retention_text

#: What `secrets.token_urlsafe(48)` printed once (a fixed value: tests use no randomness).
STRONG_SECRET = "q3Vx9LkT0bZr7YwN2hJcF5mPaE8sUdG1oRiK4tXvQyW6nBzCeHfAjLuMgSpDlO-_x7Qm"


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
    settings = Settings(mode="production", secret_key=STRONG_SECRET, demo_accounts=False)

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


# --- record keeping ---------------------------------------------------------------------


def test_retention_is_unset_by_default_and_nothing_is_deleted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRADEASSIST_RETENTION_DAYS", raising=False)

    assert Settings().retention_days is None
    assert Settings(retention_days=0).retention_days is None  # 0: keep forever, as unset
    assert retention_text(None).startswith("sessions are kept forever")


def test_a_retention_of_at_least_seven_years_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRADEASSIST_RETENTION_DAYS", str(MIN_RETENTION_DAYS))

    assert Settings().retention_days == MIN_RETENTION_DAYS == 2557
    assert Settings(retention_days=3653).retention_days == 3653


@pytest.mark.parametrize("days", [1, 365, 5 * 365, MIN_RETENTION_DAYS - 1, -1])
def test_a_retention_shorter_than_seven_years_is_refused_by_name(days: int) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(retention_days=days)

    message = str(refused.value)
    assert f"TRADEASSIST_RETENTION_DAYS={days} is shorter than" in message
    assert "2557 days (7 years" in message
    assert "0 (or leave it unset) to keep every session forever" in message


def test_healthz_reports_the_retention_in_force(tmp_path: Path) -> None:
    for days, words in ((None, "kept forever"), (3000, "at least 3000 days")):
        app = create_app(Settings(data_dir=tmp_path / str(days), retention_days=days))
        with TestClient(app) as client:
            health = client.get("/healthz").json()
        assert health["status"] == "ok"
        assert health["retention_days"] == days
        assert words in health["retention"]
