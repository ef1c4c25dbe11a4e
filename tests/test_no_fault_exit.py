"""Either partner leaves a pair without a reason: HR sees "ended, no fault", the two are never re-paired, both
stay in the programme, and the executive's panel refills through the departure path's re-fill."""

from __future__ import annotations

import re
from datetime import date

import pytest

from plugin.demo.workforce import generate_workforce
from plugin.models import HELD_PAIR, AuditEvent, Exclusion, Pair, Participant
from plugin.services import admin_login, match_review, matching, programmes, roster
from tests.test_page_language import launch

TODAY = date(2026, 11, 1)


@pytest.fixture
def company(make_org, session):
    """A running programme: every executive has one approved mentor and spare mentors are opted in."""
    tenant = make_org("acme")
    roster.upsert_employees(tenant, generate_workforce(600, seed=11))
    roster.relink_managers(tenant)
    programme = programmes.create_programme(
        tenant,
        {
            "name": "Reverse mentoring 2027",
            "mentors_per_executive": 1,
            "min_overlap_hours": 1.0,
            "mentee_rules": {"all": [{"field": "job_level", "op": ">=", "value": 7}]},
            "mentor_rules": {"all": [{"field": "job_level", "op": "<=", "value": 2}]},
        },
    )
    programmes.enrol_eligible(tenant, programme.id, today=TODAY)
    matching.run_matching(tenant, programme.id)
    match_review.approve(tenant, programme.id)
    session.commit()
    pair = tenant.all(Pair, Pair.programme_id == programme.id, Pair.status == "approved")[0]
    return tenant, programme, pair


def leave(client, tenant, pair, employee_id, locale="ja", confirm=True):
    launch(client, tenant, employee_id, locale)
    page = client.get(f"/me/pairs/{pair.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "back": f"/me/pairs/{pair.id}", **({"confirm": "1"} if confirm else {})}
    return client.post(f"/me/pairs/{pair.id}/leave", data=data, follow_redirects=True)


def live_panel(tenant, programme, executive_id):
    return tenant.all(
        Pair, Pair.programme_id == programme.id, Pair.mentee_employee_id == executive_id, Pair.status.in_(HELD_PAIR)
    )


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_either_partner_leaves_without_a_reason_and_the_panel_refills(client, company, who):
    tenant, programme, pair = company
    executive, mentor = pair.mentee_employee_id, pair.mentor_employee_id
    html = leave(client, tenant, pair, getattr(pair, f"{who}_employee_id")).get_data(as_text=True)
    assert "このペアを離れました" in html
    tenant.session.expire_all()
    ended = tenant.get(Pair, pair.id)
    assert (ended.status, ended.end_reason) == ("ended", match_review.NO_FAULT) and ended.ended_at
    assert tenant.all(Exclusion, Exclusion.mentee_employee_id == executive, Exclusion.mentor_employee_id == mentor)
    panel = live_panel(tenant, programme, executive)
    assert len(panel) == 1 and panel[0].mentor_employee_id != mentor and panel[0].status == "approved"
    assert all(p.opted_in for p in tenant.all(Participant, Participant.employee_id.in_((executive, mentor))))
    event = tenant.all(AuditEvent, AuditEvent.action == "pair.left")[0]
    assert event.detail == {"role": who, "refilled": 1}  # who left, never why
    # the executive meets the new mentor on /me/; whoever was left is told it was no fault and stays in
    launch(client, tenant, executive, "ja")
    home = client.get("/me/").get_data(as_text=True)
    assert f'id="pair-{panel[0].id}"' in home and "どちらの責任でもなく終了しました" in home
    launch(client, tenant, mentor, "ja")
    assert "新しいマッチングが提案されます" in client.get("/me/").get_data(as_text=True)


def test_hr_sees_ended_no_fault(client, company):
    tenant, programme, pair = company
    leave(client, tenant, pair, pair.mentor_employee_id)
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(tenant.organisation_id)
    page = client.get(f"/admin/programmes/{programme.id}/matches").get_data(as_text=True)
    row = page.split('id="ended"', 1)[1].split(f'data-pair="{pair.id}"', 1)[1].split("</tr>", 1)[0]
    assert "ended, no fault" in row


def test_leaving_needs_the_tick_and_is_done_once(client, company):
    tenant, programme, pair = company
    refused = leave(client, tenant, pair, pair.mentor_employee_id, confirm=False).get_data(as_text=True)
    assert "チェックボックスにチェックを入れてください" in refused
    tenant.session.expire_all()
    assert tenant.get(Pair, pair.id).status == "approved"
    leave(client, tenant, pair, pair.mentor_employee_id)
    count = tenant.count(Pair)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/me/").get_data(as_text=True))
    with client.session_transaction() as s:
        csrf = s.get("csrf_token") or (token.group(1) if token else "")
    again = client.post(
        f"/me/pairs/{pair.id}/leave", data={"csrf_token": csrf, "confirm": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "このペアはすでに終了しています。" in again
    assert tenant.count(Pair) == count, "a repeated form refills nothing"


def test_nobody_outside_the_pair_can_end_it(client, company):
    tenant, programme, pair = company
    other = tenant.all(Pair, Pair.programme_id == programme.id, Pair.status == "approved", Pair.id != pair.id)[0]
    launch(client, tenant, other.mentor_employee_id, "ja")
    page = client.get(f"/me/pairs/{other.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/me/pairs/{pair.id}/leave", data={"csrf_token": token, "confirm": "1"})
    assert response.status_code in (403, 404)
    tenant.session.expire_all()
    assert tenant.get(Pair, pair.id).status == "approved" and not tenant.all(Exclusion)
