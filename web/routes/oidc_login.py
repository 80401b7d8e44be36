"""Signing in with the exchange's identity provider (authorization code + PKCE):
``/login/oidc`` sends the browser to the provider, ``/login/oidc/callback`` takes it back.

What the browser must bring back (state, nonce, PKCE verifier) is kept in a cookie of its
own, signed, HttpOnly, SameSite=Lax (the session cookie is Strict, and a Strict cookie is
not sent on the provider's redirect back), scoped to /login/oidc and good for 10 minutes by
the injected clock; the callback consumes it, so a code is exchanged at most once per start.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer

from execution.i18n.page import LANG_COOKIE, PAGE_TEXT, page_locale
from web.browser_sessions import sign_in
from web.deps import ServicesDep, csrf_token
from web.identity import CodeFlow, InvalidToken, PendingSignIn, ProviderUnavailable
from web.routes.pages import HOME_BY_ROLE, login_page, templates
from web.services import Services

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)

PENDING_COOKIE = "tradeassist_oidc"
PENDING_PATH = "/login/oidc"
PENDING_TTL_MS = 10 * 60 * 1000


def _flow(services: Services) -> CodeFlow:
    if services.sign_in_flow is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "signing in with a provider is not set up")
    return services.sign_in_flow


def _serializer(services: Services) -> URLSafeSerializer:
    return URLSafeSerializer(services.settings.derived_key("oidc-sign-in").hex(), salt="oidc")


def _redirect_uri(request: Request, services: Services) -> str:
    configured = services.settings.oidc_redirect_url
    return configured or str(request.url_for("oidc_callback"))


@router.get("/login/oidc")
def oidc_start(request: Request, services: ServicesDep) -> Response:
    """Off to the provider's authorization endpoint, with a fresh state, nonce and PKCE."""
    flow = _flow(services)
    pending = flow.begin()
    response = RedirectResponse(
        flow.authorization_redirect(pending, _redirect_uri(request, services)),
        status.HTTP_303_SEE_OTHER,
    )
    kept = {
        "state": pending.state,
        "nonce": pending.nonce,
        "verifier": pending.code_verifier,
        "at": services.clock.now_ms(),
    }
    response.set_cookie(
        PENDING_COOKIE,
        _serializer(services).dumps(kept),
        max_age=PENDING_TTL_MS // 1000,
        path=PENDING_PATH,
        httponly=True,
        secure=services.settings.mode == "production",
        samesite="lax",
    )
    return response


@router.get("/login/oidc/callback", name="oidc_callback")
def oidc_callback(
    request: Request,
    services: ServicesDep,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
) -> Response:
    """Back from the provider: the state checked, the code exchanged (with the verifier),
    the id_token verified (its nonce too), and the customer signed in."""
    flow = _flow(services)
    pending = _pending(request, services)
    if pending is None or state is None or not hmac.compare_digest(pending.state, state):
        log.info("provider sign-in refused: no sign-in started here with this state")
        return _refused(request, services, "failed", 400)
    if error is not None or not code:
        log.info("provider sign-in refused by the provider: %.100r", error)
        return _refused(request, services, "failed", 401)
    try:
        principal = flow.finish(code, pending, _redirect_uri(request, services))
    except InvalidToken as exc:
        log.info("provider sign-in refused: %s", exc)
        return _refused(request, services, "failed", 401)
    except ProviderUnavailable as exc:
        log.warning("identity provider unavailable at sign-in: %s", exc)
        return _refused(request, services, "unavailable", 503)
    # A new session under a new id; its cookie goes on the page below, whose form needs
    # the new session's CSRF token (so the session starts before the page is written).
    started = Response()
    sign_in(request, started, principal)
    home = HOME_BY_ROLE[principal.role]
    locale, _ = page_locale(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )
    response = templates(request).TemplateResponse(
        request,
        "signed_in.html",
        {
            "principal": principal,
            "csrf": csrf_token(request),
            "t": PAGE_TEXT[locale],
            "locale": locale,
            "home": home,
        },
    )
    response.headers.append("set-cookie", started.headers["set-cookie"])
    response.delete_cookie(PENDING_COOKIE, path=PENDING_PATH)
    return response


def _pending(request: Request, services: Services) -> PendingSignIn | None:
    """The sign-in this browser started here, if it is signed by us and not too old."""
    raw = request.cookies.get(PENDING_COOKIE)
    if raw is None:
        return None
    try:
        kept: Any = _serializer(services).loads(raw)
    except BadSignature:
        return None
    if not isinstance(kept, dict):
        return None
    at, state, nonce, verifier = (kept.get(k) for k in ("at", "state", "nonce", "verifier"))
    if not isinstance(at, int) or services.clock.now_ms() - at > PENDING_TTL_MS:
        return None
    if not all(isinstance(v, str) for v in (state, nonce, verifier)):
        return None
    return PendingSignIn(str(state), str(nonce), str(verifier))


def _refused(
    request: Request, services: Services, problem: Literal["failed", "unavailable"], code: int
) -> Response:
    response = login_page(request, services, provider_problem=problem, status_code=code)
    response.delete_cookie(PENDING_COOKIE, path=PENDING_PATH)
    return response
