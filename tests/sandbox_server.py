"""Start ``tradeassist sandbox-server`` as a real process for a test, and stop it after."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
READY = "sandbox listening on "


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without any TRADEASSIST_* setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEASSIST_")}
    env.update(extra)
    return env


@dataclass(frozen=True)
class SandboxProcess:
    process: subprocess.Popen[str]
    url: str


@contextmanager
def sandbox_server(
    *, seed: int = 7, balances: Mapping[str, Decimal] | None = None
) -> Iterator[SandboxProcess]:
    """A sandbox server on a port it picks itself (``--port 0``; the ready line names it),
    with ``balances`` as every account's opening balances (default: the demo balances)."""
    command = [
        sys.executable,
        "-m",
        "web.cli",
        "sandbox-server",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--seed",
        str(seed),
    ]
    for code, amount in (balances or {}).items():
        command += ["--balance", f"{code}={amount}"]
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=clean_environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()  # blocks until ready, or '' if it died
            if not line.startswith(READY):
                process.kill()
                process.wait()
                stderr.seek(0)
                pytest.fail(f"the sandbox server did not start: {line!r}\n{stderr.read()}")
            yield SandboxProcess(process, line[len(READY) :].strip())
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
