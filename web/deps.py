"""Request dependencies: who is calling, with which role, and CSRF for cookie sessions."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from execution.assistant import Actor, Channel, Role
from web.auth import Principal
from web.services import Services

CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_services(request: Request) -> Services:
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


def optional_principal(request: Request, services: ServicesDep) -> Principal | None:
    """The caller from ``Authorization: Bearer`` or, failing that, the session cookie."""
    token = _bearer(request)
    if token is not None:
        principal = services.principals.by_secret(token)
        if principal is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "invalid bearer token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return principal
    user_id = request.session.get("user_id")
    if not isinstance(user_id, str):
        return None
    principal = services.principals.by_id(user_id)
    if principal is not None and request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return principal


def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "not signed in", headers={"WWW-Authenticate": "Bearer"}
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def actor_for(principal: Principal, request: Request) -> Actor:
    channel: Channel = "api" if _bearer(request) else "chat"
    return Actor(principal.user_id, principal.role, channel)


def allowing(*grants: tuple[Role, str]) -> Callable[[Principal], Principal]:
    """A dependency admitting a principal whose (role, scope) matches one of ``grants``:
    the role says who they are, the scope what their account was given (ROLE_SCOPES)."""

    def dependency(principal: CurrentPrincipal) -> Principal:
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
