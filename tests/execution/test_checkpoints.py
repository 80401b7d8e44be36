"""Confirmation tokens: bound to the exact preview, user and expiry."""

from __future__ import annotations

import dataclasses

import pytest

from execution.checkpoints import Binding, Checkpoints
from execution.errors import TokenExpired, TokenMismatch

KEY = b"k" * 32
BINDING = Binding("s1", "p1", "p1.1", "ab" * 32, "alice", 1_000_000, "2026-11-21.1")


def test_token_confirms_its_own_binding_before_expiry() -> None:
    checkpoints = Checkpoints(KEY)
    token = checkpoints.issue(BINDING)

    checkpoints.check(token, BINDING, now_ms=BINDING.expires_ms - 1)


def test_expired_token_is_refused() -> None:
    checkpoints = Checkpoints(KEY)
    token = checkpoints.issue(BINDING)

    with pytest.raises(TokenExpired, match="expired"):
        checkpoints.check(token, BINDING, now_ms=BINDING.expires_ms)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("session_id", "s2"),
        ("plan_id", "p2"),
        ("step_id", "p1.2"),
        ("preview_hash", "cd" * 32),
        ("user_id", "mallory"),
        ("expires_ms", 2_000_000),
        ("policy_version", "other"),
    ],
)
def test_token_for_anything_else_is_a_mismatch(field: str, value: object) -> None:
    checkpoints = Checkpoints(KEY)
    token = checkpoints.issue(BINDING)
    other = dataclasses.replace(BINDING, **{field: value})

    with pytest.raises(TokenMismatch):
        checkpoints.check(token, other, now_ms=0)


def test_token_from_another_key_or_garbage_is_a_mismatch() -> None:
    token = Checkpoints(b"x" * 32).issue(BINDING)
    checkpoints = Checkpoints(KEY)

    for candidate in (token, "", "v1..", "garbage", token.replace("v1", "v2")):
        assert not checkpoints.matches(candidate, BINDING)


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Checkpoints(b"short")
