"""Start ``tradeassist serve`` (one process, or ``--workers N``) as a real process for a test
or a benchmark, wait until it answers, and stop it after."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.sandbox_server import REPO, clean_environment
from tests.support import free_port

#: What uvicorn logs when one process has started the app.
STARTED = "Application startup complete"


@dataclass(frozen=True)
class AppProcess:
    process: subprocess.Popen[bytes]
    url: str
    log: Path


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    """Until ``url/healthz`` answers; RuntimeError with the log if the process dies first."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):  # noqa: S310 (our own http URL)
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"tradeassist serve did not start:\n{log.read_text()}") from None
            time.sleep(0.1)


@contextmanager
def app_server(
    log_dir: Path, env: Mapping[str, str], *, workers: int = 1, timeout_s: float = 60
) -> Iterator[AppProcess]:
    """``tradeassist serve --workers N`` on a free port of 127.0.0.1 with the ``TRADEASSIST_*``
    settings in ``env`` (and no other); SIGTERM when the block ends (SIGKILL after 20 s)."""
    port = free_port()
    log = log_dir / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "web.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            cwd=REPO,
            env=clean_environment(**env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url, process, log, timeout_s)
            # Each process listens on its own socket: the first up answers /healthz while
            # the others may still be starting (and would get no connection opened now).
            deadline = time.monotonic() + timeout_s
            while log.read_text().count(STARTED) < workers:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"not every process started:\n{log.read_text()}")
                time.sleep(0.1)
            yield AppProcess(process, url, log)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def assert_no_trace(served: AppProcess, since: int = 0) -> None:
    """The server logged no traceback and answered no 5xx after byte ``since`` of its log."""
    log = served.log.read_bytes()[since:].decode(errors="replace")
    assert "Traceback" not in log, log[-3_000:]
    assert "Exception in ASGI application" not in log, log[-3_000:]
    answered_5xx = re.findall(r'"[A-Z]+ [^"]*" 5\d\d', log)
    assert answered_5xx == [], answered_5xx


def served_processes(pid: int) -> list[int]:
    """The processes ``pid`` (``serve --workers N``) spawned to serve, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"multiprocessing.spawn" in cmdline:
            found.append(int(stat.parent.name))
    return found
