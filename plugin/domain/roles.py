"""LTI roles to Flipside's three rooms: a pure function of the roles claim.

LTI 1.3 Core A.2 defines three LIS vocabularies: context (membership) roles, institution roles and system
roles. Role URIs are compared in full against them, never by suffix: `http://evil.test/x#Administrator` is
nobody. Context roles may also arrive as simple names (`Instructor`; LTI 1.3 Core A.2.3.1 lets tools accept
them), and a simple name is only ever a context role.
"""

from __future__ import annotations

HR_ADMIN = "hr_admin"
COORDINATOR = "coordinator"
PARTICIPANT = "participant"
ROOMS = (HR_ADMIN, COORDINATOR, PARTICIPANT)  # most powerful first

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
CONTEXT = LIS + "membership#"
INSTITUTION = LIS + "institution/person#"
SYSTEM = LIS + "system/person#"

CONTEXT_ROLES = ("Administrator", "ContentDeveloper", "Instructor", "Learner", "Mentor", "Manager", "Member", "Officer")
INSTITUTION_ROLES = (
    "Administrator",
    "Faculty",
    "Guest",
    "None",
    "Other",
    "Staff",
    "Student",
    "Alumni",
    "Instructor",
    "Learner",
    "Member",
    "Mentor",
    "Observer",
    "ProspectiveStudent",
)
SYSTEM_ROLES = ("Administrator", "None", "AccountAdmin", "Creator", "SysAdmin", "SysSupport", "User", "TestUser")

# The only roles that open a room; every other role (LIS or not) gives no privilege.
ROOM_OF = {
    INSTITUTION + "Administrator": HR_ADMIN,
    SYSTEM + "Administrator": HR_ADMIN,
    CONTEXT + "Administrator": COORDINATOR,
    CONTEXT + "Instructor": COORDINATOR,
    CONTEXT + "Learner": PARTICIPANT,
}


def full_uri(role: str) -> str:
    """A simple name is a context role (LTI 1.3 Core A.2.3.1); anything else is taken as written."""
    return CONTEXT + role if role in CONTEXT_ROLES else role


def flipside_role(lti_roles: list[str]) -> str | None:
    """The most powerful room any of the roles opens, or None (observer, guest, mentor, foreign roles)."""
    rooms = {ROOM_OF.get(full_uri(r)) for r in lti_roles or [] if isinstance(r, str)}
    return next((room for room in ROOMS if room in rooms), None)


def strongest(*rooms: str | None) -> str | None:
    """The most powerful of several rooms (an LMS role and a grant)."""
    return next((room for room in ROOMS if room in rooms), None)
