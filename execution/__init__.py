"""Execution: venues, preview, policy, checkpoints, journal and the assistant.

The sandbox exchange lives in :mod:`execution.venues.sandbox` and is not re-exported here: it
imports ccxt, which is slow, and nothing else in this package needs it at import time.
"""

from execution.actors import Actor
from execution.assistant import Assistant, PendingConfirmation, Turn
from execution.checkpoints import Binding, Checkpoints
from execution.clock import Clock, ManualClock, SystemClock
from execution.errors import (
    ConfirmationRefused,
    ExecutionError,
    InvalidTransition,
    NotFound,
    OrderRejected,
    PermissionDenied,
    RateLimited,
    StepNotConfirmable,
    TokenExpired,
    TokenMismatch,
    TokenReused,
    VenueError,
    VenueUnavailable,
)
from execution.journal import Event, Journal, SQLiteJournal, Verification
from execution.policy import Policy, PolicyDecision
from execution.preview.simulator import Simulator, StepPreview
from execution.venues.protocol import Venue

__all__ = [
    "Actor",
    "Assistant",
    "Binding",
    "Checkpoints",
    "Clock",
    "ConfirmationRefused",
    "Event",
    "ExecutionError",
    "InvalidTransition",
    "Journal",
    "ManualClock",
    "NotFound",
    "OrderRejected",
    "PendingConfirmation",
    "PermissionDenied",
    "Policy",
    "PolicyDecision",
    "RateLimited",
    "SQLiteJournal",
    "Simulator",
    "StepNotConfirmable",
    "StepPreview",
    "SystemClock",
    "TokenExpired",
    "TokenMismatch",
    "TokenReused",
    "Turn",
    "Venue",
    "VenueError",
    "VenueUnavailable",
    "Verification",
]
