"""Abuse limits: token buckets per subject (an address, a user, a session), in memory for
one process or in Redis shared by several, and the bounds on a session's journal growth.

The contract and the in-memory backend are in :mod:`.bucket`, the Redis backend in
:mod:`.redis` (both pass one contract suite, ``tests/execution/test_rate_limits.py``); which
requests are limited, and how much, is the caller's: :mod:`web.rate_limits` for the HTTP
routes, :mod:`.sessions` for the assistant.
"""

from __future__ import annotations

from execution.clock import Clock
from execution.rate_limits.bucket import (
    Buckets,
    Charge,
    Limit,
    MemoryBuckets,
    Refusal,
    admit,
    rate_limited,
)
from execution.rate_limits.redis import RedisBuckets
from execution.rate_limits.sessions import (
    SessionBounds,
    previews_limit,
    refusals_limit,
)


def open_buckets(
    clock: Clock, *, redis_url: str | None = None, prefix: str = "tradeassist:"
) -> MemoryBuckets | RedisBuckets:
    """The buckets beside the journal: in Redis at ``redis_url`` when the journal is shared
    there (several app processes), else in this process's memory."""
    if redis_url is not None:
        return RedisBuckets.from_url(redis_url, clock, prefix=prefix)
    return MemoryBuckets(clock)


__all__ = [
    "Buckets",
    "Charge",
    "Limit",
    "MemoryBuckets",
    "RedisBuckets",
    "Refusal",
    "SessionBounds",
    "admit",
    "open_buckets",
    "previews_limit",
    "rate_limited",
    "refusals_limit",
]
