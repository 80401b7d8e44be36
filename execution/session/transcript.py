"""A session as its customer saw it, turn by turn: what the support console's session page
and an export bundle's HTML transcript lay out (:func:`transcript`).

A turn starts with a message the customer sent and holds what followed from it: how the
parser read it (the words it took for each field, highlighted), the reply the assistant
sent (the recorded text, in the language it was sent in), the plan and each step's
preview card (its figures, and its warnings as the sentences the customer read), the
customer's confirmation (the exact sentence shown next to Confirm, journaled with it) or
its refusal (said as the chat page said it), the orders sent and their fills, and
support's notes. Sentences the customer read are rendered from the journal's codes and
parameters in the customer's language by the chat's own functions
(:func:`execution.preview.warnings.warning_text`,
:func:`execution.assistant.texts.refusal_text`); the words around them (labels, what
happened) are the console's English.

Two things are flagged for support: a message that tried to instruct the assistant (the
parser refused it as ``injection``), and an order the policy blocked (``policy_denied``).

Nothing here reads anything but the events it is given: no request, venue or clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypedDict

from execution.assistant.texts import refusal_text
from execution.clock import iso
from execution.errors import InvalidTransition
from execution.i18n import DEFAULT_LOCALE, Locale, parse_locale
from execution.i18n.numbers import grouped, money
from execution.i18n.page import LANGUAGE_NAMES
from execution.i18n.plans import note_text
from execution.journal import Event
from execution.journal import events as ev
from execution.preview.requote import said_in
from execution.preview.simulator import PreviewWarning
from execution.preview.warnings import warning_text
from execution.session.state import SessionState, StepView

EntryKind = Literal[
    "opened",
    "message",
    "parse",
    "reply",
    "plan",
    "planning_failed",
    "preview",
    "preview_failed",
    "denied",
    "confirmed",
    "refused",
    "rejected",
    "order",
    "skipped",
    "mandate",
    "plan_state",
    "note",
    "unreadable",
]
#: What support should look at: a message that tried to instruct the assistant, an order
#: the policy blocked, a confirmation refused, a preview or an order that failed (or is in
#: doubt), an entry that does not read as the app writes it.
Flag = Literal["injection", "blocked", "refused", "failed", "unreadable"]
FLAG_TEXT: Mapping[Flag, str] = {
    "injection": "Injection attempt",
    "blocked": "Blocked by policy",
    "refused": "Confirmation refused",
    "failed": "Failed",
    "unreadable": "Unreadable entry",
}


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of a message's characters; ``field`` is what the parser read it as (None:
    words it did not use)."""

    text: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Figure:
    """One labelled figure of a card, formatted as the customer reads figures."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One journal entry of a turn, as the page lays it out.

    ``text`` is what the customer wrote or was shown, exactly (in ``locale``);
    ``sentences`` are further sentences the customer read (warnings, refusals, step
    titles), rendered in ``locale``; ``detail`` is support's English (codes, who, why)."""

    kind: EntryKind
    seq: int
    ts_ms: int
    actor: str
    event_kind: str
    title: str
    hash: str
    payload: Mapping[str, Any]
    locale: Locale | None = None
    text: str | None = None
    pieces: tuple[Piece, ...] = ()
    sentences: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # a plan's or a preview's notes, as the customer read them
    figures: tuple[Figure, ...] = ()
    detail: str | None = None
    step_id: str | None = None
    flags: tuple[Flag, ...] = ()

    @property
    def at(self) -> str:
        return iso(self.ts_ms)

    @property
    def anchor(self) -> str:
        return f"e{self.seq}"

    @property
    def flag_labels(self) -> tuple[tuple[Flag, str], ...]:
        return tuple((f, FLAG_TEXT[f]) for f in self.flags)


@dataclass(frozen=True, slots=True)
class Turn:
    """A message and what followed from it (turn 0: the session opening, before any)."""

    number: int
    locale: Locale
    entries: tuple[Entry, ...]

    @property
    def anchor(self) -> str:
        return f"turn-{self.number}"

    @property
    def language(self) -> str:
        """The customer's language in this turn, named in itself (简体中文)."""
        return LANGUAGE_NAMES[self.locale]

    @property
    def flag_labels(self) -> tuple[tuple[Flag, str], ...]:
        return tuple((f, FLAG_TEXT[f]) for f in self.flags)

    @property
    def flags(self) -> tuple[Flag, ...]:
        found = dict.fromkeys(f for e in self.entries for f in e.flags)
        return tuple(found)

    @property
    def message(self) -> Entry | None:
        return next((e for e in self.entries if e.kind == "message"), None)


