"""Plan simulation for the product team: text + balances → intent, plan and preview.

Stateless and side-effect free: it runs on a throwaway venue account, journals nothing
and sends nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from execution.policy import Policy
from execution.scenarios import SymbolScenario, apply_scenario
from execution.simulator import Simulator
from execution.venue import Venue
from intent.canonical import to_canonical
from intent.errors import PlanningError
from intent.models import Intent, OrderSpec
from intent.parser import Parser
from intent.planner import plan_intent


def funded(order: OrderSpec, yields: Mapping[str, Decimal]) -> OrderSpec:
    """``order`` with the quote amount it spends from an earlier step filled in."""
    if order.quote_amount_from is None:
        return order
    return order.model_copy(update={"quote_amount": yields[order.quote_amount_from]})


class SimulationError(ValueError):
    """The text cannot be simulated as a plan; the message says why."""


def simulate_text(
    text: str,
    balances: Mapping[str, Decimal],
    *,
    parser: Parser,
    venue: Venue,
    policy: Policy,
    now_ms: int,
    default_quote: str,
    ttl_ms: int,
    scenario: Mapping[str, SymbolScenario] | None = None,
) -> dict[str, Any]:
    """``{"intent", "plan", "preview"}`` for ``text``; a non-trade gives plan and preview null.

    ``scenario`` reshapes the named symbols' books before the preview (what-if)."""
    scenario = scenario or {}
    markets = venue.load_markets()
    unknown = sorted(set(scenario) - set(markets))
    if unknown:
        raise SimulationError(f"the scenario names symbols this venue does not list: {unknown}")
    result = parser.parse(text)
    canonical = to_canonical(result)
    if not isinstance(result, Intent):
        message = result.question if result.kind == "clarification" else result.message
        return {"intent": canonical, "plan": None, "preview": None, "message": message}
    if result.action in ("query", "cancel"):
        return {
            "intent": canonical,
            "plan": None,
            "preview": None,
            "message": f"{result.action} requests have no plan to simulate",
        }
    try:
        plan = plan_intent(
            result,
            plan_id="sim",
            symbols=markets.keys(),
            balances=balances,
            default_quote=default_quote,
        )
    except PlanningError as exc:
        raise SimulationError(str(exc)) from exc
    simulator = Simulator(venue, policy_version=policy.version, ttl_ms=ttl_ms)
    running = dict(balances)
    yields: dict[str, Decimal] = {}
    steps = []
    for step in plan.steps:
        order = funded(step.order, yields)
        market, book = simulator.snapshot(order.symbol)
        what_if = scenario.get(order.symbol)
        if what_if is not None:
            book = apply_scenario(book, market, what_if)
        preview = simulator.preview(step.step_id, order, running, now_ms, market=market, book=book)
        running.update(preview.balances_after)  # a later step spends what this one yields
        yields[step.step_id] = preview.received[1]
        if what_if is not None:
            preview = preview.model_copy(
                update={
                    "assumptions": preview.assumptions.model_copy(
                        update={"scenario": what_if.model_dump(mode="json")}
                    )
                }
            )
        decision = policy.check(preview)
        steps.append(
            {**preview.model_dump(mode="json"), "policy": decision.model_dump(mode="json")}
        )
    return {
        "intent": canonical,
        "plan": plan.model_dump(mode="json"),
        "preview": {"steps": steps, "policy_version": policy.version},
    }
