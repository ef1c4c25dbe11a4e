"""The state of an emulated Moodle 4.3 site and the rules its web services enforce, as recorded live.

`MoodleSite.probe()` is the recorded probe site (users admin, student1, teacher1, learner2; courses 1-4;
groups A and B); `MoodleSite.blank()` is an empty site for demos and load tests. Errors are raised as
`WsError` carrying Moodle's exception class, errorcode, message and (with debugging on) debuginfo.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections import Counter
from pathlib import Path

from ..errors import FlipsideError

PROBE = Path(__file__).with_name("moodle_probe.json")
USERNAME = re.compile(r"^[a-z0-9_\-.@]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
INVALID = ("invalid_parameter_exception", "invalidparameter", "Invalid parameter value detected")
CAPABILITY_ROLES = {"moodle/course:manageactivities": {"editingteacher", "manager"}}
PASSWORD_RULES = (
    (lambda p: len(p) >= 8, "Passwords must be at least 8 characters long."),
    (lambda p: re.search(r"\d", p), "Passwords must have at least 1 digit(s)."),
    (lambda p: re.search(r"[a-z]", p), "Passwords must have at least 1 lower case letter(s)."),
    (lambda p: re.search(r"[A-Z]", p), "Passwords must have at least 1 upper case letter(s)."),
    (
        lambda p: re.search(r"[^A-Za-z0-9]", p),
        "The password must have at least 1 special character(s) such as *, -, or #.",
    ),
)


class WsError(FlipsideError):
    """A Moodle exception as the REST server reports it."""

    def __init__(self, exception: str, errorcode: str, message: str, debuginfo: str | None = None):
        super().__init__(message)
        self.exception, self.errorcode, self.debuginfo, self._text = exception, errorcode, debuginfo, message

    @property
    def message(self) -> str:
        return self._text  # exactly Moodle's words, even when empty


def invalid(debuginfo: str) -> WsError:
    """Moodle's generic validation failure; the reason only shows with debugging on."""
    return WsError(*INVALID, debuginfo=debuginfo)


