"""Impact: 12- and 24-month retention and promotion of participants against comparable non-participants.

How a cell (group x outcome x horizon) is estimated:
- Who counts: people employed on the index date (the programme's start). Participants are mentors or
  mentees who were paired; non-participants never took part in the programme at all.
- Comparable: coarsened exact matching. Everyone falls in a stratum of department, job level, tenure
  band, age band and location on the index date; participants in a stratum with no non-participant are
  left out (and counted as unmatched), non-participants in strata without participants are dropped.
- The comparison rate is standardised to the participants: each stratum's non-participant rate weighted
  by its share of matched participants (the CEM weights for the effect on the treated).
- Absolute lift (participant rate - comparison rate) has a Newcombe hybrid score 95% interval; relative
  lift (ratio - 1) a log-ratio interval; the weighted comparison group enters with its Kish effective
  size. See domain/proportions.py.
- Cells with fewer than `threshold` matched participants or comparisons are suppressed: no counts, no
  rates. The threshold is configurable, 5 by default, never below 3.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from .proportions import Interval, difference, kish_effective_size, ratio

GROUPS = ("mentors", "mentees", "under_30")
OUTCOMES = ("retention", "promotion")
HORIZONS = (12, 24)
DEFAULT_THRESHOLD = 5
MIN_THRESHOLD = 3
UNDER = 30
SELF_SELECTION_WARNING = (
    "People chose to take part (opt-in). Volunteers may already be more likely to stay or be promoted, so "
    "these lifts can overstate the programme's effect even after matching on department, level, tenure, "
    "age and location."
)


@dataclass(frozen=True)
class PersonOutcome:
    """One employee's facts on the index date and what happened to them afterwards."""

    employee_id: int
    role: str | None  # "mentor", "mentee", or None for a non-participant
    department: str
    level: int  # job level on the index date
    location: str
    hired_on: date
    birth_year: int | None
    terminated_on: date | None = None
    promoted_on: tuple[date, ...] = ()  # dates of title or level changes


@dataclass(frozen=True)
class ImpactSettings:
    """What HR can change: the suppression threshold, costs, and whether taking part was opt-in."""

    threshold: int = DEFAULT_THRESHOLD
    replacement_cost: float = 0.0
    programme_cost: float = 0.0
    opt_in: bool = True
    roi_months: int = 12

    def __post_init__(self):
        if self.threshold < MIN_THRESHOLD:
            raise ValueError(f"the suppression threshold cannot be below {MIN_THRESHOLD}")
        if self.replacement_cost < 0 or self.programme_cost < 0:
            raise ValueError("costs cannot be negative")
        if self.roi_months not in HORIZONS:
            raise ValueError(f"ROI is measured at one of {HORIZONS} months")


@dataclass(frozen=True)
class Cell:
    """One comparison; status: shown, suppressed, not_yet (horizon still ahead) or empty (nobody in the group)."""

    group: str
    outcome: str
    months: int
    status: str
    participants: int | None = None
    comparison: int | None = None
    unmatched: int | None = None
    participant_rate: float | None = None
    comparison_rate: float | None = None
    absolute: Interval | None = None
    relative: Interval | None = None


@dataclass(frozen=True)
class Roi:
    """Avoided attrition valued at the replacement cost, with the bounds the lift's interval gives."""

    months: int
    avoided_leavers: Interval
    replacement_cost: float
    value: Interval
    programme_cost: float
    roi: Interval | None


@dataclass(frozen=True)
class ImpactReport:
    """Every cell of one programme's impact, the settings used, and the ROI when it can be shown."""

    index_date: date
    as_of: date
    settings: ImpactSettings
    cells: list[Cell] = field(default_factory=list)
    warning: str | None = None
    roi: Roi | None = None

    def cell(self, group: str, outcome: str, months: int) -> Cell:
        """The cell for one group, outcome and horizon."""
        return next(c for c in self.cells if (c.group, c.outcome, c.months) == (group, outcome, months))


