"""In a real browser (Debian's Chromium driven by Playwright): an HR admin sets up a programme, reviews and
approves matches, finds a pair at risk and nudges it, and sees a suppressed cell on the impact page.

Screenshots land in test-artifacts/ (not committed); the best ones are copied to docs/screenshots/.
"""

from __future__ import annotations

import re
import shutil
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from plugin.lti.registrations import PlatformInput, save_platform
from plugin.services import admin_login
from plugin.web.security import ORIGINS
from tests.admin_world import add_employee, add_pair, add_programme, load_workforce
from tests.conftest import need

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
LEFT = date(2025, 1, 15)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser_page():
    """A Chromium page, or a skip (a failure in CI) when Chromium or Playwright is missing."""
    executable = shutil.which("chromium")
    if executable is None:
        need("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(20_000)
        yield page
        browser.close()


@pytest.fixture
def server(app):
    """The app on a real HTTP server on 127.0.0.1 (a free port), in a thread."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()


@pytest.fixture
def login_url(server, make_org, session):
    """A workforce to match, last year's completed pilot, a running cohort with silent pairs, a login link."""
    tenant = make_org("acme")
    load_workforce(tenant, size=300, seed=5)
    pilot = add_programme(tenant, name="Pilot 2024", status="completed")
    executives = [
        add_employee(tenant, 100 + n, job_level=8, department="Leadership", birth_year=1970) for n in range(3)
    ]
    for n in range(30):
        promoted = {"last_promotion_date": "2025-06-01"} if n % 5 == 0 else {}
        mentor = add_employee(
            tenant, n, termination_date=LEFT if n < 2 else None, custom_fields=promoted, job_level=3 if promoted else 2
        )
        add_pair(tenant, pilot, mentor, executives[n % 3], status="completed")
    for n in range(60):
        promoted = {"last_promotion_date": "2025-06-01"} if n % 10 == 0 else {}
        add_employee(
            tenant,
            200 + n,
            termination_date=LEFT if n < 12 else None,
            custom_fields=promoted,
            job_level=3 if promoted else 2,
        )
    cohort = add_programme(tenant, name="Cohort 2026", starts_on=date.today() - timedelta(days=60))
    for n in range(6):
        approved = date.today() - timedelta(days=50 if n < 2 else 10)
        add_pair(
            tenant, cohort, add_employee(tenant, 300 + n, first_name=f"Mentor{n}"), executives[n % 3], approved=approved
        )
    token = admin_login.issue_link(session, "acme")
    session.commit()
    return f"{server}/admin/login/{token}"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_admin_sets_up_matches_and_reads_health_and_impact(browser_page, login_url):
    page = browser_page
    page.goto(login_url)
    assert page.get_by_role("heading", name="Programmes").is_visible()
    page.get_by_role("link", name="New programme").first.click()
    page.get_by_label("Programme name").fill("AI fluency 2027")
    page.get_by_label("Digital and AI").check()  # topics from the catalogue
    page.get_by_label("Diversity and inclusion").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Mentors: job level at most").fill("2")
    page.get_by_label("Executives (mentees): job level at least").fill("7")
    page.get_by_role("button", name="Continue").click()
    # the weights step previews the matching on today's roster as the weights change, through its script
    preview = page.locator("#weights-preview")
    preview.get_by_text("executives get a full panel").wait_for()
    before = preview.inner_text()
    for criterion in ("language", "communication", "culture", "goals", "cross_function", "aspirations"):
        page.locator(f"#weight_{criterion}").fill("0")
    page.wait_for_function("text => document.getElementById('weights-preview').innerText !== text", arg=before)
    assert "executives get a full panel" in preview.inner_text() and preview.inner_text() != before
    page.locator("#weight_goals").fill("9")
    preview.get_by_text("Each weight runs from 0 to 5").wait_for()
    page.locator("#weight_goals").fill("2")
    preview.get_by_text("executives get a full panel").wait_for()  # a valid weight brings the numbers back
    shot(page, "01-wizard-weights")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Meet every (days)").fill("21")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_text("every 21 days").is_visible()
    shot(page, "01-wizard-review")
    page.get_by_role("button", name="Create programme").click()
    assert page.get_by_role("heading", name="AI fluency 2027").is_visible()

    page.get_by_role("button", name="Add everyone eligible as a candidate").click()
    assert page.get_by_role("table").locator("caption").inner_text().startswith("Participants 1 to ")
    page.get_by_role("link", name="Matches").click()
    page.get_by_role("button", name="Run matching").click()
    assert page.get_by_role("status").inner_text().startswith("Done: proposed")
    first = page.locator("tr[data-pair]").first
    first.get_by_role("button", name="Lock").click()
    assert "locked" in page.locator("tr[data-pair]").first.inner_text()
    shot(page, "02-match-review")
    page.get_by_role("button", name=re.compile(r"^Approve \d+ proposed pairs$")).click()
    assert "approved" in page.get_by_role("status").inner_text()
    assert page.locator("tr[data-pair]", has_text="proposed").count() == 0

    page.get_by_role("link", name="Programmes").first.click()
    page.get_by_role("link", name="Cohort 2026").click()
    page.get_by_role("link", name="Pair health").click()
    assert page.get_by_text("2 at risk · 0 to watch · 4 healthy").is_visible()
    risky = page.locator("tr[data-pair]").first
    assert "at risk" in risky.inner_text() and "No session for two cadence periods" in risky.inner_text()
    shot(page, "03-pair-health")
    risky.get_by_role("button", name="Nudge").click()
    assert "Nudge sent" in page.get_by_role("status").inner_text()
    assert page.locator("tr[data-pair]").first.get_by_role("button", name="Nudge").count() == 0

    page.get_by_role("link", name="Programmes").first.click()
    page.get_by_role("link", name="Pilot 2024").click()
    page.get_by_role("link", name="Impact").click()
    mentees = page.locator('tr[data-cell="mentees-retention-12"]')
    assert "Suppressed: fewer than 5 people to compare" in mentees.inner_text()
    assert page.locator("svg[role=img]").count() == 4
    assert page.get_by_role("note").is_visible()  # the self-selection warning
    shot(page, "04-impact")


@pytest.fixture
def host_page(server, session):
    """Another server (another port, the same site) whose page frames the workspace, as a registered LMS
    would (pages may only be framed by registered platforms' origins)."""

    def frame(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html")])
        body = (
            f"<!doctype html><title>LMS</title><h1>Course</h1>"
            f'<iframe title="Flipside" src="{server}/admin/programmes/" width="1200" height="700"></iframe>'
        )
        return [body.encode()]

    httpd = make_server("127.0.0.1", 0, frame)
    lms = f"http://127.0.0.1:{httpd.server_port}"
    save_platform(
        session,
        PlatformInput(
            issuer=lms,
            client_id="browser-test",
            auth_login_url=lms + "/auth",
            auth_token_url=lms + "/token",
            key_set_url=lms + "/jwks",
        ),
    )
    ORIGINS.clear()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield lms + "/"
    httpd.shutdown()
    thread.join()


def test_the_workspace_works_inside_an_iframe(browser_page, login_url, host_page):
    page = browser_page
    page.goto(login_url)  # the session cookie, as a launch would leave it
    page.goto(host_page)
    frame = page.frame_locator("iframe[title=Flipside]")
    frame.get_by_role("link", name="Cohort 2026").click()
    frame.get_by_role("link", name="Pair health").click()
    frame.locator("tr[data-pair]").first.get_by_role("button", name="Nudge").click()
    assert "Nudge sent" in frame.get_by_role("status").inner_text()
    shot(page, "05-in-an-iframe")


def test_an_unregistered_site_cannot_frame_the_workspace(browser_page, login_url, server):
    """Clickjacking: a page on an origin no registration names gets an empty frame."""

    def frame(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html")])
        return [f'<iframe title="Flipside" src="{server}/admin/programmes/"></iframe>'.encode()]

    httpd = make_server("127.0.0.1", 0, frame)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        browser_page.goto(f"http://127.0.0.1:{httpd.server_port}/")
        browser_page.wait_for_timeout(1000)
        inside = browser_page.frame_locator("iframe[title=Flipside]").get_by_role("link", name="Cohort 2026")
        assert inside.count() == 0
    finally:
        httpd.shutdown()
        thread.join()


def test_admin_reads_the_dashboard_finds_participants_and_the_audit_log(browser_page, login_url):
    """The dashboard's charts render under the page's CSP, its next actions lead to the work, and the looks
    at named people appear in the audit log."""
    page = browser_page
    page.goto(login_url)
    page.get_by_role("link", name="Dashboard").click()
    cohort = page.locator("section.programme", has_text="Cohort 2026")
    assert cohort.locator("svg[role=img]").count() == 2 and cohort.locator("svg rect").count() >= 2
    assert cohort.locator("svg[role=img]").first.bounding_box()["height"] > 20  # drawn, not blocked
    shot(page, "06-dashboard")
    page.get_by_role("link", name="2 pairs at risk in Cohort 2026: see and nudge").click()
    assert page.get_by_text("2 at risk · 0 to watch · 4 healthy").is_visible()
    page.get_by_role("link", name="Participants").click()
    page.get_by_label("Name, email, job title or department contains").fill("Mentor3")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("table").locator("caption").inner_text() == "Participants 1 to 1 of 1"
    # the row shows the HRIS display name (the search also finds first names)
    assert page.locator("tr[data-participant]").first.inner_text().startswith("\tSam303 Example")
    shot(page, "07-participants")
    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Event").select_option("identifiable.viewed")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("tr[data-event]")
    seen = [rows.nth(n).inner_text() for n in range(rows.count())]  # newest first: the list twice, then health
    assert [("participant list" in r, "pair health" in r) for r in seen] == [
        (True, False),
        (True, False),
        (False, True),
    ]
    assert all("hr_admin:login-link" in r for r in seen)
    shot(page, "08-audit-log")
