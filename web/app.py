"""The FastAPI app factory: every test and process builds its own app from Settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from execution.clock import Clock
from execution.errors import (
    ConfirmationRefused,
    DisclosureRefused,
    ExecutionError,
    InvalidTransition,
    LimitStoreError,
    NotFound,
    PermissionDenied,
    RateLimited,
    RateLimitStoreError,
    ScenarioRefused,
    VenueError,
    VenueUnavailable,
)
from execution.preview.pipeline import PreviewFailed
from execution.records.contract_notes import NoFill
from execution.worker import Worker, WorkerSettings
from web import api_docs, metrics
from web.body_limit import BodyLimit
from web.browser_sessions import BrowserSessionMiddleware
from web.readiness import readiness
from web.routes import (
    admin_api,
    api_keys_api,
    disclosures_api,
    live,
    oidc_login,
    orders_api,
    pages,
    records_api,
    sessions_api,
    simulations,
    support_api,
)
from web.security_headers import SecurityHeaders
from web.services import Services, build_services, open_worker_lease
from web.settings import Settings, retention_text
from web.telemetry import Telemetry
from web.templating import TEMPLATES, add_filters

HERE = Path(__file__).resolve().parent


def _error(
    status_code: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The one error envelope (web.deps.ErrorOut): ``{"error": {"code", "message",
    "details"}}``."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return JSONResponse({"error": error}, status_code=status_code, headers=headers)


#: The code of an HTTP error raised by a route or by the framework, by its status.
_HTTP_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_request",
    503: "unavailable",
}


def _validation_details(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Where and what, never the input itself (it may be huge, or not JSON at all)."""
    return [
        {
            "loc": [part if isinstance(part, int) else str(part) for part in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in errors
        if isinstance(e, Mapping)
    ]


def _summary(errors: list[dict[str, Any]]) -> str:
    return (
        "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        or "invalid request"
    )


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    services: Services | None = None,
) -> FastAPI:
    """Build the app; the stores open at start-up and close at shutdown."""
    settings = settings or Settings()
    services = services or build_services(settings, clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Embedded, the worker runs on a thread and, on Redis, acts only while it holds
        # the lease (so N app processes run one worker between them).
        lease = open_worker_lease(settings) if settings.embedded_worker else None
        worker = Worker(
            services.assistant,
            WorkerSettings(
                interval_s=settings.worker_interval_s,
                grace_ms=settings.reconcile_grace_s * 1000,
            ),
            lease,
        )
        # Steps a stopped process left between confirmation and fill are settled with
        # the venue by clientOrderId before anything new is served; nothing is resent.
        # This is the worker's first pass, made by every process as it starts.
        worker.run_once()
        thread = worker.start_thread() if settings.embedded_worker else None
        app.state.worker = worker
        yield
        streams.close()  # open live streams end now, not at their lifetime
        if thread is not None:
            worker.stop()
            thread.join(timeout=30)
        if lease is not None:
            lease.close()
        services.close()

    app = FastAPI(
        title="tradeassist",
        version="0.1.0",
        lifespan=lifespan,
        description="Intent-driven trading assistant with confirmation checkpoints.",
        # Served by web/api_docs.py: open in development, admin or product in production.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.services = services
    # The live streams (web/routes/live.py); `tradeassist serve` closes them on SIGTERM.
    app.state.streams = streams = live.StreamHub()
    app.state.stream_timing = live.StreamTiming(
        poll_s=settings.stream_poll_s,
        heartbeat_s=settings.stream_heartbeat_s,
        lifetime_s=settings.stream_lifetime_s,
    )
    app.state.templates = templates = Jinja2Templates(directory=TEMPLATES)
    add_filters(templates.env)
    # request.session, kept on the server (the cookie holds an opaque id): sign-out,
    # disabling an account and rotating its token end its sessions at once.
    app.add_middleware(
        BrowserSessionMiddleware,
        store=services.browser_sessions,
        secure=settings.mode == "production",
    )
    app.add_middleware(
        BodyLimit,
        default=settings.max_body_bytes,
        larger={"/v1/simulations/batch": settings.max_batch_body_bytes},
    )
    # Outermost of the app's own middleware, so a 413 or a session error carries them too.
    app.add_middleware(SecurityHeaders)
    # Outermost: every response (a 413 too) carries the request id and is timed.
    app.add_middleware(Telemetry)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # Routes are matched in order, each costing a few microseconds: the simulation API, the
    # hot path of the product team's scripts, comes first (no other route's path overlaps).
    for router in (
        simulations.router,
        pages.router,
        oidc_login.router,
        sessions_api.router,
        orders_api.router,
        live.router,
        support_api.router,
        admin_api.router,
        api_keys_api.router,
        disclosures_api.router,
        records_api.router,
    ):
        app.include_router(router)

    api_docs.install(app, settings)
    app.include_router(metrics.router(settings))

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str | int | None]:
        """Alive; and the record-keeping setting in force, so an operator can check it."""
        return {
            "status": "ok",
            "retention_days": settings.retention_days,
            "retention": retention_text(settings.retention_days),
        }

    @app.get("/readyz", include_in_schema=False, response_model=None)
    def readyz() -> dict[str, Any] | JSONResponse:
        """Ready: the journal, the venue and (if the parser uses one) the LLM endpoint
        answer (web/readiness.py); 503 naming each that does not."""
        checks = readiness(services, settings.readyz_timeout_s)
        shown = {check.name: check.to_json() for check in checks}
        failed = [check for check in checks if not check.ok]
        if not failed:
            return {"status": "ready", "checks": shown}
        return _error(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "not_ready",
            "not ready: " + "; ".join(f"{check.name} ({check.error})" for check in failed),
            {"failed": [check.name for check in failed], "checks": shown},
        )

    # Domain errors become HTTP errors here, at the boundary, and nowhere else.
    mapping: list[tuple[type[ExecutionError], int]] = [
        (NotFound, status.HTTP_404_NOT_FOUND),
        (PermissionDenied, status.HTTP_403_FORBIDDEN),
        (ConfirmationRefused, status.HTTP_409_CONFLICT),
        (InvalidTransition, status.HTTP_409_CONFLICT),
        (DisclosureRefused, status.HTTP_409_CONFLICT),
        (NoFill, status.HTTP_409_CONFLICT),
        (ScenarioRefused, status.HTTP_422_UNPROCESSABLE_CONTENT),
        (VenueUnavailable, status.HTTP_503_SERVICE_UNAVAILABLE),
        (LimitStoreError, status.HTTP_503_SERVICE_UNAVAILABLE),
        (RateLimitStoreError, status.HTTP_503_SERVICE_UNAVAILABLE),
        (VenueError, status.HTTP_502_BAD_GATEWAY),
    ]

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        if isinstance(exc.detail, list):  # a route's own field errors (a tier not defined)
            errors = _validation_details(exc.detail)
            return _error(exc.status_code, code, _summary(errors), {"errors": errors})
        return _error(exc.status_code, code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_details(exc.errors())
        return _error(422, "invalid_request", _summary(errors), {"errors": errors})

    @app.exception_handler(RateLimited)
    def rate_limited(request: Request, exc: RateLimited) -> JSONResponse:
        """An abuse limit (web/rate_limits.py, execution/rate_limits): 429, and when to
        retry in whole seconds."""
        return _error(
            status.HTTP_429_TOO_MANY_REQUESTS,
            exc.code,
            str(exc),
            exc.details,
            headers={"Retry-After": str(exc.retry_after_s)},
        )

    @app.exception_handler(ExecutionError)
    def execution_error(request: Request, exc: ExecutionError) -> JSONResponse:
        # A step whose preview failed answers as its cause does (the venue, or a what-if).
        cause = exc.cause if isinstance(exc, PreviewFailed) else exc
        for kind, code in mapping:
            if isinstance(cause, kind):
                return _error(code, exc.code, str(exc), exc.details)
        return _error(status.HTTP_500_INTERNAL_SERVER_ERROR, exc.code, str(exc))

    return app
