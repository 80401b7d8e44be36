"""The domain's Prometheus metrics, defined once here and counted where the domain decides:
a confirmation's outcome (execution/assistant/confirmations.py), a requote (the same
place, when the requote rule of execution/preview/requote.py finds a material change),
each order's state as it is journaled (execution/assistant/context.py), a journal append
(both journals), a parse (the chat turn and the simulation), a mandate run (the worker).

The names are the contract with the dashboard (deploy/grafana/tradeassist.json) and the
README's "Observability" section. Labels take a few fixed values each, never an id.
Under ``tradeassist serve --workers N`` each process writes its values to files in
``PROMETHEUS_MULTIPROC_DIR`` (set by the supervisor, web/serving.py, before any process
imports this) and /metrics adds them up (web/metrics.py).
"""

from __future__ import annotations

from typing import Any, Final

from prometheus_client import Counter, Histogram

CONFIRMATIONS: Final = Counter(
    "tradeassist_confirmations",
    "Customers' confirmations of a step, by outcome: confirmed (the order went out, or a "
    "mandate armed, a cancel or stop carried out), requote (the preview had moved: nothing "
    "sent), refused (bad, used or expired token), conflict (the step had moved on), error.",
    ["outcome"],
)
REQUOTES: Final = Counter(
    "tradeassist_requotes",
    "Confirmations answered with a new preview because the fresh one changed materially.",
)
ORDERS: Final = Counter(
    "tradeassist_orders",
    "Orders by the state journaled: submitted, open (accepted, resting), filled, canceled, "
    "failed, unknown (the venue's answer was lost; reconciliation follows it).",
    ["state"],
)
JOURNAL_APPEND: Final = Histogram(
    "tradeassist_journal_append_seconds",
    "Time to append one entry or one segment to the session journal, by backend.",
    ["backend"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
PARSES: Final = Counter(
    "tradeassist_parse",
    "Messages parsed, by outcome (intent, clarification, unsupported, error) and language.",
    ["outcome", "lang"],
)
MANDATE_RUNS: Final = Counter(
    "tradeassist_mandate_runs",
    "Armed mandates looked at by the worker, by outcome: acted (placed, paused, ended or "
    "skipped), idle (nothing due), venue_error, conflict (another process moved it).",
    ["outcome"],
)

#: The ccxt order status an accepted or updated order is counted as.
_STATUS_STATES: Final = {"open": "open", "closed": "filled", "canceled": "canceled"}


def order_state(kind: str, payload: Any) -> str | None:
    """The ``tradeassist_orders_total`` state an event records, or None (not an order's
    news, a cancel step's own submission, or a status that says nothing new)."""
    if kind == "order_submitted":
        return "submitted" if getattr(payload, "client_order_id", None) is not None else None
    if kind in ("order_accepted", "order_updated"):
        order = getattr(payload, "order", None) or {}
        return _STATUS_STATES.get(str(order.get("status")))
    if kind == "order_failed":
        return "failed"
    if kind == "order_unknown":
        return "unknown"
    return None


def count_order(kind: str, payload: Any) -> None:
    """Count the order state an appended event records, if it records one."""
    state = order_state(kind, payload)
    if state is not None:
        ORDERS.labels(state).inc()
