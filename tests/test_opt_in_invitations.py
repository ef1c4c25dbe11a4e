"""Invitations by email to an opt-in programme: HR invites everyone eligible, each gets one email (through the
outbox, to a real loopback SMTP server) with their own signed link, and following it joins the programme."""

from __future__ import annotations

import re

from plugin.db import db
from plugin.jobs import notify
from plugin.models import Participant
from tests.admin_world import add_employee, add_programme
from tests.test_connection_pages import admin, post  # noqa: F401 (fixture)

RULES = {
    "mentor_rules": {"all": [{"field": "job_level", "op": "<=", "value": 2}]},
    "mentee_rules": {"all": [{"field": "job_level", "op": ">=", "value": 7}]},
}


def test_hr_invites_by_email_and_the_link_joins_the_programme(app, admin, smtp_server):  # noqa: F811
    client, tenant = admin
    programme = add_programme(tenant, "Opt-in 2027", status="draft", enrolment="opt_in", **RULES)
    junior = add_employee(tenant, 1, work_email="junior@example.test", country="JP")
    senior = add_employee(tenant, 2, work_email="senior@example.test", job_level=8)
    add_employee(tenant, 3, work_email="middle@example.test", job_level=5)  # neither rule admits them
    db.session.commit()
    page = client.get(f"/admin/programmes/{programme.id}/").get_data(as_text=True)
    assert f"/admin/programmes/{programme.id}/invite" in page
    assert post(client, f"/admin/programmes/{programme.id}/invite").status_code == 303
    assert post(client, f"/admin/programmes/{programme.id}/invite").status_code == 303  # twice: nobody twice
    notify.deliver()
    inbox = smtp_server.inbox
    assert sorted(m["To"] for m in inbox.received) == ["junior@example.test", "senior@example.test"]
    [mail] = inbox.to("junior@example.test")
    assert mail["Content-Language"] == "ja" and "Opt-in 2027" in mail["Subject"]
    link = re.search(r"https?://\S+/join/\S+", mail.get_body(("plain",)).get_content()).group(0)
    path = link[link.index("/join/") :]
    stranger = app.test_client()  # the person follows the link from their mail: no session
    shown = stranger.get(path)
    assert shown.status_code == 200 and 'value="join"' in shown.get_data(as_text=True)
    assert tenant.all(Participant, Participant.employee_id == junior.id)[0].opted_in is False  # a GET never joins
    assert stranger.post(path, data={"answer": "join"}).status_code == 200
    db.session.expire_all()
    assert tenant.all(Participant, Participant.employee_id == junior.id)[0].opted_in is True
    assert tenant.all(Participant, Participant.employee_id == senior.id)[0].opted_in is False
    assert stranger.post(path, data={"answer": "join"}).status_code == 404  # answered already
    assert stranger.get(path[:-3] + "xyz").status_code == 403  # a forged link


def test_an_hr_assigned_programme_invites_nobody(admin):  # noqa: F811
    client, tenant = admin
    programme = add_programme(tenant, "Assigned", status="draft", **RULES)
    db.session.commit()
    assert post(client, f"/admin/programmes/{programme.id}/invite").status_code == 409
