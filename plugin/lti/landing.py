"""After a valid resource-link launch: role, organisation, employee, locale -> the signed-in Flipside user."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..domain.roles import COORDINATOR, HR_ADMIN, flipside_role
from ..errors import Forbidden
from ..services.access import resolve
from ..services.tenant import Tenant
from .identity import CLAIM, deployment_organisations, identify
from .rejection import LaunchRejected

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
WANTED_SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)


class NoEmployeeMatch(Forbidden):
    """The LMS user could not be matched to an employee of the organisation."""

    code = "no_employee_match"

    def __init__(self, tried: tuple[str, ...], pending: bool):
        how = " and ".join(tried) or "no email or person id was sent by the LMS"
        super().__init__(f"Flipside found no employee record for your LMS account (tried: {how}).")
        self.hint = (
            "Ask your HR admin to link your LMS account to your employee record in Flipside"
            + (" - your account is waiting on their list." if pending else ".")
            + " The LMS must also share your email address with Flipside (privacy setting)."
        )


@dataclass(frozen=True)
class SignedInUser:
    """What the cookie session holds after a launch: ids, the LMS room and the course, never the token.
    The room actually used is worked out again on each request (plugin/web/access.py), with grants."""

    organisation_id: int
    employee_id: int | None
    role: str
    registration_id: int
    launch_id: str
    locale: str | None
    missing_scopes: tuple[str, ...] = ()
    lms_role: str | None = None
    email: str = ""
    courses: tuple[str, ...] = ()

    def as_session(self) -> dict:
        return dict(self.__dict__)


def missing_scopes(claims: dict) -> tuple[str, ...]:
    """Scopes Flipside asked for but this launch does not offer (an admin may have trimmed them)."""
    granted = set((claims.get(AGS) or {}).get("scope") or [])
    if claims.get(NRPS):
        granted.add(WANTED_SCOPES[2])
    return tuple(s for s in WANTED_SCOPES if s not in granted)


def courses_of(claims: dict) -> tuple[str, ...]:
    """The LMS course of the launch: the LTI context id, and Canvas's REST course id when it is sent."""
    ids = {
        str((claims.get(CLAIM + "context") or {}).get("id") or ""),
        str((claims.get(CLAIM + "custom") or {}).get("canvas_course_id") or ""),
    }
    return tuple(sorted(ids - {""}))


def _room(session: Session, orgs: tuple[int, ...], lms_room: str | None, email: str, courses) -> str | None:
    """The LMS room, or a grant when the LMS role opens none; decided before anything is written."""
    if lms_room is not None or not email or len(orgs) != 1:
        return lms_room
    return resolve(Tenant(session, orgs[0]), None, email, courses).role


def sign_in(session: Session, registration_id: int, launch_id: str, claims: dict, cache=None) -> SignedInUser:
    """Map roles, find the organisation and employee, and pick the UI language from the launch."""
    lms_room = flipside_role(claims.get(CLAIM + "roles") or [])
    email = (claims.get("email") or "").strip().lower() if isinstance(claims.get("email"), str) else ""
    courses = courses_of(claims)
    orgs = deployment_organisations(session, registration_id, claims.get(CLAIM + "deployment_id", ""), cache)
    role = _room(session, orgs, lms_room, email, courses)
    if role is None:
        raise LaunchRejected("role_not_supported")
    who = identify(session, registration_id, claims, cache)
    if not who.organisation_ids:
        raise LaunchRejected("deployment_not_assigned")
    staff = role in (HR_ADMIN, COORDINATOR)
    if who.employee_id is None and not (staff and who.organisation_id):
        raise NoEmployeeMatch(who.tried, pending=who.organisation_id is not None)
    locale = (claims.get(CLAIM + "launch_presentation") or {}).get("locale")  # None: HRIS, then browser
    return SignedInUser(
        who.organisation_id,
        who.employee_id,
        role,
        registration_id,
        launch_id,
        locale,
        missing_scopes(claims) if role == HR_ADMIN else (),
        lms_room,
        email,
        courses,
    )
