"""The emulated web-service functions: parameters in, Moodle-shaped records out (or a WsError)."""

from __future__ import annotations

import time

from .moodle_site import CAPABILITY_ROLES, USERNAME, MoodleSite, WsError, invalid

USER_FIELDS = (
    "id",
    "username",
    "firstname",
    "lastname",
    "fullname",
    "email",
    "department",
    "idnumber",
    "firstaccess",
    "lastaccess",
    "auth",
    "suspended",
    "confirmed",
    "lang",
    "theme",
    "timezone",
    "mailformat",
    "profileimageurlsmall",
    "profileimageurl",
)
ENROLLED_FIELDS = (
    "id",
    "username",
    "firstname",
    "lastname",
    "fullname",
    "email",
    "department",
    "idnumber",
    "firstaccess",
    "lastaccess",
    "lastcourseaccess",
    "profileimageurlsmall",
    "profileimageurl",
    "groups",
    "roles",
    "enrolledcourses",
)
SELF_CRITERION = {
    "type": 1,
    "title": "Self completion",
    "details": {
        "type": "Self completion",
        "criteria": "Self completion",
        "requirement": "Marking yourself complete",
        "status": "",
    },
}


def require(params: dict, key: str, where: str = ""):
    """A required parameter, or Moodle's missing-key error."""
    if key not in params:
        prefix = f"{where} => Invalid parameter value detected: " if where else ""
        raise invalid(f"{prefix}Missing required key in single structure: {key}")
    return params[key]


def _user_record(site: MoodleSite, user: dict, fields=USER_FIELDS) -> dict:
    full = dict(
        user,
        fullname=f"{user['firstname']} {user['lastname']}",
        profileimageurlsmall=f"{site.siteurl}/theme/image.php/boost/core/{site.theme_rev}/u/f2",
        profileimageurl=f"{site.siteurl}/theme/image.php/boost/core/{site.theme_rev}/u/f1",
    )
    return {k: full[k] for k in fields if k in full}


def get_users_by_field(site: MoodleSite, caller: int, p: dict):
    field = require(p, "field")
    if field not in ("id", "idnumber", "username", "email"):
        raise WsError(
            "coding_exception",
            "codingerror",
            "Coding error detected, it must be fixed by a programmer: invalid field parameter",
        )
    found, seen = [], set()
    for value in p.get("values", []):
        user = site.user_by(field, value)
        if user and user["id"] not in seen:
            seen.add(user["id"])
            found.append(_user_record(site, user))
    return found


def create_users(site: MoodleSite, caller: int, p: dict):
    specs = require(p, "users")
    for spec in specs:
        if "username" in spec and not USERNAME.match(spec["username"]):
            raise invalid(
                "users => Invalid parameter value detected: username => Invalid parameter value "
                f'detected: Invalid external api parameter: the value is "{spec["username"]}", '
                'the server was expecting "username" type'
            )
        for key in ("username", "firstname", "lastname", "email"):
            require(spec, key, "users")
    return [
        {"id": u["id"], "username": u["username"]} for u in (site.create_user(spec, i) for i, spec in enumerate(specs))
    ]


def enrol_users(site: MoodleSite, caller: int, p: dict):
    for row in require(p, "enrolments"):
        site.enrol(int(row["courseid"]), int(row["userid"]), int(row["roleid"]), bool(int(row.get("suspend", 0))))
    return None


def get_enrolled_users(site: MoodleSite, caller: int, p: dict):
    course_id = int(require(p, "courseid"))
    if course_id not in site.courses:
        raise invalid("Context does not exist")
    options = {o["name"]: o["value"] for o in p.get("options", [])}
    fields = ENROLLED_FIELDS
    if "userfields" in options:
        wanted = set(options["userfields"].split(",")) | {"fullname"}
        fields = tuple(f for f in ENROLLED_FIELDS if f in wanted)
    allowed = CAPABILITY_ROLES.get(options.get("withcapability", ""), None)
    out = []
    for (c, uid), row in sorted(site.enrolments.items(), key=lambda kv: kv[0][1]):
        shortnames = [s for s, rid in site.roles.items() if rid in row["roles"]]
        if c != course_id or (allowed is not None and not allowed & set(shortnames)):
            continue
        out.append(_enrolled_record(site, site.users[uid], course_id, row, fields))
    return out


