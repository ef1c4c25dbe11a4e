"""Who launched: the organisation (of those the deployment serves) and the HRIS employee behind an LMS user.

Matching order: an existing confirmed link, then work email, then lis.person_sourcedid (employee number or
HRIS id), then a manual link an HR admin confirms. Each organisation only ever sees its own rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import Employee
from ..models.lti import LtiDeployment, LtiDeploymentOrganisation, LtiRegistration, LtiUserLink
from ..services.employees import find_by_email
from ..services.tenant import Tenant
from .cache import TtlCache

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


@dataclass(frozen=True)
class LaunchIdentity:
    """The outcome of matching: an employee in one organisation, or why none was found."""

    organisation_ids: tuple[int, ...]
    organisation_id: int | None = None
    employee_id: int | None = None
    method: str = ""
    tried: tuple[str, ...] = ()


def deployment_organisations(
    session: Session, registration_id: int, deployment_id: str, cache: TtlCache | None = None
) -> tuple[int, ...]:
    """The organisations a deployment serves, in a stable order."""
    if cache is not None:
        return cache.get(
            ("orgs", registration_id, deployment_id),
            lambda: deployment_organisations(session, registration_id, deployment_id),
        )
    rows = session.scalars(
        select(LtiDeploymentOrganisation.organisation_id)
        .join(LtiDeployment, LtiDeployment.id == LtiDeploymentOrganisation.deployment_pk)
        .where(LtiDeployment.registration_id == registration_id, LtiDeployment.deployment_id == deployment_id)
        .order_by(LtiDeploymentOrganisation.organisation_id)
        .execution_options(all_tenants=True)  # which organisations a launch may be for: the tenant is not known yet
    )
    return tuple(rows)


def identify(session: Session, registration_id: int, claims: dict, cache: TtlCache | None = None) -> LaunchIdentity:
    """Match the launching user to an employee of one of the deployment's organisations."""
    orgs = deployment_organisations(session, registration_id, claims.get(CLAIM + "deployment_id", ""), cache)
    sub = claims.get("sub", "")
    known = _confirmed_link(session, registration_id, sub, orgs, cache)
    if known:
        return LaunchIdentity(orgs, known[0], known[1], "link")
    tried = []
    email = (claims.get("email") or "").strip().lower()
    if email:
        tried.append("email")
        hits = [(o, e) for o in orgs if (e := find_by_email(Tenant(session, o), email))]
        if len(hits) == 1:
            return _remember(session, registration_id, claims, orgs, hits[0][0], hits[0][1].id, "email")
    sourcedid = ((claims.get(CLAIM + "lis") or {}).get("person_sourcedid") or "").strip()
    if sourcedid:
        tried.append("lis.person_sourcedid")
        hits = [
            (o, e)
            for o in orgs
            for e in Tenant(session, o).all(
                Employee,
                or_(Employee.employee_number == sourcedid, Employee.source_id == sourcedid),
                Employee.active.is_(True),
            )
        ]
        if len(hits) == 1:
            return _remember(session, registration_id, claims, orgs, hits[0][0], hits[0][1].id, "sourcedid")
    _record_pending(session, registration_id, claims, orgs)
    return LaunchIdentity(orgs, orgs[0] if len(orgs) == 1 else None, None, "", tuple(tried))


def _confirmed_link(session, registration_id, sub, orgs, cache) -> tuple[int, int] | None:
    """(organisation_id, employee_id) of a confirmed link; cached briefly, as links change rarely (an HR admin
    relinking someone is seen by other processes within the cache's TTL)."""

    def load():
        row = session.execute(
            select(LtiUserLink.organisation_id, LtiUserLink.employee_id)
            .where(
                LtiUserLink.registration_id == registration_id,
                LtiUserLink.lms_user_id == sub,
                LtiUserLink.organisation_id.in_(orgs),
                LtiUserLink.employee_id.is_not(None),
                LtiUserLink.confirmed.is_(True),
            )
            .execution_options(all_tenants=True)  # among the deployment's organisations (`orgs`)
        ).first()
        return tuple(row) if row else None

    return cache.get(("link", registration_id, sub, orgs), load) if cache is not None else load()


def _remember(session, registration_id, claims, orgs, org_id, employee_id, method) -> LaunchIdentity:
    link = _link_row(session, org_id, registration_id, claims["sub"])
    link.employee_id, link.method, link.confirmed = employee_id, method, True
    link.lms_name = (claims.get("name") or "")[:240]
    session.commit()
    return LaunchIdentity(orgs, org_id, employee_id, method)


def _record_pending(session, registration_id, claims, orgs) -> None:
    """Leave an unmatched user where the HR admin can link them by hand (only when the org is unambiguous)."""
    if len(orgs) == 1:
        link = _link_row(session, orgs[0], registration_id, claims["sub"])
        link.lms_name = (claims.get("name") or claims.get("email") or "")[:240]
        link.method = "manual"
        session.commit()


def _link_row(session, org_id, registration_id, sub) -> LtiUserLink:
    link = session.scalar(
        select(LtiUserLink).where(
            LtiUserLink.registration_id == registration_id,
            LtiUserLink.lms_user_id == sub,
        ),
        execution_options={"organisation_id": org_id},
    )
    if link is None:
        link = LtiUserLink(
            organisation_id=org_id,
            registration_id=registration_id,
            lms_user_id=sub,
            confirmed=False,
            method="manual",
            lms_name="",
        )
        session.add(link)
    return link


def pending_links(tenant: Tenant) -> list[LtiUserLink]:
    """LMS users of this organisation still waiting for an HR admin to pick their employee."""
    return tenant.all(LtiUserLink, LtiUserLink.confirmed.is_(False))


def confirm_link(tenant: Tenant, link_id: int, employee_id: int) -> LtiUserLink:
    """An HR admin links an LMS user to one of the organisation's employees by hand."""
    link = tenant.get(LtiUserLink, link_id)
    employee = tenant.get(Employee, employee_id)
    link.employee_id, link.method, link.confirmed = employee.id, "manual", True
    tenant.session.commit()
    return link


def link_lms_user(
    tenant: Tenant, registration_id: int, lms_user_id: str, employee_id: int, method: str = "nrps"
) -> LtiUserLink:
    """Record (or update) the link of an LMS user id to an employee of this organisation."""
    if tenant.session.get(LtiRegistration, registration_id) is None:
        raise NotFound(f"No LTI registration {registration_id}")
    link = _link_row(tenant.session, tenant.organisation_id, registration_id, lms_user_id)
    link.employee_id, link.method, link.confirmed = employee_id, method, True
    return link
