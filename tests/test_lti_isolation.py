"""Tenancy through LTI: two organisations on one deployment, two Canvas clients on one issuer."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import jwt
import pytest
import responses

from plugin.db import db
from plugin.lti.service_connector import connector_for
from plugin.models import Employee
from plugin.models.lti import LtiRegistration, LtiUserLink
from plugin.services.organisations import create_organisation
from plugin.services.tenant import Tenant
from tests.lti_support import BASE, INSTITUTION_ADMIN, Platform, launch, login, reason, serve_jwks

CANVAS = "https://canvas.instructure.com"


def _org(slug, *emails):
    org = create_organisation(db.session, slug, slug.upper())
    for i, email in enumerate(emails):
        db.session.add(
            Employee(
                organisation_id=org.id,
                source_system="hris",
                source_id=f"{slug}-{i}",
                first_name=email.split("@")[0].title(),
                last_name="X",
                work_email=email,
            )
        )
    db.session.commit()
    return org


def _signed_in_org(tool, platform, **claims):
    client = tool.test_client()
    state, nonce = login(client, platform)
    response = launch(client, platform.sign(platform.claims(nonce, **claims)), state)
    return client, response


@pytest.fixture
def shared_deployment(tool, platform, jwks_mock):
    a = _org("org-a", "ada@a.example", "same@both.example")
    b = _org("org-b", "bob@b.example", "same@both.example")
    platform.register(db.session, organisation_ids=[a.id, b.id])
    return a, b


def test_each_user_lands_in_their_own_organisation(tool, platform, shared_deployment):
    a, b = shared_deployment
    client, _ = _signed_in_org(tool, platform, sub="u-ada", email="ada@a.example")
    assert "ORG-A" in client.get("/me/", base_url=BASE).get_data(as_text=True)
    client, _ = _signed_in_org(tool, platform, sub="u-bob", email="bob@b.example")
    page = client.get("/me/", base_url=BASE).get_data(as_text=True)
    assert "ORG-B" in page and "ORG-A" not in page


def test_an_email_known_in_both_organisations_matches_neither(tool, platform, shared_deployment):
    _client, response = _signed_in_org(tool, platform, sub="u-same", email="same@both.example")
    assert response.status_code == 403 and reason(response) == "no_employee_match"


def test_hr_admin_sees_only_their_organisation(tool, platform, shared_deployment):
    a, b = shared_deployment
    db.session.add(
        LtiUserLink(
            organisation_id=b.id,
            registration_id=db.session.query(LtiRegistration.id).scalar(),
            lms_user_id="b-only",
            lms_name="B Pending",
            confirmed=False,
            method="manual",
        )
    )
    db.session.commit()
    client, response = _signed_in_org(tool, platform, sub="u-ada", email="ada@a.example", roles=[INSTITUTION_ADMIN])
    assert response.headers["Location"].endswith("/admin/")
    page = client.get("/admin/", base_url=BASE).get_data(as_text=True)
    assert "ORG-A" in page and "ORG-B" not in page and "B Pending" not in page


@pytest.fixture
def two_canvas_clients(tool):
    first = Platform(issuer=CANVAS, client_id="10000000000001", deployment_id="1:aaa")
    second = Platform(issuer=CANVAS, client_id="10000000000002", deployment_id="2:bbb")
    second.keys, second.published, second.kid = first.keys, first.published, first.kid  # one Canvas JWKS
    a, b = _org("school-a", "alice@a.example"), _org("school-b", "alice@b.example")
    first.register(db.session, organisation_ids=[a.id])
    second.register(db.session, organisation_ids=[b.id])
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        serve_jwks(mock, first)
        yield first, second, mock


def test_same_canvas_user_id_under_two_clients_maps_to_two_organisations(tool, two_canvas_clients):
    first, second, _ = two_canvas_clients
    client, _ = _signed_in_org(tool, first, sub="canvas-user-9", email="alice@a.example")
    assert "SCHOOL-A" in client.get("/me/", base_url=BASE).get_data(as_text=True)
    client, _ = _signed_in_org(tool, second, sub="canvas-user-9", email="alice@b.example")
    page = client.get("/me/", base_url=BASE).get_data(as_text=True)
    assert "SCHOOL-B" in page and "SCHOOL-A" not in page


def test_a_token_for_one_canvas_client_cannot_complete_anothers_login(tool, two_canvas_clients):
    first, second, _ = two_canvas_clients
    client = tool.test_client()
    state, nonce = login(client, first)
    token = second.sign(second.claims(nonce, email="alice@b.example"))  # aud = the other client
    assert reason(launch(client, token, state)) == "aud_mismatch"


def test_an_email_from_another_school_does_not_match(tool, two_canvas_clients):
    first, _second, _ = two_canvas_clients
    _client, response = _signed_in_org(tool, first, sub="canvas-user-7", email="alice@b.example")
    assert reason(response) == "no_employee_match"
    assert Tenant(db.session, 2).count(LtiUserLink) == 0


def test_service_tokens_are_never_shared_between_clients_of_one_issuer(tool, two_canvas_clients):
    first, second, mock = two_canvas_clients
    issued = []

    def token(request):
        form = {k: v[0] for k, v in parse_qs(request.body).items()}
        client_id = jwt.decode(form["client_assertion"], options={"verify_signature": False})["sub"]
        issued.append(client_id)
        return 200, {}, json.dumps({"access_token": f"token-for-{client_id}", "expires_in": 3600})

    mock.add_callback(responses.POST, CANVAS + "/token", callback=token)
    scopes = ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
    regs = sorted(r.id for r in db.session.query(LtiRegistration))
    one = connector_for(regs[0]).get_access_token(scopes)
    two = connector_for(regs[1]).get_access_token(scopes)
    assert one == f"token-for-{first.client_id}" and two == f"token-for-{second.client_id}"
    assert connector_for(regs[0]).get_access_token(scopes) == one  # cached, per client
    assert issued == [first.client_id, second.client_id]
