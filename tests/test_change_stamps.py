"""Kept views are never stale: pair health, impact and the match review's empty places follow every change
(a logged, confirmed or cancelled session, a nudge, an excluded pair, a synced employee, a new day)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import insert

from plugin.domain.employee import EmployeeRecord
from plugin.models import Pair, SessionLog
from plugin.models.stamps import PEOPLE, PROGRAMME, pending, tokens
from plugin.services import impact, match_listing, match_review, matching, pair_health, roster, sessions, stamped
from tests.admin_world import START, add_employee, add_pair, add_programme
from tests.factories import make_active_pair
from tests.review_world import review_programme


def cold(compute):
    """The same answer computed from the database, nothing kept."""
    stamped._views.clear()
    return compute()


@pytest.fixture
def running(make_org, session):
    tenant = make_org()
    pair = make_active_pair(tenant, agreed=True, started_days_ago=43, duration_weeks=12)
    session.commit()
    return tenant, pair


def test_pair_health_follows_a_logged_a_confirmed_and_a_cancelled_session(running, session):
    tenant, pair = running
    view = lambda: pair_health.programme_health(tenant, pair.programme_id)  # noqa: E731
    before = view().rows[0].health
    held = sessions.log_session(tenant, pair.id, pair.mentee_employee_id, date.today() - timedelta(days=3), 40, [])
    session.commit()
    logged = view().rows[0].health
    assert logged.last_session == date.today() - timedelta(days=3) and logged != before
    sessions.confirm_session(tenant, held.id, pair.mentor_employee_id)
    session.commit()
    confirmed = view().rows[0].health
    assert confirmed.confirmed == 1 and confirmed != logged
    sessions.cancel_session(tenant, pair.id, pair.mentee_employee_id, date.today() - timedelta(days=1))
    session.commit()
    cancelled = view().rows[0].health
    assert cancelled.executive_cancellations == 1
    assert cancelled == cold(view).rows[0].health
    assert pair_health.programme_assessment(tenant, pair.programme_id) == [cancelled]
    assert view().summary == cold(view).summary


def test_a_new_day_is_a_new_assessment(running):
    tenant, pair = running
    today = pair_health.programme_health(tenant, pair.programme_id).rows[0].health
    later = date.today() + timedelta(days=40)
    ahead = pair_health.programme_health(tenant, pair.programme_id, today=later).rows[0].health
    assert ahead != today
    assert ahead == cold(lambda: pair_health.programme_health(tenant, pair.programme_id, today=later)).rows[0].health


def test_a_kept_assessment_is_read_again_without_assessing(running, monkeypatch):
    tenant, pair = running
    calls = []
    real = pair_health.assess_pairs
    monkeypatch.setattr(pair_health, "assess_pairs", lambda *a, **k: calls.append(1) or real(*a, **k))
    stamped._views.clear()
    for _ in range(3):
        pair_health.programme_health(tenant, pair.programme_id)
        pair_health.organisation_health(tenant)
    assert len(calls) == 2  # once per scope


def test_a_bulk_insert_and_the_rosters_core_upsert_replace_the_tokens_when_they_commit(running, session):
    tenant, pair = running
    first = tokens(tenant.session, tenant.organisation_id, PROGRAMME, PEOPLE)
    tenant.session.execute(
        insert(SessionLog),
        [dict(organisation_id=tenant.organisation_id, pair_id=pair.id, held_on=date.today(), logged_by_role="mentor")],
    )
    assert pending(tenant.session, tenant.organisation_id, (PROGRAMME,))
    assert not pending(tenant.session, tenant.organisation_id, (PEOPLE,))
    session.commit()
    second = tokens(tenant.session, tenant.organisation_id, PROGRAMME, PEOPLE)
    assert second[0] != first[0] and second[1] == first[1]
    record = EmployeeRecord(source_system="hris", source_id="new-1", first_name="Noor", last_name="Haddad")
    roster.upsert_employees(tenant, [record])
    session.rollback()  # rolled back with the data: the token stays and nothing is left to renew
    assert tokens(tenant.session, tenant.organisation_id, PROGRAMME, PEOPLE) == second
    assert not pending(tenant.session, tenant.organisation_id, (PROGRAMME, PEOPLE))
    roster.upsert_employees(tenant, [record])
    session.commit()
    assert tokens(tenant.session, tenant.organisation_id, PROGRAMME, PEOPLE)[1] != second[1]


def test_a_view_read_inside_a_transaction_that_changed_its_data_is_not_kept(running, session, monkeypatch):
    tenant, pair = running
    calls = []
    real = pair_health.assess_pairs
    monkeypatch.setattr(pair_health, "assess_pairs", lambda *a, **k: calls.append(1) or real(*a, **k))
    sessions.log_session(tenant, pair.id, pair.mentor_employee_id, date.today(), 30, [])
    pair_health.programme_health(tenant, pair.programme_id)  # sees the uncommitted session
    session.rollback()
    pair_health.programme_health(tenant, pair.programme_id)  # the session never happened: computed again
    pair_health.programme_health(tenant, pair.programme_id)  # now kept
    assert len(calls) == 2


def test_impact_follows_a_leaver_and_the_settings(make_org, session):
    tenant = make_org()
    programme = add_programme(tenant)
    people = [add_employee(tenant, n) for n in range(12)]
    for n, mentor in enumerate(people):
        executive = add_employee(tenant, 100 + n, job_level=8, department="Leadership", hire_date=date(2010, 3, 1))
        add_pair(tenant, programme, mentor, executive)
    for n in range(30):
        add_employee(tenant, 200 + n)
    session.commit()
    as_of = START + timedelta(days=400)
    view = lambda: impact.programme_impact(tenant, programme.id, as_of=as_of)  # noqa: E731
    before = view().cell("mentors", "retention", 12)
    for person in people[:3]:
        person.termination_date = START + timedelta(days=100)
    session.commit()
    after = view().cell("mentors", "retention", 12)
    assert after != before and after == cold(view).cell("mentors", "retention", 12)
    impact.update_settings(tenant, programme.id, {"opt_in": False})
    session.commit()
    assert view() == cold(view)


def test_the_empty_places_follow_an_excluded_pair(make_org, session):
    tenant = make_org("stampco")
    programme, people = review_programme(tenant)
    matching.run_matching(tenant, programme.id)
    session.commit()
    view = lambda: match_listing.empty_slots(tenant, programme.id)  # noqa: E731
    before = view()
    pair = tenant.all(Pair, Pair.programme_id == programme.id, Pair.mentee_employee_id == people["Petra Albers"].id)[0]
    match_review.exclude(tenant, pair.id, "not this one")
    session.commit()
    after = view()
    assert after == cold(view)
    assert {s.executive_id for s in after} != {s.executive_id for s in before} or after != before


def test_the_dashboards_numbers_follow_a_session_and_a_new_employee(running, session):
    from plugin.models import Programme
    from plugin.services import dashboard, employees

    tenant, pair = running
    programme = tenant.get(Programme, pair.programme_id)
    before, people = dashboard.summary(tenant, programme), employees.count_active(tenant)
    sessions.log_session(tenant, pair.id, pair.mentee_employee_id, date.today() - timedelta(days=1), 30, [])
    roster.upsert_employees(tenant, [EmployeeRecord(source_system="hris", source_id="n-2", first_name="Ana")])
    session.commit()
    after = dashboard.summary(tenant, programme)
    assert after.sessions_this_period == before.sessions_this_period + 1 and after.health != before.health
    assert employees.count_active(tenant) == people + 1
    assert after == cold(lambda: dashboard.summary(tenant, programme))
