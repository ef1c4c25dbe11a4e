"""The jobs page: an organisation sees its own queued and failed jobs, with the reason, and can retry them."""

import uuid

import pytest
from click.testing import CliRunner
from rq import SimpleWorker
from rq.registry import FailedJobRegistry

from plugin.cli import main
from plugin.config import from_environment
from plugin.errors import FatalError, NotFound
from plugin.jobs import board as job_board
from plugin.jobs.queue import enqueue, failed_jobs, get_queue
from plugin.jobs.task import task
from plugin.services import admin_login


@task
def sync_people(organisation_id: int) -> None:
    raise FatalError(f"BambooHR refused the key of organisation {organisation_id}")


@pytest.fixture
def board(app, settings, make_org):
    """Two organisations with one failed job each on fresh queues, and a queued job for the first."""
    fresh = from_environment(
        database_url=settings.database_url,
        instance_path=settings.instance_path,
        queue_prefix=f"jb{uuid.uuid4().hex[:6]}",
        redis_url=settings.redis_url,
    )
    app.config["FLIPSIDE"] = fresh
    mine, theirs = make_org(), make_org()
    for tenant in (mine, theirs):
        enqueue(fresh, sync_people, tenant.organisation_id, retries=0, organisation_id=tenant.organisation_id)
    queue = get_queue(fresh)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    enqueue(fresh, sync_people, mine.organisation_id, retries=0, organisation_id=mine.organisation_id)
    return fresh, mine, theirs


def test_an_organisation_sees_only_its_own_jobs_with_the_reason(board):
    settings, mine, _ = board
    rows = job_board.organisation_jobs(mine, settings)
    assert [r.state for r in rows] == ["failed", "queued"]
    expected = f"BambooHR refused the key of organisation {mine.organisation_id}"
    assert rows[0].reason == f"A connection needs attention: {expected}"


def test_a_failed_job_can_be_retried_only_by_its_organisation(board):
    settings, mine, theirs = board
    failed = job_board.organisation_jobs(mine, settings)[0]
    with pytest.raises(NotFound):
        job_board.retry(theirs, settings, failed.id)
    job_board.retry(mine, settings, failed.id)
    assert [r.state for r in job_board.organisation_jobs(mine, settings)] == ["queued", "queued"]


def test_the_jobs_page_lists_failures_and_retries_them(board, client):
    _, mine, _ = board
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(mine.organisation_id)
        s["csrf_token"] = "t"
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "BambooHR refused the key" in page and page.count('class="badge at_risk"') == 1
    job_id = page.split('data-job="')[1].split('"')[0]
    assert client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": "t"}).status_code == 303
    assert 'class="badge at_risk"' not in client.get("/admin/jobs").get_data(as_text=True)


def test_hr_never_reads_python_error_text():
    from plugin.jobs.board import UNEXPECTED, failure_reason

    assert failure_reason("Traceback ...\nKeyError: 'base_url'") == UNEXPECTED
    assert failure_reason("") == UNEXPECTED
    retriable = failure_reason("Traceback ...\nplugin.errors.RetriableError: Moodle answered 503")
    assert retriable == "A connected system is busy: Moodle answered 503"
    assert "Retriable" not in retriable


@task
def refresh_people(organisation_id: int, vendor_down: bool) -> str:
    if vendor_down:
        raise FatalError("BambooHR answered 500")
    return "synced"


def test_a_job_that_failed_then_succeeded_leaves_the_failed_lists(board, client):
    settings, mine, _ = board
    queue = get_queue(settings)
    queue.empty()
    first = enqueue(settings, refresh_people, mine.organisation_id, True, job_id="refresh-7", retries=0)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert first.id in [j.id for j in failed_jobs(settings)]
    again = enqueue(settings, refresh_people, mine.organisation_id, False, job_id="refresh-7", retries=0)
    assert again.id == first.id
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert again.return_value() == "synced"
    assert first.id not in [j.id for j in failed_jobs(settings)]
    assert first.id not in FailedJobRegistry(queue=queue).get_job_ids()
    assert first.id not in [r.id for r in job_board.organisation_jobs(mine, settings)]
    env = {
        "DATABASE_URL": settings.database_url,
        "FLIPSIDE_INSTANCE_PATH": settings.instance_path,
        "FLIPSIDE_QUEUE_PREFIX": settings.queue_prefix,
        "REDIS_URL": settings.redis_url,
    }
    listed = CliRunner().invoke(main, ["jobs", "failed"], env=env, terminal_width=300)
    assert listed.exit_code == 0 and first.id not in listed.output and "unknown" not in listed.output
