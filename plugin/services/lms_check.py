"""`flipside connect test` and the Test button for an LMS: what Flipside needs of Moodle or Canvas, in words
an LMS admin can act on. Every probe reads or is refused; none writes anything to the LMS."""

from __future__ import annotations

from flask_babel import gettext

from ..config import Settings
from ..connectors.canvas import CanvasConnector
from ..connectors.moodle import MoodleConnector, MoodleError
from ..domain.language import N_
from ..errors import IntegrationError, NeedsReconnect
from ..models import Connection, Programme
from ..vault import Vault
from . import connection_settings, lms
from .connection_check import Check
from .tenant import Tenant

# Moodle web-service functions Flipside calls, and what breaks without each (Site administration > Server >
# Web services > External services > the service's Functions).
MOODLE_FUNCTIONS = {
    "core_webservice_get_site_info": N_("check the token and list the service's functions"),
    "core_user_get_users_by_field": N_("find participants' existing accounts by email"),
    "core_user_create_users": N_("create accounts for participants who have none"),
    "enrol_manual_enrol_users": N_("enrol pairs in the programme's course"),
    "core_enrol_get_enrolled_users": N_("discover this site's student and teacher role ids"),
    "core_group_create_groups": N_("create one group per pair"),
    "core_group_get_course_groups": N_("find a pair's group again after an interrupted enrolment"),
    "core_group_add_group_members": N_("put both partners in their group"),
    "core_course_get_courses": N_("list the courses a programme can use"),
    "core_completion_get_course_completion_status": N_("read course completion back"),
}
MOODLE_OPTIONAL = {"core_message_send_instant_messages": N_("send participants Moodle messages")}
# Canvas developer-key scopes, each probed on object 0 (a granted scope answers 404, a missing one 401).
CANVAS_SCOPES = (
    ("GET", "/api/v1/accounts/{account}/users", N_("find participants' accounts")),
    ("POST", "/api/v1/accounts/0/users", N_("create accounts for participants who have none")),
    ("POST", "/api/v1/courses/0/enrollments", N_("enrol pairs in the programme's course")),
    ("DELETE", "/api/v1/courses/0/enrollments/0", N_("end the enrolment of someone who left")),
    ("GET", "/api/v1/courses/0/group_categories", N_("find the programme's group set")),
    ("POST", "/api/v1/courses/0/group_categories", N_("create the programme's group set")),
    ("GET", "/api/v1/group_categories/0/groups", N_("find a pair's group")),
    ("POST", "/api/v1/group_categories/0/groups", N_("create one group per pair")),
    ("POST", "/api/v1/groups/0/memberships", N_("put both partners in their group")),
    ("GET", "/api/v1/courses/0/users/0/progress", N_("read course progress back")),
)
# optional: without it participants get their messages by email only. A granted scope answers 400 to a
# conversation with no recipients (nothing is sent), a missing one 401.
CANVAS_OPTIONAL = (("POST", "/api/v1/conversations", N_("send participants Canvas messages")),)


def check_lms(
    tenant: Tenant, settings: Settings, vault: Vault, conn: Connection, course_ids: list[str] | None = None
) -> list[Check]:
    """Each needed function or scope, the enrolment method of each course in use, and a sample read."""
    courses = course_ids if course_ids is not None else courses_in_use(tenant, conn.id)
    try:
        connector = lms.open_connector(settings, vault, conn)
        if isinstance(connector, MoodleConnector):
            checks = _moodle(connector, courses)
        else:
            checks = _canvas(connector, connection_settings.lms(conn).account_id)
    except NeedsReconnect as err:
        return [Check(gettext("authentication"), False, _advice(err))]
    except IntegrationError as err:
        return [Check(gettext("authentication"), True), Check(gettext("the LMS answered"), False, _advice(err))]
    lms.remember_roles(conn, connector)
    return checks


def courses_in_use(tenant: Tenant, connection_id: int) -> list[str]:
    """The courses programmes attached to this connection enrol into."""
    rows = tenant.all(Programme, Programme.lms_connection_id == connection_id, Programme.lms_course_id.is_not(None))
    return sorted({p.lms_course_id for p in rows if p.lms_course_id})


def _advice(err: IntegrationError) -> str:
    return f"{err.message} {err.advice}".strip() if getattr(err, "advice", "") else err.message


