"""``GET /metrics``: the Prometheus text exposition, and who may read it.

The HTTP histogram is defined here (the web's own metric; the domain's are in
execution/metrics.py). One process: the default registry. Several
(``tradeassist serve --workers N``): every process writes its values to files in
``PROMETHEUS_MULTIPROC_DIR``, which the supervisor (web/serving.py) sets to a fresh
directory before it starts them, and each scrape adds up every process's files, whichever
process answers it.

Who may read it (README "Observability"): in development, anyone; in production, a
client on the same host that came directly (127.0.0.1 or ::1, no ``X-Forwarded-For``: a
request through the proxy is never local), or a scrape with
``Authorization: Bearer $TRADEASSIST_METRICS_TOKEN``; ``TRADEASSIST_METRICS_PUBLIC=true``
opens it to anyone. The token, when set, is accepted in every mode.
"""

from __future__ import annotations

import hmac
import os
import threading
from collections.abc import Callable
from socketserver import ThreadingMixIn
from typing import Any, Final
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from fastapi import APIRouter, HTTPException, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from web.settings import Settings

#: The environment variable prometheus-client reads to write each process's values to files.
MULTIPROC_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"

HTTP_REQUEST_DURATION: Final = Histogram(
    "tradeassist_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template (never "
    "the raw path), method and status.",
    ["route", "method", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

_LOCAL_HOSTS: Final = frozenset({"127.0.0.1", "::1"})


def exposition() -> bytes:
    """The metrics in Prometheus's text format: every process's, in multiprocess mode."""
    directory = os.environ.get(MULTIPROC_ENV)
    if not directory:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


def refusal(
    settings: Settings, authorization: str | None, client_host: str | None, proxied: bool
) -> tuple[int, str] | None:
    """Why a caller may not read the metrics (status, message), or None if they may:
    ``authorization``, the request's header; ``client_host``, the peer's address;
    ``proxied``, whether it came through a proxy (``X-Forwarded-For``)."""
    token = settings.metrics_token
    if token is not None:
        scheme, _, credentials = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            credentials.encode(), token.get_secret_value().encode()
        ):
            return None
    if settings.mode == "development" or settings.metrics_public:
        return None
    if not proxied and client_host in _LOCAL_HOSTS:
        return None
    if token is not None:
        return 401, "/metrics needs Authorization: Bearer with TRADEASSIST_METRICS_TOKEN"
    return (
        403,
        "/metrics is open only to this host in production: set TRADEASSIST_METRICS_TOKEN "
        "for a remote scraper, or TRADEASSIST_METRICS_PUBLIC=true",
    )


def check_may_read(settings: Settings, request: Request) -> None:
    """Raise 401 or 403 unless the caller may read the metrics (see :func:`refusal`)."""
    client = request.client
    refused = refusal(
        settings,
        request.headers.get("authorization"),
        None if client is None else client.host,
        "x-forwarded-for" in request.headers,
    )
    if refused is not None:
        status, message = refused
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        raise HTTPException(status, message, headers=headers)


def serve_for_worker(settings: Settings, port: int) -> Callable[[], None]:
    """``GET /metrics`` for ``tradeassist worker`` (a process of its own, not scraped with
    the app's) on ``settings.host:port``, under the same rule, on a thread; the function
    that stops it. (Under ``serve``, the embedded worker's counts are in the app's.)"""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ.get("PATH_INFO") != "/metrics" or environ.get("REQUEST_METHOD") != "GET":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"only GET /metrics here\n"]
        refused = refusal(
            settings,
            environ.get("HTTP_AUTHORIZATION"),
            environ.get("REMOTE_ADDR"),
            "HTTP_X_FORWARDED_FOR" in environ,
        )
        if refused is not None:
            status, message = refused
            start_response(f"{status} Refused", [("Content-Type", "text/plain")])
            return [message.encode() + b"\n"]
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [exposition()]

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Scrapes are not logged (the app's access log covers requests)."""

    server = make_server(settings.host, port, app, ThreadingWSGIServer, Quiet)
    thread = threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return stop


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def router(settings: Settings) -> APIRouter:
    """The ``/metrics`` route, under ``settings``' access rule."""
    routes = APIRouter()

    @routes.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        check_may_read(settings, request)
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)

    return routes
