"""Small helpers the test suites share."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Any, Protocol


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Client(Protocol):
    def get(self, url: str, *, headers: Mapping[str, str] | None = ...) -> Any: ...
    def post(
        self, url: str, *, json: Any = ..., headers: Mapping[str, str] | None = ...
    ) -> Any: ...


def acknowledge_risk(
    client: _Client, headers: Mapping[str, str] | None = None, locale: str = "en"
) -> dict[str, Any]:
    """Acknowledge the risk disclosure in force as the caller of ``headers``, the way the
    chat page does (read it in ``locale``, send back its version, locale and text): a
    customer's messages are refused until they have. Returns the acknowledgement."""
    shown = client.get(f"/api/disclosures/risk?locale={locale}", headers=headers)
    assert shown.status_code == 200, shown.text
    body = shown.json()
    done = client.post(
        "/api/disclosures/risk/ack",
        json={"version": body["version"], "locale": body["locale"], "text": body["text"]},
        headers=headers,
    )
    assert done.status_code in (200, 201), done.text
    result: dict[str, Any] = done.json()
    return result
