"""Privacy: retention and anonymity settings, erasure of leavers after a grace period, audited admin views.

When the HRIS reports a termination, the departure job (plugin.jobs.departures) ends the person's pairs,
and an erasure falls due after the grace period. Erasure unlinks their reflections from them (the
pseudonymous respondent keeps the group facts, so aggregates stay correct), deletes their reflection
notes, profile, credentials and LMS account links, and blanks the identifying fields of their employee row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from ..domain.suppression import MIN_THRESHOLD
from ..errors import ValidationError
from ..models import (
    ERASED_RECORD,
    Credential,
    Employee,
    Erasure,
    Participant,
    PrivacySettings,
    Profile,
    Reflection,
    Respondent,
    utcnow,
)
from ..models.lti import LtiUserLink
from . import audit
from .tenant import Tenant


def settings_for(tenant: Tenant) -> PrivacySettings:
    """The organisation's privacy settings, created with the defaults the first time."""
    found = tenant.all(PrivacySettings)
    if found:
        return found[0]
    row = tenant.add(PrivacySettings(min_group_size=5, reflection_text_days=365, erasure_grace_days=30))
    tenant.session.flush()
    return row


def update_settings(
    tenant: Tenant,
    actor: str,
    *,
    min_group_size: int | None = None,
    reflection_text_days: int | None = None,
    erasure_grace_days: int | None = None,
) -> PrivacySettings:
    """Change retention or anonymity settings; the smallest group shown never goes below 3."""
    row = settings_for(tenant)
    if min_group_size is not None and min_group_size < MIN_THRESHOLD:
        raise ValidationError(
            f"The smallest group shown must be at least {MIN_THRESHOLD} people",
            errors={"min_group_size": min_group_size},
        )
    if any(v is not None and v < 0 for v in (reflection_text_days, erasure_grace_days)):
        raise ValidationError("Retention periods cannot be negative")
    for name, value in (
        ("min_group_size", min_group_size),
        ("reflection_text_days", reflection_text_days),
        ("erasure_grace_days", erasure_grace_days),
    ):
        if value is not None:
            setattr(row, name, value)
    audit.record(tenant, actor, "privacy.updated", "organisation", tenant.organisation_id)
    return row


def on_employee_terminated(tenant: Tenant, employee_id: int, today: date | None = None) -> Erasure:
    """Schedule the erasure of a leaver's personal data (their pairs are ended by the departure job)."""
    today = today or datetime.now(UTC).date()
    found = tenant.all(Erasure, Erasure.employee_id == employee_id)
    if found:
        return found[0]
    tenant.get(Employee, employee_id)  # NotFound for another organisation's employee
    due = today + timedelta(days=settings_for(tenant).erasure_grace_days)
    row = tenant.add(Erasure(employee_id=employee_id, due_on=due))
    tenant.session.flush()
    audit.record(tenant, "system", "erasure.scheduled", "employee", employee_id, due_on=due.isoformat())
    return row


def erase_due(tenant: Tenant, today: date | None = None) -> int:
    """Erase every leaver whose grace period is over; returns how many were erased."""
    today = today or datetime.now(UTC).date()
    due = tenant.all(Erasure, Erasure.due_on <= today, Erasure.erased_at.is_(None))
    for row in due:
        erase_person(tenant, row.employee_id)
        row.erased_at = utcnow()
    return len(due)


def erase_person(tenant: Tenant, employee_id: int) -> None:
    """Remove or anonymise one person's personal data; aggregates keep their (pseudonymous) answers."""
    person = tenant.get(Employee, employee_id)
    respondent_ids = [r.id for r in tenant.all(Respondent, Respondent.employee_id == employee_id)]
    if respondent_ids:
        tenant.session.execute(update(Reflection).where(Reflection.respondent_id.in_(respondent_ids)).values(text=None))
    for row in tenant.all(Respondent, Respondent.employee_id == employee_id):
        row.employee_id = None
    for model in (Profile, Credential, LtiUserLink):
        for row in tenant.all(model, model.employee_id == employee_id):
            tenant.session.delete(row)
    for row in tenant.all(Participant, Participant.employee_id == employee_id):
        row.opted_in, row.opted_out_at = False, row.opted_out_at or utcnow()
    _anonymise(person)
    audit.record(tenant, "system", "employee.erased", "employee", employee_id)


def _anonymise(person: Employee) -> None:
    person.first_name, person.last_name, person.display_name = "", "", "Former employee"
    person.preferred_name = person.work_email = person.employee_number = None
    person.birth_year, person.manager_source_id, person.manager_id = None, None, None
    person.languages, person.expertise, person.learning_goals, person.custom_fields = [], [], [], {}
    person.active, person.record_hash = False, ERASED_RECORD  # a later sync must not fill the row again


def purge_old_notes(tenant: Tenant, today: date | None = None) -> int:
    """Delete reflection notes older than the retention period (the scaled answers stay)."""
    days = settings_for(tenant).reflection_text_days
    limit = datetime.combine((today or datetime.now(UTC).date()) - timedelta(days=days), datetime.min.time(), UTC)
    result = tenant.session.execute(
        update(Reflection).where(Reflection.created_at < limit, Reflection.text.is_not(None)).values(text=None)
    )
    return result.rowcount or 0


def viewed(tenant: Tenant, actor: str, what: str, subject_type: str, subject_id: object, **detail) -> None:
    """Record that an admin looked at identifiable data (what, of which record; ids and counts in detail)."""
    audit.record(tenant, actor, "identifiable.viewed", subject_type, subject_id, what=what, **detail)
