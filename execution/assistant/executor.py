"""The executor: send a confirmed step's order once, and settle any doubt by asking the venue
for it by its clientOrderId, never by sending it again.

Relies on: the ``order_submitted`` event (with the deterministic clientOrderId) being
journaled before the order is sent, so after a crash or a timeout the order can only be
found, never duplicated; and on the step's confirmation being journaled first, under the
session's lock, so only one process ever reaches the send.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from execution.actors import Actor
from execution.assistant.context import Context, jsonable
from execution.assistant.reservations import Reservations
from execution.errors import OrderNotFound, VenueError, VenueUnavailable, call_translated
from execution.journal import events
from execution.preview.simulator import CancelPreview, StepPreview, dec
from execution.session.state import SessionState


def order_yield(order: Mapping[str, Any]) -> Decimal:
    """What a filled ccxt order yielded, net of a fee paid in what was received."""
    base, quote = str(order["symbol"]).split("/", 1)
    fee = order.get("fee") or {}
    if order["side"] == "buy":
        got, currency = dec(order.get("filled") or 0), base
    else:
        got, currency = dec(order.get("cost") or 0), quote
    if fee.get("currency") == currency and fee.get("cost") is not None:
        got -= dec(fee["cost"])
    return got


def client_order_id(session_id: str, step_id: str) -> str:
    """Deterministic per step, so a retry after a timeout can only find, never duplicate."""
    digest = hashlib.sha256(f"{session_id}\x1f{step_id}".encode()).hexdigest()
    return f"ta{digest[:30]}"


class Executor:
    """Send orders and cancels exactly once; settle by lookup."""

    def __init__(self, ctx: Context, reservations: Reservations) -> None:
        self._ctx = ctx
        self._reservations = reservations

    def submit(self, state: SessionState, actor: Actor, step_id: str, preview: StepPreview) -> None:
        venue = self._ctx.venue_for(state.owner)
        coid = client_order_id(state.session_id, step_id)
        request = {
            "symbol": preview.symbol,
            "type": preview.type,
            "side": preview.side,
            "amount": str(preview.amount),
            "price": None if preview.price is None else str(preview.price),
            "params": {"clientOrderId": coid},
        }
        # Journaled before sending: after a crash the id is known and can be looked up.
        self._ctx.append(
            state,
            actor,
            events.OrderSubmitted(step_id=step_id, client_order_id=coid, request=request),
        )
        self._ctx.crash_point("submitted")
        try:
            order = call_translated(
                lambda: venue.create_order(
                    preview.symbol,
                    preview.type,
                    preview.side,
                    float(preview.amount),
                    None if preview.price is None else float(preview.price),
                    {"clientOrderId": coid},
                )
            )
        except VenueUnavailable as exc:
            # Never resend blindly: find out whether the venue took it.
            self.settle_by_lookup(state, actor, step_id, preview.symbol, str(exc))
            return
        except VenueError as exc:
            self._ctx.append(state, actor, events.OrderFailed(step_id=step_id, error=str(exc)))
            self._reservations.release_for(state, step_id)
            return
        self._ctx.crash_point("sent")
        self._ctx.append(state, actor, events.OrderAccepted(step_id=step_id, order=jsonable(order)))
        self._ctx.crash_point("accepted")

    def settle_by_lookup(
        self, state: SessionState, actor: Actor, step_id: str, symbol: str, why: str
    ) -> bool:
        """Ask the venue for the step's order by clientOrderId and journal the answer:
        accepted (it has the order) or failed (it has none). True if settled."""
        try:
            order = self.order_by_client_id(state, step_id, symbol)
        except OrderNotFound:
            self._ctx.append(
                state,
                actor,
                events.OrderFailed(step_id=step_id, error=f"not accepted by the venue: {why}"),
            )
            self._reservations.release_for(state, step_id)
            return True
        except VenueError as lookup_exc:
            self._ctx.append(
                state,
                actor,
                events.OrderUnknown(
                    step_id=step_id,
                    error=f"{why}; the lookup by clientOrderId failed too: {lookup_exc}; "
                    "it will be reconciled, not resent",
                ),
            )
            return False
        self._ctx.append(state, actor, events.OrderAccepted(step_id=step_id, order=jsonable(order)))
        return True

    def submit_cancel(
        self, state: SessionState, actor: Actor, step_id: str, shown: CancelPreview
    ) -> None:
        """Cancel the order a cancel step names, once; settle a timeout by looking it up."""
        venue = self._ctx.venue_for(state.owner)
        self._ctx.append(
            state,
            actor,
            events.OrderSubmitted(
                step_id=step_id,
                client_order_id=None,
                request={"cancel": shown.order_id, "symbol": shown.symbol},
            ),
        )
        self._ctx.crash_point("submitted")
        try:
            order = call_translated(lambda: venue.cancel_order(shown.order_id, shown.symbol))
        except (VenueUnavailable, OrderNotFound) as exc:
            # Did the cancel land (or had the order already ended)? Ask, never resend.
            self.settle_cancel(state, actor, step_id, shown, str(exc))
            return
        except VenueError as exc:
            self._ctx.append(state, actor, events.OrderFailed(step_id=step_id, error=str(exc)))
            return
        self._ctx.crash_point("sent")
        self._canceled(state, actor, step_id, order)

    def settle_cancel(
        self, state: SessionState, actor: Actor, step_id: str, shown: CancelPreview, why: str
    ) -> bool:
        """Journal what the venue says of a cancel step's order; True if settled."""
        venue = self._ctx.venue_for(state.owner)
        try:
            order = call_translated(lambda: venue.fetch_order(shown.order_id, shown.symbol))
        except VenueError as exc:
            self._ctx.append(
                state,
                actor,
                events.OrderUnknown(step_id=step_id, error=f"{why}; the lookup failed too: {exc}"),
            )
            return False
        if order.get("status") == "canceled":
            self._canceled(state, actor, step_id, order)
        else:
            self._ctx.append(
                state,
                actor,
                events.OrderFailed(
                    step_id=step_id,
                    error=f"not canceled: the order is {order.get('status')} ({why})",
                    order=jsonable(order),
                ),
            )
        return True

    def _canceled(
        self, state: SessionState, actor: Actor, step_id: str, order: Mapping[str, Any]
    ) -> None:
        """Record a cancel step done, and the canceled order on the step that placed it."""
        data = jsonable(order)
        self._ctx.append(state, actor, events.OrderCanceled(step_id=step_id, order=data))
        for placed in list(state.steps.values()):
            if placed.state == "open" and placed.client_order_id == order.get("clientOrderId"):
                self._ctx.append(
                    state, actor, events.OrderUpdated(step_id=placed.step_id, order=data)
                )

    def order_by_client_id(
        self, state: SessionState, step_id: str, symbol: str
    ) -> Mapping[str, Any]:
        """The venue's order for a step, found by the step's deterministic clientOrderId
        (raises OrderNotFound if the venue never took it)."""
        venue = self._ctx.venue_for(state.owner)
        coid = client_order_id(state.session_id, step_id)
        return call_translated(lambda: venue.fetch_order("", symbol, {"clientOrderId": coid}))
