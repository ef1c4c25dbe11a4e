"""Jobs keep running across a rename of their module: queued work under a former name is neither lost nor
run twice, and waiting outbox rows are rewritten by the migration."""

import pytest
from rq.job import JobStatus
from rq.utils import import_attribute
from sqlalchemy import create_engine

from plugin import migration_state
from plugin.jobs.former_names import FORMER_NAMES, current_name
from plugin.jobs.queue import enqueue
from plugin.jobs.runner import run_burst
from plugin.models import Reminder
from tests.factories import make_active_pair
from tests.test_migrations import empty_database  # noqa: F401  (the SQLite + PostgreSQL fixture)


@pytest.fixture(autouse=True)
def _app_context(app):
    return app


def test_every_former_name_leads_to_a_job_that_exists_now():
    for former, current in FORMER_NAMES.items():
        assert current != former
        job = import_attribute(current)
        assert callable(job) and job.__module__ + "." + job.__name__ == current
        with pytest.raises((ImportError, AttributeError, ValueError)):
            import_attribute(former)  # the old module is gone: without the table the job would fail
    assert current_name("plugin.jobs.enrolment.enrol_pair") == "plugin.jobs.enrolment.enrol_pair"


def test_a_real_worker_runs_a_job_queued_under_its_former_name_once(settings, make_org):
    tenant = make_org()
    pair = make_active_pair(tenant, agreed=True, started_days_ago=30)
    tenant.session.commit()
    job = enqueue(settings, "plugin.jobs.life.remind_pair", tenant.organisation_id, pair.id, 2, 2, job_id="old-name")
    assert run_burst(settings, timeout=120) == 0
    job.refresh()
    assert job.get_status() == JobStatus.FINISHED, job.latest_result()
    assert job.return_value() is True
    tenant.session.expire_all()
    assert [(r.pair_id, r.period, r.behind) for r in tenant.all(Reminder)] == [(pair.id, 2, 2)]


def test_the_migration_renames_waiting_outbox_rows_and_keeps_history(empty_database):  # noqa: F811
    migration_state.upgrade(empty_database, "0036")
    engine = create_engine(empty_database)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO outbox_message (id, key, target, queue, kwargs, created_at, sent_at, attempts, last_error)"
            " VALUES (1, 'credentials-9', 'plugin.jobs.life:issue_credentials', 'default', '{}', '2026-12-01',"
            " NULL, 0, ''), (2, 'credentials-8', 'plugin.jobs.life:issue_credentials', 'default', '{}',"
            " '2026-11-01', '2026-11-01', 0, ''), (3, 'unenrol-pair-4', 'plugin.jobs.enrolment:unenrol_pair',"
            " 'default', '{}', '2026-12-01', NULL, 0, '')"
        )
    engine.dispose()
    migration_state.upgrade(empty_database, "0031")
    engine = create_engine(empty_database)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.exec_driver_sql("SELECT id, target FROM outbox_message ORDER BY id")]
    engine.dispose()
    assert rows == [
        (1, "plugin.jobs.completion:issue_credentials"),
        (2, "plugin.jobs.life:issue_credentials"),  # sent long ago: the record of what was sent stays
        (3, "plugin.jobs.enrolment:unenrol_pair"),
    ]
    migration_state.downgrade(empty_database, "0036")
    engine = create_engine(empty_database)
    with engine.connect() as conn:
        back = [r[0] for r in conn.exec_driver_sql("SELECT target FROM outbox_message ORDER BY id")]
    engine.dispose()
    assert back[0] == "plugin.jobs.life:issue_credentials"
