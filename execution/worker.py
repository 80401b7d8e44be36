"""The worker: keeps what the customer confirmed moving after the request has ended.

Each pass first asks the venue about every step in flight, by its clientOrderId, and
journals what it learns: a resting limit that filled, an order whose acknowledgement a
stopped process never journaled, a cancel whose answer never came. Then it runs the armed
mandates (``execution.mandates``): price conditions, take-profit / stop-loss exits (the
first to fire skips the other) and DCA / TWAP schedules. It sends only inside a mandate
the customer confirmed, each order previewed and checked against its terms when due, and
pauses the mandate to ask when an order would fall outside them.

``tradeassist worker`` runs it as its own process; with ``TRADEASSIST_EMBEDDED_WORKER``
the app runs it on a thread of its own. On the Redis journal each pass first takes (or
renews) a lease in Redis (:mod:`execution.lease`), so however many workers are started one
acts and the others wait to take over; without one (SQLite, one process) every pass acts.
Either way two passes racing would be safe: they race in the journal like any other writer.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Protocol

from execution.assistant import Assistant, MandateReport, ReconcileReport
from execution.errors import ExecutionError

log = logging.getLogger("tradeassist.worker")


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    interval_s: float = 2.0  # between passes
    grace_ms: int = 30_000  # steps changed more recently belong to their own process


class Lease(Protocol):
    """Who may act (:class:`execution.lease.RedisLease`)."""

    def hold(self) -> bool: ...

    def release(self) -> None: ...


class Worker:
    """Runs reconciliation passes until stopped; with a ``lease``, only while it holds it."""

    def __init__(
        self,
        assistant: Assistant,
        settings: WorkerSettings | None = None,
        lease: Lease | None = None,
    ) -> None:
        self._assistant = assistant
        self._settings = settings or WorkerSettings()
        self._lease = lease
        self._stop = threading.Event()
        self.passes = 0  # passes made
        self.waited = 0  # passes left to the lease's holder

    def run_once(self) -> tuple[ReconcileReport, MandateReport]:
        """One pass: every step in flight, then every armed mandate."""
        report = self._assistant.reconcile(grace_ms=self._settings.grace_ms)
        if report.settled or report.unsettled:
            log.info("worker pass: settled %s; unknown %s", report.settled, report.unsettled)
        mandates = self._assistant.run_mandates()
        if mandates.actions or mandates.errors:
            log.info("mandates: %s; errors %s", mandates.actions, mandates.errors)
        self.passes += 1
        return report, mandates

    def run(self, *, wait_first: bool = False) -> None:
        """Pass after pass until :meth:`stop`; a failing pass is logged and retried.
        ``wait_first``: the caller has just made a pass (the app does, at start-up)."""
        if wait_first and self._stop.wait(self._settings.interval_s):
            return
        try:
            while not self._stop.is_set():
                if self._lease is None or self._lease.hold():
                    try:
                        self.run_once()
                    except ExecutionError as exc:  # the journal or venue failed: try later
                        log.warning("worker pass failed: %s: %s", exc.code, exc)
                else:
                    self.waited += 1  # another worker holds the lease: it acts
                self._stop.wait(self._settings.interval_s)
        finally:
            if self._lease is not None:
                self._lease.release()  # a stopping holder hands over at once

    def stop(self) -> None:
        self._stop.set()

    def start_thread(self) -> threading.Thread:
        """Run in a daemon thread after a pass just made (the app's embedded mode, after
        its start-up pass); :meth:`stop` ends it."""
        thread = threading.Thread(
            target=self.run, kwargs={"wait_first": True}, name="tradeassist-worker", daemon=True
        )
        thread.start()
        return thread
