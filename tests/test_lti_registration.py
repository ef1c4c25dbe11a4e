"""Installation: dynamic registration replayed from real Moodle 4.3 exchanges, Canvas, canvas.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses

from plugin.db import db
from plugin.lti.dynamic_registration import invitation
from plugin.models.lti import LtiDeploymentOrganisation, LtiRegistration
from plugin.services.organisations import create_organisation
from tests.lti_support import BASE, reason

MOODLE = Path(__file__).parent / "fixtures" / "http" / "moodle"
CONFIG_URL = "http://127.0.0.1:8080/mod/lti/openid-configuration.php"
REQUIRED = (
    "response_types",
    "initiate_login_uri",
    "redirect_uris",
    "client_name",
    "jwks_uri",
    "token_endpoint_auth_method",
    "https://purl.imsglobal.org/spec/lti-tool-configuration",
)


def recorded(name: str) -> dict:
    return json.loads((MOODLE / f"{name}.json").read_text())


class MoodleRegistrationEndpoint:
    """Replays Moodle's openid-registration.php: Bearer token required and single use, 200 with the answer."""

    def __init__(self, token: str):
        self.token, self.used, self.bodies = token, False, []

    def __call__(self, request):
        auth = request.headers.get("Authorization", "")
        if not auth:
            return 401, {"Content-type": "text/html; charset=utf-8"}, "missing_registration_token"
        if auth != f"Bearer {self.token}" or self.used:
            return 401, {"Content-type": "text/html; charset=utf-8"}, "token_already_used"
        self.used = True
        body = json.loads(request.body)
        self.bodies.append(body)
        missing = [k for k in REQUIRED if not body.get(k)]
        if missing or body["token_endpoint_auth_method"] != "private_key_jwt":
            return 400, {}, f"missing {missing}"
        answer = recorded("lti__dynreg__register__ok")["response"]
        return (
            answer["status"],
            {"Content-Type": "application/json; charset=utf-8"},
            json.dumps(answer["body"]),
        )


@pytest.fixture
def moodle():
    endpoint = MoodleRegistrationEndpoint("reg-token-1")
    config = recorded("lti__dynreg__openid_configuration__get_with_token")["response"]["body"]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.GET, CONFIG_URL, json=config)
        mock.add_callback(responses.POST, config["registration_endpoint"], callback=endpoint)
        yield endpoint, mock


def start(client, token="reg-token-1", **extra):  # noqa: S107 - a recorded test token
    # The query Moodle's 302 (lti__dynreg__start__redirect) sends the browser to.
    query = recorded("lti__dynreg__start__redirect")["response"]["location_decoded"]["query"]
    query = {**query, "registration_token": token, **extra}
    return client.get("/lti/register", query_string=query, base_url=BASE)


def test_moodle_dynamic_registration_replayed(tool, moodle):
    endpoint, mock = moodle
    response = start(tool.test_client())
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "org.imsglobal.lti.close" in page
    sent = endpoint.bodies[0]
    assert mock.calls[1].request.headers["Authorization"] == "Bearer reg-token-1"
    assert sent["initiate_login_uri"] == BASE + "/lti/login" and sent["jwks_uri"] == BASE + "/lti/jwks.json"
    assert "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly" in sent["scope"]
    row = db.session.query(LtiRegistration).one()
    assert (row.issuer, row.client_id, row.product) == ("http://127.0.0.1:8080", "HW1B7YKR1VmV5Qx", "moodle")
    assert [d.deployment_id for d in row.deployments] == ["4"]
    assert row.status == "pending"  # nobody invited it into an organisation yet
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly" in row.scopes
    assert "pending" in page  # the admin is told to activate the tool in Moodle


