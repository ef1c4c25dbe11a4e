"""Anonymised reflection insights for HR: aggregates only, small groups suppressed (see domain.suppression).

    report = reflection_insights(tenant, by=("programme", "role"), where={"programme": 3})
    for cell in report.cells: cell.key, cell.people, cell.means   # None when suppressed

Dimensions: programme (id as text), role (mentor|mentee), region, function. Measures: the mean of each
reflection question (q1..q3) over answers. Only reflections written before the cut-off (the start of the
current ISO week unless `as_of` is given) count, so asking again later in the week cannot single out an
answer that arrived in between. The threshold is the organisation's minimum group size (never below 3).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from ..domain import suppression
from ..domain.spreadsheet import csv_text
from ..errors import ValidationError
from ..models import Reflection, Respondent
from . import privacy
from .tenant import Tenant

DIMENSIONS = ("programme", "role", "region", "function")
MEASURES = ("q1", "q2", "q3")


@dataclass(frozen=True)
class InsightReport:
    """One aggregate report: the grouping, the threshold applied, the cut-off, and the cells."""

    by: tuple[str, ...]
    threshold: int
    cutoff: date
    cells: list[suppression.Cell]


def cutoff_for(as_of: date | None = None) -> date:
    """Data is published as of the Monday starting the current week (or of `as_of`)."""
    day = as_of or datetime.now(UTC).date()
    return day - timedelta(days=day.weekday())


def reflection_insights(
    tenant: Tenant,
    by: Sequence[str] = ("programme",),
    *,
    where: Mapping[str, object] | None = None,
    threshold: int | None = None,
    as_of: date | None = None,
) -> InsightReport:
    """Reflection aggregates grouped `by` some dimensions, optionally restricted `where` dimension = value."""
    by, where = tuple(by), {k: str(v) for k, v in (where or {}).items()}
    unknown = [d for d in (*by, *where) if d not in DIMENSIONS]
    if unknown or not by:
        raise ValidationError(f"Group by one or more of {', '.join(DIMENSIONS)}", errors={"by": unknown})
    floor = privacy.settings_for(tenant).min_group_size
    applied = suppression.check_threshold(max(floor, threshold or 0))
    cutoff = cutoff_for(as_of)
    atoms = _atoms(tenant, cutoff)
    cells = suppression.suppress(
        atoms, applied, [DIMENSIONS.index(d) for d in by], {DIMENSIONS.index(d): v for d, v in where.items()}
    )
    return InsightReport(by=by, threshold=applied, cutoff=cutoff, cells=cells)


def _atoms(tenant: Tenant, cutoff: date) -> list[suppression.Atom]:
    """One atom per respondent (person in a programme), over every programme of the organisation."""
    before = datetime.combine(cutoff, time(0), UTC)
    stmt = tenant.select(Reflection).where(Reflection.created_at < before)
    sums: dict[int, dict[str, float]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0.0))
    answers: dict[int, int] = defaultdict(int)
    for row in tenant.session.scalars(stmt):
        answers[row.respondent_id] += 1
        for m in MEASURES:
            sums[row.respondent_id][m] += getattr(row, m)
    people = {r.id: r for r in tenant.all(Respondent, Respondent.id.in_(list(answers)))} if answers else {}
    return [
        suppression.Atom(
            key=(str(p.programme_id), p.role, p.region, p.function), answers=answers[i], sums=dict(sums[i])
        )
        for i, p in sorted(people.items())
    ]


def to_csv(report: InsightReport) -> str:
    """The report as CSV; a suppressed cell shows `<threshold` and no numbers."""
    rows = (
        [*cell.key, f"<{report.threshold}", "", *([""] * len(MEASURES))]
        if cell.suppressed
        else [*cell.key, cell.people, cell.answers, *(cell.means.get(m, "") for m in MEASURES)]
        for cell in report.cells
    )
    return csv_text([*report.by, "people", "answers", *MEASURES], rows)


def as_json(report: InsightReport) -> dict:
    """The report for the JSON API: suppressed cells carry no numbers at all."""
    return {
        "by": list(report.by),
        "threshold": report.threshold,
        "cutoff": report.cutoff.isoformat(),
        "cells": [
            {
                "key": dict(zip(report.by, cell.key, strict=True)),
                "suppressed": cell.suppressed,
                "people": cell.people,
                "answers": cell.answers,
                "means": cell.means,
            }
            for cell in report.cells
        ],
    }
