"""Versioned policy: the exchange's limits, checked on every preview.

A denial is data, not an exception: a :class:`PolicyDecision` with reason codes such as
``NOTIONAL_EXCEEDS_MAX_PER_ORDER: max=50000 USDT, got=61000 USDT``, journaled as an event.

Limits depend on the customer's tier (``basic``, ``verified``, ``pro``): a cap per order and
a cap per UTC day, per quote currency. :meth:`Policy.check` is given what the customer has
already used today (from :mod:`execution.limits`); the ledger enforces the daily cap again,
atomically, when an order is about to be sent.

:class:`PolicyStore` keeps every version ever published (SQLite table ``policy_versions``)
and an audit of each administrative change (``admin_audit``); :meth:`PolicyStore.current`
is what new previews must use.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated

from pydantic import (
    Field,
    StringConstraints,
    ValidationInfo,
    field_serializer,
    field_validator,
)

from execution.clock import Clock
from execution.errors import LimitStoreError
from execution.preview.simulator import StepPreview
from execution.stores import immediate_transaction, store_errors
from intent.models import Model, plain

DEFAULT_VERSION = "2026-11-21.2"
DEFAULT_TIER = "verified"
MAX_MONEY = Decimal(10**10)  # the ledger counts in 10^-8 units in a signed 64-bit integer

TierName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,16}$")]
Money = Annotated[Decimal, Field(gt=0, le=MAX_MONEY, decimal_places=8)]


class Denial(Model):
    code: str
    message: str


class PolicyDecision(Model):
    policy_version: str
    allowed: bool
    denials: tuple[Denial, ...] = ()


def _caps(usd: int, hkd: int, eur: int, btc: str) -> dict[str, Decimal]:
    return {
        "USDT": Decimal(usd),
        "USDC": Decimal(usd),
        "USD": Decimal(usd),
        "HKD": Decimal(hkd),
        "EUR": Decimal(eur),
        "BTC": Decimal(btc),
    }


class TierLimits(Model):
    """One tier's notional caps per quote currency: per order and per UTC day."""

    max_order_notional: dict[Currency, Money] = Field(min_length=1)
    max_daily_notional: dict[Currency, Money] = Field(min_length=1)

    @field_validator("max_daily_notional")
    @classmethod
    def _daily_covers_each_order(
        cls, daily: dict[str, Decimal], info: ValidationInfo
    ) -> dict[str, Decimal]:
        per_order = info.data.get("max_order_notional")
        if per_order is None:  # already reported on its own field
            return daily
        if set(daily) != set(per_order):
            missing = sorted(set(per_order) ^ set(daily))
            raise ValueError(
                "must name the same quote currencies as max_order_notional "
                f"(differs in {', '.join(missing)})"
            )
        below = sorted(q for q in daily if daily[q] < per_order[q])
        if below:
            raise ValueError(
                "must not be below max_order_notional for "
                + ", ".join(f"{q} ({daily[q]} < {per_order[q]})" for q in below)
            )
        return daily


def _default_tiers() -> dict[str, TierLimits]:
    return {
        "basic": TierLimits(
            max_order_notional=_caps(5_000, 40_000, 4_500, "0.1"),
            max_daily_notional=_caps(10_000, 80_000, 9_000, "0.2"),
        ),
        "verified": TierLimits(
            max_order_notional=_caps(50_000, 400_000, 45_000, "1"),
            max_daily_notional=_caps(200_000, 1_600_000, 180_000, "4"),
        ),
        "pro": TierLimits(
            max_order_notional=_caps(250_000, 2_000_000, 225_000, "5"),
            max_daily_notional=_caps(1_000_000, 8_000_000, 900_000, "20"),
        ),
    }


class PolicyRules(Model):
    """The rules without their version: what an administrator submits."""

    tiers: dict[TierName, TierLimits] = Field(default_factory=_default_tiers, min_length=1)
    allowed_assets: frozenset[Currency] | None = None  # None: every asset the venue lists
    max_limit_distance_pct: Decimal = Field(default=Decimal(10), gt=0, le=100)  # fat finger
    max_slippage_bps: Decimal = Field(default=Decimal(200), gt=0, le=10_000)

    @field_serializer("allowed_assets", when_used="json")
    def _sorted_assets(self, assets: frozenset[str] | None) -> list[str] | None:
        return None if assets is None else sorted(assets)  # the same JSON in every process


def daily_limit_denial(
    quote: str, cap: Decimal, used: Decimal, amount: Decimal, tier: str | None = None
) -> Denial:
    """The denial for an order that would take the day's notional past ``cap``."""
    of_tier = f" (tier {tier})" if tier is not None else ""
    return Denial(
        code="NOTIONAL_EXCEEDS_MAX_PER_DAY",
        message=f"NOTIONAL_EXCEEDS_MAX_PER_DAY: max={plain(cap)} {quote} per day{of_tier}, "
        f"already used={used:.2f} {quote}, this order={amount:.2f} {quote}",
    )


