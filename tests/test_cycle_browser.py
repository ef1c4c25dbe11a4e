"""Issue 14's whole cycle in a real browser (Debian's Chromium driven by Playwright), once for Moodle and once
for Canvas (each a loopback emulator): an HR admin adds and tests the LMS connection (Canvas through its OAuth
consent), creates a programme with panels of three and the course picked from the LMS's own list, an instructor
launches Flipside from the course (an independent LTI platform, lti1p3platform, standing in for that LMS's LTI
side), the HR admin imports the course roster, matches, locks, swaps, approves a selection, sees the enrolments
arrive in the LMS, reads the dashboard, closes the cycle and starts the next cohort with no pair repeated.

Screenshots land in test-artifacts/ (cycle-*.png for Moodle, cycle-canvas-*.png for Canvas); the best are
copied to docs/screenshots/.
"""

from __future__ import annotations

import shutil
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest
from rq import SimpleWorker

from plugin import create_app
from plugin.db import db
from plugin.emulators.canvas import CanvasEmulator
from plugin.jobs.queue import get_queue
from plugin.jobs.relay import relay
from plugin.lti.platform_keys import PLATFORM_KEYS
from plugin.lti.registrations import PlatformInput, attach_organisation, save_platform
from plugin.models import Connection, Employee, Pair, PairEnrolment, Programme
from plugin.models.lti import CourseRoster, LtiUserLink
from plugin.services import admin_login
from plugin.services.organisations import create_organisation
from plugin.services.tenant import Tenant
from plugin.web.security import ORIGINS
from tests.admin_world import add_employee, load_workforce
from tests.conftest import need
from tests.lms_fixtures import TOKEN, moodle_emulator  # noqa: F401 (fixture, by name)
from tests.loopback_platform import LoopbackPlatform, Server
from tests.lti_support import INSTRUCTOR
from tests.test_admin_browser import CHROMIUM_ARGS, shot

pytestmark = pytest.mark.slow


