"""The buckets in Redis, shared by every app process (see :mod:`.bucket` for the rule).

One script call per charge, whatever the number of buckets (one round trip): it reads each
bucket's time, refuses them all if one is short, else moves each charged one on and sets
it to expire when it would be full again, so keys never accumulate. Times come from the
caller's clock (each process's injected clock, the wall clock in production): hosts a few
milliseconds apart move a bucket by as much, no more.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis

from execution.clock import Clock
from execution.errors import RateLimitStoreError
from execution.rate_limits.bucket import Charge, Refusal, checked
from execution.stores import store_errors

# KEYS: the buckets. ARGV[1]: now (ms); then per bucket: interval (ms), burst (ms), cost
# (0: only check one token is left). Returns {0, 0} when all were charged, else {i, wait}:
# the 1-based index of the bucket that must wait longest, and that wait in ms. Lua numbers
# are doubles: millisecond times are exact in them for another 280,000 years.
_CHARGE_LUA = """
local now = tonumber(ARGV[1])
local tats = {}
local worst, wait = 0, 0
for i = 1, #KEYS do
  local interval = tonumber(ARGV[3 * i - 1])
  local burst = tonumber(ARGV[3 * i])
  local cost = tonumber(ARGV[3 * i + 1])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  local over = tat + math.max(cost, 1) * interval - now - burst
  if over > wait then worst, wait = i, over end
  tats[i] = tat + cost * interval
end
if worst > 0 then return {worst, wait} end
for i = 1, #KEYS do
  if tonumber(ARGV[3 * i + 1]) > 0 then
    redis.call('SET', KEYS[i], string.format('%d', tats[i]), 'PX',
      string.format('%d', tats[i] - now))
  end
end
return {0, 0}
"""


class RedisBuckets:
    """The shared buckets, in Redis: keys ``<prefix>ratelimit:<limit>:<subject>``, each a
    bucket's time in ms, expiring when the bucket is full again. ``close()`` closes the
    client only if :meth:`from_url` made it. Redis's errors are raised as
    :class:`RateLimitStoreError`."""

    def __init__(self, client: redis.Redis[Any], clock: Clock, *, prefix: str) -> None:
        self._client = client
        self._clock = clock
        self._prefix = f"{prefix}ratelimit:"
        self._owns_client = False
        self._charge = client.register_script(_CHARGE_LUA)

    @classmethod
    def from_url(cls, url: str, clock: Clock, *, prefix: str = "tradeassist:") -> RedisBuckets:
        # Timeouts: a Redis that stops answering fails the request (503), never hangs it.
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
        buckets = cls(client, clock, prefix=prefix)
        buckets._owns_client = True
        return buckets

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def key(self, charge: Charge) -> str:
        return self._prefix + charge.key

    def charge(self, charges: Sequence[Charge]) -> Refusal | None:
        if not charges:
            return None
        args: list[int] = [self._clock.now_ms()]
        for charge in charges:
            limit, _, cost = checked(charge)
            args += (limit.interval_ms, limit.burst_ms, cost)
        with store_errors("charge the rate limits", RateLimitStoreError):
            worst, wait = self._charge(keys=[self.key(c) for c in charges], args=args)
        if int(worst) == 0:
            return None
        return Refusal(charges[int(worst) - 1].limit, int(wait))
