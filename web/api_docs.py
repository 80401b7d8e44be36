"""The API's description: ``/openapi.json``, and the pages that read it (``/docs``, Swagger
UI, the product team's home; ``/redoc``).

In development they are open to anyone, as FastAPI serves them. In production they are
served only to a signed-in admin or product principal (cookie or bearer), 401 otherwise and
403 for the other roles: the schema maps every route an attacker could try.

Both pages load their script from a CDN and start it with one inline script; each response
carries its own Content-Security-Policy allowing that CDN and the sha256 of exactly that
inline script (no ``'unsafe-inline'`` script). ReDoc writes its styles into ``<style>``
elements, so ``/redoc``, and only it, allows inline style.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from web.auth import Principal
from web.deps import optional_principal
from web.settings import Settings

#: Who may read the docs in production.
DOCS_ROLES = frozenset({"admin", "product"})
CDN = "https://cdn.jsdelivr.net"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _docs_policy(html: str, *, inline_style: bool) -> str:
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    )
    style = f"'self' {CDN}" + (
        " 'unsafe-inline' https://fonts.googleapis.com" if inline_style else ""
    )
    return (
        f"default-src 'self'; script-src 'self' {CDN} {hashes}; style-src {style}; "
        "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
        "font-src 'self' https://fonts.gstatic.com; connect-src 'self'; worker-src blob:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def _with_policy(page: HTMLResponse, *, inline_style: bool = False) -> HTMLResponse:
    html = bytes(page.body).decode()
    page.headers["Content-Security-Policy"] = _docs_policy(html, inline_style=inline_style)
    return page


def install(app: FastAPI, settings: Settings) -> None:
    """Serve the docs on ``app`` (built with ``docs_url=redoc_url=openapi_url=None``)."""

    def reader(
        principal: Annotated[Principal | None, Depends(optional_principal)],
    ) -> None:
        if settings.mode != "production":
            return
        if principal is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "the API docs need an admin or product sign-in in production",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if principal.role not in DOCS_ROLES:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"role {principal.role!r} may not read the API docs"
            )

    Reader = Depends(reader)

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Reader])
    def openapi() -> JSONResponse:
        schema: dict[str, Any] = app.openapi()
        return JSONResponse(schema)

    @app.get("/docs", include_in_schema=False, dependencies=[Reader])
    def swagger(request: Request) -> HTMLResponse:
        return _with_policy(
            get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} - Swagger UI")
        )

    @app.get("/redoc", include_in_schema=False, dependencies=[Reader])
    def redoc(request: Request) -> HTMLResponse:
        return _with_policy(
            get_redoc_html(openapi_url="/openapi.json", title=f"{app.title} - ReDoc"),
            inline_style=True,
        )
