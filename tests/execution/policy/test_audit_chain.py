"""The administrators' audit is hash-chained: each way of tampering with it by hand (an edited
field, a deleted row, two rows swapped, a row rewritten and re-hashed, a row slipped in) is
named by :func:`verify_audit` with the row where it happened; appends from several
processes and threads keep one chain; a database from before the chain is chained on its
first open and verifies.

The three writers are the real ones: :meth:`PolicyStore.publish` (a policy change),
:meth:`RiskAcknowledgements.acknowledge` (a customer's acknowledgement) and
:func:`record_audit` inside a write transaction, which is what ``Principals.set_tier``
does for a tier change (its HTTP face is in tests/web/test_admin_audit_verify.py).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import queue
import sqlite3
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from execution.clock import ManualClock
from execution.disclosures import RISK_VERSION, RiskAcknowledgements, risk_disclosure
from execution.errors import LimitStoreError
from execution.journal import GENESIS_HASH, canonical_json
from execution.policy import (
    AuditEntry,
    AuditVerification,
    PolicyRules,
    PolicyStore,
    record_audit,
)
from execution.policy.audit import audit_hash
from execution.stores import immediate_transaction

# The table as it was before the chain (execution/policy/store.py before this change).
OLD_AUDIT_SCHEMA = """
CREATE TABLE admin_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT NOT NULL
);
"""


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "tradeassist.sqlite3"


@pytest.fixture
def store(db: Path, clock: ManualClock) -> Iterator[PolicyStore]:
    opened = PolicyStore(db, clock)
    yield opened
    opened.close()


def _change_tier(db: Path, user_id: str, old: str, new: str, *, at_ms: int) -> None:
    """What ``Principals.set_tier`` writes to the audit, in its own write transaction."""
    connection = sqlite3.connect(db, isolation_level=None, timeout=30)
    with immediate_transaction(connection):
        record_audit(
            connection,
            at_ms=at_ms,
            who="ada",
            action="tier_changed",
            subject=user_id,
            old_value=old,
            new_value=new,
        )
    connection.close()


def _acknowledge(acks: RiskAcknowledgements, user_id: str, locale: Any = "en") -> None:
    shown = risk_disclosure(locale)
    _, now = acks.acknowledge(user_id, RISK_VERSION, locale, shown.text, by=user_id)
    assert now


@pytest.fixture
def recorded(db: Path, clock: ManualClock, store: PolicyStore) -> list[AuditEntry]:
    """Five rows, one of each writer at least: policy, ack, tier, ack (zh-Hant), policy."""
    acks = RiskAcknowledgements(db, clock)
    store.publish(PolicyRules(max_slippage_bps=Decimal(50)), by="ada")
    clock.advance(1_000)
    _acknowledge(acks, "alice")
    clock.advance(1_000)
    _change_tier(db, "alice", "verified", "pro", at_ms=clock.now_ms())
    clock.advance(1_000)
    _acknowledge(acks, "bob", "zh-Hant")
    clock.advance(1_000)
    store.publish(PolicyRules(), by="grace")
    acks.close()
    entries = store.audit()
    assert [e.action for e in entries] == [
        "policy_published",
        "risk_disclosure_acknowledged",
        "tier_changed",
        "risk_disclosure_acknowledged",
        "policy_published",
    ]
    return entries


def _raw(db: Path, *statements: tuple[str, tuple[Any, ...]]) -> None:
    """Tamper by hand: SQL on the file, behind every store's back."""
    connection = sqlite3.connect(db)
    for sql, args in statements:
        connection.execute(sql, args)
    connection.commit()
    connection.close()


def _where(checked: AuditVerification) -> list[tuple[str, int | None, int | None]]:
    return [(p.kind, p.seq, p.row_id) for p in checked.problems]


# --- the chain ------------------------------------------------------------------------


