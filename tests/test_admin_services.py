"""Impact and pair-health services on stored employees, participants and pairs."""

from datetime import date, timedelta

import pytest

from plugin.demo import pilot as demo_pilot
from plugin.errors import NotFound, ValidationError
from plugin.models import AuditEvent, Connection, Nudge, Participant, Programme, SessionLog
from plugin.services import impact, pair_health, programmes
from tests.admin_world import START, add_employee, add_pair, add_programme, load_workforce

AS_OF = date(2026, 11, 1)


@pytest.fixture
def org(make_org, session):
    """12 paired mentors and their executives, 30 comparable colleagues (3 left within a year), and noise."""
    tenant = make_org()
    programme = add_programme(tenant)
    for n in range(12):
        mentor = add_employee(
            tenant,
            n,
            **(
                {"job_level": 3, "custom_fields": {"last_promotion_date": (START + timedelta(days=200)).isoformat()}}
                if n == 0
                else {}
            ),
        )
        executive = add_employee(
            tenant, 100 + n, job_level=8, department="Leadership", birth_year=1970, hire_date=date(2010, 3, 1)
        )
        add_pair(tenant, programme, mentor, executive)
    for n in range(30):
        add_employee(tenant, 200 + n, termination_date=START + timedelta(days=100) if n < 3 else None)
    unpaired = add_employee(tenant, 300, termination_date=START + timedelta(days=50))
    tenant.add(Participant(programme_id=programme.id, employee_id=unpaired.id, role="mentor"))
    add_employee(tenant, 400, termination_date=date(2023, 5, 1))
    session.commit()
    return tenant, programme


def test_impact_compares_paired_mentors_with_comparable_colleagues(org):
    tenant, programme = org
    report = impact.programme_impact(tenant, programme.id, as_of=AS_OF)
    cell = report.cell("mentors", "retention", 12)
    assert (cell.status, cell.participants, cell.comparison) == ("shown", 12, 30)
    assert (cell.participant_rate, cell.comparison_rate) == (1.0, 0.9)
    assert cell.absolute.estimate == pytest.approx(0.1)
    promoted = report.cell("mentors", "promotion", 12)
    assert promoted.participant_rate == pytest.approx(1 / 12)
    assert report.cell("under_30", "retention", 24).participants == 12


def test_executives_without_comparable_colleagues_are_suppressed(org):
    tenant, programme = org
    report = impact.programme_impact(tenant, programme.id, as_of=AS_OF)
    cell = report.cell("mentees", "retention", 12)
    assert cell.status == "suppressed" and cell.participants is None


def test_roi_uses_the_edited_replacement_cost(org):
    tenant, programme = org
    impact.update_settings(tenant, programme.id, {"replacement_cost": 50_000.0, "programme_cost": 20_000.0})
    report = impact.programme_impact(tenant, programme.id, as_of=AS_OF)
    assert report.roi.value.estimate == pytest.approx(0.1 * 12 * 50_000)
    assert report.roi.roi.estimate == pytest.approx((60_000 - 20_000) / 20_000)
    assert tenant.count(AuditEvent, AuditEvent.action == "impact.settings") == 1


def test_settings_refuse_a_threshold_below_three_and_opt_out_removes_the_warning(org):
    tenant, programme = org
    with pytest.raises(ValidationError, match="below 3"):
        impact.update_settings(tenant, programme.id, {"threshold": 2})
    impact.update_settings(tenant, programme.id, {"opt_in": False})
    assert impact.programme_impact(tenant, programme.id, as_of=AS_OF).warning is None


def test_impact_csv_has_a_row_per_cell_and_blank_suppressed_numbers(org):
    tenant, programme = org
    lines = impact.impact_csv(impact.programme_impact(tenant, programme.id, as_of=AS_OF)).splitlines()
    assert lines[0].startswith("group,outcome,months,status,participants,comparison")
    assert len(lines) == 13
    assert any(line.startswith("mentors,retention,12,shown,12,30,0,1.0,0.9,0.1,") for line in lines)
    assert any(line.startswith("mentees,retention,12,suppressed,,,") for line in lines)


def test_a_programme_that_has_not_started_has_no_impact_yet(make_org):
    tenant = make_org()
    programme = add_programme(tenant, starts_on=None, status="draft")
    with pytest.raises(ValidationError, match="not started"):
        impact.programme_impact(tenant, programme.id)


def test_pair_health_lists_silent_pairs_as_at_risk_first(org):
    tenant, programme = org
    late = add_employee(tenant, 500)
    boss = add_employee(tenant, 501, job_level=8, department="Leadership")
    fresh = add_pair(tenant, programme, late, boss, approved=AS_OF - timedelta(days=3))
    rows = pair_health.programme_health(tenant, programme.id, today=AS_OF).rows
    assert len(rows) == 13
    assert rows[0].health.status == "at_risk" and rows[-1].pair.id == fresh.id
    assert rows[-1].health.status == "healthy"
    assert rows[0].mentor.display_name.startswith("Sam")


