"""Several app processes on one port: ``tradeassist serve --workers N``.

:func:`run_workers` starts N processes (spawned) that each build the app from the
environment (:func:`app_from_environment`, an app factory) and serve it with uvicorn on
a socket of their own in one ``SO_REUSEPORT`` group, restarts one killed by a signal, and
passes SIGTERM on; the processes end with it, even when it is killed (:func:`end_with_parent`).
Each process has its own caches and connections; what they share is in the stores the
settings name:

* the journal and the daily-limits ledger in Redis (``TRADEASSIST_JOURNAL_URL``), where
  every decision is a compare-and-set on the session's chain head, so concurrent
  confirmations from any process yield one order (``execution/session/log.py``);
* the customers' accounts on a sandbox server (``TRADEASSIST_VENUE=sandbox-remote``);
* the principals, the policy versions and their audit, and the risk acknowledgements in
  the SQLite file under ``TRADEASSIST_DATA_DIR`` (WAL; several processes on one host);
* the worker, on a thread of each process (or as ``tradeassist worker`` with
  ``TRADEASSIST_EMBEDDED_WORKER=false``), acting only while it holds a lease in Redis.

The embedded defaults are refused for N > 1 (:func:`check_several_processes`): an
in-process sandbox would give each process its own balances and orders, and the SQLite
journal is the one-process store.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.process
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time

from fastapi import FastAPI
from prometheus_client.multiprocess import mark_process_dead

from web.metrics import MULTIPROC_ENV
from web.settings import Settings, SettingsError, redact_url


def check_several_processes(settings: Settings, workers: int) -> None:
    """Refuse ``workers`` > 1 on a store that is not shared, naming the setting to change."""
    if workers < 1:
        raise SettingsError(f"--workers must be at least 1, not {workers!r}")
    if workers == 1:
        return
    problems = []
    if settings.journal_url is None:
        problems.append(
            "TRADEASSIST_JOURNAL_URL is unset, so the journal and the daily-limits ledger "
            "are the embedded SQLite file, the one-process store: set it to a Redis all the "
            "processes share (redis://HOST:PORT/DB)"
        )
    if settings.venue == "sandbox":
        problems.append(
            "TRADEASSIST_VENUE=sandbox keeps the customers' balances and orders in each "
            "process's memory, so every process would show a different account: set "
            "TRADEASSIST_VENUE=sandbox-remote and TRADEASSIST_VENUE_URL to a "
            "`tradeassist sandbox-server`"
        )
    if problems:
        raise SettingsError(f"refusing to start {workers} processes: " + "; ".join(problems))


def app_from_environment() -> FastAPI:
    """The app factory each process calls: settings from its ``TRADEASSIST_*`` environment."""
    from web.app import create_app

    return create_app(Settings())


def listening_socket(host: str, port: int, *, shared: bool) -> socket.socket:
    """A TCP socket bound to ``host:port``; ``shared``: with ``SO_REUSEPORT``, so that each
    process has its own and the kernel spreads new connections evenly between them."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def end_with_parent(parent_pid: int) -> None:
    """Have the kernel send this process SIGTERM when its parent dies, however it dies
    (``kill -9`` of the supervisor included), so that no app process outlives it serving
    on a port nobody supervises; exit now if the parent is already gone. Linux only (the
    ``prctl`` call); elsewhere a no-op."""
    if sys.platform != "linux":
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent_pid:  # the parent died before the call
        sys.exit(_FAILED_TO_START)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def serve_one(host: str, port: int, parent_pid: int) -> None:
    """One app process (the supervisor's child): the app from the environment, served by
    uvicorn on a socket of its own in the port's ``SO_REUSEPORT`` group, ending with its
    supervisor."""
    from web.cli import make_server

    end_with_parent(parent_pid)
    sock = listening_socket(host, port, shared=True)
    server = make_server(app_from_environment(), host, port)
    server.run(sockets=[sock])
    sys.exit(0 if server.started else _FAILED_TO_START)


_FAILED_TO_START = 3
#: A process that exits by itself sooner than this after it was started failed to start:
#: the supervisor stops instead of restarting it for ever. One killed by a signal is
#: restarted whenever it dies.
_START_GRACE_S = 60.0


def run_workers(settings: Settings, workers: int) -> int:
    """Serve ``workers`` processes on ``settings.host:port`` until SIGTERM or SIGINT; the
    exit status (0, or 1 if a process failed to start).

    Each process listens on a socket of its own in one ``SO_REUSEPORT`` group, and the
    kernel gives each new connection to one of them by its addresses' hash. (uvicorn's
    own ``--workers`` shares one socket, and the first process to wake accepts every
    connection waiting; measured with 16 keep-alive clients, one process served nearly
    all of them: bench/RESULTS.md.) This process only supervises: it restarts a process
    that dies after it has started, and passes SIGTERM on.

    The stores are opened once here first, so a setting naming something unusable is
    refused once, by name, before any process starts."""
    from web.services import build_services

    check_several_processes(settings, workers)
    build_services(settings).close()
    try:  # a port already taken is refused here (not shared with whoever holds it)
        listening_socket(settings.host, settings.port, shared=False).close()
    except OSError as exc:
        raise SettingsError(
            f"cannot listen on {settings.host}:{settings.port} (TRADEASSIST_HOST, "
            f"TRADEASSIST_PORT or --host/--port): {exc}"
        ) from None
    # The processes read their settings from the environment: pass on what the command
    # line decided (whether the worker runs embedded).
    os.environ["TRADEASSIST_EMBEDDED_WORKER"] = "true" if settings.embedded_worker else "false"
    journal = settings.journal_url
    assert journal is not None  # checked above
    print(
        f"tradeassist: {workers} processes on http://{settings.host}:{settings.port}, "
        f"journal {redact_url(journal.get_secret_value())}, venue {settings.venue_url}",
        file=sys.stderr,
    )
    # Each process writes its metrics to files here, and /metrics adds them all up
    # (web/metrics.py): a fresh directory, so no earlier run's counts are added in.
    metrics_dir = tempfile.mkdtemp(prefix="tradeassist-metrics-")
    os.environ[MULTIPROC_ENV] = metrics_dir
    context = multiprocessing.get_context("spawn")
    stop = threading.Event()

    def start() -> tuple[multiprocessing.process.BaseProcess, float]:
        process = context.Process(
            target=serve_one, args=(settings.host, settings.port, os.getpid())
        )
        process.start()
        return process, time.monotonic()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    running = [start() for _ in range(workers)]
    status = 0
    while not stop.wait(0.2):
        for index, (process, started) in enumerate(running):
            if process.is_alive():
                continue
            killed = (process.exitcode or 0) < 0  # by a signal (the OOM killer, kill -9)
            if not killed and time.monotonic() - started < _START_GRACE_S:
                print(
                    f"tradeassist: process {process.pid} exited with {process.exitcode} "
                    "while starting; stopping",
                    file=sys.stderr,
                )
                status = 1
                stop.set()
                break
            print(f"tradeassist: process {process.pid} exited; restarting", file=sys.stderr)
            # Its counters stay (a total never goes down); its live gauges go.
            mark_process_dead(process.pid, metrics_dir)  # type: ignore[no-untyped-call]
            running[index] = start()
    for process, _ in running:
        if process.is_alive():
            process.terminate()  # SIGTERM: each ends its streams and finishes its requests
    for process, _ in running:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
            process.join()
    shutil.rmtree(metrics_dir, ignore_errors=True)
    return status
