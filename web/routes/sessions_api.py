"""The customer JSON API the chat page is a client of (cookie or bearer token)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from execution.assistant import PendingConfirmation, StepUpdate, Turn
from execution.i18n import Locale
from execution.journal import DEFAULT_PAGE, MAX_PAGE
from execution.session.state import Line, StepView
from web.deps import Customer, ServicesDep, SessionReader, actor_for, errors

router = APIRouter(
    prefix="/api/sessions",
    tags=["customer sessions"],
    # 409: a refused confirmation (token_expired, token_reused, token_mismatch,
    # step_not_confirmable, requote_required with the new preview, limit_exceeded) or a step
    # that cannot move (invalid_transition); 403 disclosure_required: a message before the
    # risk disclosure was acknowledged; 429 rate_limited: an abuse limit (messages, the
    # session's refused confirmations or fresh previews, unknown bearer tokens; Retry-After);
    # 502/503: the venue failed or did not answer
    responses=errors(401, 403, 404, 409, 422, 429, 502, 503),
)


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=500)
    #: the page's language, used when the message does not say which ("0.5")
    locale: Locale | None = None


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=200)


class SessionCreated(BaseModel):
    id: str


class StepOut(BaseModel):
    """A step's state; ``pending`` when it can be confirmed now; ``next``: the steps its
    outcome moved (a convert's second order, previewed on what the first yielded)."""

    step: StepView
    pending: PendingConfirmation | None = None
    next: list[StepOut] = Field(default_factory=list)


def _step_out(step: StepView, updates: list[StepUpdate]) -> StepOut:
    return StepOut(
        step=step,
        next=[StepOut(step=u.step, pending=u.pending) for u in updates],
    )


class SessionListed(BaseModel):
    id: str
    opened_ms: int
    last_ms: int
    events: int


class SessionsListed(BaseModel):
    sessions: list[SessionListed]


@router.get("")
def list_sessions(request: Request, principal: Customer, services: ServicesDep) -> SessionsListed:
    """The signed-in customer's own sessions, newest activity first (the chat page continues
    the newest)."""
    mine = services.assistant.sessions(actor_for(principal, request))
    return SessionsListed(
        sessions=[
            SessionListed(
                id=s.session_id, opened_ms=s.opened_ms, last_ms=s.last_ms, events=s.events
            )
            for s in mine
        ]
    )


@router.post("", status_code=201)
def create_session(request: Request, principal: Customer, services: ServicesDep) -> SessionCreated:
    """Open a new chat session for the signed-in customer."""
    return SessionCreated(id=services.assistant.open_session(actor_for(principal, request)))


@router.post("/{session_id}/messages")
def post_message(
    session_id: str,
    body: MessageIn,
    request: Request,
    principal: Customer,
    services: ServicesDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            pattern=r"^[A-Za-z0-9_-]{8,64}$",
            description="the client's key for this message: a second message with the same "
            "key is refused (409 duplicate_message), so a retry never makes a second preview",
        ),
    ] = None,
) -> Turn:
    """Send one customer message; the reply carries the plan, its preview and the tokens.
    Refused (403 disclosure_required) until the customer acknowledged the risk disclosure
    in force (/api/disclosures/risk)."""
    services.rate_limits.message(principal)
    services.disclosures.require(principal.user_id)
    return services.assistant.handle_message(
        session_id, actor_for(principal, request), body.text, idempotency_key, body.locale
    )


@router.post("/{session_id}/steps/{step_id}/confirm")
def confirm_step(
    session_id: str,
    step_id: str,
    body: ConfirmIn,
    request: Request,
    principal: Customer,
    services: ServicesDep,
) -> StepOut:
    """Confirm a step with the token issued with its preview; the order is sent once."""
    step, updates = services.assistant.confirm_step(
        session_id, step_id, actor_for(principal, request), body.token
    )
    return _step_out(step, updates)


@router.post("/{session_id}/steps/{step_id}/reject")
def reject_step(
    session_id: str, step_id: str, request: Request, principal: Customer, services: ServicesDep
) -> StepOut:
    """Say no to a step; nothing is sent."""
    step, updates = services.assistant.reject_step(
        session_id, step_id, actor_for(principal, request)
    )
    return _step_out(step, updates)


