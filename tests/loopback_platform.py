"""An independent LTI 1.3 platform (lti1p3platform 0.1.8) served over loopback HTTP for end-to-end tests.

lti1p3platform builds and signs the launches, validates the tool's client assertions, issues access tokens
and runs the NRPS/AGS handlers; this module is only its HTTP adapter (Flask on a werkzeug thread) plus the
checks the library leaves out (exact redirect_uri, OIDC auth parameters, score media type).
"""

from __future__ import annotations

import html
import json
import threading
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response, jsonify, request
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.service_connector import AssignmentsGradesService, NamesRoleProvisioningService
from werkzeug.serving import make_server

SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


class Server:
    """A WSGI app on 127.0.0.1 and a free port, in a daemon thread."""

    def __init__(self, app=None):
        self.app = app
        self._server = make_server("127.0.0.1", 0, lambda env, start: self.app(env, start), threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> Server:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()


class _Req(Request):
    def build_metadata(self, flask_request):
        return {
            "method": flask_request.method,
            "form_data": flask_request.form.to_dict(),
            "get_data": flask_request.args.to_dict(),
            "headers": flask_request.headers,
            "content_type": flask_request.content_type,
            "path": flask_request.path,
            "json": flask_request.get_json(silent=True, force=True),
        }


class LoopbackPlatform:
    """A course with members, a line-item store and a score log, as an LMS would keep them."""

    def __init__(self, tool_url: str, client_id: str = "e2e-client", deployment_id: str = "e2e-dep"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        self.public_pem = (
            key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        self.server = Server()
        self.issuer = self.server.url
        self.tool_url, self.client_id, self.deployment_id = tool_url, client_id, deployment_id
        self.members = [
            {"user_id": "lms-1", "roles": [LEARNER], "email": "ada@example.com", "name": "Ada"},
            {"user_id": "lms-2", "roles": [LEARNER], "email": "grace@example.com", "name": "Grace"},
            {"user_id": "lms-3", "roles": [LEARNER], "email": "nobody@example.com", "name": "N"},
        ]
        self.course_id = "c1"  # the LTI context id of the one course (a test may name an LMS course's id)
        self.lineitems: dict[str, dict] = {}
        self.scores: list[dict] = []
        self.checks: list[str] = []
        self.users: dict[str, dict] = {}
        self.server.app = self._flask()

    # -- registration with lti1p3platform --------------------------------------------------------
    def registration(self) -> Registration:
        reg = Registration()
        reg.set_iss(self.issuer).set_client_id(self.client_id).set_deployment_id(self.deployment_id)
        reg.set_oidc_login_url(self.tool_url + "/lti/login").set_launch_url(self.tool_url + "/lti/launch")
        reg.set_platform_public_key(self.public_pem).set_platform_private_key(self.private_pem)
        reg.set_tool_key_set_url(self.tool_url + "/lti/jwks.json")
        return reg

    def config(self) -> LTI1P3PlatformConfAbstract:
        platform = self

        class Conf(LTI1P3PlatformConfAbstract):
            def init_platform_config(self, **kwargs):
                self._registration = platform.registration()

            def get_registration_by_params(self, **kwargs):
                return self._registration

        return Conf()

    @property
    def urls(self) -> dict:
        return {
            "auth": self.issuer + "/auth",
            "token": self.issuer + "/token",
            "jwks": self.issuer + "/jwks",
            "memberships": self.issuer + "/courses/c1/memberships",
            "lineitems": self.issuer + "/courses/c1/lineitems",
        }

    def login_url(self, user_id: str, **user) -> str:
        """Where the LMS sends the browser to start a launch (third-party initiated login)."""
        self.users[user_id] = user

        class Login(OIDCLoginAbstract):
            def set_lti_message_hint(self, **kwargs):
                self._lti_message_hint = json.dumps(kwargs)

            def get_redirect(self, url):
                return url

        login = Login(None, self.config())
        login.set_lti_message_hint(user=user_id)
        return login.initiate_login(user_id)

    # -- HTTP ----------------------------------------------------------------------------------
    def _flask(self) -> Flask:
        app = Flask("loopback-platform")
        platform = self

        class Launch(LTIAdvantageMessageLaunchAbstract):
            def get_preflight_response(self):
                return request.args.to_dict()

            def render_launch_form(self, launch_data, **kwargs):
                fields = "".join(
                    f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
                    for k, v in launch_data.items()
                    if k != "launch_url"
                )
                return (
                    f'<form id="launch" method="post" action="{html.escape(launch_data["launch_url"])}">{fields}</form>'
                )

        @app.get("/jwks")
        def jwks():
            conf = platform.config()
            conf.get_registration()
            return jsonify(conf.get_jwks())

        @app.get("/auth")
        def auth():
            args = request.args
            # The checks lti1p3platform leaves to the LMS (Moodle's auth.php refuses these).
            if args.get("redirect_uri") != platform.tool_url + "/lti/launch":
                return Response("unregistered redirect_uri", 404)
            for name, value in (
                ("scope", "openid"),
                ("response_type", "id_token"),
                ("response_mode", "form_post"),
                ("prompt", "none"),
            ):
                if args.get(name) != value:
                    return Response(f"bad {name}", 400)
            user_id = args.get("login_hint", "")
            user = platform.users.get(user_id)
            if user is None:
                return Response("login_hint is not a signed-in user", 400)
            launch = Launch(_Req(request), platform.config())
            launch.set_user_data(user_id, user.get("roles", [LEARNER]), user.get("name"), user.get("email"))
            launch.set_resource_link_claim("rl-1", title="Flipside")
            launch.set_launch_context_claim(platform.course_id, context_title="Course 1")
            launch.set_extra_claims(
                {"https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {"locale": user.get("locale", "en")}}
            )
            launch.set_ags(platform.urls["lineitems"])
            launch.set_nrps(platform.urls["memberships"])
            return launch.lti_launch()

        @app.post("/token")
        def token():
            conf = platform.config()
            conf.get_registration()
            try:
                return jsonify(conf.get_access_token(request.form.to_dict()))
            except Exception as exc:  # noqa: BLE001 - the platform answers any failure with 400
                return jsonify({"error": "invalid_client", "detail": str(exc)}), 400

        @app.get("/courses/c1/memberships")
        def memberships():
            service = _Nrps(_Req(request), platform.config(), platform.urls["memberships"], platform)
            response = service.handle_resp(service.handle_get_members)
            headers = {}
            if response.result and response.result.get("next"):
                headers["Link"] = f'<{response.result.pop("next")}>; rel="next"'
            return _answer(response, headers)

        @app.route("/courses/c1/lineitems", methods=["GET", "POST"])
        def lineitems():
            service = _Ags(_Req(request), platform.config(), platform.urls["lineitems"], platform)
            if request.method == "POST":
                return _answer(service.handle_resp(service.handle_create_lineitem))
            response = service.handle_resp(service.handle_get_lineitems)
            return _answer(response, body=response.result["content"] if response.result else None)

        @app.get("/courses/c1/lineitems/<item_id>/results")
        def results(item_id):
            service = _Ags(_Req(request), platform.config(), platform.urls["lineitems"], platform)
            response = service.handle_resp(service.handle_get_results, line_item_id=item_id)
            return _answer(response, body=response.result["content"] if response.result else None)

        @app.post("/courses/c1/lineitems/<item_id>/scores")
        def scores(item_id):
            if request.content_type != SCORE_TYPE:
                return Response("No handler found", 400)
            service = _Ags(_Req(request), platform.config(), platform.urls["lineitems"], platform)
            return _answer(service.handle_resp(service.handle_update_score, line_item_id=item_id))

        return app


def _answer(response, headers=None, body=...):
    payload = response.result if body is ... else body
    if response.code >= 400:
        payload = {"error": response.message}
    text = "" if payload is None else json.dumps(payload)
    return Response(text, response.code, headers=headers or {}, content_type=response.media_type)


class _Nrps(NamesRoleProvisioningService):
    def __init__(self, req, conf, url, platform):
        super().__init__(req, conf, url)
        conf.get_registration()
        self.platform = platform

    def get_context_by_id(self):
        from lti1p3platform.membership import Context

        return Context(id=self.platform.course_id, label="C1", title="Course 1")

    def get_member_data_page(self, page=1, limit=None, **_):
        page, limit = int(page), int(limit) if limit else 2  # small pages, so the tool must follow Link
        rows = self.platform.members[(page - 1) * limit : page * limit]
        has_next = page * limit < len(self.platform.members)
        if has_next:  # the handler adds `next` only when the tool asked for a limit: page by default
            self.request.request["get_data"].setdefault("limit", str(limit))
            self.request.request["get_data"]["page"] = page
        return {"content": [dict(r, status="Active") for r in rows], "has_next": has_next}


class _Ags(AssignmentsGradesService):
    def __init__(self, req, conf, url, platform):
        super().__init__(req, conf, url)
        conf.get_registration()
        self.platform = platform

    def find_lineitems(self, tag=None, **_):
        items = [i for i in self.platform.lineitems.values() if tag is None or i.get("tag") == tag]
        return {"content": items, "has_next": False}

    def find_lineitem(self, line_item_id):
        return self.platform.lineitems[line_item_id]

    def create_lineitem(self, creation_data):
        item_id = uuid.uuid4().hex[:8]
        item = dict(creation_data, id=f"{self.platform.urls['lineitems']}/{item_id}")
        self.platform.lineitems[item_id] = item
        return item

    def update_lineitem(self, update_data):
        raise NotImplementedError

    def delete_lineitem(self, line_item_id):
        raise NotImplementedError

    def get_results(self, line_item_id, user_id=None, **_):
        """The latest score of each user on the line item, as LTI results."""
        latest = {s["userId"]: s for s in self.platform.scores if s["lineitem"] == line_item_id}
        rows = [
            {
                "id": f"{self.platform.urls['lineitems']}/{line_item_id}/results/{u}",
                "userId": u,
                "resultScore": s.get("scoreGiven"),
                "resultMaximum": s.get("scoreMaximum"),
            }
            for u, s in latest.items()
            if user_id is None or u == user_id
        ]
        return {"content": rows, "has_next": False}

    def update_score(self, line_item_id, score):
        from lti1p3platform.score import UpdateScoreStatus

        if line_item_id not in self.platform.lineitems:
            from lti1p3platform.exceptions import LineItemNotFoundException

            raise LineItemNotFoundException()
        self.platform.scores.append(dict(score, lineitem=line_item_id))
        return UpdateScoreStatus.SUCCESS
