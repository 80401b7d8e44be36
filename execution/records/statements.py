"""A customer's monthly statement: opening and closing balance per asset, the month's
fills (from their contract notes) and the fees paid per currency.

Months are Hong Kong calendar months; a fill belongs to the month of its trade time (the
contract note's). No balance history is stored, so balances are derived (and the statement
says so in its footer): the closing balance is the venue's balance now less the net flows
of the fills traded after the month; the opening balance is the closing less the month's
net flows. That holds only if every change to the account is a fill journaled here (no
deposits, withdrawals or trades made elsewhere).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal

from execution.decimals import fixed_decimals
from execution.records.calendar import InvalidMonth, Month, iso_hkt, iso_utc
from execution.records.contract_notes import ContractNote
from execution.records.figures import Figure, plain
from intent.models import Model

ASSUMPTION_DERIVED = (
    "No balance history is kept: the closing balance is the account's balance at "
    "{as_of} less the net flows of the fills traded after the month, and the opening "
    "balance is the closing balance less this month's net flows. This assumes every change "
    "to the account is a fill listed in these records (no deposits, withdrawals or trades "
    "made elsewhere)."
)
ASSUMPTION_OPEN = "The month has not ended: its closing balance is the balance at {as_of}."
ASSUMPTION_TIMES = "Times are Hong Kong time (HKT, UTC+8); a fill belongs to the month it traded."


class BalanceLine(Model):
    asset: str
    opening: Figure
    net_flows: Figure  # the month's fills, signed
    closing: Figure


class StatementFill(Model):
    traded_at_utc: str
    traded_at_hkt: str
    note_number: str
    order_id: str
    symbol: str
    side: str
    quantity: Figure
    price: Figure  # average
    gross: Figure
    gross_currency: str
    fee: Figure
    fee_currency: str
    net: Figure
    net_currency: str


class Statement(Model):
    customer_id: str
    month: str
    period_start_hkt: str
    period_end_hkt: str  # exclusive
    balances_as_of_utc: str
    generated_at_utc: str
    balances: tuple[BalanceLine, ...]
    fills: tuple[StatementFill, ...]
    fees: dict[str, Figure]  # total per currency
    notes: tuple[str, ...]  # the assumptions made


@fixed_decimals
def build_statement(
    customer: str,
    month: Month,
    notes: Sequence[ContractNote],
    balances_now: Mapping[str, Decimal],
    now_ms: int,
) -> Statement:
    """The statement of ``customer`` for ``month`` from every contract note of theirs
    (any month) and their total balance per asset at ``now_ms``."""
    if month.start_ms > now_ms:
        raise InvalidMonth(f"month {str(month)!r} has not begun")
    after: dict[str, Decimal] = defaultdict(Decimal)
    during: dict[str, Decimal] = defaultdict(Decimal)
    fees: dict[str, Decimal] = defaultdict(Decimal)
    fills: list[StatementFill] = []
    for note in sorted(notes, key=lambda n: n.traded_ms):  # stable: the caller's order
        if note.traded_ms >= month.end_ms:
            for asset, amount in note.flows.items():
                after[asset] += amount
        elif note.traded_ms >= month.start_ms:
            for asset, amount in note.flows.items():
                during[asset] += amount
            fees[note.fee.currency] += note.fee.amount
            fills.append(_fill(note))
    lines = []
    for asset in sorted(set(balances_now) | set(after) | set(during)):
        closing = balances_now.get(asset, Decimal(0)) - after[asset]
        lines.append(
            BalanceLine(
                asset=asset,
                opening=closing - during[asset],
                net_flows=during[asset],
                closing=closing,
            )
        )
    as_of = iso_utc(now_ms)
    assumptions = [ASSUMPTION_DERIVED.format(as_of=as_of), ASSUMPTION_TIMES]
    if month.end_ms > now_ms:
        assumptions.insert(1, ASSUMPTION_OPEN.format(as_of=as_of))
    return Statement(
        customer_id=customer,
        month=str(month),
        period_start_hkt=iso_hkt(month.start_ms),
        period_end_hkt=iso_hkt(month.end_ms),
        balances_as_of_utc=as_of,
        generated_at_utc=as_of,
        balances=tuple(lines),
        fills=tuple(fills),
        fees={ccy: total for ccy, total in sorted(fees.items())},
        notes=tuple(assumptions),
    )


def _fill(note: ContractNote) -> StatementFill:
    return StatementFill(
        traded_at_utc=note.traded_at_utc,
        traded_at_hkt=note.traded_at_hkt,
        note_number=note.note_number,
        order_id=note.order_id,
        symbol=note.symbol,
        side=note.side,
        quantity=note.quantity,
        price=note.average_price,
        gross=note.gross_value.amount,
        gross_currency=note.gross_value.currency,
        fee=note.fee.amount,
        fee_currency=note.fee.currency,
        net=note.net_settlement.amount,
        net_currency=note.net_settlement.currency,
    )


def statement_csv(statement: Statement) -> str:
    """The statement as CSV: a header section, then ``balances``, ``fills``, ``fees`` and
    ``notes`` sections, each a title row and its own column header, a blank row between."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")

    def write(row: Sequence[object]) -> None:
        writer.writerow([plain(v) if isinstance(v, Decimal) else v for v in row])

    write(["statement", "customer", "month", "period_start_hkt", "period_end_hkt", "as_of_utc"])
    write(
        [
            "monthly statement",
            statement.customer_id,
            statement.month,
            statement.period_start_hkt,
            statement.period_end_hkt,
            statement.balances_as_of_utc,
        ]
    )
    write([])
    write(["balances"])
    write(["asset", "opening", "net_flows", "closing"])
    for b in statement.balances:
        write([b.asset, b.opening, b.net_flows, b.closing])
    write([])
    write(["fills"])
    write(
        [
            "time_hkt",
            "time_utc",
            "note_number",
            "order_id",
            "symbol",
            "side",
            "quantity",
            "price",
            "gross",
            "gross_currency",
            "fee",
            "fee_currency",
            "net",
            "net_currency",
        ]
    )
    for f in statement.fills:
        write(
            [
                f.traded_at_hkt,
                f.traded_at_utc,
                f.note_number,
                f.order_id,
                f.symbol,
                f.side,
                f.quantity,
                f.price,
                f.gross,
                f.gross_currency,
                f.fee,
                f.fee_currency,
                f.net,
                f.net_currency,
            ]
        )
    write([])
    write(["fees"])
    write(["currency", "total"])
    for currency, total in statement.fees.items():
        write([currency, total])
    write([])
    write(["notes"])
    for note in statement.notes:
        write([note])
    return out.getvalue()


__all__ = [
    "BalanceLine",
    "Statement",
    "StatementFill",
    "build_statement",
    "statement_csv",
]
