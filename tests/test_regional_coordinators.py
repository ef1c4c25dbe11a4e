"""A regional coordinator (a grant of a region): the pairs with a partner working there, in every programme,
and nothing else; HR grants and revokes it on the access page."""

from __future__ import annotations

import re

import pytest

from plugin.db import db
from plugin.models import AuditEvent, Pair
from plugin.services import access
from plugin.services.organisations import create_organisation
from plugin.services.tenant import Tenant
from tests.admin_world import add_employee, add_pair, add_programme
from tests.lti_support import BASE
from tests.test_role_reach import HR_ONLY, signed_in

ALLOWED = {  # the pages a regional coordinator opens; none may show another region's people
    "workspace.dashboard",
    "workspace.programme_list",
    "workspace.region_pairs",
    "workspace.delivery_failures",
}


@pytest.fixture
def hubs(tool, platform, jwks_mock):
    """Two programmes (neither linked to the teacher's course); each has an APAC pair and an EMEA pair."""
    org = create_organisation(db.session, "hubs", "Hubs")
    db.session.commit()
    tenant = Tenant(db.session, org.id)
    add_employee(tenant, 1, work_email="teacher1@example.com", region="Americas", country="US")
    people = {}
    for n, (name, region, country) in enumerate(
        [
            ("Aiko Mentor", "APAC", "JP"),
            ("Arjun Executive", "APAC", "IN"),
            ("Emil Mentor", "EMEA", "DE"),
            ("Elise Executive", "EMEA", "FR"),
            ("Ana Mentor", "APAC", "SG"),
            ("Erik Executive", "EMEA", "SE"),
            ("Eva Mentor", "EMEA", "AT"),
            ("Enzo Executive", "EMEA", "IT"),
        ],
        start=2,
    ):
        people[name] = add_employee(
            tenant, n, display_name=name, region=region, country=country, job_level=8 if "Exec" in name else 2
        )
    one = add_programme(tenant, "Hub one", lms_course_id="99")
    two = add_programme(tenant, "Hub two")
    pairs = {
        "apac": add_pair(tenant, one, people["Aiko Mentor"], people["Arjun Executive"]),
        "emea": add_pair(tenant, one, people["Emil Mentor"], people["Elise Executive"]),
        "mixed": add_pair(tenant, two, people["Ana Mentor"], people["Erik Executive"]),
        "emea_two": add_pair(tenant, two, people["Eva Mentor"], people["Enzo Executive"]),
    }
    db.session.commit()
    platform.register(db.session, organisation_ids=[org.id])
    access.grant(tenant, "teacher1@example.com", "coordinator", None, actor="hr:test", region="APAC")
    db.session.commit()
    return tenant, (one, two), pairs


def _csrf(client) -> str:
    page = client.get("/admin/region", base_url=BASE).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_regional_coordinator_sees_their_regions_pairs_in_every_programme(tool, platform, hubs):
    tenant, _, pairs = hubs
    client, _ = signed_in(tool, platform, "teacher")
    page = client.get("/admin/region", base_url=BASE)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'data-pair="{pairs["apac"].id}"' in text and f'data-pair="{pairs["mixed"].id}"' in text
    assert "Hub one" in text and "Hub two" in text
    assert all(name not in text for name in ("Emil", "Elise", "Eva", "Enzo"))
    assert tenant.count(AuditEvent, AuditEvent.action == "identifiable.viewed", AuditEvent.subject_type == "region")


def test_a_regional_coordinator_reads_no_other_regions_pair_by_any_admin_url(tool, platform, hubs):
    """Every GET route of the workspace, filled with the programmes and another region's pair."""
    tenant, (one, two), pairs = hubs
    client, _ = signed_in(tool, platform, "teacher")
    foreign = pairs["emea"]
    hidden = ("Emil", "Elise", "Eva", "Enzo")
    walked = 0
    for rule in tool.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or "GET" not in rule.methods or rule.endpoint == "workspace.login":
            continue
        for programme in (one, two):
            values = {arg: 1 for arg in rule.arguments}
            values.update({k: v for k, v in (("programme_id", programme.id), ("pair_id", foreign.id)) if k in values})
            path = rule.rule
            for arg, value in values.items():
                path = re.sub(rf"<(?:[a-z]+:)?{arg}>", str(value), path)
            response = client.get(path, base_url=BASE)
            walked += 1
            body = response.get_data(as_text=True)
            if rule.endpoint in ALLOWED:
                assert response.status_code == 200, path
            else:
                assert response.status_code in (401, 403, 404, 405), (path, response.status_code)
            assert not any(name in body for name in hidden), path
    assert walked > 40
    for path in HR_ONLY:
        assert client.get(path, base_url=BASE).status_code == 403, path
    listing = client.get("/admin/programmes/", base_url=BASE).get_data(as_text=True)
    assert "Hub one" not in listing and "Hub two" not in listing  # pairs, not the programmes


