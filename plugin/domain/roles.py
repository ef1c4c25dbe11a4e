"""LTI roles to Flipside roles: a pure function of the roles claim."""

from __future__ import annotations

HR_ADMIN = "hr_admin"
PARTICIPANT = "participant"

ADMIN_ROLES = {"Administrator", "Instructor"}
LEARNER_ROLES = {"Learner"}


def _short(role: str) -> str:
    """'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor' -> 'Instructor'. NRPS may send short
    names already; a sub-role ('membership/Instructor#TeachingAssistant') is its own
    name, not its principal."""
    return role.rsplit("#", 1)[-1] if "#" in role else role.rsplit("/", 1)[-1]


def flipside_role(lti_roles: list[str]) -> str | None:
    """Administrator or Instructor (context, institution or system) -> HR admin; Learner -> participant;
    anything else (observer, guest, mentor) -> None. The most powerful matching role wins."""
    names = {_short(r) for r in lti_roles or [] if isinstance(r, str)}
    if names & ADMIN_ROLES:
        return HR_ADMIN
    if names & LEARNER_ROLES:
        return PARTICIPANT
    return None