@pytest.fixture
def cycle(settings):
    """Our tool on loopback HTTP (its own queue), an LTI platform whose course members are two of the
    organisation's employees and one stranger, and two one-time admin login links."""
    executable = shutil.which("chromium")
    if executable is None:
        need("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need("the playwright package is not installed (pip install -e '.[test]')")
    tool_server = Server()
    prefix = f"{settings.queue_prefix}cycle{uuid.uuid4().hex[:6]}"  # our own queues, under the run's prefix
    app = create_app(replace(settings, base_url=tool_server.url, queue_prefix=prefix))
    tool_server.app = app
    tool_server.start()
    lms = LoopbackPlatform(tool_server.url)
    lms.server.start()
    lms.members = [
        {"user_id": "m-1", "roles": [INSTRUCTOR], "email": "teacher@acme.test", "name": "Tess Teacher"},
        {
            "user_id": "m-2",
            "roles": [INSTRUCTOR.replace("Instructor", "Learner")],
            "email": "mentor@acme.test",
            "name": "Mina Mentor",
        },
        {
            "user_id": "m-3",
            "roles": [INSTRUCTOR.replace("Instructor", "Learner")],
            "email": "guest@else.test",
            "name": "Gus Guest",
        },
    ]
    PLATFORM_KEYS.clear()
    ORIGINS.clear()
    with app.app_context():
        tenant = Tenant(db.session, create_organisation(db.session, "acme", "Acme").id)
        add_employee(tenant, 1, first_name="Tess", last_name="Teacher", work_email="teacher@acme.test")
        add_employee(tenant, 2, first_name="Mina", last_name="Mentor", work_email="mentor@acme.test")
        load_workforce(tenant, size=300, seed=5)
        reg = save_platform(
            db.session,
            PlatformInput(
                issuer=lms.issuer,
                client_id=lms.client_id,
                auth_login_url=lms.urls["auth"],
                auth_token_url=lms.urls["token"],
                key_set_url=lms.urls["jwks"],
                deployment_ids=(lms.deployment_id,),
            ),
        )
        attach_organisation(db.session, reg.id, lms.deployment_id, tenant.organisation_id)
        links = [admin_login.issue_link(db.session, "acme") for _ in range(2)]
        db.session.commit()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(20_000)
            yield app, page, tool_server.url, lms, Tenant(db.session, tenant.organisation_id), links
            browser.close()
        from tests.conftest import _empty_tables

        _empty_tables()
    tool_server.stop()
    lms.server.stop()


def _work(app) -> None:
    """What `flipside serve`'s worker does: send the outbox, run the queued jobs."""
    settings = app.config["FLIPSIDE"]
    relay(settings, db.engine)
    queue = get_queue(settings, "default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


@dataclass
class CycleLms:
    """What differs between the LMSs in the cycle: how the HR admin connects one, its course, its groups."""

    vendor: str
    course: str  # the LMS's id of the programme's course
    course_label: str  # as the course picker lists it
    connect: Callable  # (page) -> None: from "Add a connection" to a test that passes
    groups: Callable  # () -> {our group key: members} in the course

    def shot(self, page, step: str) -> None:
        """cycle-<step>.png for Moodle (the first screenshots), cycle-canvas-<step>.png for Canvas."""
        shot(page, f"cycle-{step}" if self.vendor == "moodle" else f"cycle-{self.vendor}-{step}")


def _test_until_ok(page, name: str) -> None:
    page.locator("tr[data-connection]", has_text=name).get_by_role("button", name=f"Test {name}").click()
    assert page.locator("#verdict").get_attribute("data-status") == "ok"
    assert page.locator('tr[data-check-ok="no"]').count() == 0


def _members(groups: dict, memberships) -> dict[str, int]:
    """{group key: how many members} from an emulator's groups (id -> key) and (group id, user id) memberships."""
    counts = Counter(groups[gid] for gid, _ in memberships if gid in groups)
    return {key: counts[key] for key in groups.values()}


def _moodle(emulator) -> CycleLms:
    def connect(page):
        page.get_by_role("link", name="Connect Moodle").click()
        page.get_by_label("Name").fill("Campus Moodle")
        page.get_by_label("Moodle address").fill(emulator.url)
        page.get_by_label("Web-service token").fill(TOKEN)
        page.get_by_role("button", name="Add the connection").click()
        _test_until_ok(page, "Campus Moodle")

    def groups():
        site, course = emulator.site, int(emulator.course)
        ours = {gid: g["idnumber"] for gid, g in site.groups.items() if g["courseid"] == course}
        return _members(ours, site.members)

    return CycleLms("moodle", emulator.course, "Reverse mentoring (RM27)", connect, groups)


def _canvas(emulator) -> CycleLms:
    course = emulator.add_course("Reverse mentoring", "RM27")

    def connect(page):
        page.get_by_role("link", name="Connect Canvas").click()
        page.get_by_label("Name").fill("Campus Canvas")
        page.get_by_label("Canvas address").fill(emulator.url)
        page.get_by_label("Account id").fill("1")
        page.get_by_label("Developer key id").fill(emulator.client_id)
        page.get_by_label("Developer key secret").fill(emulator.client_secret)
        page.get_by_role("button", name="Add the connection").click()
        row = page.locator("tr[data-connection]", has_text="Campus Canvas")
        row.get_by_role("button", name="Test Campus Canvas").click()
        assert page.locator("#verdict").get_attribute("data-status") == "error"  # no token before the consent
        page.get_by_role("link", name="Connect through Canvas's consent").click()  # Canvas's page, and back
        assert page.get_by_role("heading", name="Canvas is connected").is_visible()
        page.get_by_role("link", name="the connections page").click()
        _test_until_ok(page, "Campus Canvas")

    def groups():
        in_course = {cid for cid, c in emulator.categories.items() if c["course_id"] == course}
        ours = {gid: g["description"] for gid, g in emulator.groups.items() if g["group_category_id"] in in_course}
        return _members(ours, emulator.members)

    return CycleLms("canvas", str(course), "Reverse mentoring (RM27)", connect, groups)


@pytest.fixture(params=["moodle", "canvas"])
def lms_side(request):
    """The LMS's REST side for the cycle: the Moodle emulator, or a Canvas emulator with the course."""
    if request.param == "moodle":
        yield _moodle(request.getfixturevalue("moodle_emulator"))
        return
    emulator = CanvasEmulator()
    emulator.start()
    yield _canvas(emulator)
    emulator.stop()


def test_hr_runs_the_cycle_from_connection_to_next_cohort(cycle, lms_side):
    app, page, tool, lms, tenant, links = cycle
    page.goto(f"{tool}/admin/login/{links[0]}")
    page.get_by_role("link", name="Connections").first.click()
    page.get_by_role("link", name="Add a connection").click()
    lms_side.connect(page)
    lms_side.shot(page, "01-connection-test")

    page.goto(f"{tool}/admin/programmes/")
    page.get_by_role("link", name="New programme").first.click()
    page.get_by_label("Programme name").fill("Cross-cultural 2027")
    page.get_by_label("Digital and AI").check()  # topics from the catalogue
    page.get_by_label("Diversity and inclusion").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Mentors per executive").fill("3")
    assert page.get_by_label("each mentor comes from a different country").is_checked()  # on by default
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()  # the weights as they are
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_text("3 mentors each, each from a different country").is_visible()
    page.get_by_label("Course").select_option(label=lms_side.course_label)
    lms_side.shot(page, "02-wizard-course")
    page.get_by_role("button", name="Create programme").click()
    assert page.get_by_role("heading", name="Cross-cultural 2027").is_visible()
    db.session.expire_all()
    (programme,) = tenant.all(Programme)
    (connection,) = tenant.all(Connection)
    assert (
        programme.mentors_per_executive,
        programme.distinct_countries,
        programme.lms_connection_id,
        programme.lms_course_id,
    ) == (3, True, connection.id, lms_side.course)

    # the instructor opens Flipside from the course: the LMS's login, its auth, its auto-posted launch form
    lms.course_id = lms_side.course
    page.goto(lms.login_url("m-1", roles=[INSTRUCTOR], email="teacher@acme.test", name="Tess Teacher"))
    page.wait_for_selector("form#launch", state="attached")
    page.locator("form#launch").evaluate("form => form.submit()")
    page.wait_for_url(f"{tool}/admin/**")
    (roster,) = tenant.all(CourseRoster)
    assert roster.context_id == lms_side.course

    page.goto(f"{tool}/admin/login/{links[1]}")  # back to the HR admin's own session
    page.goto(f"{tool}/admin/programmes/{programme.id}/participants")
    page.get_by_role("button", name="Import the roster from the LMS now").click()
    assert "The roster import is queued" in page.get_by_role("status").inner_text()
    _work(app)
    page.reload()
    section = page.locator("#roster")
    assert "3 members, 2 linked to employees, 1 not linked." in section.inner_text()
    stranger = section.locator('tr[data-lms-user="m-3"]')
    assert "Gus Guest" in stranger.inner_text() and "No active employee has this email" in stranger.inner_text()
    lms_side.shot(page, "03-roster")
    db.session.expire_all()
    assert sorted(link.lms_user_id for link in tenant.all(LtiUserLink) if link.method == "nrps") == ["m-1", "m-2"]

    # candidates, matching, a lock, a mentor changed in another pair (the lock untouched), a selection approved
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="Add everyone eligible as a candidate").click()
    page.get_by_role("link", name="Matches").click()
    page.get_by_role("button", name="Run matching").click()
    assert page.get_by_role("status").inner_text().startswith("Done: proposed")
    db.session.expire_all()
    panels: dict[int, list[str]] = {}
    for pair in tenant.all(Pair, Pair.programme_id == programme.id):
        panels.setdefault(pair.mentee_employee_id, []).append(tenant.get(Employee, pair.mentor_employee_id).country)
    full = [countries for countries in panels.values() if len(countries) == 3]
    assert full and all(len(set(countries)) == 3 for countries in full)  # panels of three from three countries
    first = page.locator("tr[data-pair]").first
    locked_id = int(first.get_attribute("data-pair"))
    first.get_by_role("button", name="Lock").click()
    locked_row = page.locator(f'tr[data-pair="{locked_id}"]')
    assert "locked" in locked_row.inner_text()
    db.session.expire_all()
    locked_before = (tenant.get(Pair, locked_id).mentor_employee_id, tenant.get(Pair, locked_id).score)
    lms_side.shot(page, "04-match-review")
    # the first pair (in review order) whose change page offers a mentor the rules allow
    matches_url = page.url
    changeable = page.locator("tr[data-pair]", has=page.get_by_role("link", name="Change mentor"))
    other_ids = [int(changeable.nth(i).get_attribute("data-pair")) for i in range(min(changeable.count(), 12))]
    for other_id in other_ids:
        page.goto(f"{tool}/admin/programmes/{programme.id}/matches/{other_id}/change")
        if page.locator("#options").get_by_role("link", name="Preview").count():
            break
    else:
        pytest.fail(f"no change page of pairs {other_ids} offers a mentor")
    lms_side.shot(page, "05-change-mentor-options")
    page.locator("#options").get_by_role("link", name="Preview").first.click()
    assert page.locator("#preview [data-new-score]").first.inner_text().strip()
    lms_side.shot(page, "05-change-mentor")
    page.get_by_role("button", name="Confirm the change").click()
    page.goto(matches_url)
    db.session.expire_all()
    assert (tenant.get(Pair, locked_id).mentor_employee_id, tenant.get(Pair, locked_id).score) == locked_before
    assert tenant.get(Pair, other_id).locked
    page.locator(f'tr[data-pair="{other_id}"] input[name="pair_id"]').check()
    page.locator(f'tr[data-pair="{locked_id}"] input[name="pair_id"]').check()
    page.get_by_role("button", name="Approve the ticked pairs").click()
    assert page.get_by_role("status").inner_text() == "Done: approved 2 pairs; 2 enrolment jobs queued."
    db.session.expire_all()
    assert {p.id for p in tenant.all(Pair, Pair.status == "approved")} == {locked_id, other_id}
    assert tenant.count(Pair, Pair.status == "proposed") > 0  # the rest wait for review

    # the enrolments arrive in the LMS (a worker runs the queued jobs), the dashboard, the cycle closes
    _work(app)
    db.session.expire_all()
    approved = Counter(tenant.get(Pair, pid).mentee_employee_id for pid in (locked_id, other_id))
    assert lms_side.groups() == {  # a group per panel: its executive and the approved mentors
        f"flipside-{tenant.organisation_id}-panel-{programme.id}-{executive}": 1 + mentors
        for executive, mentors in approved.items()
    }
    assert {e.pair_id: e.status for e in tenant.all(PairEnrolment)} == {locked_id: "enrolled", other_id: "enrolled"}
    page.get_by_role("link", name="Jobs").first.click()
    lms_side.shot(page, "06-jobs")
    page.get_by_role("link", name="Dashboard").first.click()
    assert page.get_by_text("Cross-cultural 2027").first.is_visible()
    lms_side.shot(page, "07-dashboard")
    page.goto(f"{tool}/admin/programmes/{programme.id}/")
    assert tenant.get(Programme, programme.id).status == "active"  # approving pairs started the programme
    page.get_by_role("button", name="Close this cycle").click()
    db.session.expire_all()
    assert tenant.get(Programme, programme.id).status == "completed"
    assert tenant.count(Pair, Pair.programme_id == programme.id, Pair.status.in_(("approved", "active"))) == 0
    lms_side.shot(page, "08-closed")

    # the next cohort: settings copied, matched again, no pair of the first cycle repeated
    page.get_by_label("Name of the next cohort").fill("Cross-cultural 2028")
    page.get_by_role("button", name="Start the next cohort").click()
    assert page.get_by_role("heading", name="Cross-cultural 2028").is_visible()
    page.get_by_role("button", name="Add everyone eligible as a candidate").click()
    page.get_by_role("link", name="Matches").click()
    page.get_by_role("button", name="Run matching").click()
    assert page.get_by_role("status").inner_text().startswith("Done: proposed")
    lms_side.shot(page, "09-next-cohort-matches")
    db.session.expire_all()
    successor = next(p for p in tenant.all(Programme) if p.name == "Cross-cultural 2028")
    assert successor.mentors_per_executive == 3 and successor.lms_course_id == lms_side.course
    before = {(p.mentor_employee_id, p.mentee_employee_id) for p in tenant.all(Pair, Pair.programme_id == programme.id)}
    after = {(p.mentor_employee_id, p.mentee_employee_id) for p in tenant.all(Pair, Pair.programme_id == successor.id)}
    assert after and not before & after
