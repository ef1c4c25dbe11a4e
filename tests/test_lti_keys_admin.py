"""Our signing keys (JWKS, rotation, encrypted at rest), `flipside platform add`, and the admin form."""

from __future__ import annotations

import re

from click.testing import CliRunner

from plugin.cli import main
from plugin.db import db
from plugin.lti import keys
from plugin.models.lti import LtiRegistration, ToolKey
from plugin.services.organisations import create_organisation
from tests.lti_support import BASE, INSTITUTION_ADMIN, launch, login


def test_jwks_serves_active_and_next_keys_generated_on_first_run(tool):
    data = tool.test_client().get("/lti/jwks.json", base_url=BASE).json
    assert len(data["keys"]) == 2
    assert all(k["kty"] == "RSA" and k["alg"] == "RS256" and "d" not in k for k in data["keys"])
    for row in db.session.query(ToolKey):
        assert b"PRIVATE KEY" not in bytes(row.private_key_ciphertext)  # encrypted at rest


def test_rotation_promotes_next_and_keeps_the_old_key_published(tool):
    vault = tool.extensions["flipside.vault"]
    before = [k["kid"] for k in keys.jwks(db.session, vault)["keys"]]
    old, new = keys.rotate(db.session, vault)
    assert (old, new) == tuple(before)
    after = [k["kid"] for k in keys.jwks(db.session, vault)["keys"]]
    assert after[0] == new and old in after and len(after) == 3
    assert keys.signing_key(db.session, vault).kid == new
    keys.rotate(db.session, vault)
    assert old not in [k["kid"] for k in keys.jwks(db.session, vault)["keys"]]  # retired on the next one


def test_keys_rotate_command(tool, monkeypatch, settings):
    _env(monkeypatch, settings)
    result = CliRunner().invoke(main, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "signing key rotated" in result.output


def _env(monkeypatch, settings):
    monkeypatch.setenv("DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("FLIPSIDE_INSTANCE_PATH", settings.instance_path)
    monkeypatch.setenv("FLIPSIDE_QUEUE_PREFIX", settings.queue_prefix)
    monkeypatch.setenv("FLIPSIDE_BASE_URL", BASE)


def test_platform_add_registers_and_prints_the_tool_urls(tool, monkeypatch, settings):
    create_organisation(db.session, "acme", "Acme")
    db.session.commit()
    _env(monkeypatch, settings)
    result = CliRunner().invoke(
        main,
        [
            "platform",
            "add",
            "--issuer",
            "https://moodle.example",
            "--client-id",
            "abc",
            "--auth-login-url",
            "https://moodle.example/mod/lti/auth.php",
            "--auth-token-url",
            "https://moodle.example/mod/lti/token.php",
            "--jwks-url",
            "https://moodle.example/mod/lti/certs.php",
            "--deployment-id",
            "1",
            "--org",
            "acme",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"{BASE}/lti/login" in result.output and f"{BASE}/lti/jwks.json" in result.output
    db.session.expire_all()
    row = db.session.query(LtiRegistration).one()
    assert row.client_id == "abc" and row.deployments[0].deployment_id == "1"


def _admin_client(tool, platform, jwks_mock):
    org = create_organisation(db.session, "acme", "Acme")
    db.session.commit()
    platform.register(db.session, organisation_ids=[org.id])
    client = tool.test_client()
    state, nonce = login(client, platform)
    assert launch(client, platform.sign(platform.claims(nonce, roles=[INSTITUTION_ADMIN])), state).status_code == 303
    return client


FORM = {
    "name": "Canvas",
    "issuer": "https://canvas.instructure.com",
    "client_id": "1000042",
    "deployment_id": "7:xyz",
    "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
    "auth_token_url": "https://sso.canvaslms.com/login/oauth2/token",
    "key_set_url": "https://sso.canvaslms.com/api/lti/security/jwks",
}


def test_admin_form_registers_a_platform_with_a_csrf_token(tool, platform, jwks_mock):
    client = _admin_client(tool, platform, jwks_mock)
    page = client.get("/admin/lti/", base_url=BASE).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/admin/lti/", data={**FORM, "csrf_token": token}, base_url=BASE).status_code == 303
    page = client.get("/admin/lti/", base_url=BASE).get_data(as_text=True)
    assert "1000042" in page and "7:xyz" in page


def test_admin_form_without_csrf_token_is_refused(tool, platform, jwks_mock):
    client = _admin_client(tool, platform, jwks_mock)
    assert client.post("/admin/lti/", data=FORM, base_url=BASE).status_code == 403
    assert db.session.query(LtiRegistration).filter_by(client_id="1000042").count() == 0


def test_platform_invite_and_activate_commands(tool, monkeypatch, settings):
    from plugin.lti.dynamic_registration import read_invitation
    from plugin.lti.registrations import PlatformInput, save_platform

    org = create_organisation(db.session, "acme", "Acme")
    pending = save_platform(
        db.session,
        PlatformInput(
            issuer="https://moodle.example",
            client_id="dyn",
            auth_login_url="https://moodle.example/auth",
            auth_token_url="https://moodle.example/token",
            key_set_url="https://moodle.example/certs",
            deployment_ids=("4",),
            status="pending",
        ),
    )
    _env(monkeypatch, settings)
    invite = CliRunner().invoke(main, ["platform", "invite", "acme"])
    assert invite.exit_code == 0 and invite.output.startswith(f"{BASE}/lti/register?org=")
    token = invite.output.strip().split("org=", 1)[1]
    assert read_invitation(tool.config["FLIPSIDE"].secret_key, token) == org.id
    activated = CliRunner().invoke(main, ["platform", "activate", str(pending.id), "--org", "acme"])
    assert activated.exit_code == 0, activated.output
    db.session.expire_all()
    assert db.session.get(LtiRegistration, pending.id).status == "active"
