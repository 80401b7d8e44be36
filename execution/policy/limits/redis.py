"""The shared daily-usage ledger, in Redis, changed only by Lua scripts (see :mod:`.ledger`)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import redis

from execution.clock import Clock
from execution.policy.limits.ledger import (
    DEFAULT_TTL_MS,
    SCALE,
    Refusal,
    Reservation,
    check_key,
    checked_request,
    utc_day,
)
from execution.stores import store_errors

# KEYS[1]: the user/day/quote hash: field "used" (integer units), field "r:<id>" per
# reservation (its units). ARGV: amount units, cap units, reservation field, TTL in ms.
# Returns {"ok", used after} or {"refused", used before}, both as exact integer strings.
# No arithmetic happens in Lua (its numbers are doubles): HINCRBY adds exactly in 64 bits,
# the comparison is on digits, and a refused addition is undone before the script ends.
_RESERVE_LUA = """
local function greater(a, b)
  if #a ~= #b then return #a > #b end
  for i = 1, #a do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return false
end
local before = redis.call('HGET', KEYS[1], 'used') or '0'
redis.call('HINCRBY', KEYS[1], 'used', ARGV[1])
local after = redis.call('HGET', KEYS[1], 'used')
local status = 'ok'
if string.sub(after, 1, 1) == '-' or greater(after, ARGV[2]) then
  redis.call('HINCRBY', KEYS[1], 'used', '-' .. ARGV[1])
  status, after = 'refused', before
else
  redis.call('HSET', KEYS[1], ARGV[3], ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {status, after}
"""

# KEYS[1]: the hash; ARGV[1]: the reservation field. Returns 1 if released, 0 if not held.
_RELEASE_LUA = """
local amount = redis.call('HGET', KEYS[1], ARGV[1])
if not amount then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[1], 'used', '-' .. amount)
return 1
"""


def _units(value: Decimal) -> str:
    """A QUANTUM-grid amount as its integer number of units."""
    return str(int(value.scaleb(SCALE)))


def _from_units(units: bytes | str) -> Decimal:
    text = units.decode() if isinstance(units, bytes) else units
    return Decimal(int(text)).scaleb(-SCALE)


class RedisLimitLedger:
    """The shared ledger, in Redis (several app processes behind a load balancer).

    Keys: ``<prefix>limits:<day>:<quote>:<user>``; the day has a fixed form and the quote
    no colon, so no user id can make two keys collide. One key per script call, so it also
    works on Redis Cluster. ``close()`` closes the client only if :meth:`from_url` made it.
    """

    def __init__(
        self,
        client: redis.Redis[Any],
        clock: Clock,
        *,
        prefix: str = "tradeassist:",
        ttl_ms: int = DEFAULT_TTL_MS,
    ) -> None:
        if ttl_ms < 2 * 86_400_000:
            raise ValueError(f"ttl_ms must cover at least two days, not {ttl_ms!r}")
        self._client = client
        self._clock = clock
        self._prefix = prefix
        self._ttl_ms = ttl_ms
        self._owns_client = False
        self._reserve = client.register_script(_RESERVE_LUA)
        self._release = client.register_script(_RELEASE_LUA)

    @classmethod
    def from_url(
        cls,
        url: str,
        clock: Clock,
        *,
        prefix: str = "tradeassist:",
        ttl_ms: int = DEFAULT_TTL_MS,
    ) -> RedisLimitLedger:
        ledger = cls(redis.Redis.from_url(url), clock, prefix=prefix, ttl_ms=ttl_ms)
        ledger._owns_client = True
        return ledger

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def today(self) -> date:
        return utc_day(self._clock.now_ms())

    def key(self, user_id: str, day: date, quote: str) -> str:
        return f"{self._prefix}limits:{day.isoformat()}:{quote}:{user_id}"

    def reserve(
        self, user_id: str, day: date, quote: str, amount: Decimal, cap: Decimal
    ) -> Reservation | Refusal:
        r = checked_request(user_id, day, quote, amount, cap)
        reservation_id = uuid.uuid4().hex
        with store_errors(f"reserve {amount} {quote} for {user_id!r}"):
            status, total = self._reserve(
                keys=[self.key(r.user_id, r.day, r.quote)],
                args=[_units(r.amount), _units(r.cap), f"r:{reservation_id}", str(self._ttl_ms)],
            )
        used = _from_units(total)
        if (status.decode() if isinstance(status, bytes) else status) != "ok":
            return Refusal(r.user_id, r.day, r.quote, r.amount, used, r.cap)
        return Reservation(reservation_id, r.user_id, r.day, r.quote, r.amount, used, r.cap)

    def release(self, reservation: Reservation) -> bool:
        key = self.key(reservation.user_id, reservation.day, reservation.quote)
        with store_errors(f"release reservation {reservation.reservation_id!r}"):
            released = self._release(keys=[key], args=[f"r:{reservation.reservation_id}"])
        return bool(released)

    def used(self, user_id: str, day: date, quote: str) -> Decimal:
        check_key(user_id, day, quote)
        with store_errors(f"read the usage of {user_id!r}"):
            units = self._client.hget(self.key(user_id, day, quote), "used")
        return _from_units(units if units is not None else "0")
