"""Plumbing shared by the SQLite (and Redis) stores: the journal, the daily-limit ledger,
the policy store and the principals."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from execution.errors import LimitStoreError


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
def store_errors(what: str) -> Iterator[None]:
    """The one place where the ledger's and the policy store's own errors (sqlite3,
    redis-py) become :class:`LimitStoreError`. Needs no redis import (the SQLite journal
    imports this module): if redis was never loaded, no exception can be one of its."""
    try:
        yield
    except Exception as exc:
        redis = sys.modules.get("redis")
        if isinstance(exc, sqlite3.Error) or (
            redis is not None and isinstance(exc, redis.RedisError)
        ):
            raise LimitStoreError(f"could not {what}: {type(exc).__name__}: {exc}") from exc
        raise
