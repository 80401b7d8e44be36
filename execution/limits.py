"""The daily-usage ledger: how much notional each customer committed per UTC day and quote.

The policy's per-day cap is checked twice: at preview time against :meth:`used` (so the
customer sees a denial before being asked to confirm), and at confirmation time by
:meth:`reserve`, atomically, just before the order is sent. Several app processes share one
ledger, so the second check is the one that holds: no two concurrent reservations can
together take a day past its cap. A reservation is :meth:`release`-d when its order is not
sent or fails before the venue accepts it; an accepted order keeps its reservation.

Two backends pass one contract suite (``tests/execution/test_limits.py``):

* :class:`SQLiteLimitLedger`: tables ``limit_usage`` and ``limit_reservations`` in the
  journal's database file; a reservation is one ``BEGIN IMMEDIATE`` transaction, which
  takes the database's write lock before reading, so processes queue rather than race.
* :class:`RedisLimitLedger`: one hash per user, day and quote, changed only by Lua scripts
  (atomic on the server), expiring a few days after its last reservation.

**Exact amounts.** Amounts are counted in units of 10^-8 (:data:`QUANTUM`): a reservation
is rounded *up* to a unit (it never counts less than the order) and a cap *down*, on both
backends alike. SQLite stores decimal strings and compares them as Decimals.
Redis' Lua cannot: its numbers are doubles, exact only up to 2^53 (about 90 million whole units
at this scale), so its script never computes with them. The running total is a hash field
holding an integer number of units, which Redis' own ``HINCRBY`` adds exactly in 64 bits;
the script compares the resulting string with the cap's, digit by digit, and undoes the
addition if it went past the cap (nothing outside the script can see the intermediate
value). Amounts and caps are bounded by :data:`MAX_AMOUNT` (10^10), so no total can reach
the 64-bit limit.

The day is the UTC day of the injected clock (:meth:`today`); it is passed explicitly to
each call so a confirmation counts against the day it happens on.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any, ClassVar, Protocol

import redis

from execution.clock import Clock
from execution.policy import MAX_MONEY, Denial, Policy, daily_limit_denial
from execution.preview.simulator import StepPreview
from execution.stores import immediate_transaction, store_errors

QUANTUM = Decimal("1e-8")
SCALE = 8
MAX_AMOUNT = MAX_MONEY  # 10^10: sums of two stay far below 2^63 units
DEFAULT_TTL_MS = 3 * 86_400_000  # Redis keeps a day's usage three days after its last change
_QUOTE = re.compile(r"^[A-Za-z0-9._-]{1,32}$")


def utc_day(ms: int) -> date:
    """The UTC calendar day of an instant in epoch milliseconds."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date()


@dataclass(frozen=True, slots=True)
class Reservation:
    """Notional counted against one user's day in one quote currency."""

    reservation_id: str
    user_id: str
    day: date
    quote: str
    amount: Decimal  # as counted: rounded up to QUANTUM
    used: Decimal  # the day's total including this reservation
    cap: Decimal  # as applied: rounded down to QUANTUM


@dataclass(frozen=True, slots=True)
class Refusal:
    """Nothing was reserved: ``used + amount`` would have exceeded ``cap``."""

    user_id: str
    day: date
    quote: str
    amount: Decimal
    used: Decimal  # the day's total when refused
    cap: Decimal

    code: ClassVar[str] = "NOTIONAL_EXCEEDS_MAX_PER_DAY"

    def denial(self, tier: str | None = None) -> Denial:
        """The policy denial to journal (``policy_denied``), as :meth:`Policy.check` words it."""
        return daily_limit_denial(self.quote, self.cap, self.used, self.amount, tier)


