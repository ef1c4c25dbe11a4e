"""The participants page: full names, search, filters and paging on the server, bulk remove and role change
with CSRF, the CSV export's names, and a CSV import that adds members and reports every bad row."""

from __future__ import annotations

import csv
import io

import pytest

from plugin.models import AuditEvent, Employee, Participant, Profile
from plugin.services import access, admin_login
from tests.admin_world import add_employee, add_pair, add_programme

CSRF = "test-csrf-token"


@pytest.fixture
def world(make_org, session):
    """120 mentor candidates (five called Kavya in one department), two executives, one live pair."""
    tenant = make_org("acme")
    programme = add_programme(tenant, status="matching")
    people = []
    for n in range(120):
        first = "Kavya" if n < 5 else f"Sam{n}"
        people.append(
            add_employee(
                tenant,
                n,
                first_name=first,
                last_name=f"Surname{n:03d}",
                display_name=None,
                department="Data" if n < 5 else "Sales",
                country="IN" if n % 2 else "DE",
            )
        )
        tenant.add(Participant(programme_id=programme.id, employee_id=people[-1].id, role="mentor"))
    executive = add_employee(tenant, 500, first_name="Erin", last_name="Boss", job_level=8, display_name=None)
    add_pair(tenant, programme, people[7], executive, status="active")
    add_employee(tenant, 600, first_name="Newt", last_name="Comer", work_email="newt@example.test")
    add_employee(tenant, 601, first_name="Nora", last_name="Later", work_email="nora@example.test")
    session.commit()
    return tenant, programme, people


def _sign_in(client, user: dict) -> None:
    with client.session_transaction() as s:
        s["user"] = user
        s["csrf_token"] = CSRF


@pytest.fixture
def admin(client, world):
    _sign_in(client, admin_login.session_user(world[0].organisation_id))
    return client


def _participant_ids(page: str) -> list[int]:
    return [int(x) for x in page.split('data-participant="')[1:] for x in [x.split('"')[0]]]


def test_full_names_one_page_at_a_time_with_search_and_filters(admin, world):
    _, programme, people = world
    page = admin.get(f"/admin/programmes/{programme.id}/participants").get_data(as_text=True)
    assert "Participants 1 to 50 of 121" in page and "Page 1 of 3" in page
    assert page.count('data-participant="') == 50
    assert "Kavya Surname000" in page and "Kavya Surname004" in page  # five Kavyas, told apart
    last = admin.get(f"/admin/programmes/{programme.id}/participants?page=3").get_data(as_text=True)
    assert last.count('data-participant="') == 21 and "Participants 101 to 121 of 121" in last
    found = admin.get(f"/admin/programmes/{programme.id}/participants?q=kavya%20surname003").get_data(as_text=True)
    assert "Participants 1 to 1 of 1" in found and "Kavya Surname003" in found
    data = admin.get(f"/admin/programmes/{programme.id}/participants?department=Data&country=IN")
    assert "Participants 1 to 2 of 2" in data.get_data(as_text=True)
    executives = admin.get(f"/admin/programmes/{programme.id}/participants?role=mentee").get_data(as_text=True)
    assert "Erin Boss" in executives and "Participants 1 to 1 of 1" in executives
    wild = admin.get(f"/admin/programmes/{programme.id}/participants?q=%25").get_data(as_text=True)
    assert "of 0" in wild  # a % typed in the search is a character, not a wildcard


def test_the_csv_export_names_everyone_it_lists(admin, world):
    _, programme, _ = world
    exported = admin.get(f"/admin/programmes/{programme.id}/participants.csv?department=Data")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [r["name"] for r in rows] == [f"Kavya Surname00{n}" for n in range(5)]
    assert all(r["email"] and r["role"] == "mentor" for r in rows)


