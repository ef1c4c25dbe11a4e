"""A cycle with an end and a successor: closing a programme completes or ends its pairs (jobs through the outbox,
sessions read-only), and the next cohort copies the settings, never repeats a past pair and invites the mentors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from plugin.cli import main
from plugin.errors import Conflict, ValidationError
from plugin.models import AuditEvent, Exclusion, OutboxMessage, Pair, Participant, Programme, SessionLog
from plugin.services import cohorts, completion, matching, sessions
from tests.factories import make_active_pair, make_person


def _person(tenant, n: int, level: int, country: str):
    return make_person(tenant, n, job_level=level, country=country, languages=["en"], preferred_language="en")


@pytest.fixture
def cohort(make_org):
    """An active programme with two running pairs, one of which has met its completion rule."""
    tenant = make_org("cohort-org")
    done = make_active_pair(
        tenant,
        mentor=_person(tenant, 1, 1, "BR"),
        mentee=_person(tenant, 2, 8, "JP"),
        cadence_days=21,
        weights={"hours": 3},
    )
    programme = tenant.get(Programme, done.programme_id)
    open_pair = make_active_pair(
        tenant, mentor=_person(tenant, 3, 1, "IN"), mentee=_person(tenant, 4, 8, "DE"), programme=programme, agreed=True
    )
    for pair in (done, open_pair):
        for employee_id, role in ((pair.mentor_employee_id, "mentor"), (pair.mentee_employee_id, "mentee")):
            tenant.add(Participant(programme_id=programme.id, employee_id=employee_id, role=role))
    completion.set_rule(tenant, programme.id, min_sessions=1, final_reflection=False)
    tenant.add(
        SessionLog(
            pair_id=done.id,
            held_on=date.today() - timedelta(days=3),
            minutes=45,
            status="confirmed",
            logged_by_role="mentor",
        )
    )
    tenant.session.commit()
    return tenant, programme, done, open_pair


def _keys(tenant) -> list[str]:
    return sorted(row.key for row in tenant.all(OutboxMessage))


def test_closing_completes_what_is_done_ends_the_rest_and_leaves_their_jobs_in_the_outbox(cohort):
    tenant, programme, done, open_pair = cohort
    closing = cohorts.close_programme(tenant, programme.id, "hr_admin:employee:9")
    tenant.session.commit()
    tenant.session.expire_all()
    assert (closing.completed, closing.ended, closing.alumni) == ((done.id,), (open_pair.id,), 4)
    assert tenant.get(Programme, programme.id).status == "completed"
    assert tenant.get(Pair, done.id).status == "completed"
    assert (tenant.get(Pair, open_pair.id).status, tenant.get(Pair, open_pair.id).end_reason) == (
        "ended",
        cohorts.CLOSED,
    )
    assert _keys(tenant) == sorted([f"completion-{done.id}", f"credentials-{done.id}", f"unenrol-pair-{open_pair.id}"])
    with pytest.raises(ValidationError):  # sessions are read-only once closed
        sessions.log_session(tenant, open_pair.id, open_pair.mentor_employee_id, date.today(), 30, [])
    (event,) = tenant.all(AuditEvent, AuditEvent.action == "programme.closed")
    assert event.actor == "hr_admin:employee:9"


def test_only_an_active_programme_closes_and_a_refusal_changes_nothing(cohort):
    tenant, programme, done, _ = cohort
    cohorts.close_programme(tenant, programme.id, "hr")
    tenant.session.commit()
    with pytest.raises(Conflict):
        cohorts.close_programme(tenant, programme.id, "hr")
    tenant.session.rollback()
    assert len(tenant.all(OutboxMessage)) == 3


def test_the_next_cohort_copies_settings_never_repeats_a_pair_and_invites_the_alumni_mentors(cohort):
    tenant, programme, done, open_pair = cohort
    with pytest.raises(Conflict):  # not before the cycle is closed
        cohorts.next_cohort(tenant, programme.id, "Flip 2027", "hr")
    cohorts.close_programme(tenant, programme.id, "hr")
    tenant.session.commit()
    for bad in ("", " ", "x" * 201):
        with pytest.raises(ValidationError):
            cohorts.next_cohort(tenant, programme.id, bad, "hr")
    with pytest.raises(Conflict):
        cohorts.next_cohort(tenant, programme.id, programme.name, "hr")
    successor = cohorts.next_cohort(tenant, programme.id, "Flip 2027", "hr")
    tenant.session.commit()
    assert (successor.status, successor.cadence_days, successor.weights) == ("draft", 21, {"hours": 3})
    past = {
        (done.mentee_employee_id, done.mentor_employee_id),
        (open_pair.mentee_employee_id, open_pair.mentor_employee_id),
    }
    assert {
        (x.mentee_employee_id, x.mentor_employee_id)
        for x in tenant.all(Exclusion, Exclusion.programme_id == successor.id)
    } == past
    invited = tenant.all(Participant, Participant.programme_id == successor.id)
    assert sorted((p.employee_id, p.role) for p in invited) == sorted(
        [(done.mentor_employee_id, "mentor"), (open_pair.mentor_employee_id, "mentor")]
    )
    for executive in (done.mentee_employee_id, open_pair.mentee_employee_id):  # the executives opt in again
        tenant.add(Participant(programme_id=successor.id, employee_id=executive, role="mentee"))
    tenant.session.commit()
    result, _ = matching.run_matching(tenant, successor.id)
    tenant.session.commit()
    made = {(p.mentee_employee_id, p.mentor_employee_id) for p in tenant.all(Pair, Pair.programme_id == successor.id)}
    assert result.filled == 2 and made and not made & past  # both executives re-paired, each with the other mentor


def test_the_cli_closes_a_cycle_and_starts_the_next(cohort, settings):
    tenant, programme, _, _ = cohort
    runner = CliRunner(
        env={
            "DATABASE_URL": settings.database_url,
            "FLIPSIDE_INSTANCE_PATH": settings.instance_path,
            "REDIS_URL": settings.redis_url,
            "FLIPSIDE_QUEUE_PREFIX": settings.queue_prefix,
        }
    )
    closed = runner.invoke(main, ["programme", "close", str(programme.id), "--org", "cohort-org"])
    assert closed.exit_code == 0, closed.output
    assert "1 pair completed, 1 ended, 4 alumni" in closed.output
    started = runner.invoke(
        main, ["programme", "next", str(programme.id), "--org", "cohort-org", "--name", "Flip 2027"]
    )
    assert started.exit_code == 0, started.output
    tenant.session.expire_all()
    assert tenant.count(Programme, Programme.name == "Flip 2027", Programme.status == "draft") == 1
    again = runner.invoke(main, ["programme", "close", str(programme.id), "--org", "cohort-org"])
    assert again.exit_code == 1 and "only an active programme can be closed" in again.output


def test_an_hr_admin_closes_the_cycle_and_starts_the_next_from_the_programme_page(cohort, client):
    from plugin.services import admin_login

    tenant, programme, done, open_pair = cohort
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(tenant.organisation_id)
        s["csrf_token"] = "t"
    page = client.get(f"/admin/programmes/{programme.id}/").get_data(as_text=True)
    assert 'id="close-programme"' in page and 'id="next-cohort"' not in page
    closed = client.post(
        f"/admin/programmes/{programme.id}/status",
        data={"status": "completed", "csrf_token": "t"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Programme closed: 1 pairs completed, 1 ended; 4 alumni." in closed and 'id="next-cohort"' in closed
    assert "Add everyone eligible" not in closed  # a closed cycle takes nobody new, and says so when asked
    _person(tenant, 5, 1, "FR")
    tenant.session.commit()
    refused = client.post(f"/admin/programmes/{programme.id}/enrol", data={"csrf_token": "t"})
    assert refused.status_code == 409 and "start the next cohort" in refused.get_data(as_text=True)
    tenant.session.expire_all()
    assert tenant.count(Participant, Participant.programme_id == programme.id) == 4
    started = client.post(f"/admin/programmes/{programme.id}/next", data={"name": "Flip 2027", "csrf_token": "t"})
    assert started.status_code == 303
    tenant.session.expire_all()
    (successor,) = tenant.all(Programme, Programme.name == "Flip 2027")
    assert started.headers["Location"].endswith(f"/admin/programmes/{successor.id}/")
    assert tenant.count(Exclusion, Exclusion.programme_id == successor.id) == 2


def test_the_api_completes_a_programme_only_by_closing_it(cohort, client):
    from plugin.services import api_tokens

    tenant, programme, done, open_pair = cohort
    token = api_tokens.issue(tenant, "hr")
    tenant.session.commit()
    answer = client.post(
        f"/api/v1/programmes/{programme.id}/status",
        json={"status": "completed"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200 and answer.json["status"] == "completed"
    tenant.session.expire_all()
    assert {tenant.get(Pair, done.id).status, tenant.get(Pair, open_pair.id).status} == {"completed", "ended"}