def test_a_regional_coordinator_acts_only_on_their_regions_pairs(tool, platform, hubs):
    tenant, (one, _), pairs = hubs
    client, _ = signed_in(tool, platform, "teacher")
    csrf = _csrf(client)
    for key in ("emea", "emea_two"):
        refused = client.post(f"/admin/pairs/{pairs[key].id}/nudge", base_url=BASE, data={"csrf_token": csrf})
        assert refused.status_code == 404, key
    act = {"csrf_token": csrf, "action": "exclude", "reason": "x"}
    for key in ("apac", "emea"):
        path = f"/admin/programmes/{one.id}/matches/{pairs[key].id}"
        assert client.post(path, base_url=BASE, data=act).status_code == 404
    nudged = client.post(f"/admin/pairs/{pairs['apac'].id}/nudge", base_url=BASE, data={"csrf_token": csrf})
    assert nudged.status_code == 303 and nudged.headers["Location"].startswith("/admin/region")
    actions = [(e.action, e.subject_id) for e in tenant.all(AuditEvent, AuditEvent.action.in_(("pair.nudged",)))]
    assert actions == [("pair.nudged", str(pairs["apac"].id))]
    assert {p.status for p in tenant.all(Pair)} == {"approved"}


def test_a_regional_coordinators_session_opens_no_api_call(tool, platform, hubs):
    tenant, (one, _), pairs = hubs
    client, _ = signed_in(tool, platform, "teacher")
    walked = 0
    for rule in tool.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint == "api.openapi":
            continue
        path = rule.rule
        for arg in rule.arguments:
            value = {"programme_id": one.id, "pair_id": pairs["emea"].id}.get(arg, 1)
            path = re.sub(rf"<(?:[a-z]+:)?{arg}>", str(value), path)
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        response = client.open(path, method=method, base_url=BASE, json={})
        assert response.status_code == 401, (method, path, response.status_code)
        walked += 1
    assert walked >= 5


def test_hr_grants_and_revokes_a_region_and_the_revoke_takes_effect_at_once(tool, platform, hubs):
    tenant, (one, _), _ = hubs
    coordinator, _ = signed_in(tool, platform, "teacher")
    assert coordinator.get("/admin/region", base_url=BASE).status_code == 200
    admin, _ = signed_in(tool, platform, "admin")
    page = admin.get("/admin/access", base_url=BASE).get_data(as_text=True)
    assert '<option value="APAC">' in page and '<option value="EMEA">' in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": csrf, "email": "lead@example.com", "role": "coordinator", "region": "EMEA"}
    assert admin.post("/admin/access", base_url=BASE, data=form).status_code == 303
    unknown = admin.post("/admin/access", base_url=BASE, data={**form, "region": "Atlantis"})
    assert unknown.status_code == 400 and "Atlantis" in unknown.get_data(as_text=True)
    both = admin.post("/admin/access", base_url=BASE, data={**form, "programme_id": str(one.id)})
    assert both.status_code == 400
    assert [(g.email, g.region) for g in access.grants(tenant) if g.region] == [
        ("lead@example.com", "EMEA"),
        ("teacher1@example.com", "APAC"),
    ]
    revoke = {"csrf_token": csrf, "email": "teacher1@example.com", "role": "coordinator", "region": "APAC"}
    assert admin.post("/admin/access/revoke", base_url=BASE, data=revoke).status_code == 303
    assert coordinator.get("/admin/region", base_url=BASE).status_code == 404
    regional = admin.get("/admin/region?region=EMEA", base_url=BASE).get_data(as_text=True)
    assert "Emil Mentor" in regional and "Aiko" not in regional  # HR picks any region
