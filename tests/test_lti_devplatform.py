"""The development LMS: a learner and an HR admin click through real launches; off in production."""

from __future__ import annotations

import html
import io
import re
from dataclasses import replace
from urllib.parse import urlsplit

from rich.console import Console

from plugin import create_app
from plugin.db import db
from plugin.demo.dev_lms import dev_lms_step
from plugin.services.organisations import create_organisation


def _fields(page: str, marker: str) -> dict:
    form = page[page.index(marker) - 1200 : page.index(marker)]
    return {k: html.unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', form)}


def _click_through(client, who: str) -> str:
    page = client.get("/dev/lms/").get_data(as_text=True)
    login = client.post("/lti/login", data=_fields(page, f'id="launch-{who}"'))
    auth = urlsplit(html.unescape(re.search(r'data-auth-url="([^"]+)"', login.get_data(as_text=True)).group(1)))
    form = client.get(f"{auth.path}?{auth.query}").get_data(as_text=True)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    launched = client.post("/lti/launch", data=fields)
    assert launched.status_code == 303, launched.get_data(as_text=True)[-400:]
    return client.get(urlsplit(launched.headers["Location"]).path).get_data(as_text=True)


def test_learner_and_hr_admin_launch_from_the_development_lms(app):
    org = create_organisation(db.session, "demo-corp", "Demo Corp")
    db.session.commit()
    url = dev_lms_step(app.config["FLIPSIDE"], org.id, Console(file=io.StringIO()))
    assert url.endswith("/dev/lms/")
    client = app.test_client()
    learner = _click_through(client, "learner")
    assert "Demo Corp" in learner and "Participant" in learner and "Lina" in learner
    admin = _click_through(app.test_client(), "admin")
    assert "HR admin" in admin and "Harriet" in admin


def test_development_lms_is_off_in_production(settings):
    production = replace(
        settings,
        env="production",
        base_url="https://flipside.example",
        secret_key="x" * 40,
        encryption_keys=("ZmxpcHNpZGUtcHJvZHVjdGlvbi10ZXN0LWtleS0wMDA=",),
    )
    client = create_app(production).test_client()
    assert client.get("/dev/lms/").status_code == 404


def test_the_development_lms_offers_a_persona_for_each_role_from_the_demo_pairs(app, make_org):
    from tests.factories import make_active_pair, make_person

    tenant = make_org()
    mentor, executive = make_person(tenant, 1, job_level=1), make_person(tenant, 2, job_level=8)
    first = make_active_pair(tenant, mentor=mentor, mentee=executive)
    make_active_pair(
        tenant,
        mentor=make_person(tenant, 3, job_level=2),
        mentee=make_person(tenant, 4, job_level=7, country="JP", timezone="Asia/Tokyo", first_name="Kenji"),
    )
    unpaired, coordinator = make_person(tenant, 5, job_level=1), make_person(tenant, 6, job_level=6)
    head = make_person(tenant, 7, job_level=9, first_name="Harriet")
    tenant.session.commit()
    dev_lms_step(app.config["FLIPSIDE"], tenant.organisation_id, Console(file=io.StringIO()))
    page = app.test_client().get("/dev/lms/").get_data(as_text=True)
    for who in ("mentor", "executive", "learner_ja", "learner", "coordinator", "admin"):
        assert f'id="launch-{who}"' in page
    hints = dict(re.findall(r'name="login_hint" value="(\w+):(\d+)"', page))
    assert (hints["mentor"], hints["executive"]) == (str(mentor.id), str(executive.id))
    assert hints["admin"] == str(head.id) and hints["learner"] == str(unpaired.id)
    assert hints["coordinator"] == str(coordinator.id)

    japanese = _click_through(app.test_client(), "learner_ja")
    assert 'lang="ja"' in japanese and "Kenji" in japanese
    as_coordinator = _click_through(app.test_client(), "coordinator")
    assert "HR admin" not in as_coordinator  # a course Instructor is never an organisation-wide admin
    executive_home = _click_through(app.test_client(), "executive")
    assert f"pair-{first.id}" in executive_home