@dataclass(frozen=True, slots=True)
class StepRow:
    """One step as the steps table shows it: what was previewed, then what filled."""

    step_id: str
    description: str
    state: str
    amount: str
    price: str
    fee: str
    client_order_id: str
    filled_order_id: str | None = None  # the venue's order id once it traded (its contract note)


@dataclass(frozen=True, slots=True)
class Transcript:
    session_id: str
    owner: str
    opened_ms: int
    turns: tuple[Turn, ...]
    steps: tuple[StepRow, ...]
    notes: tuple[Entry, ...] = ()
    _turn_of: Mapping[int, int] = field(default_factory=dict, repr=False)

    def turn_of(self, seq: int) -> Turn | None:
        """The turn the entry ``seq`` belongs to (None: no such entry)."""
        number = self._turn_of.get(seq)
        return None if number is None else self.turns[number]

    def flagged(self, flag: Flag) -> tuple[Entry, ...]:
        return tuple(e for t in self.turns for e in t.entries if flag in e.flags)


def transcript(events: Iterable[Event], *, session_id: str | None = None) -> Transcript:
    """Fold ``events`` (one session's journal, in order) into its turns as the customer
    saw them, and its steps as they stand. ``session_id``: the session's id, if ``events``
    may be empty (else it is the events')."""
    builder: _Builder | None = None if session_id is None else _Builder(session_id)
    for event in events:
        if builder is None:
            builder = _Builder(event.session_id)
        builder.add(event)
    if builder is None:
        raise ValueError("no events and no session_id: whose transcript is it?")
    return builder.finish()


def pretty(value: Any) -> str:
    """JSON as a person reads it: indented, with its characters as they are (“买”, not
    ``\\u4e70``); an HTML template escapes it like any text."""
    return json.dumps(value, ensure_ascii=False, indent=2)


class _Common(TypedDict):
    """What every entry takes from its journal entry."""

    seq: int
    ts_ms: int
    actor: str
    event_kind: str
    hash: str
    payload: Mapping[str, Any]


# --- the fold -----------------------------------------------------------------------------