def add_months(day: date, months: int) -> date:
    """The same day `months` later, moved back to the month's last day when it has fewer days."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_band(birth_year: int | None, on: date) -> str:
    """Age band on a date; 'under 30' is the band the under-30s group is compared within."""
    if birth_year is None:
        return "unknown"
    age = on.year - birth_year
    if age < UNDER:
        return "under 30"
    return "50+" if age >= 50 else f"{age // 10 * 10}-{age // 10 * 10 + 9}"


def tenure_band(hired_on: date, on: date) -> str:
    """Tenure band on a date: under 1, 1-3, 3-5, 5-10, 10+ years."""
    years = (on - hired_on).days / 365.25
    for limit, label in ((1, "<1y"), (3, "1-3y"), (5, "3-5y"), (10, "5-10y")):
        if years < limit:
            return label
    return "10y+"


def stratum(person: PersonOutcome, on: date) -> tuple:
    """The coarsened facts a participant and a comparable colleague share."""
    return (
        person.department,
        person.level,
        tenure_band(person.hired_on, on),
        age_band(person.birth_year, on),
        person.location,
    )


def employed_on(person: PersonOutcome, day: date) -> bool:
    """Whether someone was on the payroll on a day."""
    return person.hired_on <= day and (person.terminated_on is None or person.terminated_on > day)


def happened(person: PersonOutcome, outcome: str, start: date, end: date) -> bool:
    """Retention: still employed at `end`. Promotion: a title or level change in (start, end]."""
    if outcome == "retention":
        return person.terminated_on is None or person.terminated_on > end
    return any(start < day <= end for day in person.promoted_on)


def in_group(person: PersonOutcome, group: str, on: date) -> bool:
    """Mentors, mentees, or participants under 30 on the index date."""
    if group == "under_30":
        return person.role is not None and age_band(person.birth_year, on) == "under 30"
    return person.role == group.rstrip("s")


@dataclass(frozen=True)
class Strata:
    """The people employed on the index date, grouped once by stratum: comparison colleagues, and the
    participants of each group (every cell of a report reads these instead of re-deriving them)."""

    index: date
    controls: dict[tuple, list[PersonOutcome]]
    treated: dict[str, dict[tuple, list[PersonOutcome]]]


def strata(people: list[PersonOutcome], index: date) -> Strata:
    controls: dict[tuple, list[PersonOutcome]] = defaultdict(list)
    treated: dict[str, dict[tuple, list[PersonOutcome]]] = {group: defaultdict(list) for group in GROUPS}
    for person in people:
        if not employed_on(person, index):
            continue
        key = stratum(person, index)
        if person.role is None:
            controls[key].append(person)
            continue
        for group in GROUPS:
            if in_group(person, group, index):
                treated[group][key].append(person)
    return Strata(index, dict(controls), {group: dict(by) for group, by in treated.items()})


def compare(
    people: list[PersonOutcome] | Strata,
    group: str,
    outcome: str,
    months: int,
    index: date,
    as_of: date,
    threshold: int = DEFAULT_THRESHOLD,
) -> Cell:
    """One cell: matched participants of `group` against standardised comparable non-participants."""
    try:
        end = add_months(index, months)
    except ValueError:  # past the end of the calendar: certainly still ahead
        return Cell(group, outcome, months, "not_yet")
    if end > as_of:
        return Cell(group, outcome, months, "not_yet")
    grouped = people if isinstance(people, Strata) and people.index == index else strata(list(people), index)
    treated = grouped.treated.get(group, {})
    matched = {
        key: [happened(p, outcome, index, end) for p in persons]
        for key, persons in treated.items()
        if key in grouped.controls
    }
    controls = {key: [happened(p, outcome, index, end) for p in grouped.controls[key]] for key in matched}
    n_treated = sum(len(v) for v in matched.values())
    n_controls = sum(len(v) for v in controls.values())
    if n_treated < threshold or n_controls < threshold:
        return Cell(group, outcome, months, "suppressed" if treated else "empty")
    return _estimate(group, outcome, months, matched, controls, sum(len(v) for v in treated.values()))


def _estimate(group, outcome, months, matched: dict, controls: dict, all_treated: int) -> Cell:
    n_treated = sum(len(v) for v in matched.values())
    p_treated = sum(sum(v) for v in matched.values()) / n_treated
    p_comparison = sum(len(v) / n_treated * sum(controls[k]) / len(controls[k]) for k, v in matched.items())
    p_comparison = min(1.0, max(0.0, p_comparison))  # a weighted sum of rates can round past 1
    weights = [len(v) / len(controls[k]) for k, v in matched.items() for _ in controls[k]]
    n_effective = kish_effective_size(weights)
    rr = ratio(p_treated, n_treated, p_comparison, n_effective)
    return Cell(
        group,
        outcome,
        months,
        "shown",
        participants=n_treated,
        comparison=len(weights),
        unmatched=all_treated - n_treated,
        participant_rate=p_treated,
        comparison_rate=p_comparison,
        absolute=difference(p_treated, n_treated, p_comparison, n_effective),
        relative=Interval(rr.estimate - 1, rr.low - 1, rr.high - 1) if rr else None,
    )


def impact_report(
    people: list[PersonOutcome], index: date, as_of: date, settings: ImpactSettings | None = None
) -> ImpactReport:
    """Every group x outcome x horizon cell, the self-selection warning, and the ROI."""
    settings = settings or ImpactSettings()
    grouped = strata(people, index)
    cells = [
        compare(grouped, group, outcome, months, index, as_of, settings.threshold)
        for group in GROUPS
        for outcome in OUTCOMES
        for months in HORIZONS
    ]
    report = ImpactReport(index, as_of, settings, cells, SELF_SELECTION_WARNING if settings.opt_in else None)
    return replace(report, roi=roi_of(report))


def roi_of(report: ImpactReport) -> Roi | None:
    """Avoided leavers among mentors and mentees (lift x participants) valued at the replacement cost.

    The bounds combine the two groups' interval half-widths in quadrature, as if independent.
    """
    settings = report.settings
    shown = [
        c
        for c in report.cells
        if c.outcome == "retention"
        and c.months == settings.roi_months
        and c.group in ("mentors", "mentees")
        and c.status == "shown"
    ]
    if not shown:
        return None
    estimate = sum(c.absolute.estimate * c.participants for c in shown)
    below = sum(((c.absolute.estimate - c.absolute.low) * c.participants) ** 2 for c in shown) ** 0.5
    above = sum(((c.absolute.high - c.absolute.estimate) * c.participants) ** 2 for c in shown) ** 0.5
    avoided = Interval(estimate, estimate - below, estimate + above)
    value = avoided.scaled(settings.replacement_cost)
    cost = settings.programme_cost
    roi = (
        Interval((value.estimate - cost) / cost, (value.low - cost) / cost, (value.high - cost) / cost)
        if cost > 0
        else None
    )
    return Roi(settings.roi_months, avoided, settings.replacement_cost, value, cost, roi)


def report_rows(report: ImpactReport) -> list[dict]:
    """The report as flat rows for CSV export; suppressed cells keep their place with empty numbers."""
    rows = []
    for c in report.cells:
        row = {
            "group": c.group,
            "outcome": c.outcome,
            "months": c.months,
            "status": c.status,
            "participants": c.participants,
            "comparison": c.comparison,
            "unmatched": c.unmatched,
            "participant_rate": c.participant_rate,
            "comparison_rate": c.comparison_rate,
        }
        for name in ("absolute", "relative"):
            interval = getattr(c, name)
            for part in ("estimate", "low", "high"):
                row[f"{name}_lift_{part}"] = getattr(interval, part) if interval else None
        rows.append(row)
    return rows