def test_a_nudge_is_recorded_once_per_cadence_period(org, session):
    tenant, programme = org
    pair_id = pair_health.programme_health(tenant, programme.id, today=AS_OF).rows[0].pair.id
    pair_health.nudge(tenant, pair_id, actor="hr@example.test", today=date.today())
    session.commit()
    assert tenant.count(Nudge, Nudge.pair_id == pair_id) == 1
    with pytest.raises(ValidationError, match="already nudged"):
        pair_health.nudge(tenant, pair_id, today=date.today())
    rows = pair_health.programme_health(tenant, programme.id, today=date.today()).rows
    assert not next(r for r in rows if r.pair.id == pair_id).health.can_nudge


def test_other_organisations_pairs_are_invisible(org, make_org):
    _, programme = org
    other = make_org()
    with pytest.raises(NotFound, match="No programme"):
        pair_health.programme_health(other, programme.id)


def test_ids_beyond_the_key_range_are_simply_not_found(make_org):
    tenant = make_org()
    with pytest.raises(NotFound):
        tenant.get(Programme, 2**40)


def test_a_programme_cannot_point_at_another_organisations_lms_connection(make_org, session):
    mine, theirs = make_org(), make_org()
    connection = theirs.add(Connection(vendor="moodle", kind="lms", name="Their Moodle"))
    session.flush()
    with pytest.raises(ValidationError, match="No such LMS connection"):
        programmes.create_programme(mine, {"name": "Pilot", "lms_connection_id": connection.id})


def test_demo_programmes_give_a_measurable_pilot_and_a_cohort_with_pairs_at_risk(make_org):
    tenant = make_org()
    load_workforce(tenant, size=1500, seed=3)
    today = date(2026, 11, 1)
    pilot, cohort = demo_pilot.seed_programmes(tenant, today)
    report = impact.programme_impact(tenant, pilot.id, as_of=today)
    assert report.cell("mentors", "retention", 24).status == "shown"
    statuses = [row.health.status for row in pair_health.programme_health(tenant, cohort.id, today=today).rows]
    assert statuses == ["at_risk"] * 3 + ["healthy"] * 5


def test_pair_health_reads_logged_sessions_and_executive_cancellations(org, session):
    tenant, programme = org
    pair = pair_health.programme_health(tenant, programme.id, today=AS_OF).rows[0].pair
    recent = AS_OF - timedelta(days=3)
    for n, status in enumerate(("confirmed", "cancelled", "cancelled")):
        tenant.add(
            SessionLog(
                pair_id=pair.id,
                held_on=recent - timedelta(days=n),
                status=status,
                logged_by_role="mentor",
                cancelled_by_role="mentee" if status == "cancelled" else None,
            )
        )
    session.flush()
    row = next(r for r in pair_health.programme_health(tenant, programme.id, today=AS_OF).rows if r.pair.id == pair.id)
    assert (row.health.held_sessions, row.health.last_session, row.health.executive_cancellations) == (1, recent, 2)
    assert "no_session" not in row.health.reasons and "executive_cancels" in row.health.reasons


def test_the_learner_page_and_both_hr_pages_read_one_assessment(make_org, session):
    from plugin.services import learner, sessions
    from tests.factories import make_active_pair

    tenant = make_org()
    pair = make_active_pair(tenant, agreed=True, started_days_ago=43, duration_weeks=4, extension_weeks=2)
    pair.extensions = 1
    held = sessions.log_session(tenant, pair.id, pair.mentee_employee_id, date.today() - timedelta(days=30), 40, [])
    sessions.confirm_session(tenant, held.id, pair.mentor_employee_id)
    sessions.cancel_session(tenant, pair.id, pair.mentee_employee_id, date.today() - timedelta(days=2))
    session.flush()
    programme = tenant.get(Programme, pair.programme_id)
    learner_view = learner.pair_page(tenant, pair.id, pair.mentor_employee_id).health
    workspace_view = pair_health.programme_health(tenant, programme.id).rows[0].health
    organisation_view = next(r.health for r in pair_health.organisation_health(tenant).rows if r.pair.id == pair.id)
    assert learner_view == workspace_view == organisation_view
    assert learner_view.cadence.ends_on == programme.starts_on + timedelta(weeks=6, days=-1)
    assert (learner_view.confirmed, learner_view.minutes, learner_view.executive_cancellations) == (1, 40, 1)
    assert (learner_view.cadence.expected, learner_view.cadence.behind) == (2, 1)  # it ended on day 41


def test_a_pair_without_approval_or_programme_start_counts_from_its_creation_everywhere(make_org, session):
    """The workspace used to call such a pair not started while the learner's page counted from creation."""
    from plugin.models import Pair
    from plugin.services import learner
    from tests.factories import make_active_pair

    tenant = make_org()
    pair = make_active_pair(tenant, agreed=True, duration_weeks=10)
    programme = tenant.get(Programme, pair.programme_id)
    pair.approved_at, programme.starts_on = None, None
    session.flush()
    created = tenant.get(Pair, pair.id).created_at.date()
    later = created + timedelta(days=40)
    hr = pair_health.programme_health(tenant, programme.id, today=later).rows[0].health
    assert hr == learner.pair_page(tenant, pair.id, pair.mentee_employee_id, today=later).health
    assert hr.status == "at_risk" and "no_session" in hr.reasons
    assert hr.cadence.ends_on == created + timedelta(weeks=10, days=-1)
