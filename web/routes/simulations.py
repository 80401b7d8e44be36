"""The product team's plan-simulation API: parse, plan and preview; never an order.

Every simulation runs on a throwaway sandbox account at a fixed instant (``as_of``), with
a given order-book ``seed`` and optional what-if ``scenario`` per symbol, so the same
request always gives the same answer.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from execution.preview.pipeline import (
    SIMULATION_EPOCH_MS,
    SimulatedPreview,
    Simulation,
    SimulationError,
)
from execution.preview.scenarios import SymbolScenario
from intent.models import Plan
from web.auth import Principal
from web.deps import CurrentPrincipal, ServicesDep, errors
from web.services import Services

router = APIRouter(prefix="/v1", tags=["simulations"], responses=errors(401, 403, 422))
MAX_BATCH = 100


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
    scenario: dict[str, SymbolScenario] = Field(
        default_factory=dict,
        description="what-if per symbol: shock_pct, spread_mult, depth_mult",
        examples=[{"ETH/USD": {"shock_pct": "-5", "spread_mult": "2", "depth_mult": "0.5"}}],
    )
    as_of: datetime | None = Field(
        default=None, description="the instant simulated; default 2026-01-01T00:00:00Z"
    )

    @field_validator("balances")
    @classmethod
    def _non_negative(cls, balances: dict[str, Decimal]) -> dict[str, Decimal]:
        negative = sorted(ccy for ccy, value in balances.items() if not value >= 0)
        if negative:
            raise ValueError(f"balances must be finite and not negative: {', '.join(negative)}")
        return balances

    @field_validator("as_of")
    @classmethod
    def _aware(cls, as_of: datetime | None) -> datetime | None:
        if as_of is not None and as_of.tzinfo is None:
            raise ValueError("as_of needs a time zone, e.g. 2026-01-01T00:00:00Z")
        return as_of


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    simulations: list[SimulationIn] = Field(min_length=1, max_length=MAX_BATCH)


class SimulationFailure(BaseModel):
    code: str = Field(examples=["not_plannable"])
    message: str


class BatchItem(BaseModel):
    """One batch item: ``ok`` and the :class:`Simulation`'s fields, or ``error``."""

    ok: bool
    intent: dict[str, Any] | None = None
    plan: Plan | None = None
    preview: SimulatedPreview | None = None
    message: str | None = None
    error: SimulationFailure | None = None


class BatchOut(BaseModel):
    results: list[BatchItem]


def _run(services: Services, body: SimulationIn) -> Simulation:
    as_of_ms = SIMULATION_EPOCH_MS if body.as_of is None else int(body.as_of.timestamp() * 1000)
    return services.simulations.run(
        body.text, body.balances, seed=body.seed, scenario=body.scenario, as_of_ms=as_of_ms
    )


@router.post("/simulations")
def create_simulation(
    body: SimulationIn, principal: Simulator, services: ServicesDep
) -> Simulation:
    """Simulate what ``text`` would do with ``balances``: intent, plan and preview."""
    try:
        return _run(services, body)
    except SimulationError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc


@router.post("/simulations/batch")
def create_simulations(body: BatchIn, principal: Simulator, services: ServicesDep) -> BatchOut:
    """Up to 100 simulations at once; each result is ``{"ok": true, ...}`` or carries its
    own ``error``, so one bad request does not sink the others."""
    results: list[BatchItem] = []
    for item in body.simulations:
        try:
            results.append(BatchItem(ok=True, **dict(_run(services, item))))
        except SimulationError as exc:
            failure = SimulationFailure(code="not_plannable", message=str(exc))
            results.append(BatchItem(ok=False, error=failure))
    return BatchOut(results=results)
