"""Changing a mentor in a full programme with panels from distinct countries: juniors with no place yet are
offered first, then the swaps that keep both panels within the rules, and when nobody may take the place the
page says which rule stops them instead of showing an empty list."""

from __future__ import annotations

import pytest

from plugin.errors import Conflict
from plugin.models import AuditEvent, Employee, Pair, Participant, Programme
from plugin.services import admin_login, mentor_change
from plugin.services.tenant import Tenant

CSRF = "test-csrf-token"


def _person(tenant: Tenant, n: int, name: str, country: str, level: int) -> Employee:
    first, last = name.split(" ", 1)
    row = tenant.add(
        Employee(
            source_system="synthetic",
            source_id=f"M{n}",
            first_name=first,
            last_name=last,
            work_email=f"m{n}@example.test",
            job_level=level,
            function="Engineering" if level <= 2 else "Finance",
            country=country,
            region="EMEA",
            timezone="Europe/Berlin",
            preferred_language="en",
            languages=["en"],
            active=True,
            custom_fields={},
        )
    )
    tenant.session.flush()
    return row


def _full_programme(tenant: Tenant, *, locked_same_country: bool) -> tuple[Programme, dict[str, Employee], dict]:
    """Two executives, each with a full panel of two mentors from two countries; every mentor of the
    programme is on a panel. Greta (DE) and Farid (FR) mentor Petra; Dirk (DE) and Fleur (FR) mentor Hugo."""
    programme = tenant.add(
        Programme(
            name="Full panels",
            status="matching",
            mentors_per_executive=2,
            distinct_countries=True,
            min_overlap_hours=1.0,
            mentor_rules={"all": [{"field": "job_level", "op": "<=", "value": 2}]},
            mentee_rules={"all": [{"field": "job_level", "op": ">=", "value": 7}]},
        )
    )
    tenant.session.flush()
    people = {
        name: _person(tenant, n, name, country, level)
        for n, (name, country, level) in enumerate(
            [
                ("Petra Albers", "DE", 8),
                ("Hugo Brandt", "DE", 8),
                ("Greta Lang", "DE", 2),
                ("Farid Nour", "FR", 2),
                ("Dirk Stein", "DE", 2),
                ("Fleur Roy", "FR", 2),
            ]
        )
    }
    for row in people.values():
        role = "mentee" if row.job_level >= 7 else "mentor"
        tenant.add(Participant(programme_id=programme.id, employee_id=row.id, role=role))
    pairs = {}
    for executive, mentor in (
        ("Petra Albers", "Greta Lang"),
        ("Petra Albers", "Farid Nour"),
        ("Hugo Brandt", "Dirk Stein"),
        ("Hugo Brandt", "Fleur Roy"),
    ):
        pairs[mentor] = tenant.add(
            Pair(
                programme_id=programme.id,
                mentee_employee_id=people[executive].id,
                mentor_employee_id=people[mentor].id,
                score=0.6,
                status="proposed",
                locked=locked_same_country and mentor == "Dirk Stein",
            )
        )
    tenant.session.flush()
    return programme, people, pairs


@pytest.fixture
def admin(client):
    def login(tenant: Tenant):
        with client.session_transaction() as s:
            s["user"] = admin_login.session_user(tenant.organisation_id)
            s["csrf_token"] = CSRF
        return client

    return login


def test_a_junior_with_no_place_yet_is_offered_when_every_swap_breaks_a_rule(make_org, session, admin):
    tenant = make_org("fullco")
    programme, people, pairs = _full_programme(tenant, locked_same_country=True)
    newcomer = _person(tenant, 50, "Nia Okafor", "NG", 2)  # eligible, in no programme
    _person(tenant, 51, "Olga Senior", "PL", 8)  # an executive by the rules: never offered as a mentor
    session.commit()
    client = admin(tenant)
    greta = pairs["Greta Lang"]

    page = client.get(f"/admin/programmes/{programme.id}/matches/{greta.id}/change").get_data(as_text=True)
    assert "Nia Okafor" in page and "Join the programme as a mentor and replace the current mentor" in page
    assert "Olga Senior" not in page and "No mentor found." not in page

    preview = client.get(f"/admin/programmes/{programme.id}/matches/{greta.id}/change?mentor={newcomer.id}")
    assert b"joins the programme as a mentor" in preview.data and b"Confirm the change" in preview.data
    assert not tenant.all(Participant, Participant.employee_id == newcomer.id), "a preview adds nobody"

    done = client.post(
        f"/admin/programmes/{programme.id}/matches/{greta.id}/change",
        data={"csrf_token": CSRF, "mentor_id": str(newcomer.id)},
    )
    assert done.status_code == 303
    tenant.session.expire_all()
    greta = tenant.get(Pair, greta.id)
    assert greta.mentor_employee_id == newcomer.id and greta.locked
    (joined,) = tenant.all(Participant, Participant.employee_id == newcomer.id)
    assert (joined.programme_id, joined.role, joined.opted_in) == (programme.id, "mentor", True)
    assert tenant.all(AuditEvent, AuditEvent.action == "participant.added")


