"""Production's check that a Redis journal survives a Redis restart.

A journal in a Redis without the append-only file (AOF) and without a connected replica
lives only in memory (RDB snapshots, if on, lose the writes since the last one): a restart
would lose confirmed orders' records. At start-up in production the app asks Redis
(``CONFIG GET appendonly``, ``INFO replication``) and refuses such a Redis unless the operator
sets ``TRADEASSIST_REDIS_DURABILITY_ACK=volatile``. A managed Redis that disables ``CONFIG``
cannot be asked: the refusal says so, and the acknowledgement is needed there too.
"""

from __future__ import annotations

from typing import Protocol

import redis

from web.settings import SettingsError

ACK_SETTING = "TRADEASSIST_REDIS_DURABILITY_ACK"


class _Redis(Protocol):
    def config_get(self, pattern: str) -> object: ...
    def info(self, section: str) -> object: ...


def durability(client: _Redis) -> str | None:
    """How the Redis keeps its data beyond memory (``"aof"`` or ``"replicated"``), or None;
    :class:`SettingsError` if it cannot be asked."""
    try:
        config = client.config_get("appendonly")
    except redis.ResponseError as exc:
        raise SettingsError(
            f"TRADEASSIST_JOURNAL_URL: the Redis does not allow CONFIG GET appendonly "
            f"({exc}; a managed Redis often disables CONFIG), so whether the journal "
            f"survives a restart cannot be checked: make sure its persistence is on, then "
            f"set {ACK_SETTING}=volatile to start"
        ) from None
    if isinstance(config, dict) and str(config.get("appendonly", "")).lower() == "yes":
        return "aof"
    replication = client.info("replication")
    if isinstance(replication, dict) and int(replication.get("connected_slaves", 0)) > 0:
        return "replicated"
    return None


def require_durable(client: _Redis, ack: str | None) -> None:
    """Refuse (:class:`SettingsError` naming the settings) a Redis that keeps the journal
    only in memory, unless the operator acknowledged it; the check is skipped when they did."""
    if ack == "volatile":
        return
    if durability(client) is None:
        raise SettingsError(
            "TRADEASSIST_JOURNAL_URL: the Redis has appendonly no and no connected replica, "
            "so a Redis restart would lose sessions; turn on AOF (CONFIG SET appendonly yes, "
            f"and appendonly yes in redis.conf) or a replica, or set {ACK_SETTING}=volatile "
            "to accept the loss"
        )
