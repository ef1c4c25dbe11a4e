"""Accessibility in a real browser: axe-core (WCAG 2.2 A and AA rules) finds nothing on HR's pages and the
learners' pages, in a left-to-right and a right-to-left language, and the admin pages work at 390 px wide."""

from __future__ import annotations

import pytest

from plugin.models import Programme
from tests.factories import agree, make_active_pair, make_person
from tests.test_admin_browser import browser_page, login_url, server  # noqa: F401  (fixtures)
from tests.test_learner_browser import signed_in_as

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def _violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=WCAG).response["violations"]
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in found]


def _admin_paths(session) -> list[str]:
    programmes = session.query(Programme).execution_options(all_tenants=True).all()
    cohort = next(p for p in programmes if p.name == "Cohort 2026")
    pilot = next(p for p in programmes if p.name == "Pilot 2024")
    return [
        "/admin/",
        "/admin/programmes/",
        "/admin/programmes/new",
        f"/admin/programmes/{cohort.id}/",
        f"/admin/programmes/{cohort.id}/participants",
        f"/admin/programmes/{cohort.id}/matches",
        f"/admin/programmes/{cohort.id}/health",
        f"/admin/programmes/{pilot.id}/impact",
        f"/admin/programmes/{cohort.id}/impact",
        "/admin/pairs/health",
        "/admin/insights",
        "/admin/connections",
        "/admin/jobs",
        "/admin/audit",
        "/admin/access",
        "/admin/tokens",
        "/admin/deliveries",
    ]


@pytest.mark.parametrize("language", ["en", "ar", "ja"])
def test_every_admin_page_has_no_wcag_violation_and_fits_a_phone(browser_page, login_url, server, session, language):  # noqa: F811
    page = browser_page
    page.context.set_extra_http_headers({"Accept-Language": language})
    page.goto(login_url)
    found = {}
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for path in _admin_paths(session):
            page.goto(server + path)
            assert page.locator("html").get_attribute("lang").startswith(language), path
            assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr"), path
            problems = _violations(page)
            if width == 390:  # nothing but wide tables may scroll sideways; the page itself fits
                overflow = page.evaluate(
                    "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                if overflow > 0:
                    problems.append(f"page {overflow}px wider than the 390px screen")
            if problems:
                found[f"{width} {path}"] = problems
    assert not found, found


@pytest.mark.parametrize("locale", ["ja", "pt-BR", "ar"])
def test_the_learner_pages_have_no_wcag_violation_on_a_phone_or_a_desk(app, make_org, server, browser_page, locale):  # noqa: F811
    tenant = make_org()
    mentor = make_person(tenant, 1, country="BR", timezone="America/Sao_Paulo", first_name="Bia", last_name="Lima")
    executive = make_person(tenant, 2, country="JP", timezone="Asia/Tokyo", first_name="Kenji", last_name="Sato")
    pair = make_active_pair(tenant, mentor=mentor, mentee=executive, topics=["ai"], started_days_ago=20)
    agree(tenant, pair)
    tenant.session.commit()
    page = browser_page
    user = {"organisation_id": tenant.organisation_id, "employee_id": mentor.id, "role": "participant"}
    signed_in_as(app, page, server, {**user, "locale": locale})
    found = {}
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("/me/", f"/me/pairs/{pair.id}", "/me/profile", "/me/profile/personality"):
            page.goto(server + path)
            assert page.locator("html").get_attribute("lang") == locale, path
            problems = _violations(page)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                problems.append(f"page {overflow}px wider than the {width}px screen")
            if problems:
                found[f"{width} {path}"] = problems
    assert not found, found
