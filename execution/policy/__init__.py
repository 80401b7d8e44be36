"""The exchange's policy: its rules (:mod:`.rules`), every version published (:mod:`.store`)
and the hash-chained audit of changes (:mod:`.audit`), and the daily-usage ledger that
enforces the per-day caps across processes (:mod:`.limits`)."""

from execution.policy.audit import (
    AUDIT_SCHEMA,
    AuditEntry,
    AuditProblem,
    AuditVerification,
    prepare_audit,
    record_audit,
    verify_audit,
)
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
from execution.policy.store import PolicyStore, PolicyVersion

__all__ = [
    "AUDIT_SCHEMA",
    "DEFAULT_TIER",
    "DEFAULT_VERSION",
    "MAX_MONEY",
    "AuditEntry",
    "AuditProblem",
    "AuditVerification",
    "Denial",
    "Policy",
    "PolicyDecision",
    "PolicyRules",
    "PolicyStore",
    "PolicyVersion",
    "TierLimits",
    "TierName",
    "daily_limit_denial",
    "prepare_audit",
    "record_audit",
    "verify_audit",
]
