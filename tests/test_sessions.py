"""Sessions, cadence, reminders, extensions and private reflections of a pair."""

from datetime import date, timedelta

import pytest
from rq import SimpleWorker

from plugin.errors import Forbidden, ValidationError
from plugin.jobs.cadence import check_cadence
from plugin.jobs.queue import enqueue, get_queue
from plugin.models import PairInvitation, Reminder
from plugin.services import extensions, pair_health, reflections, sessions
from tests.factories import make_active_pair, make_person


@pytest.fixture
def tenant(make_org):
    return make_org()


def test_a_session_counts_once_the_other_partner_confirms(tenant):
    pair = make_active_pair(tenant, agreed=True)
    logged = sessions.log_session(tenant, pair.id, pair.mentor_employee_id, date.today(), 45, ["ai"])
    assert pair_health.pair_health(tenant, pair).confirmed == 0
    with pytest.raises(Forbidden):
        sessions.confirm_session(tenant, logged.id, pair.mentor_employee_id)
    sessions.confirm_session(tenant, logged.id, pair.mentee_employee_id)
    health = pair_health.pair_health(tenant, pair)
    assert (health.confirmed, health.minutes) == (1, 45)


def test_only_the_two_partners_can_log(tenant):
    pair = make_active_pair(tenant, agreed=True)
    stranger = make_person(tenant, 77)
    with pytest.raises(Forbidden):
        sessions.log_session(tenant, pair.id, stranger.id, date.today(), 30, [])


def test_a_session_in_the_future_is_refused(tenant):
    pair = make_active_pair(tenant, agreed=True)
    with pytest.raises(ValidationError, match="happened"):
        sessions.log_session(tenant, pair.id, pair.mentee_employee_id, date.today() + timedelta(days=1), 30, [])


def test_cadence_shows_a_pair_behind_and_counts_executive_cancellations(tenant):
    pair = make_active_pair(tenant, agreed=True, started_days_ago=43)  # three fortnights are over
    held = sessions.log_session(tenant, pair.id, pair.mentee_employee_id, date.today() - timedelta(days=30), 45, [])
    sessions.confirm_session(tenant, held.id, pair.mentor_employee_id)
    sessions.cancel_session(tenant, pair.id, pair.mentee_employee_id, date.today() - timedelta(days=10))
    sessions.cancel_session(tenant, pair.id, pair.mentee_employee_id, date.today() - timedelta(days=3))
    health = pair_health.pair_health(tenant, pair)
    assert (health.cadence.expected, health.cadence.held, health.cadence.behind) == (3, 1, 2)
    assert (health.executive_cancellations, health.mentor_cancellations) == (2, 0)


def test_pairs_behind_cadence_get_one_reminder_per_period(app, settings, tenant):
    behind = make_active_pair(tenant, agreed=True, started_days_ago=30)
    on_track = make_active_pair(tenant, agreed=True, started_days_ago=1)
    tenant.session.commit()
    for _ in range(2):
        enqueue(settings, check_cadence, tenant.organisation_id, job_id=None)
        queue = get_queue(settings)
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    tenant.session.expire_all()
    reminders = tenant.all(Reminder)
    assert [(r.pair_id, r.behind) for r in reminders] == [(behind.id, 2)]
    assert on_track.id not in {r.pair_id for r in reminders}


def test_an_extension_needs_both_partners_and_respects_the_cap(tenant):
    pair = make_active_pair(tenant, agreed=True, max_extensions=1)
    proposal = extensions.propose(tenant, pair.id, pair.mentee_employee_id)
    with pytest.raises(Forbidden):
        extensions.decide(tenant, proposal.id, pair.mentee_employee_id, agree=True)
    assert pair.extensions == 0
    extensions.decide(tenant, proposal.id, pair.mentor_employee_id, agree=True)
    assert pair.extensions == 1
    with pytest.raises(ValidationError, match="allows 1 extension"):
        extensions.propose(tenant, pair.id, pair.mentor_employee_id)


def test_an_agreed_extension_moves_the_end_of_the_pair(tenant):
    pair = make_active_pair(tenant, agreed=True, duration_weeks=10, extension_weeks=4)
    before = pair_health.pair_health(tenant, pair).cadence.ends_on
    proposal = extensions.propose(tenant, pair.id, pair.mentor_employee_id)
    extensions.decide(tenant, proposal.id, pair.mentee_employee_id, agree=True)
    assert pair_health.pair_health(tenant, pair).cadence.ends_on - before == timedelta(weeks=4)


def test_reflection_text_is_visible_only_to_its_author(tenant):
    pair = make_active_pair(tenant, agreed=True)
    held = sessions.log_session(tenant, pair.id, pair.mentor_employee_id, date.today(), 45, [])
    reflections.submit(tenant, pair.id, pair.mentor_employee_id, [5, 4, 3], "My private note", session_id=held.id)
    reflections.submit(tenant, pair.id, pair.mentee_employee_id, [2, 2, 2], session_id=held.id)
    mine = reflections.own_reflections(tenant, pair.mentor_employee_id, pair.id)
    theirs = reflections.own_reflections(tenant, pair.mentee_employee_id, pair.id)
    assert [r.text for r in mine] == ["My private note"]
    assert [r.text for r in theirs] == [None]


def test_a_reflection_is_answered_once_and_on_the_scale(tenant):
    pair = make_active_pair(tenant, agreed=True)
    held = sessions.log_session(tenant, pair.id, pair.mentor_employee_id, date.today(), 45, [])
    with pytest.raises(ValidationError, match="1 to 5"):
        reflections.submit(tenant, pair.id, pair.mentor_employee_id, [6, 1, 1], session_id=held.id)
    reflections.submit(tenant, pair.id, pair.mentor_employee_id, [3, 3, 3], session_id=held.id)
    with pytest.raises(ValidationError, match="already"):
        reflections.submit(tenant, pair.id, pair.mentor_employee_id, [4, 4, 4], session_id=held.id)


def test_the_daily_command_queues_reminders_and_erasure_once_a_day(app, settings, tenant):
    from click.testing import CliRunner

    from plugin.cli import main

    make_active_pair(tenant, agreed=True, started_days_ago=30)
    tenant.session.commit()
    env = {
        "DATABASE_URL": settings.database_url,
        "FLIPSIDE_INSTANCE_PATH": settings.instance_path,
        "FLIPSIDE_QUEUE_PREFIX": settings.queue_prefix,
        "REDIS_URL": settings.redis_url,
    }
    for _ in range(2):
        result = CliRunner().invoke(main, ["jobs", "daily"], env=env)
        assert result.exit_code == 0, result.output
    queue = get_queue(settings)
    assert sorted(j.func_name.rsplit(".", 1)[1] for j in queue.jobs) == [
        "check_cadence",
        "erase_leavers",
        "invite_sessions",
        "weekly_digest",  # queued every day under the ISO week's id, so it runs once a week
    ]
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    tenant.session.expire_all()
    assert len(tenant.all(Reminder)) == 1
    [invited] = tenant.all(PairInvitation)  # the next session, within one cadence period, is invited
    assert (invited.state, invited.sequence) == ("requested", 0)
