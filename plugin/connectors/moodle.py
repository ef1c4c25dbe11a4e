"""Moodle web-services connector (REST protocol, JSON format) for users, enrolments, groups and completion.

Moodle's traps, all observed on a live 4.3 site (see tests/fixtures/http/moodle/):
- every failure is HTTP 200 with `{"exception", "errorcode", "message"}` (login/token.php uses another
  shape: `{"error", "errorcode", ...}`); errors are found by the keys, never by the status;
- void functions answer the literal `null`; leaving out `moodlewsrestformat=json` switches to XML;
- validation failures are one generic `invalidparameter` whose reason is only in `debuginfo` (debugging
  on), so our messages name the request instead; `message` texts are unreliable and never shown verbatim;
- role ids differ per site: they are discovered from the shortnames of enrolled users' roles;
- completion: `nocriteriaset` and `notenroled` (sic) are states, not failures, and the course-level flag
  waits for the completion cron after the criteria are met;
- core_message_send_instant_messages (not recorded; from Moodle's message/externallib.php) reports a refused
  message inside a 200 answer, as `msgid: -1` with an `errormessage` (unknown user, the recipient's privacy
  settings), while messaging switched off for the site throws `disabled`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from html import escape

import requests

from plugin.connectors.http import DEFAULT_TIMEOUT, RetryPolicy, make_session, send
from plugin.connectors.lms import LEARNER, LmsActivity, LmsCourse, LmsPerson, LmsUser, Progress
from plugin.connectors.moodle_batch import MoodleBatch
from plugin.errors import FatalError, NeedsReconnect, RetriableError

VENDOR = "moodle"
SERVER = "/webservice/rest/server.php"
ROLE_SCAN_COURSES = 20
ROLE_SHORTNAMES = {LEARNER: "student", "teacher": "editingteacher"}
RECONNECT = frozenset({"invalidtoken", "invalidlogin", "usernotallowed", "servicenotavailable"})
RETRIABLE = frozenset(
    {"sitemaintenance", "dmlreadexception", "dmlwriteexception", "dbconnectionfailed", "ddltablenotexist"}
)
HINTS = {
    "wsnoinstance": "course {course} has no enabled manual-enrolment instance: add 'Manual enrolments' "
    "under the course's Participants > Enrolment methods",
    "wsusercannotassign": "the web-service user may not assign this role in course {course}; give it "
    "moodle/role:assign and enrol/manual:enrol there",
    "accessexception": "the function is not in the token's web service, or the token user is not allowed",
    "disabled": "messaging is switched off for the site (Site administration > Advanced features > "
    "Enable messaging system)",
    "nopermissions": "the web-service user lacks moodle/site:sendmessage",
}
FORMAT_HTML = 1  # textformat of core_message_send_instant_messages: 0 Moodle, 1 HTML, 2 plain, 4 Markdown


class MoodleError(FatalError):
    """Moodle refused a web-service call; `errorcode` is Moodle's stable code."""

    def __init__(self, message: str, *, errorcode: str = "", **kw):
        super().__init__(message, **kw)
        self.errorcode = errorcode


class MoodleReconnect(NeedsReconnect):
    """Moodle refused the token: paste a new one or fetch it again from /login/token.php."""


def php_form(params: Mapping, prefix: str = "") -> dict[str, str]:
    """Flatten nested dicts and lists into PHP-style bracketed form keys (`users[0][email]`)."""
    out: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, Mapping):
            out.update(php_form(value, name))
        elif isinstance(value, list | tuple):
            out.update(php_form(dict(enumerate(value)), name))
        elif isinstance(value, bool):
            out[name] = "1" if value else "0"
        elif value is not None:
            out[name] = str(value)
    return out


