"""A Redis lease: one holder at a time for a job that should run once per deployment.

The worker (:mod:`execution.worker`) takes one before each pass, so any number of
``tradeassist worker`` processes (or app processes with the embedded worker) can run
against one Redis and exactly one of them acts; the others wait, and one of them takes
over once the holder stops renewing (it died, or stalled past the lease).

* Taking it is ``SET key holder NX PX lease``: only when nobody holds it.
* Renewing it is a script that extends the lease only if the key still names this holder,
  so a holder that stalled past its lease and lost the key to another never extends (nor
  releases) the other's lease: it learns it lost and stops acting.
* Each time the lease changes hands ``epoch`` goes up by one (``INCR``): a fencing number
  the holder can log and pass along.

The lease keeps a second worker idle; it is not what makes the work safe. A holder that
stalled past its lease may finish a pass while the next holder starts one: everything a
pass writes goes through the journal's compare-and-set (:mod:`execution.session.log`), so
two passes racing settle each step once and send each mandate order once.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import Any

import redis

log = logging.getLogger("tradeassist.lease")

# KEYS[1]: the lease; ARGV[1]: this holder; ARGV[2]: the lease in ms. 1 if renewed.
_RENEW_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

# KEYS[1]: the lease; ARGV[1]: this holder. 1 if it was this holder's and is now free.
_RELEASE_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisLease:
    """A named lease in Redis held by at most one :class:`RedisLease` at a time."""

    def __init__(
        self, client: redis.Redis[Any], key: str, lease_ms: int, holder: str | None = None
    ) -> None:
        if lease_ms < 100:
            raise ValueError(f"lease_ms must be at least 100, not {lease_ms!r}")
        self._client = client
        self.key = key
        self.lease_ms = lease_ms
        # Who holds it, as an operator reads the key: host, process and a unique part.
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self.epoch: int | None = None  # the fencing number of the lease this holder has
        self._owns_client = False
        self._renew = client.register_script(_RENEW_LUA)
        self._release = client.register_script(_RELEASE_LUA)

    @classmethod
    def from_url(cls, url: str, key: str, lease_ms: int) -> RedisLease:
        lease = cls(redis.Redis.from_url(url, socket_timeout=5), key, lease_ms)
        lease._owns_client = True
        return lease

    def hold(self) -> bool:
        """Renew the lease if this holder has it, else take it if it is free; True if this
        holder has it now (for ``lease_ms``). A Redis error counts as not holding it (and
        the lease, still this holder's in Redis, is renewed by the next call that works)."""
        try:
            if self._renew(keys=[self.key], args=[self.holder, self.lease_ms]):
                if self.epoch is None:  # held all along; a Redis error made us doubt it
                    self.epoch = int(self._client.get(f"{self.key}:epoch") or 0)
                return True
            if self.epoch is not None:
                log.warning("lease %s lost (epoch %s): stopping", self.key, self.epoch)
                self.epoch = None
            if self._client.set(self.key, self.holder, nx=True, px=self.lease_ms):
                self.epoch = int(self._client.incr(f"{self.key}:epoch"))
                log.info("lease %s taken by %s (epoch %s)", self.key, self.holder, self.epoch)
                return True
        except redis.RedisError as exc:
            log.warning("lease %s: Redis failed (%s): not acting", self.key, exc)
            self.epoch = None
        return False

    def release(self) -> None:
        """Give the lease up now (if this holder has it), so another takes it at once."""
        try:
            self._release(keys=[self.key], args=[self.holder])
        except redis.RedisError as exc:
            log.warning("lease %s: could not release (%s); it lapses by itself", self.key, exc)
        self.epoch = None

    def close(self) -> None:
        self.release()
        if self._owns_client:
            self._client.close()
