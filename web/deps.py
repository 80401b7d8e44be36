"""Request dependencies: who is calling, with which role, and CSRF for cookie sessions."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from execution.actors import Actor, Channel, Role
from web.auth import Principal
from web.services import Services

CSRF_HEADER = "X-CSRF-Token"
SESSION_COOKIE = "tradeassist_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The ways to call (OpenAPI's security schemes): a bearer token (customers, support and
# admins get one; the product team's API key is one too), or the browser's signed session
# cookie, whose state-changing requests also carry the session's CSRF token.
_BEARER = HTTPBearer(
    auto_error=False, description="an account's token, or a product API key (scope simulate)"
)
_COOKIE = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="the signed-in browser session (/login)"
)
_CSRF = APIKeyHeader(
    name=CSRF_HEADER,
    auto_error=False,
    description="with the session cookie, on every request that changes state",
)


class ErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any] | None = None


class ErrorOut(BaseModel):
    """Every error: ``{"error": {"code", "message", "details"}}``."""

    error: ErrorBody


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error responses a route documents, each with the one envelope."""
    return {code: {"model": ErrorOut} for code in codes}


# Dependencies that only read what is in memory are ``async``: FastAPI runs a sync
# dependency in its thread pool, one trip per dependency per request.
async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (double-submit via form or header)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if (
        not isinstance(expected, str)
        or not submitted
        or not hmac.compare_digest(expected, submitted)
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or invalid CSRF token")


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def optional_principal(
    request: Request,
    services: ServicesDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)],
    cookie: Annotated[str | None, Security(_COOKIE)],
    csrf: Annotated[str | None, Security(_CSRF)],
) -> Principal | None:
    """The caller from ``Authorization: Bearer`` or, failing that, the session cookie
    (``cookie`` only declares the scheme: the session middleware has already read it)."""
    return caller(request, services, bearer.credentials if bearer is not None else None, csrf)


#: The security requirement :func:`optional_principal`'s schemes give a route, for a route
#: that finds its caller with :func:`request_caller` (one dependency instead of five).
CALLER_SECURITY: list[dict[str, list[str]]] = [
    {"HTTPBearer": []},
    {"APIKeyCookie": []},
    {"APIKeyHeader": []},
]


def request_caller(request: Request, services: Services, *, guard: bool = True) -> Principal | None:
    """:func:`optional_principal` read straight from the request's headers."""
    return caller(
        request, services, _bearer(request), request.headers.get(CSRF_HEADER), guard=guard
    )


def caller(
    request: Request,
    services: Services,
    token: str | None,
    csrf: str | None,
    *,
    guard: bool = True,
) -> Principal | None:
    """The caller whose bearer ``token`` this is or, without one, the session's account
    (whose state-changing requests must carry the session's ``csrf`` token). Called on the
    event loop: the principals are read on their own read-only SQLite connection, which
    never waits on a writer (:class:`~web.auth.Principals`); nothing is cached, so a
    revoked key fails on the next request.

    An unknown token counts against the address's limit (429 past it, else 401); a known
    one is refused too (429) while the address is past it, so guesses learn nothing. That
    check is skipped with ``guard=False`` only by a caller that makes it at once itself,
    with its own charges (:meth:`~web.rate_limits.RateLimits.admit`: one call)."""
    if token is not None:
        principal = services.principals.by_secret(token)
        if principal is None:
            services.rate_limits.bearer_failed(request)  # 429 past the limit
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "invalid bearer token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if guard:
            services.rate_limits.admit(request)
        return principal
    user_id = request.session.get("user_id")
    if not isinstance(user_id, str):
        return None
    principal = services.principals.by_id(user_id)
    if principal is not None and request.method not in SAFE_METHODS:
        check_csrf(request, csrf)
    return principal


def signed_in(principal: Principal | None) -> Principal:
    """``principal``, or 401 if nobody is signed in."""
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "not signed in", headers={"WWW-Authenticate": "Bearer"}
        )
    return principal


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    return signed_in(principal)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def actor_for(principal: Principal, request: Request) -> Actor:
    channel: Channel = "api" if _bearer(request) else "chat"
    return Actor(principal.user_id, principal.role, channel)


def allowing(*grants: tuple[Role, str]) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting a principal whose (role, scope) matches one of ``grants``:
    the role says who they are, the scope what their account was given (ROLE_SCOPES)."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        roles = {role for role, _ in grants}
        if principal.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"role {principal.role!r} may not do this"
            )
        needed = sorted({scope for role, scope in grants if role == principal.role})
        if not any(scope in principal.scopes for scope in needed):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this account lacks the {' or '.join(map(repr, needed))} scope",
            )
        return principal

    return dependency


# customer: own sessions (trade); support: read; admin: settings and read.
Customer = Annotated[Principal, Depends(allowing(("customer", "trade")))]
SessionReader = Annotated[
    Principal,
    Depends(allowing(("customer", "trade"), ("support", "read"), ("admin", "read"))),
]
Support = Annotated[Principal, Depends(allowing(("support", "read"), ("admin", "read")))]
Admin = Annotated[Principal, Depends(allowing(("admin", "settings")))]
