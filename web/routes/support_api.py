"""Support staff: read-only access to every session and its verified journal, and to each
customer's record across their sessions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from execution.actors import Actor
from execution.clock import iso
from execution.errors import NotFound
from execution.journal import Event, Verification, verify_chain
from execution.journal.events import NOTE_MAX_CHARS, SupportNote
from execution.journal.index import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Cursor,
    Flag,
    SessionIndex,
    SessionPage,
    SessionQuery,
)
from execution.session.customer import CustomerView
from execution.session.lifecycle import PlanState, StepState
from execution.session.replay import ReplayReport, parsers_for, rerun
from execution.session.transcript import transcript
from web.deps import ServicesDep, Support, actor_for, errors
from web.services import Services

router = APIRouter(prefix="/api/support", tags=["support"], responses=errors(401, 403, 404))


#: Every state the ``state`` filter takes: a plan's or a step's.
STATES: tuple[str, ...] = tuple(dict.fromkeys((*get_args(PlanState), *get_args(StepState))))


class SessionFilters(BaseModel):
    """The support console's search of sessions, as the API and the page take it (a blank
    form field is no filter)."""

    model_config = ConfigDict(extra="forbid")

    customer: str | None = Field(default=None, max_length=200, description="the owner's id")
    since: datetime | None = Field(
        default=None, description="opened at or after (ISO 8601; no zone: UTC)"
    )
    until: datetime | None = Field(
        default=None, description="opened before (ISO 8601; no zone: UTC)"
    )
    state: str | None = Field(default=None, description="a plan state or a step state")
    symbol: str | None = Field(
        default=None, max_length=40, description="a market (BTC/USDT) or an asset (BTC)"
    )
    q: str | None = Field(
        default=None,
        max_length=200,
        description="text in the messages or plan descriptions (case-insensitive)",
    )
    flag: list[Flag] = Field(default_factory=list, description="each flag must be raised")
    include_empty: bool = Field(
        default=False, description="also sessions in which the customer wrote nothing"
    )
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(
        default=None, max_length=400, description="next_cursor of the page before"
    )

    @field_validator("customer", "since", "until", "state", "symbol", "q", "cursor", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("state")
    @classmethod
    def _known_state(cls, value: str | None) -> str | None:
        if value is not None and value not in STATES:
            raise ValueError(f"unknown state {value!r}; states are {', '.join(STATES)}")
        return value

    @field_validator("cursor")
    @classmethod
    def _our_cursor(cls, value: str | None) -> str | None:
        if value is not None:
            Cursor.decode(value)  # ValueError names what is wrong
        return value

    def query(self) -> SessionQuery:
        return SessionQuery(
            owner=self.customer,
            since_ms=None if self.since is None else _ms(self.since),
            until_ms=None if self.until is None else _ms(self.until),
            state=self.state,
            symbol=self.symbol,
            text=self.q,
            flags=tuple(self.flag),
            include_empty=self.include_empty,
            limit=self.limit,
            after=None if self.cursor is None else Cursor.decode(self.cursor),
        )


def _ms(when: datetime) -> int:
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)


class SessionSummary(BaseModel):
    id: str
    owner: str
    opened_at: str = Field(description="ISO 8601 UTC")
    last_at: str = Field(description="ISO 8601 UTC")
    events: int
    first_request: str = Field(description="the customer's first message ('' if none)")
    orders_placed: int = Field(description="orders the venue accepted")
    outcome: str = Field(description="execution.journal.index's outcome code")
    flags: list[Flag]
    symbols: list[str]

    @classmethod
    def of(cls, index: SessionIndex) -> SessionSummary:
        return cls(
            id=index.session_id,
            owner=index.owner,
            opened_at=iso(index.opened_ms),
            last_at=iso(index.last_ms),
            events=index.events,
            first_request=index.first_request,
            orders_placed=index.orders_placed,
            outcome=index.outcome,
            flags=list(index.flags),
            symbols=list(index.symbols),
        )


class SessionsOut(BaseModel):
    sessions: list[SessionSummary]
    next_cursor: str | None = Field(description="the next page's cursor; null on the last page")


def search_sessions(services: Services, filters: SessionFilters) -> SessionPage:
    """The one search of sessions: the API and the console page both call it."""
    return services.journal.search(filters.query())


class ChainOut(BaseModel):
    ok: bool
    events: int
    problems: list[str]


class ReverifyOut(BaseModel):
    session_id: str
    ok: bool = Field(description="false on a broken chain or any difference")
    chain: ChainOut
    rerun: dict[str, Any] = Field(description="every check of the re-run, with its differences")


class NoteIn(BaseModel):
    """An internal note: what support wants the next reader of the session to know."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NOTE_MAX_CHARS)
    ] = Field(description=f"1 to {NOTE_MAX_CHARS} characters (surrounding spaces dropped)")


class NoteOut(BaseModel):
    session_id: str
    seq: int = Field(description="the note's entry in the session's journal")
    author: str
    role: str
    text: str
    at: str = Field(description="ISO 8601 UTC")
    hash: str


