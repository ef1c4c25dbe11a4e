"""Who may do what in one organisation: the LMS role's room, widened by grants an HR admin gave by hand.

HR admin: the whole organisation. Coordinator: only the programmes linked to the LMS course they launched
from, plus programmes granted to them, and those programmes' participants; a regional coordinator (a grant
of a region) only the pairs with a partner working in that region, in any programme, and nothing else of
those programmes. Participant: their own pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..domain.roles import COORDINATOR, HR_ADMIN, strongest
from ..errors import NotFound, ValidationError
from ..models import AccessGrant, Employee, Pair, Programme
from . import audit
from .tenant import Tenant

GRANTABLE = (HR_ADMIN, COORDINATOR)


@dataclass(frozen=True)
class Access:
    """What one signed-in person may reach now; `programme_ids` is None for the whole organisation;
    `regions` are the regions whose pairs a regional coordinator may see."""

    organisation_id: int
    role: str | None
    programme_ids: frozenset[int] | None
    regions: frozenset[str] = frozenset()

    def may_see_programme(self, programme_id: int) -> bool:
        return self.role == HR_ADMIN or (self.programme_ids is not None and programme_id in self.programme_ids)

    def may_see_pair(self, programme_id: int, partner_regions) -> bool:
        """A pair of a programme in reach, or with a partner in one of the granted regions."""
        return self.may_see_programme(programme_id) or (
            self.role == COORDINATOR and bool(self.regions & {r for r in partner_regions if r})
        )


def _email(value: str) -> str:
    email = (value or "").strip().lower()
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise ValidationError(
            "A grant needs the work email the person signs in to the LMS with", errors={"email": "not an email address"}
        )
    return email


def resolve(tenant: Tenant, lms_room: str | None, email: str, courses=()) -> Access:
    """The room and programmes for this person now: their LMS room and any grant for their email."""
    grants = tenant.all(AccessGrant, AccessGrant.email == (email or "").strip().lower()) if email else []
    role = strongest(lms_room, *(g.role for g in grants))
    if role == HR_ADMIN or role is None:
        return Access(tenant.organisation_id, role, None)
    programmes = {g.programme_id for g in grants if g.role == COORDINATOR and g.programme_id}
    regions = frozenset(g.region for g in grants if g.role == COORDINATOR and g.region)
    if lms_room == COORDINATOR and courses:
        programmes |= set(
            tenant.session.scalars(
                select(Programme.id).where(
                    Programme.organisation_id == tenant.organisation_id, Programme.lms_course_id.in_(list(courses))
                )
            )
        )
    if role != COORDINATOR:
        return Access(tenant.organisation_id, role, frozenset())
    return Access(tenant.organisation_id, role, frozenset(programmes), regions)


def regions(tenant: Tenant) -> list[str]:
    """The regions the organisation's employees work in (what a regional grant may name)."""
    found = tenant.session.scalars(
        select(Employee.region)
        .where(Employee.organisation_id == tenant.organisation_id, Employee.region.is_not(None))
        .distinct()
    )
    return sorted(r for r in found if r)


def pair_regions(tenant: Tenant, pair: Pair) -> set[str]:
    """The regions the two partners of a pair work in."""
    ids = (pair.mentor_employee_id, pair.mentee_employee_id)
    return {e.region for e in tenant.all(Employee, Employee.id.in_(ids)) if e.region}


def grant(
    tenant: Tenant, email: str, role: str, programme_id: int | None, actor: str, region: str | None = None
) -> AccessGrant:
    """Give HR admin (whole organisation) or coordinator (one programme, or one region's pairs) access;
    granting twice is one grant."""
    email = _email(email)
    if role not in GRANTABLE:
        raise ValidationError("Grant hr_admin or coordinator", errors={"role": role})
    programme_id, region = _scope(tenant, role, programme_id, region)
    existing = _find(tenant, email, role, programme_id, region)
    if existing:
        return existing
    row = tenant.add(
        AccessGrant(email=email, role=role, programme_id=programme_id, region=region, granted_by=actor[:120])
    )
    tenant.session.flush()
    audit.record(
        tenant, actor, "access.granted", "access_grant", row.id, role=role, programme_id=programme_id, region=region
    )
    return row


def _scope(tenant: Tenant, role: str, programme_id: int | None, region: str | None) -> tuple[int | None, str | None]:
    """A coordinator grant names exactly one programme of the organisation or one region its people work in."""
    if role != COORDINATOR:
        return None, None
    region = (region or "").strip() or None
    if bool(programme_id) == bool(region):
        raise ValidationError(
            "A coordinator grant names the programme or the region, not both", errors={"programme": "required"}
        )
    if programme_id:
        tenant.get(Programme, programme_id)
    elif region not in regions(tenant):
        raise ValidationError("Nobody in this organisation works in that region", errors={"region": region[:32]})
    return programme_id or None, region


def revoke(
    tenant: Tenant, email: str, role: str, programme_id: int | None, actor: str, region: str | None = None
) -> None:
    """Take a grant back; it stops working on the person's next request."""
    coordinator = role == COORDINATOR
    row = _find(
        tenant,
        _email(email),
        role,
        programme_id if coordinator else None,
        ((region or "").strip() or None) if coordinator else None,
    )
    if row is None:
        raise NotFound(f"No {role} grant for that email in this organisation")
    audit.record(
        tenant,
        actor,
        "access.revoked",
        "access_grant",
        row.id,
        role=role,
        programme_id=row.programme_id,
        region=row.region,
    )
    tenant.session.delete(row)
    tenant.session.flush()


def grants(tenant: Tenant) -> list[AccessGrant]:
    return sorted(tenant.all(AccessGrant), key=lambda g: (g.email, g.role, g.programme_id or 0, g.region or ""))


def _find(
    tenant: Tenant, email: str, role: str, programme_id: int | None, region: str | None = None
) -> AccessGrant | None:
    criteria = [AccessGrant.email == email, AccessGrant.role == role]
    criteria.append(
        AccessGrant.programme_id.is_(None) if programme_id is None else AccessGrant.programme_id == programme_id
    )
    criteria.append(AccessGrant.region.is_(None) if region is None else AccessGrant.region == region)
    return tenant.session.scalars(tenant.select(AccessGrant, *criteria)).first()
