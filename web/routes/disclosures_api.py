"""The risk disclosure a customer acknowledges before their first message (cookie or bearer).

Until the version in force is acknowledged, ``POST /api/sessions/{id}/messages`` is refused
with 403 ``disclosure_required``. The acknowledgement is recorded per customer in the audit
(``GET /v1/admin/audit``): who, when, the version, the locale and the exact text shown.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from execution.clock import iso
from execution.disclosures import Locale, RiskDisclosure, risk_disclosure
from web.deps import Customer, ServicesDep, errors

router = APIRouter(
    prefix="/api/disclosures",
    tags=["customer disclosures"],
    # 409: an acknowledgement of another version (disclosure_stale) or text
    # (disclosure_mismatch) than the server shows now
    responses=errors(401, 403, 409, 422),
)


class RiskDisclosureOut(RiskDisclosure):
    """The disclosure in force, in the locale asked for, and whether the caller has
    acknowledged it (when, in which locale)."""

    acknowledged: bool
    acknowledged_at: str | None = Field(default=None, description="ISO 8601 UTC")
    acknowledged_locale: str | None = None


class AckIn(BaseModel):
    """What was shown and acknowledged: exactly the version, locale and text the server
    shows (``GET /api/disclosures/risk?locale=...``)."""

    model_config = ConfigDict(extra="forbid")
    version: str = Field(min_length=1, max_length=100)
    locale: Locale
    text: str = Field(min_length=1, max_length=5000)


class AckOut(BaseModel):
    version: str
    locale: str
    acknowledged_at: str = Field(description="ISO 8601 UTC")
    recorded_now: bool = Field(description="false: this version was already acknowledged")


@router.get("/risk")
def get_risk_disclosure(
    principal: Customer,
    services: ServicesDep,
    locale: Annotated[Locale, Query(description="the language to show it in")] = "en",
) -> RiskDisclosureOut:
    """The risk disclosure in force in ``locale``, and whether the caller acknowledged it."""
    shown = risk_disclosure(locale)
    done = services.disclosures.acknowledged(principal.user_id, shown.version)
    return RiskDisclosureOut(
        **shown.model_dump(),
        acknowledged=done is not None,
        acknowledged_at=None if done is None else iso(done.at_ms),
        acknowledged_locale=None if done is None else done.locale,
    )


@router.post("/risk/ack", status_code=status.HTTP_201_CREATED)
def acknowledge_risk_disclosure(
    body: AckIn,
    response: Response,
    principal: Customer,
    services: ServicesDep,
) -> AckOut:
    """Record that the caller read and acknowledged the disclosure shown (201; 200 if this
    version was already acknowledged, which stays as first recorded)."""
    done, now = services.disclosures.acknowledge(
        principal.user_id, body.version, body.locale, body.text, by=principal.user_id
    )
    if not now:
        response.status_code = status.HTTP_200_OK
    return AckOut(
        version=done.version,
        locale=done.locale,
        acknowledged_at=iso(done.at_ms),
        recorded_now=now,
    )
