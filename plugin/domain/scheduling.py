"""Recurring session slots for two people in different time zones, sharing the inconvenient hour fairly.

When the two working days overlap, every session sits inside both. When they do not, the sessions
alternate between the slot that suits one partner and the slot that suits the other, so the early
morning or late evening is not always the junior's to take.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

STEP = timedelta(minutes=30)


@dataclass(frozen=True)
class Hours:
    """One person's working day: time zone and local hours."""

    role: str
    timezone: str
    start_hour: int = 9
    end_hour: int = 17


@dataclass(frozen=True)
class Slot:
    """One planned session: when (UTC), each partner's local start, and who takes the inconvenient hour."""

    starts_at: datetime
    minutes: int
    local: dict[str, datetime]
    burden: str | None  # role outside their working hours, None when it suits both


def outside_minutes(hours: Hours, starts_at: datetime, minutes: int) -> int:
    """Minutes of a session outside someone's working hours (all of it on their weekend)."""
    local = starts_at.astimezone(ZoneInfo(hours.timezone))
    if local.weekday() >= 5:
        return minutes
    day = local.date()
    tz = local.tzinfo
    work_from = datetime.combine(day, time(min(hours.start_hour, 23)), tz)
    work_to = datetime.combine(day, time(0), tz) + timedelta(hours=hours.end_hour)
    end = local + timedelta(minutes=minutes)
    overlap = (min(end, work_to) - max(local, work_from)).total_seconds() / 60
    return int(minutes - max(0, overlap))


def _candidates(day: date) -> list[datetime]:
    first = datetime.combine(day, time(0), UTC)
    return [first + STEP * i for i in range(48)]


def _best(a: Hours, b: Hours, day: date, minutes: int, favour: str | None) -> datetime:
    """The slot with the least total burden; with `favour`, one inside that person's hours first."""

    def cost(t: datetime):
        ca, cb = outside_minutes(a, t, minutes), outside_minutes(b, t, minutes)
        own = {a.role: ca, b.role: cb}.get(favour, 0)
        return (own, ca + cb, t)

    return min(_candidates(day), key=cost)


def plan(a: Hours, b: Hours, first_day: date, cadence_days: int, count: int, minutes: int) -> list[Slot]:
    """`count` sessions every `cadence_days` from `first_day`, rotating the inconvenient slot when needed."""
    slots = []
    for n in range(count):
        day = first_day + timedelta(days=n * cadence_days)
        turn = (a.role, b.role)[n % 2]
        chosen = next(
            filter(None, (_on(a, b, day + timedelta(days=k), minutes, turn) for k in range(7))), None
        ) or _best(a, b, day, minutes, None)
        slots.append(_slot(a, b, chosen, minutes))
    return slots


def _on(a: Hours, b: Hours, day: date, minutes: int, turn: str) -> datetime | None:
    """A slot inside both working days, else one inside `turn`'s; None when the day has neither."""
    shared = _best(a, b, day, minutes, None)
    if not outside_minutes(a, shared, minutes) and not outside_minutes(b, shared, minutes):
        return shared
    chosen = _best(a, b, day, minutes, turn)
    favoured = a if turn == a.role else b
    return None if outside_minutes(favoured, chosen, minutes) else chosen


def _slot(a: Hours, b: Hours, starts_at: datetime, minutes: int) -> Slot:
    burdens = [h.role for h in (a, b) if outside_minutes(h, starts_at, minutes)]
    local = {h.role: starts_at.astimezone(ZoneInfo(h.timezone)) for h in (a, b)}
    return Slot(
        starts_at=starts_at,
        minutes=minutes,
        local=local,
        burden=burdens[0] if len(burdens) == 1 else ("both" if burdens else None),
    )
