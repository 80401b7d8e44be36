"""Fixtures shared by the execution tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from execution.clock import ManualClock
from execution.journal import Journal, SQLiteJournal
from execution.journal.redis import RedisJournal


@pytest.fixture(params=["sqlite", "redis"])
def shared_journal(
    request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock
) -> Iterator[Callable[[], Journal]]:
    """A factory of connections to one journal store, on each backend: each connection is
    what one app process (or one worker) would hold."""
    opened: list[SQLiteJournal | RedisJournal] = []

    def connect() -> Journal:
        if request.param == "sqlite":
            journal: SQLiteJournal | RedisJournal = SQLiteJournal(tmp_path / "j.sqlite3", clock)
        else:
            journal = RedisJournal.from_url(
                request.getfixturevalue("test_redis_url"),
                clock,
                prefix=request.getfixturevalue("redis_prefix"),
            )
        opened.append(journal)
        return journal

    yield connect
    for journal in opened:
        journal.close()
