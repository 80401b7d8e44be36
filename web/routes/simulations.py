"""The product team's plan-simulation API: parse, plan and preview; never an order.

Every simulation runs on a throwaway sandbox account at a fixed instant (``as_of``), with
a given order-book ``seed`` and optional what-if ``scenario`` per symbol, so the same
request always gives the same answer.

Answers are written by pydantic-core straight from the typed models
(:meth:`~pydantic.BaseModel.model_dump_json`), never walked as untyped dicts. One
dependency (:func:`simulation_call`) finds the caller and the policy in force on the event
loop (microsecond SQLite reads that never wait on a writer, nothing cached). What may block
runs in FastAPI's thread pool: a simulation whose parser may call an LLM; a simulation with
the rule parser is CPU only and runs on the event loop. A batch is validated once as a
whole; its items run a chunk at a time, where a single simulation would (the loop serves
other requests between chunks; the policy is read once for the batch), each with its own
result or error, and
the answer is one JSON document or, with ``Accept: application/x-ndjson``, one JSON line
per item streamed as the chunks finish.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool

from execution.errors import ExecutionError
from execution.policy import Policy
from execution.policy.rules import Currency
from execution.preview.pipeline import (
    SIMULATION_EPOCH_MS,
    SimulatedPreview,
    Simulation,
    SimulationError,
)
from execution.preview.scenarios import SymbolScenario
from intent.models import Plan
from web.auth import Principal
from web.deps import CALLER_SECURITY, errors, request_caller, signed_in
from web.services import Services
from web.settings import LARGEST_BATCH

# 429 rate_limited: simulations per principal or per address (a batch counts its items), or
# unknown bearer tokens from the address (Retry-After).
router = APIRouter(prefix="/v1", tags=["simulations"], responses=errors(401, 403, 422, 429))
MAX_BATCH = LARGEST_BATCH
#: Items a batch runs per trip to the thread pool (and per streamed NDJSON chunk).
BATCH_CHUNK = 50
NDJSON = "application/x-ndjson"
#: The ways to call, documented as on every other route (the one dependency reads them).
SECURITY: dict[str, Any] = {"security": CALLER_SECURITY}


@dataclass(frozen=True, slots=True)
class SimulationCall:
    """Who simulates (a principal with the ``simulate`` scope), with what services, judged by
    which policy: what each simulation request needs, found by one dependency."""

    principal: Principal
    services: Services
    policy: Policy


async def simulation_call(request: Request) -> SimulationCall:
    """The caller, checked for the ``simulate`` scope, and the policy in force, both read on
    the event loop for the very request: the principals and the policy store read their
    SQLite file on read-only connections that never wait on a writer, and nothing is
    cached, so a revoked key or a published policy counts from the next request on."""
    services: Services = request.app.state.services
    # The bearer check with the simulation's own charges (one call to the buckets), before
    # anything tells a known token from an unknown one (the scope check); a batch's other
    # items are counted by its route.
    principal = signed_in(await request_caller(request, services, guard=False))
    services.rate_limits.simulations_of(request, principal, 1)
    if "simulate" not in principal.scopes:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this key lacks the 'simulate' scope")
    return SimulationCall(principal, services, services.simulations.policy())


Simulator = Annotated[SimulationCall, Depends(simulation_call)]


class SimulationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=500, examples=["buy $500 of ETH"])
    # A currency code, as the venue lists it: a key is named back in an error (and a lone
    # surrogate in one made pydantic-core fail building the error: a 500).
    balances: dict[Currency, Decimal] = Field(default_factory=dict, examples=[{"USDT": "10000"}])
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


def _run(services: Services, body: SimulationIn, policy: Policy | None = None) -> Simulation:
    as_of_ms = SIMULATION_EPOCH_MS if body.as_of is None else int(body.as_of.timestamp() * 1000)
    return services.simulations.run(
        body.text,
        body.balances,
        seed=body.seed,
        scenario=body.scenario,
        as_of_ms=as_of_ms,
        policy=policy,
    )


def _json(model: BaseModel) -> Response:
    return Response(model.model_dump_json(), media_type="application/json")


@router.post("/simulations", response_model=Simulation, openapi_extra=SECURITY)
async def create_simulation(body: SimulationIn, call: Simulator) -> Response:
    """Simulate what ``text`` would do with ``balances``: intent, plan and preview."""
    services, policy = call.services, call.policy
    try:
        if services.simulations.in_memory:  # CPU only: on the event loop, no thread hop
            return _json(_run(services, body, policy))
        return _json(await run_in_threadpool(_run, services, body, policy))  # may call an LLM
    except SimulationError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc


def _item(services: Services, body: SimulationIn, policy: Policy) -> BatchItem:
    """One item's result, or its own error (the others run regardless). Built without
    validation: its parts are the typed models the simulation returned."""
    try:
        sim = _run(services, body, policy)
    except SimulationError as exc:
        failure = SimulationFailure(code="not_plannable", message=str(exc))
        return BatchItem.model_construct(ok=False, error=failure)
    except ExecutionError as exc:  # the venue or a store failed, or its what-if was refused
        return BatchItem.model_construct(
            ok=False, error=SimulationFailure(code=exc.code, message=str(exc))
        )
    return BatchItem.model_construct(
        ok=True, intent=sim.intent, plan=sim.plan, preview=sim.preview, message=sim.message
    )


def _items(services: Services, items: Sequence[SimulationIn], policy: Policy) -> list[bytes]:
    return [_item(services, body, policy).model_dump_json().encode() for body in items]


async def _chunks(
    services: Services, items: Sequence[SimulationIn], policy: Policy
) -> AsyncIterator[list[bytes]]:
    """Each item's JSON, :data:`BATCH_CHUNK` at a time. CPU-only simulations (the rule
    parser) run on the event loop, which serves other requests between chunks; ones that
    may call an LLM run in the thread pool."""
    inline = services.simulations.in_memory
    for start in range(0, len(items), BATCH_CHUNK):
        chunk = items[start : start + BATCH_CHUNK]
        if inline:
            yield _items(services, chunk, policy)
            await asyncio.sleep(0)  # let the loop serve what arrived meanwhile
        else:
            yield await run_in_threadpool(_items, services, chunk, policy)


@router.post(
    "/simulations/batch",
    response_model=BatchOut,
    responses={
        200: {
            "content": {
                NDJSON: {"schema": {"type": "string", "description": "a BatchItem per line"}}
            }
        }
    },
    openapi_extra=SECURITY,
)
async def create_simulations(body: BatchIn, call: Simulator, request: Request) -> Response:
    """Up to 1,000 simulations at once, the batch validated as a whole. Each result is
    ``{"ok": true, ...}`` or carries its own ``error``, so one bad request does not sink the
    others. ``Accept: application/x-ndjson`` streams one result per line, in order."""
    services, policy = call.services, call.policy
    items = body.simulations
    if len(items) > 1:  # the first was counted with the call (simulation_call)
        services.rate_limits.simulations_of(request, call.principal, len(items) - 1)
    if NDJSON in request.headers.get("accept", ""):

        async def lines() -> AsyncIterator[bytes]:
            async for chunk in _chunks(services, items, policy):
                yield b"".join(line + b"\n" for line in chunk)

        return StreamingResponse(lines(), media_type=NDJSON)
    parts = [line async for chunk in _chunks(services, items, policy) for line in chunk]
    return Response(b'{"results":[' + b",".join(parts) + b"]}", media_type="application/json")
