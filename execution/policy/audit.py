"""The administrators' audit (``admin_audit``): every policy published, tier changed and risk
disclosure acknowledged, one row each, hash-chained like the session journal.

Each row carries ``seq`` (1, 2, 3, … without a gap), ``prev_hash`` (the hash of the row
before; :data:`~execution.journal.chain.GENESIS_HASH` for the first) and ``hash``: SHA-256
over the :func:`~execution.journal.chain.canonical_json` of the row's other fields
(:func:`audit_hash`). One row of ``admin_audit_head`` remembers the last row, so a deleted
tail shows too. :func:`verify_audit` names each row edited, deleted, out of order, not
linked, or written outside :func:`record_audit`.

Appends are serialised: :func:`record_audit` runs inside its caller's write transaction
(``BEGIN IMMEDIATE``, :func:`~execution.stores.immediate_transaction`), so it reads the head
and writes the row and the new head while holding SQLite's write lock; a writer in another
connection or process waits for it, and the unique index on ``seq`` refuses a second row at
the same place even from a caller that forgot. The audit lives only in the SQLite database
(next to the accounts, whatever backs the journal), so there is no other backend to chain.

Rows written before the chain existed: :func:`prepare_audit`, which every store calls when
it opens the database, adds the chain's columns to an older table and chains the rows it
holds, in ``id`` order, in the same transaction. The chain vouches for them from then on
(what happened to them before cannot be known); a row that appears later without a hash is
never chained silently: it is reported as written outside the chain.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from typing import Literal

from execution.errors import LimitStoreError
from execution.journal.chain import GENESIS_HASH, canonical_json
from execution.stores import immediate_transaction

#: The tables of the audit, for a new database (:func:`prepare_audit` also upgrades an old
#: one, whose ``admin_audit`` lacks the chain's columns).
AUDIT_SCHEMA = """
CREATE TABLE IF NOT EXISTS admin_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT NOT NULL,
    seq INTEGER,
    prev_hash TEXT,
    hash TEXT
);
CREATE TABLE IF NOT EXISTS admin_audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
"""

_CHAIN_COLUMNS = (("seq", "INTEGER"), ("prev_hash", "TEXT"), ("hash", "TEXT"))
_SEQ_INDEX = "CREATE UNIQUE INDEX IF NOT EXISTS admin_audit_seq ON admin_audit (seq)"
_SELECT_ROWS = (
    "SELECT id, at_ms, who, action, subject, old_value, new_value, seq, prev_hash, hash "
    "FROM admin_audit ORDER BY id"
)
_EMPTY = (0, GENESIS_HASH)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at_ms: int
    who: str
    # "policy_published", "tier_changed", or "risk_disclosure_acknowledged" (a customer's,
    # see execution.disclosures: new_value is the JSON of the version, locale and text)
    action: str
    subject: str  # "policy", or the user whose tier changed or who acknowledged
    old_value: str | None  # the version or tier before
    new_value: str  # the version or tier after
    seq: int | None = None  # its place in the chain (None: written outside it)
    prev_hash: str | None = None
    hash: str | None = None


AuditProblemKind = Literal["edited", "deleted", "reordered", "broken_link", "unchained"]


@dataclass(frozen=True, slots=True)
class AuditProblem:
    """One thing wrong with the chain, and where: ``seq`` is the row's place in the chain
    (the first missing one for ``deleted``), ``row_id`` its ``id`` when it is there."""

    kind: AuditProblemKind
    seq: int | None
    row_id: int | None
    detail: str


@dataclass(frozen=True, slots=True)
class AuditVerification:
    """The result of checking the whole audit chain; ``head_seq``/``head_hash`` are what
    the database records as its last row (worth noting outside it: a rewrite of the
    whole chain would change them)."""

    ok: bool
    rows: int
    head_seq: int
    head_hash: str
    problems: tuple[AuditProblem, ...]


def audit_hash(
    seq: object,
    at_ms: object,
    who: object,
    action: object,
    subject: object,
    old_value: object,
    new_value: object,
    prev_hash: object,
) -> str:
    """SHA-256 over the canonical JSON of the row's fields other than its ``id`` and hash
    (the journal's :func:`~execution.journal.chain.entry_hash` convention)."""
    body = {
        "seq": seq,
        "at_ms": at_ms,
        "who": who,
        "action": action,
        "subject": subject,
        "old_value": old_value,
        "new_value": new_value,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def prepare_audit(db: sqlite3.Connection) -> None:
    """Create the audit's tables, or bring an older ``admin_audit`` into the chain (its
    rows chained in ``id`` order), in one write transaction; idempotent, so every store
    that opens the database calls it."""
    db.executescript(AUDIT_SCHEMA)
    with immediate_transaction(db):
        columns = {row[1] for row in db.execute("PRAGMA table_info(admin_audit)")}
        if "hash" not in columns:  # checked inside the lock: another process may have run
            for name, kind in _CHAIN_COLUMNS:
                if name not in columns:
                    db.execute(f"ALTER TABLE admin_audit ADD COLUMN {name} {kind}")
            _chain_existing(db)
        db.execute(_SEQ_INDEX)


def _chain_existing(db: sqlite3.Connection) -> None:
    """Chain the rows of a table from before the chain, oldest (lowest id) first."""
    head = _head(db)
    rows = db.execute(
        "SELECT id, at_ms, who, action, subject, old_value, new_value FROM admin_audit "
        "WHERE hash IS NULL ORDER BY id"
    ).fetchall()
    for row_id, at_ms, who, action, subject, old_value, new_value in rows:
        seq, prev = head[0] + 1, head[1]
        digest = audit_hash(seq, at_ms, who, action, subject, old_value, new_value, prev)
        db.execute(
            "UPDATE admin_audit SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?",
            (seq, prev, digest, row_id),
        )
        head = (seq, digest)
    if rows:
        _set_head(db, head)


def _head(db: sqlite3.Connection) -> tuple[int, str]:
    row = db.execute("SELECT last_seq, last_hash FROM admin_audit_head WHERE id = 1").fetchone()
    return _EMPTY if row is None else (int(row[0]), str(row[1]))


def _set_head(db: sqlite3.Connection, head: tuple[int, str]) -> None:
    db.execute(
        "INSERT INTO admin_audit_head (id, last_seq, last_hash) VALUES (1, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET last_seq = excluded.last_seq, "
        "last_hash = excluded.last_hash",
        head,
    )


def record_audit(
    db: sqlite3.Connection,
    *,
    at_ms: int,
    who: str,
    action: str,
    subject: str,
    old_value: str | None,
    new_value: str,
) -> AuditEntry:
    """One audit row, chained after the head, written inside the caller's write transaction
    (so it lands with the change, and no other writer can take the same place)."""
    if not db.in_transaction:
        raise LimitStoreError(
            f"could not audit {action!r}: record_audit runs inside the caller's write "
            "transaction (BEGIN IMMEDIATE), so that appends cannot fork the chain"
        )
    seq, prev = _head(db)
    seq += 1
    digest = audit_hash(seq, at_ms, who, action, subject, old_value, new_value, prev)
    cursor = db.execute(
        "INSERT INTO admin_audit "
        "(at_ms, who, action, subject, old_value, new_value, seq, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (at_ms, who, action, subject, old_value, new_value, seq, prev, digest),
    )
    _set_head(db, (seq, digest))
    row_id = cursor.lastrowid
    assert row_id is not None  # an INSERT always sets it
    return AuditEntry(row_id, at_ms, who, action, subject, old_value, new_value, seq, prev, digest)


_Row = tuple[object, ...]


def read_audit(db: sqlite3.Connection) -> tuple[list[_Row], tuple[int, str] | None]:
    """Every row (``id`` order, as stored, values as SQLite holds them) and the head, read
    in one snapshot so an append in between cannot look like tampering."""
    db.execute("BEGIN")
    try:
        rows = db.execute(_SELECT_ROWS).fetchall()
        head = db.execute(
            "SELECT last_seq, last_hash FROM admin_audit_head WHERE id = 1"
        ).fetchone()
    finally:
        db.execute("COMMIT")
    if head is None:
        return [tuple(r) for r in rows], None
    return [tuple(r) for r in rows], (head[0] if isinstance(head[0], int) else -1, str(head[1]))


def entries(rows: list[_Row]) -> list[AuditEntry]:
    """The rows of :func:`read_audit` as entries; :class:`LimitStoreError` for a row whose
    time is not a number (written by hand: :func:`verify_audit` names it)."""
    for r in rows:
        if not isinstance(r[1], int):
            raise LimitStoreError(
                f"could not read the audit: row id {r[0]} holds {r[1]!r} as its time, which "
                "record_audit never writes (verify the audit chain)"
            )
    return [
        AuditEntry(
            int(str(r[0])),
            int(str(r[1])),
            str(r[2]),
            str(r[3]),
            str(r[4]),
            None if r[5] is None else str(r[5]),
            str(r[6]),
            r[7] if isinstance(r[7], int) else None,
            None if r[8] is None else str(r[8]),
            None if r[9] is None else str(r[9]),
        )
        for r in rows
    ]


def _describe(row: _Row) -> str:
    return f"row seq {row[7]} (id {row[0]}, {row[3]!s} of {row[4]!s})"


def _intact(row: _Row) -> bool:
    try:
        return audit_hash(row[7], row[1], row[2], row[3], row[4], row[5], row[6], row[8]) == row[9]
    except (TypeError, ValueError):  # a value JSON cannot hold (e.g. a blob written in)
        return False


def _missing(first: int, last: int) -> str:
    return f"row seq {first} is" if first == last else f"rows seq {first} to {last} are"


def verify_audit(rows: list[_Row], head: tuple[int, str] | None) -> AuditVerification:
    """Recompute every row's hash and link, in the order they are stored; name each row
    that was edited, deleted, moved, re-linked, or written outside the chain."""
    problems: list[AuditProblem] = []
    chained: list[_Row] = []
    for row in rows:
        row_id = row[0] if isinstance(row[0], int) else None
        if row[9] is None and row[7] is None:
            problems.append(
                AuditProblem(
                    "unchained",
                    None,
                    row_id,
                    f"row id {row[0]} ({row[3]!s} of {row[4]!s}) is not in the chain: it was "
                    "written outside record_audit",
                )
            )
        elif not isinstance(row[7], int):
            problems.append(
                AuditProblem(
                    "edited", None, row_id, f"row id {row[0]}: its seq {row[7]!r} is edited"
                )
            )
        else:
            chained.append(row)

    # Edited: a row whose fields no longer give its hash.
    for row in chained:
        if not _intact(row):
            problems.append(
                AuditProblem(
                    "edited",
                    int(str(row[7])),
                    int(str(row[0])),
                    f"{_describe(row)}: its content does not match its hash (edited)",
                )
            )

    # Reordered: the rows as stored (id order) are not in chain (seq) order.
    in_chain = sorted(chained, key=lambda r: (int(str(r[7])), int(str(r[0]))))
    for stored, belongs in zip(chained, in_chain, strict=True):
        if stored[7] != belongs[7]:
            problems.append(
                AuditProblem(
                    "reordered",
                    int(str(stored[7])),
                    int(str(stored[0])),
                    f"{_describe(stored)} is stored out of order, where row seq "
                    f"{belongs[7]} belongs",
                )
            )

    # Deleted and broken links: walk the chain in seq order.
    last_seq, last_hash = _EMPTY
    for row in in_chain:
        seq, row_id = int(str(row[7])), int(str(row[0]))
        if seq == last_seq:
            problems.append(
                AuditProblem("broken_link", seq, row_id, f"{_describe(row)}: seq {seq} twice")
            )
        elif seq > last_seq + 1:
            problems.append(
                AuditProblem(
                    "deleted",
                    last_seq + 1,
                    None,
                    f"{_missing(last_seq + 1, seq - 1)} missing before row seq {seq} "
                    f"(id {row_id}): deleted",
                )
            )
        elif row[8] != last_hash:
            before = "the start of the chain" if last_seq == 0 else f"row seq {last_seq}"
            problems.append(
                AuditProblem(
                    "broken_link",
                    seq,
                    row_id,
                    f"{_describe(row)} does not link to {before}: its prev_hash is not that "
                    "row's hash (that row was rewritten, or this link edited)",
                )
            )
        last_seq, last_hash = seq, str(row[9])

    # The head remembers the last row: a deleted or replaced tail shows there.
    head_seq, head_hash = _EMPTY if head is None else head
    if head is None and last_seq > 0:
        problems.append(
            AuditProblem(
                "broken_link",
                last_seq,
                None,
                f"the chain head is missing, the rows go on to seq {last_seq}: it was deleted",
            )
        )
    elif head_seq > last_seq:
        problems.append(
            AuditProblem(
                "deleted",
                last_seq + 1,
                None,
                f"{_missing(last_seq + 1, head_seq)} missing at the end: the chain head is "
                f"row seq {head_seq}: deleted",
            )
        )
    elif head_seq < last_seq:
        problems.append(
            AuditProblem(
                "unchained",
                head_seq + 1,
                None,
                f"the chain head is row seq {head_seq} but rows go on to seq {last_seq}: "
                "written outside record_audit",
            )
        )
    elif head_hash != last_hash:
        problems.append(
            AuditProblem(
                "broken_link",
                last_seq,
                None,
                f"the last row (seq {last_seq}) is not the one the chain head recorded "
                "(rewritten or replaced)",
            )
        )
    return AuditVerification(not problems, len(rows), head_seq, head_hash, tuple(problems))
