"""Parse → plan → preview → policy, written once.

:class:`Pipeline` holds what a preview depends on besides the request: the venue (its
markets, books and balances), the policy in force, the customer's tier and what they have
already traded today, the instant and the confirmation TTL. Every face calls it:

- the chat (:class:`execution.assistant.Assistant`) plans a reading and previews each step
  through :meth:`Pipeline.plan` and :meth:`Pipeline.evaluate_plan`, journaling as it goes;
- the simulation API and ``tradeassist simulate`` call :func:`simulate` on a throwaway
  account (it journals nothing and sends nothing);
- ``replay --verify`` re-runs each journaled preview on its recorded book through
  :func:`judge`, the one place a preview meets the policy.

A policy denial becomes a blocking warning of the preview (:func:`judge`), so a step the
chat would block is blocked in a simulation too.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from execution import metrics
from execution.clock import ManualClock
from execution.decimals import fixed_decimals
from execution.errors import ExecutionError, ScenarioRefused, VenueError, call_translated
from execution.i18n.locales import locale_of_message
from execution.mandates import condition_holds, sized, terms_for
from execution.policy import DEFAULT_TIER, Denial, Policy, PolicyDecision
from execution.preview.scenarios import SymbolScenario, apply_scenario, book_mid, reshaped
from execution.preview.simulator import PreviewWarning, Simulator, StepPreview
from execution.preview.snapshots import Snapshot, SnapshotCache
from execution.venues.protocol import IsolatedAccounts, Venue
from intent.canonical import to_canonical
from intent.errors import PlanningError
from intent.models import (
    Intent,
    Mandate,
    Model,
    OrderSpec,
    Plan,
    PlanStep,
    StandingOrderRef,
    plain,
)
from intent.parser import Parser, RememberingParser
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
    """``book`` moved as a whole so that its mid is (about, on the tick) ``price``;
    :class:`~execution.errors.ScenarioRefused` if that book cannot be drawn on the tick."""
    shock = (price / book_mid(book) - 1) * 100
    return reshaped(book, market, shock_pct=shock, what=f"moved to {plain(price)}")


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
    agrees to."""
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


def apply_policy(
    policy: Policy,
    preview: StepPreview,
    *,
    tier: str = DEFAULT_TIER,
    used_today: Decimal = Decimal(0),
) -> tuple[StepPreview, PolicyDecision]:
    """Check ``preview`` against ``policy`` for a customer of ``tier`` who has already
    traded ``used_today`` in its quote currency: each denial becomes a blocking warning."""
    decision = policy.check(preview, tier=tier, used_today=used_today)
    if decision.allowed:
        return preview, decision
    warnings = preview.warnings + tuple(_denial_warning(d) for d in decision.denials)
    return preview.model_copy(update={"warnings": warnings}), decision


def _denial_warning(denial: Denial) -> PreviewWarning:
    return PreviewWarning(
        code=denial.code, message=denial.message, blocking=True, params=denial.params
    )


@fixed_decimals
def judge(
    simulator: Simulator,
    policy: Policy,
    step_id: str,
    order: OrderSpec,
    balances: Mapping[str, Decimal],
    now_ms: int,
    *,
    market: Mapping[str, Any],
    book: Mapping[str, Any],
    mandate: Mandate | None = None,
    tier: str = DEFAULT_TIER,
    used_today: Callable[[StepPreview], Decimal] = lambda preview: Decimal(0),
) -> tuple[StepPreview, PolicyDecision, Decimal]:
    """One step previewed on ``book`` and checked against ``policy``: the preview (the
    denials among its blocking warnings), the decision, and the notional already used today
    that the decision counted. Every face's preview comes from here."""
    preview = preview_order(
        simulator, step_id, order, balances, now_ms, market=market, book=book, mandate=mandate
    )
    used = used_today(preview)
    preview, decision = apply_policy(policy, preview, tier=tier, used_today=used)
    return preview, decision, used


@dataclass(frozen=True, slots=True)
class StepEvaluation:
    """One step's preview as computed, with the inputs it was computed on."""

    venue_id: str
    order: OrderSpec
    balances: dict[str, Decimal]
    market: Mapping[str, Any]
    book: Mapping[str, Any]
    preview: StepPreview
    decision: PolicyDecision
    tier: str
    used_today: Decimal  # the customer's notional already counted today in this quote
    mandate: Mandate | None = None  # a mandate step's bounds, previewed with its order