@router.post("/{session_id}/steps/{step_id}/preview")
def refresh_preview(
    session_id: str, step_id: str, request: Request, principal: Customer, services: ServicesDep
) -> StepOut:
    """Preview a step again (say, after its token expired) and issue a new token."""
    step, pending = services.assistant.refresh_step(
        session_id, step_id, actor_for(principal, request)
    )
    return StepOut(step=step, pending=pending)


class SessionOut(BaseModel):
    """A session as its journal folds. Plans, steps and orders keep the journal's shapes
    (``Plan``, the step views, ccxt order structures)."""

    id: str
    owner: str
    plans: list[dict[str, Any]] = Field(description="each plan (intent.models.Plan) and its state")
    steps: list[StepView]
    orders: list[dict[str, Any]] = Field(description="the venue's orders (ccxt structures)")
    transcript: list[Line]
    balances: dict[str, dict[str, str]] = Field(description="free, used, total per currency")
    seq: int = Field(
        description="the last journal entry folded in: follow the session's changes from "
        "there with GET /api/sessions/{id}/stream?after=seq"
    )


class ChainCheck(BaseModel):
    ok: bool
    problems: list[str]


class PageChainCheck(ChainCheck):
    """The page's stretch of the hash chain: each entry's hash recomputed, each linked to
    the one before, the first to the hash of entry ``checked_from`` (-1: the start)."""

    checked_from: int


class EventOut(BaseModel):
    """One journal entry. ``payload`` is exactly what was stored and hash-chained; its keys
    for each ``kind`` are the models of ``execution/journal/events.py``. A customer reads
    staff's internal notes (``support_note``) with the payload ``{"withheld": "staff
    only"}``: the entry and its hashes stay, the chain check ran on the stored entry."""

    session_id: str
    seq: int
    ts_ms: int
    kind: str
    actor: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class EventsOut(BaseModel):
    events: list[EventOut]
    next_after: int | None = Field(
        description="pass as ``after`` for the next page; null: this page reaches the end"
    )
    chain: PageChainCheck
    verification: ChainCheck = Field(
        description="deprecated, kept for older callers: the same check as ``chain`` (this "
        "page's entries, not the whole journal: /api/support/sessions/{id}/reverify checks "
        "all of it)"
    )


@router.get("/{session_id}")
def get_session(
    session_id: str, request: Request, principal: SessionReader, services: ServicesDep
) -> SessionOut:
    """The session as its journal folds: plans, steps, orders, transcript and balances."""
    state = services.assistant.state(session_id, actor_for(principal, request))
    balances = services.assistant.balances(state.owner)
    return SessionOut(
        id=session_id,
        owner=state.owner,
        plans=state.plans_json(),
        steps=list(state.steps.values()),
        orders=[step.venue_order for step in state.steps.values() if step.venue_order],
        transcript=state.transcript,
        balances={
            part: {k: str(v) for k, v in values.items()} for part, values in balances.items()
        },
        seq=state.head[0],
    )


@router.get("/{session_id}/events", responses=errors(422))
def get_events(
    session_id: str,
    request: Request,
    principal: SessionReader,
    services: ServicesDep,
    after: Annotated[
        int, Query(ge=-1, description="the entries after this seq (-1: from the first)")
    ] = -1,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE, description="at most this many entries")
    ] = DEFAULT_PAGE,
) -> EventsOut:
    """One page of the session's journal, each entry with its ``seq``, and the check of
    the page's stretch of the hash chain (linked to entry ``after``). Follow ``next_after``
    for the rest."""
    page = services.assistant.events_page(session_id, actor_for(principal, request), after, limit)
    problems = list(page.chain.problems)
    return EventsOut(
        events=[EventOut.model_validate(event.to_json()) for event in page.events],
        next_after=page.next_after,
        chain=PageChainCheck(ok=page.chain.ok, checked_from=page.after, problems=problems),
        verification=ChainCheck(ok=page.chain.ok, problems=problems),
    )
