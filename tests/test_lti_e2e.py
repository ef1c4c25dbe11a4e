"""End to end over loopback HTTP against an independent platform (lti1p3platform): login -> launch ->
NRPS read -> AGS score received by the platform."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest
import requests

from plugin import create_app
from plugin.db import db
from plugin.lti.ags import ensure_line_item, post_score
from plugin.lti.nrps import import_roster
from plugin.lti.platform_keys import PLATFORM_KEYS
from plugin.lti.registrations import PlatformInput, attach_organisation, save_platform
from plugin.models import Employee
from plugin.services.organisations import create_organisation
from plugin.services.tenant import Tenant
from tests.loopback_platform import LoopbackPlatform, Server

pytestmark = pytest.mark.slow


@pytest.fixture
def world(settings):
    tool_server = Server()
    app = create_app(replace(settings, base_url=tool_server.url))
    tool_server.app = app
    tool_server.start()
    lms = LoopbackPlatform(tool_server.url)
    lms.server.start()
    PLATFORM_KEYS.clear()
    with app.app_context():
        org = create_organisation(db.session, "e2e", "E2E Corp")
        for sid, email in (("1", "ada@example.com"), ("2", "grace@example.com")):
            db.session.add(
                Employee(
                    organisation_id=org.id,
                    source_system="hris",
                    source_id=sid,
                    first_name=email.split("@")[0].title(),
                    last_name="X",
                    work_email=email,
                )
            )
        db.session.commit()
        reg = save_platform(
            db.session,
            PlatformInput(
                issuer=lms.issuer,
                client_id=lms.client_id,
                auth_login_url=lms.urls["auth"],
                auth_token_url=lms.urls["token"],
                key_set_url=lms.urls["jwks"],
                deployment_ids=(lms.deployment_id,),
            ),
        )
        attach_organisation(db.session, reg.id, lms.deployment_id, org.id)
        yield app, lms, Tenant(db.session, org.id), reg.id
        from tests.conftest import _empty_tables

        _empty_tables()
    tool_server.stop()
    lms.server.stop()


def browser_launch(lms, user_id, **user) -> requests.Response:
    """What a browser does: follow the LMS to the tool's login, to the LMS's auth, and post the launch."""
    browser = requests.Session()
    login = browser.get(lms.login_url(user_id, **user), timeout=10)
    auth_url = html.unescape(re.search(r'data-auth-url="([^"]+)"', login.text).group(1))
    form_page = browser.get(auth_url, timeout=10)
    assert form_page.status_code == 200, form_page.text
    action = html.unescape(re.search(r'action="([^"]+)"', form_page.text).group(1))
    fields = {k: html.unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', form_page.text)}
    launched = browser.post(action, data=fields, timeout=10, allow_redirects=False)
    launched.browser = browser
    return launched


def test_login_launch_nrps_and_ags_against_an_independent_platform(world):
    app, lms, tenant, registration_id = world
    launched = browser_launch(lms, "lms-1", email="ada@example.com", name="Ada", locale="fr-FR")
    assert launched.status_code == 303, launched.text[-500:]
    me = launched.browser.get(lms.tool_url + "/me/", timeout=10)
    assert "E2E Corp" in me.text and "Ada" in me.text and 'lang="fr"' in me.text and "Organisation" in me.text

    roster = import_roster(tenant, registration_id, lms.urls["memberships"])
    assert (roster.members, roster.linked, roster.unmatched) == (3, 2, ["lms-3"])  # two pages followed

    item = ensure_line_item(registration_id, lms.urls["lineitems"], programme_id=1, label="Reverse mentoring")
    assert ensure_line_item(registration_id, lms.urls["lineitems"], programme_id=1, label="x") == item
    assert len(lms.lineitems) == 1
    assert post_score(registration_id, item, "lms-1", comment="Completed the programme") == 200
    (score,) = lms.scores
    assert score["userId"] == "lms-1" and score["activityProgress"] == "Completed"
    assert score["gradingProgress"] == "FullyGraded"


def test_a_launch_replayed_from_another_browser_is_refused(world):
    _app, lms, _tenant, _reg = world
    browser = requests.Session()
    login = browser.get(lms.login_url("lms-2", email="grace@example.com"), timeout=10)
    auth_url = html.unescape(re.search(r'data-auth-url="([^"]+)"', login.text).group(1))
    form_page = browser.get(auth_url, timeout=10)
    action = html.unescape(re.search(r'action="([^"]+)"', form_page.text).group(1))
    fields = {k: html.unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', form_page.text)}
    stolen = requests.post(action, data=fields, timeout=10, allow_redirects=False)  # no cookie: other browser
    assert stolen.status_code == 403 and "state_browser_mismatch" in stolen.text