class _Builder:
    def __init__(self, session_id: str) -> None:
        self.state = SessionState(session_id)
        self.turns: list[tuple[Locale, list[Entry]]] = [(DEFAULT_LOCALE, [])]
        self.turn_of: dict[int, int] = {}
        self.requotes: dict[str, ev.Requote] = {}  # step → its last requote

    @property
    def locale(self) -> Locale:
        return self.turns[-1][0]

    def _said(self, p: ev.ConfirmationRefused, locale: Locale) -> list[str]:
        """The reasons of the step's last requote, as the customer read them."""
        requote = self.requotes.get(p.step_id)
        return [] if requote is None else said_in(locale, requote.reasons, requote.said)

    def add(self, event: Event) -> None:
        try:
            payload = ev.parse_payload(event.kind, event.payload)
        except ValueError as exc:  # a malformed entry is shown as such, never a crash
            self.turns[-1][1].append(_unreadable(event, f"its payload does not read: {exc}"))
            self.turn_of[event.seq] = len(self.turns) - 1
            return
        if isinstance(payload, ev.MessageReceived):
            locale = parse_locale(payload.locale) or self.state.language
            self.turns.append((locale, []))
        entry = self._entry(event, payload)
        if entry is not None:
            self.turns[-1][1].append(entry)
        self.turn_of[event.seq] = len(self.turns) - 1
        try:
            self.state.apply(event, payload)
        except InvalidTransition as exc:  # a journal edited out of order: say so, go on
            self.turns[-1][1].append(_unreadable(event, f"it cannot follow: {exc}"))

    def finish(self) -> Transcript:
        turns = tuple(
            Turn(number, locale, tuple(entries))
            for number, (locale, entries) in enumerate(self.turns)
        )
        state = self.state
        return Transcript(
            session_id=state.session_id,
            owner=state.owner,
            opened_ms=state.opened_ms,
            turns=turns,
            steps=tuple(_step_row(s) for s in state.steps.values()),
            notes=tuple(e for t in turns for e in t.entries if e.kind == "note"),
            _turn_of=dict(self.turn_of),
        )

    def _entry(self, event: Event, p: ev.AnyPayload) -> Entry | None:
        base: _Common = {
            "seq": event.seq,
            "ts_ms": event.ts_ms,
            "actor": event.actor,
            "event_kind": event.kind,
            "hash": event.hash,
            "payload": event.payload,
        }
        locale = self.locale
        match p:
            case ev.SessionOpened():
                return Entry(
                    kind="opened", title="Session opened", detail=f"via {p.channel}", **base
                )
            case ev.MessageReceived():
                return Entry(
                    kind="message",
                    title="Customer wrote",
                    text=p.text,
                    pieces=(Piece(p.text),),
                    locale=locale,
                    detail=f"via {p.channel}",
                    **base,
                )
            case ev.IntentParsed():
                return self._parse(p, base)
            case ev.ReplySent():
                return Entry(
                    kind="reply",
                    title="Assistant replied",
                    text=p.text,
                    locale=parse_locale(p.locale) or DEFAULT_LOCALE,
                    detail=None if not p.codes else "codes: " + ", ".join(p.codes),
                    step_id=p.step_id,
                    **base,
                )
            case ev.PlanCreated():
                steps = p.plan.get("steps") or ()
                return Entry(
                    kind="plan",
                    title=f"Plan {p.plan.get('plan_id', '')}",
                    sentences=tuple(str(s.get("description", "")) for s in steps),
                    notes=tuple(str(n) for n in p.plan.get("notes") or ()),  # (as titled)
                    locale=locale,
                    detail="planned on the balances "
                    + ", ".join(f"{ccy} {_plain(v)}" for ccy, v in p.balances_snapshot.items()),
                    **base,
                )
            case ev.PlanningFailed():
                return Entry(
                    kind="planning_failed", title="Planning failed", detail=p.reason, **base
                )
            case ev.StepPreviewed():
                return self._preview(p, base)
            case ev.PreviewFailed():
                return Entry(
                    kind="preview_failed",
                    title=f"Preview of {p.step_id} failed",
                    detail=p.error,
                    step_id=p.step_id,
                    flags=("failed",),
                    **base,
                )
            case ev.PolicyDenied():
                decision = p.decision_model()
                return Entry(
                    kind="denied",
                    title=f"Order {p.step_id} blocked by policy {decision.policy_version}",
                    sentences=tuple(
                        warning_text(
                            PreviewWarning(
                                code=d.code, message=d.message, blocking=True, params=d.params
                            ),
                            locale,
                        )
                        for d in decision.denials
                    ),
                    locale=locale,
                    detail="; ".join(d.message for d in decision.denials),
                    step_id=p.step_id,
                    flags=("blocked",),
                    **base,
                )
            case ev.ConfirmationRefused():
                return Entry(
                    kind="refused",
                    title=f"Confirmation of {p.step_id} refused: {p.code}",
                    text=refusal_text(
                        p.code, locale, message=p.message, reasons=self._said(p, locale)
                    ),
                    locale=locale,
                    detail=f"{p.message} (by {p.user} via {p.channel})",
                    step_id=p.step_id,
                    flags=("refused",),
                    **base,
                )
            case ev.StepConfirmed():
                by = p.user if p.mandate_confirmed_by is None else f"{p.user}, under a mandate"
                return Entry(
                    kind="confirmed",
                    title=f"Confirmed {p.step_id}: token accepted",
                    text=p.shown_text,
                    locale=parse_locale(p.locale) or DEFAULT_LOCALE,
                    detail=f"by {by} via {p.channel}; policy {p.policy_version}; "
                    f"preview {p.preview_hash[:12]}…"
                    + ("" if p.sent_on is None else f"; sent on preview {p.sent_on[:12]}…"),
                    step_id=p.step_id,
                    **base,
                )
            case ev.StepRejected():
                why = "" if p.stopped_by is None else f" (stopped from {p.stopped_by.step_id})"
                return Entry(
                    kind="rejected",
                    title=f"Rejected {p.step_id}{why}",
                    detail=f"by {p.user} via {p.channel}; nothing was sent",
                    step_id=p.step_id,
                    **base,
                )
            case ev.OrderSubmitted():
                sent = "recovered at the venue" if p.recovered else "sent to the venue"
                return Entry(
                    kind="order",
                    title=f"Order {p.step_id} {sent}",
                    detail=None
                    if p.client_order_id is None
                    else f"clientOrderId {p.client_order_id}",
                    step_id=p.step_id,
                    **base,
                )
            case ev.OrderAccepted() | ev.OrderUpdated() | ev.OrderCanceled():
                what = {
                    ev.ORDER_ACCEPTED: "accepted",
                    ev.ORDER_UPDATED: "updated",
                    ev.ORDER_CANCELED: "canceled",
                }[p.kind]
                status = str(p.order.get("status") or "")
                return Entry(
                    kind="order",
                    title=f"Order {p.step_id} {what}: {status}",
                    figures=_fill_figures(p.order),
                    detail=f"venue order {p.order.get('id')}",
                    step_id=p.step_id,
                    **base,
                )
            case ev.OrderFailed() | ev.OrderUnknown():
                what = "failed" if isinstance(p, ev.OrderFailed) else "in doubt"
                return Entry(
                    kind="order",
                    title=f"Order {p.step_id} {what}",
                    detail=p.error,
                    step_id=p.step_id,
                    flags=("failed",),
                    **base,
                )
            case ev.StepSkipped():
                return Entry(
                    kind="skipped",
                    title=f"Skipped {p.step_id}",
                    detail=p.reason
                    + ("" if p.superseded_by is None else f" (superseded by {p.superseded_by})"),
                    step_id=p.step_id,
                    **base,
                )
            case ev.StepAdded():
                return Entry(
                    kind="mandate",
                    title=f"Mandate {p.parent} placed {p.step_id} at {_plain(p.price)}",
                    sentences=(str(p.step.get("description", "")),),
                    locale=locale,
                    step_id=p.step_id,
                    **base,
                )
            case ev.MandatePaused() | ev.MandateEnded():
                what = "paused" if isinstance(p, ev.MandatePaused) else "ended"
                return Entry(
                    kind="mandate",
                    title=f"Mandate {p.step_id} {what}",
                    detail=p.reason,
                    step_id=p.step_id,
                    **base,
                )
            case ev.MandateStopped():
                return Entry(
                    kind="mandate",
                    title=f"Stop {p.step_id}: mandate {p.target.step_id} {p.outcome}",
                    detail=f"{p.orders_placed} of {p.orders_total} orders placed; "
                    f"now {p.state} (session {p.target.session_id})",
                    step_id=p.step_id,
                    **base,
                )
            case ev.PlanUpdated():
                return Entry(kind="plan_state", title=f"Plan {p.plan_id} {p.state}", **base)
            case ev.SupportNote():
                return Entry(
                    kind="note",
                    title=f"Note by {p.author} ({p.role})",
                    text=p.text,
                    **base,
                )
        return None  # pragma: no cover (every kind is matched above)

    def _parse(self, p: ev.IntentParsed, base: _Common) -> Entry:
        """How the parser read the message before it; the message gets its highlights and,
        for an injection attempt, its flag."""
        result, provenance = p.result, p.provenance or {}
        parser = provenance.get("parser") or p.parser or "?"
        version = provenance.get("version") or p.parser_version or ""
        by = f"the {parser} parser {version}".rstrip()
        if provenance.get("model"):
            by += f" (model {provenance['model']}, prompt {provenance.get('prompt_version')})"
        injection = result.get("kind") == "unsupported" and result.get("reason") == "injection"
        flags: tuple[Flag, ...] = ("injection",) if injection else ()
        entries = self.turns[-1][1]
        if entries and entries[-1].kind == "message" and entries[-1].text is not None:
            spans = result.get("spans") or ()
            entries[-1] = replace(entries[-1], pieces=_pieces(entries[-1].text, spans), flags=flags)
        action = str(p.canonical.get("action", "?"))
        detail = f"read by {by}"
        if provenance.get("note"):
            detail += f" — {provenance['note']}"
        if result.get("kind") == "unsupported":
            detail += f"; refused: {result.get('reason')}"
        elif result.get("kind") == "clarification":
            detail += "; asks for " + ", ".join(map(str, result.get("missing") or ()))
        if p.dialogue:
            detail += f"; a reply to the assistant's question: {p.dialogue.get('outcome')}"
        return Entry(
            kind="parse",
            title=f"Understood as {action}",
            detail=detail,
            flags=flags,
            **base,
        )

    def _preview(self, p: ev.StepPreviewed, base: _Common) -> Entry:
        locale = self.locale
        preview = p.preview
        warnings = tuple(
            warning_text(PreviewWarning.model_validate(w), locale)
            for w in preview.get("warnings") or ()
        )
        if p.requote is not None:
            self.requotes[p.step_id] = p.requote
        step = self.state.steps.get(p.step_id)
        title = step.description if step is not None else p.step_id
        state = "waiting" if p.waiting else "blocked" if p.blocked else "to confirm"
        again = " again (requote)" if p.requote is not None else ""
        detail = f"policy {p.policy_version}; expires {iso(p.expires_ms)}"
        if p.requote is not None:
            detail += "; previewed again because " + "; ".join(p.requote.reasons)
        if p.repreview is not None:
            state, again = "sent on it", " again at confirmation"
            detail = (
                f"policy {p.policy_version}; within tolerance of the preview confirmed "
                f"({p.repreview.confirms[:12]}…): the confirmation stands"
            )
        return Entry(
            kind="preview",
            title=f"Preview of {p.step_id}{again} ({state})",
            text=title,
            sentences=warnings,
            notes=tuple(note_text(str(n), locale) for n in preview.get("notes") or ()),
            figures=_preview_figures(preview),
            locale=locale,
            detail=detail,
            step_id=p.step_id,
            flags=("blocked",) if p.blocked else (),
            **base,
        )