class PreviewFailed(ExecutionError):
    """A plan's step could not be previewed, and the later steps were not: the venue failed
    (a :class:`VenueError`), or the book it would be previewed on cannot be drawn (a
    :class:`ScenarioRefused`). Its code and details are its cause's."""

    def __init__(self, step_id: str, cause: VenueError | ScenarioRefused) -> None:
        super().__init__(str(cause))
        self.step_id = step_id
        self.cause = cause
        self.code = cause.code
        self.details = cause.details


@dataclass(frozen=True)
class Pipeline:
    """What a preview depends on besides the request; see the module docstring."""

    venue: Venue
    policy: Policy
    now_ms: Callable[[], int]
    ttl_ms: int
    default_quote: str
    tier: str = DEFAULT_TIER
    used_today: Callable[[StepPreview], Decimal] = lambda preview: Decimal(0)
    scenario: Mapping[str, SymbolScenario] | None = None
    # Snapshots reused across pipelines whose venue books are the same for the same
    # ``snapshot_key`` (a simulation's seed and instant); ``None``: ask the venue each time.
    snapshots: SnapshotCache | None = None
    snapshot_key: Hashable = None

    @fixed_decimals
    def plan(
        self,
        intent: Intent,
        *,
        plan_id: str,
        balances: Mapping[str, Decimal],
        open_orders: list[Any] | tuple[Any, ...] = (),
        symbols: Collection[str] | None = None,
        standing: Sequence[StandingOrderRef] = (),
    ) -> Plan:
        """The plan of a trade or cancel ``intent`` on the venue's markets (``symbols`` if
        they were loaded already); :class:`PlanningError` if it has none."""
        if symbols is None:
            symbols = call_translated(lambda: self.venue.load_markets()).keys()
        return plan_intent(
            intent,
            plan_id=plan_id,
            symbols=symbols,
            balances=balances,
            default_quote=self.default_quote,
            open_orders=list(open_orders),
            standing=standing,
        )

    @fixed_decimals
    def evaluate(
        self,
        step_id: str,
        order: OrderSpec,
        balances: Mapping[str, Decimal],
        mandate: Mandate | None = None,
    ) -> StepEvaluation:
        """Preview one step on the venue's book now (or its what-if) and judge it."""
        simulator = Simulator(self.venue, policy_version=self.policy.version, ttl_ms=self.ttl_ms)
        what_if = (self.scenario or {}).get(order.symbol)
        market, book = self._snapshot(simulator, order.symbol, what_if)
        preview, decision, used = judge(
            simulator,
            self.policy,
            step_id,
            order,
            balances,
            self.now_ms(),
            market=market,
            book=book,
            mandate=mandate,
            tier=self.tier,
            used_today=self.used_today,
        )
        if what_if is not None:
            assumptions = preview.assumptions.model_copy(
                update={"scenario": what_if.model_dump(mode="json")}
            )
            preview = preview.model_copy(update={"assumptions": assumptions})
        return StepEvaluation(
            self.venue.id,
            order,
            dict(balances),
            market,
            book,
            preview,
            decision,
            self.tier,
            used,
            mandate,
        )

    def _snapshot(
        self, simulator: Simulator, symbol: str, what_if: SymbolScenario | None
    ) -> Snapshot:
        """The market and book ``symbol`` is previewed on (its what-if applied): from
        :attr:`snapshots` when the pipeline has them, else the venue's now."""

        def build() -> Snapshot:
            market, book = call_translated(lambda: simulator.snapshot(symbol))
            if what_if is not None:
                book = apply_scenario(book, market, what_if)
            return market, book

        if self.snapshots is None:
            return build()
        shape = None
        if what_if is not None:
            shape = (what_if.shock_pct, what_if.spread_mult, what_if.depth_mult)
        return self.snapshots.get((self.snapshot_key, symbol, shape), build)

    def evaluate_plan(
        self, plan: Plan, balances: Mapping[str, Decimal]
    ) -> Iterator[tuple[PlanStep, StepEvaluation]]:
        """Each order step of ``plan`` previewed and judged in turn, on the balances the
        steps before it leave (:class:`PlanSequence`); :class:`PreviewFailed` naming the
        step if the venue fails or its book cannot be drawn (the later steps build on its
        figures)."""
        sequence = PlanSequence(balances)
        for step in plan.steps:
            if step.kind in ("cancel_order", "stop_mandate"):  # no order to preview
                continue
            order, step_balances = sequence.inputs(step)
            try:
                evaluation = self.evaluate(step.step_id, order, step_balances, step.mandate)
            except (VenueError, ScenarioRefused) as exc:
                raise PreviewFailed(step.step_id, exc) from exc
            sequence.record(step, evaluation.preview)
            yield step, evaluation


