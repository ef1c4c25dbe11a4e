"""A loopback emulator of Moodle 4.3's REST web services and /login/token.php.

Answers are shaped exactly like the recordings in tests/fixtures/http/moodle/ (a test replays every one):
HTTP 200 for every failure with `{"exception", "errorcode", "message"[, "debuginfo"]}`, the literal `null`
for void functions, `Content-type` spelt as Moodle spells it, slashes escaped, and XML when
`moodlewsrestformat` is left out. The state lives in a `MoodleSite` that tests inspect.
"""

from __future__ import annotations

import json
import re
from html import escape

from werkzeug.wrappers import Request, Response

from .moodle_functions import FUNCTIONS, WRITES, site_info
from .moodle_site import MoodleSite, WsError
from .server import LoopbackServer

WS_HEADERS = (
    ("Cache-Control", "private, must-revalidate, pre-check=0, post-check=0, max-age=0"),
    ("Expires", "Thu, 01 Jan 1970 00:00:00 GMT"),
    ("Pragma", "no-cache"),
    ("Accept-Ranges", "none"),
    ("Access-Control-Allow-Origin", "*"),
)
LOGIN_HEADERS = (
    ("Access-Control-Allow-Origin", "*"),
    ("Content-type", "application/json; charset=utf-8"),
    ("Cache-Control", "no-store, no-cache, must-revalidate, post-check=0, pre-check=0"),
    ("Pragma", "no-cache"),
    ("Expires", "Mon, 20 Aug 1969 09:23:00 GMT"),
    ("Accept-Ranges", "none"),
)
KEY = re.compile(r"\[([^\]]*)\]")


def php_parse(form) -> dict:
    """Rebuild nested parameters from PHP-style bracketed keys (`users[0][email]`); numeric keys -> lists."""
    root: dict = {}
    for name, value in form.items(multi=True):
        head = name.split("[", 1)[0]
        path = [head, *KEY.findall(name[len(head) :])]
        node = root
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return _lists(root)


def _lists(node):
    if not isinstance(node, dict):
        return node
    if node and all(k.isdigit() for k in node):
        return [_lists(node[k]) for k in sorted(node, key=int)]
    return {k: _lists(v) for k, v in node.items()}


def dumps(body) -> str:
    """JSON as PHP's json_encode writes it: compact, ASCII, slashes escaped."""
    return json.dumps(body, separators=(",", ":")).replace("/", "\\/")


def to_xml(value) -> str:
    """Moodle's REST XML: SINGLE for structures, MULTIPLE for lists, VALUE for scalars."""
    if isinstance(value, dict):
        keys = "".join(f'<KEY name="{k}">{to_xml(v)}</KEY>\n' for k, v in value.items())
        return f"<SINGLE>\n{keys}</SINGLE>\n"
    if isinstance(value, list):
        return "<MULTIPLE>\n" + "".join(to_xml(v) for v in value) + "</MULTIPLE>\n"
    if value is None:
        return '<VALUE null="null"/>\n'
    text = str(int(value)) if isinstance(value, bool) else str(value)
    return f"<VALUE>{escape(text, quote=False)}</VALUE>\n"


