"""Browser sessions kept on the server: the cookie holds only an opaque random id.

The store (SQLite, in the database next to the principals) keeps the id's hash, the signed-in
account (none before sign-in), the session's data (its CSRF token, and whatever a sign-in
flow keeps between two requests), and when it was created and expires (8 hours after it was
created: signing in again starts a new one). Nothing is cached: every request reads its
session, so a session ended in one process (sign-out, an account disabled, its token
rotated) is refused by every process on its next request.

:class:`BrowserSessionMiddleware` gives routes ``request.session`` (a dict, as Starlette's
cookie sessions did) and stores what they change; :func:`sign_in` and :func:`sign_out`
start and end a signed-in session (a new id at every sign-in: an id seen before sign-in is
never reused after it).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from execution.clock import Clock
from execution.stores import immediate_transaction, open_database, open_reader

if TYPE_CHECKING:
    from web.auth import Principal
    from web.services import Services

SESSION_COOKIE = "tradeassist_session"
#: How long a session lasts from its creation (Starlette's cookie lasted as long).
SESSION_TTL_MS = 8 * 3600 * 1000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS browser_sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT,
    data TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS browser_sessions_user ON browser_sessions (user_id);
CREATE INDEX IF NOT EXISTS browser_sessions_expiry ON browser_sessions (expires_at_ms);
"""


def _hash(session_id: str) -> str:
    """What the store keeps instead of the id (SHA-256, as web.auth.hash_secret does for
    tokens; not imported from there, since the account store imports this module)."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def prepare_sessions(db: sqlite3.Connection) -> None:
    """Create the sessions' table (idempotent): the account store calls it too, as it ends
    an account's sessions in the transaction that disables it or rotates its token."""
    db.executescript(_SCHEMA)


def end_sessions_of(db: sqlite3.Connection, user_id: str) -> int:
    """End every session of ``user_id`` inside the caller's transaction; how many ended."""
    return db.execute("DELETE FROM browser_sessions WHERE user_id = ?", (user_id,)).rowcount


@dataclass(frozen=True, slots=True)
class StoredSession:
    data: dict[str, Any]
    created_at_ms: int
    expires_at_ms: int


