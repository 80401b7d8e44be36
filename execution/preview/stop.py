"""The preview of a stop step: which standing order stops, how far it got, and that the
orders it already placed stay placed. Nothing is read from the venue: a stop sends nothing.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import Field

from execution.journal import canonical_json
from intent.models import Model


class StopPreview(Model):
    """What stopping one mandate would do; its hash is what a confirmation is bound to."""

    kind: Literal["stop"] = "stop"
    step_id: str
    session_id: str  # the mandate's session ...
    target_step_id: str  # ... and step
    description: str  # the mandate's, as the customer was shown it
    symbol: str
    state: str  # the mandate's state when previewed
    orders_placed: int = Field(ge=0)
    orders_total: int = Field(ge=1)
    policy_version: str
    created_ms: int
    expires_ms: int

    @property
    def blocked(self) -> bool:
        return False

    def digest(self) -> str:
        """SHA-256 over exactly what is shown: the hash a confirmation token is bound to."""
        return hashlib.sha256(canonical_json(self.model_dump(mode="json")).encode()).hexdigest()


def preview_stop(
    step_id: str,
    *,
    session_id: str,
    target_step_id: str,
    description: str,
    symbol: str,
    state: str,
    orders_placed: int,
    orders_total: int,
    policy_version: str,
    now_ms: int,
    ttl_ms: int,
) -> StopPreview:
    """The preview of stopping the mandate ``target_step_id`` of ``session_id``."""
    return StopPreview(
        step_id=step_id,
        session_id=session_id,
        target_step_id=target_step_id,
        description=description,
        symbol=symbol,
        state=state,
        orders_placed=orders_placed,
        orders_total=orders_total,
        policy_version=policy_version,
        created_ms=now_ms,
        expires_ms=now_ms + ttl_ms,
    )


__all__ = ["StopPreview", "preview_stop"]
