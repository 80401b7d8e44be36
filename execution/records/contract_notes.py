"""Contract notes: the record of each filled order a customer receives (an SFC-licensed
platform sends one within two business days of the trade).

A note is a pure function of the order as the journal recorded it
(:class:`~execution.records.trades.OrderRecord`); nothing about it is stored, so the same
journal always gives the same note.

- **Number**: ``CN-<trade date, YYYYMMDD in Hong Kong>-<10 hex digits>``, the digits being
  the start of SHA-256 over ``session id \\x1f order id``: unique per order (one venue
  order belongs to one session) and the same every time the note is produced.
- **Trade date and time**: the order's first recorded fill (its venue time), in UTC and in
  Hong Kong time. An order that filled over several days has one note for its cumulative
  fills, dated by its first, so its due date is the strictest.
- **Due by**: the trade date plus two Hong Kong business days (weekends skipped; public
  holidays only as configured, see :mod:`execution.records.calendar`).
- **Issued at**: when the journal recorded the fills the note states: the note is
  available from that moment (``GET /api/contract-notes/{order_id}``). A later fill of a
  resting order revises it (same number, a later issue time). ``on_time``: issued no later
  than the due date.
- **Money**: quantity, gross value (the venue's quote value of the fills, the sum of
  price x quantity), fee and its currency are the venue's exact decimals; the average
  price is gross / quantity to 10 decimal places. The net settlement is in the quote
  currency: a buy pays gross plus a fee charged in the quote currency, a sell receives
  gross less it; a fee charged in another currency (the base, on a buy) is taken from
  that currency, as ``flows`` shows (every currency's signed change to the account).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from execution.decimals import fixed_decimals
from execution.errors import ExecutionError
from execution.records.calendar import contract_note_due, iso_hkt, iso_utc, trade_date
from execution.records.figures import Figure
from execution.records.trades import OrderRecord
from intent.models import Model

TIME_ZONE = "Asia/Hong_Kong"
_AVERAGE_PLACES = Decimal("1e-10")


class NoFill(ExecutionError):
    """The order has no fill yet: a contract note states filled quantity only."""

    code = "no_fill"


class Money(Model):
    amount: Figure
    currency: str


class Settlement(Model):
    """What the customer pays (a buy) or receives (a sell), in the quote currency."""

    direction: Literal["pay", "receive"]
    amount: Figure
    currency: str


class ContractNote(Model):
    note_number: str
    customer_id: str
    issued_at_utc: str
    issued_at_hkt: str
    trade_date: str  # YYYY-MM-DD, Hong Kong
    traded_at_utc: str
    traded_at_hkt: str
    last_fill_at_utc: str
    last_fill_at_hkt: str
    time_zone: str
    due_by: str  # YYYY-MM-DD, Hong Kong: trade date + 2 business days
    on_time: bool  # issued (Hong Kong date) no later than due_by
    symbol: str
    base: str
    quote: str
    side: str
    order_type: str
    status: str  # the order's status when the note was issued (closed, open, canceled)
    quantity: Figure
    average_price: Figure
    gross_value: Money
    fee: Money
    net_settlement: Settlement
    flows: dict[str, Figure]  # each currency's signed change to the customer's account
    order_id: str
    client_order_id: str | None
    session_id: str
    step_id: str
    description: str
    traded_ms: int
    issued_ms: int


def note_number(record: OrderRecord) -> str:
    if record.first_fill_ms is None:
        raise NoFill(f"order {record.order_id!r} has no fill: it has no contract note")
    day = trade_date(record.first_fill_ms).strftime("%Y%m%d")
    digest = hashlib.sha256(f"{record.session_id}\x1f{record.order_id}".encode()).hexdigest()
    return f"CN-{day}-{digest[:10].upper()}"


@fixed_decimals
def contract_note(record: OrderRecord, holidays: Collection[date] = ()) -> ContractNote:
    """The contract note of a filled order; :class:`NoFill` if nothing has filled."""
    if not record.filled or record.first_fill_ms is None or record.last_fill_ms is None:
        raise NoFill(
            f"order {record.order_id!r} has no fill yet (status {record.status!r}): "
            "a contract note is issued once some of it has filled"
        )
    base, _, quote = record.symbol.partition("/")
    quote = quote.split(":")[0]
    fee_currency = record.fee_currency or quote
    buy = record.side == "buy"
    flows: dict[str, Decimal] = {
        base: record.quantity if buy else -record.quantity,
        quote: -record.gross if buy else record.gross,
    }
    flows[fee_currency] = flows.get(fee_currency, Decimal(0)) - record.fee
    fee_in_quote = record.fee if fee_currency == quote else Decimal(0)
    net = record.gross + fee_in_quote if buy else record.gross - fee_in_quote
    day = trade_date(record.first_fill_ms)
    due = contract_note_due(day, holidays)
    return ContractNote(
        note_number=note_number(record),
        customer_id=record.owner,
        issued_at_utc=iso_utc(record.recorded_ms),
        issued_at_hkt=iso_hkt(record.recorded_ms),
        trade_date=day.isoformat(),
        traded_at_utc=iso_utc(record.first_fill_ms),
        traded_at_hkt=iso_hkt(record.first_fill_ms),
        last_fill_at_utc=iso_utc(record.last_fill_ms),
        last_fill_at_hkt=iso_hkt(record.last_fill_ms),
        time_zone=TIME_ZONE,
        due_by=due.isoformat(),
        on_time=trade_date(record.recorded_ms) <= due,
        symbol=record.symbol,
        base=base,
        quote=quote,
        side=record.side,
        order_type=record.type,
        status=record.status,
        quantity=record.quantity,
        average_price=(record.gross / record.quantity).quantize(
            _AVERAGE_PLACES, rounding=ROUND_HALF_EVEN
        ),
        gross_value=Money(amount=record.gross, currency=quote),
        fee=Money(amount=record.fee, currency=fee_currency),
        net_settlement=Settlement(
            direction="pay" if buy else "receive", amount=net, currency=quote
        ),
        flows={ccy: amount for ccy, amount in sorted(flows.items()) if amount},
        order_id=record.order_id,
        client_order_id=record.client_order_id,
        session_id=record.session_id,
        step_id=record.step_id,
        description=record.description,
        traded_ms=record.first_fill_ms,
        issued_ms=record.recorded_ms,
    )


__all__ = [
    "TIME_ZONE",
    "ContractNote",
    "Money",
    "NoFill",
    "Settlement",
    "contract_note",
    "note_number",
]
