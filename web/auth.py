"""Principals, roles and credentials. Tokens and API keys are stored only as hashes.

Roles, the scopes each may hold (:data:`ROLE_SCOPES`), and what they allow:

- ``customer`` (``trade``): chat, preview, confirm and reject on their own sessions;
- ``support`` (``read``): read any session and its journal; never confirm or trade;
- ``product`` (``simulate``): the ``/v1`` simulation API; no sessions;
- ``admin`` (``settings``, ``read``): the policy and customer tiers (``/v1/admin``), and
  what support may read; never trade.

Accounts an administrator adds (:meth:`Principals.add`) get a random token, shown once;
disabling an account (:meth:`Principals.disable`) or rotating its token
(:meth:`Principals.rotate_token`) ends its browser sessions in the same transaction, and is
audited with who and when. A disabled account is kept (its id is never given again) but
no lookup finds it.

Every principal has a ``tier`` (``verified`` unless set) that selects its limits in the
policy; an administrator changes it with :meth:`Principals.set_tier`, which audits it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from execution.actors import Role
from execution.policy import DEFAULT_TIER, prepare_audit, record_audit
from execution.stores import immediate_transaction, open_database, open_reader
from web.browser_sessions import end_sessions_of, prepare_sessions

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
    tier TEXT NOT NULL DEFAULT 'verified',
    disabled_at_ms INTEGER
);
"""


#: What an administrator may name an account: what a person types at /login, and logs show.
_USER_ID = re.compile(r"[A-Za-z0-9._@-]{1,64}")


class AccountError(ValueError):
    """An account change that cannot be made: the message names the account or scope."""


@dataclass(frozen=True, slots=True)
class Account:
    """An account as an operator lists it: never its token."""

    user_id: str
    display_name: str
    role: str
    scopes: str
    tier: str
    disabled_at_ms: int | None


def _check_scopes(principal: Principal) -> None:
    allowed = ROLE_SCOPES.get(principal.role)
    if allowed is None:
        raise AccountError(f"unknown role {principal.role!r}")
    if not principal.scopes <= allowed:
        extra = ", ".join(sorted(principal.scopes - allowed))
        raise AccountError(f"role {principal.role!r} cannot hold the scope(s) {extra}")


_Row = tuple[str, str, str, str, str, str]
_SELECT = (
    "SELECT user_id, display_name, role, scopes, secret_hash, tier FROM principals "
    "WHERE disabled_at_ms IS NULL AND "
)
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
        if "disabled_at_ms" not in columns:  # from before accounts could be disabled
            self._db.execute("ALTER TABLE principals ADD COLUMN disabled_at_ms INTEGER")
        prepare_sessions(self._db)

    def close(self) -> None:
        with self._lock:
            self._db.close()
        with self._read_lock:
            self._reader.close()

    def put(self, principal: Principal, secret: str) -> None:
        """Create or replace an account; ``secret`` is hashed, never stored.

        A scope the role may not hold (:data:`ROLE_SCOPES`) is refused with
        :class:`AccountError` (a ValueError)."""
        _check_scopes(principal)
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

    def add(self, principal: Principal, *, by: str, at_ms: int) -> str:
        """Add an account and audit it (who, when, role and scopes); its token, which is
        shown only now (the store keeps its hash). :class:`AccountError` if the id is taken
        (by a disabled account too: ids are never given twice), is not a plain name, or a
        scope is not the role's."""
        if not _USER_ID.fullmatch(principal.user_id):
            raise AccountError(
                f"a user id is 1 to 64 letters, digits and . _ @ -, got {principal.user_id!r}"
            )
        _check_scopes(principal)
        token = secrets.token_urlsafe(32)
        with self._lock, immediate_transaction(self._db):
            taken = self._db.execute(
                "SELECT disabled_at_ms FROM principals WHERE user_id = ?", (principal.user_id,)
            ).fetchone()
            if taken is not None:
                state = "a disabled account" if taken[0] is not None else "an account"
                raise AccountError(f"{principal.user_id!r} is already {state}")
            self._db.execute(
                "INSERT INTO principals (user_id, display_name, role, scopes, secret_hash, tier) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    principal.user_id,
                    principal.display_name,
                    principal.role,
                    " ".join(sorted(principal.scopes)),
                    hash_secret(token),
                    principal.tier,
                ),
            )
            record_audit(
                self._db,
                at_ms=at_ms,
                who=by,
                action="user_added",
                subject=principal.user_id,
                old_value=None,
                new_value=f"role={principal.role} scopes={' '.join(sorted(principal.scopes))} "
                f"tier={principal.tier}",
            )
        return token

    def disable(self, user_id: str, *, by: str, at_ms: int) -> int:
        """Disable ``user_id``: its token stops working and its browser sessions end, in one
        transaction with the audit row; how many sessions ended. :class:`AccountError` if
        there is no such enabled account."""
        with self._lock, immediate_transaction(self._db):
            self._require_enabled(user_id)
            self._db.execute(
                "UPDATE principals SET disabled_at_ms = ? WHERE user_id = ?", (at_ms, user_id)
            )
            ended = end_sessions_of(self._db, user_id)
            record_audit(
                self._db,
                at_ms=at_ms,
                who=by,
                action="user_disabled",
                subject=user_id,
                old_value="enabled",
                new_value=f"disabled; {ended} session(s) ended",
            )
        return ended

    def rotate_token(self, user_id: str, *, by: str, at_ms: int) -> str:
        """Give ``user_id`` a new token (shown only now), ending its browser sessions and
        auditing it in one transaction. :class:`AccountError` if there is no such enabled
        account."""
        token = secrets.token_urlsafe(32)
        with self._lock, immediate_transaction(self._db):
            self._require_enabled(user_id)
            self._db.execute(
                "UPDATE principals SET secret_hash = ? WHERE user_id = ?",
                (hash_secret(token), user_id),
            )
            ended = end_sessions_of(self._db, user_id)
            record_audit(
                self._db,
                at_ms=at_ms,
                who=by,
                action="token_rotated",
                subject=user_id,
                old_value=None,
                new_value=f"new token; {ended} session(s) ended",
            )
        return token

    def accounts(self) -> list[Account]:
        """Every account, disabled ones too, by id (never a secret)."""
        with self._read_lock:
            rows = self._reader.execute(
                "SELECT user_id, display_name, role, scopes, tier, disabled_at_ms "
                "FROM principals ORDER BY user_id"
            ).fetchall()
        return [Account(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]

    def _require_enabled(self, user_id: str) -> None:
        row = self._db.execute(
            "SELECT disabled_at_ms FROM principals WHERE user_id = ?", (user_id,)
        ).fetchone()
        if row is None:
            raise AccountError(f"no account {user_id!r}")
        if row[0] is not None:
            raise AccountError(f"account {user_id!r} is disabled")

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
        """Delete an account (the demo accounts, in production) and end its sessions."""
        with self._lock, immediate_transaction(self._db):
            self._db.execute("DELETE FROM principals WHERE user_id = ?", (user_id,))
            end_sessions_of(self._db, user_id)

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
