"""Names and Role Provisioning Services 2.0: import a course roster and link LMS users to employees.

Every page is read before anything is written, so a broken answer (a 401, a page that is not JSON, a next
link that loops) leaves the stored links and the last import's list untouched; only the reason is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import requests
from pylti1p3.names_roles import NamesRolesProvisioningService
from sqlalchemy import or_

from ..domain.roles import flipside_role
from ..errors import FatalError, FlipsideError
from ..models import Employee, utcnow
from ..models.lti import CourseRoster, LtiUserLink
from ..services import course_rosters
from ..services.employees import find_by_email
from ..services.tenant import Tenant
from .identity import link_lms_user
from .service_connector import connector_for

MAX_PAGES = 200  # 200 pages of Moodle's 100 or Canvas's 50 members: far beyond any real course
# why a member could not be linked (shown to HR in words, plugin/web/templates/admin/_roster.html)
NO_USER_ID, NOT_SENT, NO_EMPLOYEE, AMBIGUOUS = "no_user_id", "not_sent", "no_employee", "ambiguous"


class RosterAnswerError(FatalError):
    """The LMS's membership answer cannot be read as NRPS (stored as the import's reason)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass
class RosterImport:
    """What an import found: members seen, linked to employees, and LMS user ids nobody matched."""

    members: int = 0
    linked: int = 0
    roles: dict[str, str] = field(default_factory=dict)  # lms user id -> Flipside role
    unmatched: list[str] = field(default_factory=list)
    unlinked: list[dict] = field(default_factory=list)  # {"user_id", "name", "reason"}


def read_members(service: NamesRolesProvisioningService, first_url: str) -> list[dict]:
    """Every page of the membership, following rel=next untouched; a loop or an endless chain is refused."""
    members, seen, url = [], set(), first_url
    while url:
        if url in seen:
            raise RosterAnswerError("page_loop", f"the LMS's next page link goes back to a page already read ({url})")
        if len(seen) >= MAX_PAGES:
            raise RosterAnswerError("too_many_pages", f"the LMS sent more than {MAX_PAGES} pages of members")
        seen.add(url)
        try:
            answer = service.get_nrps_data(members_url=url)
        except (ValueError, KeyError) as exc:  # requests' JSONDecodeError is a ValueError
            raise RosterAnswerError("bad_answer", f"a membership page is not JSON ({exc})") from exc
        page = (answer.get("body") or {}) if isinstance(answer.get("body"), dict) else None
        if page is None or not isinstance(page.get("members", []), list):
            raise RosterAnswerError("bad_answer", "a membership page has no list of members")
        members.extend(m for m in page.get("members", []) if isinstance(m, dict))
        url = answer.get("next_page_url")
    return members


def import_roster(
    tenant: Tenant,
    registration_id: int,
    context_memberships_url: str,
    *,
    http: requests.Session | None = None,
) -> RosterImport:
    """Read every page of the course membership and link each active member to an employee of this
    organisation: existing link, then email, then lis_person_sourcedid; commits the links."""
    service = NamesRolesProvisioningService(
        connector_for(registration_id, http), {"context_memberships_url": context_memberships_url}
    )
    result = RosterImport()
    for member in read_members(service, context_memberships_url):
        if member.get("status", "Active") != "Active":
            continue
        result.members += 1
        user_id = str(member.get("user_id") or "").strip()
        if not user_id:
            result.unlinked.append(_unlinked(member, "", NO_USER_ID))
            continue
        role = flipside_role(member.get("roles") or [])
        if role:
            result.roles[user_id] = role
        employee_id, reason = _match(tenant, registration_id, member)
        if employee_id is None:
            result.unmatched.append(user_id)
            result.unlinked.append(_unlinked(member, user_id, reason))
            continue
        link_lms_user(tenant, registration_id, user_id, employee_id, method="nrps")
        result.linked += 1
    tenant.session.commit()
    return result


