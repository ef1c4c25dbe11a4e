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
from plugin.lti.demo_step import dev_lms_step
from plugin.services.organisations import create_organisation


def _fields(page: str, marker: str) -> dict:
    form = page[page.index(marker) - 1200 : page.index(marker)]
    return {k: html.unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', form)}


def _click_through(client, who: str) -> str:
    page = client.get("/dev/lms/").get_data(as_text=True)
    login = client.post("/lti/login", data=_fields(page, f'id="launch-{who}"'))
    auth = urlsplit(
        html.unescape(re.search(r'data-auth-url="([^"]+)"', login.get_data(as_text=True)).group(1))
    )
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