class SimulationError(ValueError):
    """The text cannot be simulated as a plan; the message says why."""


class SimulatedStep(StepPreview):
    """One step's preview, as the chat shows it, with the policy's decision on it."""

    policy: PolicyDecision


class SimulatedPreview(Model):
    steps: tuple[SimulatedStep, ...]
    policy_version: str


class Simulation(Model):
    """What a text would do: its canonical reading, and for a trade its plan and preview;
    otherwise ``message`` says why there is none (the question the chat would ask)."""

    intent: dict[str, Any]
    plan: Plan | None = None
    preview: SimulatedPreview | None = None
    message: str | None = None


@fixed_decimals
def simulate(
    pipeline: Pipeline, parser: Parser, text: str, balances: Mapping[str, Decimal]
) -> Simulation:
    """The :class:`Simulation` of ``text``. Runs on whatever account ``pipeline.venue`` is:
    the simulation API and the CLI give it a throwaway one, so nothing is journaled or
    sent."""
    markets = call_translated(lambda: pipeline.venue.load_markets())
    unknown = sorted(set(pipeline.scenario or {}) - set(markets))
    if unknown:
        raise SimulationError(f"the scenario names symbols this venue does not list: {unknown}")
    lang = locale_of_message(text) or "unknown"
    try:
        result = parser.parse(text)
    except Exception:
        metrics.PARSES.labels("error", lang).inc()
        raise
    metrics.PARSES.labels(result.kind, lang).inc()
    canonical = to_canonical(result)
    if not isinstance(result, Intent):
        message = result.question if result.kind == "clarification" else result.message
        return Simulation(intent=canonical, message=message)
    if result.action in ("query", "cancel"):
        return Simulation(
            intent=canonical, message=f"{result.action} requests have no plan to simulate"
        )
    try:
        plan = pipeline.plan(result, plan_id="sim", balances=balances, symbols=markets.keys())
    except PlanningError as exc:
        raise SimulationError(str(exc)) from exc
    steps = tuple(
        SimulatedStep(**dict(evaluation.preview), policy=evaluation.decision)
        for _, evaluation in pipeline.evaluate_plan(plan, balances)
    )
    return Simulation(
        intent=canonical,
        plan=plan,
        preview=SimulatedPreview(steps=steps, policy_version=pipeline.policy.version),
    )


# Simulations run at this instant unless asked otherwise: 2026-01-01T00:00:00Z.
SIMULATION_EPOCH_MS = 1_767_225_600_000


@dataclass(frozen=True, slots=True)
class Simulations:
    """The product team's what-ifs (the simulation API and ``tradeassist simulate``): the
    chat's pipeline on a throwaway account, with the policy in force, at a fixed instant."""

    accounts: IsolatedAccounts
    policy: Callable[[], Policy]
    parser: Parser
    ttl_ms: int
    default_quote: str
    # The books of a (seed, instant, symbol, scenario), built once (bounded LRU).
    snapshots: SnapshotCache = field(default_factory=SnapshotCache)

    def __post_init__(self) -> None:
        # A deterministic parser's results are remembered by text (bounded LRU).
        if getattr(self.parser, "deterministic", False):
            object.__setattr__(self, "parser", RememberingParser(self.parser))

    @property
    def in_memory(self) -> bool:
        """Whether :meth:`run` given a ``policy`` does no I/O: true with a deterministic
        parser (the rules), false with one that may call an LLM. The accounts are always
        in-process sandbox accounts."""
        return isinstance(self.parser, RememberingParser)

    def run(
        self,
        text: str,
        balances: Mapping[str, Decimal],
        *,
        seed: int | None = None,
        scenario: Mapping[str, SymbolScenario] | None = None,
        as_of_ms: int = SIMULATION_EPOCH_MS,
        policy: Policy | None = None,
    ) -> Simulation:
        """Parse, plan and preview ``text`` on an isolated sandbox account at ``as_of_ms``;
        sends nothing, and the same arguments always give the same answer. ``policy``: the
        one to judge by (a batch reads the policy in force once), else the one in force."""
        pipeline = Pipeline(
            venue=self.accounts.isolated(balances, seed, ManualClock(as_of_ms)),
            policy=self.policy() if policy is None else policy,
            now_ms=lambda: as_of_ms,
            ttl_ms=self.ttl_ms,
            default_quote=self.default_quote,
            scenario=scenario,
            snapshots=self.snapshots,
            snapshot_key=(seed, as_of_ms),
        )
        return simulate(pipeline, self.parser, text, balances)
