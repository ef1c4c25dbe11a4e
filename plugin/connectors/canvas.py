"""Canvas REST connector: users, enrolments, a group category per programme, a group per pair, progress.

Canvas's traps, from its documentation and issue tracker:
- OAuth 2.0 access tokens live an hour: authlib refreshes them before expiry, and a 401 that carries
  `WWW-Authenticate` (bad or expired token) triggers one refresh; a 401 without it is a permission problem;
- paging is by `Link` header with opaque URLs (`last` may be missing); `per_page` defaults to 10;
- throttling answers 403 with the text "403 Forbidden (Rate Limit Exceeded)" on older instances and 429
  on newer ones; `X-Rate-Limit-Remaining` falls as the cost bucket fills, so we slow down before that;
- Conversations (`POST /api/v1/conversations`) refuse with 400 and a list of `{"attribute", "message"}`
  (recipients blank or not messageable, body blank); success is a list of conversations, answered 200 or
  201 (unverified which), or 202 with an empty list when Canvas queues a batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import requests

from plugin.connectors.http import DEFAULT_TIMEOUT, RetryPolicy, make_session, parse_retry_after, send
from plugin.connectors.lms import LEARNER, LmsActivity, LmsCourse, LmsPerson, LmsUser, Progress
from plugin.connectors.oauth import OAuthClient, TokenCallback
from plugin.connectors.pagination import Page, cursor_pages, link_next
from plugin.connectors.ratelimit import RateLimiter, limit
from plugin.errors import FatalError, RetriableError

VENDOR = "canvas"
THROTTLE_TEXT = "Rate Limit Exceeded"
ENROLMENT_TYPES = {LEARNER: "StudentEnrollment", "teacher": "TeacherEnrollment"}
THROTTLE_PAUSE_S = 2.0


class CanvasPermissionError(FatalError):
    """Canvas answered 401 without WWW-Authenticate: the token is good but lacks a scope or permission."""


class Pacer:
    """Turns a falling X-Rate-Limit-Remaining into a pause shared by every worker on the connection."""

    def __init__(self, limiter: RateLimiter | None, *, low_water: float = 300.0, max_pause: float = 2.0):
        self.limiter, self.low_water, self.max_pause = limiter, low_water, max_pause
        self.paused = 0.0
        self.throttled = 0

    def observe(self, remaining: str | None) -> None:
        """Pause in proportion to how far the bucket is below the low-water mark."""
        try:
            left = float(remaining) if remaining is not None else None
        except ValueError:
            return
        if left is None or left >= self.low_water:
            return
        self.pause(self.max_pause * (self.low_water - max(left, 0.0)) / self.low_water)

    def pause(self, seconds: float) -> None:
        self.paused += seconds
        if self.limiter is not None:
            self.limiter.hold(seconds)


def oauth_client(
    base_url: str,
    *,
    client_id: str,
    client_secret: str,
    token: dict | None = None,
    on_token: TokenCallback | None = None,
    redirect_uri: str | None = None,
) -> OAuthClient:
    """An OAuthClient for a Canvas developer key (token endpoint /login/oauth2/token)."""
    return OAuthClient(
        client_id=client_id,
        client_secret=client_secret,
        token=token,
        on_token=on_token,
        token_endpoint=f"{base_url.rstrip('/')}/login/oauth2/token",
        auth_method="client_secret_post",
        redirect_uri=redirect_uri,
        vendor=VENDOR,
    )


class CanvasConnector:
    """One Canvas instance reached with an OAuth 2.0 token (or a plain session in tests)."""

    vendor = VENDOR

    def __init__(
        self,
        base_url: str,
        *,
        oauth: OAuthClient | None = None,
        session: requests.Session | None = None,
        account_id: str = "self",
        limiter: RateLimiter | None = None,
        policy: RetryPolicy | None = None,
        per_page: int = 100,
        auth_provider: str | None = None,
        timeout=DEFAULT_TIMEOUT,
        low_water: float = 300.0,
        max_pause: float = 2.0,
        throttle_pause: float = THROTTLE_PAUSE_S,
    ):
        self.base_url, self.account_id = base_url.rstrip("/"), account_id
        self.session = limit(oauth.session if oauth else session or make_session(), limiter)
        self._refresh = oauth.refresh if oauth else None
        self.policy, self.timeout = policy or RetryPolicy(), timeout
        self.per_page, self.auth_provider = min(per_page, 100), auth_provider
        self.pacer = Pacer(limiter, low_water=low_water, max_pause=max_pause)
        self.throttle_pause = throttle_pause
        self.requests = 0

    def _inspect(self, response: requests.Response) -> None:
        """Canvas-specific classification, seen before the shared rules."""
        self.requests += 1
        self.pacer.observe(response.headers.get("X-Rate-Limit-Remaining"))
        if response.status_code == 429 or (response.status_code == 403 and THROTTLE_TEXT in response.text):
            wait = parse_retry_after(response.headers.get("Retry-After")) or self.throttle_pause
            self.pacer.throttled += 1
            self.pacer.pause(wait)
            raise RetriableError(f"Canvas throttled the request ({response.status_code})", retry_after=wait)
        if response.status_code == 401 and "WWW-Authenticate" not in response.headers:
            raise CanvasPermissionError(
                f"Canvas refused {response.request.method} {response.request.path_url.split('?')[0]}: the token "
                "lacks the scope or the connected user the permission (401 without WWW-Authenticate)"
            )

    def _send(self, method: str, path: str, **kwargs) -> requests.Response:
        url = path if path.startswith("http") else self.base_url + path
        return send(
            self.session,
            method,
            url,
            policy=self.policy,
            refresh=self._refresh,
            vendor=VENDOR,
            timeout=self.timeout,
            inspect=self._inspect,
            **kwargs,
        )

    def _pages(self, path: str, *, missing_ok: bool = False, **params) -> Iterator[dict]:
        """Every item of a paged list; with missing_ok a 404 (a user not in the course) is an empty list."""
        allowed = (404,) if missing_ok else ()

        def fetch(url):
            response = (
                self._send("GET", url, passthrough=allowed)
                if url
                else self._send("GET", path, params={**params, "per_page": self.per_page}, passthrough=allowed)
            )
            if response.status_code == 404:
                return Page([], None)
            return Page(response.json(), link_next(response))

        return cursor_pages(fetch)

    def courses(self) -> list[LmsCourse]:
        """The account's courses (an admin's token), else the courses of the token's own user."""
        path = f"/api/v1/accounts/{self.account_id}/courses" if self.account_id != "self" else "/api/v1/courses"
        return [
            LmsCourse(str(c["id"]), c.get("name") or "", c.get("course_code") or "")
            for c in self._pages(path)
            if c.get("workflow_state", "available") != "deleted"
        ]

    def allows(self, method: str, path: str) -> bool:
        """Whether the token's scopes let it call this endpoint, asked of an id that does not exist (0).

        Canvas checks a developer key's scopes before the controller looks anything up, so a missing scope
        answers 401 and a granted one 404 for object 0: nothing is read or written.
        """
        try:
            self._send(method, path, passthrough=(400, 404))
        except CanvasPermissionError:
            return False
        return True

    def send_message(self, user_id: str, subject: str, text: str, html: str, *, client_ref: str = "") -> str:
        """A new one-to-one conversation from the token's user to `user_id` (plain text body); returns its id.

        `force_new` keeps each message its own conversation (never appended to an older thread), and
        `group_conversation=false` keeps it private even if a shared context were named.
        """
        response = self._send(
            "POST",
            "/api/v1/conversations",
            data={
                "recipients[]": [user_id],
                "subject": subject,
                "body": text,
                "force_new": "true",
                "group_conversation": "false",
            },
            passthrough=(400,),
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 400:
            raise FatalError(f"Canvas refused the conversation to user {user_id}: {_refusal(body, response.text)}")
        if isinstance(body, list) and body and isinstance(body[0], dict) and body[0].get("id") is not None:
            return str(body[0]["id"])
        if response.status_code == 202 and body == []:
            return "queued"  # Canvas accepted it for its own background delivery
        raise FatalError(f"Canvas answered the conversation with {response.text[:200]!r}, not a conversation list")

    def find_users(self, emails: list[str]) -> dict[str, LmsUser]:
        """Users of the account whose login or email matches, keyed by lower-cased email."""
        found: dict[str, LmsUser] = {}
        for email in emails:
            for user in self._pages(
                f"/api/v1/accounts/{self.account_id}/users", search_term=email, **{"include[]": "email"}
            ):
                for address in (user.get("email"), user.get("login_id")):
                    if address and address.lower() == email.lower():
                        found[email.lower()] = LmsUser(str(user["id"]), email)
        return found

    def create_user(self, person: LmsPerson) -> LmsUser:
        """Create a user whose login is the work email (through the SSO provider when one is set)."""
        form = {
            "user[name]": f"{person.first_name} {person.last_name}".strip(),
            "user[skip_registration]": "true",
            "pseudonym[unique_id]": person.email,
            "pseudonym[send_confirmation]": "false",
            "communication_channel[type]": "email",
            "communication_channel[address]": person.email,
            "communication_channel[skip_confirmation]": "true",
        }
        if self.auth_provider:
            form["pseudonym[authentication_provider_id]"] = self.auth_provider
        user = self._send("POST", f"/api/v1/accounts/{self.account_id}/users", data=form).json()
        return LmsUser(str(user["id"]), person.email)

    def enrol(self, course_id: str, user_id: str, role: str = LEARNER) -> str:
        """Enrol (or re-activate) without notifying; returns the enrollment id."""
        body = self._send(
            "POST",
            f"/api/v1/courses/{course_id}/enrollments",
            data={
                "enrollment[user_id]": user_id,
                "enrollment[type]": ENROLMENT_TYPES.get(role, role),
                "enrollment[enrollment_state]": "active",
                "enrollment[notify]": "false",
            },
        ).json()
        return str(body["id"])

    def suspend(self, course_id: str, user_id: str, enrolment_ref: str, role: str = LEARNER) -> None:
        """Deactivate the enrollment: it stays, with its history, but the user loses access."""
        self._send("DELETE", f"/api/v1/courses/{course_id}/enrollments/{enrolment_ref}", params={"task": "deactivate"})

    def ensure_group_set(self, course_id: str, key: str, name: str) -> str:
        """The programme's group category in the course, found by name or created."""
        for category in self._pages(f"/api/v1/courses/{course_id}/group_categories"):
            if category.get("name") == name:
                return str(category["id"])
        body = self._send("POST", f"/api/v1/courses/{course_id}/group_categories", data={"name": name}).json()
        return str(body["id"])

    def find_group(self, course_id: str, group_set: str, key: str) -> str | None:
        """A group of the category carrying our key in its description."""
        for group in self._pages(f"/api/v1/group_categories/{group_set}/groups"):
            if group.get("description") == key:
                return str(group["id"])
        return None

    def ensure_group(self, course_id: str, group_set: str, key: str, name: str) -> str:
        """Create the pair's group in the programme's category (the key goes in the description)."""
        body = self._send(
            "POST",
            f"/api/v1/group_categories/{group_set}/groups",
            data={"name": name, "description": key, "join_level": "invitation_only"},
        ).json()
        return str(body["id"])

    def add_members(self, group_id: str, user_ids: list[str]) -> None:
        """One membership request per user (Canvas returns the existing membership for a member)."""
        for user_id in user_ids:
            self._send("POST", f"/api/v1/groups/{group_id}/memberships", data={"user_id": user_id})

    def progress(self, course_id: str, user_id: str) -> Progress:
        """Module-requirement progress read back for one user."""
        response = self._send("GET", f"/api/v1/courses/{course_id}/users/{user_id}/progress", passthrough=(404,))
        if response.status_code == 404:
            return Progress("not_enrolled")
        body = response.json()
        total, done = int(body.get("requirement_count") or 0), int(body.get("requirement_completed_count") or 0)
        if body.get("completed_at"):
            when = datetime.fromisoformat(body["completed_at"].replace("Z", "+00:00"))
            return Progress("complete", done, total, when)
        return Progress("in_progress" if total else "not_tracked", done, total)

    def activities(self, course_id: str) -> list[LmsActivity]:
        """Published modules with at least one completion requirement (the only ones a state can be read of)."""
        return [
            LmsActivity(str(m["id"]), m.get("name") or "", f"{self.base_url}/courses/{course_id}/modules/{m['id']}")
            for m in self._pages(f"/api/v1/courses/{course_id}/modules", **{"include[]": "items"})
            if m.get("published", True) and any(i.get("completion_requirement") for i in m.get("items") or [])
        ]

    def activities_done(self, course_id: str, user_id: str) -> set[str]:
        """Modules whose state for this student is 'completed' (all their requirements met)."""
        modules = self._pages(f"/api/v1/courses/{course_id}/modules", missing_ok=True, student_id=user_id)
        return {str(m["id"]) for m in modules if m.get("state") == "completed"}


def _refusal(body, text: str) -> str:
    """Canvas's reasons for a 400 on a conversation: `[{"attribute", "message"}]` or `{"errors": ...}`."""
    items = body.get("errors") if isinstance(body, dict) else body
    if isinstance(items, dict):
        items = [{"attribute": k, "message": v} for k, v in items.items()]
    if isinstance(items, list):
        reasons = [
            f"{i.get('attribute', '?')} {i.get('message', '')}".strip() if isinstance(i, dict) else str(i)
            for i in items
        ]
        if reasons:
            return "; ".join(reasons)[:300]
    return (text or "no reason given").strip()[:300]
