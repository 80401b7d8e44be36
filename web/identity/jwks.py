"""The identity provider's signing keys (its JWKS), fetched with a timeout and cached.

Keys are fetched on first use and again once older than ``max_age_ms``, or sooner when a
token names a ``kid`` not among them (the provider rotated its keys); never twice within
``min_refetch_ms``, so a stream of tokens with made-up kids costs the provider at most one
fetch per interval. Time is the injected clock's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import jwt

from execution.clock import Clock
from web.identity.errors import InvalidToken, ProviderUnavailable
from web.identity.fetch import get_json

#: The signature algorithms accepted, and the key type each needs. Never ``none``, never an
#: HMAC (a provider's public key must not be usable as a shared secret).
ALGORITHMS: dict[str, str] = {"RS256": "RSA", "ES256": "EC"}


class Jwks:
    """The keys at ``url`` by ``kid``; thread-safe, one fetch at a time."""

    def __init__(
        self,
        url: str,
        clock: Clock,
        *,
        timeout_s: float,
        max_age_ms: int,
        min_refetch_ms: int,
        fetch: Callable[[str, float], dict[str, Any]] = get_json,
    ) -> None:
        self._url = url
        self._clock = clock
        self._timeout_s = timeout_s
        self._max_age_ms = max_age_ms
        self._min_refetch_ms = min_refetch_ms
        self._fetch = fetch
        self._lock = threading.Lock()
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_ms: int | None = None  # the last fetch that answered keys
        self._tried_ms: int | None = None  # the last fetch tried, answered or not
        self._failure: ProviderUnavailable | None = None  # why the last try failed

    def key(self, kid: str) -> jwt.PyJWK:
        """The key ``kid``: :class:`InvalidToken` if the provider has none by that name,
        :class:`ProviderUnavailable` if its keys cannot be read now and ``kid`` is not among
        those read before."""
        with self._lock:
            now = self._clock.now_ms()
            stale = self._fetched_ms is None or now - self._fetched_ms >= self._max_age_ms
            if (kid not in self._keys or stale) and self._may_fetch(now):
                self._refresh(now)
            found = self._keys.get(kid)
            if found is not None:
                return found  # a stale key is still used while the provider does not answer
            if self._failure is not None:  # the provider may have a key we cannot read
                raise self._failure
            raise InvalidToken(f"the identity provider has no signing key {kid[:64]!r}")

    def _may_fetch(self, now: int) -> bool:
        return self._tried_ms is None or now - self._tried_ms >= self._min_refetch_ms

    def _refresh(self, now: int) -> None:
        self._tried_ms = now
        try:
            self._keys = _signing_keys(self._url, self._fetch(self._url, self._timeout_s))
        except ProviderUnavailable as exc:
            self._failure = exc
            return
        self._fetched_ms = now
        self._failure = None


def _signing_keys(url: str, document: dict[str, Any]) -> dict[str, jwt.PyJWK]:
    """The usable signing keys of a JWKS document, by ``kid``."""
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise ProviderUnavailable(f"{url} did not answer a JWKS (no 'keys' list)")
    keys: dict[str, jwt.PyJWK] = {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        kid, kty, alg = entry.get("kid"), entry.get("kty"), entry.get("alg")
        if not isinstance(kid, str) or kty not in ALGORITHMS.values():
            continue
        if alg is not None and ALGORITHMS.get(alg) != kty:
            continue  # an algorithm we do not accept, or one that does not fit the key
        try:
            keys[kid] = jwt.PyJWK(entry)
        except jwt.PyJWTError:
            continue  # a key this library cannot use: tokens naming it are refused
    return keys
