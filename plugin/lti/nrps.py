"""Names and Role Provisioning Services 2.0: import a course roster and link LMS users to employees."""

from __future__ import annotations

from dataclasses import dataclass, field

import requests
from pylti1p3.names_roles import NamesRolesProvisioningService
from sqlalchemy import or_

from ..domain.roles import flipside_role
from ..models import Employee
from ..models.lti import LtiUserLink
from ..services.employees import find_by_email
from ..services.tenant import Tenant
from .identity import link_lms_user
from .service_connector import connector_for


@dataclass
class RosterImport:
    """What an import found: members seen, linked to employees, and LMS user ids nobody matched."""

    members: int = 0
    linked: int = 0
    roles: dict[str, str] = field(default_factory=dict)  # lms user id -> Flipside role
    unmatched: list[str] = field(default_factory=list)


def import_roster(
    tenant: Tenant,
    registration_id: int,
    context_memberships_url: str,
    *,
    http: requests.Session | None = None,
) -> RosterImport:
    """Read every page of the course membership (following Link rel=next untouched) and link each member to
    an employee of this organisation: existing link, then email, then lis_person_sourcedid."""
    service = NamesRolesProvisioningService(
        connector_for(registration_id, http), {"context_memberships_url": context_memberships_url}
    )
    result = RosterImport()
    for member in service.get_members():
        if member.get("status", "Active") != "Active":
            continue
        user_id = str(member["user_id"])
        result.members += 1
        role = flipside_role(member.get("roles") or [])
        if role:
            result.roles[user_id] = role
        employee_id = _match(tenant, registration_id, member)
        if employee_id is None:
            result.unmatched.append(user_id)
            continue
        link_lms_user(tenant, registration_id, user_id, employee_id, method="nrps")
        result.linked += 1
    tenant.session.commit()
    return result


def _match(tenant: Tenant, registration_id: int, member: dict) -> int | None:
    existing = tenant.session.scalar(
        tenant.select(
            LtiUserLink,
            LtiUserLink.registration_id == registration_id,
            LtiUserLink.lms_user_id == str(member["user_id"]),
            LtiUserLink.confirmed.is_(True),
        )
    )
    if existing and existing.employee_id:
        return existing.employee_id
    if member.get("email"):
        employee = find_by_email(tenant, member["email"])
        if employee:
            return employee.id
    sourcedid = member.get("lis_person_sourcedid")
    if sourcedid:
        rows = tenant.session.scalars(
            tenant.select(
                Employee,
                or_(Employee.employee_number == sourcedid, Employee.source_id == sourcedid),
                Employee.active.is_(True),
            )
        ).all()
        if len(rows) == 1:
            return rows[0].id
    return None
