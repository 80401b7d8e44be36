"""The exchange's policy: its rules (:mod:`.rules`), every version published and the audit
of changes (:mod:`.store`), and the daily-usage ledger that enforces the per-day caps
across processes (:mod:`.limits`)."""

from execution.policy.rules import (
    DEFAULT_TIER,
    DEFAULT_VERSION,
    MAX_MONEY,
    Denial,
    Policy,
    PolicyDecision,
    PolicyRules,
    TierLimits,
    TierName,
    daily_limit_denial,
)
from execution.policy.store import (
    AUDIT_SCHEMA,
    AuditEntry,
    PolicyStore,
    PolicyVersion,
    record_audit,
)

__all__ = [
    "AUDIT_SCHEMA",
    "DEFAULT_TIER",
    "DEFAULT_VERSION",
    "MAX_MONEY",
    "AuditEntry",
    "Denial",
    "Policy",
    "PolicyDecision",
    "PolicyRules",
    "PolicyStore",
    "PolicyVersion",
    "TierLimits",
    "TierName",
    "daily_limit_denial",
    "record_audit",
]
