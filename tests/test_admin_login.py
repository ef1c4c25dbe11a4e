"""One-time admin login links: issued by the CLI, spent on first use, refused when expired or reused."""

from datetime import timedelta

import pytest
from click.testing import CliRunner

from plugin import cli
from plugin.errors import Forbidden
from plugin.models import utcnow
from plugin.services import admin_login


def test_a_link_signs_in_once(make_org, session):
    tenant = make_org("acme")
    token = admin_login.issue_link(session, "acme")
    assert admin_login.redeem(session, token).organisation_id == tenant.organisation_id
    with pytest.raises(Forbidden, match="already used"):
        admin_login.redeem(session, token)


def test_an_expired_or_unknown_link_is_refused(make_org, session):
    make_org("acme")
    token = admin_login.issue_link(session, "acme")
    session.commit()
    with pytest.raises(Forbidden):
        admin_login.redeem(session, token, now=utcnow() + timedelta(minutes=16))
    with pytest.raises(Forbidden):
        admin_login.redeem(session, "not-a-token")


def test_the_cli_prints_a_link_into_the_workspace(make_org, settings, monkeypatch):
    make_org("acme")
    monkeypatch.setattr(cli, "_settings", lambda **_: settings)
    result = CliRunner().invoke(cli.main, ["admin", "login-link", "acme"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith(f"{settings.base_url}/admin/login/")
