"""The orders a session's journal recorded as filled, read from the journal alone.

An order's fills are recorded on the step that placed it: ``order_accepted`` when the venue
took it, ``order_updated`` each time a resting order's later state was learned. The last of
those events holds the order's cumulative fills (quantity, quote value, fee), which is what
its contract note states. ``order_canceled`` and ``order_failed`` carry an order too, but as
the cancel step's view of another step's order; the placing step is updated with it
(``order_updated``), so they are not read here and no order is counted twice.

Numbers are read as exact decimals: the venue's own decimal strings (``info.executedQty``,
``info.cummulativeQuoteQty``, ``info.commission``, ``info.commissionAsset``) when it gave
them (the sandbox and HashKey do), else ccxt's unified ``filled``, ``cost`` and ``fee``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from execution.journal import Event, Journal
from execution.journal import events as ev
from intent.models import Model

_ORDER_KINDS = frozenset({ev.ORDER_ACCEPTED, ev.ORDER_UPDATED})
_ZERO = Decimal(0)


class OrderRecord(Model):
    """One venue order of a session as the journal last recorded it."""

    session_id: str
    owner: str
    step_id: str
    description: str
    order_id: str
    client_order_id: str | None
    symbol: str
    side: str
    type: str
    status: str
    quantity: Decimal  # filled
    gross: Decimal  # the quote value of the fills (sum of price x quantity)
    fee: Decimal
    fee_currency: str | None
    first_fill_ms: int | None  # when the first recorded fill happened (venue time)
    last_fill_ms: int | None  # and the last
    recorded_ms: int  # when the journal recorded this state (the entry's time)
    recorded_seq: int

    @property
    def filled(self) -> bool:
        return self.quantity > 0


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _exact(info: Mapping[str, Any], key: str, fallback: Any) -> Decimal:
    """The venue's decimal string ``info[key]`` if it gave one, else the unified figure."""
    raw = info.get(key)
    if isinstance(raw, str) and raw:
        return Decimal(raw)
    return _ZERO if fallback is None else _dec(fallback)


def _fee(order: Mapping[str, Any]) -> tuple[Decimal, str | None]:
    info = order.get("info")
    info = info if isinstance(info, Mapping) else {}
    fee = order.get("fee")
    fee = fee if isinstance(fee, Mapping) else {}
    amount = _exact(info, "commission", fee.get("cost"))
    currency = info.get("commissionAsset") or fee.get("currency")
    return amount, None if currency is None else str(currency)


def order_records(events: Sequence[Event]) -> list[OrderRecord]:
    """Every venue order the session placed, in the order first recorded, each as last
    recorded (filled or not)."""
    owner = ""
    descriptions: dict[str, str] = {}
    client_ids: dict[str, str | None] = {}
    latest: dict[str, OrderRecord] = {}
    first_fill: dict[str, int] = {}
    for event in events:
        kind = event.kind
        if kind == ev.SESSION_OPENED:
            owner = str(event.payload.get("owner", ""))
        elif kind == ev.PLAN_CREATED:
            for step in event.payload.get("plan", {}).get("steps", ()):
                descriptions[str(step["step_id"])] = str(step.get("description", ""))
        elif kind == ev.STEP_ADDED:
            step = event.payload.get("step", {})
            descriptions[str(event.payload["step_id"])] = str(step.get("description", ""))
        elif kind == ev.ORDER_SUBMITTED:
            coid = event.payload.get("client_order_id")
            client_ids[str(event.payload["step_id"])] = None if coid is None else str(coid)
        elif kind in _ORDER_KINDS:
            payload = ev.parse_payload(kind, event.payload)
            assert isinstance(payload, ev.OrderAccepted | ev.OrderUpdated)
            record = _record(event, payload.step_id, payload.order, owner, descriptions, client_ids)
            if record is None:
                continue
            if record.filled and record.first_fill_ms is not None:
                first_fill.setdefault(record.order_id, record.first_fill_ms)
                record = record.model_copy(update={"first_fill_ms": first_fill[record.order_id]})
            latest[record.order_id] = record
    return sorted(latest.values(), key=lambda r: r.recorded_seq)


def _record(
    event: Event,
    step_id: str,
    order: Mapping[str, Any],
    owner: str,
    descriptions: Mapping[str, str],
    client_ids: Mapping[str, str | None],
) -> OrderRecord | None:
    order_id = order.get("id")
    if order_id is None:
        return None
    info = order.get("info")
    info = info if isinstance(info, Mapping) else {}
    quantity = _exact(info, "executedQty", order.get("filled"))
    gross = _exact(info, "cummulativeQuoteQty", order.get("cost"))
    fee, fee_currency = _fee(order)
    traded = order.get("lastTradeTimestamp") or order.get("timestamp") or event.ts_ms
    coid = order.get("clientOrderId") or client_ids.get(step_id)
    return OrderRecord(
        session_id=event.session_id,
        owner=owner,
        step_id=step_id,
        description=descriptions.get(step_id, ""),
        order_id=str(order_id),
        client_order_id=None if coid is None else str(coid),
        symbol=str(order.get("symbol", "")),
        side=str(order.get("side", "")),
        type=str(order.get("type") or ""),
        status=str(order.get("status") or ""),
        quantity=quantity,
        gross=gross,
        fee=fee,
        fee_currency=fee_currency,
        first_fill_ms=int(traded) if quantity > 0 else None,
        last_fill_ms=int(traded) if quantity > 0 else None,
        recorded_ms=event.ts_ms,
        recorded_seq=event.seq,
    )


def customer_orders(journal: Journal, customer: str | None) -> list[OrderRecord]:
    """The orders of ``customer``'s sessions (``None``: every customer's), oldest first."""
    records: list[OrderRecord] = []
    for summary in journal.sessions(owner=customer):
        records.extend(order_records(journal.read(summary.session_id)))
    return sorted(records, key=_chronological)


def _chronological(record: OrderRecord) -> tuple[int, str, int]:
    return (record.first_fill_ms or record.recorded_ms, record.session_id, record.recorded_seq)


def find_order(records: Iterable[OrderRecord], order_id: str) -> OrderRecord | None:
    return next((r for r in records if r.order_id == order_id), None)


__all__ = ["OrderRecord", "customer_orders", "find_order", "order_records"]
