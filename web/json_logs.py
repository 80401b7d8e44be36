"""Logs as one JSON object a line: ``time``, ``level``, ``logger``, ``message``,
``request_id`` (the request being served, if any: execution/correlation.py) and, on the
access log (web/telemetry.py), ``route``, ``method``, ``status`` and ``duration_ms``; an
exception's traceback as ``exception``.

``TRADEASSIST_LOG_FORMAT=json`` (the default) configures the app's loggers, uvicorn's and
the worker's this way; ``text`` leaves uvicorn's own format (and its access log, which
prints the raw path: do not use it where a query string may carry a secret). Nothing here
reads a request's headers, cookies or body: what is logged is what the code passes.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any, Final

from execution.correlation import current_request_id

#: The access log line's own fields, copied from the record's ``extra``.
_EXTRA_FIELDS: Final = ("route", "method", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    """One JSON object per record (see the module)."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC)
        line: dict[str, Any] = {
            "time": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": record.__dict__.get("request_id") or current_request_id(),
        }
        for name in _EXTRA_FIELDS:
            if name in record.__dict__:
                line[name] = record.__dict__[name]
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` (and uvicorn ``log_config``) for JSON lines on
    standard error: the root logger, uvicorn's, and the app's access log."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # uvicorn's own: through the root's handler, not handlers of their own.
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": True},
        },
    }
