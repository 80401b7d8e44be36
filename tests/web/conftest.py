"""An app per test on its own data directory and a manual clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from execution.clock import ManualClock
from web.app import create_app
from web.services import Services, build_services
from web.settings import Settings

CUSTOMER = {"Authorization": "Bearer demo-customer-token"}
SUPPORT = {"Authorization": "Bearer demo-support-token"}
PRODUCT = {"Authorization": "Bearer demo-product-api-key"}


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
    with TestClient(create_app(settings, services=services)) as test_client:
        yield test_client