def _enrolled_record(site: MoodleSite, user: dict, course_id: int, row: dict, fields) -> dict:
    by_id = {rid: s for s, rid in site.roles.items()}
    groups = [
        {"id": g["id"], "name": g["name"], "description": g["description"], "descriptionformat": 1}
        for g in site.groups.values()
        if g["courseid"] == course_id and (g["id"], user["id"]) in site.members
    ]
    courses = sorted(
        (site.courses[c] for (c, u) in site.enrolments if u == user["id"]), key=lambda c: c["categorysortorder"]
    )
    extra = {
        "lastcourseaccess": site.course_access.get((user["id"], course_id), 0),
        "roles": [{"roleid": r, "name": "", "shortname": by_id[r], "sortorder": 0} for r in row["roles"]],
        "enrolledcourses": [{"id": c["id"], "fullname": c["fullname"], "shortname": c["shortname"]} for c in courses],
    }
    if groups:
        extra["groups"] = groups
    record = _user_record(site, {**user, **extra}, ENROLLED_FIELDS)
    return {k: record[k] for k in fields if k in record}


def _group_record(group: dict) -> dict:
    return {
        "id": group["id"],
        "courseid": group["courseid"],
        "name": group["name"],
        "description": group["description"],
        "descriptionformat": 1,
        "enrolmentkey": "",
        "idnumber": group["idnumber"],
        "visibility": 0,
        "participation": True,
    }


def create_groups(site: MoodleSite, caller: int, p: dict):
    return [_group_record(site.create_group(spec)) for spec in require(p, "groups")]


def get_course_groups(site: MoodleSite, caller: int, p: dict):
    course_id = int(require(p, "courseid"))
    return [_group_record(g) for g in site.groups.values() if g["courseid"] == course_id]


def add_group_members(site: MoodleSite, caller: int, p: dict):
    for row in require(p, "members"):
        site.add_member(int(row["groupid"]), int(row["userid"]))
    return None


def get_group_members(site: MoodleSite, caller: int, p: dict):
    out = []
    for raw in require(p, "groupids"):
        group_id = int(raw)
        if group_id not in site.groups:
            raise WsError(
                "dml_missing_record_exception", "invalidrecord", "Can't find data record in database table groups."
            )
        out.append({"groupid": group_id, "userids": sorted(u for g, u in site.members if g == group_id)})
    return out


def completion_status(site: MoodleSite, caller: int, p: dict):
    course_id, user_id = int(require(p, "courseid")), int(require(p, "userid"))
    if not site.enrolled(course_id, user_id, active=True):
        raise WsError("moodle_exception", "notenroled", "You are not enrolled in this course")
    if course_id not in site.self_completion:
        raise WsError("moodle_exception", "nocriteriaset", "No completion criteria set for this course")
    row = site.completion.get((course_id, user_id), {"done_at": None, "completed": False})
    done = row["done_at"] is not None
    criterion = dict(SELF_CRITERION, status="Yes" if done else "No", complete=done, timecompleted=row["done_at"])
    order = ("type", "title", "status", "complete", "timecompleted", "details")
    return {
        "completionstatus": {
            "completed": row["completed"],
            "aggregation": 1,
            "completions": [{k: criterion[k] for k in order}],
        },
        "warnings": [],
    }


def course_contents(site: MoodleSite, caller: int, p: dict):
    """core_course_get_contents: one 'General' section holding the course's modules (shape of Moodle 4.3)."""
    course_id = int(require(p, "courseid"))
    if course_id not in site.courses:
        raise WsError(
            "dml_missing_record_exception", "invalidrecord", "Can't find data record in database table course."
        )
    modules = [m for m in site.modules.values() if m["course"] == course_id]
    return [
        {
            "id": course_id * 10,
            "name": "General",
            "visible": 1,
            "summary": "",
            "summaryformat": 1,
            "section": 0,
            "hiddenbynumsections": 0,
            "uservisible": True,
            "modules": [_module_record(site, m) for m in modules],
        }
    ]