class MoodleSite:
    """Users, courses, enrolments, groups, completion and tokens of one emulated site."""

    def __init__(self, seed: dict):
        seed = copy.deepcopy(seed)
        self.lock = threading.RLock()
        self.debug = False
        self.siteurl, self.theme_rev = seed["siteurl"], seed["theme_rev"]
        self.site_info, self.roles = seed["site_info"], dict(seed["roles"])
        self.users = {u["id"]: u for u in seed["users"]}
        self.courses = {c["id"]: c for c in seed["courses"]}
        self.manual = {int(k): v for k, v in seed["manual_instance"].items()}
        self.self_completion = set(seed["self_completion_courses"])
        self.manual_on_new_courses = True
        self.enrolments = {(c, u): {"roles": [r], "suspended": False} for c, u, r in seed["enrolments"]}
        self.course_access = {(u, c): t for u, c, t in seed["last_course_access"]}
        self.groups = {g["id"]: g for g in seed["groups"]}
        self.members = {tuple(m) for m in seed["members"]}
        self.services = seed["services"]
        self.tokens = {t: {"user": u, "service": s} for t, u, s in seed["tokens"]}
        self.completion: dict[tuple[int, int], dict] = {}
        self.modules: dict[int, dict] = {}  # cmid -> course module (activity) record
        self.module_done: dict[tuple[int, int], int] = {}  # (cmid, user id) -> time the activity was completed
        self.messages: list[dict] = []  # instant messages sent through core_message_send_instant_messages
        self.unreachable: set[int] = set()  # users whose message preferences refuse the web-service user
        self.calls: Counter = Counter()
        self.duplicates: Counter = Counter()
        self._last_id: dict[int, int] = {}
        self._index: dict = {}

    @classmethod
    def probe(cls) -> MoodleSite:
        """The recorded probe site."""
        return cls(json.loads(PROBE.read_text()))

    @classmethod
    def blank(
        cls, *, token: str, student_role: int = 5, teacher_role: int = 3, functions: tuple[str, ...] = ()
    ) -> MoodleSite:
        """A site with the admin, one onboarding course with a sample learner, a service holding `token`."""
        seed = json.loads(PROBE.read_text())
        learner = dict(seed["users"][1], id=3, username="sample.learner", email="sample.learner@example.com")
        onboarding = dict(
            seed["courses"][1], id=2, shortname="ONBOARD", fullname="Onboarding", displayname="Onboarding"
        )
        seed.update(
            users=[seed["users"][0], learner],
            courses=[seed["courses"][0], onboarding],
            enrolments=[[2, 3, student_role]],
            groups=[],
            members=[],
            last_course_access=[],
            roles={"editingteacher": teacher_role, "student": student_role},
            manual_instance={"1": True, "2": True},
            self_completion_courses=[2],
            tokens=[[token, 2, "probe_service"]],
        )
        service = seed["services"]["probe_service"]
        service["functions"] = sorted(set(service["functions"]) | set(functions))
        return cls(seed)

    def next_id(self, table: dict) -> int:
        """The next free id of a table, as a sequence hands them out (remembered: a max per insert is
        quadratic over a cohort's thousands of users)."""
        last = self._last_id.get(id(table))
        if last is None:
            last = max([k for k in table if isinstance(k, int)] or [0])
        last += 1
        while last in table:
            last += 1
        self._last_id[id(table)] = last
        return last

    def snapshot(self) -> tuple:
        """The rows a write function may change, to restore when it fails (Moodle's delegated
        transaction: one bad item in an array call stores nothing of the call)."""
        enrolments = {k: {**v, "roles": list(v["roles"])} for k, v in self.enrolments.items()}
        return dict(self.users), enrolments, dict(self.groups), set(self.members), dict(self._last_id)

    def restore(self, saved: tuple) -> None:
        for table, rows in zip((self.users, self.enrolments, self.groups, self.members), saved, strict=False):
            table.clear()
            table.update(rows)
        self._last_id, self._index = saved[4], {}

    # -- users -------------------------------------------------------------------------------------
    def user_by(self, field: str, value: str) -> dict | None:
        value = str(value).lower()
        if field in ("username", "email"):  # indexed: a cohort looks up thousands of users at once
            return self._indexed(field).get(value)
        for user in self.users.values():
            if str(user.get(field, "")).lower() == value:
                return user
        return None

    def _indexed(self, field: str) -> dict:
        size, index = self._index.get(field, (-1, {}))
        if size != len(self.users):
            index = {str(u.get(field, "")).lower(): u for u in self.users.values()}
            self._index[field] = (len(self.users), index)
        return index

    def create_user(self, spec: dict, index: int) -> dict:
        """Validate and store one user the way core_user_create_users does."""
        username = spec["username"]
        if self.user_by("username", username):
            self.duplicates["user"] += 1
            raise invalid(f"Username already exists: {username}")
        if not EMAIL.match(spec["email"]):
            raise invalid(f"Email address is invalid: {spec['email']}")
        if self.user_by("email", spec["email"]):
            self.duplicates["user"] += 1
            raise invalid(f"Email address already exists: {spec['email']}")
        auth = spec.get("auth", "manual")
        if auth == "manual" and not spec.get("createpassword") and "password" in spec:
            failures = [text for rule, text in PASSWORD_RULES if not rule(spec["password"])]
            if failures:
                html = "".join(f"<div>{text}</div>" for text in failures)
                raise WsError("moodle_exception", html, f"error/{html}")
        user = {
            "id": self.next_id(self.users),
            "username": username,
            "firstname": spec["firstname"],
            "lastname": spec["lastname"],
            "email": spec["email"],
            "department": spec.get("department", ""),
            "firstaccess": 0,
            "lastaccess": 0,
            "auth": auth,
            "suspended": False,
            "confirmed": True,
            "lang": spec.get("lang", "en"),
            "theme": "",
            "timezone": spec.get("timezone", "99"),
            "mailformat": 1,
            "password": spec.get("password", ""),
        }
        if spec.get("idnumber"):
            user["idnumber"] = spec["idnumber"]
        self.users[user["id"]] = user
        for field in ("username", "email"):
            if field in self._index and self._index[field][0] == len(self.users) - 1:
                self._index[field][1][str(user[field]).lower()] = user
                self._index[field] = (len(self.users), self._index[field][1])
        return user

    # -- messaging ---------------------------------------------------------------------------------
    @property
    def messaging(self) -> bool:
        """The site's "Enable messaging system" switch, as site info's advancedfeatures reports it."""
        return any(f["name"] == "messaging" and f["value"] for f in self.site_info["advancedfeatures"])

    def set_messaging(self, on: bool) -> None:
        for feature in self.site_info["advancedfeatures"]:
            if feature["name"] == "messaging":
                feature["value"] = int(on)

    def post_message(self, sender: int, user_id: int, text: str, textformat: int) -> dict:
        """Store one instant message; its conversation is the two users' one-to-one conversation."""
        conversation = 100 + min(sender, user_id) * 1000 + max(sender, user_id)
        message = {
            "id": len(self.messages) + 1,
            "useridfrom": sender,
            "useridto": user_id,
            "text": text,
            "textformat": textformat,
            "conversationid": conversation,
            "timecreated": int(time.time()),
        }
        self.messages.append(message)
        return message

    def inbox(self, user_id: int) -> list[dict]:
        """The messages a user received, oldest first (what they would read in Moodle's messaging drawer)."""
        return [m for m in self.messages if m["useridto"] == int(user_id)]

    # -- enrolments --------------------------------------------------------------------------------
    def enrol(self, course_id: int, user_id: int, role_id: int, suspend: bool) -> None:
        """enrol_manual_enrol_users for one row, with Moodle's order of checks."""
        if course_id not in self.courses:
            raise invalid("Context does not exist")
        if role_id not in self.roles.values():
            raise WsError(
                "moodle_exception",
                "wsusercannotassign",
                f"You don't have the permission to assign this role ({role_id}) to this user "
                f"({user_id}) in this course ({course_id}).",
            )
        if not self.manual.get(course_id):
            raise WsError(
                "moodle_exception",
                "wsnoinstance",
                "Manual enrolment plugin instance doesn't exist or is disabled for the course (id = {$a->courseid})",
            )
        if user_id not in self.users:
            raise WsError(
                "coding_exception",
                "codingerror",
                "Coding error detected, it must be fixed by a programmer: User ID does not exist or is deleted!",
            )
        row = self.enrolments.setdefault((course_id, user_id), {"roles": [], "suspended": suspend})
        if role_id in row["roles"] and row["suspended"] == suspend:
            self.duplicates["enrolment"] += 1
        elif role_id not in row["roles"]:
            row["roles"].append(role_id)
        row["suspended"] = suspend

    def enrolled(self, course_id: int, user_id: int, *, active: bool = False) -> bool:
        row = self.enrolments.get((course_id, user_id))
        return row is not None and not (active and row["suspended"])

    # -- groups ------------------------------------------------------------------------------------
    def create_group(self, spec: dict) -> dict:
        course_id = int(spec["courseid"])
        if course_id not in self.courses:
            raise invalid("Context does not exist")
        in_course = [g for g in self.groups.values() if g["courseid"] == course_id]
        if any(g["name"] == spec["name"] for g in in_course):
            self.duplicates["group"] += 1
            raise invalid("Group with the same name already exists in the course")
        if spec.get("idnumber") and any(g["idnumber"] == spec["idnumber"] for g in in_course):
            self.duplicates["group"] += 1
            raise WsError("moodle_exception", "idnumbertaken", "ID number is already used")
        group = {
            "id": self.next_id(self.groups),
            "courseid": course_id,
            "name": spec["name"],
            "description": spec.get("description", ""),
            "idnumber": spec.get("idnumber", ""),
        }
        self.groups[group["id"]] = group
        return group

    def add_member(self, group_id: int, user_id: int) -> None:
        group = self.groups.get(group_id)
        if group is None:
            raise WsError(
                "dml_missing_record_exception", "invalidrecord", "Can't find data record in database table groups."
            )
        if not self.enrolled(group["courseid"], user_id):
            raise invalid("Only enrolled users may be members of groups")
        if (group_id, user_id) in self.members:
            self.duplicates["membership"] += 1
        self.members.add((group_id, user_id))

    # -- completion --------------------------------------------------------------------------------
    def mark_self_completed(self, course_id: int, user_id: int) -> None:
        if not self.enrolled(course_id, user_id, active=True):
            raise WsError(
                "moodle_exception", "nottracked", "You are currently not being tracked by completion in this course"
            )
        row = self.completion.setdefault((course_id, user_id), {"done_at": None, "completed": False})
        if row["done_at"] is not None:
            raise WsError("moodle_exception", "useralreadymarkedcomplete", "completion/useralreadymarkedcomplete")
        row["done_at"] = int(time.time())

    def add_module(self, course_id: int, name: str, modname: str = "page", completion: int = 1) -> int:
        """An activity in the course's first section; completion 0 = not tracked, 1 = manual, 2 = automatic."""
        if course_id not in self.courses:
            raise WsError("dml_missing_record_exception", "invalidrecord", "Can't find data record in database.")
        cmid = max(self.modules or [1]) + 1  # cmid 2 is the probe's LTI activity, so ours start above it
        self.modules[cmid] = {
            "id": cmid,
            "course": course_id,
            "name": name,
            "modname": modname,
            "instance": cmid,
            "completion": completion,
        }
        return cmid

    def complete_module(self, cmid: int, user_id: int) -> None:
        """The learner completes the activity (as viewing or ticking it would)."""
        self.module_done[(cmid, user_id)] = int(time.time())

    def run_completion_cron(self, started: float | None = None) -> int:
        """The completion task: aggregates rows changed strictly before it started (same second: skipped)."""
        started = int(time.time() if started is None else started)
        done = 0
        for row in self.completion.values():
            if row["done_at"] is not None and not row["completed"] and row["done_at"] < started:
                row["completed"], done = True, done + 1
        return done