class LimitLedger(Protocol):
    """Per user, UTC day and quote currency: the notional reserved, never above a cap."""

    def today(self) -> date:
        """The UTC day of the ledger's clock."""
        ...

    def reserve(
        self, user_id: str, day: date, quote: str, amount: Decimal, cap: Decimal
    ) -> Reservation | Refusal:
        """Count ``amount`` if the day's total stays within ``cap``, atomically."""
        ...

    def release(self, reservation: Reservation) -> bool:
        """Uncount a reservation; False if it was already released (nothing changes)."""
        ...

    def used(self, user_id: str, day: date, quote: str) -> Decimal:
        """The day's total (0 if nothing was reserved)."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class _Request:
    user_id: str
    day: date
    quote: str
    amount: Decimal
    cap: Decimal


def _key_parts(user_id: str, day: date, quote: str) -> None:
    if not isinstance(user_id, str) or not user_id:
        raise ValueError(f"user_id must be a non-empty string, not {user_id!r}")
    if isinstance(day, datetime) or not isinstance(day, date):
        raise ValueError(f"day must be a date (the UTC day), not {day!r}")
    if not isinstance(quote, str) or not _QUOTE.match(quote):
        raise ValueError(f"quote must be a currency code, not {quote!r}")


def _request(user_id: str, day: date, quote: str, amount: Decimal, cap: Decimal) -> _Request:
    """Validate a reservation and put its amount and cap on the QUANTUM grid."""
    _key_parts(user_id, day, quote)
    for name, value in (("amount", amount), ("cap", cap)):
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"{name} must be a finite Decimal, not {value!r}")
        if value > MAX_AMOUNT:
            raise ValueError(f"{name} {value} is above the ledger's maximum {MAX_AMOUNT}")
    if amount <= 0:
        raise ValueError(f"amount must be positive, not {amount}")
    if cap < 0:
        raise ValueError(f"cap must not be negative, not {cap}")
    return _Request(
        user_id,
        day,
        quote,
        amount.quantize(QUANTUM, rounding=ROUND_CEILING),
        cap.quantize(QUANTUM, rounding=ROUND_FLOOR),
    )


def _plain(value: Decimal) -> str:
    """A decimal string without exponent, as stored."""
    return format(value, "f")


# --- SQLite -------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS limit_usage (
    user_id TEXT NOT NULL,
    day TEXT NOT NULL,
    quote TEXT NOT NULL,
    used TEXT NOT NULL,
    PRIMARY KEY (user_id, day, quote)
);
CREATE TABLE IF NOT EXISTS limit_reservations (
    reservation_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    day TEXT NOT NULL,
    quote TEXT NOT NULL,
    amount TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
"""