class Policy(PolicyRules):
    """The rules in force; ``version`` is recorded with every preview and confirmation."""

    version: str = Field(default=DEFAULT_VERSION, min_length=1, max_length=64)

    def order_cap(self, tier: str, quote: str) -> Decimal | None:
        """The per-order cap for ``tier`` in ``quote``; None if the tier or quote has none."""
        limits = self.tiers.get(tier)
        return None if limits is None else limits.max_order_notional.get(quote)

    def daily_cap(self, tier: str, quote: str) -> Decimal | None:
        """The per-day cap for ``tier`` in ``quote``: what the ledger reserves against."""
        limits = self.tiers.get(tier)
        return None if limits is None else limits.max_daily_notional.get(quote)

    def check(
        self,
        preview: StepPreview,
        tier: str = DEFAULT_TIER,
        used_today: Decimal = Decimal(0),
    ) -> PolicyDecision:
        """Every rule against ``preview``; ``used_today`` is the notional the customer has
        already committed today in the preview's quote currency (see execution.limits)."""
        if used_today < 0:
            raise ValueError(f"used_today cannot be negative: {used_today}")
        base, quote = preview.symbol.split("/", 1)
        denials: list[Denial] = []
        if self.allowed_assets is not None:
            for asset in (base, quote):
                if asset not in self.allowed_assets:
                    denials.append(
                        Denial(
                            code="ASSET_NOT_ALLOWED", message=f"ASSET_NOT_ALLOWED: asset={asset}"
                        )
                    )
        denials.extend(self._notional_denials(preview, quote, tier, used_today))
        if preview.type == "limit" and preview.price is not None and preview.mid_price > 0:
            # Only the aggressive side is a fat finger: a buy far above the mid or a sell far
            # below it (as HashKey's buyPriceUpRate / sellPriceDownRate filters).
            signed = preview.price - preview.mid_price
            distance = (signed if preview.side == "buy" else -signed) / preview.mid_price * 100
            if distance > self.max_limit_distance_pct:
                denials.append(
                    Denial(
                        code="PRICE_OUTSIDE_BAND",
                        message=f"PRICE_OUTSIDE_BAND: max={self.max_limit_distance_pct}% "
                        f"{'above' if preview.side == 'buy' else 'below'} the mid "
                        f"{preview.mid_price:.2f}, got={distance:.2f}%",
                    )
                )
        if preview.type == "market" and preview.slippage_bps > self.max_slippage_bps:
            denials.append(
                Denial(
                    code="SLIPPAGE_EXCEEDS_MAX",
                    message=f"SLIPPAGE_EXCEEDS_MAX: max={self.max_slippage_bps} bps, "
                    f"got={preview.slippage_bps} bps",
                )
            )
        return PolicyDecision(
            policy_version=self.version, allowed=not denials, denials=tuple(denials)
        )

    def caps(self, tier: str, quote: str) -> tuple[Decimal, Decimal] | Denial:
        """(per-order cap, per-day cap) for ``tier`` in ``quote``, or the denial saying why
        there are none (``TIER_UNKNOWN`` or ``QUOTE_NOT_ALLOWED``)."""
        limits = self.tiers.get(tier)
        if limits is None:
            return Denial(
                code="TIER_UNKNOWN",
                message=f"TIER_UNKNOWN: policy {self.version} has no limits for tier "
                f"{tier!r} (known: {', '.join(sorted(self.tiers))})",
            )
        order_cap = limits.max_order_notional.get(quote)
        daily_cap = limits.max_daily_notional.get(quote)
        if order_cap is None or daily_cap is None:
            return Denial(
                code="QUOTE_NOT_ALLOWED",
                message=f"QUOTE_NOT_ALLOWED: no per-order limit for {quote}",
            )
        return order_cap, daily_cap

    def _notional_denials(
        self, preview: StepPreview, quote: str, tier: str, used_today: Decimal
    ) -> list[Denial]:
        caps = self.caps(tier, quote)
        if isinstance(caps, Denial):
            return [caps]
        order_cap, daily_cap = caps
        denials: list[Denial] = []
        if preview.notional > order_cap:
            denials.append(
                Denial(
                    code="NOTIONAL_EXCEEDS_MAX_PER_ORDER",
                    message=f"NOTIONAL_EXCEEDS_MAX_PER_ORDER: max={order_cap} {quote}, "
                    f"got={preview.notional:.2f} {quote}",
                )
            )
        if used_today + preview.notional > daily_cap:
            denials.append(daily_limit_denial(quote, daily_cap, used_today, preview.notional, tier))
        return denials


# --- the store of versions, and the audit of administrative changes -------------------

AUDIT_SCHEMA = """
CREATE TABLE IF NOT EXISTS admin_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT NOT NULL
);
"""

_POLICY_SCHEMA = """
CREATE TABLE IF NOT EXISTS policy_versions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    version TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    created_by TEXT NOT NULL
);
"""

BUILTIN_AUTHOR = "builtin"


