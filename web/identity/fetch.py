"""The identity provider's two HTTP calls (its keys, its token endpoint), with a timeout and
a size cap; every failure is a :class:`~web.identity.errors.ProviderUnavailable`."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

from web.identity.errors import InvalidToken, ProviderUnavailable

#: A JWKS or a token response is a few kilobytes; anything past this is not one.
MAX_RESPONSE_BYTES = 256 * 1024


def get_json(url: str, timeout_s: float) -> dict[str, Any]:
    """The JSON object at ``url``."""
    request = urllib.request.Request(  # noqa: S310  (_call refuses other schemes)
        url, headers={"Accept": "application/json"}
    )
    return _call(request, timeout_s)


def post_form(
    url: str, form: dict[str, str], timeout_s: float, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """POST ``form`` (application/x-www-form-urlencoded) and return the JSON object answered.

    A 4xx answer (an OAuth ``error`` such as invalid_grant) is an InvalidToken: what was
    sent was refused, and the customer can only start again."""
    request = urllib.request.Request(  # noqa: S310  (_call refuses other schemes)
        url,
        data=urlencode(form).encode(),
        headers={
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
            **(headers or {}),
        },
        method="POST",
    )
    return _call(request, timeout_s)


def _call(request: urllib.request.Request, timeout_s: float) -> dict[str, Any]:
    url = request.full_url
    # The settings allow only https (or http to 127.0.0.1 in development); never file:.
    if request.type not in ("https", "http"):
        raise ProviderUnavailable(f"{url} is not an http(s) URL")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        said = _oauth_error(exc)
        if request.get_method() == "POST" and 400 <= exc.code < 500:
            raise InvalidToken(f"{url} refused the request ({exc.code}{said})") from None
        raise ProviderUnavailable(f"{url} answered {exc.code}{said}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise ProviderUnavailable(f"{url} did not answer: {reason}") from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise ProviderUnavailable(f"{url} answered more than {MAX_RESPONSE_BYTES} bytes")
    try:
        found = json.loads(body)
    except ValueError:
        raise ProviderUnavailable(f"{url} did not answer JSON") from None
    if not isinstance(found, dict):
        raise ProviderUnavailable(f"{url} did not answer a JSON object")
    return found


def _oauth_error(exc: urllib.error.HTTPError) -> str:
    """``: error (description)`` from an OAuth error body, or nothing."""
    try:
        found = json.loads(exc.read(4096))
    except (ValueError, OSError):
        return ""
    if not isinstance(found, dict) or not isinstance(found.get("error"), str):
        return ""
    description = found.get("error_description")
    more = f" ({description[:200]})" if isinstance(description, str) else ""
    return f": {found['error'][:100]}{more}"
