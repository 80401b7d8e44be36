"""Every version of the policy ever published, and the audit of administrative changes.

:class:`PolicyStore` keeps the versions (SQLite table ``policy_versions``) and an audit row
for each change (``admin_audit``, hash-chained: :mod:`.audit`); :meth:`PolicyStore.current`
is what new previews must use, in every process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from execution.clock import Clock
from execution.errors import LimitStoreError
from execution.policy.audit import (
    AuditEntry,
    AuditVerification,
    entries,
    prepare_audit,
    read_audit,
    record_audit,
    verify_audit,
)
from execution.policy.rules import Policy, PolicyRules
from execution.stores import immediate_transaction, open_database, open_reader, store_errors

_POLICY_SCHEMA = """
CREATE TABLE IF NOT EXISTS policy_versions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    version TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    created_by TEXT NOT NULL
);
"""

BUILTIN_AUTHOR = "builtin"


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    version: str
    created_ms: int
    created_by: str


class PolicyStore:
    """Every published policy version in SQLite (next to the journal); the newest is in force.

    :meth:`current` reads the newest version's number on each call (one indexed lookup) and
    re-parses the rules only when it changed, so a version published by any process is in
    force for the next preview everywhere. It reads on its own read-only connection and lock,
    never queued behind a publication waiting for SQLite's write lock: a WAL read takes
    microseconds and never waits on a writer, so the request path calls it on the event
    loop. :meth:`publish` stores a new version and its audit row in one transaction.
    """

    def __init__(self, path: Path | str, clock: Clock, *, initial: Policy | None = None) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        with store_errors("open the policy store"):
            self._db = open_database(path, _POLICY_SCHEMA)
            prepare_audit(self._db)
            self._reader = open_reader(path)
        self._read_lock = threading.Lock()
        self._cached: tuple[int, Policy] | None = None
        seed = initial or Policy()
        with self._transaction("store the initial policy"):
            if self._db.execute("SELECT 1 FROM policy_versions LIMIT 1").fetchone() is None:
                self._insert(seed, BUILTIN_AUTHOR)

    def close(self) -> None:
        with self._lock:
            self._db.close()
        with self._read_lock:
            self._reader.close()

    @contextmanager
    def _transaction(self, what: str) -> Iterator[None]:
        with self._lock, store_errors(what), immediate_transaction(self._db):
            yield

    def _insert(self, policy: Policy, by: str) -> None:
        self._db.execute(
            "INSERT INTO policy_versions (version, body, created_ms, created_by) "
            "VALUES (?, ?, ?, ?)",
            (policy.version, policy.model_dump_json(), self._clock.now_ms(), by),
        )

    def current(self) -> Policy:
        """The policy in force now: the newest version stored."""
        with self._read_lock, store_errors("read the current policy"):
            row = self._reader.execute("SELECT max(seq) FROM policy_versions").fetchone()
            if row[0] is None:
                raise LimitStoreError("could not read the current policy: no version is stored")
            seq = int(row[0])
            if self._cached is not None and self._cached[0] == seq:
                return self._cached[1]
            body = self._reader.execute(
                "SELECT body FROM policy_versions WHERE seq = ?", (seq,)
            ).fetchone()[0]
            policy = Policy.model_validate_json(body)
            self._cached = (seq, policy)
            return policy

    def publish(self, rules: PolicyRules, by: str) -> tuple[Policy, Policy]:
        """Store ``rules`` as a new version (``<UTC date>.<n>``, n counting that day's
        versions) and audit it; return (the policy it replaced, the new one)."""
        now = self._clock.now_ms()
        day = datetime.fromtimestamp(now / 1000, tz=UTC).date().isoformat()
        with self._transaction("publish a policy version"):
            (body,) = self._db.execute(
                "SELECT body FROM policy_versions ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            old = Policy.model_validate_json(body)
            counters = [
                int(v.rpartition(".")[2])
                for (v,) in self._db.execute(
                    "SELECT version FROM policy_versions WHERE version LIKE ?", (f"{day}.%",)
                )
                if v.rpartition(".")[2].isdigit()
            ]
            new = Policy(**dict(rules), version=f"{day}.{max(counters, default=0) + 1}")
            self._insert(new, by)
            record_audit(
                self._db,
                at_ms=now,
                who=by,
                action="policy_published",
                subject="policy",
                old_value=old.version,
                new_value=new.version,
            )
        return old, new

    def versions(self) -> list[PolicyVersion]:
        """Every version, oldest first."""
        with self._lock, store_errors("list policy versions"):
            rows = self._db.execute(
                "SELECT version, created_ms, created_by FROM policy_versions ORDER BY seq"
            ).fetchall()
        return [PolicyVersion(r[0], int(r[1]), r[2]) for r in rows]

    def version(self, version: str) -> Policy | None:
        """A stored version's rules (what a replay of an old preview must use)."""
        with self._lock, store_errors("read a policy version"):
            row = self._db.execute(
                "SELECT body FROM policy_versions WHERE version = ?", (version,)
            ).fetchone()
        return None if row is None else Policy.model_validate_json(row[0])

    def audit(self) -> list[AuditEntry]:
        """Every administrative change (policies and tiers) and every customer's
        acknowledgement of a disclosure, oldest first."""
        with self._lock, store_errors("read the audit"):
            rows, _ = read_audit(self._db)
        return entries(rows)

    def verify_audit(self) -> AuditVerification:
        """Check the audit's hash chain: every row's hash and link, its order and its head
        (:func:`~execution.policy.audit.verify_audit`)."""
        with self._lock, store_errors("read the audit"):
            rows, head = read_audit(self._db)
        return verify_audit(rows, head)
