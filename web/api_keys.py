"""API keys that an administrator issues, lists and revokes (``/v1/admin/api-keys``, and
``tradeassist keys`` on the command line).

A key is shown once, when it is issued: the store keeps its SHA-256 (:func:`hash_secret`)
and its first characters (``ta_live_ab12``), by which an operator recognises it. Every key
acts as a ``product`` principal: the simulation API, with the scopes it was given among
those the product role may hold (:data:`ROLE_SCOPES`). Keys are for scripts, so they never
get a customer's power to trade or an administrator's to change the policy or issue keys:
those belong to people, who sign in with their own accounts.

Nothing is cached: every request reads the key's row, so a key revoked, or past its expiry,
is refused by every process on its next request. Issuing and revoking are audited (who and
when) in the transaction that makes the change.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from execution.actors import Role
from execution.policy import prepare_audit, record_audit
from execution.stores import immediate_transaction, open_database, open_reader
from web.auth import ROLE_SCOPES, Principal, hash_secret

#: What every key starts with (so a leaked one is recognisable, e.g. by secret scanners).
KEY_PREFIX = "ta_live_"
#: How much of a key is kept in clear to recognise it: the prefix and four characters.
SHOWN_CHARS = len(KEY_PREFIX) + 4
#: The role every key acts as, and so the scopes a key may hold.
KEY_ROLE: Role = "product"
KEY_SCOPES = ROLE_SCOPES[KEY_ROLE]
DAY_MS = 24 * 3600 * 1000
#: The longest a key may live: a key is replaced at least every two years.
MAX_EXPIRY_DAYS = 730

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    revoked_at_ms INTEGER,
    revoked_by TEXT
);
"""
_SELECT = (
    "SELECT id, name, prefix, scopes, created_at_ms, created_by, expires_at_ms, "
    "revoked_at_ms, revoked_by FROM api_keys "
)
_BY_ID = _SELECT + "WHERE id = ?"
_BY_HASH = _SELECT + "WHERE secret_hash = ?"
_NEWEST_FIRST = _SELECT + "ORDER BY created_at_ms DESC, id"


