"""Support staff: read-only access to every session and its verified journal, and to each
customer's record across their sessions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from execution.actors import Actor
from execution.clock import iso
from execution.errors import NotFound
from execution.journal import Event, Verification, verify_chain
from execution.journal.events import NOTE_MAX_CHARS, SupportNote
from execution.session.customer import CustomerView
from execution.session.replay import ReplayReport, parsers_for, rerun
from execution.session.transcript import transcript
from web.deps import ServicesDep, Support, actor_for, errors
from web.services import Services

router = APIRouter(prefix="/api/support", tags=["support"], responses=errors(401, 403, 404))


class SessionSummary(BaseModel):
    id: str
    owner: str
    opened_at: str = Field(description="ISO 8601 UTC")
    last_at: str = Field(description="ISO 8601 UTC")
    events: int


class SessionsOut(BaseModel):
    sessions: list[SessionSummary]


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


@router.get("/sessions")
def list_sessions(principal: Support, services: ServicesDep) -> SessionsOut:
    """Every session, newest first."""
    return SessionsOut(
        sessions=[
            SessionSummary(
                id=s.session_id,
                owner=s.owner,
                opened_at=iso(s.opened_ms),
                last_at=iso(s.last_ms),
                events=s.events,
            )
            for s in services.journal.sessions()
        ]
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
