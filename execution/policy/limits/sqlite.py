"""The embedded daily-usage ledger, in the journal's SQLite file (see :mod:`.ledger`)."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

from execution.clock import Clock
from execution.policy.limits.ledger import (
    QUANTUM,
    Refusal,
    Reservation,
    check_key,
    checked_request,
    utc_day,
)
from execution.stores import immediate_transaction, store_errors


def _plain(value: Decimal) -> str:
    """A decimal string without exponent, as this ledger stores it."""
    return format(value, "f")


_SCHEMA = """
CREATE TABLE IF NOT EXISTS limit_usage (
    user_id TEXT NOT NULL,
    day TEXT NOT NULL,
    quote TEXT NOT NULL,
    used TEXT NOT NULL,
    PRIMARY KEY (user_id, day, quote)
);
CREATE TABLE IF NOT EXISTS limit_reservations (
    reservation_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    day TEXT NOT NULL,
    quote TEXT NOT NULL,
    amount TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
"""


class SQLiteLimitLedger:
    """The embedded ledger, in the journal's SQLite file (any number of processes)."""

    def __init__(self, path: Path | str, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        with store_errors("open the limit ledger"):
            self._db = sqlite3.connect(
                str(path), check_same_thread=False, isolation_level=None, timeout=30
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def today(self) -> date:
        return utc_day(self._clock.now_ms())

    @contextmanager
    def _transaction(self, what: str) -> Iterator[None]:
        # BEGIN IMMEDIATE takes the write lock before the first read: a concurrent
        # reservation in another connection or process waits here (busy timeout 30 s).
        with self._lock, store_errors(what), immediate_transaction(self._db):
            yield

    def _used(self, user_id: str, day: str, quote: str) -> Decimal:
        row = self._db.execute(
            "SELECT used FROM limit_usage WHERE user_id = ? AND day = ? AND quote = ?",
            (user_id, day, quote),
        ).fetchone()
        return Decimal(0).quantize(QUANTUM) if row is None else Decimal(row[0])

    def reserve(
        self, user_id: str, day: date, quote: str, amount: Decimal, cap: Decimal
    ) -> Reservation | Refusal:
        r = checked_request(user_id, day, quote, amount, cap)
        reservation_id = uuid.uuid4().hex
        with self._transaction(f"reserve {amount} {quote} for {user_id!r}"):
            used = self._used(r.user_id, r.day.isoformat(), r.quote)
            after = used + r.amount
            if after > r.cap:
                return Refusal(r.user_id, r.day, r.quote, r.amount, used, r.cap)
            self._db.execute(
                "INSERT INTO limit_reservations VALUES (?, ?, ?, ?, ?, ?)",
                (
                    reservation_id,
                    r.user_id,
                    r.day.isoformat(),
                    r.quote,
                    _plain(r.amount),
                    self._clock.now_ms(),
                ),
            )
            self._db.execute(
                "INSERT INTO limit_usage VALUES (?, ?, ?, ?) "
                "ON CONFLICT(user_id, day, quote) DO UPDATE SET used = excluded.used",
                (r.user_id, r.day.isoformat(), r.quote, _plain(after)),
            )
        return Reservation(reservation_id, r.user_id, r.day, r.quote, r.amount, after, r.cap)

    def release(self, reservation: Reservation) -> bool:
        with self._transaction(f"release reservation {reservation.reservation_id!r}"):
            row = self._db.execute(
                "SELECT user_id, day, quote, amount FROM limit_reservations "
                "WHERE reservation_id = ?",
                (reservation.reservation_id,),
            ).fetchone()
            if row is None:
                return False
            user_id, day, quote, amount = row
            used = self._used(user_id, day, quote) - Decimal(amount)  # the stored amount
            self._db.execute(
                "DELETE FROM limit_reservations WHERE reservation_id = ?",
                (reservation.reservation_id,),
            )
            self._db.execute(
                "UPDATE limit_usage SET used = ? WHERE user_id = ? AND day = ? AND quote = ?",
                (_plain(used), user_id, day, quote),
            )
        return True

    def used(self, user_id: str, day: date, quote: str) -> Decimal:
        check_key(user_id, day, quote)
        with self._lock, store_errors(f"read the usage of {user_id!r}"):
            return self._used(user_id, day.isoformat(), quote)