def record_audit(
    db: sqlite3.Connection,
    *,
    at_ms: int,
    who: str,
    action: str,
    subject: str,
    old_value: str | None,
    new_value: str,
) -> None:
    """One audit row, written inside the caller's transaction (so it lands with the change)."""
    db.execute(
        "INSERT INTO admin_audit (at_ms, who, action, subject, old_value, new_value) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (at_ms, who, action, subject, old_value, new_value),
    )


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at_ms: int
    who: str
    action: str  # "policy_published" or "tier_changed"
    subject: str  # "policy", or the user whose tier changed
    old_value: str | None  # the version or tier before
    new_value: str  # the version or tier after


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    version: str
    created_ms: int
    created_by: str


class PolicyStore:
    """Every published policy version in SQLite (next to the journal); the newest is in force.

    :meth:`current` reads the newest version's number on each call (one indexed lookup) and
    re-parses the rules only when it changed, so a version published by any process is in
    force for the next preview everywhere. :meth:`publish` stores a new version and its audit
    row in one transaction.
    """

    def __init__(self, path: Path | str, clock: Clock, *, initial: Policy | None = None) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        with store_errors("open the policy store"):
            self._db = sqlite3.connect(
                str(path), check_same_thread=False, isolation_level=None, timeout=30
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_POLICY_SCHEMA + AUDIT_SCHEMA)
        self._cached: tuple[int, Policy] | None = None
        seed = initial or Policy()
        with self._transaction("store the initial policy"):
            if self._db.execute("SELECT 1 FROM policy_versions LIMIT 1").fetchone() is None:
                self._insert(seed, BUILTIN_AUTHOR)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self, what: str) -> Iterator[None]:
        with self._lock, store_errors(what), immediate_transaction(self._db):
            yield

    def _insert(self, policy: Policy, by: str) -> None:
        self._db.execute(
            "INSERT INTO policy_versions (version, body, created_ms, created_by) "
            "VALUES (?, ?, ?, ?)",
            (policy.version, policy.model_dump_json(), self._clock.now_ms(), by),
        )

    def current(self) -> Policy:
        """The policy in force now: the newest version stored."""
        with self._lock, store_errors("read the current policy"):
            row = self._db.execute("SELECT max(seq) FROM policy_versions").fetchone()
            if row[0] is None:
                raise LimitStoreError("could not read the current policy: no version is stored")
            seq = int(row[0])
            if self._cached is not None and self._cached[0] == seq:
                return self._cached[1]
            body = self._db.execute(
                "SELECT body FROM policy_versions WHERE seq = ?", (seq,)
            ).fetchone()[0]
            policy = Policy.model_validate_json(body)
            self._cached = (seq, policy)
            return policy

    def publish(self, rules: PolicyRules, by: str) -> tuple[Policy, Policy]:
        """Store ``rules`` as a new version (``<UTC date>.<n>``, n counting that day's
        versions) and audit it; return (the policy it replaced, the new one)."""
        now = self._clock.now_ms()
        day = datetime.fromtimestamp(now / 1000, tz=UTC).date().isoformat()
        with self._transaction("publish a policy version"):
            (body,) = self._db.execute(
                "SELECT body FROM policy_versions ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            old = Policy.model_validate_json(body)
            counters = [
                int(v.rpartition(".")[2])
                for (v,) in self._db.execute(
                    "SELECT version FROM policy_versions WHERE version LIKE ?", (f"{day}.%",)
                )
                if v.rpartition(".")[2].isdigit()
            ]
            new = Policy(**dict(rules), version=f"{day}.{max(counters, default=0) + 1}")
            self._insert(new, by)
            record_audit(
                self._db,
                at_ms=now,
                who=by,
                action="policy_published",
                subject="policy",
                old_value=old.version,
                new_value=new.version,
            )
        return old, new

    def versions(self) -> list[PolicyVersion]:
        """Every version, oldest first."""
        with self._lock, store_errors("list policy versions"):
            rows = self._db.execute(
                "SELECT version, created_ms, created_by FROM policy_versions ORDER BY seq"
            ).fetchall()
        return [PolicyVersion(r[0], int(r[1]), r[2]) for r in rows]

    def version(self, version: str) -> Policy | None:
        """A stored version's rules (what a replay of an old preview must use)."""
        with self._lock, store_errors("read a policy version"):
            row = self._db.execute(
                "SELECT body FROM policy_versions WHERE version = ?", (version,)
            ).fetchone()
        return None if row is None else Policy.model_validate_json(row[0])

    def audit(self) -> list[AuditEntry]:
        """Every administrative change (policies and tiers), oldest first."""
        with self._lock, store_errors("read the audit"):
            rows = self._db.execute(
                "SELECT id, at_ms, who, action, subject, old_value, new_value "
                "FROM admin_audit ORDER BY id"
            ).fetchall()
        return [AuditEntry(int(r[0]), int(r[1]), r[2], r[3], r[4], r[5], r[6]) for r in rows]
