"""The session index: what the support console searches by, kept beside the journal.

Each backend stores a session's :class:`SessionIndex` in the same atomic step as the
events it covers (one SQLite transaction; one Redis script call), so the index is never
behind the log it describes. The one computation is :func:`index_events`: the prior
index (None for a new session) plus a segment of events gives the new index. Backfilling
an old journal is the same call over all of a session's events.

Flags (sticky: once raised, a session keeps them):

* ``blocked``: a policy denied a step (``policy_denied``);
* ``requoted``: a confirmation was refused because the quote moved (a
  ``confirmation_refused`` with code ``requote_required``, or a preview recorded as a
  requote);
* ``refused_confirmation``: any confirmation was refused (``confirmation_refused``);
* ``failed_order``: an order failed (``order_failed``);
* ``mandate_paused``: a mandate reached a bound and paused (``mandate_paused``);
* ``injection``: a message tried to instruct the assistant: the parser refused it with
  the reason ``injection`` (:mod:`intent.rules.parser`), as its ``intent_parsed`` records.

Outcome, one short code from the steps' latest states (first that applies):

* ``empty``: opened, no customer message;
* ``no_plan``: messages, but no plan was made (a question, a refusal, a clarification);
* ``open``: something is live: an order sent or resting, a mandate armed or paused;
* ``awaiting``: a step waits for the customer (planned, previewed, waiting);
* ``filled``: an order filled (fully or partly);
* ``done``: a cancel or stop carried out, nothing filled;
* ``failed``: an order failed and nothing filled;
* ``refused``: a step was blocked (policy or a blocking warning) and nothing was sent;
* ``declined``: the customer rejected, or the steps were skipped or canceled.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import ValidationError

from execution.errors import JournalError
from execution.journal import events as ev
from execution.journal.chain import Event
from execution.session import moves

Flag = Literal[
    "blocked", "requoted", "refused_confirmation", "failed_order", "mandate_paused", "injection"
]
FLAGS: tuple[Flag, ...] = (
    "blocked",
    "requoted",
    "refused_confirmation",
    "failed_order",
    "mandate_paused",
    "injection",
)
OUTCOMES = (
    "empty",
    "no_plan",
    "open",
    "awaiting",
    "filled",
    "done",
    "failed",
    "refused",
    "declined",
)
_LIVE = frozenset({"confirmed", "submitted", "open", "armed", "paused"})
_AWAITING = frozenset({"planned", "waiting", "awaiting_confirmation"})
_FILLED = frozenset({"filled", "partially_filled"})
_FIRST_REQUEST_CHARS = 200  # the list shows a line, not a letter


@dataclass(frozen=True, slots=True)
class SessionIndex:
    """One session as the console's list and search see it (``text`` is casefolded)."""

    session_id: str
    owner: str
    opened_ms: int
    last_ms: int
    last_seq: int
    events: int
    messages: int = 0  # the customer's messages
    first_request: str = ""
    text: str = ""  # messages and plan / step descriptions, casefolded, one per line
    symbols: tuple[str, ...] = ()
    plan_states: Mapping[str, str] = field(default_factory=dict)
    step_states: Mapping[str, str] = field(default_factory=dict)
    step_kinds: Mapping[str, str] = field(default_factory=dict)
    orders_placed: int = 0
    flags: tuple[Flag, ...] = ()

    @property
    def outcome(self) -> str:
        """The session's outcome code (see the module's doc)."""
        states = set(self.step_states.values())
        if not self.messages:
            return "empty"
        if not states:
            return "no_plan"
        for code, match in (
            ("open", _LIVE),
            ("awaiting", _AWAITING),
            ("filled", _FILLED),
            ("done", {"done"}),
            ("failed", {"failed"}),
            ("refused", {"blocked"}),
        ):
            if states & match:
                return code
        return "declined"

    @property
    def states(self) -> frozenset[str]:
        """Every plan state and step state the session is in now."""
        return frozenset(self.plan_states.values()) | frozenset(self.step_states.values())

    @property
    def member(self) -> str:
        """Its place in newest-first order: the opening time, zero-padded, then the id
        (sorted as text, this is the order by time then id)."""
        return order_key(self.opened_ms, self.session_id)

    def tags(self) -> frozenset[str]:
        """What the exact filters match: ``owner:``, ``state:``, ``symbol:`` (the market
        and each of its assets), ``flag:``, and ``said`` when the customer wrote."""
        found = {f"owner:{self.owner}"}
        found |= {f"state:{s}" for s in self.states}
        for symbol in self.symbols:
            found.add(f"symbol:{symbol}")
            found |= {f"symbol:{asset}" for asset in symbol.split("/") if asset}
        found |= {f"flag:{f}" for f in self.flags}
        if self.messages:
            found.add("said")
        return frozenset(found)

    def to_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "owner": self.owner,
            "opened_ms": self.opened_ms,
            "last_ms": self.last_ms,
            "last_seq": self.last_seq,
            "events": self.events,
            "messages": self.messages,
            "first_request": self.first_request,
            "text": self.text,
            "symbols": list(self.symbols),
            "plan_states": dict(self.plan_states),
            "step_states": dict(self.step_states),
            "step_kinds": dict(self.step_kinds),
            "orders_placed": self.orders_placed,
            "flags": list(self.flags),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SessionIndex:
        try:
            return cls(
                session_id=str(data["session_id"]),
                owner=str(data["owner"]),
                opened_ms=int(data["opened_ms"]),
                last_ms=int(data["last_ms"]),
                last_seq=int(data["last_seq"]),
                events=int(data["events"]),
                messages=int(data["messages"]),
                first_request=str(data["first_request"]),
                text=str(data["text"]),
                symbols=tuple(data["symbols"]),
                plan_states=dict(data["plan_states"]),
                step_states=dict(data["step_states"]),
                step_kinds=dict(data["step_kinds"]),
                orders_placed=int(data["orders_placed"]),
                flags=tuple(f for f in FLAGS if f in data["flags"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise JournalError(f"a stored session index is malformed: {exc!r}") from exc


def order_key(opened_ms: int, session_id: str) -> str:
    """The text that sorts sessions by opening time, then id (see SessionIndex.member)."""
    return f"{opened_ms:015d}:{session_id}"


def index_events(prior: SessionIndex | None, events: Sequence[Event]) -> SessionIndex:
    """The index of a session after ``events`` (which follow ``prior``; a new session's
    first segment starts at its first entry). Pure: the same inputs, the same index.

    An entry whose payload its kind does not allow (or an unknown kind) counts as an
    event and changes nothing else: the journal stores any JSON, the index never refuses
    what the journal accepted."""
    if not events:
        raise JournalError("nothing to index: the segment is empty")
    first = events[0]
    if prior is None:
        if first.seq != 0:
            raise JournalError(
                f"the index of {first.session_id!r} starts at its first entry, not {first.seq}"
            )
        owner = first.payload.get("owner")
        prior = SessionIndex(
            session_id=first.session_id,
            owner=owner if isinstance(owner, str) else "",
            opened_ms=first.ts_ms,
            last_ms=first.ts_ms,
            last_seq=-1,
            events=0,
        )
    elif first.seq != prior.last_seq + 1:
        raise JournalError(
            f"the index of {first.session_id!r} is at entry {prior.last_seq}; "
            f"a segment from entry {first.seq} does not follow it"
        )
    acc = _Fold(prior)
    for event in events:
        acc.add(event)
    return acc.result(events[-1])


class _Fold:
    """The mutable working copy :func:`index_events` folds a segment into."""

    def __init__(self, prior: SessionIndex) -> None:
        self.prior = prior
        self.messages = prior.messages
        self.first_request = prior.first_request
        self.lines = prior.text.split("\n") if prior.text else []
        self.seen = set(self.lines)
        self.symbols = set(prior.symbols)
        self.plan_states = dict(prior.plan_states)
        self.step_states = dict(prior.step_states)
        self.step_kinds = dict(prior.step_kinds)
        self.orders = prior.orders_placed
        self.flags: set[str] = set(prior.flags)

    def _say(self, text: str) -> None:
        line = " ".join(text.split()).casefold()
        if line and line not in self.seen:
            self.seen.add(line)
            self.lines.append(line)

    def _step(self, step: Mapping[str, Any]) -> None:
        step_id = step.get("step_id")
        if not isinstance(step_id, str):
            return
        self.step_kinds[step_id] = str(step.get("kind", "place_order"))
        self.step_states.setdefault(step_id, "planned")
        if isinstance(step.get("description"), str):
            self._say(step["description"])
        order = step.get("order")
        if isinstance(order, Mapping) and isinstance(order.get("symbol"), str):
            self.symbols.add(order["symbol"].upper())

    def add(self, event: Event) -> None:
        try:
            p = ev.parse_payload(event.kind, event.payload)
        except (ValidationError, ValueError):
            return
        move = moves.step_move(p, lambda step_id: self.step_kinds.get(step_id, "place_order"))
        if move is not None:
            self.step_states[move[0]] = move[1]
        match p:
            case ev.MessageReceived():
                self.messages += 1
                if not self.first_request:
                    self.first_request = " ".join(p.text.split())[:_FIRST_REQUEST_CHARS]
                self._say(p.text)
            case ev.IntentParsed():
                result = p.result
                if result.get("kind") == "unsupported" and result.get("reason") == "injection":
                    self.flags.add("injection")
            case ev.PlanCreated():
                plan_id = str(p.plan.get("plan_id", ""))
                self.plan_states[plan_id] = "proposed"
                for step in p.plan.get("steps") or ():
                    if isinstance(step, Mapping):
                        self._step(step)
            case ev.StepAdded():
                self._step({**p.step, "step_id": p.step_id})
            case ev.PlanUpdated():
                self.plan_states[p.plan_id] = p.state
            case ev.StepPreviewed() if p.requote is not None:
                self.flags.add("requoted")
            case ev.PolicyDenied():
                self.flags.add("blocked")
            case ev.ConfirmationRefused():
                self.flags.add("refused_confirmation")
                if p.code == "requote_required":
                    self.flags.add("requoted")
            case ev.OrderAccepted():
                self.orders += 1
            case ev.OrderFailed():
                self.flags.add("failed_order")
            case ev.MandatePaused():
                self.flags.add("mandate_paused")
            case _:
                pass

    def result(self, last: Event) -> SessionIndex:
        return replace(
            self.prior,
            last_ms=last.ts_ms,
            last_seq=last.seq,
            events=self.prior.events + (last.seq - self.prior.last_seq),
            messages=self.messages,
            first_request=self.first_request,
            text="\n".join(self.lines),
            symbols=tuple(sorted(self.symbols)),
            plan_states=self.plan_states,
            step_states=self.step_states,
            step_kinds=self.step_kinds,
            orders_placed=self.orders,
            flags=tuple(f for f in FLAGS if f in self.flags),
        )


# --- searching ------------------------------------------------------------------------

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ended: the last session shown (newest first, so the next page holds
    the sessions before it in :func:`order_key` order)."""

    opened_ms: int
    session_id: str

    @property
    def member(self) -> str:
        return order_key(self.opened_ms, self.session_id)

    def encode(self) -> str:
        body = base64.urlsafe_b64encode(self.member.encode()).decode().rstrip("=")
        return f"{body}.{_check(body)}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Raise ValueError on anything :meth:`encode` did not make."""
        body, _, check = text.partition(".")
        if not body or check != _check(body):
            raise ValueError("the cursor is not one this server gave")
        try:
            member = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ValueError("the cursor is not one this server gave") from exc
        opened, sep, session_id = member.partition(":")
        if not sep or not opened.isdigit() or not session_id:
            raise ValueError("the cursor is not one this server gave")
        return cls(int(opened), session_id)


def _check(body: str) -> str:
    return hashlib.sha256(f"session-cursor:{body}".encode()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class SessionQuery:
    """A search of the session index; every filter given must match (newest first).

    ``state`` matches a plan state or a step state; ``symbol`` a market (``BTC/USDT``) or
    one of its assets (``BTC``); ``text`` a substring of the messages and plan / step
    descriptions, case-insensitive; ``flags``: each must be raised. ``since`` (inclusive)
    and ``until`` (exclusive) bound the opening time. Sessions in which the customer wrote
    nothing are left out unless ``include_empty``."""

    owner: str | None = None
    since_ms: int | None = None
    until_ms: int | None = None
    state: str | None = None
    symbol: str | None = None
    text: str | None = None
    flags: tuple[Flag, ...] = ()
    include_empty: bool = False
    limit: int = DEFAULT_LIMIT
    after: Cursor | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be 1 to {MAX_LIMIT}, not {self.limit!r}")
        unknown = [f for f in self.flags if f not in FLAGS]
        if unknown:
            raise ValueError(f"unknown flag {unknown[0]!r}; flags are {', '.join(FLAGS)}")

    @property
    def needle(self) -> str | None:
        """The text to find, as the index keeps text (casefolded, spaces collapsed)."""
        if self.text is None:
            return None
        return " ".join(self.text.split()).casefold() or None

    def tags(self) -> list[str]:
        """The exact filters, as :meth:`SessionIndex.tags` names them; the most selective
        first (a backend walks the first and checks the others)."""
        found: list[str] = []
        if self.owner is not None:
            found.append(f"owner:{self.owner}")
        found += [f"flag:{f}" for f in self.flags]
        if self.symbol is not None:
            found.append(f"symbol:{self.symbol.upper()}")
        if self.state is not None:
            found.append(f"state:{self.state}")
        if not self.include_empty:
            found.append("said")
        return found

    def upper_member(self) -> str | None:
        """Members sort below this (exclusive): the cursor's and ``until``'s bound."""
        bounds = []
        if self.after is not None:
            bounds.append(self.after.member)
        if self.until_ms is not None:
            bounds.append(f"{self.until_ms:015d}")
        return min(bounds) if bounds else None

    def lower_member(self) -> str | None:
        """Members sort at or above this: ``since``'s bound."""
        return None if self.since_ms is None else f"{self.since_ms:015d}"


@dataclass(frozen=True, slots=True)
class SessionPage:
    """One page of a search, newest first; ``next`` continues after its last session."""

    sessions: list[SessionIndex]
    next: Cursor | None


def page_of(query: SessionQuery, found: Sequence[SessionIndex]) -> SessionPage:
    """The page from up to ``limit + 1`` matches in order (one more says there is more)."""
    shown = list(found[: query.limit])
    more = len(found) > query.limit
    last = shown[-1] if shown else None
    return SessionPage(shown, Cursor(last.opened_ms, last.session_id) if more and last else None)


def sessions_in(search: Callable[[SessionQuery], SessionPage], states: Iterable[str]) -> list[str]:
    """The ids of the sessions with a plan or step now in one of ``states``, oldest first:
    what the worker visits instead of folding every session on every pass. The index is
    written with the events it covers, so a step in one of these states is never missed."""
    found: dict[str, int] = {}
    for state in sorted(set(states)):
        after: Cursor | None = None
        while True:
            query = SessionQuery(state=state, include_empty=True, limit=MAX_LIMIT, after=after)
            page = search(query)
            found.update((s.session_id, s.opened_ms) for s in page.sessions)
            if page.next is None:
                break
            after = page.next
    return sorted(found, key=lambda session_id: (found[session_id], session_id))


def dumps(index: SessionIndex) -> str:
    return json.dumps(index.to_json(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def loads(text: str | bytes) -> SessionIndex:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise JournalError(f"a stored session index is not JSON: {exc}") from exc
    return SessionIndex.from_json(data)


__all__ = [
    "DEFAULT_LIMIT",
    "FLAGS",
    "MAX_LIMIT",
    "OUTCOMES",
    "Cursor",
    "Flag",
    "SessionIndex",
    "SessionPage",
    "SessionQuery",
    "dumps",
    "index_events",
    "loads",
    "order_key",
    "page_of",
    "sessions_in",
]