def test_bulk_actions_need_csrf_and_leave_people_in_pairs_alone(admin, world, session):
    tenant, programme, people = world
    chosen = [p.id for p in tenant.all(Participant, Participant.employee_id.in_([people[1].id, people[7].id]))]
    url = f"/admin/programmes/{programme.id}/participants/bulk"
    assert admin.post(url, data={"action": "remove", "ids": chosen}).status_code == 403
    assert tenant.count(Participant, Participant.opted_in.is_(True)) == 121
    answer = admin.post(url, data={"action": "remove", "ids": chosen, "csrf_token": CSRF})
    assert answer.status_code == 303
    note = admin.get(answer.headers["Location"]).get_data(as_text=True)
    assert "1 participant removed." in note and "Sam7 Surname007" in note  # Sam7 is in an active pair
    session.expire_all()
    kept = {p.employee_id: p.opted_in for p in tenant.all(Participant, Participant.id.in_(chosen))}
    assert kept == {people[1].id: False, people[7].id: True}
    assert tenant.count(AuditEvent, AuditEvent.action == "participant.removed") == 1


def test_bulk_role_change_and_bad_selections(admin, world, session):
    tenant, programme, people = world
    target = tenant.all(Participant, Participant.employee_id == people[2].id)[0]
    url = f"/admin/programmes/{programme.id}/participants/bulk"
    ok = admin.post(url, data={"action": "role", "role": "mentee", "ids": [target.id], "csrf_token": CSRF})
    assert ok.status_code == 303
    session.expire_all()
    assert tenant.get(Participant, target.id).role == "mentee"
    assert (
        admin.post(url, data={"action": "role", "role": "boss", "ids": [target.id], "csrf_token": CSRF}).status_code
        == 400
    )
    assert admin.post(url, data={"action": "remove", "ids": ["1; DROP"], "csrf_token": CSRF}).status_code == 400
    assert admin.post(url, data={"action": "remove", "csrf_token": CSRF}).status_code == 400
    assert admin.post(url, data={"action": "explode", "ids": [target.id], "csrf_token": CSRF}).status_code == 400
    session.expire_all()
    assert tenant.get(Participant, target.id).role == "mentee" and tenant.get(Participant, target.id).opted_in


def test_a_bulk_action_cannot_reach_another_programmes_people(admin, world, make_org, session):
    tenant, programme, people = world
    other = add_programme(tenant, "Other programme")
    stranger = add_employee(tenant, 700)
    theirs = tenant.add(Participant(programme_id=other.id, employee_id=stranger.id, role="mentor"))
    session.commit()
    answer = admin.post(
        f"/admin/programmes/{programme.id}/participants/bulk",
        data={"action": "remove", "ids": [theirs.id], "csrf_token": CSRF},
    )
    assert answer.status_code == 303
    assert "no longer in the programme" in admin.get(answer.headers["Location"]).get_data(as_text=True)
    session.expire_all()
    assert tenant.get(Participant, theirs.id).opted_in


