"""Plan simulation for the product team: text + balances → intent, plan and preview.

Stateless and side-effect free: it runs on a throwaway venue account, journals nothing
and sends nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from execution.mandates import condition_holds, sized, terms_for
from execution.policy import Policy
from execution.scenarios import SymbolScenario, apply_scenario, book_mid
from execution.simulator import Simulator, StepPreview
from execution.venue import Venue
from intent.canonical import to_canonical
from intent.errors import PlanningError
from intent.models import Intent, Mandate, OrderSpec, PlanStep, plain
from intent.parser import Parser
from intent.planner import plan_intent


def funded(order: OrderSpec, yields: Mapping[str, Decimal]) -> OrderSpec:
    """``order`` with the quote amount it spends from an earlier step filled in."""
    if order.quote_amount_from is None:
        return order
    return order.model_copy(update={"quote_amount": yields[order.quote_amount_from]})


class PlanSequence:
    """The figures each step of a plan is previewed on: the balances the steps before it
    leave, and what an earlier step yields where this one spends it. A bracket's exits are
    alternatives: each is previewed on the balances after its entry, selling what the
    entry is expected to buy."""

    def __init__(self, balances: Mapping[str, Decimal]) -> None:
        self.running = dict(balances)
        self.yields: dict[str, Decimal] = {}
        self.after: dict[str, dict[str, Decimal]] = {}

    def inputs(self, step: PlanStep) -> tuple[OrderSpec, dict[str, Decimal]]:
        source = step.mandate.amount_from if step.mandate is not None else None
        if source is None:
            return funded(step.order, self.yields), self.running
        return sized(step.order, self.yields[source]), self.after[source]

    def record(self, step: PlanStep, preview: StepPreview) -> None:
        self.yields[step.step_id] = preview.received[1]
        self.after[step.step_id] = {**self.running, **preview.balances_after}
        if step.mandate is None or step.mandate.amount_from is None:
            self.running.update(preview.balances_after)  # a later step spends its yield


def at_price(book: Mapping[str, Any], market: Mapping[str, Any], price: Decimal) -> dict[str, Any]:
    """``book`` moved as a whole so that its mid is (about, on the tick) ``price``."""
    shock = (price / book_mid(book) - 1) * 100
    return apply_scenario(book, market, SymbolScenario(shock_pct=shock))


def preview_order(
    simulator: Simulator,
    step_id: str,
    order: OrderSpec,
    balances: Mapping[str, Decimal],
    now_ms: int,
    *,
    market: Mapping[str, Any],
    book: Mapping[str, Any],
    mandate: Mandate | None = None,
) -> StepPreview:
    """One order step's preview. A mandate's order is previewed where it would go out: at
    its condition price while the market has not got there (the book moved there, said
    in the assumptions), else on the book as it is; it carries the terms the customer
    agrees to. The chat, the simulation API and the replay all
    preview through here."""
    if mandate is None:
        return simulator.preview(step_id, order, balances, now_ms, market=market, book=book)
    condition = mandate.condition
    waits = condition is not None and not condition_holds(condition, book_mid(book))
    if waits:
        assert condition is not None
        book = at_price(book, market, condition.price)
    preview = simulator.preview(step_id, order, balances, now_ms, market=market, book=book)
    terms = terms_for(mandate, preview.mid_price, now_ms, waits=waits)
    updates: dict[str, Any] = {"mandate": terms}
    if waits:
        assert condition is not None
        updates["assumptions"] = preview.assumptions.model_copy(
            update={"scenario": {"at_price": plain(condition.price)}}
        )
    return preview.model_copy(update=updates)


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
    sequence = PlanSequence(balances)
    steps = []
    for step in plan.steps:
        order, step_balances = sequence.inputs(step)
        market, book = simulator.snapshot(order.symbol)
        what_if = scenario.get(order.symbol)
        if what_if is not None:
            book = apply_scenario(book, market, what_if)
        preview = preview_order(
            simulator,
            step.step_id,
            order,
            step_balances,
            now_ms,
            market=market,
            book=book,
            mandate=step.mandate,
        )
        sequence.record(step, preview)
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
