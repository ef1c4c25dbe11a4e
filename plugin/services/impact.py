"""A programme's impact from stored employees, participants and pairs; HR's impact settings; CSV export.

Where the facts come from:
- participants are the mentors and mentees of the programme's approved (or later) pairs; everyone in the
  organisation with no participant row in the programme is a potential comparison;
- the index date is the programme's start; level on that date is today's level, one lower when the last
  promotion came after the start (the HRIS gives the current level and the last promotion date);
- promotion is a title or level change: `custom_fields["last_promotion_date"]` as synced from the HRIS;
- location is the region (country when the region is unknown), coarse enough for matching to find peers.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..domain import impact
from ..domain.spreadsheet import csv_text
from ..errors import Conflict, ValidationError
from ..models import Employee, ImpactSetting, Pair, Participant, Programme
from . import audit
from .tenant import Tenant

TREATED_STATUSES = ("approved", "active", "completed", "ended")
SETTING_FIELDS = ("replacement_cost", "programme_cost", "currency", "opt_in", "threshold")


def settings_row(tenant: Tenant, programme_id: int) -> ImpactSetting:
    """The programme's impact settings, created with defaults on first use."""
    programme = tenant.get(Programme, programme_id)
    rows = tenant.all(ImpactSetting, ImpactSetting.programme_id == programme.id)
    if rows:
        return rows[0]
    row = tenant.add(
        ImpactSetting(
            programme_id=programme.id,
            replacement_cost=0.0,
            programme_cost=0.0,
            currency="EUR",
            opt_in=True,
            threshold=impact.DEFAULT_THRESHOLD,
        )
    )
    tenant.session.flush()
    return row


def update_settings(tenant: Tenant, programme_id: int, data: dict, actor: str = "admin") -> ImpactSetting:
    """Change the replacement cost, programme cost, currency, opt-in flag or suppression threshold."""
    row = settings_row(tenant, programme_id)
    threshold = data.get("threshold", row.threshold)
    if threshold < impact.MIN_THRESHOLD:
        raise ValidationError(
            f"The suppression threshold cannot be below {impact.MIN_THRESHOLD}",
            errors={"threshold": f"at least {impact.MIN_THRESHOLD}"},
        )
    for key in SETTING_FIELDS:
        if key in data:
            setattr(row, key, data[key])
    audit.record(tenant, actor, "impact.settings", "programme", programme_id, fields=sorted(data))
    return row


def domain_settings(row: ImpactSetting, roi_months: int = 12) -> impact.ImpactSettings:
    return impact.ImpactSettings(
        threshold=row.threshold,
        replacement_cost=row.replacement_cost,
        programme_cost=row.programme_cost,
        opt_in=row.opt_in,
        roi_months=roi_months,
    )


def outcomes(tenant: Tenant, programme: Programme) -> list[impact.PersonOutcome]:
    """Every employee of the organisation as a PersonOutcome relative to the programme's start."""
    roles = _roles(tenant, programme.id)
    excluded = set(
        tenant.session.scalars(select(Participant.employee_id).where(Participant.programme_id == programme.id))
    )
    people = []
    for employee in tenant.session.scalars(tenant.select(Employee, Employee.deleted.is_(False))):
        role = roles.get(employee.id)
        if role is None and employee.id in excluded:
            continue  # took part but was never paired, or opted out: neither participant nor comparison
        person = _person(employee, role, programme.starts_on)
        if person is not None:
            people.append(person)
    return people


def _roles(tenant: Tenant, programme_id: int) -> dict[int, str]:
    pairs = tenant.all(Pair, Pair.programme_id == programme_id, Pair.status.in_(TREATED_STATUSES))
    roles = {p.mentor_employee_id: "mentor" for p in pairs}
    roles.update({p.mentee_employee_id: "mentee" for p in pairs})
    return roles


def _person(employee: Employee, role: str | None, index: date) -> impact.PersonOutcome | None:
    if employee.hire_date is None or employee.job_level is None:
        return None
    promoted = _promotion(employee)
    level = employee.job_level - 1 if promoted and promoted > index else employee.job_level
    return impact.PersonOutcome(
        employee_id=employee.id,
        role=role,
        department=employee.department or "?",
        level=level,
        location=employee.region or employee.country or "?",
        hired_on=employee.hire_date,
        birth_year=employee.birth_year,
        terminated_on=employee.termination_date,
        promoted_on=(promoted,) if promoted else (),
    )


def _promotion(employee: Employee) -> date | None:
    raw = (employee.custom_fields or {}).get("last_promotion_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except (TypeError, ValueError):
        return None  # an unreadable HRIS value is treated as no known promotion


def programme_impact(
    tenant: Tenant, programme_id: int, as_of: date | None = None, roi_months: int = 12
) -> impact.ImpactReport:
    """The impact report of a programme as of a day (today by default)."""
    programme = tenant.get(Programme, programme_id)
    if programme.starts_on is None:
        raise Conflict(
            "The programme has not started, so there is no impact to measure yet", errors={"starts_on": "not set"}
        )
    settings = domain_settings(settings_row(tenant, programme.id), roi_months)
    return impact.impact_report(outcomes(tenant, programme), programme.starts_on, as_of or date.today(), settings)


def impact_csv(report: impact.ImpactReport) -> str:
    """The report as CSV: one row per cell, suppressed cells with empty numbers."""
    rows = impact.report_rows(report)
    return csv_text(
        list(rows[0]),
        ([("" if v is None else round(v, 4) if isinstance(v, float) else v) for v in row.values()] for row in rows),
    )
