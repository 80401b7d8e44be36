"""Plumbing shared by the SQLite (and Redis) stores: the journal, the daily-limit ledger,
the policy store and the principals."""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from execution.errors import ExecutionError, LimitStoreError

BUSY_TIMEOUT_S = 30.0  # how long a writer waits for another connection's write lock


def open_database(path: Path | str, schema: str = "") -> sqlite3.Connection:
    """A connection to the SQLite file the stores share (autocommit, WAL, the busy timeout),
    with ``schema`` (``CREATE ... IF NOT EXISTS``) applied. Switching a file to WAL, and a
    schema statement racing another process's, can answer "database is locked" at once
    instead of waiting: those are retried until the busy timeout has passed."""
    db = sqlite3.connect(
        str(path), check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_S
    )
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            if schema:
                db.executescript(schema)
            return db
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                db.close()
                raise
            time.sleep(0.05)


def open_reader(path: Path | str) -> sqlite3.Connection:
    """A read-only connection to a store's file (opened, with its schema, by
    :func:`open_database` first). In WAL mode its reads see every committed write of any
    connection or process and never wait on a writer: microseconds, so fit for the event
    loop, where a connection that also writes could wait out a busy timeout."""
    db = sqlite3.connect(
        str(path), check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_S
    )
    db.execute("PRAGMA query_only = ON")
    return db


@contextmanager
def immediate_transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction that takes SQLite's write lock before its first read, so a
    writer in another connection or process waits (busy timeout) instead of interleaving.
    Committed when the block ends, rolled back if it raises (the exception goes on)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


@contextmanager
def store_errors(what: str, error: type[ExecutionError] = LimitStoreError) -> Iterator[None]:
    """The one place where the ledger's, the policy store's and the rate limits' own errors
    (sqlite3, redis-py) become ours: ``error`` (:class:`LimitStoreError` unless told).
    Needs no redis import (the SQLite journal imports this module): if redis was never
    loaded, no exception can be one of its."""
    try:
        yield
    except Exception as exc:
        redis = sys.modules.get("redis")
        if isinstance(exc, sqlite3.Error) or (
            redis is not None and isinstance(exc, redis.RedisError)
        ):
            raise error(f"could not {what}: {type(exc).__name__}: {exc}") from exc
        raise