def _moodle(connector: MoodleConnector, courses: list[str]) -> list[Check]:
    info = connector.site_info()
    granted = set(info["functions"])
    checks = [
        Check(
            gettext("authentication"),
            True,
            gettext("token of Moodle user %(id)s, %(release)s", id=info["user_id"], release=info["release"]),
        )
    ]
    for name, why in MOODLE_FUNCTIONS.items():
        ok = name in granted
        checks.append(
            Check(
                f"function {name}",
                ok,
                gettext(why)
                if ok
                else gettext(
                    "missing: add %(name)s to the web service's functions (Site administration > Server > Web services "
                    "> External services > Functions); without it Flipside cannot %(why)s",
                    name=name,
                    why=gettext(why),
                ),
            )
        )
    for name, why in MOODLE_OPTIONAL.items():
        if name not in granted:
            detail = gettext("optional, not in the service: add it if Flipside should %(why)s", why=gettext(why))
        elif not info.get("messaging", True):
            detail = gettext(
                "in the service, but messaging is switched off for the site (Site administration > "
                "Advanced features > Enable messaging system): participants get email only"
            )
        else:
            detail = gettext(why)
        checks.append(Check(f"function {name} (optional)", True, detail))
    if "enrol_manual_enrol_users" in granted:
        checks.extend(_manual(connector, course) for course in courses)
    if not courses:
        checks.append(
            Check(
                gettext("manual enrolment"),
                True,
                gettext("no programme uses a course of this Moodle yet; it is checked once one does"),
            )
        )
    checks.append(_sample(connector, "core_course_get_courses" in granted))
    return checks


def _manual(connector: MoodleConnector, course: str) -> Check:
    name = gettext("manual enrolment in course %(course)s", course=course)
    try:
        state = connector.manual_enrolment(course)
    except MoodleError as err:
        return Check(name, False, err.message)
    detail = {
        "ok": gettext("enabled: Flipside can enrol pairs here"),
        "no_instance": gettext(
            "missing: add 'Manual enrolments' under the course's Participants > Enrolment methods (or enable it there)"
        ),
        "cannot_assign": gettext(
            "the web-service user may not assign the student role here: give it "
            "enrol/manual:enrol and moodle/role:assign in this course"
        ),
    }[state]
    return Check(name, state == "ok", str(detail))


def _sample(connector, allowed: bool = True) -> Check:
    name = gettext("sample read: courses")
    if not allowed:
        return Check(name, False, gettext("cannot list courses without core_course_get_courses"))
    try:
        courses = connector.courses()
    except IntegrationError as err:
        return Check(name, False, err.message)
    first = f"{courses[0].name} ({courses[0].code})" if courses else ""
    return Check(
        name,
        bool(courses),
        gettext("%(n)d course(s), e.g. %(first)s", n=len(courses), first=first)
        if courses
        else gettext("no course is visible to this token: enrol its user or give it access"),
    )


def _canvas(connector: CanvasConnector, account: str) -> list[Check]:
    checks = [Check(gettext("authentication"), True, gettext("Canvas accepted the token"))]
    for method, path, why in CANVAS_SCOPES:
        route = path.format(account=account)
        scope = f"url:{method}|{_pattern(route)}"
        ok = connector.allows(method, route)
        checks.append(
            Check(
                f"scope {scope}",
                ok,
                gettext(why)
                if ok
                else gettext(
                    "missing: add this scope to the developer key (Admin > Developer Keys > the key > Enforce scopes); "
                    "without it Flipside cannot %(why)s",
                    why=gettext(why),
                ),
            )
        )
    for method, path, why in CANVAS_OPTIONAL:
        ok = connector.allows(method, path)
        checks.append(
            Check(
                f"scope url:{method}|{path} (optional)",
                True,
                gettext(why)
                if ok
                else gettext(
                    "optional, not granted: add this scope to the developer key if Flipside should %(why)s",
                    why=gettext(why),
                ),
            )
        )
    checks.append(_sample(connector))
    return checks


def _pattern(route: str) -> str:
    """The route as Canvas names scopes: /api/v1/courses/0/enrollments -> /api/v1/courses/:course_id/enrollments."""
    parts, names = (
        route.split("/"),
        {
            "accounts": ":account_id",
            "courses": ":course_id",
            "users": ":user_id",
            "group_categories": ":group_category_id",
            "groups": ":group_id",
            "enrollments": ":id",
        },
    )
    out = []
    for i, part in enumerate(parts):
        previous = parts[i - 1] if i else ""
        out.append(names.get(previous, part) if (part.isdigit() or part == "self") and previous in names else part)
    return "/".join(out)