@router.get("/sessions", responses=errors(422))
def list_sessions(
    principal: Support, services: ServicesDep, filters: Annotated[SessionFilters, Query()]
) -> SessionsOut:
    """Sessions newest first (by opening time), filtered, a page at a time: pass
    ``next_cursor`` back as ``cursor`` for the next (older) page. Sessions in which the
    customer wrote nothing are left out unless ``include_empty``."""
    found = search_sessions(services, filters)
    return SessionsOut(
        sessions=[SessionSummary.of(index) for index in found.sessions],
        next_cursor=None if found.next is None else found.next.encode(),
    )


@router.get("/sessions/{session_id}/reverify")
def reverify_session(
    session_id: str, request: Request, principal: Support, services: ServicesDep
) -> ReverifyOut:
    """The re-simulation diff: the chain check, then every parse, plan and preview of the
    session re-run on its recorded inputs and compared with what was recorded. Read-only:
    nothing is journaled and no venue is asked. ``ok`` is false on a broken chain or any
    difference."""
    services.assistant.state(session_id, actor_for(principal, request))  # 404 if unknown
    return reverify_out(*reverify(services, session_id))


def reverify_out(verification: Verification, report: ReplayReport) -> ReverifyOut:
    """The re-run report as the API (and a session's export bundle) gives it."""
    return ReverifyOut(
        session_id=verification.session_id,
        ok=verification.ok and report.ok,
        chain=ChainOut(
            ok=verification.ok, events=verification.events, problems=list(verification.problems)
        ),
        rerun=report.to_json(),
    )


@router.get("/customers/{customer_id}")
def get_customer(
    customer_id: str, request: Request, principal: Support, services: ServicesDep
) -> CustomerView:
    """One customer: every session (opened, last event, outcome), every order sent for them
    (clientOrderId, symbol, side, quantity, state, average fill price, fee), every fill and
    every standing order (mandate) in its current state. 404 for an unknown customer."""
    return customer_record(services, customer_id, actor_for(principal, request))


def customer_record(services: Services, customer_id: str, actor: Actor) -> CustomerView:
    """The customer view the page and the API show: a customer account, or anyone who
    has sessions in the journal (an account since removed), else :class:`NotFound`."""
    view = services.assistant.customer_view(customer_id, actor)
    account = services.principals.by_id(customer_id)
    if not view.sessions and (account is None or account.role != "customer"):
        raise NotFound(f"no customer {customer_id!r}: no customer account and no session")
    return view


@router.post(
    "/sessions/{session_id}/notes",
    status_code=status.HTTP_201_CREATED,
    responses=errors(409, 422),
)
def add_note(
    session_id: str, body: NoteIn, request: Request, principal: Support, services: ServicesDep
) -> NoteOut:
    """Attach an internal note to the session (support and admin staff). It is journaled
    like every entry, so it cannot be edited or deleted; it changes nothing the customer
    sees or the session's trading state, and a re-run passes over it."""
    event = services.assistant.add_note(session_id, actor_for(principal, request), body.text)
    note = SupportNote.model_validate({**event.payload, "kind": event.kind})
    return NoteOut(
        session_id=session_id,
        seq=event.seq,
        author=note.author,
        role=note.role,
        text=note.text,
        at=iso(event.ts_ms),
        hash=event.hash,
    )


def reverify(
    services: Services, session_id: str, events: list[Event] | None = None
) -> tuple[Verification, ReplayReport]:
    """Check the session's chain and re-run it with the app's parser, policy and settings;
    ``events``: the journal as already read (an export checks the entries it holds)."""
    if events is None:
        verification, events = (
            services.journal.verify(session_id),
            services.journal.read(session_id),
        )
    else:
        verification = verify_chain(session_id, events)
    report = rerun(
        session_id,
        events,
        parsers=parsers_for(services.parser),
        policy=services.current_policy(),
        ttl_ms=services.settings.confirmation_ttl_s * 1000,
        default_quote=services.settings.default_quote,
    )
    return verification, report


def session_page(
    services: Services,
    session_id: str,
    events: list[Event] | None = None,
    checked: tuple[Verification, ReplayReport] | None = None,
) -> dict[str, Any]:
    """What the console's session page (``support_session.html``) lays out: the transcript,
    the chain check and the re-run's findings, each linked to its turn. The page and a
    session's export bundle both render this; ``events`` and ``checked``: the journal as
    already read and its :func:`reverify` (an export shows the entries it holds)."""
    if events is None:
        events = services.journal.read(session_id)
    verification, report = checked or reverify(services, session_id, events)
    told = transcript(events, session_id=session_id)
    return {
        "tx": told,
        "verification": verification,
        "report": report,
        "findings": [(c, told.turn_of(c.seq)) for c in report.checks if c.status != "ok"],
        "differing": {c.seq for c in report.differences},
        "note_max": NOTE_MAX_CHARS,
        "iso": iso,
    }