def _module_record(site: MoodleSite, m: dict) -> dict:
    return {
        "id": m["id"],
        "url": f"{site.siteurl}/mod/{m['modname']}/view.php?id={m['id']}",
        "name": m["name"],
        "instance": m["instance"],
        "contextid": 100 + m["id"],
        "visible": 1,
        "uservisible": True,
        "visibleoncoursepage": 1,
        "modicon": f"{site.siteurl}/theme/image.php/boost/{m['modname']}/{site.theme_rev}/monologo",
        "modname": m["modname"],
        "modplural": m["modname"].capitalize() + "s",
        "indent": 0,
        "onclick": "",
        "afterlink": None,
        "customdata": '""',
        "noviewlink": False,
        "completion": m["completion"],
        "downloadcontent": 1,
        "dates": [],
    }


def activities_completion(site: MoodleSite, caller: int, p: dict):
    """core_completion_get_activities_completion_status: state 0 incomplete, 1 complete (tracked modules only)."""
    course_id, user_id = int(require(p, "courseid")), int(require(p, "userid"))
    if not site.enrolled(course_id, user_id, active=True):
        raise WsError("moodle_exception", "notenroled", "You are not enrolled in this course")
    statuses = []
    for m in site.modules.values():
        if m["course"] != course_id or not m["completion"]:
            continue
        done = site.module_done.get((m["id"], user_id))
        statuses.append(
            {
                "cmid": m["id"],
                "modname": m["modname"],
                "instance": m["instance"],
                "state": 1 if done else 0,
                "timecompleted": done or 0,
                "tracking": m["completion"],
                "overrideby": None,
                "valueused": False,
                "hascompletion": True,
                "isautomatic": m["completion"] == 2,
                "istrackeduser": True,
                "uservisible": True,
                "details": [],
            }
        )
    return {"statuses": statuses, "warnings": []}


def mark_self_completed(site: MoodleSite, caller: int, p: dict):
    site.mark_self_completed(int(require(p, "courseid")), caller)
    return {"status": True, "warnings": []}


def create_courses(site: MoodleSite, caller: int, p: dict):
    made = []
    for spec in require(p, "courses"):
        if any(c["shortname"] == spec["shortname"] for c in site.courses.values()):
            raise WsError(
                "moodle_exception",
                "shortnametaken",
                f"Short name is already used for another course ({spec['shortname']})",
            )
        made.append(new_course(site, spec))
    return [{"id": c["id"], "shortname": c["shortname"]} for c in made]


def new_course(site: MoodleSite, spec: dict) -> dict:
    """Store a course as core_course_create_courses does (manual enrolment per the site default)."""
    category = int(spec.get("categoryid", 1))
    orders = [c["categorysortorder"] for c in site.courses.values() if c["categoryid"] == category]
    now, sections = int(time.time()), int(spec.get("numsections", 1))
    course = {
        "id": site.next_id(site.courses),
        "shortname": spec["shortname"],
        "categoryid": category,
        "categorysortorder": min(orders) - 1 if orders else 10000 * category + 1,
        "fullname": spec["fullname"],
        "displayname": spec["fullname"],
        "idnumber": spec.get("idnumber", ""),
        "summary": spec.get("summary", ""),
        "summaryformat": 1,
        "format": spec.get("format", "topics"),
        "showgrades": 1,
        "newsitems": 5,
        "startdate": 0,
        "enddate": 0,
        "numsections": sections,
        "maxbytes": 0,
        "showreports": 0,
        "visible": 1,
        "hiddensections": 1,
        "groupmode": 0,
        "groupmodeforce": 0,
        "defaultgroupingid": 0,
        "timecreated": now,
        "timemodified": now,
        "enablecompletion": int(spec.get("enablecompletion", 0)),
        "completionnotify": 0,
        "lang": "",
        "forcetheme": "",
        "courseformatoptions": [{"name": "hiddensections", "value": 1}, {"name": "coursedisplay", "value": 0}],
        "showactivitydates": False,
        "showcompletionconditions": True,
    }
    site.courses[course["id"]] = course
    site.manual[course["id"]] = site.manual_on_new_courses
    return course


def get_courses(site: MoodleSite, caller: int, p: dict):
    ids = [int(i) for i in p.get("options", {}).get("ids", [])] or sorted(site.courses)
    return [site.courses[i] for i in ids if i in site.courses]


MESSAGE_MAX_LENGTH = 4096  # bytes, as core_message's api counts them