def test_free_people_come_first_then_the_swaps_that_keep_both_panels_valid(make_org, session):
    tenant = make_org("orderco")
    programme, people, pairs = _full_programme(tenant, locked_same_country=False)
    newcomer = _person(tenant, 50, "Nia Okafor", "NG", 2)
    session.commit()
    options = mentor_change.candidates(tenant, pairs["Greta Lang"].id, "")
    offered = [(o.mentor, o.kind) for o in options]
    # Fleur (FR) would repeat France on Petra's panel; Dirk (DE) swaps with Greta (DE) within both panels
    assert offered == [("Nia Okafor", "replace"), ("Dirk Stein", "swap")]
    assert options.blocked == []
    assert newcomer.id not in {p.employee_id for p in tenant.all(Participant)}


def test_with_nobody_left_the_page_says_which_rules_stop_each_mentor(make_org, session, admin):
    tenant = make_org("blockedco")
    programme, people, pairs = _full_programme(tenant, locked_same_country=True)
    _person(tenant, 52, "Franz Weber", "FR", 2)  # eligible, but France is already on Petra's panel
    session.commit()
    greta = pairs["Greta Lang"]
    options = mentor_change.candidates(tenant, greta.id, "")
    assert list(options) == []
    # Fleur and Franz would repeat France; Dirk is locked; Farid is on Petra's panel already
    assert options.blocked == [("distinct_countries", 2), ("locked", 1), ("same_panel", 1)]
    page = admin(tenant).get(f"/admin/programmes/{programme.id}/matches/{greta.id}/change").get_data(as_text=True)
    assert "No mentor can take this place under the programme" in page
    assert "A country would appear twice on a panel (mentors from distinct countries): 2" in page
    assert "On a locked pair: 1" in page and "Already on this executive&#39;s panel: 1" in page
    assert "No mentor found." not in page


def test_nobody_outside_the_rules_can_be_forced_in(make_org, session, admin):
    tenant = make_org("forceco")
    programme, people, pairs = _full_programme(tenant, locked_same_country=True)
    senior = _person(tenant, 53, "Olga Senior", "PL", 8)
    left = _person(tenant, 54, "Quit Person", "NG", 2)
    left.active = False
    opted = _person(tenant, 55, "Said No", "NG", 2)
    tenant.add(Participant(programme_id=programme.id, employee_id=opted.id, role="mentor", opted_in=False))
    elsewhere = make_org("elsewhere")
    stranger = _person(elsewhere, 56, "Other Org", "NG", 2)
    session.commit()
    client = admin(tenant)
    greta = pairs["Greta Lang"]
    for outsider in (senior, left, opted, stranger):
        assert "is not a mentor in this programme" in mentor_change.preview(tenant, greta.id, outsider.id).refused
        answer = client.post(
            f"/admin/programmes/{programme.id}/matches/{greta.id}/change",
            data={"csrf_token": CSRF, "mentor_id": str(outsider.id)},
        )
        assert answer.status_code == 409
        with pytest.raises(Conflict):
            mentor_change.change_mentor(tenant, greta.id, outsider.id)
    tenant.session.expire_all()
    assert tenant.get(Pair, greta.id).mentor_employee_id == people["Greta Lang"].id
    assert {p.employee_id for p in tenant.all(Participant, Participant.opted_in.is_(True))} == {
        e.id for e in people.values()
    }
