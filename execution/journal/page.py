"""One page of a session's journal and the check of its stretch of the hash chain.

A long session's journal is read a page at a time (``GET /api/sessions/{id}/events?after=
SEQ&limit=N``): the entries after ``SEQ``, at most ``N``, checked against each other and
against the entry ``SEQ`` itself, so each page proves it continues the one before it
without reading the whole log.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from execution.journal.chain import GENESIS_HASH, Event, Verification, verify_chain
from execution.journal.protocol import Journal

DEFAULT_PAGE = 100
MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class Page:
    """Entries ``after`` + 1 onwards, at most the limit asked for; ``next_after``: the
    ``after`` of the next page (None: this page reaches the end of the log); ``chain``: the
    check of these entries, the first linked to the hash of entry ``after``."""

    session_id: str
    after: int
    events: list[Event]
    next_after: int | None
    chain: Verification


def read_page(
    journal: Journal, session_id: str, after: int = -1, limit: int = DEFAULT_PAGE
) -> Page:
    """Read and check one page: two cheap range reads (the page and one entry past it to
    know if more follow; the entry ``after`` to anchor the chain), never the whole log."""
    if after < -1:
        raise ValueError(f"after must be -1 (from the start) or an entry's seq, not {after!r}")
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be from 1 to {MAX_PAGE}, not {limit!r}")
    # One read from the anchor on: the entry ``after`` (if any), the page, one more.
    rows = journal.read(session_id, max(after - 1, -1), limit + (2 if after >= 0 else 1))
    anchor = next((e for e in rows if e.seq == after), None)
    following = [e for e in rows if e.seq > after]
    events, more = following[:limit], len(following) > limit
    problems: list[str] = []
    if after < 0:
        start = (-1, GENESIS_HASH)
    elif anchor is not None:
        start = (after, anchor.hash)
    else:
        # Nothing to link the page to: say so once, and check the page from its own start.
        start = (after, events[0].prev_hash if events else GENESIS_HASH)
        if events:
            problems.append(f"entry {after}: missing, so the page cannot be linked to it")
    checked = verify_chain(session_id, events, start)
    chain = Verification(
        session_id, not problems and checked.ok, len(events), (*problems, *checked.problems)
    )
    return Page(session_id, after, events, events[-1].seq if more else None, chain)


#: What a reader who may not see an entry's payload gets in its place (the entry's kind,
#: seq, time and hashes stay: the log shows that something was recorded, and where).
WITHHELD: dict[str, str] = {"withheld": "staff only"}


def withhold(page: Page, kinds: frozenset[str]) -> Page:
    """The page with the payload of each entry of ``kinds`` replaced by :data:`WITHHELD`.
    ``chain`` stays the check of the stored entries, made before anything was withheld (a
    withheld entry's own hash cannot be recomputed from what is shown)."""
    events = [replace(e, payload=WITHHELD) if e.kind in kinds else e for e in page.events]
    return replace(page, events=events)


__all__ = ["DEFAULT_PAGE", "MAX_PAGE", "WITHHELD", "Page", "read_page", "withhold"]
