"""The FastAPI app factory: every test and process builds its own app from Settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from execution.clock import Clock
from execution.errors import (
    ConfirmationRefused,
    ExecutionError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    VenueError,
    VenueUnavailable,
)
from web.routes import pages, sessions_api, simulations, support_api
from web.services import Services, build_services
from web.settings import Settings

HERE = Path(__file__).resolve().parent


def _error(status_code: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status_code)


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
        yield
        services.close()

    app = FastAPI(
        title="tradeassist",
        version="0.1.0",
        lifespan=lifespan,
        description="Intent-driven trading assistant with confirmation checkpoints.",
    )
    app.state.services = services
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.derived_key("session-cookie").hex(),
        session_cookie="tradeassist_session",
        same_site="strict",
        https_only=settings.mode == "production",
        max_age=8 * 3600,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in (pages.router, sessions_api.router, support_api.router, simulations.router):
        app.include_router(router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    # Domain errors become HTTP errors here, at the boundary, and nowhere else.
    mapping: list[tuple[type[ExecutionError], int]] = [
        (NotFound, status.HTTP_404_NOT_FOUND),
        (PermissionDenied, status.HTTP_403_FORBIDDEN),
        (ConfirmationRefused, status.HTTP_409_CONFLICT),
        (InvalidTransition, status.HTTP_409_CONFLICT),
        (VenueUnavailable, status.HTTP_503_SERVICE_UNAVAILABLE),
        (VenueError, status.HTTP_502_BAD_GATEWAY),
    ]

    @app.exception_handler(ExecutionError)
    def execution_error(request: Request, exc: ExecutionError) -> JSONResponse:
        for kind, code in mapping:
            if isinstance(exc, kind):
                return _error(code, exc.code, str(exc))
        return _error(status.HTTP_500_INTERNAL_SERVER_ERROR, exc.code, str(exc))

    return app
