"""A session's journal grows by what its customer does; these bound what they can make it
do over and over: refused confirmations (each journals the refusal, a requote also the new
preview) and fresh previews of a step, so many a minute per session. Past the bound the
attempt is refused with :class:`~execution.errors.RateLimited` before anything is
journaled."""

from __future__ import annotations

from dataclasses import dataclass

from execution.rate_limits.bucket import Buckets, Charge, Limit, admit

DEFAULT_REFUSALS_PER_MIN = 30
DEFAULT_PREVIEWS_PER_MIN = 30


def refusals_limit(per_minute: int = DEFAULT_REFUSALS_PER_MIN) -> Limit:
    return Limit("session_refusals", per_minute, "refused confirmations in this session")


def previews_limit(per_minute: int = DEFAULT_PREVIEWS_PER_MIN) -> Limit:
    return Limit("session_previews", per_minute, "fresh previews in this session")


@dataclass(frozen=True, slots=True)
class SessionBounds:
    """How many refused confirmations and fresh previews one session may journal."""

    buckets: Buckets
    refusals: Limit
    previews: Limit

    def admit_refusal(self, session_id: str) -> None:
        """Count one refused confirmation about to be journaled, or raise RateLimited."""
        admit(self.buckets, Charge(self.refusals, session_id))

    def admit_preview(self, session_id: str) -> None:
        """Count one fresh preview the customer asked for, or raise RateLimited."""
        admit(self.buckets, Charge(self.previews, session_id))
