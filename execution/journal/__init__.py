"""The journal: an append-only, hash-chained log of events per session.

- :mod:`~execution.journal.chain`: the entries, their hash chain and its verification;
- :mod:`~execution.journal.events`: the session event kinds and one typed payload model per
  kind (imported on its own: the backends store any JSON payload);
- :mod:`~execution.journal.page`: one page of a session's journal, its stretch of the chain
  checked;
- :mod:`~execution.journal.index`: the session index the support console searches, kept by
  every backend in the same atomic step as the events it covers;
- :mod:`~execution.journal.protocol`: the one contract every backend keeps;
- :mod:`~execution.journal.sqlite`: the embedded journal (the default);
- :mod:`~execution.journal.redis`: the journal shared by several app processes (imported
  only where configured).

Session state is a fold over these events (:mod:`execution.session.state`).
"""

from execution.journal.chain import (
    GENESIS_HASH,
    Event,
    SessionSummary,
    Verification,
    canonical_json,
    chain_event,
    conflict,
    entry_hash,
    hash_and_entry,
    stored_entries,
    verify_chain,
)
from execution.journal.page import DEFAULT_PAGE, MAX_PAGE, WITHHELD, Page, read_page, withhold
from execution.journal.protocol import Journal
from execution.journal.sqlite import SQLiteJournal

__all__ = [
    "DEFAULT_PAGE",
    "GENESIS_HASH",
    "MAX_PAGE",
    "WITHHELD",
    "Event",
    "Journal",
    "Page",
    "SQLiteJournal",
    "SessionSummary",
    "Verification",
    "canonical_json",
    "chain_event",
    "conflict",
    "entry_hash",
    "hash_and_entry",
    "read_page",
    "stored_entries",
    "verify_chain",
    "withhold",
]
