"""HR insights show only groups of enough people; leavers are erased after the grace period, aggregates intact."""

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest

from plugin.domain.employee import EmployeeRecord, EmploymentStatus
from plugin.errors import ValidationError
from plugin.models import Employee, Erasure, Pair, Profile, Programme, Reflection
from plugin.services import insights, privacy, reflections, roster, sessions
from tests.factories import make_active_pair, make_person

NEXT_WEEK = date.today() + timedelta(days=7)


def reflected_pairs(tenant, mentee_regions: list[str]) -> list[Pair]:
    """One pair per mentee region; both partners reflect on one session, each with a private note."""
    pairs = []
    for n, region in enumerate(mentee_regions):
        mentor = make_person(tenant, 100 + n, region="Europe", job_level=2)
        mentee = make_person(tenant, 200 + n, region=region, job_level=8)
        programme = tenant.get(Programme, pairs[0].programme_id) if pairs else None
        pair = make_active_pair(tenant, agreed=True, mentor=mentor, mentee=mentee, programme=programme)
        held = sessions.log_session(tenant, pair.id, mentor.id, date.today(), 45, ["ai"])
        reflections.submit(tenant, pair.id, mentor.id, [4, 4, 4], f"mentor secret {n}", session_id=held.id)
        reflections.submit(tenant, pair.id, mentee.id, [2, 3, 1 + n % 5], f"mentee secret {n}", session_id=held.id)
        pairs.append(pair)
    return pairs


@pytest.fixture
def tenant(make_org):
    return make_org()


def cells(report):
    return {c.key: c for c in report.cells}


def test_a_small_group_stays_hidden_even_by_subtracting_it_from_a_total(tenant):
    reflected_pairs(tenant, ["Asia"] * 5 + ["Americas"] * 2)
    privacy.update_settings(tenant, "hr", min_group_size=3)
    by_role = cells(insights.reflection_insights(tenant, ("role",), as_of=NEXT_WEEK))
    by_region = cells(insights.reflection_insights(tenant, ("role", "region"), as_of=NEXT_WEEK))
    assert by_role[("mentee",)].people == 7 and by_region[("mentee", "Americas")].suppressed
    assert by_region[("mentee", "Asia")].suppressed  # else 7 - 5 would reveal the two in the Americas


def test_groups_under_the_threshold_are_suppressed(tenant):
    reflected_pairs(tenant, ["Asia"] * 4 + ["Americas"] * 2)
    by_region = cells(insights.reflection_insights(tenant, ("role", "region"), as_of=NEXT_WEEK))
    assert by_region[("mentor", "Europe")].people == 6
    assert by_region[("mentee", "Asia")].suppressed and by_region[("mentee", "Americas")].suppressed
    by_role = cells(insights.reflection_insights(tenant, ("role",), as_of=NEXT_WEEK))
    assert by_role[("mentee",)].people == 6 and by_role[("mentee",)].means["q1"] == 2.0


def test_a_lower_organisation_threshold_shows_more_but_never_below_three(tenant):
    reflected_pairs(tenant, ["Asia"] * 4 + ["Americas"] * 3)
    assert cells(insights.reflection_insights(tenant, ("role", "region"), as_of=NEXT_WEEK))[
        ("mentee", "Asia")
    ].suppressed
    privacy.update_settings(tenant, "hr", min_group_size=3)
    by_region = cells(insights.reflection_insights(tenant, ("role", "region"), as_of=NEXT_WEEK))
    assert (by_region[("mentee", "Asia")].people, by_region[("mentee", "Americas")].people) == (4, 3)
    with pytest.raises(ValidationError, match="at least 3"):
        privacy.update_settings(tenant, "hr", min_group_size=2)


def test_no_report_or_export_carries_reflection_text_or_small_numbers(tenant):
    reflected_pairs(tenant, ["Asia"] * 4 + ["Americas"] * 2)
    report = insights.reflection_insights(tenant, ("role", "region"), as_of=NEXT_WEEK)
    exported = insights.to_csv(report) + json.dumps(insights.as_json(report))
    assert "secret" not in exported
    assert "mentee,Americas,<5,," in insights.to_csv(report)
    suppressed = [c for c in insights.as_json(report)["cells"] if c["suppressed"]]
    assert suppressed and all(c["people"] is None and c["means"] is None for c in suppressed)


def test_this_weeks_answers_wait_for_the_next_cut_off(tenant):
    reflected_pairs(tenant, ["Asia"] * 6)
    assert insights.reflection_insights(tenant, ("role",)).cells == []


