"""Registrations are owned: attacks on both takeover paths, written as the attacker would send them.

Each refused attempt asserts that the stored registration (URLs, status, deployments, organisations) is
exactly as before and that no change event was written.
"""

from __future__ import annotations

import json
import re

import pytest
import responses

from plugin.db import db
from plugin.lti.dynamic_registration import invitation
from plugin.lti.registrations import PlatformInput, attach_organisation, save_platform
from plugin.models.lti import LtiDeployment, LtiDeploymentOrganisation, LtiRegistration, LtiRegistrationEvent
from plugin.services.admin_login import session_user
from plugin.services.organisations import create_organisation
from tests.lti_support import BASE, reason
from tests.test_lti_registration import CANVAS_CONFIG, CONFIG_URL, MoodleRegistrationEndpoint, recorded, start

CANVAS = "https://canvas.instructure.com"


def snapshot() -> list[tuple]:
    """Everything a takeover would change."""
    db.session.expire_all()
    regs = [
        (r.id, r.issuer, r.client_id, r.auth_login_url, r.auth_token_url, r.key_set_url, r.status, r.config_origin)
        for r in db.session.query(LtiRegistration).order_by(LtiRegistration.id)
    ]
    deps = [(d.registration_id, d.deployment_id) for d in db.session.query(LtiDeployment).order_by(LtiDeployment.id)]
    orgs = [
        (o.deployment_pk, o.organisation_id)  # every organisation's links: the test reads across tenants
        for o in db.session.query(LtiDeploymentOrganisation).execution_options(all_tenants=True)
    ]
    return [*regs, *deps, *orgs, db.session.query(LtiRegistrationEvent).count()]


def _org(slug: str) -> int:
    org = create_organisation(db.session, slug, slug.title())
    db.session.commit()
    return org.id


def _canvas_victim(org_id: int) -> LtiRegistration:
    row = save_platform(
        db.session,
        PlatformInput(
            issuer=CANVAS,
            client_id="10000000000042",
            auth_login_url="https://sso.canvaslms.com/api/lti/authorize_redirect",
            auth_token_url="https://victim.instructure.com/login/oauth2/token",
            key_set_url="https://sso.canvaslms.com/api/lti/security/jwks",
            deployment_ids=("42:victim",),
        ),
    )
    attach_organisation(db.session, row.id, "42:victim", org_id)
    return row


def _dynamic(tool, config_url: str, config: dict, answer: dict, **query):
    """Run /lti/register against a platform serving `config` and answering `answer`; returns (response, posts)."""
    posts = []

    def register(request):
        posts.append(json.loads(request.body))
        return 201, {}, json.dumps(answer)

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.GET, config_url, json=config)
        mock.add_callback(responses.POST, config["registration_endpoint"], callback=register)
        response = tool.test_client().get(
            "/lti/register",
            base_url=BASE,
            query_string={"openid_configuration": config_url, "registration_token": "t", **query},
        )
    return response, posts


def test_a_fake_platform_claiming_canvas_cloud_from_its_own_host_is_refused_before_registering(tool):
    victim = _org("victim")
    _canvas_victim(victim)
    before = snapshot()
    evil = {
        **CANVAS_CONFIG,
        "authorization_endpoint": "https://evil.test/auth",
        "token_endpoint": "https://evil.test/token",
        "jwks_uri": "https://evil.test/jwks",
        "registration_endpoint": "https://evil.test/register",
    }
    response, posts = _dynamic(tool, "https://evil.test/openid-configuration", evil, {"client_id": "10000000000042"})
    assert response.status_code == 400 and reason(response) == "issuer_host_mismatch"
    assert posts == []  # refused before Flipside even registered itself there
    assert snapshot() == before


def test_a_fake_platform_naming_another_moodles_issuer_is_refused(tool):
    config = recorded("lti__dynreg__openid_configuration__get_with_token")["response"]["body"]
    evil = {**config, "registration_endpoint": "https://evil.test/register"}  # issuer stays the real Moodle's
    response, posts = _dynamic(tool, "https://evil.test/openid-configuration", evil, {"client_id": "HW1B7YKR1VmV5Qx"})
    assert reason(response) == "issuer_host_mismatch" and posts == []
    assert db.session.query(LtiRegistration).count() == 0


