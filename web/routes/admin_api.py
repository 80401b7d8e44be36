"""Administrators (role ``admin``, scope ``settings``): the policy in force and customer tiers.

Every change is stored with who made it and when, and audited (old and new version or
tier) in the same transaction, in a hash chain that ``GET /v1/admin/audit/verify`` checks;
other roles get 403. A published policy is in force for the
next preview in every app process (:meth:`PolicyStore.current`).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from execution.clock import iso
from execution.policy import Policy, PolicyRules, TierName
from execution.policy.audit import AuditProblemKind
from web.deps import Admin, ServicesDep, errors

router = APIRouter(prefix="/v1/admin", tags=["admin"], responses=errors(401, 403, 404, 422))


class TierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tier: TierName = Field(examples=["pro"])


class PolicyOut(BaseModel):
    version: str = Field(examples=["2026-12-07.1"])
    policy: Policy


class PublishedOut(PolicyOut):
    previous_version: str


class VersionOut(BaseModel):
    version: str
    created_at: str = Field(description="ISO 8601 UTC")
    created_by: str


class VersionsOut(BaseModel):
    versions: list[VersionOut]


class TierOut(BaseModel):
    user_id: str
    tier: str
    previous_tier: str


class AuditEntryOut(BaseModel):
    at: str = Field(description="ISO 8601 UTC")
    who: str
    action: str
    subject: str
    old: str | None
    new: str | None
    seq: int | None = Field(description="its place in the hash chain (null: not in it)")
    hash: str | None = Field(description="SHA-256 of the entry and the hash before it")


class AuditOut(BaseModel):
    entries: list[AuditEntryOut]


class AuditProblemOut(BaseModel):
    kind: AuditProblemKind = Field(
        description="edited: a row's content no longer gives its hash; deleted: rows are "
        "missing; reordered: rows are stored out of chain order; broken_link: a row does "
        "not link to the one before (or to the chain head); unchained: written outside "
        "the chain"
    )
    seq: int | None = Field(description="the row's place in the chain (the first missing)")
    row_id: int | None = Field(description="the row's id in admin_audit, if it is there")
    detail: str


class AuditHeadOut(BaseModel):
    seq: int = Field(description="the last row's place in the chain (0: empty)")
    hash: str = Field(description="the last row's hash: note it outside the database")


class AuditVerificationOut(BaseModel):
    ok: bool
    rows: int
    head: AuditHeadOut
    problems: list[AuditProblemOut]


@router.get("/policy")
def get_policy(principal: Admin, services: ServicesDep) -> PolicyOut:
    """The policy in force and its version."""
    policy = services.policy_store.current()
    return PolicyOut(version=policy.version, policy=policy)


@router.put("/policy")
def put_policy(body: PolicyRules, principal: Admin, services: ServicesDep) -> PublishedOut:
    """Publish ``body`` (every rule; the version is assigned here) as the policy in force."""
    old, new = services.policy_store.publish(body, by=principal.user_id)
    return PublishedOut(version=new.version, policy=new, previous_version=old.version)


@router.get("/policy/versions")
def policy_versions(principal: Admin, services: ServicesDep) -> VersionsOut:
    """Every version ever in force, oldest first."""
    return VersionsOut(
        versions=[
            VersionOut(version=v.version, created_at=iso(v.created_ms), created_by=v.created_by)
            for v in services.policy_store.versions()
        ]
    )


@router.put("/principals/{user_id}/tier")
def put_tier(user_id: str, body: TierIn, principal: Admin, services: ServicesDep) -> TierOut:
    """Move an account to a tier the policy in force defines."""
    policy = services.policy_store.current()
    if body.tier not in policy.tiers:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [
                {
                    "loc": ["body", "tier"],
                    "msg": f"policy {policy.version} has no tier {body.tier!r} "
                    f"(known: {', '.join(sorted(policy.tiers))})",
                    "type": "value_error",
                }
            ],
        )
    old = services.principals.set_tier(
        user_id, body.tier, by=principal.user_id, at_ms=services.clock.now_ms()
    )
    if old is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no account {user_id!r}")
    return TierOut(user_id=user_id, tier=body.tier, previous_tier=old)


@router.get("/audit")
def audit(principal: Admin, services: ServicesDep) -> AuditOut:
    """Every administrative change, and every customer's acknowledgement of the risk
    disclosure (``risk_disclosure_acknowledged``: ``new`` is the JSON of the version,
    locale and exact text shown), oldest first, each with its place and hash in the audit's
    chain (``GET /v1/admin/audit/verify`` checks it)."""
    return AuditOut(
        entries=[
            AuditEntryOut(
                at=iso(e.at_ms),
                who=e.who,
                action=e.action,
                subject=e.subject,
                old=e.old_value,
                new=e.new_value,
                seq=e.seq,
                hash=e.hash,
            )
            for e in services.policy_store.audit()
        ]
    )


@router.get("/audit/verify")
def verify_audit(principal: Admin, services: ServicesDep) -> AuditVerificationOut:
    """Check the audit's hash chain: each entry's hash, its link to the one before, the
    stored order and the chain head. ``ok`` false lists each problem and where it is."""
    checked = services.policy_store.verify_audit()
    return AuditVerificationOut(
        ok=checked.ok,
        rows=checked.rows,
        head=AuditHeadOut(seq=checked.head_seq, hash=checked.head_hash),
        problems=[
            AuditProblemOut(kind=p.kind, seq=p.seq, row_id=p.row_id, detail=p.detail)
            for p in checked.problems
        ],
    )
