"""The demo step enrols an organisation's approved pairs into the Moodle emulator through a real worker."""

from __future__ import annotations

import io

from rich.console import Console

from plugin.demo.enrolment import connect_demo_moodle, demo_moodle, enrol_demo_pairs
from plugin.models import Connection, PairEnrolment, Programme
from tests.factories import make_programme_with_pairs


def test_demo_enrols_every_approved_pair_and_prints_a_table(settings, make_org):
    tenant = make_org()
    make_programme_with_pairs(tenant, pairs=4, connection_id=None, course=None)
    make_programme_with_pairs(tenant, pairs=1, connection_id=None, course=None, status="proposed")
    out = io.StringIO()

    with demo_moodle() as moodle:
        connect_demo_moodle(settings, tenant.organisation_id, moodle, Console(file=out, width=160))
        figures = enrol_demo_pairs(settings, tenant.organisation_id, moodle, Console(file=out, width=160))

    assert figures["pairs"] == figures["enrolled"] == 4 and figures["duplicates"] == 0
    assert figures["groups"] == 4
    tenant.session.expire_all()
    assert {r.status for r in tenant.all(PairEnrolment)} == {"enrolled"}
    assert tenant.all(Connection)[0].vendor == "moodle"
    assert {p.lms_course_id for p in tenant.all(Programme)} == {figures["course"]}
    text = out.getvalue()
    assert "Enrolled pairs" in text and text.count("enrolled") >= 4 and "Pair " in text
