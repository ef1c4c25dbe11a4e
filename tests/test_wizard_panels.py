"""The set-up wizard's panel rule: mentors of a panel from distinct countries, ticked by default, kept only for
panels of two or more, and honoured by matching."""

from __future__ import annotations

import pytest

from plugin.models import Employee, Pair, Programme
from tests.admin_world import load_workforce
from tests.test_connection_pages import admin, post  # noqa: F401 (fixture)


def _create(client, **people):
    assert post(client, "/admin/programmes/new?step=basics", name="Panels", topics="AI").status_code == 303
    assert (
        post(
            client, "/admin/programmes/new?step=people", mentor_max_level="2", mentee_min_level="7", **people
        ).status_code
        == 303
    )
    assert (
        post(
            client, "/admin/programmes/new?step=rhythm", cadence_days="21", session_minutes="45", duration_weeks="26"
        ).status_code
        == 303
    )
    return client.get("/admin/programmes/new?step=review").get_data(as_text=True)


def test_the_people_step_ticks_distinct_countries_by_default(admin):  # noqa: F811
    client, _ = admin
    post(client, "/admin/programmes/new?step=basics", name="Panels", topics="AI")
    page = client.get("/admin/programmes/new?step=people").get_data(as_text=True)
    assert 'name="distinct_countries" checked' in page


@pytest.mark.parametrize(
    "people, expected",
    [
        ({"mentors_per_executive": "3", "distinct_countries": "on"}, True),
        ({"mentors_per_executive": "3"}, False),  # unticked
        ({"mentors_per_executive": "1", "distinct_countries": "on"}, False),  # one mentor: no panel to spread
        ({"mentors_per_executive": "3", "distinct_countries": "yes please"}, False),
    ],
)
def test_the_rule_is_stored_only_when_ticked_for_a_panel(admin, people, expected):  # noqa: F811
    client, tenant = admin
    review = _create(client, **people)
    assert ("each from a different country" in review) is expected
    assert post(client, "/admin/programmes/new?step=review").status_code == 303
    (programme,) = tenant.all(Programme)
    assert programme.distinct_countries is expected


def test_matching_a_wizard_programme_gives_panels_from_distinct_countries(admin):  # noqa: F811
    client, tenant = admin
    load_workforce(tenant, size=300, seed=5)
    tenant.session.commit()
    _create(client, mentors_per_executive="3", distinct_countries="on")
    post(client, "/admin/programmes/new?step=review")
    (programme,) = tenant.all(Programme)
    assert post(client, f"/admin/programmes/{programme.id}/enrol").status_code == 303
    assert post(client, f"/admin/programmes/{programme.id}/matches/run").status_code == 303
    tenant.session.expire_all()
    panels: dict[int, list[str]] = {}
    for pair in tenant.all(Pair, Pair.programme_id == programme.id):
        panels.setdefault(pair.mentee_employee_id, []).append(tenant.get(Employee, pair.mentor_employee_id).country)
    assert panels and all(len(set(c)) == len(c) for c in panels.values())
    assert any(len(c) == 3 for c in panels.values())
