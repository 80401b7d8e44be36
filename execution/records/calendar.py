"""The exchange's calendar: Hong Kong time, business days, statement months.

Hong Kong keeps UTC+8 all year (no daylight saving since 1979). The zone is read with
:mod:`zoneinfo` (``Asia/Hong_Kong``); where the system has no tz database, the fixed
offset stands in for it, which gives the same times.

Business days skip Saturdays and Sundays. Hong Kong public holidays are not built in: they
are a setting (``TRADEASSIST_HK_HOLIDAYS``, a JSON list of ISO dates) passed here as
``holidays``; with none set, only weekends are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from execution.errors import ExecutionError

#: Contract notes are due this many business days after the trade date.
CONTRACT_NOTE_DAYS = 2


def _hong_kong() -> tzinfo:
    try:
        return ZoneInfo("Asia/Hong_Kong")
    except ZoneInfoNotFoundError:  # no tz database: HK's offset has been fixed since 1979
        return timezone(timedelta(hours=8), "HKT")


HKT = _hong_kong()


class InvalidMonth(ExecutionError):
    """A statement month that is not ``YYYY-MM`` (or not yet begun)."""

    code = "invalid_month"


def utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def hkt(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=HKT)


def iso_utc(ms: int) -> str:
    """``2026-01-01T00:00:00.000Z``."""
    return utc(ms).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def iso_hkt(ms: int) -> str:
    """``2026-01-01T08:00:00.000+08:00``."""
    moment = hkt(ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + moment.strftime("%z")[:3] + ":00"


def trade_date(ms: int) -> date:
    """The Hong Kong calendar day of an instant."""
    return hkt(ms).date()


def add_business_days(day: date, days: int, holidays: Collection[date] = ()) -> date:
    """``days`` business days after ``day`` (weekends and ``holidays`` skipped)."""
    current = day
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            left -= 1
    return current


def contract_note_due(trade_day: date, holidays: Collection[date] = ()) -> date:
    """The last day a contract note for a trade on ``trade_day`` may go out (T+2)."""
    return add_business_days(trade_day, CONTRACT_NOTE_DAYS, holidays)


_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, slots=True)
class Month:
    """A calendar month in Hong Kong time, ``[start_ms, end_ms)``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """``YYYY-MM``; anything else raises :class:`InvalidMonth` naming it."""
        found = _MONTH.fullmatch(text)
        if found is None or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1970:
            raise InvalidMonth(f"month must be YYYY-MM with a month 01-12, got {text!r}")
        return cls(int(found[1]), int(found[2]))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start_ms(self) -> int:
        return _ms(datetime(self.year, self.month, 1, tzinfo=HKT))

    @property
    def end_ms(self) -> int:
        year, month = (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)
        return _ms(datetime(year, month, 1, tzinfo=HKT))


def _ms(moment: datetime) -> int:
    return int(moment.timestamp()) * 1000


__all__ = [
    "CONTRACT_NOTE_DAYS",
    "HKT",
    "InvalidMonth",
    "Month",
    "add_business_days",
    "contract_note_due",
    "hkt",
    "iso_hkt",
    "iso_utc",
    "trade_date",
    "utc",
]
