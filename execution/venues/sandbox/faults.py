"""Seeded fault injection for the sandbox exchange: the failures a real venue produces.

A :class:`FaultPlan` is configuration (probabilities per call, a latency range, which
methods are affected); each :class:`~execution.venues.sandbox.exchange.SandboxExchange` turns it
into its own :class:`FaultInjector`, whose RNG is seeded from ``(plan.seed, account_id)``
and is independent of the book seed; the account's methods that would go over the network
are decorated with :func:`faultable`, which runs them through it. Every affected call
draws exactly two numbers (one for latency, one for the fault), so decisions are
reproducible for a given seed and call sequence whatever the outcomes were.

Faults, decided per call in this order of probability mass:

* ``network_error`` → ``ccxt.NetworkError`` before the venue sees the request;
* ``rate_limit`` → ``ccxt.RateLimitExceeded`` before the venue sees the request;
* ``timeout_before`` → ``ccxt.RequestTimeout``; the request never arrived (no state change);
* ``timeout_after`` → the venue processes the request (an order *is* accepted and
  recorded, a cancel *is* applied), then ``ccxt.RequestTimeout`` is raised: the caller must
  look the outcome up (an order by its ``clientOrderId``), never resend blindly.

Latency (``latency_ms=(low, high)``, uniform in whole milliseconds) is spent through the
injected ``sleep`` (seconds, like :func:`time.sleep`); the default does not sleep, so tests
stay fast. Pass ``sleep=lambda s: clock.advance(round(s * 1000))`` to let latency move a
:class:`~execution.clock.ManualClock`, or :func:`time.sleep` for real delays.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Concatenate, Literal, ParamSpec, Protocol, TypeVar

import ccxt

from execution.venues.sandbox.book import stable_seed

__all__ = [
    "DEFAULT_FAULT_METHODS",
    "FaultDecision",
    "FaultInjector",
    "FaultKind",
    "FaultPlan",
    "faultable",
]

FaultKind = Literal["network_error", "rate_limit", "timeout_before", "timeout_after"]

#: The Venue methods that talk to the exchange (load_markets and the precision helpers are
#: local in ccxt once markets are loaded, so they never fail).
DEFAULT_FAULT_METHODS = frozenset(
    {
        "fetch_ticker",
        "fetch_order_book",
        "fetch_balance",
        "create_order",
        "cancel_order",
        "fetch_order",
        "fetch_open_orders",
        "fetch_my_trades",
    }
)


def _no_sleep(seconds: float) -> None:
    """The default sleep: none (latency is still decided and recorded)."""


@dataclass(frozen=True)
class FaultPlan:
    """Probabilities (each in ``[0, 1]``, summing to at most 1) of each fault per call."""

    seed: int = 0
    network_error: float = 0.0
    timeout_before: float = 0.0
    timeout_after: float = 0.0
    rate_limit: float = 0.0
    latency_ms: tuple[int, int] = (0, 0)
    methods: frozenset[str] = DEFAULT_FAULT_METHODS
    sleep: Callable[[float], None] = field(default=_no_sleep, compare=False)

    def __post_init__(self) -> None:
        rates = {
            "network_error": self.network_error,
            "timeout_before": self.timeout_before,
            "timeout_after": self.timeout_after,
            "rate_limit": self.rate_limit,
        }
        for name, rate in rates.items():
            if not 0 <= rate <= 1:
                raise ValueError(f"{name} must be in [0, 1], got {rate}")
        if sum(rates.values()) > 1:
            raise ValueError(f"fault probabilities sum to more than 1: {rates}")
        low, high = self.latency_ms
        if not 0 <= low <= high:
            raise ValueError(f"latency_ms must be (low, high) with 0 <= low <= high: {low, high}")
        unknown = set(self.methods) - DEFAULT_FAULT_METHODS
        if unknown:
            raise ValueError(
                f"unknown methods {sorted(unknown)}; faultable: {sorted(DEFAULT_FAULT_METHODS)}"
            )
        object.__setattr__(self, "methods", frozenset(self.methods))


@dataclass(frozen=True)
class FaultDecision:
    """What the injector decided for one call (``fault`` ``None``: the call succeeds)."""

    call: int
    method: str
    latency_ms: int
    fault: FaultKind | None


class FaultInjector:
    """The stateful side of a :class:`FaultPlan` for one account: RNG and call log."""

    def __init__(self, plan: FaultPlan, account_id: str) -> None:
        self.plan = plan
        self.account_id = account_id
        self._rng = random.Random(stable_seed(plan.seed, f"faults\x1f{account_id}"))  # noqa: S311
        self._calls = 0
        #: Every decision, in call order (for tests, replays and support).
        self.log: list[FaultDecision] = []

    def decide(self, method: str) -> FaultDecision | None:
        """Decide (and spend the latency of) one call; ``None`` if ``method`` is unaffected."""
        plan = self.plan
        if method not in plan.methods:
            return None
        self._calls += 1
        low, high = plan.latency_ms
        # Always two draws, whatever the plan, so the sequence depends on the call count only.
        latency = low + int(self._rng.random() * (high - low + 1))
        draw = self._rng.random()
        fault: FaultKind | None = None
        edge = 0.0
        for kind, rate in (
            ("network_error", plan.network_error),
            ("rate_limit", plan.rate_limit),
            ("timeout_before", plan.timeout_before),
            ("timeout_after", plan.timeout_after),
        ):
            edge += rate
            if draw < edge:
                fault = kind  # type: ignore[assignment]  # the literal names above
                break
        decision = FaultDecision(self._calls, method, latency, fault)
        self.log.append(decision)
        if latency:
            plan.sleep(latency / 1000)
        return decision

    def raise_before(self, decision: FaultDecision | None, exchange_id: str) -> None:
        """Raise the fault that happens before the venue processes the request, if any."""
        if decision is None or decision.fault is None or decision.fault == "timeout_after":
            return
        where = (
            f"{exchange_id} {decision.method} (account {self.account_id}, call #{decision.call})"
        )
        if decision.fault == "network_error":
            raise ccxt.NetworkError(f"injected network error on {where}: request not delivered")
        if decision.fault == "rate_limit":
            raise ccxt.RateLimitExceeded(f"injected rate limit on {where}: request rejected")
        raise ccxt.RequestTimeout(f"injected timeout on {where}: request not delivered")

    def raise_after(
        self,
        decision: FaultDecision | None,
        exchange_id: str,
        cause: BaseException | None = None,
    ) -> None:
        """Raise a ``RequestTimeout`` for a request the venue did process, if so decided.

        ``cause`` is the venue's own error answer, which the timeout hides from the caller.
        """
        if decision is None or decision.fault != "timeout_after":
            return
        raise ccxt.RequestTimeout(
            f"injected timeout on {exchange_id} {decision.method} (account {self.account_id}, "
            f"call #{decision.call}): the request WAS processed; look the result up (an order "
            "by its clientOrderId) instead of resending"
        ) from cause


class _Faultable(Protocol):
    """What :func:`faultable` needs of an exchange: its id and its injector, if any."""

    @property
    def id(self) -> str: ...

    @property
    def faults(self) -> FaultInjector | None: ...


_S = TypeVar("_S", bound=_Faultable)
_P = ParamSpec("_P")
_R = TypeVar("_R")


def faultable(method: Callable[Concatenate[_S, _P], _R]) -> Callable[Concatenate[_S, _P], _R]:
    """Run ``method`` through the account's fault injector, if it has one."""
    name = method.__name__

    @functools.wraps(method)
    def wrapper(self: _S, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        injector = self.faults
        if injector is None:
            return method(self, *args, **kwargs)
        decision = injector.decide(name)
        injector.raise_before(decision, self.id)
        try:
            result = method(self, *args, **kwargs)
        except ccxt.BaseError as exc:
            # The venue answered with an error, but the answer was lost on the way back.
            injector.raise_after(decision, self.id, cause=exc)
            raise
        injector.raise_after(decision, self.id)
        return result

    return wrapper
