"""Which request the work in hand is for: the request id the web layer accepted or made
(``X-Request-ID``, web/telemetry.py), carried in a context variable so the assistant can
record it with the journal events it appends and the logs can print it, without every
call passing it along. Work that no request started (the worker's passes) has none."""

from __future__ import annotations

from contextvars import ContextVar

#: The current request's id; None outside a request.
REQUEST_ID: ContextVar[str | None] = ContextVar("tradeassist_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served in this context, if any."""
    return REQUEST_ID.get()
