"""Shared fixtures: a manual clock, and paths to the shared fixtures beside the repo."""

from __future__ import annotations

from pathlib import Path

import pytest

from execution.clock import ManualClock

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the shared fixtures are not at {SHARED}")
    return SHARED