class SQLiteLimitLedger:
    """The embedded ledger, in the journal's SQLite file (any number of processes)."""

    def __init__(self, path: Path | str, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        with store_errors("open the limit ledger"):
            self._db = sqlite3.connect(
                str(path), check_same_thread=False, isolation_level=None, timeout=30
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def today(self) -> date:
        return utc_day(self._clock.now_ms())

    @contextmanager
    def _transaction(self, what: str) -> Iterator[None]:
        # BEGIN IMMEDIATE takes the write lock before the first read: a concurrent
        # reservation in another connection or process waits here (busy timeout 30 s).
        with self._lock, store_errors(what), immediate_transaction(self._db):
            yield

    def _used(self, user_id: str, day: str, quote: str) -> Decimal:
        row = self._db.execute(
            "SELECT used FROM limit_usage WHERE user_id = ? AND day = ? AND quote = ?",
            (user_id, day, quote),
        ).fetchone()
        return Decimal(0).quantize(QUANTUM) if row is None else Decimal(row[0])

    def reserve(
        self, user_id: str, day: date, quote: str, amount: Decimal, cap: Decimal
    ) -> Reservation | Refusal:
        r = _request(user_id, day, quote, amount, cap)
        reservation_id = uuid.uuid4().hex
        with self._transaction(f"reserve {amount} {quote} for {user_id!r}"):
            used = self._used(r.user_id, r.day.isoformat(), r.quote)
            after = used + r.amount
            if after > r.cap:
                return Refusal(r.user_id, r.day, r.quote, r.amount, used, r.cap)
            self._db.execute(
                "INSERT INTO limit_reservations VALUES (?, ?, ?, ?, ?, ?)",
                (
                    reservation_id,
                    r.user_id,
                    r.day.isoformat(),
                    r.quote,
                    _plain(r.amount),
                    self._clock.now_ms(),
                ),
            )
            self._db.execute(
                "INSERT INTO limit_usage VALUES (?, ?, ?, ?) "
                "ON CONFLICT(user_id, day, quote) DO UPDATE SET used = excluded.used",
                (r.user_id, r.day.isoformat(), r.quote, _plain(after)),
            )
        return Reservation(reservation_id, r.user_id, r.day, r.quote, r.amount, after, r.cap)

    def release(self, reservation: Reservation) -> bool:
        with self._transaction(f"release reservation {reservation.reservation_id!r}"):
            row = self._db.execute(
                "SELECT user_id, day, quote, amount FROM limit_reservations "
                "WHERE reservation_id = ?",
                (reservation.reservation_id,),
            ).fetchone()
            if row is None:
                return False
            user_id, day, quote, amount = row
            used = self._used(user_id, day, quote) - Decimal(amount)  # the stored amount
            self._db.execute(
                "DELETE FROM limit_reservations WHERE reservation_id = ?",
                (reservation.reservation_id,),
            )
            self._db.execute(
                "UPDATE limit_usage SET used = ? WHERE user_id = ? AND day = ? AND quote = ?",
                (_plain(used), user_id, day, quote),
            )
        return True

    def used(self, user_id: str, day: date, quote: str) -> Decimal:
        _key_parts(user_id, day, quote)
        with self._lock, store_errors(f"read the usage of {user_id!r}"):
            return self._used(user_id, day.isoformat(), quote)


# --- Redis --------------------------------------------------------------------------

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
        r = _request(user_id, day, quote, amount, cap)
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
        _key_parts(user_id, day, quote)
        with store_errors(f"read the usage of {user_id!r}"):
            units = self._client.hget(self.key(user_id, day, quote), "used")
        return _from_units(units if units is not None else "0")


# --- what the assistant calls --------------------------------------------------------


def used_today(ledger: LimitLedger, user_id: str, preview: StepPreview) -> Decimal:
    """At preview time: what ``user_id`` already committed today in the preview's quote
    currency; pass it to :meth:`Policy.check` as ``used_today``."""
    quote = preview.symbol.split("/", 1)[1]
    return ledger.used(user_id, ledger.today(), quote)


def reserve_order(
    ledger: LimitLedger, policy: Policy, *, user_id: str, tier: str, preview: StepPreview
) -> Reservation | Denial:
    """At confirmation time, just before the order is sent: count the preview's notional
    against today's cap for ``tier``, atomically. A :class:`Denial` (journal it as
    ``policy_denied``; send nothing) if the day is full or the tier or quote has no cap.
    Release the reservation if the order is then not sent or fails before acceptance."""
    quote = preview.symbol.split("/", 1)[1]
    caps = policy.caps(tier, quote)
    if isinstance(caps, Denial):
        return caps
    outcome = ledger.reserve(user_id, ledger.today(), quote, preview.notional, caps[1])
    return outcome.denial(tier) if isinstance(outcome, Refusal) else outcome


def open_ledger(
    clock: Clock,
    *,
    sqlite_path: Path | str,
    redis_url: str | None = None,
    prefix: str = "tradeassist:",
) -> SQLiteLimitLedger | RedisLimitLedger:
    """The ledger beside the journal: Redis at ``redis_url`` when the journal is shared
    there (several app processes), else SQLite in the journal's file."""
    if redis_url is not None:
        return RedisLimitLedger.from_url(redis_url, clock, prefix=prefix)
    return SQLiteLimitLedger(sqlite_path, clock)