def test_another_canvas_customer_cannot_take_over_an_existing_client_id(tool):
    """From a genuine Canvas host, with a valid invitation of the attacker's own organisation."""
    victim, attacker = _org("victim"), _org("attacker")
    _canvas_victim(victim)
    before = snapshot()
    config_url = "https://attacker.instructure.com/api/lti/security/openid-configuration"
    config = {
        **CANVAS_CONFIG,
        "jwks_uri": "https://attacker.instructure.com/jwks",
        "registration_endpoint": "https://attacker.instructure.com/api/lti/registrations",
    }
    answer = {
        "client_id": "10000000000042",
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {"deployment_id": "42:evil"},
    }
    for invite in ("", invitation(tool.config["FLIPSIDE"].secret_key, attacker)):
        response, _ = _dynamic(tool, config_url, config, answer, org=invite)
        assert response.status_code == 409 and reason(response) == "registration_exists"
        assert "already registered" in response.get_data(as_text=True)
        assert snapshot() == before


def test_canvas_cloud_registers_from_a_canvas_host(tool):
    org = _org("school")
    config_url = "https://school.instructure.com/api/lti/security/openid-configuration"
    answer = {
        "client_id": "10000000000007",
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {"deployment_id": "7:abc"},
    }
    response, posts = _dynamic(
        tool, config_url, CANVAS_CONFIG, answer, org=invitation(tool.config["FLIPSIDE"].secret_key, org)
    )
    assert response.status_code == 200 and len(posts) == 1
    row = db.session.query(LtiRegistration).one()
    assert (row.issuer, row.config_origin) == (CANVAS, "https://school.instructure.com")
    events = db.session.query(LtiRegistrationEvent).order_by(LtiRegistrationEvent.id).all()
    assert [(e.action, e.actor, e.organisation_id) for e in events] == [
        ("created", "dynamic registration", org),
        ("organisation_attached", "dynamic registration", org),
    ]


@pytest.fixture
def moodle_twice():
    """Moodle's registration endpoint answering the same client_id to a first registration and to each
    Update (every one with a fresh, single-use registration token)."""
    config = recorded("lti__dynreg__openid_configuration__get_with_token")["response"]["body"]
    endpoints = {f"reg-token-{n}": MoodleRegistrationEndpoint(f"reg-token-{n}") for n in range(1, 5)}

    def register(request):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return endpoints.get(token, endpoints["reg-token-1"])(request)

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.GET, CONFIG_URL, json=config)
        mock.add_callback(responses.POST, config["registration_endpoint"], callback=register)
        yield mock


def test_moodle_update_with_an_invitation_of_its_organisation_updates_in_place(tool, moodle_twice):
    org = _org("acme")
    invite = invitation(tool.config["FLIPSIDE"].secret_key, org)
    assert start(tool.test_client(), org=invite).status_code == 200
    row = db.session.query(LtiRegistration).one()
    row.auth_login_url = "http://127.0.0.1:8080/mod/lti/old-auth.php"  # as if Moodle moved its endpoint
    db.session.commit()
    again = start(tool.test_client(), token="reg-token-2", org=invite)  # noqa: S106 - a recorded test token
    assert again.status_code == 200 and "org.imsglobal.lti.close" in again.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.query(LtiRegistration).one()
    assert row.auth_login_url == "http://127.0.0.1:8080/mod/lti/auth.php" and row.status == "active"
    assert [d.deployment_id for d in row.deployments] == ["4"]
    events = db.session.query(LtiRegistrationEvent).order_by(LtiRegistrationEvent.id).all()
    assert [e.action for e in events] == ["created", "organisation_attached", "updated"]
    assert events[2].changes["auth_login_url"] == [
        "http://127.0.0.1:8080/mod/lti/old-auth.php",
        "http://127.0.0.1:8080/mod/lti/auth.php",
    ]


def test_moodle_update_without_an_invitation_of_its_organisation_changes_nothing(tool, moodle_twice):
    org, other = _org("acme"), _org("other")
    assert start(tool.test_client(), org=invitation(tool.config["FLIPSIDE"].secret_key, org)).status_code == 200
    before = snapshot()
    for token, invite in (("reg-token-2", ""), ("reg-token-3", invitation(tool.config["FLIPSIDE"].secret_key, other))):
        refused = start(tool.test_client(), token=token, org=invite)
        assert refused.status_code == 409 and reason(refused) == "registration_exists"
        assert snapshot() == before


