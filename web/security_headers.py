"""Security headers on every response the app sends: pages, API, static files and errors.

Pure ASGI: the headers are added to ``http.response.start``, so responses that never pass a
route (a 404, a 413, a static file) carry them too. The Content-Security-Policy allows only
the app's own scripts and stylesheets: no inline script, no inline ``style`` (every template
takes its CSS from /static), no framing. A response that sets its own policy keeps it (the
API docs, web/api_docs.py, allow hashes of their own inline script). HSTS is sent only
when the request came over TLS: ``scope["scheme"]`` is ``https`` directly, or because
uvicorn trusted the proxy's ``X-Forwarded-Proto`` (its ``FORWARDED_ALLOW_IPS``, 127.0.0.1 by
default, as with deploy/Caddyfile).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The app's pages need nothing from elsewhere; ``data:`` images for the browsers' own icons.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: A year, the subdomains too (the exchange serves the app on its own host name).
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"

HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
)


class SecurityHeaders:
    """Adds :data:`HEADERS` (each unless the response set it) and, over TLS, HSTS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(HEADERS)
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", STRICT_TRANSPORT_SECURITY.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or ())
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in extra if name not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
