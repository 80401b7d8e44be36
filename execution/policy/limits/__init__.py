"""The daily-usage ledger: how much notional each customer committed per UTC day and quote.

The contract and what the assistant calls are in :mod:`.ledger`; the two backends, which
pass one contract suite (``tests/execution/policy/test_limits.py``), in :mod:`.sqlite` (embedded,
the default) and :mod:`.redis` (shared by several app processes).
"""

from __future__ import annotations

from pathlib import Path

from execution.clock import Clock
from execution.policy.limits.ledger import (
    MAX_AMOUNT,
    QUANTUM,
    LimitLedger,
    Refusal,
    Reservation,
    reserve_order,
    used_today,
    utc_day,
)
from execution.policy.limits.redis import RedisLimitLedger
from execution.policy.limits.sqlite import SQLiteLimitLedger


def open_ledger(
    clock: Clock,
    *,
    sqlite_path: Path | str,
    redis_url: str | None = None,
    prefix: str = "tradeassist:",
) -> SQLiteLimitLedger | RedisLimitLedger:
    """The ledger beside the journal: Redis at ``redis_url`` when the journal is shared
    there (several app processes), else SQLite in the journal's file."""
    if redis_url is not None:
        return RedisLimitLedger.from_url(redis_url, clock, prefix=prefix)
    return SQLiteLimitLedger(sqlite_path, clock)


__all__ = [
    "MAX_AMOUNT",
    "QUANTUM",
    "LimitLedger",
    "RedisLimitLedger",
    "Refusal",
    "Reservation",
    "SQLiteLimitLedger",
    "open_ledger",
    "reserve_order",
    "used_today",
    "utc_day",
]
