"""Confirmation checkpoints: single-use tokens bound to exactly what the customer saw.

A token is ``v1.<expires_ms>.<mac>`` where the MAC is an HMAC-SHA256 over the session,
plan, step, preview hash, user, expiry and policy version. The server keeps no copy of
the token: it recomputes the MAC from its own record of the preview, so a token for
another step, another user or an older preview does not verify. Single use comes from
the step's lifecycle: once confirmed, the step no longer awaits confirmation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from execution.errors import TokenExpired, TokenMismatch

_VERSION = "v1"


@dataclass(frozen=True, slots=True)
class Binding:
    """What a token is bound to."""

    session_id: str
    plan_id: str
    step_id: str
    preview_hash: str
    user_id: str
    expires_ms: int
    policy_version: str

    def message(self) -> bytes:
        parts = (
            _VERSION,
            self.session_id,
            self.plan_id,
            self.step_id,
            self.preview_hash,
            self.user_id,
            str(self.expires_ms),
            self.policy_version,
        )
        return "\x1f".join(parts).encode()


class Checkpoints:
    """Issues and checks confirmation tokens with one server-side key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the confirmation key must be at least 32 bytes")
        self._key = key

    def _mac(self, binding: Binding) -> str:
        digest = hmac.new(self._key, binding.message(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def issue(self, binding: Binding) -> str:
        return f"{_VERSION}.{binding.expires_ms}.{self._mac(binding)}"

    def matches(self, token: str, binding: Binding) -> bool:
        """Whether ``token`` was issued for exactly ``binding`` (expiry not considered)."""
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != _VERSION or parts[1] != str(binding.expires_ms):
            return False
        return hmac.compare_digest(parts[2], self._mac(binding))

    def check(self, token: str, binding: Binding, now_ms: int) -> None:
        """Raise unless ``token`` confirms ``binding`` now; say precisely what is wrong."""
        if not self.matches(token, binding):
            raise TokenMismatch(
                f"the token does not match the preview shown for step {binding.step_id!r}: "
                "it was issued for another step, user or an earlier preview"
            )
        if now_ms >= binding.expires_ms:
            raise TokenExpired(
                f"the confirmation for step {binding.step_id!r} expired "
                f"{(now_ms - binding.expires_ms) / 1000:.1f}s ago; ask for a fresh preview"
            )