class BrowserSessions:
    """The session store: reads on a read-only connection (never behind a writer, fit for
    the event loop), writes in their own transactions."""

    def __init__(self, path: Path | str, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._db = open_database(path, _SCHEMA)
        self._read_lock = threading.Lock()
        self._reader = open_reader(path)

    def close(self) -> None:
        with self._lock:
            self._db.close()
        with self._read_lock:
            self._reader.close()

    def load(self, session_id: str) -> StoredSession | None:
        """The session whose id is ``session_id``, unless it has ended or expired."""
        with self._read_lock:
            row = self._reader.execute(
                "SELECT data, created_at_ms, expires_at_ms FROM browser_sessions WHERE id_hash = ?",
                (_hash(session_id),),
            ).fetchone()
        if row is None or row[2] <= self._clock.now_ms():
            return None
        data = json.loads(row[0])
        return StoredSession(data if isinstance(data, dict) else {}, row[1], row[2])

    def create(self, data: dict[str, Any], *, replacing: str | None = None) -> tuple[str, int]:
        """A new session holding ``data``: its id (shown once, stored hashed) and expiry.
        ``replacing``: the id of a session that ends in the same transaction (rotation)."""
        session_id = secrets.token_urlsafe(32)
        now = self._clock.now_ms()
        expires = now + SESSION_TTL_MS
        user_id = data.get("user_id")
        with self._lock, immediate_transaction(self._db):
            if replacing is not None:
                self._db.execute(
                    "DELETE FROM browser_sessions WHERE id_hash = ?", (_hash(replacing),)
                )
            # Expired sessions go as new ones come: the table holds only live ones.
            self._db.execute("DELETE FROM browser_sessions WHERE expires_at_ms <= ?", (now,))
            self._db.execute(
                "INSERT INTO browser_sessions (id_hash, user_id, data, created_at_ms, "
                "expires_at_ms) VALUES (?, ?, ?, ?, ?)",
                (
                    _hash(session_id),
                    user_id if isinstance(user_id, str) else None,
                    json.dumps(data),
                    now,
                    expires,
                ),
            )
        return session_id, expires

    def save(self, session_id: str, data: dict[str, Any]) -> bool:
        """Replace the data of a live session; False if it has ended meanwhile (its user
        stays as it was: only :func:`sign_in` makes a session someone's)."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE browser_sessions SET data = ? WHERE id_hash = ? AND expires_at_ms > ?",
                (json.dumps(data), _hash(session_id), self._clock.now_ms()),
            )
        return cursor.rowcount == 1

    def delete(self, session_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM browser_sessions WHERE id_hash = ?", (_hash(session_id),))

    def max_age_s(self, expires_at_ms: int) -> int:
        """The cookie's Max-Age for a session expiring at ``expires_at_ms``."""
        return max(0, (expires_at_ms - self._clock.now_ms()) // 1000)

    def count_of(self, user_id: str) -> int:
        """How many live sessions ``user_id`` has (for operators and tests)."""
        with self._read_lock:
            row = self._reader.execute(
                "SELECT COUNT(*) FROM browser_sessions WHERE user_id = ? AND expires_at_ms > ?",
                (user_id, self._clock.now_ms()),
            ).fetchone()
        return int(row[0])


def cookie_header(value: str, *, max_age_s: int, secure: bool) -> str:
    """The one ``Set-Cookie`` for the session: HttpOnly, SameSite=strict, Secure in
    production; ``max_age_s`` 0 deletes it."""
    parts = [f"{SESSION_COOKIE}={value}", "Path=/", f"Max-Age={max_age_s}", "HttpOnly"]
    parts.append("SameSite=strict")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


#: Where the middleware keeps, in the request's scope, the id it loaded and what it held.
_LOADED = "tradeassist.browser_session"


@dataclass(slots=True)
class _Loaded:
    session_id: str | None
    snapshot: dict[str, Any]


class BrowserSessionMiddleware:
    """``request.session`` from the store: loaded (uncached) when the request arrives, and
    stored when the response starts if a route changed it. A request without the cookie
    (a bearer token's) costs no read."""

    def __init__(self, app: ASGIApp, *, store: BrowserSessions, secure: bool) -> None:
        self.app = app
        self.store = store
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        session_id = HTTPConnection(scope).cookies.get(SESSION_COOKIE) or None
        stored = None if session_id is None else self.store.load(session_id)
        if stored is None:
            loaded = _Loaded(None, {})
            stale = session_id is not None  # a cookie for a session that has ended
        else:
            loaded = _Loaded(session_id, dict(stored.data))
            stale = False
        scope["session"] = dict(loaded.snapshot)
        scope[_LOADED] = loaded

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                header = await self._set_cookie(scope, stale)
                if header is not None:
                    MutableHeaders(scope=message).append("set-cookie", header)
            await send(message)

        await self.app(scope, receive, send_wrapper)

    async def _set_cookie(self, scope: Scope, stale: bool) -> str | None:
        """The Set-Cookie the response needs, if any, once what changed is stored. A
        request that changed nothing (nearly every one) stays on the event loop."""
        loaded: _Loaded = scope[_LOADED]
        data: dict[str, Any] = scope["session"]
        if data != loaded.snapshot:
            if data and data.get("user_id") != loaded.snapshot.get("user_id"):
                # Signing in by hand would keep the id a visitor had before (fixation), and
                # leave the session out of reach of end_sessions_of.
                raise RuntimeError("sign a principal in with web.browser_sessions.sign_in")
            return await anyio.to_thread.run_sync(self._store_changes, scope)
        if stale and loaded.session_id is None:  # a cookie of an ended session: drop it
            return cookie_header("", max_age_s=0, secure=self.secure)
        return None

    def _store_changes(self, scope: Scope) -> str | None:
        """Store the session a route changed: created (a new id and cookie) when it gains
        its first value, updated, or ended (cookie deleted) when emptied."""
        loaded: _Loaded = scope[_LOADED]
        data: dict[str, Any] = scope["session"]
        if loaded.session_id is None:
            if not data:
                return None
            session_id, expires = self.store.create(data)
            scope[_LOADED] = _Loaded(session_id, dict(data))
            return self._cookie(session_id, expires)
        if not data:
            self.store.delete(loaded.session_id)
            return cookie_header("", max_age_s=0, secure=self.secure)
        self.store.save(loaded.session_id, data)
        return None

    def _cookie(self, session_id: str, expires_at_ms: int) -> str:
        max_age_s = self.store.max_age_s(expires_at_ms)
        return cookie_header(session_id, max_age_s=max_age_s, secure=self.secure)


def _store_of(request: Request) -> tuple[BrowserSessions, bool]:
    """The app's session store, and whether its cookie is Secure (production)."""
    services: Services = request.app.state.services
    return services.browser_sessions, services.settings.mode == "production"


def sign_in(request: Request, response: Response, principal: Principal) -> None:
    """Sign ``principal`` in on this browser: the request's session (if any) ends, a new one
    with a new id and a fresh CSRF token starts, and ``response`` sets its cookie. For every
    way of signing in (``POST /login``, an identity provider's callback)."""
    sessions, secure = _store_of(request)
    loaded: _Loaded | None = request.scope.get(_LOADED)
    data = {"user_id": principal.user_id, "csrf": secrets.token_urlsafe(32)}
    session_id, expires = sessions.create(
        data, replacing=None if loaded is None else loaded.session_id
    )
    # The middleware sees an unchanged session: it stores and sends nothing more.
    request.scope[_LOADED] = _Loaded(session_id, dict(data))
    request.scope["session"] = dict(data)
    response.headers.append(
        "set-cookie",
        cookie_header(session_id, max_age_s=sessions.max_age_s(expires), secure=secure),
    )


def sign_out(request: Request, response: Response) -> None:
    """End this browser's session (a copy of its cookie no longer works anywhere) and delete
    its cookie."""
    sessions, secure = _store_of(request)
    loaded: _Loaded | None = request.scope.get(_LOADED)
    if loaded is not None and loaded.session_id is not None:
        sessions.delete(loaded.session_id)
    request.scope[_LOADED] = _Loaded(None, {})
    request.scope["session"] = {}
    response.headers.append("set-cookie", cookie_header("", max_age_s=0, secure=secure))
