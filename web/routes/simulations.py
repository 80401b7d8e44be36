"""The product team's plan-simulation API: parse, plan and preview; never an order."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from execution.plan_simulation import SimulationError
from web.auth import Principal
from web.deps import CurrentPrincipal, ServicesDep

router = APIRouter(prefix="/v1", tags=["simulations"])


def simulate_scope(principal: CurrentPrincipal) -> Principal:
    if "simulate" not in principal.scopes:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this key lacks the 'simulate' scope")
    return principal


Simulator = Annotated[Principal, Depends(simulate_scope)]


class SimulationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=500, examples=["buy $500 of ETH"])
    balances: dict[str, Decimal] = Field(default_factory=dict, examples=[{"USDT": "10000"}])
    seed: int | None = Field(default=None, description="order-book seed; default: the app's")


@router.post("/simulations")
def create_simulation(
    body: SimulationIn, principal: Simulator, services: ServicesDep
) -> dict[str, Any]:
    """Simulate what ``text`` would do with ``balances``: intent, plan and preview."""
    negative = sorted(ccy for ccy, value in body.balances.items() if value < 0)
    if negative:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"balances must not be negative: {', '.join(negative)}",
        )
    try:
        return services.simulate(body.text, body.balances, body.seed)
    except SimulationError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
