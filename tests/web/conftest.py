"""An app per test on its own data directory and a manual clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from execution.clock import ManualClock
from tests.support import acknowledge_risk
from web.app import create_app
from web.services import Services, build_services
from web.settings import Settings

CUSTOMER = {"Authorization": "Bearer demo-customer-token"}
SUPPORT = {"Authorization": "Bearer demo-support-token"}
PRODUCT = {"Authorization": "Bearer demo-product-api-key"}
ADMIN = {"Authorization": "Bearer demo-admin-token"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def services(settings: Settings, clock: ManualClock) -> Iterator[Services]:
    built = build_services(settings, clock)
    yield built
    built.close()


@pytest.fixture
def client(settings: Settings, services: Services) -> Iterator[TestClient]:
    """The app, whose demo customer has acknowledged the risk disclosure (as the chat page
    has them do before their first message); :func:`unacknowledged_client` has not."""
    with TestClient(create_app(settings, services=services)) as test_client:
        acknowledge_risk(test_client, CUSTOMER)
        yield test_client


@pytest.fixture
def unacknowledged_client(settings: Settings, services: Services) -> Iterator[TestClient]:
    """The app before the demo customer acknowledged the risk disclosure."""
    with TestClient(create_app(settings, services=services)) as test_client:
        yield test_client
