"""Live updates for the chat page, as Server-Sent Events read from the journal.

Two streams, both for the signed-in customer only:

- ``GET /api/sessions/{id}/stream``: what changed in one session (a step's state and
  outcome, a mandate's k-of-N, a reply the page has not shown, a plan's state), one event
  per journal entry (:mod:`execution.session.changes`). The event id is
  ``<session id>:<seq>``, the entry's position.
- ``GET /api/orders/stream``: that something changed in the orders panel (open orders,
  standing orders, fills), in any of the customer's sessions: a mandate in one session
  places orders while the page shows another. The event names the sessions and steps; the
  panel fetches ``GET /api/orders`` again. The event id is the number of entries in all the
  customer's sessions, which only grows (the journal is append-only), so an equal number
  means nothing happened.

**Resume.** A client that reconnects sends ``Last-Event-ID`` (EventSource does) and hears
only what came after it; a first connection may name its position with ``?after=``. An
entry that changes nothing shown still moves the position: an ``id:`` line with no data,
which updates EventSource's Last-Event-ID without an event. A position that is malformed,
names another session, or lies beyond the journal's end is refused with 400
(``invalid_last_event_id``), never guessed at.

**How changes are noticed.** Each connection reads the journal's tail by sequence number
every ``stream_poll_s`` (the SQLite and Redis journals alike: one indexed read when nothing
changed), in a worker thread, so the event loop never waits on the journal. A comment
(``: ping``) every ``stream_heartbeat_s`` keeps proxies from closing a quiet connection;
each connection ends after ``stream_lifetime_s`` (EventSource reconnects, with its
position), when the client goes away, or at once when the server begins to stop
(:class:`StreamHub`).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import anyio
from anyio import to_thread
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from execution.errors import JournalError
from execution.journal import Event, Journal
from execution.session.changes import CONCERNS_ORDERS, Change, catch_up, follow
from execution.session.state import SessionState
from web.deps import Customer, ErrorBody, ErrorOut, ServicesDep, actor_for

logger = logging.getLogger(__name__)


def _json_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The errors a stream answers with, in the one JSON envelope (a route's own models
    would be documented as its event stream's)."""
    envelope = {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
    return {
        code: {"description": "Error", "content": {"application/json": envelope}} for code in codes
    }


# 400: a Last-Event-ID (or ?after=) that is no position of the stream; 404: not their session
router = APIRouter(tags=["live updates"], responses=_json_errors(400, 401, 403, 404, 422))

#: How long EventSource waits before reconnecting after a connection ends (ms).
RETRY_MS = 1_000

#: The API's sentences about a stream's position, by code (one place, to translate later).
MESSAGES = {
    "invalid_last_event_id": "Last-Event-ID {value!r} is not a position of this stream "
    "(expected {expected})",
    "position_ahead": "position {value!r} is past the end of this stream (its last entry is "
    "{head})",
}

_HEADERS = {
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",  # a proxy (nginx) passes each event on at once
}
_SEQ = re.compile(r"^(0|[1-9][0-9]{0,17})$")
_LAST_EVENT_ID = Header(
    description="the id of the last event heard (EventSource sends it when it reconnects): "
    "only what came after it is sent"
)


class StreamHub:
    """What the open streams share: a flag the server raises when it begins to stop, so
    every stream ends within one poll and the server does not wait for them."""

    def __init__(self) -> None:
        self._closing = threading.Event()

    @property
    def closing(self) -> bool:
        return self._closing.is_set()

    def close(self) -> None:
        """End every open stream (safe from a signal handler or any thread)."""
        self._closing.set()


class StreamEvent(BaseModel):
    """One Server-Sent Event, as the lines ``id: …``, ``event: …``, ``data: …`` and a blank
    line. Besides events, a stream sends ``retry: 1000``, ``: ping`` comments, and lines
    ``id: …`` alone (the position moved; no event)."""

    id: str = Field(description="the position to resume after (Last-Event-ID)")
    event: Literal["step", "reply", "plan", "orders"]
    data: dict[str, Any] = Field(
        description="step: the step as it now stands (no preview; mandate_progress for a "
        "mandate's steps); reply: text, plan_id, ts_ms; plan: plan_id, state; orders: resync "
        "(fetch the panel), sessions (session id -> the step ids that changed)"
    )


class EventStreamResponse(StreamingResponse):
    media_type = "text/event-stream"


@dataclass(frozen=True, slots=True)
class StreamTiming:
    poll_s: float
    heartbeat_s: float
    lifetime_s: float


def _refused(code: str, **params: Any) -> JSONResponse:
    body = ErrorOut(
        error=ErrorBody(code="invalid_last_event_id", message=MESSAGES[code].format(**params))
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=400)


def _frame(event_id: str, kind: str | None = None, data: dict[str, Any] | None = None) -> str:
    if kind is None:
        return f"id: {event_id}\n\n"  # moves the position; EventSource fires no event
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
    return f"id: {event_id}\nevent: {kind}\ndata: {text}\n\n"


def _session_frames(session_id: str, changes: list[Change]) -> str:
    return "".join(
        _frame(f"{session_id}:{c.seq}", None if c.kind == "position" else c.kind, c.data)
        for c in changes
    )


def _hub(request: Request) -> StreamHub:
    hub: StreamHub = request.app.state.streams
    return hub


def _timing(request: Request) -> StreamTiming:
    timing: StreamTiming = request.app.state.stream_timing
    return timing


async def _run(
    request: Request, first: str, poll: Callable[[], Awaitable[str | None]]
) -> AsyncIterator[str]:
    """``first``, then what each poll finds, until the lifetime ends, the client leaves,
    the server stops or the journal cannot be read (the client reconnects later)."""
    hub, timing = _hub(request), _timing(request)
    yield f"retry: {RETRY_MS}\n\n" + first
    started = quiet_since = anyio.current_time()
    while not hub.closing:
        now = anyio.current_time()
        if now - started >= timing.lifetime_s or await request.is_disconnected():
            return
        try:
            found = await poll()
        except JournalError as exc:
            logger.warning("live stream ended: %s", exc)
            return
        if found:
            yield found
            quiet_since = now
        elif now - quiet_since >= timing.heartbeat_s:
            yield ": ping\n\n"
            quiet_since = now
        await anyio.sleep(max(0.0, min(timing.poll_s, started + timing.lifetime_s - now)))


def _stream(frames: AsyncIterator[str]) -> EventStreamResponse:
    return EventStreamResponse(frames, headers=_HEADERS)


@router.get(
    "/api/sessions/{session_id}/stream",
    response_class=EventStreamResponse,
    responses={200: {"model": StreamEvent}},
)
async def session_stream(
    session_id: str,
    request: Request,
    principal: Customer,
    services: ServicesDep,
    after: Annotated[
        int | None,
        Query(ge=-1, description="the seq of the last entry the client has (first connection)"),
    ] = None,
    last_event_id: Annotated[str | None, _LAST_EVENT_ID] = None,
) -> Any:
    """The session's changes as Server-Sent Events (``step``, ``reply``, ``plan``), from
    ``Last-Event-ID`` (or ``after``; else from now). Only the session's owner may follow it."""
    state: SessionState = await to_thread.run_sync(
        services.assistant.state, session_id, actor_for(principal, request)
    )
    head = state.head[0]
    position = head if after is None else after
    if last_event_id:
        sid, _, seq = last_event_id.rpartition(":")
        if sid != session_id or not _SEQ.match(seq):
            return _refused(
                "invalid_last_event_id", value=last_event_id[:80], expected=f"'{session_id}:<seq>'"
            )
        position = int(seq)
    if position > head:
        return _refused("position_ahead", value=last_event_id or after, head=head)
    journal = services.journal

    def read_tail() -> str | None:
        events = journal.read(session_id, after_seq=state.head[0])
        return _session_frames(session_id, follow(state, events)) if events else None

    def read_behind() -> str:
        behind = journal.read(session_id, after_seq=position)
        seen = [e for e in behind if e.seq <= head]
        newer = [e for e in behind if e.seq > head]
        return _session_frames(session_id, catch_up(state, seen) + follow(state, newer))

    first = await to_thread.run_sync(read_behind) if position < head else ""
    return _stream(_run(request, first, lambda: to_thread.run_sync(read_tail)))


@router.get(
    "/api/orders/stream",
    response_class=EventStreamResponse,
    responses={200: {"model": StreamEvent}},
)
async def orders_stream(
    request: Request,
    principal: Customer,
    services: ServicesDep,
    last_event_id: Annotated[str | None, _LAST_EVENT_ID] = None,
) -> Any:
    """``orders`` events as Server-Sent Events when the customer's open orders, standing
    orders or fills change, in any of their sessions. A first connection, and one that
    missed changes while away, hears ``{"resync": true}`` first: fetch the panel once."""
    owner = actor_for(principal, request).user_id
    journal = services.journal
    heads = await to_thread.run_sync(_heads, journal, owner)
    total = _total(heads)
    position: int | None = None
    if last_event_id:
        if not _SEQ.match(last_event_id):
            return _refused(
                "invalid_last_event_id", value=last_event_id[:80], expected="a number of entries"
            )
        position = int(last_event_id)
        if position > total:
            return _refused("position_ahead", value=last_event_id, head=total)
    first = (
        "" if position == total else _frame(str(total), "orders", {"resync": True, "sessions": {}})
    )

    follower = _OrdersFollower(journal, owner, heads)
    return _stream(_run(request, first, lambda: to_thread.run_sync(follower.poll)))


class _OrdersFollower:
    """One orders stream's view of the customer's sessions: the last entry read of each."""

    def __init__(self, journal: Journal, owner: str, heads: dict[str, int]) -> None:
        self.journal, self.owner, self.heads = journal, owner, heads

    def poll(self) -> str | None:
        """The frame for what the customer's sessions appended since the last poll: an
        ``orders`` event if any of it concerns the panel, else only the new position."""
        touched: dict[str, list[str]] = {}
        moved = False
        for session_id, last in _heads(self.journal, self.owner).items():
            known = self.heads.get(session_id, -1)
            if last == known:
                continue
            events: list[Event] = self.journal.read(session_id, after_seq=known)
            if not events:
                continue
            moved = True
            self.heads[session_id] = events[-1].seq
            steps = {
                e.payload["step_id"]
                for e in events
                if e.kind in CONCERNS_ORDERS and isinstance(e.payload.get("step_id"), str)
            }
            if steps:
                touched[session_id] = sorted(steps)
        if not moved:
            return None
        position = str(_total(self.heads))
        if not touched:
            return _frame(position)
        return _frame(position, "orders", {"resync": False, "sessions": touched})


def _heads(journal: Journal, owner: str) -> dict[str, int]:
    """The seq of the last entry of each of ``owner``'s sessions."""
    return {s.session_id: s.events - 1 for s in journal.sessions(owner=owner)}


def _total(heads: dict[str, int]) -> int:
    return sum(last + 1 for last in heads.values())


__all__ = [
    "MESSAGES",
    "RETRY_MS",
    "EventStreamResponse",
    "StreamEvent",
    "StreamHub",
    "StreamTiming",
    "router",
]
