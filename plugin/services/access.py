"""Who may do what in one organisation: the LMS role's room, widened by grants an HR admin gave by hand.

HR admin: the whole organisation. Coordinator: only the programmes linked to the LMS course they launched
from, plus programmes granted to them, and those programmes' participants. Participant: their own pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..domain.roles import COORDINATOR, HR_ADMIN, strongest
from ..errors import NotFound, ValidationError
from ..models import AccessGrant, Programme
from . import audit
from .tenant import Tenant

GRANTABLE = (HR_ADMIN, COORDINATOR)


@dataclass(frozen=True)
class Access:
    """What one signed-in person may reach now; `programme_ids` is None for the whole organisation."""

    organisation_id: int
    role: str | None
    programme_ids: frozenset[int] | None

    def may_see_programme(self, programme_id: int) -> bool:
        return self.role == HR_ADMIN or (self.programme_ids is not None and programme_id in self.programme_ids)


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
    if lms_room == COORDINATOR and courses:
        programmes |= set(
            tenant.session.scalars(
                select(Programme.id).where(
                    Programme.organisation_id == tenant.organisation_id, Programme.lms_course_id.in_(list(courses))
                )
            )
        )
    return Access(tenant.organisation_id, role, frozenset(programmes) if role == COORDINATOR else frozenset())


def grant(tenant: Tenant, email: str, role: str, programme_id: int | None, actor: str) -> AccessGrant:
    """Give HR admin (whole organisation) or coordinator (one programme) access; granting twice is one grant."""
    email = _email(email)
    if role not in GRANTABLE:
        raise ValidationError("Grant hr_admin or coordinator", errors={"role": role})
    if role == COORDINATOR:
        if not programme_id:
            raise ValidationError("A coordinator grant names the programme", errors={"programme": "required"})
        tenant.get(Programme, programme_id)
    else:
        programme_id = None
    existing = _find(tenant, email, role, programme_id)
    if existing:
        return existing
    row = tenant.add(AccessGrant(email=email, role=role, programme_id=programme_id, granted_by=actor[:120]))
    tenant.session.flush()
    audit.record(tenant, actor, "access.granted", "access_grant", row.id, role=role, programme_id=programme_id)
    return row


def revoke(tenant: Tenant, email: str, role: str, programme_id: int | None, actor: str) -> None:
    """Take a grant back; it stops working on the person's next request."""
    row = _find(tenant, _email(email), role, programme_id if role == COORDINATOR else None)
    if row is None:
        raise NotFound(f"No {role} grant for that email in this organisation")
    audit.record(tenant, actor, "access.revoked", "access_grant", row.id, role=role, programme_id=row.programme_id)
    tenant.session.delete(row)
    tenant.session.flush()


def grants(tenant: Tenant) -> list[AccessGrant]:
    return sorted(tenant.all(AccessGrant), key=lambda g: (g.email, g.role, g.programme_id or 0))


def _find(tenant: Tenant, email: str, role: str, programme_id: int | None) -> AccessGrant | None:
    criteria = [AccessGrant.email == email, AccessGrant.role == role]
    criteria.append(
        AccessGrant.programme_id.is_(None) if programme_id is None else AccessGrant.programme_id == programme_id
    )
    return tenant.session.scalars(tenant.select(AccessGrant, *criteria)).first()