class MoodleEmulator:
    """The WSGI app over one MoodleSite; `start()` serves it on loopback."""

    def __init__(self, site: MoodleSite | None = None):
        self.site = site or MoodleSite.probe()
        self._server: LoopbackServer | None = None
        self.faults: list[tuple[str, int, str]] = []  # (function, status, body) answered once each

    def start(self) -> str:
        """Serve on 127.0.0.1 (free port); returns the base URL."""
        self._server = LoopbackServer(self).start()
        return self._server.base_url

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>` once started."""
        if self._server is None:
            raise RuntimeError("emulator not started")
        return self._server.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def inject(self, function: str, *, status: int = 200, body: str = "") -> None:
        """Answer the next call of `function` with this status and raw body instead."""
        self.faults.append((function, status, body))

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path == "/login/token.php" and request.method == "POST":
            return self._token(request.form)(environ, start_response)
        if request.path == "/webservice/rest/server.php":
            return self._server_php(request.values)(environ, start_response)
        return Response("not found", status=404)(environ, start_response)

    def _server_php(self, form) -> Response:
        function, fmt = form.get("wsfunction", ""), form.get("moodlewsrestformat", "xml")
        for i, (name, status, body) in enumerate(self.faults):
            if name == function:
                del self.faults[i]
                return Response(body, status=status, headers=[("Content-type", "application/json"), *WS_HEADERS])
        with self.site.lock:
            self.site.calls[function] += 1
            try:
                result = self._dispatch(form.get("wstoken", ""), function, php_parse(form))
            except WsError as err:
                return self._error(err)
        if fmt == "json":
            if function == "core_webservice_get_site_info":
                result = {k: v for k, v in result.items() if v is not None}
            return Response(dumps(result), headers=[("Content-type", "application/json"), *WS_HEADERS])
        xml = f'<?xml version="1.0" encoding="UTF-8" ?>\n<RESPONSE>\n{to_xml(result)}</RESPONSE>\n'
        return Response(
            xml,
            headers=[
                ("Content-Type", "application/xml; charset=utf-8"),
                ("Content-Disposition", 'inline; filename="response.xml"'),
                *WS_HEADERS,
            ],
        )

    def _dispatch(self, token: str, function: str, params: dict):
        site = self.site
        grant = site.tokens.get(token)
        if grant is None:
            raise WsError("moodle_exception", "invalidtoken", "Invalid token - token not found")
        if function not in FUNCTIONS:
            raise WsError(
                "dml_missing_record_exception",
                "invalidrecord",
                "Can't find data record in database table external_functions.",
            )
        allowed = self._service_functions(grant["service"])
        if function not in allowed:
            raise WsError(
                "webservice_access_exception",
                "accessexception",
                "Access control exception",
                debuginfo=ACCESS_DEBUG.format(function=function),
            )
        for key in ("wstoken", "wsfunction", "moodlewsrestformat"):
            params.pop(key, None)
        if function == "core_webservice_get_site_info":
            return site_info(site, grant["user"], params, functions=allowed)
        if function not in WRITES:
            return FUNCTIONS[function](site, grant["user"], params)
        saved = site.snapshot()
        try:
            return FUNCTIONS[function](site, grant["user"], params)
        except WsError:
            site.restore(saved)  # one delegated transaction per call: a bad item stores nothing of it
            raise

    def _service_functions(self, service: str) -> list[str]:
        names = self.site.services[service]["functions"]
        return sorted(FUNCTIONS) if names == ["*"] else sorted(names)

    def _error(self, err: WsError) -> Response:
        body = {"exception": err.exception, "errorcode": err.errorcode, "message": err.message}
        if self.site.debug and err.debuginfo:
            body["debuginfo"] = err.debuginfo
        return Response(dumps(body), headers=[("Content-type", "application/json"), *WS_HEADERS])

    def _token(self, form) -> Response:
        site = self.site
        with site.lock:
            user = site.user_by("username", form.get("username", ""))
            service = site.services.get(form.get("service", ""))
            if user is None or user.get("password") != form.get("password"):
                return _login_error("Invalid login, please try again", "invalidlogin")
            if service is None:
                return _login_error(
                    "Web service is not available (it doesn't exist or might be disabled)", "servicenotavailable"
                )
            if service["restricted"] and user["id"] not in service["users"]:
                return _login_error(
                    "The user is not allowed for this service. First you need to allow this "
                    f"user on the {form['service']}'s allowed users administration page.",
                    "usernotallowed",
                )
            token = next(
                (t for t, g in site.tokens.items() if g["user"] == user["id"] and g["service"] == form["service"]), None
            )
            if token is None:
                token = f"tok{user['id']:04d}{len(site.tokens):04d}"
                site.tokens[token] = {"user": user["id"], "service": form["service"]}
        return Response(dumps({"token": token, "privatetoken": None}), headers=list(LOGIN_HEADERS))


def _login_error(message: str, code: str) -> Response:
    body = {"error": message, "errorcode": code, "stacktrace": None, "debuginfo": None, "reproductionlink": None}
    return Response(dumps(body), headers=list(LOGIN_HEADERS))


ACCESS_DEBUG = """Access to the function {function}() is not allowed.
                     There could be multiple reasons for this:
                     1. The service linked to the user token does not contain the function.
                     2. The service is user-restricted and the user is not listed.
                     3. The service is IP-restricted and the user IP is not listed.
                     4. The service is time-restricted and the time has expired.
                     5. The token is time-restricted and the time has expired.
                     6. The service requires a specific capability which the user does not have.
                     7. The function is called with username/password (no user token is sent)
                     and none of the services has the function to allow the user.
                     These settings can be found in Administration > Site administration
                     > Server > Web services > External services and Manage tokens."""


def start(site: MoodleSite | None = None) -> MoodleEmulator:
    """Start a Moodle emulator on loopback; `emulator.url` is its base URL, `emulator.stop()` ends it."""
    emulator = MoodleEmulator(site)
    emulator.url = emulator.start()
    return emulator
