"""Enrolling pairs into Canvas through jobs, against the loopback Canvas emulator: throttling and tokens."""

from __future__ import annotations

import time

import pytest

from plugin.emulators.canvas import CanvasEmulator
from plugin.jobs.departures import handle_departure
from plugin.jobs.queue import get_queue
from plugin.models import Connection, Pair, PairEnrolment
from plugin.services import connections
from plugin.services.connections import create_connection
from plugin.services.enrolment import enqueue_enrolments
from tests.factories import make_programme_with_pairs
from tests.lms_fixtures import work, work_with_retries


@pytest.fixture
def canvas_emulator(request):
    emulator = CanvasEmulator(**getattr(request, "param", {}))
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture(autouse=True)
def _clean_queue(app, settings):
    yield
    get_queue(settings).empty()


def _setup(make_org, vault, emulator, pairs: int, low_water: float = 2):
    tenant = make_org()
    conn = create_connection(
        tenant,
        vault,
        "canvas",
        settings={
            "base_url": emulator.url,
            "account_id": "1",
            "rate_limit_per_s": 500,
            "rate_burst": 50,
            "low_water": low_water,
            "max_pause": 0.05,
            "throttle_pause": 0.2,
            "http_attempts": 3,
        },
        credentials={"client_id": emulator.client_id, "client_secret": emulator.client_secret},
    )
    connections.store_tokens(conn, vault, emulator.issue_token())
    tenant.session.commit()
    _, ids = make_programme_with_pairs(tenant, pairs=pairs, connection_id=conn.id, course="1")
    return tenant, conn, ids


def _assert_enrolled_once(tenant, emulator, pairs: int):
    tenant.session.expire_all()
    assert {r.status for r in tenant.all(PairEnrolment)} == {"enrolled"}
    assert len(emulator.users) == 2 * pairs
    assert sum(1 for e in emulator.enrolments.values() if e["enrollment_state"] == "active") == 2 * pairs
    assert len(emulator.groups) == pairs and len(emulator.categories) == 1
    assert len(emulator.members) == 2 * pairs
    assert sum(emulator.duplicates.values()) == 0


@pytest.mark.parametrize(
    "canvas_emulator",
    [
        {"bucket": 6, "leak_per_s": 25, "throttle_style": "403"},
        {"bucket": 6, "leak_per_s": 25, "throttle_style": "429"},
    ],
    indirect=True,
    ids=["403-text", "429"],
)
def test_throttled_jobs_slow_down_and_finish_without_losing_a_request(settings, make_org, vault, canvas_emulator):
    tenant, _, ids = _setup(make_org, vault, canvas_emulator, pairs=8, low_water=0)  # no pacing: hit the wall
    enqueue_enrolments(tenant, settings, ids)
    started = time.monotonic()
    work_with_retries(settings)
    assert canvas_emulator.throttled > 0  # Canvas did push back
    assert time.monotonic() - started > 0.2  # and the jobs waited instead of failing
    _assert_enrolled_once(tenant, canvas_emulator, pairs=8)


@pytest.mark.parametrize("canvas_emulator", [{"bucket": 6, "leak_per_s": 25}], indirect=True)
def test_pacing_from_rate_limit_remaining_avoids_throttling(settings, make_org, vault, canvas_emulator):
    tenant, _, ids = _setup(make_org, vault, canvas_emulator, pairs=8, low_water=3)
    enqueue_enrolments(tenant, settings, ids)
    work(settings)
    assert canvas_emulator.throttled == 0
    _assert_enrolled_once(tenant, canvas_emulator, pairs=8)


def test_expired_token_is_refreshed_on_401_and_stored(settings, make_org, vault, canvas_emulator):
    tenant, conn, ids = _setup(make_org, vault, canvas_emulator, pairs=2)
    old = connections.tokens(conn, vault)["access_token"]
    canvas_emulator.expire_all_tokens()  # revoked early: authlib still believes the token is fresh
    enqueue_enrolments(tenant, settings, ids)
    work(settings)
    _assert_enrolled_once(tenant, canvas_emulator, pairs=2)
    tenant.session.expire_all()
    stored = connections.tokens(tenant.get(Connection, conn.id), vault)
    assert stored["access_token"] != old and stored["access_token"] in canvas_emulator.access
    assert stored["refresh_token"]  # Canvas did not send a new one: the old one is kept


def test_termination_deactivates_canvas_enrolments(settings, make_org, vault, canvas_emulator):
    tenant, _, ids = _setup(make_org, vault, canvas_emulator, pairs=1)
    enqueue_enrolments(tenant, settings, ids)
    work(settings)
    handle_departure(tenant.organisation_id, tenant.get(Pair, ids[0]).mentee_employee_id)
    work(settings)
    assert {e["enrollment_state"] for e in canvas_emulator.enrolments.values()} == {"inactive"}
    assert len(canvas_emulator.members) == 2  # the group and its history stay
