"""A synthetic workforce with known outcomes: who opts in, who stays, who is promoted, and a planted effect.

Covariates come from the synthetic workforce generator as of the programme's start. Outcomes are drawn so
that the true effect on participants is known exactly:
- 24-month stay probability is 0.5 + 0.03 x level, plus 0.05 in "good" departments, minus 0.05 for the
  under-30s, at most 0.85; a participant's is `retention_lift` higher. Leavers leave uniformly over the 24
  months, so the effect at 12 months is exactly half of it.
- 24-month promotion probability is 0.10 + 0.02 x (10 - level), a participant's `promotion_lift` higher,
  promotions uniform over the 24 months (half the effect at 12 months).
- Opting in is confounded with the outcome: people in good departments and the under-30s opt in more, so
  a naive participants-versus-everyone comparison is biased, and matching has to remove that.
"""

from __future__ import annotations

import random
import zlib
from datetime import date, timedelta

from plugin.demo.workforce import generate_workforce
from plugin.domain.impact import PersonOutcome, add_months

INDEX = date(2024, 9, 1)
AS_OF = date(2026, 11, 1)
MENTOR_MAX_LEVEL = 2
MENTEE_MIN_LEVEL = 6


def good_department(name: str) -> bool:
    """Half the departments, chosen by a stable hash of the name, retain people better."""
    return zlib.crc32(name.encode()) % 2 == 0


def make_world(
    size: int = 10_000, seed: int = 11, *, retention_lift: float = 0.0, promotion_lift: float = 0.0
) -> list[PersonOutcome]:
    """PersonOutcomes for a workforce with the given true (planted) 24-month lifts for participants."""
    rng = random.Random(seed)
    people = []
    for n, record in enumerate(generate_workforce(size, seed, as_of=INDEX)):
        if record.termination_date is not None:
            continue  # left before the programme started
        young = INDEX.year - record.birth_year < 30
        good = good_department(record.department)
        role = _role(rng, record.job_level, good, young)
        lift = 1 if role else 0
        stay = min(0.85, 0.5 + 0.03 * record.job_level + (0.05 if good else 0) - (0.05 if young else 0))
        promote = 0.10 + 0.02 * (10 - record.job_level)
        people.append(
            PersonOutcome(
                employee_id=n,
                role=role,
                department=record.department,
                level=record.job_level,
                location=record.region,
                hired_on=record.hire_date,
                birth_year=record.birth_year,
                terminated_on=_when(rng, 1 - stay - lift * retention_lift),
                promoted_on=tuple(d for d in [_when(rng, promote + lift * promotion_lift)] if d),
            )
        )
    return people


def _role(rng: random.Random, level: int, good: bool, young: bool) -> str | None:
    if level <= MENTOR_MAX_LEVEL:
        return "mentor" if rng.random() < 0.06 + (0.10 if good else 0) + (0.06 if young else 0) else None
    if level >= MENTEE_MIN_LEVEL:
        return "mentee" if rng.random() < 0.15 + (0.25 if good else 0) else None
    return None


def _when(rng: random.Random, chance: float) -> date | None:
    """A day uniformly within the 24 months after the start, with probability `chance`, else None."""
    if rng.random() >= chance:
        return None
    days = (add_months(INDEX, 24) - INDEX).days
    return INDEX + timedelta(days=1 + int(rng.random() * (days - 1)))
