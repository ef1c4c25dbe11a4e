"""A synthetic person's dates: birth year, hire, last promotion, leaving, last record change."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime

from plugin.domain.sampling import between

# Age range by job level: Gen Z associates, executives born in the 1960s and 1970s.
_AGE = {
    1: (21, 29),
    2: (23, 32),
    3: (26, 38),
    4: (29, 45),
    5: (30, 52),
    6: (33, 56),
    7: (40, 60),
    8: (44, 62),
    9: (46, 64),
    10: (50, 64),
}
# Tenure by job level: (minimum years, mean of the exponential extra), so juniors are mostly
# under three years in and executives have been around for a decade or more.
_TENURE = {
    1: (0, 1.1),
    2: (0, 1.9),
    3: (0.5, 2.8),
    4: (1, 3.5),
    5: (1.5, 4),
    6: (2, 5),
    7: (4, 6),
    8: (5, 7),
    9: (6, 8),
    10: (8, 9),
}
_LEAVERS_LOOKBACK_DAYS = 3 * 365
"""HR systems keep leavers; the generator keeps those who left in the last three years."""
_YEAR = 365.25
_EPOCH = date(1970, 1, 1).toordinal()


@dataclass(frozen=True, slots=True)
class Career:
    birth_year: int
    hire_date: date
    termination_date: date | None
    last_promotion_date: date | None
    modified_at: datetime


def draw_career(rng: random.Random, level: int, as_of: date, *, leaves: bool) -> Career:
    """Dates for one person at `level`, all on or before `as_of`; `leaves` gives a termination date."""
    # Day numbers (ordinals) rather than date arithmetic: this runs once per employee.
    low, high = _AGE[level]
    birth_year = as_of.year - between(rng, low, high)
    today = as_of.toordinal()
    # Nobody is hired before the year they turn 18; a week in, so a weekend shift stays in that year.
    earliest = date(birth_year + 18, 1, 7).toordinal()
    end = today - between(rng, 1, min(_LEAVERS_LOOKBACK_DAYS, today - earliest - 30)) if leaves else today
    minimum, mean = _TENURE[level]
    tenure = min(int((minimum + rng.expovariate(1 / mean)) * _YEAR), end - earliest)
    if leaves:
        tenure = max(tenure, 30)
    hire = end - tenure
    hire -= max(0, (hire - 1) % 7 - 4)  # a weekend becomes the Friday before: nobody starts on a Sunday

    promoted = None
    if level > 1 and tenure >= 400 and rng.random() < min(0.9, 0.3 + 0.07 * level):
        promoted = hire + between(rng, 365, tenure)
    latest = max(hire, promoted or hire, end if leaves else hire)
    changed = (between(rng, latest, today) - _EPOCH) * 86400 + between(rng, 7 * 3600, 19 * 3600)
    return Career(
        birth_year=birth_year,
        hire_date=date.fromordinal(hire),
        termination_date=date.fromordinal(end) if leaves else None,
        last_promotion_date=date.fromordinal(promoted) if promoted else None,
        modified_at=datetime.fromtimestamp(changed, UTC),
    )
