"""The role table: every LIS context, institution and system role, simple names, and foreign vocabularies."""

import pytest

from plugin.domain.roles import (
    CONTEXT,
    CONTEXT_ROLES,
    COORDINATOR,
    HR_ADMIN,
    INSTITUTION,
    INSTITUTION_ROLES,
    PARTICIPANT,
    SYSTEM,
    SYSTEM_ROLES,
    flipside_role,
)

EXPECTED = {
    INSTITUTION + "Administrator": HR_ADMIN,
    SYSTEM + "Administrator": HR_ADMIN,
    CONTEXT + "Administrator": COORDINATOR,
    CONTEXT + "Instructor": COORDINATOR,
    CONTEXT + "Learner": PARTICIPANT,
}
EVERY_LIS_ROLE = (
    [CONTEXT + r for r in CONTEXT_ROLES]
    + [INSTITUTION + r for r in INSTITUTION_ROLES]
    + [SYSTEM + r for r in SYSTEM_ROLES]
)


@pytest.mark.parametrize("role", EVERY_LIS_ROLE)
def test_every_lis_role_opens_exactly_its_room(role):
    assert flipside_role([role]) == EXPECTED.get(role)


def test_the_table_covers_all_three_vocabularies():
    assert len(EVERY_LIS_ROLE) == len(set(EVERY_LIS_ROLE)) == 30
    assert set(EXPECTED) <= set(EVERY_LIS_ROLE)


@pytest.mark.parametrize(
    "role",
    [
        "http://evil.test/x#Administrator",
        "https://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",  # https is another URI
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#Administrator",  # a sub-role, not a principal
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
        "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator ",
        "urn:lti:instrole:ims/lis/Administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/person#Administrator",
        "Administrator#Administrator",
        "x/Instructor",
        "",
    ],
)
def test_foreign_or_near_miss_roles_give_nothing(role):
    assert flipside_role([role]) is None


def test_simple_names_are_context_roles_only():
    assert flipside_role(["Instructor"]) == COORDINATOR
    assert flipside_role(["Administrator"]) == COORDINATOR  # a course administrator, not the institution's
    assert flipside_role(["Learner"]) == PARTICIPANT
    assert flipside_role(["Mentor", "Observer", "Guest"]) is None


def test_the_most_powerful_room_wins_and_junk_is_ignored():
    moodle_site_admin = [INSTITUTION + "Administrator", CONTEXT + "Instructor", SYSTEM + "Administrator"]
    assert flipside_role(moodle_site_admin) == HR_ADMIN
    assert flipside_role([CONTEXT + "Learner", CONTEXT + "Instructor"]) == COORDINATOR
    assert flipside_role([None, 7, {"role": "x"}, CONTEXT + "Learner"]) == PARTICIPANT
    assert flipside_role(None) is None
