"""What only the SQLite journal has: its file mode and durability setting.

Appending, listing, tamper detection and concurrency are the journal contract, run against
SQLite and Redis alike in tests/execution/journal/test_contract.py.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from execution.clock import ManualClock
from execution.journal import SQLiteJournal


@pytest.mark.parametrize("synchronous", ["EXTRA", "full", "", "FULL; DROP TABLE events"])
def test_unknown_synchronous_setting_is_refused(
    tmp_path: Path, clock: ManualClock, synchronous: str
) -> None:
    with pytest.raises(ValueError, match="synchronous must be FULL, NORMAL or OFF"):
        SQLiteJournal(tmp_path / "j.sqlite3", clock, synchronous=synchronous)

    assert not (tmp_path / "j.sqlite3").exists()


@pytest.mark.parametrize("synchronous", ["FULL", "NORMAL", "OFF"])
def test_journal_file_is_in_wal_mode(tmp_path: Path, clock: ManualClock, synchronous: str) -> None:
    journal = SQLiteJournal(tmp_path / "j.sqlite3", clock, synchronous=synchronous)
    journal.append("s1", "session_opened", "alice", {"owner": "alice"})
    journal.close()

    db = sqlite3.connect(tmp_path / "j.sqlite3")
    (mode,) = db.execute("PRAGMA journal_mode").fetchone()
    db.close()

    assert mode == "wal"
