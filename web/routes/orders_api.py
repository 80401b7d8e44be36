"""What the customer has working, across all their sessions: the orders panel's source; and
their balances, which the chat page shows before any session exists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from execution.i18n import Locale
from execution.session.overview import Overview
from web.deps import Customer, ServicesDep, actor_for, errors

router = APIRouter(tags=["customer orders"], responses=errors(401, 403))


class BalancesOut(BaseModel):
    """The customer's balances, per currency, as decimal strings."""

    free: dict[str, str] = Field(description="available to trade")
    used: dict[str, str] = Field(description="held by open orders")
    total: dict[str, str]


@router.get("/api/orders")
def get_orders(
    request: Request,
    principal: Customer,
    services: ServicesDep,
    locale: Annotated[Locale, Query(description="the language of the terms")] = "en",
) -> Overview:
    """Open orders, standing orders (mandates: armed, paused or awaiting confirmation, with
    their terms, orders placed of the total and the next run) and the recent fills. A
    mandate is stopped with ``POST /api/sessions/{session_id}/steps/{step_id}/reject`` and
    resumed (a paused one) by previewing it again and confirming. ``locale``: the language
    of each standing order's terms (its description is the one it was planned with)."""
    return services.assistant.overview(actor_for(principal, request), locale)


@router.get("/api/balances", responses=errors(502, 503))
def get_balances(request: Request, principal: Customer, services: ServicesDep) -> BalancesOut:
    """The signed-in customer's balances (the chat page shows them before any session)."""
    balances = services.assistant.balances(actor_for(principal, request).user_id)
    return BalancesOut(
        **{part: {k: str(v) for k, v in values.items()} for part, values in balances.items()}
    )
