"""Several app processes on one port: ``tradeassist serve --workers N``.

uvicorn's own supervisor (``uvicorn.run(..., workers=N)``) binds the socket once, starts N
processes that each build the app from the environment (:func:`app_from_environment`,
an app factory) and accept on the shared socket, restarts one that dies, and passes
SIGTERM on. Each process has its own caches and connections; what they share is in the
stores the settings name:

* the journal and the daily-limits ledger in Redis (``TRADEASSIST_JOURNAL_URL``), where
  every decision is a compare-and-set on the session's chain head, so concurrent
  confirmations from any process yield one order (``execution/session/log.py``);
* the customers' accounts on a sandbox server (``TRADEASSIST_VENUE=sandbox-remote``);
* the principals, the policy versions and their audit, and the risk acknowledgements in
  the SQLite file under ``TRADEASSIST_DATA_DIR`` (WAL; several processes on one host);
* the worker, on a thread of each process, acting only while it holds a lease in Redis.

The embedded defaults are refused for N > 1 (:func:`check_several_processes`): an
in-process sandbox would give each process its own balances and orders, and the SQLite
journal is the one-process store.
"""

from __future__ import annotations

import os
import sys

from fastapi import FastAPI

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


def run_workers(settings: Settings, workers: int) -> None:
    """Serve ``workers`` processes on ``settings.host:port`` until SIGTERM or SIGINT.

    The stores are opened once here first, so a setting naming something unusable is
    refused once, by name, before any process starts (not retried by the supervisor)."""
    import uvicorn

    from web.services import build_services

    check_several_processes(settings, workers)
    build_services(settings).close()
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
    uvicorn.run(
        "web.serving:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        timeout_graceful_shutdown=10,
    )