def test_each_row_is_chained_to_the_one_before_and_the_chain_verifies(
    store: PolicyStore, recorded: list[AuditEntry]
) -> None:
    checked = store.verify_audit()

    assert checked.ok, checked.problems
    assert (checked.rows, checked.problems) == (5, ())
    assert [e.seq for e in recorded] == [1, 2, 3, 4, 5]
    assert [e.prev_hash for e in recorded] == [GENESIS_HASH] + [e.hash for e in recorded[:-1]]
    assert (checked.head_seq, checked.head_hash) == (5, recorded[-1].hash)
    for e in recorded:  # the journal's convention: SHA-256 of the canonical JSON
        body = {
            "seq": e.seq,
            "at_ms": e.at_ms,
            "who": e.who,
            "action": e.action,
            "subject": e.subject,
            "old_value": e.old_value,
            "new_value": e.new_value,
            "prev_hash": e.prev_hash,
        }
        assert e.hash == hashlib.sha256(canonical_json(body).encode()).hexdigest()


def test_an_empty_audit_verifies(store: PolicyStore) -> None:
    checked = store.verify_audit()

    assert checked == AuditVerification(True, 0, 0, GENESIS_HASH, ())


def test_record_audit_outside_a_write_transaction_is_refused(db: Path, store: PolicyStore) -> None:
    connection = sqlite3.connect(db, isolation_level=None)

    with pytest.raises(LimitStoreError, match="inside the caller's write transaction"):
        record_audit(
            connection,
            at_ms=0,
            who="x",
            action="tier_changed",
            subject="y",
            old_value=None,
            new_value="pro",
        )

    connection.close()
    assert store.audit() == []


# --- tampering, each way --------------------------------------------------------------


def test_an_edited_field_is_named_with_its_row(
    db: Path, store: PolicyStore, recorded: list[AuditEntry]
) -> None:
    tier = recorded[2]
    _raw(db, ("UPDATE admin_audit SET new_value = 'vip' WHERE id = ?", (tier.id,)))

    checked = store.verify_audit()

    assert not checked.ok
    assert _where(checked) == [("edited", 3, tier.id)]
    assert "tier_changed of alice" in checked.problems[0].detail
    assert "does not match its hash" in checked.problems[0].detail


def test_an_edited_acknowledgement_text_is_named(
    db: Path, store: PolicyStore, recorded: list[AuditEntry]
) -> None:
    ack = recorded[3]
    lose_all = risk_disclosure("zh-Hant").paragraphs[1]
    assert lose_all in ack.new_value
    shown = ack.new_value.replace(lose_all, "")  # "you can lose it all", quietly dropped
    _raw(
        db,
        ("UPDATE admin_audit SET new_value = ? WHERE id = ?", (shown, ack.id)),
        ("UPDATE admin_audit SET at_ms = 'yesterday' WHERE id = ?", (recorded[1].id,)),
    )

    checked = store.verify_audit()  # a value of the wrong type is reported, not raised

    assert _where(checked) == [("edited", 2, recorded[1].id), ("edited", 4, ack.id)]
    with pytest.raises(LimitStoreError, match=r"row id 2 holds 'yesterday' as its time"):
        store.audit()


def test_a_deleted_middle_row_is_named_by_its_place(
    db: Path, store: PolicyStore, recorded: list[AuditEntry]
) -> None:
    _raw(db, ("DELETE FROM admin_audit WHERE id = ?", (recorded[2].id,)))

    checked = store.verify_audit()

    assert _where(checked) == [("deleted", 3, None)]
    assert checked.problems[0].detail == (
        f"row seq 3 is missing before row seq 4 (id {recorded[3].id}): deleted"
    )


def test_deleted_last_rows_show_against_the_chain_head(
    db: Path, store: PolicyStore, recorded: list[AuditEntry]
) -> None:
    _raw(db, ("DELETE FROM admin_audit WHERE id >= ?", (recorded[3].id,)))

    checked = store.verify_audit()

    assert _where(checked) == [("deleted", 4, None)]
    assert "rows seq 4 to 5 are missing at the end" in checked.problems[0].detail


