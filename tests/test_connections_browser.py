"""In a real browser (Debian's Chromium driven by Playwright): an HR admin adds a Moodle connection (the
loopback emulator), tests it from the connections page and sees it `ok`."""

from __future__ import annotations

from plugin.models import Connection
from plugin.services import admin_login
from tests.lms_fixtures import TOKEN, moodle_emulator  # noqa: F401 (fixture)
from tests.test_admin_browser import browser_page, server, shot  # noqa: F401 (fixtures)


def test_admin_adds_and_tests_a_moodle_connection(
    browser_page,
    server,
    make_org,
    session,  # noqa: F811
    moodle_emulator,
):  # noqa: F811
    tenant = make_org("acme")
    token = admin_login.issue_link(session, "acme")
    session.commit()
    page = browser_page
    page.goto(f"{server}/admin/login/{token}")
    page.get_by_role("link", name="Connections").first.click()
    page.get_by_role("link", name="Add a connection").click()
    page.get_by_role("link", name="Connect Moodle").click()
    page.get_by_label("Name").fill("Campus Moodle")
    page.get_by_label("Moodle address").fill(moodle_emulator.url)
    page.get_by_label("Web-service token").fill(TOKEN)
    page.get_by_role("button", name="Add the connection").click()
    row = page.locator("tr[data-connection]", has_text="Campus Moodle")
    assert "new" in row.inner_text()
    row.get_by_role("button", name="Test Campus Moodle").click()
    verdict = page.locator("#verdict")
    assert "Every check passed" in verdict.inner_text() and verdict.get_attribute("data-status") == "ok"
    assert page.locator('tr[data-check-ok="no"]').count() == 0
    shot(page, "05-connection-test")
    page.get_by_role("link", name="Back to connections").click()
    assert "ok" in page.locator("tr[data-connection]", has_text="Campus Moodle").inner_text()
    session.expire_all()
    assert [c.status for c in tenant.all(Connection)] == ["ok"]
