"""The HR workspace in the admin's language: every page of it, the life-admin pages, the LMS registrations and the
LTI login page render in Japanese and Arabic with `<html lang dir>` right and no catalogue sentence left in English.

An English sentence left on one of these pages (a string outside the catalogue, or an untranslated entry) fails here.
"""

from __future__ import annotations

import re

import pytest

from plugin.services import admin_login
from tests.admin_world import add_employee, add_pair, add_programme
from tests.catalogue_text import english_left, page_text
from tests.lti_support import (  # noqa: F401  (fixtures)
    BASE,
    jwks_mock,  # noqa: F401  (fixture of `org`)
    org,
    platform,
    tool,
)

CSRF = "test-csrf-token"
LOCALES = [("ja", "ltr"), ("ar", "rtl")]
# Formerly English-only pages (the template each one shows in brackets)
PAGES = [
    "/admin/programmes/",  # admin/programmes.html, layout.html
    "/admin/programmes/{p}/",  # admin/programme.html, _tabs.html
    "/admin/programmes/{p}/health",  # admin/health.html
    "/admin/programmes/{p}/impact",  # admin/impact.html
    "/admin/programmes/{p}/matches",  # admin/matches.html
    "/admin/programmes/new?step=basics",  # admin/wizard.html, each step
    "/admin/programmes/new?step=people",
    "/admin/programmes/new?step=rhythm",
    "/admin/programmes/new?step=review",
    "/admin/jobs",  # admin/jobs.html
    "/admin/tokens",  # admin/tokens.html
    "/admin/access",  # admin/access.html
    "/admin/connections",  # admin/connections.html
    "/admin/pairs/health",  # life_admin/pairs.html
    "/admin/insights",  # life_admin/insights.html
    "/admin/lti/",  # lti/admin.html
]


@pytest.fixture
def world(make_org, session):
    tenant = make_org("acme")
    programme = add_programme(tenant)
    for n in range(6):
        add_pair(
            tenant,
            programme,
            add_employee(tenant, n, country="DE" if n % 2 else "IN"),
            add_employee(tenant, 100 + n, job_level=8, department="Leadership", birth_year=1970),
        )
    session.commit()
    return tenant, programme


def admin_in(client, tenant, locale: str):
    with client.session_transaction() as s:
        s["user"] = {**admin_login.session_user(tenant.organisation_id), "locale": locale}
        s["csrf_token"] = CSRF
    return client


def assert_in_language(markup: str, locale: str, direction: str) -> None:
    assert re.search(rf'<html lang="{locale}" dir="{direction}"', markup), markup[:200]
    assert english_left(page_text(markup), locale) == []


@pytest.mark.parametrize("locale, direction", LOCALES)
def test_every_hr_workspace_page_is_in_the_admins_language(client, world, locale, direction):
    tenant, programme = world
    admin = admin_in(client, tenant, locale)
    # a token and a grant, so the tables (not only the empty states) are on the pages
    admin.post("/admin/tokens", data={"name": "BI", "csrf_token": CSRF})
    admin.post("/admin/access", data={"email": "hr2@example.com", "role": "hr_admin", "csrf_token": CSRF})
    for path in PAGES:
        answer = admin.get(path.format(p=programme.id))
        assert answer.status_code == 200, path
        markup = answer.get_data(as_text=True)
        assert_in_language(markup, locale, direction)
    tokens = admin.get("/admin/tokens").get_data(as_text=True)
    assert "hr2@example.com" in admin.get("/admin/access").get_data(as_text=True) and ">BI<" in tokens


@pytest.mark.parametrize("locale, direction", LOCALES)
def test_wizard_errors_and_match_notes_are_in_the_admins_language(client, world, locale, direction):
    tenant, programme = world
    admin = admin_in(client, tenant, locale)
    refused = admin.post(
        "/admin/programmes/new?step=people",
        data={"mentor_max_level": "two", "mentee_min_level": "7", "mentors_per_executive": "1", "csrf_token": CSRF},
    )
    assert refused.status_code == 400
    assert_in_language(refused.get_data(as_text=True), locale, direction)
    assert "Enter a whole number" not in refused.get_data(as_text=True)
    ran = admin.post(f"/admin/programmes/{programme.id}/matches/run", data={"csrf_token": CSRF})
    shown = admin.get(ran.headers["Location"]).get_data(as_text=True)
    assert_in_language(shown, locale, direction)
    assert "proposed" not in re.search(r'role="status">(.*?)</p>', shown).group(1)


@pytest.mark.parametrize("locale, direction", LOCALES)
def test_the_lti_login_page_speaks_the_browsers_language(tool, org, platform, locale, direction):  # noqa: F811
    answer = tool.test_client().post(
        "/lti/login",
        base_url=BASE,
        headers={"Accept-Language": locale},
        data={
            "iss": platform.issuer,
            "login_hint": "u1",
            "target_link_uri": BASE + "/lti/launch",
            "client_id": platform.client_id,
            "lti_deployment_id": platform.deployment_id,
        },
    )
    assert answer.status_code == 200
    markup = answer.get_data(as_text=True)
    assert_in_language(markup, locale, direction)
    assert "Opening Flipside" not in markup