def _upload(client, programme_id: int, text: str | bytes, name: str = "people.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        f"/admin/programmes/{programme_id}/participants/import",
        data={"csrf_token": CSRF, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_import_adds_members_names_its_columns_and_offers_a_template(admin, world, session):
    tenant, programme, people = world
    page = admin.get(f"/admin/programmes/{programme.id}/participants").get_data(as_text=True)
    assert "<code>email</code>" in page and "<code>role</code>" in page and "Download the template" in page
    template = admin.get(f"/admin/programmes/{programme.id}/participants/template.csv").get_data(as_text=True)
    assert template.splitlines()[0].split(",")[:3] == ["email", "role", "languages"]
    answer = _upload(
        admin,
        programme.id,
        f"Email,Role,languages\r\nnewt@example.test,executive,ja:5;en:3\r\n{people[3].work_email},,en:4\r\n",
    )
    report = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Import: 1 added, 1 updated, 0 rows refused." in report
    session.expire_all()
    newt = tenant.all(Employee, Employee.work_email == "newt@example.test")[0]
    newt = tenant.all(Participant, Participant.programme_id == programme.id, Participant.employee_id == newt.id)
    assert [(p.role, p.opted_in) for p in newt] == [("mentee", True)]
    assert {p.employee_id: p.languages for p in tenant.all(Profile)}[people[3].id] == {"en": 4}
    assert tenant.all(Participant, Participant.employee_id == people[3].id)[0].role == "mentor"  # kept


def test_a_bad_csv_is_reported_row_by_row_and_stores_nothing_wrong(admin, world, session):
    tenant, programme, people = world
    before = tenant.count(Participant)
    no_email = _upload(admin, programme.id, "name,role\r\nNewt,mentor\r\n").get_data(as_text=True)
    assert 'data-line="1"' in no_email and "one of them must be email" in no_email
    text = (
        "email,role,sync_style,colour\r\n"
        "nobody@example.test,mentor,,\r\n"  # line 2: unknown email
        "newt@example.test,mentor,,\r\n"  # line 3: duplicated on line 5
        "nora@example.test,,,\r\n"  # line 4: new but no role
        "newt@example.test,mentee,,\r\n"  # line 5
        f"{people[7].work_email},mentee,,\r\n"  # line 6: in a pair as mentor
        "nora@example.test,chief,,\r\n"  # line 7: duplicated too (line 4)
        f"{people[9].work_email},mentor,sometimes,blue\r\n"
    )  # line 8: bad style
    report = _upload(admin, programme.id, text).get_data(as_text=True)
    assert "Import: 0 added, 0 updated, 7 rows refused." in report
    assert "Columns ignored (not known): colour" in report
    reasons = {int(r.split('"')[0]): r.split("<td>")[1].split("</td>")[0] for r in report.split('data-line="')[1:]}
    assert reasons[2] == "no active employee has the email nobody@example.test"
    assert "appears on lines 3, 5" in reasons[3] and "appears on lines 3, 5" in reasons[5]
    assert "appears on lines 4, 7" in reasons[4]
    assert "in a pair as mentor" in reasons[6] and "sync_style must be one of" in reasons[8]
    session.expire_all()
    assert tenant.count(Participant) == before and tenant.count(Profile) == 0
    assert tenant.all(Participant, Participant.employee_id == people[7].id)[0].role == "mentor"


def test_an_oversized_or_undecodable_csv_stores_nothing(admin, world, session):
    tenant, programme, _ = world
    before = tenant.count(Participant)
    big = b"email,role\r\n" + b"newt@example.test,mentor\r\n" * (5 * 1024 * 1024 // 25 + 10)
    assert _upload(admin, programme.id, big).status_code == 413
    assert _upload(admin, programme.id, b"email,role\r\n\xff\xfe,mentor\r\n").status_code == 400
    session.expire_all()
    assert tenant.count(Participant) == before


def test_a_coordinator_acts_on_their_programme_but_cannot_import(client, world, session):
    tenant, programme, people = world
    other = add_programme(tenant, "Not theirs")
    access.grant(tenant, "coord@example.test", "coordinator", programme.id, actor="test")
    session.commit()
    _sign_in(
        client,
        {
            **admin_login.session_user(tenant.organisation_id),
            "role": "coordinator",
            "lms_role": None,
            "email": "coord@example.test",
            "employee_id": people[0].id,
        },
    )
    assert client.get(f"/admin/programmes/{programme.id}/participants").status_code == 200
    assert client.get(f"/admin/programmes/{other.id}/participants").status_code == 404
    assert (
        client.post(
            f"/admin/programmes/{other.id}/participants/bulk",
            data={"action": "remove", "ids": ["1"], "csrf_token": CSRF},
        ).status_code
        == 404
    )
    assert _upload(client, programme.id, "email,role\r\nnewt@example.test,mentor\r\n").status_code == 403
    session.expire_all()
    assert tenant.count(Participant, Participant.programme_id == programme.id) == 121
