"""Moodle's array forms: many users, enrolments, groups and memberships per web-service call.

Each write function (core_user_create_users, enrol_manual_enrol_users, core_group_create_groups,
core_group_add_group_members) runs inside one delegated transaction in Moodle: one bad item fails the
whole call with one error and stores nothing of it, so a caller isolates the bad item by splitting the
call (`split_failures`). Calls are cut so that a request stays under PHP's `max_input_vars` (Moodle asks
for 5000; every bracketed key is one variable).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from plugin.connectors.lms import LEARNER, LmsPerson, LmsUser
from plugin.errors import FatalError

MAX_FORM_VALUES = 4000  # under the 5000 max_input_vars Moodle's environment check asks for


def chunks(items: Sequence, fields: int) -> list[Sequence]:
    """Slices of `items` whose form keys (`fields` per item) fit one request."""
    size = max(1, MAX_FORM_VALUES // max(1, fields))
    return [items[i : i + size] for i in range(0, len(items), size)]


def split_failures(
    items: Sequence, write: Callable[[Sequence], object]
) -> tuple[list, list[tuple[object, FatalError]]]:
    """Write `items` in one call; when the vendor refuses the call, halve it until each refusal names one
    item. Returns (written items with their answers, [(refused item, its error)])."""
    try:
        answer = write(items)
    except FatalError as err:
        if len(items) == 1:
            return [], [(items[0], err)]
        half = len(items) // 2
        done_a, bad_a = split_failures(items[:half], write)
        done_b, bad_b = split_failures(items[half:], write)
        return done_a + done_b, bad_a + bad_b
    answers = answer if isinstance(answer, list) and len(answer) == len(items) else [None] * len(items)
    return list(zip(items, answers, strict=True)), []


class MoodleBatch:
    """Array-form calls of MoodleConnector (it supplies `call`, `role_id` and `user_auth`)."""

    def find_users_many(self, emails: list[str]) -> dict[str, LmsUser]:
        """Users by email, several requests' worth; Moodle drops misses, so results are keyed by email."""
        found: dict[str, LmsUser] = {}
        for part in chunks(emails, 1):
            found.update(self.find_users(list(part)))
        return found

    def create_users_many(self, people: Sequence[LmsPerson]) -> list[LmsUser]:
        """Create accounts in one call; Moodle answers [{id, username}] in request order."""
        specs = [self._user_spec(p) for p in people]
        created = self.call("core_user_create_users", users=specs)
        if not isinstance(created, list) or len(created) != len(specs):
            raise FatalError(f"Moodle answered core_user_create_users for {len(specs)} users with {str(created)[:200]}")
        return [LmsUser(str(c["id"]), p.email) for c, p in zip(created, people, strict=True)]

    def _user_spec(self, person: LmsPerson) -> dict:
        user = {
            "username": person.email.lower(),
            "firstname": person.first_name or "-",
            "lastname": person.last_name or "-",
            "email": person.email,
            "auth": self.user_auth,
            "idnumber": person.external_id,
        }
        if self.user_auth == "manual":
            user["createpassword"] = 1  # Moodle mails a generated password; we never hold one
        return user

    def enrol_many(self, course_id: str, user_ids: Sequence[str], role: str = LEARNER) -> None:
        """Enrol users through the manual plugin in one call (repeating an enrolment is harmless)."""
        role_id = self.role_id(course_id, role)
        self.call(
            "enrol_manual_enrol_users",
            enrolments=[{"roleid": role_id, "userid": uid, "courseid": course_id} for uid in user_ids],
        )

    def enrolled_ids(self, course_id: str) -> set[str]:
        """Ids of the users enrolled in the course (to reconcile an interrupted enrolment call)."""
        users = self.call(
            "core_enrol_get_enrolled_users", courseid=course_id, options=[{"name": "userfields", "value": "id"}]
        )
        return {str(u["id"]) for u in users or []}

    def create_groups_many(self, course_id: str, groups: Sequence[tuple[str, str]]) -> list[str]:
        """Create groups (idnumber, name) in one call; returns their ids in request order."""
        made = self.call(
            "core_group_create_groups",
            groups=[
                {"courseid": course_id, "name": name, "description": "Flipside pair", "idnumber": key}
                for key, name in groups
            ],
        )
        if not isinstance(made, list) or len(made) != len(groups):
            raise FatalError(
                f"Moodle answered core_group_create_groups for {len(groups)} groups with {str(made)[:200]}"
            )
        return [str(g["id"]) for g in made]

    def groups_by_idnumber(self, course_id: str) -> dict[str, str]:
        """The course's groups keyed by idnumber (to reconcile an interrupted group call)."""
        groups = self.call("core_group_get_course_groups", courseid=course_id) or []
        return {g["idnumber"]: str(g["id"]) for g in groups if g.get("idnumber")}

    def add_members_many(self, members: Sequence[tuple[str, str]]) -> None:
        """Add (group id, user id) memberships in one call (Moodle answers null, also for existing ones)."""
        self.call("core_group_add_group_members", members=[{"groupid": g, "userid": u} for g, u in members])

    def members_of(self, group_ids: Sequence[str]) -> set[tuple[str, str]]:
        """(group id, user id) memberships of the groups (to reconcile an interrupted membership call)."""
        out: set[tuple[str, str]] = set()
        for part in chunks(list(group_ids), 1):
            for group in self.call("core_group_get_group_members", groupids=list(part)) or []:
                out.update((str(group["groupid"]), str(u)) for u in group.get("userids", []))
        return out