def _unreadable(event: Event, why: str) -> Entry:
    return Entry(
        kind="unreadable",
        seq=event.seq,
        ts_ms=event.ts_ms,
        actor=event.actor,
        event_kind=event.kind,
        title=f"Entry #{event.seq} ({event.kind}) is not what the app writes",
        hash=event.hash,
        payload=event.payload,
        detail=why,
        flags=("unreadable",),
    )


# --- figures ------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    """A journaled figure (a decimal string, or a ccxt float) as a Decimal; None if absent."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _plain(value: Any) -> str:
    number = _decimal(value)
    return "—" if number is None else grouped(number)


def _amount(value: Any, currency: str) -> str:
    number = _decimal(value)
    return "—" if number is None else f"{money(number, currency)} {currency}"


def _price(value: Any, quote: str) -> str:
    number = _decimal(value)
    return "—" if number is None else f"{grouped(number)} {quote}"


def _bps(value: Any) -> str:
    number = _decimal(value)
    return "—" if number is None else f"{grouped(number)} bps"


def _preview_figures(preview: Mapping[str, Any]) -> tuple[Figure, ...]:
    """The card's figures: an order's price, amount, slippage, fee and balances; a
    cancel's order and the funds it frees; a stop's mandate."""
    kind = preview.get("kind")
    symbol = str(preview.get("symbol") or "/")
    base, _, quote = symbol.partition("/")
    if kind == "stop":
        return (
            Figure("Stops", str(preview.get("description", ""))),
            Figure(
                "Orders placed", f"{preview.get('orders_placed')} of {preview.get('orders_total')}"
            ),
        )
    if kind == "cancel":
        releases = preview.get("releases") or {}
        return (
            Figure("Cancels", f"{preview.get('side')} {_amount(preview.get('amount'), base)}"),
            Figure("At", _price(preview.get("price"), quote)),
            Figure("Frees", _amount(releases.get("amount"), str(releases.get("currency", "")))),
        )
    fee = preview.get("fee") or {}
    rate = _decimal(fee.get("rate"))
    before = preview.get("balances_before") or {}
    after = preview.get("balances_after") or {}
    changed = [c for c in after if _decimal(after.get(c)) != _decimal(before.get(c))]
    figures = [
        Figure("Order", f"{preview.get('side')} {preview.get('type')} {symbol}"),
        Figure("Amount", _amount(preview.get("amount"), base)),
    ]
    if preview.get("price") is not None:
        figures.append(Figure("Limit price", _price(preview.get("price"), quote)))
    figures += [
        Figure("Expected price", _price(preview.get("average_price"), quote)),
        Figure("Worst price", _price(preview.get("worst_price"), quote)),
        Figure("Expected fill", _amount(preview.get("expected_amount"), base)),
        Figure("Value", _amount(preview.get("notional"), quote)),
        Figure("Slippage", _bps(preview.get("slippage_bps"))),
        Figure("Price impact", _bps(preview.get("price_impact_bps"))),
        Figure(
            "Fee",
            _amount(fee.get("cost"), str(fee.get("currency", "")))
            + ("" if rate is None else f" ({grouped(rate * 100)}%)"),
        ),
    ]
    figures += [
        Figure(
            f"{ccy} balance",
            f"{_amount(before.get(ccy, '0'), ccy)} → {_amount(after.get(ccy), ccy)}",
        )
        for ccy in changed
    ]
    return tuple(figures)


