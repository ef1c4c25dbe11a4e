"""A loopback emulator of the Canvas REST API parts Flipside uses, with OAuth, paging and throttling.

Built from Canvas's documented behaviour: the OAuth consent (/login/oauth2/auth, then the code at
/login/oauth2/token), Bearer tokens that expire (401 + WWW-Authenticate), refresh
through /login/oauth2/token, `Link` paging with opaque URLs (no rel="last"), a leaky cost bucket reported
in X-Request-Cost / X-Rate-Limit-Remaining that throttles with the old 403 text or a 429 (`throttle_style`).
Throttled requests change nothing. `duplicates` counts writes that found their effect already in place.
A developer key may enforce scopes (`scopes=`): a route outside them answers 401 "Insufficient scopes on
access token." without WWW-Authenticate, before anything is looked up, as Canvas's scope check runs before
its controllers.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from collections import Counter
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from .server import LoopbackServer

ROUTES = [
    ("GET", r"/api/v1/accounts/([^/]+)/courses", "list_account_courses"),
    ("GET", r"/api/v1/courses", "list_courses"),
    ("GET", r"/api/v1/accounts/([^/]+)/users", "list_users"),
    ("POST", r"/api/v1/accounts/([^/]+)/users", "create_user"),
    ("POST", r"/api/v1/courses/(\d+)/enrollments", "enrol"),
    ("DELETE", r"/api/v1/courses/(\d+)/enrollments/(\d+)", "end_enrolment"),
    ("GET", r"/api/v1/courses/(\d+)/group_categories", "list_categories"),
    ("POST", r"/api/v1/courses/(\d+)/group_categories", "create_category"),
    ("GET", r"/api/v1/group_categories/(\d+)/groups", "list_groups"),
    ("POST", r"/api/v1/group_categories/(\d+)/groups", "create_group"),
    ("POST", r"/api/v1/groups/(\d+)/memberships", "add_member"),
    ("GET", r"/api/v1/courses/(\d+)/users/(\d+)/progress", "progress"),
    ("GET", r"/api/v1/courses/(\d+)/modules", "list_modules"),
    ("POST", r"/api/v1/conversations", "create_conversation"),
]


class CanvasEmulator:
    """State of one Canvas instance and the WSGI app over it; `start()` serves it on loopback."""

    def __init__(
        self,
        *,
        client_id: str = "10000000000001",
        client_secret: str = "canvas-secret",  # noqa: S107 - emulator
        bucket: float = 700.0,
        leak_per_s: float = 10.0,
        cost: float = 1.0,
        throttle_style: str = "403",
        token_ttl: int = 3600,
        scopes: set[str] | None = None,
    ):
        self.lock = threading.RLock()
        self.client_id, self.client_secret, self.token_ttl = client_id, client_secret, token_ttl
        self.bucket, self.leak, self.cost, self.throttle_style = bucket, leak_per_s, cost, throttle_style
        self.used, self.stamp = 0.0, time.monotonic()
        self.access: dict[str, float] = {}
        self.refresh_tokens: set[str] = set()
        self.codes: dict[str, str] = {}  # authorization code -> the redirect_uri it was issued for
        self.users: dict[int, dict] = {}
        self.scopes = scopes  # None: the developer key does not enforce scopes
        self.courses: dict[int, dict] = {
            1: {"id": 1, "name": "Flipside", "course_code": "FLIP", "workflow_state": "available", "account_id": 1}
        }
        self.enrolments: dict[int, dict] = {}
        self.categories: dict[int, dict] = {}
        self.groups: dict[int, dict] = {}
        self.members: set[tuple[int, int]] = set()
        self.modules: dict[int, dict] = {}
        self.module_done: dict[tuple[int, int], str] = {}  # (module id, user id) -> completed_at
        self.conversations: dict[int, dict] = {}  # conversations the token's user started
        self.unreachable: set[int] = set()  # users the token's user may not message (no shared context)
        self.calls: Counter = Counter()
        self.duplicates: Counter = Counter()
        self.throttled = 0
        self.faults: list[tuple[str, str, int, str, dict]] = []  # (method, path, status, body, headers), once each
        self._server: LoopbackServer | None = None
        self.url = ""

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> str:
        self._server = LoopbackServer(self).start()
        self.url = self._server.base_url
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def issue_token(self, *, expires_in: int | None = None) -> dict:
        """A token set as the authorization-code grant would return it."""
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        ttl = self.token_ttl if expires_in is None else expires_in
        self.access[access] = time.time() + ttl
        self.refresh_tokens.add(refresh)
        return {
            "access_token": access,
            "token_type": "Bearer",
            "refresh_token": refresh,
            "expires_in": ttl,
            "expires_at": int(time.time() + ttl),
        }

    def inject(self, method: str, path: str, *, status: int, body: str = "", headers: dict | None = None) -> None:
        """Answer the next `method path` with this status and raw body instead (nothing changes)."""
        self.faults.append((method, path, status, body, dict(headers or {})))

    def expire_all_tokens(self) -> None:
        """Tokens die early (Canvas admins can revoke them; clocks drift)."""
        self.access.clear()

    # -- WSGI --------------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        with self.lock:
            response = self._handle(request)
        return response(environ, start_response)

    def _handle(self, request: Request) -> Response:
        if request.path == "/login/oauth2/token":
            return self._token(request.form)
        if request.path == "/login/oauth2/auth":
            return self._authorize(request.args)
        left = self._charge()
        if left < 0:
            self.throttled += 1
            if self.throttle_style == "429":
                return self._json({"errors": [{"message": "Rate limit exceeded"}]}, 429, left)
            return Response(
                "403 Forbidden (Rate Limit Exceeded)",
                status=403,
                mimetype="text/plain",
                headers=self._cost_headers(left),
            )
        auth = request.headers.get("Authorization", "")
        if self.access.get(auth.removeprefix("Bearer "), 0) < time.time():
            return self._json(
                {"errors": [{"message": "Invalid access token."}]},
                401,
                left,
                {"WWW-Authenticate": 'Bearer realm="canvas-lms"'},
            )
        for i, (method, path, status, body, headers) in enumerate(self.faults):
            if method == request.method and path == request.path:
                del self.faults[i]
                return Response(body, status=status, mimetype="application/json", headers=headers)
        for method, pattern, name in ROUTES:
            match = re.fullmatch(pattern, request.path)
            if match and request.method == method:
                if self.scopes is not None and scope_of(method, pattern) not in self.scopes:
                    return self._json({"errors": [{"message": "Insufficient scopes on access token."}]}, 401, left)
                if not all(self._exists(part) for part in match.groups()):
                    return self._json({"errors": [{"message": "The specified resource does not exist."}]}, 404, left)
                self.calls[name] += 1
                status, body, extra = getattr(self, name)(request, *match.groups())
                return self._json(body, status, left, extra)
        return self._json({"errors": [{"message": "The specified resource does not exist."}]}, 404, left)

    def add_course(self, name: str, code: str) -> int:
        """A course of account 1, as an admin would create it."""
        cid = max(self.courses) + 1
        self.courses[cid] = {
            "id": cid,
            "name": name,
            "course_code": code,
            "workflow_state": "available",
            "account_id": 1,
        }
        return cid

    def add_module(self, course_id: int, name: str, *, requirement: str | None = "must_view") -> int:
        """A published module with one page item; requirement None: the module tracks no completion."""
        mid = max(self.modules or [100]) + 1
        self.modules[mid] = {"id": mid, "course_id": course_id, "name": name, "requirement": requirement}
        return mid

    def complete_module(self, module_id: int, user_id: int) -> None:
        self.module_done[(module_id, user_id)] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    @staticmethod
    def _exists(part: str) -> bool:
        return part not in ("0",)  # object 0 never exists (ids start at 1); "self" and real ids pass on

    def _charge(self) -> float:
        now = time.monotonic()
        self.used = max(0.0, self.used - (now - self.stamp) * self.leak)
        self.stamp = now
        if self.used + self.cost > self.bucket:
            return self.bucket - self.used - self.cost
        self.used += self.cost
        return self.bucket - self.used

    def _cost_headers(self, left: float) -> dict:
        return {"X-Request-Cost": f"{self.cost:.4f}", "X-Rate-Limit-Remaining": f"{max(left, 0.0):.4f}"}

    def _json(self, body, status: int, left: float, extra: dict | None = None) -> Response:
        headers = {**self._cost_headers(left), **(extra or {})}
        return Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)

    def _authorize(self, args) -> Response:
        """The consent page, already accepted by the admin: back to redirect_uri with a code and the state."""
        if (
            args.get("client_id") != self.client_id
            or args.get("response_type") != "code"
            or not args.get("redirect_uri")
        ):
            return Response(json.dumps({"error": "invalid_client"}), 400, mimetype="application/json")
        code = secrets.token_hex(8)
        self.codes[code] = args["redirect_uri"]
        query = urlencode({"code": code, "state": args.get("state", "")})
        return Response(status=302, headers={"Location": f"{args['redirect_uri']}?{query}"})

    def _token(self, form) -> Response:
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return Response(json.dumps({"error": "invalid_client"}), 401, mimetype="application/json")
        if form.get("grant_type") == "authorization_code":
            if self.codes.pop(form.get("code", ""), None) != form.get("redirect_uri"):
                return Response(json.dumps({"error": "invalid_grant"}), 400, mimetype="application/json")
            token = self.issue_token()
            token.pop("expires_at")
            token["user"] = {"id": 1, "name": "Integration user"}
            return Response(json.dumps(token), mimetype="application/json")
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") not in self.refresh_tokens:
            return Response(json.dumps({"error": "invalid_grant"}), 400, mimetype="application/json")
        token = self.issue_token()
        self.refresh_tokens.discard(token.pop("refresh_token"))  # Canvas keeps the refresh token as it is
        token.pop("expires_at")
        token["user"] = {"id": 1, "name": "Integration user"}
        return Response(json.dumps(token), mimetype="application/json")

    def _paged(self, request: Request, items: list) -> tuple[int, list, dict]:
        """One page and its Link header; page cursors are opaque bookmarks, and rel="last" is left out."""
        per_page = min(int(request.args.get("per_page", 10)), 100)
        raw = request.args.get("page", "")
        start = int(base64.urlsafe_b64decode(raw[9:]).decode()) if raw.startswith("bookmark:") else 0
        page = items[start : start + per_page]
        base = f"{request.host_url.rstrip('/')}{request.path}?per_page={per_page}"
        links = [f'<{base}&page=first>; rel="first"']
        if start + per_page < len(items):
            cursor = base64.urlsafe_b64encode(str(start + per_page).encode()).decode()
            links.insert(0, f'<{base}&page=bookmark:{cursor}>; rel="next"')
        return 200, page, {"Link": ", ".join(links)}

    # -- endpoints ---------------------------------------------------------------------------------
    def list_account_courses(self, request, account):
        return self._paged(request, [dict(c) for _, c in sorted(self.courses.items())])

    def list_courses(self, request):
        return self._paged(request, [dict(c) for _, c in sorted(self.courses.items())])

    def list_users(self, request, account):
        term = request.args.get("search_term", "").lower()
        hits = [dict(u) for u in self.users.values() if term in u["login_id"].lower() or term in u["name"].lower()]
        return self._paged(request, hits)

    def create_user(self, request, account):
        login = request.form["pseudonym[unique_id]"]
        if any(u["login_id"].lower() == login.lower() for u in self.users.values()):
            self.duplicates["user"] += 1
            return 400, {"errors": {"pseudonym": {"unique_id": [{"message": "ID already in use"}]}}}, {}
        uid = len(self.users) + 1
        self.users[uid] = {
            "id": uid,
            "name": request.form["user[name]"],
            "login_id": login,
            "email": request.form.get("communication_channel[address]", login),
        }
        return 200, dict(self.users[uid]), {}

    def enrol(self, request, course):
        course, user = int(course), int(request.form["enrollment[user_id]"])
        if course not in self.courses or user not in self.users:
            return 404, {"errors": [{"message": "The specified resource does not exist."}]}, {}
        for eid, row in self.enrolments.items():
            if row["course_id"] == course and row["user_id"] == user:
                self.duplicates["enrolment"] += row["enrollment_state"] == "active"
                row["enrollment_state"] = "active"
                return 200, {"id": eid, **row}, {}
        eid = len(self.enrolments) + 1
        self.enrolments[eid] = {
            "course_id": course,
            "user_id": user,
            "type": request.form["enrollment[type]"],
            "enrollment_state": "active",
        }
        return 200, {"id": eid, **self.enrolments[eid]}, {}

    def end_enrolment(self, request, course, eid):
        row = self.enrolments.get(int(eid))
        if row is None:
            return 404, {"errors": [{"message": "The specified resource does not exist."}]}, {}
        row["enrollment_state"] = "inactive" if request.args.get("task") == "deactivate" else "deleted"
        return 200, {"id": int(eid), **row}, {}

    def list_categories(self, request, course):
        return self._paged(
            request, [{"id": k, **v} for k, v in self.categories.items() if v["course_id"] == int(course)]
        )

    def create_category(self, request, course):
        cid = len(self.categories) + 1
        self.categories[cid] = {"course_id": int(course), "name": request.form["name"]}
        return 200, {"id": cid, **self.categories[cid]}, {}

    def list_groups(self, request, category):
        return self._paged(
            request, [{"id": k, **v} for k, v in self.groups.items() if v["group_category_id"] == int(category)]
        )

    def create_group(self, request, category):
        if any(
            g["description"] == request.form.get("description") and g["group_category_id"] == int(category)
            for g in self.groups.values()
        ):
            self.duplicates["group"] += 1
        gid = len(self.groups) + 1
        self.groups[gid] = {
            "group_category_id": int(category),
            "name": request.form["name"],
            "description": request.form.get("description", ""),
        }
        return 200, {"id": gid, **self.groups[gid]}, {}

    def add_member(self, request, group):
        key = (int(group), int(request.form["user_id"]))
        if key in self.members:
            self.duplicates["membership"] += 1
        self.members.add(key)
        return (
            200,
            {"id": hash(key) & 0xFFFFFF, "group_id": key[0], "user_id": key[1], "workflow_state": "accepted"},
            {},
        )

    def progress(self, request, course, user):
        if not any(r["course_id"] == int(course) and r["user_id"] == int(user) for r in self.enrolments.values()):
            return 404, {"errors": [{"message": "The specified resource does not exist."}]}, {}
        return (
            200,
            {
                "requirement_count": 3,
                "requirement_completed_count": 0,
                "next_requirement_url": None,
                "completed_at": None,
            },
            {},
        )

    def create_conversation(self, request):
        """POST /api/v1/conversations: Canvas's refusals are 400 with `[{"attribute", "message"}]`."""
        recipients = request.form.getlist("recipients[]") or request.form.getlist("recipients")
        body = request.form.get("body", "")
        if not recipients:
            return 400, [{"attribute": "recipients", "message": "blank"}], {}
        ids = [int(r) for r in recipients if r.isdigit() and int(r) in self.users and int(r) not in self.unreachable]
        if len(ids) != len(recipients):
            return 400, [{"attribute": "recipients", "message": "invalid"}], {}
        if not body.strip():
            return 400, [{"attribute": "body", "message": "blank"}], {}
        cid = max(self.conversations or [500]) + 1
        self.conversations[cid] = {
            "id": cid,
            "subject": request.form.get("subject", ""),
            "body": body,
            "recipients": ids,
            "force_new": request.form.get("force_new") == "true",
            "group_conversation": request.form.get("group_conversation") == "true",
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        row = self.conversations[cid]
        return (
            201,
            [
                {
                    "id": cid,
                    "subject": row["subject"],
                    "workflow_state": "read",
                    "last_message": body[:100],
                    "last_message_at": row["created_at"],
                    "message_count": 1,
                    "participants": [{"id": 1, "name": "Integration user"}]
                    + [{"id": u, "name": self.users[u]["name"]} for u in ids],
                }
            ],
            {},
        )

    def inbox(self, user_id: int) -> list[dict]:
        """The conversations a user received, oldest first (what they would read in the Canvas Inbox)."""
        return [c for _, c in sorted(self.conversations.items()) if int(user_id) in c["recipients"]]

    def list_modules(self, request, course):
        """Modules in course order; with student_id the student's state (404 when not in the course)."""
        student = request.args.get("student_id")
        if student and not any(
            r["course_id"] == int(course) and r["user_id"] == int(student) for r in self.enrolments.values()
        ):
            return 404, {"errors": [{"message": "The specified resource does not exist."}]}, {}
        rows = [self._module(m, request, student) for m in self.modules.values() if m["course_id"] == int(course)]
        return self._paged(request, rows)

    def _module(self, m: dict, request, student: str | None) -> dict:
        host = request.host_url.rstrip("/")
        item = {
            "id": m["id"] * 10,
            "module_id": m["id"],
            "position": 1,
            "title": m["name"],
            "indent": 0,
            "type": "Page",
            "html_url": f"{host}/courses/{m['course_id']}/modules/items/{m['id'] * 10}",
            "url": f"{host}/api/v1/courses/{m['course_id']}/pages/{m['id']}",
        }
        done = self.module_done.get((m["id"], int(student))) if student else None
        if m["requirement"]:
            item["completion_requirement"] = {"type": m["requirement"]}
            if student:
                item["completion_requirement"]["completed"] = bool(done)
        row = {
            "id": m["id"],
            "workflow_state": "active",
            "position": m["id"],
            "name": m["name"],
            "unlock_at": None,
            "require_sequential_progress": False,
            "prerequisite_module_ids": [],
            "items_count": 1,
            "items_url": f"{host}/api/v1/courses/{m['course_id']}/modules/{m['id']}/items",
            "published": True,
        }
        if "items" in request.args.getlist("include[]"):
            row["items"] = [item]
        if student:  # a module without requirements counts as completed once it is unlocked
            row["state"] = "completed" if done or not m["requirement"] else "unlocked"
            row["completed_at"] = done
        return row


SCOPE_NAMES = {
    "accounts": ":account_id",
    "courses": ":course_id",
    "users": ":user_id",
    "group_categories": ":group_category_id",
    "groups": ":group_id",
    "enrollments": ":id",
}


def scope_of(method: str, pattern: str) -> str:
    """The developer-key scope of a route as Canvas names it (`url:POST|/api/v1/courses/:course_id/enrollments`)."""
    parts = re.sub(r"\([^()]*\)|\[\^/\]\+", "*", pattern).split("/")
    named = [SCOPE_NAMES.get(parts[i - 1], part) if part == "*" else part for i, part in enumerate(parts)]
    return f"url:{method}|{'/'.join(named)}"


def start(**options) -> CanvasEmulator:
    """Start a Canvas emulator on loopback; `emulator.url` is its base URL, `emulator.stop()` ends it."""
    emulator = CanvasEmulator(**options)
    emulator.start()
    return emulator
