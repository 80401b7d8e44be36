"""Principals, roles and credentials. Tokens and API keys are stored only as hashes.

Roles and what they may do:

- ``customer``: chat, preview, confirm and reject on their own sessions;
- ``support``: read any session and its journal; never confirm or trade;
- ``product``: the ``/v1`` simulation API (scope ``simulate``); no sessions;
- ``admin``: settings (reserved).
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from execution.assistant import Role


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy token or API key: what the database holds instead of it."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    display_name: str
    role: Role
    scopes: frozenset[str]


_SCHEMA = """
CREATE TABLE IF NOT EXISTS principals (
    user_id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    scopes TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE
);
"""

_SELECT = "SELECT user_id, display_name, role, scopes, secret_hash FROM principals WHERE "
_SELECT_BY = {"user_id": _SELECT + "user_id = ?", "secret_hash": _SELECT + "secret_hash = ?"}


class Principals:
    """The account store (SQLite, next to the journal)."""

    def __init__(self, path: Path | str) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def put(self, principal: Principal, secret: str) -> None:
        """Create or replace an account; ``secret`` is hashed, never stored."""
        with self._lock:
            self._db.execute(
                "INSERT INTO principals VALUES (?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE "
                "SET display_name=excluded.display_name, role=excluded.role, "
                "scopes=excluded.scopes, secret_hash=excluded.secret_hash",
                (
                    principal.user_id,
                    principal.display_name,
                    principal.role,
                    " ".join(sorted(principal.scopes)),
                    hash_secret(secret),
                ),
            )

    def remove(self, user_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM principals WHERE user_id = ?", (user_id,))

    def by_secret(self, secret: str) -> Principal | None:
        """The account whose token or API key is ``secret``."""
        row = self._row("secret_hash", hash_secret(secret))
        return None if row is None else _principal(row)

    def by_login(self, user_id: str, secret: str) -> Principal | None:
        """The account if ``user_id`` and ``secret`` match, compared in constant time."""
        row = self._row("user_id", user_id)
        stored = row[4] if row else hash_secret("\x00no-such-user")
        matches = hmac.compare_digest(stored, hash_secret(secret))
        return _principal(row) if row is not None and matches else None

    def by_id(self, user_id: str) -> Principal | None:
        row = self._row("user_id", user_id)
        return None if row is None else _principal(row)

    def _row(
        self, column: Literal["user_id", "secret_hash"], value: str
    ) -> tuple[str, str, str, str, str] | None:
        with self._lock:
            row = self._db.execute(_SELECT_BY[column], (value,)).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3], row[4])


_ROLES: dict[str, Role] = {
    "customer": "customer",
    "support": "support",
    "product": "product",
    "admin": "admin",
}


def _principal(row: tuple[str, str, str, str, str]) -> Principal:
    role = _ROLES.get(row[2])
    if role is None:
        raise ValueError(f"account {row[0]!r} has an unknown role {row[2]!r}")
    return Principal(row[0], row[1], role, frozenset(row[3].split()))


DEMO_CUSTOMER = Principal("demo-customer", "Demo Customer", "customer", frozenset({"trade"}))
DEMO_SUPPORT = Principal("demo-support", "Demo Support", "support", frozenset({"read"}))
DEMO_PRODUCT = Principal("demo-product", "Demo Product Team", "product", frozenset({"simulate"}))
DEMO_ACCOUNTS = (DEMO_CUSTOMER, DEMO_SUPPORT, DEMO_PRODUCT)