def _fill_figures(order: Mapping[str, Any]) -> tuple[Figure, ...]:
    """A venue order's fills: how much at what average price, its cost and fee."""
    base, _, quote = str(order.get("symbol") or "/").partition("/")
    fee = order.get("fee") or {}
    figures = [
        Figure("Filled", f"{_amount(order.get('filled'), base)} of {_plain(order.get('amount'))}"),
        Figure("Average price", _price(order.get("average"), quote)),
        Figure("Cost", _amount(order.get("cost"), quote)),
    ]
    if fee.get("cost") is not None:
        figures.append(Figure("Fee", _amount(fee.get("cost"), str(fee.get("currency", "")))))
    if order.get("type") == "limit" and order.get("price") is not None:
        figures.insert(0, Figure("Limit price", _price(order.get("price"), quote)))
    return tuple(figures)


def _step_row(step: StepView) -> StepRow:
    """The step's amount, price and fee: the fill's once it traded, else the preview's."""
    order = step.venue_order or {}
    preview = step.preview or {}
    symbol = str(order.get("symbol") or preview.get("symbol") or step.order.get("symbol") or "/")
    base, _, quote = symbol.partition("/")
    if order.get("filled"):
        fee = order.get("fee") or {}
        amount = _amount(order.get("filled"), base)
        price = _price(order.get("average"), quote)
        fee_text = _amount(fee.get("cost"), str(fee.get("currency", ""))) if fee else "—"
    elif "fee" in preview:  # an order's preview
        fee = preview["fee"]
        amount = _amount(preview.get("amount"), base)
        price = _price(preview.get("average_price") or preview.get("price"), quote)
        fee_text = _amount(fee.get("cost"), str(fee.get("currency", "")))
    else:  # not previewed yet, a cancel or a stop: what it asks for
        amount, price = _asked(step, base, quote)
        fee_text = "—"
    return StepRow(
        step_id=step.step_id,
        description=step.description,
        state=step.state,
        amount=amount,
        price=price,
        fee=fee_text,
        client_order_id=step.client_order_id or "",
        filled_order_id=str(order["id"]) if order.get("filled") and order.get("id") else None,
    )


