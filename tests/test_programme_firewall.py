"""The reporting-line firewall depth, set when a programme is set up (form and API) and read by matching."""

import pytest

from plugin.models import Programme
from plugin.services import admin_login, api_tokens, matching

CSRF = "test-csrf-token"
STEPS = [
    ("basics", {"name": "CEO circle", "topics": "AI"}),
    (
        "people",
        {
            "mentor_max_level": "2",
            "mentee_min_level": "9",
            "mentors_per_executive": "2",
            "firewall": "levels",
            "firewall_depth": "2",
        },
    ),
    ("rhythm", {"cadence_days": "14", "session_minutes": "45", "duration_weeks": "26"}),
    ("review", {}),
]


@pytest.fixture
def admin(client, make_org, session):
    tenant = make_org("acme")
    session.commit()
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(tenant.organisation_id)
        s["csrf_token"] = CSRF
    return client, tenant


def test_the_set_up_form_explains_the_firewall_and_keeps_the_whole_chain_by_default(admin):
    client, tenant = admin
    form = client.get("/admin/programmes/new?step=people").get_data(as_text=True)
    assert "Reporting-line firewall" in form and "For the chief executive and other top executives" in form
    assert 'value="chain" checked' in form.replace("\n", " ").replace("  ", " ")
    for step, data in STEPS:
        data = {k: v for k, v in data.items() if not k.startswith("firewall")}
        assert client.post(f"/admin/programmes/new?step={step}", data={**data, "csrf_token": CSRF}).status_code == 303
    created = tenant.all(Programme, Programme.name == "CEO circle")[0]
    assert created.firewall_depth is None and matching.programme_rules(tenant, created).firewall_depth is None


def test_a_depth_chosen_in_the_form_reaches_the_matching_rules(admin):
    client, tenant = admin
    for step, data in STEPS:
        answer = client.post(f"/admin/programmes/new?step={step}", data={**data, "csrf_token": CSRF})
        assert answer.status_code == 303, answer.data
        if step == "rhythm":
            review = client.get("/admin/programmes/new?step=review").get_data(as_text=True)
            assert "2 levels below each executive, and their own function" in review
    created = tenant.all(Programme, Programme.name == "CEO circle")[0]
    assert created.firewall_depth == 2 and matching.programme_rules(tenant, created).firewall_depth == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"firewall": "levels", "firewall_depth": "0"}, b"Between 1 and 10"),
        ({"firewall": "levels", "firewall_depth": "11"}, b"Between 1 and 10"),
        ({"firewall": "levels", "firewall_depth": "two"}, b"Enter a whole number"),
        ({"firewall": "nobody"}, b"Choose the whole chain or a number of levels"),
    ],
)
def test_the_form_refuses_a_depth_it_cannot_use(admin, fields, message):
    client, tenant = admin
    data = {**STEPS[1][1], **fields, "csrf_token": CSRF}
    answer = client.post("/admin/programmes/new?step=people", data=data)
    assert answer.status_code == 400 and message in answer.data


@pytest.mark.parametrize(("depth", "status"), [(2, 201), (None, 201), (0, 400), (11, 400), ("2", 400), (2.5, 400)])
def test_the_api_takes_a_depth_from_one_to_ten_or_null(client, make_org, session, depth, status):
    tenant = make_org("apico")
    token = api_tokens.issue(tenant, "bi")
    session.commit()
    answer = client.post(
        "/api/v1/programmes",
        json={"name": "Top table", "firewall_depth": depth},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == status, answer.json
    stored = tenant.all(Programme)
    if status == 201:
        assert answer.json["firewall_depth"] == depth and stored[0].firewall_depth == depth
    else:
        assert "firewall_depth" in answer.json["error"]["fields"] and stored == []
