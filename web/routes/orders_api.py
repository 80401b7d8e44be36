"""What the customer has working, across all their sessions: the orders panel's source."""

from __future__ import annotations

from fastapi import APIRouter, Request

from execution.session.overview import Overview
from web.deps import Customer, ServicesDep, actor_for, errors

router = APIRouter(prefix="/api/orders", tags=["customer orders"], responses=errors(401, 403))


@router.get("")
def get_orders(request: Request, principal: Customer, services: ServicesDep) -> Overview:
    """Open orders, standing orders (mandates: armed, paused or awaiting confirmation, with
    their terms, orders placed of the total and the next run) and the recent fills. A
    mandate is stopped with ``POST /api/sessions/{session_id}/steps/{step_id}/reject`` and
    resumed (a paused one) by previewing it again and confirming."""
    return services.assistant.overview(actor_for(principal, request))