def _asked(step: StepView, base: str, quote: str) -> tuple[str, str]:
    """The amount and price a step asks for, before (or without) an order's preview."""
    preview = step.preview or {}
    order = step.previewed_order or step.order
    amount = preview.get("amount", order.get("amount"))
    price = preview.get("price", order.get("price"))
    return (
        "—" if amount is None else _amount(amount, base),
        "—" if price is None else _price(price, quote),
    )


def _pieces(text: str, spans: Sequence[Mapping[str, Any]]) -> tuple[Piece, ...]:
    """``text`` cut at the parser's spans (in order, overlaps dropped): each span a piece
    with its field, the words between plain pieces. A span that does not match the text
    it names (an older parser's offsets) is left out rather than mis-drawn."""
    pieces: list[Piece] = []
    at = 0
    for span in sorted(spans, key=lambda s: (int(s.get("start", 0)), -int(s.get("end", 0)))):
        start, end = int(span.get("start", 0)), int(span.get("end", 0))
        if start < at or end <= start or text[start:end] != span.get("text"):
            continue
        if start > at:
            pieces.append(Piece(text[at:start]))
        pieces.append(Piece(text[start:end], str(span.get("field"))))
        at = end
    if at < len(text):
        pieces.append(Piece(text[at:]))
    return tuple(pieces)


__all__ = [
    "FLAG_TEXT",
    "Entry",
    "EntryKind",
    "Figure",
    "Flag",
    "Piece",
    "StepRow",
    "Transcript",
    "Turn",
    "pretty",
    "transcript",
]
