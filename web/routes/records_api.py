"""Records: contract notes, monthly statements and a session's export bundle.

Who reads what: a customer their own records (another customer's are 404, as if they did
not exist); support and administrators any customer's; other roles none (403). The
computations are in :mod:`execution.records`; the export bundle is built by
:func:`web.records.export.export_session`, as ``tradeassist export`` builds it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from execution.errors import NotFound
from execution.records.calendar import InvalidMonth, Month
from execution.records.contract_notes import ContractNote, contract_note
from execution.records.figures import plain
from execution.records.statements import Statement, build_statement, statement_csv
from execution.records.trades import OrderRecord, customer_orders, find_order
from web.auth import Principal
from web.deps import ServicesDep, SessionReader, Support, actor_for, errors
from web.records.export import export_session
from web.services import Services

router = APIRouter(tags=["records"], responses=errors(401, 403, 404))


class ContractNotesOut(BaseModel):
    customer: str | None = Field(description="whose notes (null: every customer's)")
    notes: list[ContractNote]


def _templates(request: Request) -> Any:
    return request.app.state.templates


def _customer_in_view(principal: Principal, customer: str | None) -> str | None:
    """Whose records ``principal`` reads: a customer only their own (another's is 404);
    support and administrators ``customer``'s, or everyone's."""
    if principal.role == "customer":
        if customer is not None and customer != principal.user_id:
            raise NotFound(f"no customer {customer!r}")
        return principal.user_id
    return customer


def _orders(services: Services, customer: str | None) -> list[OrderRecord]:
    return customer_orders(services.journal, customer)


def _notes(services: Services, customer: str | None) -> list[ContractNote]:
    holidays = services.settings.hk_holidays
    return [contract_note(r, holidays) for r in _orders(services, customer) if r.filled]


@router.get("/api/contract-notes")
def list_contract_notes(
    principal: SessionReader,
    services: ServicesDep,
    customer: Annotated[
        str | None, Query(description="support: whose notes (default: every customer's)")
    ] = None,
) -> ContractNotesOut:
    """Contract notes, oldest trade first: a customer's own; support's for ``customer``.
    Each carries its ``due_by`` (trade date + 2 Hong Kong business days) and
    ``issued_at_*``, so that every note went out in time can be checked."""
    whose = _customer_in_view(principal, customer)
    return ContractNotesOut(customer=whose, notes=_notes(services, whose))


@router.get(
    "/api/contract-notes/{order_id}",
    response_model=ContractNote,
    responses={
        **errors(409),
        200: {"content": {"text/html": {}}, "description": "JSON, or with format=html a page"},
    },
)
def get_contract_note(
    order_id: str,
    request: Request,
    principal: SessionReader,
    services: ServicesDep,
    format: Annotated[
        Literal["json", "html"], Query(description="html: a printable page")
    ] = "json",
) -> Any:
    """The contract note of a filled order (the venue's order id): 404 if there is no such
    order among the records the caller may read, 409 ``no_fill`` if it has not filled."""
    whose = _customer_in_view(principal, None)
    record = find_order(_orders(services, whose), order_id)
    if record is None:
        raise NotFound(f"no order {order_id!r}")
    note = contract_note(record, services.settings.hk_holidays)  # NoFill: 409
    if format == "html":
        response: HTMLResponse = _templates(request).TemplateResponse(
            request, "contract_note.html", {"note": note, "plain": plain}
        )
        return response
    return note


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except InvalidMonth as exc:
        raise _bad_month(exc) from None


def _bad_month(exc: InvalidMonth) -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        [{"loc": ["path", "month"], "msg": str(exc), "type": "value_error"}],
    )


@router.get(
    "/api/statements/{customer}/{month}",
    response_model=Statement,
    responses={
        **errors(422, 502, 503),
        200: {
            "content": {"text/csv": {}, "text/html": {}},
            "description": "JSON, or with format=csv or html the same statement",
        },
    },
)
def get_statement(
    customer: str,
    month: str,
    request: Request,
    principal: SessionReader,
    services: ServicesDep,
    format: Annotated[Literal["json", "csv", "html"], Query()] = "json",
) -> Any:
    """A customer's statement for a Hong Kong calendar month (``YYYY-MM``): opening and
    closing balance per asset, the month's fills, total fees per currency, and the
    assumptions its balances rest on. A customer reads their own only."""
    whose = _customer_in_view(principal, customer)
    account = services.principals.by_id(customer)
    if whose is None or account is None or account.role != "customer":
        raise NotFound(f"no customer {customer!r}")
    period = _month(month)
    balances = services.assistant.balances(customer)["total"]
    try:
        statement = build_statement(
            customer, period, _notes(services, customer), balances, services.clock.now_ms()
        )
    except InvalidMonth as exc:  # a month not yet begun
        raise _bad_month(exc) from None
    name = f"statement-{customer}-{period}"
    if format == "csv":
        return PlainTextResponse(
            statement_csv(statement),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if format == "html":
        response: HTMLResponse = _templates(request).TemplateResponse(
            request, "statement.html", {"statement": statement, "plain": plain}
        )
        return response
    return statement


@router.get(
    "/api/support/sessions/{session_id}/export",
    response_class=Response,
    responses={
        200: {
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            "description": "the bundle (a zip)",
        }
    },
)
def export_bundle(
    session_id: str, request: Request, principal: Support, services: ServicesDep
) -> Response:
    """The session's export bundle for complaint handling: a zip of ``events.jsonl`` (the
    journal as stored), ``verification.json`` (chain check and re-run), ``transcript.html``
    and ``manifest.json`` (SHA-256 and size of each file). ``tradeassist verify-export``
    checks one from the file alone."""
    data = export_session(services, session_id, actor_for(principal, request))
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="session-{session_id}.zip"'},
    )