def test_registration_with_an_invitation_joins_the_organisation(tool, moodle):
    org = create_organisation(db.session, "acme", "Acme")
    db.session.commit()
    token = invitation(tool.config["FLIPSIDE"].secret_key, org.id)
    assert start(tool.test_client(), org=token).status_code == 200
    row = db.session.query(LtiRegistration).one()
    assert row.status == "active"
    attached = db.session.query(LtiDeploymentOrganisation).execution_options(all_tenants=True).one()
    assert attached.organisation_id == org.id


def test_reused_registration_token_is_refused_with_a_clear_page(tool, moodle):
    client = tool.test_client()
    assert start(client).status_code == 200
    again = start(client)
    assert again.status_code == 400 and reason(again) == "registration_refused"
    assert "token_already_used" in again.get_data(as_text=True)


def test_forged_invitation_is_refused(tool, moodle):
    assert start(tool.test_client(), org="not-a-signed-token").status_code == 400


CANVAS_CONFIG = {
    "issuer": "https://canvas.instructure.com",
    "authorization_endpoint": "https://sso.canvaslms.com/api/lti/authorize_redirect",
    "token_endpoint": "https://school.instructure.com/login/oauth2/token",
    "jwks_uri": "https://sso.canvaslms.com/api/lti/security/jwks",
    "registration_endpoint": "https://school.instructure.com/api/lti/registrations",
    "scopes_supported": [
        "openid",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    ],
    "https://purl.imsglobal.org/spec/lti-platform-configuration": {"product_family_code": "canvas"},
}


def test_canvas_dynamic_registration_asks_for_course_navigation_public_privacy_and_scopes(tool):
    sent = []

    def register(request):
        sent.append(json.loads(request.body))
        trimmed = "https://purl.imsglobal.org/spec/lti-ags/scope/score"  # the admin kept only this scope
        return (
            201,
            {},
            json.dumps(
                {
                    "client_id": "10000000000042",
                    "scope": trimmed,
                    "https://purl.imsglobal.org/spec/lti-tool-configuration": {"deployment_id": "42:abc"},
                }
            ),
        )

    config_url = "https://school.instructure.com/api/lti/security/openid-configuration"
    with responses.RequestsMock() as mock:
        mock.add(
            responses.GET,
            config_url,
            json=CANVAS_CONFIG,
            match=[responses.matchers.header_matcher({"Authorization": "Bearer canvas-token"})],
        )
        mock.add_callback(responses.POST, CANVAS_CONFIG["registration_endpoint"], callback=register)
        response = tool.test_client().get(
            "/lti/register",
            base_url=BASE,
            query_string={"openid_configuration": config_url, "registration_token": "canvas-token"},
        )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "org.imsglobal.lti.close" in page
    tool_conf = sent[0]["https://purl.imsglobal.org/spec/lti-tool-configuration"]
    assert tool_conf["https://canvas.instructure.com/lti/privacy_level"] == "public"
    assert tool_conf["messages"][0]["placements"] == ["course_navigation"]
    assert "contextmembership.readonly" in sent[0]["scope"] and "lineitem" in sent[0]["scope"]
    assert "contextmembership.readonly" in page  # trimmed scopes are reported
    row = db.session.query(LtiRegistration).one()
    assert row.scopes == ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]


def test_canvas_developer_key_json(tool):
    data = tool.test_client().get("/lti/canvas.json", base_url=BASE).json
    assert data["oidc_initiation_url"] == BASE + "/lti/login"
    assert data["public_jwk_url"] == BASE + "/lti/jwks.json"
    ext = data["extensions"][0]
    assert ext["privacy_level"] == "public"
    assert ext["settings"]["placements"][0]["placement"] == "course_navigation"
    assert "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly" in data["scopes"]


@pytest.mark.parametrize(
    "url", ["http://lms.example/openid", "https://127.0.0.1/openid", "https://10.1.2.3/openid", "https://[::1]/openid"]
)
def test_production_refuses_plain_http_and_internal_addresses(url):
    from plugin.lti.dynamic_registration import RegistrationFailed, _url

    with pytest.raises(RegistrationFailed):
        _url(url, production=True)
