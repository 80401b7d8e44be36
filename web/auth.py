"""Principals, roles and credentials. Tokens and API keys are stored only as hashes.

Roles, the scopes each may hold (:data:`ROLE_SCOPES`), and what they allow:

- ``customer`` (``trade``): chat, preview, confirm and reject on their own sessions;
- ``support`` (``read``): read any session and its journal; never confirm or trade;
- ``product`` (``simulate``): the ``/v1`` simulation API; no sessions;
- ``admin`` (``settings``, ``read``): the policy and customer tiers (``/v1/admin``), and
  what support may read; never trade.

Every principal has a ``tier`` (``verified`` unless set) that selects its limits in the
policy; an administrator changes it with :meth:`Principals.set_tier`, which audits it.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from execution.actors import Role
from execution.policy import DEFAULT_TIER, prepare_audit, record_audit
from execution.stores import immediate_transaction, open_database, open_reader

ROLE_SCOPES: dict[Role, frozenset[str]] = {
    "customer": frozenset({"trade"}),
    "support": frozenset({"read"}),
    "product": frozenset({"simulate"}),
    "admin": frozenset({"settings", "read"}),
}


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy token or API key: what the database holds instead of it."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    display_name: str
    role: Role
    scopes: frozenset[str]
    tier: str = DEFAULT_TIER


_SCHEMA = """
CREATE TABLE IF NOT EXISTS principals (
    user_id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    scopes TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    tier TEXT NOT NULL DEFAULT 'verified'
);
"""

_Row = tuple[str, str, str, str, str, str]
_SELECT = "SELECT user_id, display_name, role, scopes, secret_hash, tier FROM principals WHERE "
_SELECT_BY = {"user_id": _SELECT + "user_id = ?", "secret_hash": _SELECT + "secret_hash = ?"}


class Principals:
    """The account store (SQLite, next to the journal).

    Lookups read on their own read-only connection and lock, never queued behind a write
    that waits for SQLite's write lock: a read in WAL mode takes microseconds and never
    waits on a writer, so the request path calls them on the event loop. Nothing is
    cached: a key removed or replaced by any process fails on the next request."""

    def __init__(self, path: Path | str) -> None:
        self._lock = threading.Lock()
        # The busy timeout of the other stores on this file: a tier change waits for the
        # audit's write lock (another process's append) instead of failing.
        self._db = open_database(path, _SCHEMA)
        self._read_lock = threading.Lock()
        self._reader = open_reader(path)
        prepare_audit(self._db)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(principals)")}
        if "tier" not in columns:  # a database from before tiers: everyone is verified
            self._db.execute(
                f"ALTER TABLE principals ADD COLUMN tier TEXT NOT NULL DEFAULT '{DEFAULT_TIER}'"
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()
        with self._read_lock:
            self._reader.close()

    def put(self, principal: Principal, secret: str) -> None:
        """Create or replace an account; ``secret`` is hashed, never stored.

        A scope the role may not hold (:data:`ROLE_SCOPES`) is refused with ValueError."""
        allowed = ROLE_SCOPES.get(principal.role)
        if allowed is None:
            raise ValueError(f"unknown role {principal.role!r}")
        if not principal.scopes <= allowed:
            extra = ", ".join(sorted(principal.scopes - allowed))
            raise ValueError(f"role {principal.role!r} cannot hold the scope(s) {extra}")
        with self._lock:
            self._db.execute(
                "INSERT INTO principals (user_id, display_name, role, scopes, secret_hash, tier) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE "
                "SET display_name=excluded.display_name, role=excluded.role, "
                "scopes=excluded.scopes, secret_hash=excluded.secret_hash, tier=excluded.tier",
                (
                    principal.user_id,
                    principal.display_name,
                    principal.role,
                    " ".join(sorted(principal.scopes)),
                    hash_secret(secret),
                    principal.tier,
                ),
            )

    def set_tier(self, user_id: str, tier: str, *, by: str, at_ms: int) -> str | None:
        """Move ``user_id`` to ``tier`` and audit it (who, when, old and new tier) in the same
        transaction; the old tier, or None (nothing written) if there is no such account."""
        with self._lock, immediate_transaction(self._db):
            row = self._db.execute(
                "SELECT tier FROM principals WHERE user_id = ?", (user_id,)
            ).fetchone()
            if row is None:
                return None  # nothing was written
            self._db.execute("UPDATE principals SET tier = ? WHERE user_id = ?", (tier, user_id))
            record_audit(
                self._db,
                at_ms=at_ms,
                who=by,
                action="tier_changed",
                subject=user_id,
                old_value=str(row[0]),
                new_value=tier,
            )
        return str(row[0])

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

    def tier_of(self, user_id: str) -> str:
        """The tier whose limits apply to ``user_id`` (the default for an unknown id)."""
        principal = self.by_id(user_id)
        return DEFAULT_TIER if principal is None else principal.tier

    def by_id(self, user_id: str) -> Principal | None:
        row = self._row("user_id", user_id)
        return None if row is None else _principal(row)

    def _row(self, column: Literal["user_id", "secret_hash"], value: str) -> _Row | None:
        with self._read_lock:
            row = self._reader.execute(_SELECT_BY[column], (value,)).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3], row[4], row[5])


_ROLES: dict[str, Role] = {
    "customer": "customer",
    "support": "support",
    "product": "product",
    "admin": "admin",
}


def _principal(row: _Row) -> Principal:
    role = _ROLES.get(row[2])
    if role is None:
        raise ValueError(f"account {row[0]!r} has an unknown role {row[2]!r}")
    # A scope written behind put()'s back that the role may not hold grants nothing.
    scopes = frozenset(row[3].split()) & ROLE_SCOPES[role]
    return Principal(row[0], row[1], role, scopes, row[5])


DEMO_CUSTOMER = Principal(
    "demo-customer", "Demo Customer", "customer", frozenset({"trade"}), DEFAULT_TIER
)
DEMO_SUPPORT = Principal("demo-support", "Demo Support", "support", frozenset({"read"}))
DEMO_PRODUCT = Principal("demo-product", "Demo Product Team", "product", frozenset({"simulate"}))
# Development only, like every demo account: production refuses TRADEASSIST_DEMO_ACCOUNTS.
DEMO_ADMIN = Principal("demo-admin", "Demo Admin", "admin", frozenset({"settings", "read"}))
