"""A programme's leading indicators for HR: momentum from the pairs' health, reflection answers by month.

The impact page leads with these until retention and promotion can be measured. Reflection answers are
published only as monthly groups of at least the organisation's minimum group size (`suppression`), never
per person and never their text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..domain import momentum, suppression
from ..models import Programme, Reflection, Respondent
from . import pair_health, privacy
from .tenant import Tenant

MEASURES = ("q1", "q2", "q3")


@dataclass(frozen=True)
class LeadingIndicators:
    momentum: momentum.Momentum
    months: list[suppression.Cell]  # key (YYYY-MM,), oldest first; suppressed cells carry no numbers
    threshold: int
    measurable_from: dict[int, date]  # outcome horizon in months -> first day it can be measured


def leading_indicators(tenant: Tenant, programme_id: int, today: date | None = None) -> LeadingIndicators:
    programme = tenant.get(Programme, programme_id)
    healths = pair_health.programme_assessment(tenant, programme.id, today)
    threshold = suppression.check_threshold(privacy.settings_for(tenant).min_group_size)
    months = suppression.suppress(_monthly_atoms(tenant, programme.id), threshold, [0])
    return LeadingIndicators(
        momentum.momentum(healths),
        sorted(months, key=lambda cell: cell.key),
        threshold,
        momentum.measurable_from(programme.starts_on) if programme.starts_on else {},
    )


def _monthly_atoms(tenant: Tenant, programme_id: int) -> list[suppression.Atom]:
    """One atom per person and month they answered: how many answers and the sum of each measure."""
    rows = tenant.session.execute(
        select(Reflection.respondent_id, Reflection.created_at, Reflection.q1, Reflection.q2, Reflection.q3)
        .join(Respondent, Respondent.id == Reflection.respondent_id)
        .where(Respondent.programme_id == programme_id)
    )
    answers: dict[tuple[str, int], int] = defaultdict(int)
    sums: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0.0))
    for respondent, created, *values in rows:
        key = (created.strftime("%Y-%m"), respondent)
        answers[key] += 1
        for measure, value in zip(MEASURES, values, strict=True):
            sums[key][measure] += value
    return [
        suppression.Atom(key=(month,), answers=answers[(month, who)], sums=dict(sums[(month, who)]))
        for month, who in sorted(answers)
    ]
