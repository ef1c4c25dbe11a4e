"""Demo step: the approved pairs of an organisation enrolled into a Moodle course and groups, by real workers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.table import Table

from ..config import Settings
from ..connectors.moodle import MoodleConnector
from ..db import db
from ..emulators.moodle import MoodleEmulator
from ..emulators.moodle_site import MoodleSite
from ..errors import FlipsideError
from ..jobs.runner import run_burst
from ..models import Employee, Pair, PairEnrolment, Programme
from ..services.connections import create_connection
from ..services.enrolment import enqueue_enrolments
from ..services.tenant import Tenant

DEMO_TOKEN = "flipside-demo-ws-token"  # noqa: S105 - a token of the loopback emulator, not a secret
SHOWN = 12
FUNCTIONS = ("core_group_get_course_groups", "core_message_send_instant_messages")


class EnrolmentDemoFailed(FlipsideError):
    """The demo enrolment step did not finish."""

    code = "demo_failed"


@contextmanager
def demo_moodle() -> Iterator[MoodleEmulator]:
    """A loopback Moodle site for the demo (web services for enrolment and instant messages), stopped after."""
    emulator = MoodleEmulator(MoodleSite.blank(token=DEMO_TOKEN, functions=FUNCTIONS))
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def connect_demo_moodle(settings: Settings, organisation_id: int, emulator: MoodleEmulator, console: Console) -> dict:
    """Connect the emulator and create the course, before any programme exists: the programme is made with
    them, so the messages its approval writes go to the LMS too. Returns the programme's LMS fields."""
    from .. import create_app

    with create_app(settings).app_context():
        tenant = Tenant(db.session, organisation_id)
        connection_id, course = _connect(tenant, emulator.base_url, console)
    return {"lms_connection_id": connection_id, "lms_course_id": course}


def enrol_demo_pairs(settings: Settings, organisation_id: int, emulator: MoodleEmulator, console: Console) -> dict:
    """Enrol every approved pair into the connected course with a group each, by a real worker; print a table."""
    from .. import create_app

    with create_app(settings).app_context():
        tenant = Tenant(db.session, organisation_id)
        pair_ids = [p.id for p in tenant.all(Pair, Pair.status == "approved")]
        figures = _enrol(settings, tenant, pair_ids, console)
        _print(console, tenant, pair_ids, emulator.site)
        course = tenant.all(Programme)[0].lms_course_id
        return {
            **figures,
            "course": course,
            "groups": len(emulator.site.groups),
            "duplicates": sum(emulator.site.duplicates.values()),
        }


def _connect(tenant: Tenant, url: str, console: Console) -> tuple[int, str]:
    """An LMS connection to the emulator and a course for the organisation's programmes."""
    vault = _vault()
    conn = create_connection(
        tenant,
        vault,
        "moodle",
        name="Moodle (emulator)",
        credentials={"token": DEMO_TOKEN},
        settings={"base_url": url, "user_auth": "saml2", "rate_limit_per_s": 50},
    )
    moodle = MoodleConnector(url, DEMO_TOKEN)
    site = moodle.site_info()
    made = moodle.call(
        "core_course_create_courses",
        courses=[
            {
                "fullname": "Reverse mentoring",
                "shortname": f"FLIPSIDE-{tenant.organisation_id}",
                "categoryid": 1,
                "enablecompletion": 1,
            }
        ],
    )
    course = str(made[0]["id"])
    for programme in tenant.all(Programme):
        programme.lms_connection_id, programme.lms_course_id = conn.id, course
    tenant.session.commit()
    console.print(
        f"[green]✓[/] Moodle {site['release']} emulator at {url}: course {course} created, "
        f"connection {conn.id} (web-service token)"
    )
    return conn.id, course


def _vault():
    from flask import current_app

    return current_app.extensions["flipside.vault"]


def _enrol(settings: Settings, tenant: Tenant, pair_ids: list[int], console: Console) -> dict:
    enqueue_enrolments(tenant, settings, pair_ids)
    started = time.perf_counter()
    with console.status(f"A worker process is enrolling {len(pair_ids)} approved pairs..."):
        status = run_burst(settings, quiet=True)
    seconds = time.perf_counter() - started
    tenant.session.expire_all()
    done = tenant.count(PairEnrolment, PairEnrolment.status == "enrolled")
    if status != 0 or done != len(pair_ids):
        raise EnrolmentDemoFailed(f"{done} of {len(pair_ids)} pairs enrolled (worker exit {status})")
    console.print(f"[green]✓[/] {done} pairs enrolled with a group each in {seconds:.1f} s")
    return {"pairs": len(pair_ids), "enrolled": done, "seconds": seconds}


def _print(console: Console, tenant: Tenant, pair_ids: list[int], site: MoodleSite) -> None:
    table = Table(title=f"Enrolled pairs (first {min(SHOWN, len(pair_ids))} of {len(pair_ids)})")
    for column in ("pair", "executive", "mentor", "Moodle group", "members", "status"):
        table.add_column(column)
    states = {r.pair_id: r for r in tenant.all(PairEnrolment)}
    for pid in pair_ids[:SHOWN]:
        pair, state = tenant.get(Pair, pid), states[pid]
        group = site.groups.get(int(state.group_ref or 0), {})
        members = sum(1 for g, _ in site.members if str(g) == state.group_ref)
        table.add_row(
            str(pid),
            _name(tenant, pair.mentee_employee_id),
            _name(tenant, pair.mentor_employee_id),
            group.get("name", "-"),
            str(members),
            state.status,
        )
    console.print(table)


def _name(tenant: Tenant, employee_id: int) -> str:
    person = tenant.get(Employee, employee_id)
    return person.display_name or f"{person.first_name} {person.last_name}"
