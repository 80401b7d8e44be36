"""Intent understanding: models, the rule parser, the planner and the canonical export."""

from intent.native import use_fresh_source

use_fresh_source()  # before anything imports the rule parser: never a stale compiled one


from intent.canonical import to_canonical
from intent.errors import IntentError, PlanningError
from intent.models import (
    Amount,
    Clarification,
    Intent,
    OrderSpec,
    Plan,
    PlanStep,
    Schedule,
    Span,
    Trigger,
    Unsupported,
)
from intent.parser import Parser
from intent.planner import plan_intent
from intent.rules import RuleParser

__all__ = [
    "Amount",
    "Clarification",
    "Intent",
    "IntentError",
    "OrderSpec",
    "Parser",
    "Plan",
    "PlanStep",
    "PlanningError",
    "RuleParser",
    "Schedule",
    "Span",
    "Trigger",
    "Unsupported",
    "plan_intent",
    "to_canonical",
]
