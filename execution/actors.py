"""Who acts: a person (or the system) in a role, through a channel. Every event in a
session's journal names who did it; the web layer's authentication produces these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["customer", "support", "product", "admin"]
Channel = Literal["chat", "api", "cli", "worker"]

# What followed from a customer's action (a reply, a preview, a fill) is recorded as the
# assistant's.
ASSISTANT_ACTOR = "assistant"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, in which role, through which channel."""

    user_id: str
    role: Role
    channel: Channel


# Reconciliation and the worker act for no customer: their events are the assistant's.
SYSTEM = Actor("system", "admin", "worker")