def test_two_swapped_rows_are_named_both(
    db: Path, store: PolicyStore, recorded: list[AuditEntry]
) -> None:
    second, third = recorded[1].id, recorded[2].id
    _raw(  # the rows trade places (ids), each keeping its content, seq and hash
        db,
        ("UPDATE admin_audit SET id = -1 WHERE id = ?", (second,)),
        ("UPDATE admin_audit SET id = ? WHERE id = ?", (second, third)),
        ("UPDATE admin_audit SET id = ? WHERE id = -1", (third,)),
    )

    checked = store.verify_audit()

    assert _where(checked) == [("reordered", 3, second), ("reordered", 2, third)]
    assert [e.action for e in store.audit()][1:3] == [
        "tier_changed",
        "risk_disclosure_acknowledged",
    ]
    assert checked.problems[0].detail.endswith("is stored out of order, where row seq 2 belongs")


def test_a_rewritten_and_rehashed_row_breaks_the_next_link(
    db: Path, store: PolicyStore, recorded: list[AuditEntry]
) -> None:
    tier = recorded[2]
    forged = audit_hash(
        3, tier.at_ms, tier.who, tier.action, "mallory", "verified", "pro", tier.prev_hash
    )
    _raw(
        db,
        ("UPDATE admin_audit SET subject = 'mallory', hash = ? WHERE id = ?", (forged, tier.id)),
    )

    checked = store.verify_audit()

    assert _where(checked) == [("broken_link", 4, recorded[3].id)]
    assert "does not link to row seq 3" in checked.problems[0].detail


def test_a_row_slipped_in_by_hand_is_unchained(
    db: Path, store: PolicyStore, recorded: list[AuditEntry]
) -> None:
    _raw(
        db,
        (
            "INSERT INTO admin_audit (at_ms, who, action, subject, new_value) "
            "VALUES (0, 'mallory', 'tier_changed', 'mallory', 'vip')",
            (),
        ),
    )

    checked = store.verify_audit()

    assert _where(checked) == [("unchained", None, recorded[-1].id + 1)]
    # ... and it stays outside: the next append chains after the head, not after it.
    store.publish(PolicyRules(), by="ada")
    assert _where(store.verify_audit()) == [("unchained", None, recorded[-1].id + 1)]
    assert store.audit()[-1].seq == 6


def test_a_deleted_chain_head_is_named(
    db: Path, store: PolicyStore, recorded: list[AuditEntry]
) -> None:
    _raw(db, ("DELETE FROM admin_audit_head", ()))

    assert _where(store.verify_audit()) == [("broken_link", 5, None)]


def test_a_chain_forged_whole_verifies_but_its_head_differs(
    db: Path, store: PolicyStore, recorded: list[AuditEntry]
) -> None:
    """The limit of a chain without a key: whoever re-hashes every row after an edit, head
    included, leaves a chain that verifies. The head noted outside the database (the
    endpoint returns it) is what shows the forgery."""
    noted = store.verify_audit().head_hash
    connection = sqlite3.connect(db)
    prev = GENESIS_HASH
    for e in recorded:
        subject = "mallory" if e.seq == 3 else e.subject
        digest = audit_hash(
            e.seq, e.at_ms, e.who, e.action, subject, e.old_value, e.new_value, prev
        )
        connection.execute(
            "UPDATE admin_audit SET subject = ?, prev_hash = ?, hash = ? WHERE id = ?",
            (subject, prev, digest, e.id),
        )
        prev = digest
    connection.execute("UPDATE admin_audit_head SET last_hash = ?", (prev,))
    connection.commit()
    connection.close()

    checked = store.verify_audit()

    assert checked.ok
    assert checked.head_hash != noted


# --- a database from before the chain -------------------------------------------------


def _old_database(db: Path, rows: int) -> list[tuple[Any, ...]]:
    """An ``admin_audit`` as the code before the chain wrote it, ids with a gap."""
    connection = sqlite3.connect(db)
    connection.executescript(OLD_AUDIT_SCHEMA)
    for n in range(rows + 1):
        connection.execute(
            "INSERT INTO admin_audit (at_ms, who, action, subject, old_value, new_value) "
            "VALUES (?, 'ada', 'tier_changed', ?, 'verified', 'pro')",
            (1_000 * n, f"user-{n}"),
        )
    connection.execute("DELETE FROM admin_audit WHERE id = 2")  # gone before the chain
    connection.commit()
    before = connection.execute("SELECT * FROM admin_audit ORDER BY id").fetchall()
    connection.close()
    return before


