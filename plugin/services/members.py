"""A programme's members for HR: full names, search and filters a page at a time, bulk remove and role change.

Removing a member opts them out (as their own opt-out would), so "add everyone eligible" does not bring them
back; a CSV import that names them adds them again. A member who holds a place in a live or proposed pair
keeps it: their pair is ended or changed on the match review first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from ..errors import ValidationError
from ..models import HELD_PAIR, Employee, Pair, Participant, Programme, utcnow
from . import audit, paging
from .tenant import Tenant

ROLES = ("mentor", "mentee")
PER_PAGE = paging.PER_PAGE
MAX_BULK = 1000  # ids one bulk action may name (a page is 50; "select all" pages stay well below)


def full_name(employee: Employee) -> str:
    """The name people know someone by, with the family name (five Kavyas are five people): the HRIS's display
    name, else preferred or first name and last name, else the work email. The one rule for every HR page."""
    joined = " ".join(x for x in (employee.preferred_name or employee.first_name, employee.last_name) if x)
    return employee.display_name or joined or employee.work_email or f"#{employee.id}"


@dataclass(frozen=True)
class Filters:
    """What the participants page narrows to; every field empty means everyone."""

    role: str = ""
    country: str = ""
    department: str = ""
    text: str = ""

    @classmethod
    def parse(cls, args) -> Filters:
        role = (args.get("role") or "").strip()
        return cls(
            role=role if role in ROLES else "",
            country=(args.get("country") or "").strip().upper()[:8],
            department=(args.get("department") or "").strip()[:200],
            text=(args.get("q") or "").strip()[:200],
        )


def _filtered(programme_id: int, filters: Filters):
    stmt = (
        select(Participant, Employee)
        .join(Employee, Employee.id == Participant.employee_id)
        .where(Participant.programme_id == programme_id, Participant.opted_in.is_(True), Employee.active.is_(True))
    )
    if filters.role:
        stmt = stmt.where(Participant.role == filters.role)
    if filters.country:
        stmt = stmt.where(Employee.country == filters.country)
    if filters.department:
        stmt = stmt.where(Employee.department == filters.department)
    if filters.text:
        like = "%" + filters.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        columns = (
            Employee.first_name,
            Employee.last_name,
            Employee.preferred_name,
            Employee.display_name,
            Employee.work_email,
            Employee.department,
            Employee.job_title,
        )
        full = func.lower(func.coalesce(Employee.first_name, "") + " " + func.coalesce(Employee.last_name, ""))
        stmt = stmt.where(or_(full.like(like, escape="\\"), *(func.lower(c).like(like, escape="\\") for c in columns)))
    return stmt


def search(
    tenant: Tenant,
    programme_id: int,
    filters: Filters = Filters(),
    page: int = 1,  # noqa: B008 (frozen)
    per_page: int = PER_PAGE,
) -> paging.Page:
    """One page of the programme's members matching the filters, ordered by last then first name."""
    tenant.get(Programme, programme_id)
    stmt = _filtered(programme_id, filters)
    total = tenant.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    at = paging.window(total, page, per_page)
    ordered = stmt.order_by(Employee.last_name, Employee.first_name, Employee.id)
    rows = list(tenant.session.execute(ordered.limit(at.per_page).offset(at.offset)))
    return paging.Page([(p, e) for p, e in rows], at.total, at.page, at.pages, at.per_page)


def every(tenant: Tenant, programme_id: int, filters: Filters = Filters()) -> list[tuple[Participant, Employee]]:  # noqa: B008 (frozen)
    """Every member matching the filters (the CSV export), in the page's order."""
    stmt = _filtered(programme_id, filters).order_by(Employee.last_name, Employee.first_name, Employee.id)
    return [(p, e) for p, e in tenant.session.execute(stmt)]


def departments(tenant: Tenant, programme_id: int) -> list[str]:
    """The departments the programme's members are in, for the filter."""
    stmt = (
        select(Employee.department)
        .join(Participant, Participant.employee_id == Employee.id)
        .where(
            Participant.programme_id == programme_id, Participant.opted_in.is_(True), Employee.department.is_not(None)
        )
        .distinct()
        .order_by(Employee.department)
    )
    return [d for d in tenant.session.scalars(stmt) if d]


@dataclass
class BulkResult:
    """What a bulk action changed, and who it left alone and why."""

    changed: int = 0
    in_pairs: list[str] | None = None
    not_found: int = 0


def parse_ids(values: list[str]) -> list[int]:
    """The participant ids ticked on the page; anything else is refused before a row is touched."""
    if not values:
        raise ValidationError("Tick at least one participant first", errors={"ids": "none"})
    if len(values) > MAX_BULK:
        raise ValidationError(f"A bulk action takes at most {MAX_BULK} people", errors={"ids": "too many"})
    try:
        ids = {int(v) for v in values}
    except ValueError as exc:
        raise ValidationError("The selection is not a list of participants", errors={"ids": "not ids"}) from exc
    if any(not 0 < i < 2**31 for i in ids):
        raise ValidationError("The selection is not a list of participants", errors={"ids": "out of range"})
    return sorted(ids)


def _selected(tenant: Tenant, programme_id: int, ids: list[int]):
    tenant.get(Programme, programme_id)
    stmt = (
        select(Participant, Employee)
        .join(Employee, Employee.id == Participant.employee_id)
        .where(Participant.programme_id == programme_id, Participant.id.in_(ids), Participant.opted_in.is_(True))
    )
    rows = list(tenant.session.execute(stmt))
    paired = set(
        tenant.session.scalars(
            select(Pair.mentor_employee_id).where(Pair.programme_id == programme_id, Pair.status.in_(HELD_PAIR))
        )
    ) | set(
        tenant.session.scalars(
            select(Pair.mentee_employee_id).where(Pair.programme_id == programme_id, Pair.status.in_(HELD_PAIR))
        )
    )
    return rows, paired


def remove(tenant: Tenant, programme_id: int, participant_ids: list[int], actor: str) -> BulkResult:
    """Take members out of the programme (opted out); members with a proposed or running pair stay."""
    ids = participant_ids
    rows, paired = _selected(tenant, programme_id, ids)
    result = BulkResult(in_pairs=[], not_found=len(ids) - len(rows))
    for participant, employee in rows:
        if employee.id in paired:
            result.in_pairs.append(full_name(employee))
            continue
        participant.opted_in, participant.opted_out_at = False, utcnow()
        result.changed += 1
        audit.record(tenant, actor, "participant.removed", "participant", participant.id, programme_id=programme_id)
    tenant.session.flush()
    return result


def change_role(tenant: Tenant, programme_id: int, participant_ids: list[int], role: str, actor: str) -> BulkResult:
    """Make members mentors or executives; members with a proposed or running pair keep their role."""
    tenant.get(Programme, programme_id)
    if role not in ROLES:
        raise ValidationError("Choose mentor or executive as the new role", errors={"role": role})
    ids = participant_ids
    rows, paired = _selected(tenant, programme_id, ids)
    result = BulkResult(in_pairs=[], not_found=len(ids) - len(rows))
    for participant, employee in rows:
        if participant.role == role:
            continue
        if employee.id in paired:
            result.in_pairs.append(full_name(employee))
            continue
        before, participant.role = participant.role, role
        result.changed += 1
        audit.record(
            tenant,
            actor,
            "participant.role_changed",
            "participant",
            participant.id,
            programme_id=programme_id,
            before=before,
            after=role,
        )
    tenant.session.flush()
    return result
