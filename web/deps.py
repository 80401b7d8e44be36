"""Request dependencies: who is calling, with which role, and CSRF for cookie sessions."""

from __future__ import annotations

import functools
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from execution.actors import Actor, Channel, Role
from web.api_keys import KEY_PREFIX
from web.auth import Principal
from web.browser_sessions import SESSION_COOKIE
from web.identity import InvalidToken, ProviderUnavailable
from web.services import Services

CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

log = logging.getLogger(__name__)

# The ways to call (OpenAPI's security schemes): a bearer token (customers, support and
# admins get one; an API key an administrator issued is one too), or the browser's session
# cookie (an opaque id of a session kept on the server), whose state-changing requests also
# carry the session's CSRF token.
_BEARER = HTTPBearer(
    auto_error=False,
    description="an account's token, an API key (ta_live_…, acts as the product role), or "
    "(when configured) an access token of the exchange's identity provider (a JWT)",
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
    (``cookie`` only declares the scheme: the session middleware has already read it,
    web.browser_sessions)."""
    token = bearer.credentials if bearer is not None else None
    return await _caller(request, services, token, csrf, guard=True)


#: The security requirement :func:`optional_principal`'s schemes give a route, for a route
#: that finds its caller with :func:`request_caller` (one dependency instead of five).
CALLER_SECURITY: list[dict[str, list[str]]] = [
    {"HTTPBearer": []},
    {"APIKeyCookie": []},
    {"APIKeyHeader": []},
]


async def request_caller(
    request: Request, services: Services, *, guard: bool = True
) -> Principal | None:
    """:func:`optional_principal` read straight from the request's headers."""
    return await _caller(
        request, services, _bearer(request), request.headers.get(CSRF_HEADER), guard=guard
    )


async def _caller(
    request: Request, services: Services, token: str | None, csrf: str | None, *, guard: bool
) -> Principal | None:
    """:func:`caller`, on the event loop for our own tokens and the cookie; on a worker
    thread for what may be the identity provider's JWT (two dots; none of our tokens has
    one), whose check may fetch the provider's keys or provision the account, and must
    not hold up every other request meanwhile."""
    if token is not None and services.identity is not None and token.count(".") == 2:
        return await run_in_threadpool(
            functools.partial(caller, request, services, token, csrf, guard=guard)
        )
    return caller(request, services, token, csrf, guard=guard)


def caller(
    request: Request,
    services: Services,
    token: str | None,
    csrf: str | None,
    *,
    guard: bool = True,
) -> Principal | None:
    """The caller whose bearer ``token`` (an account's token or an API key) this is or,
    without one, the browser session's account (whose state-changing requests must carry
    the session's ``csrf`` token). Called on the event loop: the principals, keys and
    sessions are read on their own read-only SQLite connections, which never wait on a
    writer (:class:`~web.auth.Principals`); nothing is cached, so a revoked key, an ended
    session or a disabled account fails on the next request, in every process.

    A token that is none of ours is, when the identity provider is configured, verified
    as one of its JWTs (web/identity/; then on a worker thread, :func:`_caller`): refused,
    a 401; the provider not answering, a 503.

    A refused token counts against the address's limit (429 past it, else 401); a known
    one is refused too (429) while the address is past it, so guesses learn nothing. That
    check is skipped with ``guard=False`` only by a caller that makes it at once itself,
    with its own charges (:meth:`~web.rate_limits.RateLimits.admit`: one call)."""
    if token is not None and token.startswith(KEY_PREFIX):
        key = services.api_keys.by_secret(token)
        refusal = "invalid bearer token" if key is None else key.refusal(services.clock.now_ms())
        if key is None or refusal is not None:
            services.rate_limits.bearer_failed(request)  # 429 past the limit
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, refusal, headers={"WWW-Authenticate": "Bearer"}
            )
        return _guarded(request, services, key.principal(), guard)
    if token is not None:
        principal = services.principals.by_secret(token)
        if principal is None and services.identity is not None:
            principal = _provider_principal(request, services, token)
        if principal is None:
            services.rate_limits.bearer_failed(request)  # 429 past the limit
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "invalid bearer token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return _guarded(request, services, principal, guard)
    user_id = request.session.get("user_id")
    if not isinstance(user_id, str):
        return None
    principal = services.principals.by_id(user_id)
    if principal is not None and request.method not in SAFE_METHODS:
        check_csrf(request, csrf)
    return principal


def _guarded(request: Request, services: Services, principal: Principal, guard: bool) -> Principal:
    """``principal``, unless this address is past its limit of refused tokens (429)."""
    if guard:
        services.rate_limits.admit(request)
    return principal


def _provider_principal(request: Request, services: Services, token: str) -> Principal:
    """The identity provider's user whose token this is; the provider's errors end here."""
    assert services.identity is not None
    try:
        return services.identity.principal(token)
    except InvalidToken as exc:
        # RFC 6750, 3: the reason goes in the challenge too (it never quotes the token).
        log.info("bearer JWT refused: %s", exc)
        services.rate_limits.bearer_failed(request)  # 429 past the limit
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            f"invalid bearer token: {exc}",
            headers={"WWW-Authenticate": _challenge(str(exc))},
        ) from None
    except ProviderUnavailable as exc:
        log.warning("identity provider unavailable: %s", exc)
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"the identity provider ({services.identity.verifier.issuer}) is unavailable, "
            "so the bearer token cannot be checked; try again shortly",
            headers={"Retry-After": "30"},
        ) from None


def _challenge(reason: str) -> str:
    """The WWW-Authenticate challenge: a header is latin-1, and the reason may quote a
    value from the token (a kid), so only printable ASCII, no quote or backslash, is kept."""
    quoted = "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in reason)[:200]
    return f'Bearer error="invalid_token", error_description="{quoted}"'


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