def test_an_old_database_is_chained_in_id_order_on_first_open(db: Path, clock: ManualClock) -> None:
    before = _old_database(db, rows=3)

    acks = RiskAcknowledgements(db, clock)  # whichever store opens it first
    store = PolicyStore(db, clock)
    _acknowledge(acks, "alice")
    store.publish(PolicyRules(), by="ada")

    entries = store.audit()
    kept = [(e.id, e.at_ms, e.who, e.action, e.subject, e.old_value, e.new_value) for e in entries]
    assert kept[:3] == before
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS_HASH
    assert store.verify_audit().ok
    acks.close()
    store.close()
    again = PolicyStore(db, clock)  # opening again chains nothing twice
    assert again.audit() == entries
    assert again.verify_audit().ok
    again.close()


def test_an_old_empty_table_gets_an_empty_chain(db: Path, clock: ManualClock) -> None:
    connection = sqlite3.connect(db)
    connection.executescript(OLD_AUDIT_SCHEMA)
    connection.close()

    store = PolicyStore(db, clock)

    assert store.verify_audit() == AuditVerification(True, 0, 0, GENESIS_HASH, ())
    store.publish(PolicyRules(), by="ada")
    assert [e.seq for e in store.audit()] == [1]
    store.close()


# --- appends from several processes and threads ---------------------------------------

PROCESSES, THREADS, APPENDS = 3, 4, 6
OLD_ROWS = 3


def _append_many(path: str, barrier: Any, results: Any, worker: int) -> None:
    """Open the stores after the barrier (so the first opens race the migration too), then
    append: acknowledgements, policy publications and tier changes in turn."""
    outcomes: list[str] = []
    try:
        barrier.wait(timeout=120)
        clock = ManualClock()
        store = PolicyStore(path, clock)
        acks = RiskAcknowledgements(path, clock)
        for n in range(APPENDS):
            user = f"user-{worker}-{n}"
            if n % 3 == 0:
                _acknowledge(acks, user)
            elif n % 3 == 1:
                store.publish(PolicyRules(), by=user)
            else:
                _change_tier(Path(path), user, "verified", "pro", at_ms=clock.now_ms())
            outcomes.append(user)
        store.close()
        acks.close()
    except BaseException as exc:  # reported to the test, not lost in the worker
        outcomes.append(f"error: {exc!r}")
    finally:
        results.put((worker, outcomes))


def test_concurrent_appends_from_processes_and_threads_keep_one_chain(db: Path) -> None:
    _old_database(db, rows=OLD_ROWS)  # three rows from before the chain, to migrate
    context = multiprocessing.get_context("spawn")  # a fresh interpreter and connection each
    barrier = context.Barrier(PROCESSES + THREADS)
    results = context.Queue()
    processes = [
        context.Process(target=_append_many, args=(str(db), barrier, results, w))
        for w in range(PROCESSES)
    ]
    threads = [
        threading.Thread(target=_append_many, args=(str(db), barrier, results, PROCESSES + t))
        for t in range(THREADS)
    ]
    for process in processes:
        process.start()
    for thread in threads:
        thread.start()
    reports = []
    try:
        for _ in range(PROCESSES + THREADS):
            reports.append(results.get(timeout=180))
    except queue.Empty:
        pytest.fail(f"only {len(reports)} of {PROCESSES + THREADS} workers reported")
    finally:
        for thread in threads:
            thread.join(timeout=60)
        for process in processes:
            process.join(timeout=60)
    assert [p.exitcode for p in processes] == [0] * PROCESSES
    outcomes = [o for _, done in reports for o in done]
    assert [o for o in outcomes if o.startswith("error")] == []

    store = PolicyStore(db, ManualClock())
    entries = store.audit()
    checked = store.verify_audit()
    store.close()
    total = OLD_ROWS + (PROCESSES + THREADS) * APPENDS
    assert checked.ok, checked.problems
    assert checked.rows == len(entries) == total
    assert [e.seq for e in entries] == list(range(1, total + 1))  # one chain, no fork
    by_whom = [e.who if e.action == "policy_published" else e.subject for e in entries]
    assert sorted(by_whom[OLD_ROWS:]) == sorted(outcomes)
