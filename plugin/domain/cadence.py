"""Cadence: which period a pair is in, how many sessions it should have had, and whether it is behind."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class CadenceStatus:
    """Where a pair stands against its programme's cadence on a given day."""

    period: int  # 0-based period the day falls in
    expected: int  # sessions due by the end of the previous period
    held: int
    next_due: date
    ends_on: date

    @property
    def behind(self) -> int:
        return max(0, self.expected - self.held)

    @property
    def on_track(self) -> bool:
        return self.behind == 0


def start_day(approved_at: datetime | None, created_at: datetime | None, programme_starts_on: date | None) -> date:
    """The day a pair's cadence starts: approval, else its creation, and never before the programme starts."""
    moment = approved_at or created_at
    return max(filter(None, [programme_starts_on, moment.date() if moment else None]))


def period_of(start: date, day: date, cadence_days: int) -> int:
    """The 0-based cadence period `day` falls in (0 before the start)."""
    return max(0, (day - start).days // max(1, cadence_days))


def end_date(start: date, duration_weeks: int, extensions: int, extension_weeks: int) -> date:
    """The last day of a pair's programme, extensions included."""
    return start + timedelta(weeks=duration_weeks + extensions * extension_weeks) - timedelta(days=1)


def cadence_status(
    start: date, today: date, cadence_days: int, held_on: Iterable[date], ends_on: date
) -> CadenceStatus:
    """Sessions held against the one-per-period expectation; only finished periods count as due."""
    day = min(today, ends_on)
    period = period_of(start, day, cadence_days)
    held = sum(1 for d in held_on if start <= d <= day)
    next_due = start + timedelta(days=(period + 1) * cadence_days - 1)
    return CadenceStatus(period=period, expected=period, held=held, next_due=min(next_due, ends_on), ends_on=ends_on)