class ApiKeyError(ValueError):
    """A key that cannot be issued or revoked: the message names the value."""


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key as stored: never its secret."""

    id: str
    name: str
    prefix: str
    scopes: frozenset[str]
    created_at_ms: int
    created_by: str
    expires_at_ms: int
    revoked_at_ms: int | None
    revoked_by: str | None

    def refusal(self, now_ms: int) -> str | None:
        """Why the key may not be used at ``now_ms``, or None if it may."""
        if self.revoked_at_ms is not None:
            return f"API key {self.prefix}… was revoked"
        if self.expires_at_ms <= now_ms:
            return f"API key {self.prefix}… has expired"
        return None

    def principal(self) -> Principal:
        """Who a request with this key is: a product principal named for the key."""
        return Principal(f"apikey:{self.id}", self.name, KEY_ROLE, self.scopes)


def check_scopes(scopes: list[str]) -> frozenset[str]:
    """``scopes`` if a key may hold every one (:data:`KEY_SCOPES`); ApiKeyError naming
    the first that it may not, or if there are none."""
    if not scopes:
        raise ApiKeyError(f"a key needs at least one scope (of {sorted(KEY_SCOPES)})")
    for scope in scopes:
        if scope not in KEY_SCOPES:
            raise ApiKeyError(
                f"a key cannot hold the scope {scope!r}: keys act as the {KEY_ROLE!r} role, "
                f"whose scopes are {sorted(KEY_SCOPES)}"
            )
    return frozenset(scopes)


class ApiKeys:
    """The key store (SQLite, next to the principals): lookups on a read-only connection
    (microseconds, never behind a writer, so fit for the event loop), writes audited."""

    def __init__(self, path: Path | str) -> None:
        self._lock = threading.Lock()
        self._db = open_database(path, _SCHEMA)
        prepare_audit(self._db)
        self._read_lock = threading.Lock()
        self._reader = open_reader(path)

    def close(self) -> None:
        with self._lock:
            self._db.close()
        with self._read_lock:
            self._reader.close()

    def issue(
        self, name: str, scopes: frozenset[str], *, expires_in_days: int, by: str, at_ms: int
    ) -> tuple[ApiKey, str]:
        """A new key and its secret (shown only now); audited as ``api_key_created``."""
        check_scopes(sorted(scopes))
        if not name.strip():
            raise ApiKeyError("a key needs a name")
        if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
            raise ApiKeyError(
                f"expires_in_days must be 1 to {MAX_EXPIRY_DAYS}, got {expires_in_days!r}"
            )
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        key = ApiKey(
            id=secrets.token_hex(8),
            name=name.strip(),
            prefix=secret[:SHOWN_CHARS],
            scopes=scopes,
            created_at_ms=at_ms,
            created_by=by,
            expires_at_ms=at_ms + expires_in_days * DAY_MS,
            revoked_at_ms=None,
            revoked_by=None,
        )
        with self._lock, immediate_transaction(self._db):
            self._db.execute(
                "INSERT INTO api_keys (id, name, prefix, secret_hash, scopes, created_at_ms, "
                "created_by, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key.id,
                    key.name,
                    key.prefix,
                    hash_secret(secret),
                    " ".join(sorted(scopes)),
                    at_ms,
                    by,
                    key.expires_at_ms,
                ),
            )
            record_audit(
                self._db,
                at_ms=at_ms,
                who=by,
                action="api_key_created",
                subject=key.id,
                old_value=None,
                new_value=f"name={key.name!r} prefix={key.prefix} "
                f"scopes={' '.join(sorted(scopes))} expires_in_days={expires_in_days}",
            )
        return key, secret

    def revoke(self, key_id: str, *, by: str, at_ms: int) -> ApiKey:
        """Revoke ``key_id`` at once (audited as ``api_key_revoked``); the key as revoked.
        ApiKeyError if there is no such key or it was revoked already."""
        with self._lock, immediate_transaction(self._db):
            row = self._db.execute(_BY_ID, (key_id,)).fetchone()
            if row is None:
                raise ApiKeyError(f"no API key {key_id!r}")
            if row[7] is not None:
                raise ApiKeyError(f"API key {key_id!r} was revoked already")
            self._db.execute(
                "UPDATE api_keys SET revoked_at_ms = ?, revoked_by = ? WHERE id = ?",
                (at_ms, by, key_id),
            )
            record_audit(
                self._db,
                at_ms=at_ms,
                who=by,
                action="api_key_revoked",
                subject=key_id,
                old_value=f"prefix={row[2]}",
                new_value="revoked",
            )
        return _key((*row[:7], at_ms, by))

    def by_secret(self, secret: str) -> ApiKey | None:
        """The key whose secret this is, revoked or expired ones too (the caller says why
        it refuses them): read now, uncached."""
        with self._read_lock:
            row = self._reader.execute(_BY_HASH, (hash_secret(secret),)).fetchone()
        return None if row is None else _key(row)

    def get(self, key_id: str) -> ApiKey | None:
        with self._read_lock:
            row = self._reader.execute(_BY_ID, (key_id,)).fetchone()
        return None if row is None else _key(row)

    def all(self) -> list[ApiKey]:
        """Every key, newest first."""
        with self._read_lock:
            rows = self._reader.execute(_NEWEST_FIRST).fetchall()
        return [_key(row) for row in rows]


def _key(row: tuple[object, ...]) -> ApiKey:
    revoked_at = row[7]
    revoked_by = row[8]
    return ApiKey(
        id=str(row[0]),
        name=str(row[1]),
        prefix=str(row[2]),
        # A scope written behind issue()'s back that keys may not hold grants nothing.
        scopes=frozenset(str(row[3]).split()) & KEY_SCOPES,
        created_at_ms=int(str(row[4])),
        created_by=str(row[5]),
        expires_at_ms=int(str(row[6])),
        revoked_at_ms=None if revoked_at is None else int(str(revoked_at)),
        revoked_by=None if revoked_by is None else str(revoked_by),
    )