def test_same_issuer_from_another_origin_cannot_update(tool, moodle_twice):
    """Same host, another port: the issuer check passes, the configuration origin does not."""
    org = _org("acme")
    invite = invitation(tool.config["FLIPSIDE"].secret_key, org)
    assert start(tool.test_client(), org=invite).status_code == 200
    before = snapshot()
    config = recorded("lti__dynreg__openid_configuration__get_with_token")["response"]["body"]
    other = {**config, "registration_endpoint": "http://127.0.0.1:8081/mod/lti/openid-registration.php"}
    response, _ = _dynamic(
        tool,
        "http://127.0.0.1:8081/mod/lti/openid-configuration.php",
        other,
        {"client_id": "HW1B7YKR1VmV5Qx"},
        org=invite,
    )
    assert response.status_code == 409 and reason(response) == "registration_exists"
    assert snapshot() == before


FORM = {
    "name": "Canvas",
    "issuer": CANVAS,
    "client_id": "10000000000042",
    "deployment_id": "42:evil",
    "auth_login_url": "https://evil.test/auth",
    "auth_token_url": "https://evil.test/token",
    "key_set_url": "https://evil.test/jwks",
}


def _hr_admin_of(tool, org_id: int):
    client = tool.test_client()
    with client.session_transaction(base_url=BASE) as s:
        s["user"] = {**session_user(org_id), "email": "hr@example.com"}
    page = client.get("/admin/lti/", base_url=BASE).get_data(as_text=True)
    return client, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_another_organisations_admin_cannot_rewrite_its_registration_by_form(tool):
    victim, attacker = _org("victim"), _org("attacker")
    _canvas_victim(victim)
    before = snapshot()
    client, csrf = _hr_admin_of(tool, attacker)
    response = client.post("/admin/lti/", base_url=BASE, data={**FORM, "csrf_token": csrf})
    assert response.status_code == 409
    assert "registered for another organisation" in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_registration_shared_with_another_organisation_cannot_be_changed_by_either(tool):
    mine, theirs = _org("mine"), _org("theirs")
    row = _canvas_victim(mine)
    attach_organisation(db.session, row.id, "42:victim", theirs)
    before = snapshot()
    client, csrf = _hr_admin_of(tool, mine)
    assert client.post("/admin/lti/", base_url=BASE, data={**FORM, "csrf_token": csrf}).status_code == 409
    assert snapshot() == before


def test_an_unclaimed_pending_registration_cannot_be_claimed_by_form(tool):
    mine = _org("mine")
    save_platform(
        db.session,
        PlatformInput(
            issuer=CANVAS,
            client_id="10000000000042",
            status="pending",
            auth_login_url="https://sso.canvaslms.com/a",
            auth_token_url="https://sso.canvaslms.com/t",
            key_set_url="https://sso.canvaslms.com/j",
        ),
    )
    before = snapshot()
    client, csrf = _hr_admin_of(tool, mine)
    assert client.post("/admin/lti/", base_url=BASE, data={**FORM, "csrf_token": csrf}).status_code == 409
    assert snapshot() == before


def test_an_admin_changes_their_own_registration_and_the_change_is_audited(tool):
    mine = _org("mine")
    _canvas_victim(mine)
    client, csrf = _hr_admin_of(tool, mine)
    form = {
        **FORM,
        "deployment_id": "42:victim",
        "auth_token_url": "https://mine.instructure.com/login/oauth2/token",
        "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
        "key_set_url": "https://sso.canvaslms.com/api/lti/security/jwks",
        "trusted_hosts": "mine.instructure.com",
    }
    assert client.post("/admin/lti/", base_url=BASE, data={**form, "csrf_token": csrf}).status_code == 303
    row = db.session.query(LtiRegistration).one()
    assert row.auth_token_url == "https://mine.instructure.com/login/oauth2/token"
    assert row.trusted_hosts == ["mine.instructure.com"]
    event = db.session.query(LtiRegistrationEvent).order_by(LtiRegistrationEvent.id.desc()).first()
    assert (event.action, event.actor, event.organisation_id) == ("updated", "hr:hr@example.com", mine)
    assert set(event.changes) == {"auth_token_url", "name", "trusted_hosts"}