def raise_for_error(body, function: str, params: Mapping | None = None) -> None:
    """Turn Moodle's HTTP-200 error object into the error the caller must act on."""
    if not isinstance(body, dict) or "exception" not in body and "errorcode" not in body:
        return
    code = str(body.get("errorcode") or "")
    where = f"{function}({', '.join(sorted(params or {}))})"
    debug = f"; Moodle says: {body['debuginfo']}" if body.get("debuginfo") else ""
    if code in RECONNECT:
        raise MoodleReconnect(f"Moodle refused the token for {where}: {code}. {HINTS.get(code, '')}".strip())
    if code.replace("_", "") in RETRIABLE or str(body.get("exception", "")).startswith("dml_read"):
        raise RetriableError(f"Moodle had a transient failure in {where}: {code}")
    if code == "invalidparameter":
        raise MoodleError(f"Moodle rejected the parameters of {where} (invalidparameter){debug}", errorcode=code)
    if "<" in code:  # the password policy comes back as HTML in errorcode
        raise MoodleError(
            f"Moodle rejected {where}: the password does not meet the site policy", errorcode="passwordpolicy"
        )
    hint = HINTS.get(code, "").format(course=_course_of(params or {}))
    raise MoodleError(f"Moodle refused {where}: {code}{': ' + hint if hint else ''}{debug}", errorcode=code)


def _course_of(params: Mapping) -> str:
    """The course a call was about, top-level or inside its first structure (enrolments[0][courseid])."""
    if "courseid" in params:
        return str(params["courseid"])
    for value in params.values():
        if isinstance(value, list | tuple) and value and isinstance(value[0], Mapping) and "courseid" in value[0]:
            return str(value[0]["courseid"])
    return "?"


def fetch_token(
    base_url: str,
    username: str,
    password: str,
    service: str,
    *,
    session: requests.Session | None = None,
    policy: RetryPolicy | None = None,
) -> str:
    """Exchange a username and password for a web-service token of `service` (POST /login/token.php)."""
    response = send(
        session or make_session(),
        "POST",
        f"{base_url.rstrip('/')}/login/token.php",
        data={"username": username, "password": password, "service": service},
        policy=policy,
        vendor=VENDOR,
    )
    body = response.json()
    if body.get("token"):
        return body["token"]
    code = body.get("errorcode", "unknown")
    if code in ("invalidlogin", "usernotallowed", "servicenotavailable"):
        raise MoodleReconnect(f"Moodle would not issue a token for service {service!r}: {code}")
    raise MoodleError(f"Moodle would not issue a token for service {service!r}: {code}", errorcode=code)