def remember(tenant: Tenant, registration_id: int, claims: dict) -> CourseRoster | None:
    """From a launch, note the course's membership URL (NRPS claim); None when the launch offers none."""
    url = (claims.get("https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice") or {}).get(
        "context_memberships_url"
    )
    context = claims.get("https://purl.imsglobal.org/spec/lti/claim/context") or {}
    if not isinstance(url, str) or not url.startswith("http") or not context.get("id"):
        return None
    row = tenant.session.scalar(
        tenant.select(
            CourseRoster,
            CourseRoster.registration_id == registration_id,
            CourseRoster.context_id == str(context["id"])[:255],
        )
    )
    if row is None:
        row = tenant.add(
            CourseRoster(
                registration_id=registration_id,
                context_id=str(context["id"])[:255],
                memberships_url=url[:1000],
                unlinked=[],
            )
        )
    row.memberships_url = url[:1000]
    row.title = str(context.get("title") or context.get("label") or "")[:255]
    return row


def run_import(tenant: Tenant, roster_id: int, *, http: requests.Session | None = None) -> RosterImport:
    """Import one stored course roster and store what it found; on failure store why and raise."""
    row = tenant.get(CourseRoster, roster_id)
    registration_id, url = row.registration_id, row.memberships_url
    try:
        result = import_roster(tenant, registration_id, url, http=http)
    except (FlipsideError, requests.RequestException) as exc:
        tenant.session.rollback()
        row = tenant.get(CourseRoster, roster_id)
        row.status, row.tried_at = "failed", utcnow()
        reason = _reason(exc)
        row.error = f"{reason}: {exc}"[:2000]
        tenant.session.commit()
        raise
    row = tenant.get(CourseRoster, roster_id)
    row.status, row.error, row.tried_at = "ok", "", utcnow()
    row.imported_at = row.tried_at
    row.members, row.linked, row.unlinked = result.members, result.linked, result.unlinked
    tenant.session.commit()
    return result


def _reason(exc: Exception) -> str:
    """A stored reason an HR admin can act on: refused (credentials, scope), unreachable, or the answer's."""
    status = getattr(exc, "http_status", None)
    if status in (401, 403):
        return "refused"
    if status is not None and status != 404 and (status == 429 or status >= 500):
        return "unreachable"
    if status == 404:
        return "not_found"
    return getattr(exc, "reason", None) or ("unreachable" if isinstance(exc, requests.RequestException) else "failed")


def _unlinked(member: dict, user_id: str, reason: str) -> dict:
    name = member.get("name") or " ".join(str(member.get(k) or "") for k in ("given_name", "family_name"))
    return {"user_id": user_id[:255], "name": str(name).strip()[:240], "reason": reason}


def _match(tenant: Tenant, registration_id: int, member: dict) -> tuple[int | None, str]:
    """The employee of this member, or None and why not."""
    existing = tenant.session.scalar(
        tenant.select(
            LtiUserLink,
            LtiUserLink.registration_id == registration_id,
            LtiUserLink.lms_user_id == str(member["user_id"]),
            LtiUserLink.confirmed.is_(True),
        )
    )
    if existing and existing.employee_id:
        return existing.employee_id, ""
    email = member.get("email") if isinstance(member.get("email"), str) else ""
    sourcedid = member.get("lis_person_sourcedid") if isinstance(member.get("lis_person_sourcedid"), str) else ""
    if not email and not sourcedid:
        return None, NOT_SENT
    if email:
        employee = find_by_email(tenant, email)
        if employee:
            return employee.id, ""
    reason = (
        AMBIGUOUS
        if email and tenant.count(Employee, Employee.work_email == email.strip().lower(), Employee.active.is_(True)) > 1
        else NO_EMPLOYEE
    )
    if sourcedid:
        rows = tenant.session.scalars(
            tenant.select(
                Employee,
                or_(Employee.employee_number == sourcedid, Employee.source_id == sourcedid),
                Employee.active.is_(True),
            )
        ).all()
        if len(rows) == 1:
            return rows[0].id, ""
        reason = AMBIGUOUS if len(rows) > 1 else reason
    return None, reason


def install() -> None:
    """Roster jobs read course memberships through NRPS (services name the importer, lti provides it)."""
    course_rosters.IMPORTER["run"] = run_import
