"""Administrators (role ``admin``, scope ``settings``) issue, list and revoke API keys.

A key is shown once, in the answer that issues it; the list shows what recognises a key
(its prefix), never its secret. A revoked or expired key is refused by every process on its
next request (web.api_keys). Issuing and revoking are in the admin audit.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from execution.clock import iso
from web.api_keys import KEY_SCOPES, MAX_EXPIRY_DAYS, ApiKey, ApiKeyError, check_scopes
from web.deps import Admin, ServicesDep, errors

router = APIRouter(
    prefix="/v1/admin/api-keys", tags=["admin"], responses=errors(401, 403, 404, 409, 422)
)


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    scopes: list[str] = Field(
        min_length=1,
        max_length=len(KEY_SCOPES),
        description=f"what the key may do: keys act as the product role, so of "
        f"{sorted(KEY_SCOPES)}",
        examples=[["simulate"]],
    )
    expires_in_days: int = Field(90, ge=1, le=MAX_EXPIRY_DAYS)


class ApiKeyOut(BaseModel):
    id: str
    name: str
    prefix: str = Field(
        description="the key's first characters, to recognise it", examples=["ta_live_ab12"]
    )
    scopes: list[str]
    created_at: str = Field(description="ISO 8601 UTC")
    created_by: str
    expires_at: str = Field(description="ISO 8601 UTC")
    revoked_at: str | None = Field(description="ISO 8601 UTC; null while it works")
    revoked_by: str | None


class IssuedKeyOut(ApiKeyOut):
    key: str = Field(description="the key itself: shown only in this answer, never again")


class ApiKeysOut(BaseModel):
    keys: list[ApiKeyOut]


def _out(key: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        scopes=sorted(key.scopes),
        created_at=iso(key.created_at_ms),
        created_by=key.created_by,
        expires_at=iso(key.expires_at_ms),
        revoked_at=None if key.revoked_at_ms is None else iso(key.revoked_at_ms),
        revoked_by=key.revoked_by,
    )


@router.post("", status_code=status.HTTP_201_CREATED)
def issue_key(body: ApiKeyIn, principal: Admin, services: ServicesDep) -> IssuedKeyOut:
    """Issue a key (audited as ``api_key_created``); its secret is in this answer only."""
    try:
        scopes = check_scopes(body.scopes)
    except ApiKeyError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [{"loc": ["body", "scopes"], "msg": str(exc), "type": "value_error"}],
        ) from None
    key, secret = services.api_keys.issue(
        body.name,
        scopes,
        expires_in_days=body.expires_in_days,
        by=principal.user_id,
        at_ms=services.clock.now_ms(),
    )
    return IssuedKeyOut(**_out(key).model_dump(), key=secret)


@router.get("")
def list_keys(principal: Admin, services: ServicesDep) -> ApiKeysOut:
    """Every key, newest first, revoked and expired ones too; never a secret."""
    return ApiKeysOut(keys=[_out(key) for key in services.api_keys.all()])


@router.delete("/{key_id}")
def revoke_key(key_id: str, principal: Admin, services: ServicesDep) -> ApiKeyOut:
    """Revoke a key, at once in every process (audited as ``api_key_revoked``); 404 for
    an unknown id, 409 if it was revoked already."""
    if services.api_keys.get(key_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no API key {key_id!r}")
    try:
        key = services.api_keys.revoke(key_id, by=principal.user_id, at_ms=services.clock.now_ms())
    except ApiKeyError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    return _out(key)