def send_instant_messages(site: MoodleSite, caller: int, p: dict):
    """core_message_send_instant_messages as message/externallib.php answers it (not recorded live): the site
    switch first, then per message a result with msgid, or msgid -1 and an errormessage."""
    if not site.messaging:
        raise WsError("moodle_exception", "disabled", "Messaging is disabled on this site")
    results = []
    for index, message in enumerate(require(p, "messages") or []):
        where = f"messages => Invalid parameter value detected: {index}"
        touser, text = require(message, "touserid", where), require(message, "text", where)
        if not str(touser).lstrip("-").isdigit():
            raise invalid(f"{where} => touserid => Invalid parameter value detected (Invalid external API parameter)")
        user, result = site.users.get(int(touser)), {}
        if message.get("clientmsgid"):
            result["clientmsgid"] = message["clientmsgid"]
        if user is None or user.get("deleted"):
            error = f"You can not send a message to a user id ({touser}) that doesn't exist"
        elif len(str(text).encode()) > MESSAGE_MAX_LENGTH:
            error = "The message is too long"
        elif int(touser) in site.unreachable:
            error = (
                f"You can't message {user['firstname']} {user['lastname']} due to their message preferences. "
                "Try adding them as a contact."
            )
        else:
            error = ""
        if error:
            results.append({**result, "msgid": -1, "errormessage": error, "candeletemessagesforallusers": False})
            continue
        stored = site.post_message(caller, int(touser), str(text), int(message.get("textformat", 0) or 0))
        results.append(
            {
                **result,
                "msgid": stored["id"],
                "timecreated": stored["timecreated"],
                "candeletemessagesforallusers": caller == 2,
                "conversationid": stored["conversationid"],
                "useridfrom": caller,
                "text": stored["text"],
            }
        )
    return results


def site_info(site: MoodleSite, caller: int, p: dict, *, functions: list[str]):
    user, info = site.users[caller], site.site_info
    head = {
        "sitename": info["sitename"],
        "username": user["username"],
        "firstname": user["firstname"],
        "lastname": user["lastname"],
        "fullname": f"{user['firstname']} {user['lastname']}",
        "lang": user["lang"],
        "userid": caller,
        "siteurl": site.siteurl,
        "userpictureurl": f"{site.siteurl}/theme/image.php/boost/core/{site.theme_rev}/u/f1",
        "functions": [{"name": f, "version": info["version"]} for f in functions],
    }
    middle = {
        k: info[k]
        for k in (
            "downloadfiles",
            "uploadfiles",
            "release",
            "version",
            "mobilecssurl",
            "advancedfeatures",
            "usercanmanageownfiles",
            "userquota",
            "usermaxuploadfilesize",
            "userhomepage",
        )
    }
    tail = {
        "userprivateaccesskey": f"upak{caller:06d}",
        "siteid": 1,
        "sitecalendartype": "gregorian",
        "usercalendartype": "gregorian",
        "userissiteadmin": caller == 2,
        "theme": info["theme"],
        "limitconcurrentlogins": 0,
        "usersessionscount": None,
    }
    return {**head, **middle, **tail}


# functions that write inside one delegated transaction (all of an array call, or nothing of it)
WRITES = frozenset(
    {"core_user_create_users", "enrol_manual_enrol_users", "core_group_create_groups", "core_group_add_group_members"}
)

FUNCTIONS = {
    "core_user_get_users_by_field": get_users_by_field,
    "core_user_create_users": create_users,
    "enrol_manual_enrol_users": enrol_users,
    "core_enrol_get_enrolled_users": get_enrolled_users,
    "core_group_create_groups": create_groups,
    "core_group_get_course_groups": get_course_groups,
    "core_group_add_group_members": add_group_members,
    "core_group_get_group_members": get_group_members,
    "core_completion_get_course_completion_status": completion_status,
    "core_completion_mark_course_self_completed": mark_self_completed,
    "core_completion_get_activities_completion_status": activities_completion,
    "core_course_get_contents": course_contents,
    "core_course_create_courses": create_courses,
    "core_course_get_courses": get_courses,
    "core_course_delete_courses": None,  # exists in Moodle; the probe's service does not include it
    "core_message_send_instant_messages": send_instant_messages,
    "core_webservice_get_site_info": site_info,
}
