"""A real `tradeassist serve` process and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.support import free_port

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def _serve(data_dir: Path, **settings: str) -> Iterator[str]:
    """`tradeassist serve` on a free port and its own data directory; ``settings`` are
    extra environment variables (``TRADEASSIST_...``)."""
    port = free_port()
    env = {**os.environ, "TRADEASSIST_DATA_DIR": str(data_dir), **settings}
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parents[2],
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1):  # noqa: S310 (our own http URL)
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"server did not start: {(data_dir / 'server.log').read_text()}"
                    ) from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _serve(tmp_path_factory.mktemp("data")) as url:
        yield url


@pytest.fixture
def first_visit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own for one test, whose customer has not yet acknowledged the risk
    disclosure (the first visit)."""
    with _serve(tmp_path_factory.mktemp("data")) as url:
        yield url


@pytest.fixture(scope="module")
def short_ttl_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server whose confirmation tokens live 5 s (the shortest the settings allow)."""
    with _serve(tmp_path_factory.mktemp("data"), TRADEASSIST_CONFIRMATION_TTL_S="5") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()
