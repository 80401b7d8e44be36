"""The daily-usage ledger's contract: how much notional each customer committed per UTC
day and quote.

The policy's per-day cap is checked twice: at preview time against :meth:`used` (so the
customer sees a denial before being asked to confirm), and at confirmation time by
:meth:`reserve`, atomically, just before the order is sent. Several app processes share one
ledger, so the second check is the one that holds: no two concurrent reservations can
together take a day past its cap. A reservation is :meth:`release`-d when its order is not
sent or fails before the venue accepts it; an accepted order keeps its reservation.

Two backends pass one contract suite (``tests/execution/policy/test_limits.py``):

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
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import ClassVar, Protocol

from execution.policy.rules import MAX_MONEY, Denial, Policy, daily_limit_denial
from execution.preview.simulator import StepPreview

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
class CheckedRequest:
    """A reservation's key and amounts, checked and on the QUANTUM grid (both backends')."""

    user_id: str
    day: date
    quote: str
    amount: Decimal
    cap: Decimal


def check_key(user_id: str, day: date, quote: str) -> None:
    """ValueError naming the part of a ledger key that is malformed (both backends')."""
    if not isinstance(user_id, str) or not user_id:
        raise ValueError(f"user_id must be a non-empty string, not {user_id!r}")
    if isinstance(day, datetime) or not isinstance(day, date):
        raise ValueError(f"day must be a date (the UTC day), not {day!r}")
    if not isinstance(quote, str) or not _QUOTE.match(quote):
        raise ValueError(f"quote must be a currency code, not {quote!r}")


def checked_request(
    user_id: str, day: date, quote: str, amount: Decimal, cap: Decimal
) -> CheckedRequest:
    """Validate a reservation and put its amount and cap on the QUANTUM grid."""
    check_key(user_id, day, quote)
    for name, value in (("amount", amount), ("cap", cap)):
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"{name} must be a finite Decimal, not {value!r}")
        if value > MAX_AMOUNT:
            raise ValueError(f"{name} {value} is above the ledger's maximum {MAX_AMOUNT}")
    if amount <= 0:
        raise ValueError(f"amount must be positive, not {amount}")
    if cap < 0:
        raise ValueError(f"cap must not be negative, not {cap}")
    return CheckedRequest(
        user_id,
        day,
        quote,
        amount.quantize(QUANTUM, rounding=ROUND_CEILING),
        cap.quantize(QUANTUM, rounding=ROUND_FLOOR),
    )


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
