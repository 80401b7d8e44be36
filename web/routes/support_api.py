"""Support staff: read-only access to every session and its verified journal."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from execution.clock import iso
from web.deps import ServicesDep, Support

router = APIRouter(prefix="/api/support", tags=["support"])


@router.get("/sessions")
def list_sessions(principal: Support, services: ServicesDep) -> dict[str, Any]:
    """Every session, newest first."""
    return {
        "sessions": [
            {
                "id": s.session_id,
                "owner": s.owner,
                "opened_at": iso(s.opened_ms),
                "last_at": iso(s.last_ms),
                "events": s.events,
            }
            for s in services.journal.sessions()
        ]
    }