def test_a_leaver_is_erased_after_the_grace_period_and_the_aggregates_do_not_move(tenant):
    pairs = reflected_pairs(tenant, ["Asia"] * 6)
    leaver = pairs[0].mentee_employee_id
    tenant.add(Profile(employee_id=leaver, timezone="Asia/Tokyo"))
    before = insights.as_json(insights.reflection_insights(tenant, ("role", "region"), as_of=NEXT_WEEK))
    erasure = privacy.on_employee_terminated(tenant, leaver, today=date(2026, 1, 1))
    assert erasure.due_on == date(2026, 1, 31)
    assert privacy.erase_due(tenant, today=date(2026, 1, 30)) == 0
    assert privacy.erase_due(tenant, today=date(2026, 1, 31)) == 1
    person = tenant.get(Employee, leaver)
    assert (person.first_name, person.work_email, person.display_name) == ("", None, "Former employee")
    assert tenant.all(Profile, Profile.employee_id == leaver) == []
    texts = {r.text for r in tenant.all(Reflection)}
    assert "mentee secret 0" not in texts and "mentee secret 1" in texts
    after = insights.as_json(insights.reflection_insights(tenant, ("role", "region"), as_of=NEXT_WEEK))
    assert after == before
    assert tenant.all(Erasure)[0].erased_at is not None


def test_old_notes_are_deleted_after_the_retention_period(tenant):
    reflected_pairs(tenant, ["Asia"])
    privacy.update_settings(tenant, "hr", reflection_text_days=30)
    assert privacy.purge_old_notes(tenant, today=date.today() + timedelta(days=29)) == 0
    assert privacy.purge_old_notes(tenant, today=date.today() + timedelta(days=31)) == 2
    assert {r.text for r in tenant.all(Reflection)} == {None}


def test_an_hris_termination_schedules_the_erasure_through_a_job(app, settings, tenant):
    from rq import SimpleWorker

    from plugin.jobs.queue import get_queue
    from plugin.services import events

    person = make_person(tenant, 9)
    tenant.session.commit()
    for _ in range(2):  # BambooHR may deliver the same event twice
        events.publish(tenant, events.EMPLOYEE_TERMINATED, employee_id=person.id, source_id="9", connection_id=1)
        tenant.session.commit()
        queue = get_queue(settings)
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    tenant.session.expire_all()
    (erasure,) = tenant.all(Erasure)
    assert erasure.employee_id == person.id and erasure.due_on == date.today() + timedelta(days=30)


def test_the_json_api_answers_with_the_same_suppression(client, tenant):
    from plugin.services import api_tokens

    reflected_pairs(tenant, ["Asia"] * 5 + ["Americas"] * 2)
    for row in tenant.all(Reflection):  # answered before this week's cut-off
        row.created_at -= timedelta(days=8)
    privacy.update_settings(tenant, "hr", min_group_size=3)
    secret = api_tokens.issue(tenant, "insights")
    tenant.session.commit()
    body = client.get(
        "/api/v1/insights/reflections?by=role,region&role=mentee", headers={"Authorization": f"Bearer {secret}"}
    ).get_json()
    assert body["threshold"] == 3
    assert {c["key"]["region"]: c["people"] for c in body["cells"]} == {"Americas": None, "Asia": None}
    by_role = client.get("/api/v1/insights/reflections?by=role", headers={"Authorization": f"Bearer {secret}"})
    assert {c["key"]["role"]: c["people"] for c in by_role.get_json()["cells"]} == {"mentee": 7, "mentor": 7}


def test_an_erased_leaver_stays_erased_when_the_hris_still_lists_them_and_returns_if_rehired(tenant):
    leaving = EmployeeRecord(
        "bamboohr",
        "4711",
        "Aiko",
        "Tanaka",
        work_email="aiko@example.test",
        employment_status=EmploymentStatus.TERMINATED,
        termination_date=date(2026, 1, 1),
    )
    roster.upsert_employees(tenant, [replace(leaving, employment_status=EmploymentStatus.ACTIVE)])
    person = tenant.session.scalars(tenant.select(Employee, Employee.source_id == "4711")).one()
    roster.upsert_employees(tenant, [leaving])
    privacy.erase_person(tenant, person.id)
    tenant.session.commit()

    summary = roster.upsert_employees(tenant, [replace(leaving, job_title="Analyst")])  # a full sync later
    tenant.session.commit()
    tenant.session.expire_all()
    assert (summary.updated, summary.unchanged) == (0, 1)
    assert (person.first_name, person.work_email, person.job_title) == ("", None, None)

    roster.upsert_employees(
        tenant, [replace(leaving, employment_status=EmploymentStatus.ACTIVE, termination_date=None)]
    )  # rehired: the HRIS is the source again
    tenant.session.commit()
    tenant.session.expire_all()
    assert (person.first_name, person.work_email, person.active) == ("Aiko", "aiko@example.test", True)