class MoodleConnector(MoodleBatch):
    """One Moodle site reached with one web-service token."""

    vendor = VENDOR

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        session: requests.Session | None = None,
        policy: RetryPolicy | None = None,
        role_ids: Mapping[str, int] | None = None,
        user_auth: str = "manual",
        timeout=DEFAULT_TIMEOUT,
    ):
        self.base_url, self.token = base_url.rstrip("/"), token
        self.session = session or make_session()
        self.policy, self.timeout, self.user_auth = policy or RetryPolicy(), timeout, user_auth
        self.role_ids: dict[str, int] = dict(role_ids or {})
        self.requests = 0

    def call(self, function: str, **params):
        """Call one web-service function; returns the parsed JSON (None for void functions)."""
        form = {"wstoken": self.token, "wsfunction": function, "moodlewsrestformat": "json", **php_form(params)}
        self.requests += 1
        response = send(
            self.session,
            "POST",
            self.base_url + SERVER,
            data=form,
            policy=self.policy,
            vendor=VENDOR,
            timeout=self.timeout,
        )
        if "json" not in response.headers.get("Content-Type", "json"):
            raise MoodleError(f"Moodle answered {function} with {response.headers['Content-Type']}, not JSON")
        body = response.json() if response.content.strip() else None
        raise_for_error(body, function, params)
        return body

    def site_info(self) -> dict:
        """Who the token belongs to and which functions its service allows (checks the token)."""
        body = self.call("core_webservice_get_site_info")
        return {
            "user_id": str(body["userid"]),
            "release": body.get("release", ""),
            "functions": sorted(f["name"] for f in body.get("functions", [])),
            # advancedfeatures "messaging" is the site's switch; a site that does not list it is taken as on
            "messaging": all(
                str(f.get("value")) != "0" for f in body.get("advancedfeatures", []) if f.get("name") == "messaging"
            ),
        }

    def send_message(self, user_id: str, subject: str, text: str, html: str, *, client_ref: str = "") -> str:
        """One instant message from the token's user to `user_id` (HTML, the subject as its first line);
        returns Moodle's message id. A message Moodle refused (`msgid` -1) raises MoodleError with its reason."""
        message = {
            "touserid": user_id,
            "text": f"<p><strong>{escape(subject)}</strong></p>{html}",
            "textformat": FORMAT_HTML,
        }
        if client_ref:
            message["clientmsgid"] = client_ref  # PARAM_ALPHANUMEXT: letters, digits, - and _
        body = self.call("core_message_send_instant_messages", messages=[message])
        first = body[0] if isinstance(body, list) and body and isinstance(body[0], Mapping) else None
        if first is None or "msgid" not in first:
            raise MoodleError(
                f"Moodle answered core_message_send_instant_messages with {str(body)[:200]!r}, not a message list",
                errorcode="unexpected",
            )
        try:
            msgid = int(first["msgid"])
        except (TypeError, ValueError):
            msgid = 0
        if msgid <= 0:
            reason = _plain(str(first.get("errormessage") or "no reason given"))
            raise MoodleError(
                f"Moodle did not send the message to user {user_id}: {reason}", errorcode="messagenotsent"
            )
        return str(msgid)

    def courses(self) -> list[LmsCourse]:
        """Every course the token may see, without the front page (format 'site', course 1)."""
        return [
            LmsCourse(str(c["id"]), c.get("fullname") or c.get("displayname") or "", c.get("shortname", ""))
            for c in self.call("core_course_get_courses") or []
            if c.get("format") != "site"
        ]

    def manual_enrolment(self, course_id: str) -> str:
        """Whether enrolment into the course would work, asked without enrolling anybody.

        enrol_manual_enrol_users checks, in this order (recorded on Moodle 4.3): the role may be assigned
        (`wsusercannotassign`), the course has an enabled manual instance (`wsnoinstance`), the user exists
        (`codingerror`, inside the call's transaction). User id 0 never exists, so reaching the last check
        proves the first two and writes nothing. Returns "ok", "no_instance" or "cannot_assign".
        """
        try:
            self.call(
                "enrol_manual_enrol_users",
                enrolments=[{"roleid": self.role_id(course_id, LEARNER), "userid": 0, "courseid": course_id}],
            )
        except MoodleError as err:
            if err.errorcode == "codingerror":
                return "ok"
            if err.errorcode in ("wsnoinstance", "wsusercannotassign"):
                return {"wsnoinstance": "no_instance", "wsusercannotassign": "cannot_assign"}[err.errorcode]
            raise
        raise MoodleError("Moodle accepted an enrolment of user 0, which cannot exist", errorcode="unexpected")

    def find_users(self, emails: list[str]) -> dict[str, LmsUser]:
        """Users by email in one call; Moodle silently drops misses, so results are keyed by email."""
        if not emails:
            return {}
        found = self.call("core_user_get_users_by_field", field="email", values=list(emails))
        return {u["email"].lower(): LmsUser(str(u["id"]), u["email"], bool(u.get("suspended"))) for u in found or []}

    def create_user(self, person: LmsPerson) -> LmsUser:
        """Create an account with the configured auth method (SSO plugins need no password)."""
        created = self.call("core_user_create_users", users=[self._user_spec(person)])
        return LmsUser(str(created[0]["id"]), person.email)

    def role_id(self, course_id: str, role: str) -> int:
        """This site's id for our role, discovered from the role shortnames of enrolled users (never assumed)."""
        shortname = ROLE_SHORTNAMES.get(role, role)
        if shortname not in self.role_ids:
            self._discover_roles(course_id)
        if shortname not in self.role_ids:  # nobody holds it in this course yet: look at other courses
            courses = self.call("core_course_get_courses") or []
            for other in [str(c["id"]) for c in courses if c.get("format") != "site"][:ROLE_SCAN_COURSES]:
                if other != str(course_id) and shortname not in self.role_ids:
                    self._discover_roles(other)
        if shortname not in self.role_ids:
            raise MoodleError(
                f"cannot discover the id of role {shortname!r} on this Moodle (no enrolled user "
                "holds it); set role_ids in the connection settings",
                errorcode="roleunknown",
            )
        return self.role_ids[shortname]

    def _discover_roles(self, course_id: str) -> None:
        for user in self.call("core_enrol_get_enrolled_users", courseid=course_id) or []:
            for r in user.get("roles", []):
                self.role_ids.setdefault(r["shortname"], int(r["roleid"]))

    def enrol(self, course_id: str, user_id: str, role: str = LEARNER) -> str:
        """Enrol through the manual plugin (repeating it is harmless); the reference is user@course."""
        self._manual(course_id, user_id, role, suspend=0)
        return f"{user_id}@{course_id}"

    def suspend(self, course_id: str, user_id: str, enrolment_ref: str = "", role: str = LEARNER) -> None:
        """Suspend the manual enrolment: the user keeps their course history."""
        self._manual(course_id, user_id, role, suspend=1)

    def _manual(self, course_id: str, user_id: str, role: str, *, suspend: int) -> None:
        enrolment = {"roleid": self.role_id(course_id, role), "userid": user_id, "courseid": course_id}
        if suspend:
            enrolment["suspend"] = 1
        self.call("enrol_manual_enrol_users", enrolments=[enrolment])

    def ensure_group_set(self, course_id: str, key: str, name: str) -> str:
        """Moodle groups live directly in the course."""
        return str(course_id)

    def ensure_group(self, course_id: str, group_set: str, key: str, name: str) -> str:
        """Create the group with idnumber `key`; if an earlier attempt made it, find it by idnumber."""
        try:
            made = self.call(
                "core_group_create_groups",
                groups=[{"courseid": course_id, "name": name, "description": "Flipside pair", "idnumber": key}],
            )
            return str(made[0]["id"])
        except MoodleError as err:
            if err.errorcode not in ("idnumbertaken", "invalidparameter"):
                raise
            existing = self._group_by_idnumber(course_id, key)
            if existing is None:
                raise
            return existing

    def find_group(self, course_id: str, group_set: str, key: str) -> str | None:
        """The group an earlier, interrupted attempt may have created (looked up by idnumber)."""
        return self._group_by_idnumber(course_id, key)

    def _group_by_idnumber(self, course_id: str, key: str) -> str | None:
        for group in self.call("core_group_get_course_groups", courseid=course_id) or []:
            if group.get("idnumber") == key:
                return str(group["id"])
        return None

    def add_members(self, group_id: str, user_ids: list[str]) -> None:
        """Add enrolled users to a group (Moodle answers null, also for existing members)."""
        self.call("core_group_add_group_members", members=[{"groupid": group_id, "userid": uid} for uid in user_ids])

    def progress(self, course_id: str, user_id: str) -> Progress:
        """Course completion for one learner, with Moodle's error-shaped states turned into states."""
        try:
            body = self.call("core_completion_get_course_completion_status", courseid=course_id, userid=user_id)
        except MoodleError as err:
            if err.errorcode == "nocriteriaset":
                return Progress("not_tracked")
            if err.errorcode in ("notenroled", "nottracked"):
                return Progress("not_enrolled")
            raise
        return _progress(body["completionstatus"])

    def activities(self, course_id: str) -> list[LmsActivity]:
        """Course modules with completion tracking on (core_course_get_contents: sections of modules)."""
        sections = self.call("core_course_get_contents", courseid=course_id) or []
        return [
            LmsActivity(str(m["id"]), m.get("name") or "", m.get("url") or "")
            for section in sections
            for m in section.get("modules", [])
            if m.get("completion")  # 0: no tracking, so nothing can be read back
        ]

    def activities_done(self, course_id: str, user_id: str) -> set[str]:
        """core_completion_get_activities_completion_status: state 1 (complete) or 2 (passed); 3 is failed."""
        try:
            body = self.call("core_completion_get_activities_completion_status", courseid=course_id, userid=user_id)
        except MoodleError as err:
            if err.errorcode in ("notenroled", "nottracked"):
                return set()
            raise
        return {str(s["cmid"]) for s in (body or {}).get("statuses", []) if s.get("state") in (1, 2)}


def _plain(text: str) -> str:
    """Moodle's words without markup (a language string may carry HTML), cut to a sentence's length."""
    return " ".join(re.sub(r"<[^>]*>", " ", text).split())[:300]


def _progress(status: Mapping) -> Progress:
    criteria = status.get("completions", [])
    done = [c for c in criteria if c.get("complete")]
    if status.get("completed"):
        state = "complete"
    elif (criteria and len(done) == len(criteria)) or (status.get("aggregation") == 2 and done):
        state = "awaiting_aggregation"  # criteria met; the completion cron has not rolled them up yet
    else:
        state = "in_progress"
    times = [c["timecompleted"] for c in done if c.get("timecompleted")]
    when = datetime.fromtimestamp(max(times), UTC) if times and state == "complete" else None
    return Progress(state, len(done), len(criteria), when)
