"""Server-rendered pages: login, the customer chat, the support console."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from execution.actors import Actor
from execution.clock import iso
from execution.errors import NotFound, RateLimited
from execution.i18n import LOCALES, Locale
from execution.i18n.page import (
    LANG_COOKIE,
    LANGUAGE_MARKS,
    LANGUAGE_NAMES,
    PAGE_TEXT,
    page_locale,
    retry_wait,
)
from execution.journal.events import NOTE_MAX_CHARS
from execution.journal.index import DEFAULT_LIMIT, FLAGS, SessionIndex
from execution.preview.simulator import dec
from execution.records.calendar import trade_date
from web.auth import Principal
from web.browser_sessions import sign_in, sign_out
from web.deps import ServicesDep, check_csrf, csrf_token
from web.routes.support_api import (
    STATES,
    NoteIn,
    SessionFilters,
    customer_record,
    search_sessions,
    session_page,
)
from web.services import Services

router = APIRouter(include_in_schema=False)
HOME_BY_ROLE = {"customer": "/chat", "support": "/support", "product": "/docs", "admin": "/support"}


def templates(request: Request) -> Jinja2Templates:
    found: Jinja2Templates = request.app.state.templates
    return found


def _signed_in(request: Request, services: ServicesDep) -> Principal | None:
    user_id = request.session.get("user_id")
    return services.principals.by_id(user_id) if isinstance(user_id, str) else None


def _page(
    request: Request, name: str, principal: Principal | None, **context: object
) -> HTMLResponse:
    """A page in English (the support console's pages)."""
    return templates(request).TemplateResponse(
        request,
        name,
        {"principal": principal, "csrf": csrf_token(request), "t": PAGE_TEXT["en"], **context},
    )


#: A year: the language chosen stays chosen.
_LANG_COOKIE_AGE_S = 365 * 24 * 3600


def _localized_page(
    request: Request, name: str, principal: Principal | None, **context: object
) -> HTMLResponse:
    """A page in the customer's language (the address's ``?lang=``, the ``lang`` cookie, or
    Accept-Language), with the language switch in its header."""
    locale, remember = page_locale(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )
    response = _page(
        request,
        name,
        principal,
        locale=locale,
        t=PAGE_TEXT[locale],
        languages=_languages(locale),
        **context,
    )
    response.headers.add_vary_header("Accept-Language")
    if remember:
        _remember(response, locale)
    return response


def _languages(current: Locale) -> list[dict[str, object]]:
    return [
        {
            "locale": locale,
            "mark": LANGUAGE_MARKS[locale],
            "name": LANGUAGE_NAMES[locale],
            "current": locale == current,
        }
        for locale in LOCALES
    ]


def _remember(response: Response, locale: Locale) -> None:
    # Not HttpOnly: the page's script sets the same cookie when the switch is used.
    response.set_cookie(LANG_COOKIE, locale, max_age=_LANG_COOKIE_AGE_S, samesite="lax")


def _guard(request: Request, services: ServicesDep, *roles: str) -> Principal | Response:
    principal = _signed_in(request, services)
    if principal is None:
        return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    if principal.role not in roles:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {principal.role!r} may not view this")
    return principal


@router.get("/")
def home(request: Request, services: ServicesDep) -> Response:
    principal = _signed_in(request, services)
    target = "/login" if principal is None else HOME_BY_ROLE[principal.role]
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


def login_page(
    request: Request,
    services: Services,
    *,
    failed: bool = False,
    provider_problem: Literal["failed", "unavailable"] | None = None,
    retry_after_s: int | None = None,
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    """The sign-in page: the token form and, when the identity provider's sign-in is set up,
    its "Sign in with" link; ``failed`` says the token was wrong, ``provider_problem`` why
    signing in with the provider did not work, ``retry_after_s`` how long to wait after too
    many attempts."""
    response = _localized_page(
        request,
        "login.html",
        None if failed or provider_problem or retry_after_s else _signed_in(request, services),
        failed=failed,
        provider=services.settings.oidc_provider_name,
        provider_sign_in=services.sign_in_flow is not None,
        provider_problem=provider_problem,
        retry_after_s=retry_after_s,
        retry_wait=retry_wait,
    )
    response.status_code = status_code
    return response


def _wants_page(request: Request) -> bool:
    """Whether the caller reads HTML (a browser submitting the form) rather than the JSON
    error envelope (a script posting the form)."""
    return "text/html" in request.headers.get("accept", "")


@router.get("/login")
def login_form(request: Request, services: ServicesDep) -> Response:
    return login_page(request, services)


@router.post("/login")
def login(
    request: Request,
    services: ServicesDep,
    user_id: Annotated[str, Form()],
    token: Annotated[str, Form()],
    csrf: Annotated[str, Form()],
) -> Response:
    check_csrf(request, csrf)
    user_id = user_id.strip()
    # Past either limit (this address, this user id), 429 before the token is checked: for a
    # browser the sign-in page saying how long to wait, for a script the JSON envelope.
    try:
        services.rate_limits.check_login(request, user_id)
    except RateLimited as limited:
        if not _wants_page(request):
            raise
        page = login_page(
            request,
            services,
            retry_after_s=limited.retry_after_s,
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        )
        page.headers["Retry-After"] = str(limited.retry_after_s)
        return page
    principal = services.principals.by_login(user_id, token)
    if principal is None:
        services.rate_limits.login_failed(request, user_id)
        return login_page(request, services, failed=True, status_code=401)
    home = RedirectResponse(HOME_BY_ROLE[principal.role], status.HTTP_303_SEE_OTHER)
    sign_in(request, home, principal)  # a new session, under a new id
    return home


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf)
    response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    sign_out(request, response)  # ended in the store: a copy of the cookie no longer works
    return response


@router.get("/chat")
def chat(request: Request, services: ServicesDep) -> Response:
    principal = _guard(request, services, "customer")
    if isinstance(principal, Response):
        return principal
    return _localized_page(
        request,
        "chat.html",
        principal,
        page_text={locale: text.model_dump() for locale, text in PAGE_TEXT.items()},
    )


@router.get("/support")
def support_sessions(request: Request, services: ServicesDep) -> Response:
    principal = _guard(request, services, "support", "admin")
    if isinstance(principal, Response):
        return principal
    asked: dict[str, object] = dict(request.query_params)
    asked["flag"] = request.query_params.getlist("flag")
    try:
        filters = SessionFilters.model_validate(asked)
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc'])) or 'query'}: {e['msg']}" for e in exc.errors()]
        page = _sessions_page(request, principal, SessionFilters(), [], None, problems)
        page.status_code = status.HTTP_422_UNPROCESSABLE_CONTENT
        return page
    found = search_sessions(services, filters)
    older = None
    if found.next is not None:
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        older = "/support?" + urlencode([*kept, ("cursor", found.next.encode())])
    return _sessions_page(request, principal, filters, found.sessions, older, [])


def _sessions_page(
    request: Request,
    principal: Principal,
    filters: SessionFilters,
    sessions: list[SessionIndex],
    older: str | None,
    problems: list[str],
) -> HTMLResponse:
    """The console's list: the search form, one line per session, the link to older ones."""
    return _page(
        request,
        "support_sessions.html",
        principal,
        filters=filters,
        states=STATES,
        flags=FLAGS,
        default_limit=DEFAULT_LIMIT,
        sessions=sessions,
        older=older,
        problems=problems,
        iso=iso,
    )


@router.get("/support/sessions/{session_id}")
def support_session(session_id: str, request: Request, services: ServicesDep) -> Response:
    principal = _guard(request, services, "support", "admin")
    if isinstance(principal, Response):
        return principal
    actor = Actor(principal.user_id, principal.role, "chat")
    services.assistant.state(session_id, actor)  # 404 if there is no such session
    return _page(request, "support_session.html", principal, **session_page(services, session_id))


@router.get("/support/customers/{customer_id}")
def support_customer(customer_id: str, request: Request, services: ServicesDep) -> Response:
    """One customer's sessions, orders, fills and standing orders (the JSON twin:
    ``GET /api/support/customers/{customer_id}``)."""
    principal = _guard(request, services, "support", "admin")
    if isinstance(principal, Response):
        return principal
    actor = Actor(principal.user_id, principal.role, "chat")
    try:
        view = customer_record(services, customer_id, actor)
    except NotFound as exc:
        response = _page(
            request,
            "support_customer.html",
            principal,
            customer_id=customer_id,
            view=None,
            message=str(exc),
        )
        response.status_code = status.HTTP_404_NOT_FOUND
        return response
    return _page(
        request,
        "support_customer.html",
        principal,
        customer_id=customer_id,
        view=view,
        month=trade_date(services.clock.now_ms()).strftime("%Y-%m"),  # this month, in HKT
        iso=iso,
        plain=_plain,
    )


def _plain(number: object) -> str:
    """A venue's number in plain decimal notation (ccxt's float fee 1.53e-06 as 0.00000153)."""
    return format(dec(number), "f")


@router.post("/support/sessions/{session_id}/notes")
def support_note(
    session_id: str,
    request: Request,
    services: ServicesDep,
    text: Annotated[str, Form()],
    csrf: Annotated[str, Form()],
) -> Response:
    """The session page's note form: the note is journaled, and the page shown again."""
    check_csrf(request, csrf)
    principal = _guard(request, services, "support", "admin")
    if isinstance(principal, Response):
        return principal
    try:
        note = NoteIn(text=text)
    except ValidationError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"a note needs 1 to {NOTE_MAX_CHARS} characters: {exc.errors()[0]['msg']}",
        ) from None
    actor = Actor(principal.user_id, principal.role, "chat")
    event = services.assistant.add_note(session_id, actor, note.text)
    return RedirectResponse(
        f"/support/sessions/{session_id}#e{event.seq}", status.HTTP_303_SEE_OTHER
    )
