"""Every request's id, duration and access log line, in one pure ASGI middleware.

* The request id: the client's ``X-Request-ID`` when it is a short safe token (letters,
  digits, ``.``, ``_``, ``-``; at most 64), else a new random one. It is returned in the
  ``X-Request-ID`` response header, set in :data:`execution.correlation.REQUEST_ID` while
  the request is served (the assistant records it with the journal events it appends; the
  JSON log lines carry it), and on the access log line.
* ``tradeassist_http_request_duration_seconds`` by route *template* (``/v1/sessions/
  {session_id}``; ``unmatched`` when no route matched, so a scan of random paths adds no
  series), method (the standard ones, else ``other``) and status.
* One ``tradeassist.access`` log line per request: method, route template, status and
  duration, never the raw path, query string, headers or body (they may hold secrets).

Pure ASGI rather than ``BaseHTTPMiddleware``: the simulation API is the product team's hot
path (bench/load.py), and this costs a clock read, a header scan and a dict look-up.
"""

from __future__ import annotations

import logging
import random
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from time import perf_counter
from typing import Any, Final

from prometheus_client.metrics import Histogram

from execution.correlation import REQUEST_ID
from web.metrics import HTTP_REQUEST_DURATION

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HEADER: Final = b"x-request-id"
_SAFE_ID: Final = re.compile(rb"[A-Za-z0-9._-]{1,64}")
_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

access_log = logging.getLogger("tradeassist.access")


def accepted_id(value: bytes | None) -> str | None:
    """The client's request id if it is a short safe token, else None."""
    if value is not None and _SAFE_ID.fullmatch(value):
        return value.decode("ascii")
    return None


#: Request ids need to be unique, not secret: 128 bits from a generator seeded once per
#: process from the OS (``secrets`` reads the OS's on every call, ten times the cost).
_IDS: Final = random.Random(secrets.randbits(128))  # noqa: S311


def new_request_id() -> str:
    """32 hex digits, 128 random bits."""
    return f"{_IDS.getrandbits(128):032x}"


class Telemetry:
    """Request id, duration histogram and access log for every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # The histogram's children by (route, method, status): labels() takes a lock and
        # builds a key on every call; a route's series is made once.
        self._series: dict[tuple[str, str, int], Histogram] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        given = None
        for name, value in scope["headers"]:
            if name == HEADER:
                given = value
                break
        request_id = accepted_id(given) or new_request_id()
        echoed = (HEADER, request_id.encode("ascii"))
        status = 500  # if the app raises before it answers, the server answers 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), echoed]
            await send(message)

        reset = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"]
            if method not in _METHODS:
                method = "other"  # a client's made-up method adds no series
            key = (route, method, status)
            series = self._series.get(key)
            if series is None:
                series = HTTP_REQUEST_DURATION.labels(route, method, str(status))
                self._series[key] = series
            series.observe(elapsed)
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    "%s %s %s",
                    method,
                    route,
                    status,
                    extra={
                        "request_id": request_id,
                        "route": route,
                        "method": method,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 3),
                    },
                )
            REQUEST_ID.reset(reset)
