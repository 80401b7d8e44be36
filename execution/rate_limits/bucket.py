"""Token buckets: at most so many of one kind of request per window, per subject.

The contract (:class:`Buckets`: one call charges several buckets at once, all or none) and
the in-memory backend (:class:`MemoryBuckets`, one process); :mod:`.redis` shares the
buckets between processes. Both keep one integer per bucket, its *theoretical arrival
time* (GCRA, the token bucket written as a time): a bucket whose time is ``t`` has
``(now + burst - t) / interval`` tokens left, a charge of ``cost`` moves ``t`` on by
``cost * interval``, and a bucket whose time has passed is full, so it need not be kept.
All arithmetic is on integer milliseconds from the injected clock, so tests are exact.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from execution.clock import Clock
from execution.errors import RateLimited

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
#: A subject longer than this (a user id typed into the login form, say) is keyed by its
#: SHA-256, so no caller can make a key as long as the body it sent.
MAX_SUBJECT_CHARS = 128


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``capacity`` in any ``window_ms``, refilled evenly: a bucket of ``capacity``
    tokens, one back every ``interval_ms`` (``window_ms / capacity`` rounded up to the
    millisecond, so a bucket refills in ``burst_ms``, at most ``capacity - 1`` ms longer
    than the window)."""

    name: str  # in the keys and the 429's details: lower case, digits, underscores
    capacity: int
    what: str  # what is counted, for the message: "failed sign-ins from this address"
    window_ms: int = 60_000
    interval_ms: int = field(init=False)
    burst_ms: int = field(init=False)

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"a limit's name is lower case, digits and _: {self.name!r}")
        if self.capacity < 1 or self.window_ms < 1:
            raise ValueError(
                f"limit {self.name!r} needs a capacity and a window of at least 1, not "
                f"{self.capacity!r} per {self.window_ms!r} ms"
            )
        object.__setattr__(self, "interval_ms", -(-self.window_ms // self.capacity))
        object.__setattr__(self, "burst_ms", self.capacity * self.interval_ms)

    @property
    def per(self) -> str:
        """The window in words."""
        return "a minute" if self.window_ms == 60_000 else f"per {self.window_ms / 1000:g} s"


class Charge(NamedTuple):
    """``cost`` tokens from ``subject``'s bucket of ``limit``; cost 0 only checks that one
    token is left (a failure not yet known to have happened, such as a login). A tuple:
    made on every limited request. A cost beyond the capacity is refused when charged
    (:func:`checked`)."""

    limit: Limit
    subject: str
    cost: int = 1

    @property
    def key(self) -> str:
        """The bucket's key (without the store's prefix): the limit's name, then who."""
        subject = self.subject
        if len(subject) > MAX_SUBJECT_CHARS:
            subject = "sha256-" + hashlib.sha256(subject.encode()).hexdigest()
        return f"{self.limit.name}:{subject}"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Nothing was charged: ``limit``'s bucket is empty for ``retry_after_ms`` more (the
    longest wait among the charges refused)."""

    limit: Limit
    retry_after_ms: int

    @property
    def retry_after_s(self) -> int:
        """Whole seconds, rounded up (HTTP's ``Retry-After``), at least 1."""
        return max(1, -(-self.retry_after_ms // 1000))


class Buckets(Protocol):
    """Where the buckets are kept (one process's memory, or Redis)."""

    def charge(self, charges: Sequence[Charge]) -> Refusal | None:
        """Take every charge, or, if any bucket is short, none (atomically)."""
        ...

    def close(self) -> None: ...


def admit(buckets: Buckets, *charges: Charge) -> None:
    """Take ``charges`` or raise :class:`RateLimited` naming the limit and the wait."""
    refusal = buckets.charge(charges)
    if refusal is not None:
        raise rate_limited(refusal)


def rate_limited(refusal: Refusal) -> RateLimited:
    limit, wait = refusal.limit, refusal.retry_after_s
    return RateLimited(
        f"too many {limit.what}: at most {limit.capacity} {limit.per}; retry in {wait} s",
        limit=limit.name,
        retry_after_s=wait,
    )


def checked(charge: Charge) -> Charge:
    """``charge``, or ValueError if its cost could never fit its limit's bucket."""
    if not 0 <= charge.cost <= charge.limit.capacity:
        raise ValueError(
            f"a charge of {charge.cost!r} cannot fit limit {charge.limit.name!r} "
            f"(capacity {charge.limit.capacity})"
        )
    return charge


class MemoryBuckets:
    """The buckets in this process's memory (the embedded defaults: one process). A charge
    is a dict lookup and a few integer operations per bucket, under one lock.

    Buckets that have refilled are dropped whenever the dict has doubled since the last
    sweep (at least ``sweep_at`` entries), so keys do not accumulate."""

    def __init__(self, clock: Clock, *, sweep_at: int = 10_000) -> None:
        self._clock = clock
        self._tats: dict[str, int] = {}
        self._lock = threading.Lock()
        self._min_sweep = sweep_at
        self._sweep_at = sweep_at

    def charge(self, charges: Sequence[Charge]) -> Refusal | None:
        keyed = [(checked(charge), charge.key) for charge in charges]
        now = self._clock.now_ms()
        with self._lock:
            tats = self._tats
            worst, wait = None, 0
            for (limit, _, cost), key in keyed:
                tat = tats.get(key, now)
                # when this charge would fit: its cost (one for a check) past the burst
                over = (tat if tat > now else now) + (cost or 1) * limit.interval_ms
                over -= now + limit.burst_ms
                if over > wait:
                    worst, wait = limit, over
            if worst is not None:
                return Refusal(worst, wait)
            for (limit, _, cost), key in keyed:
                if cost:
                    tat = tats.get(key, now)
                    tats[key] = (tat if tat > now else now) + cost * limit.interval_ms
            if len(tats) > self._sweep_at:
                self._sweep(now)
        return None

    def _sweep(self, now: int) -> None:
        self._tats = {key: tat for key, tat in self._tats.items() if tat > now}
        self._sweep_at = max(self._min_sweep, 2 * len(self._tats))

    def __len__(self) -> int:
        """How many buckets are kept (not yet swept)."""
        return len(self._tats)

    def close(self) -> None:
        pass
