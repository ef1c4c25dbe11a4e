"""Cookie-less launches (LTI Platform Storage), the cookie check, manual links, and the launch locale."""

from __future__ import annotations

import re

from plugin.db import db
from plugin.models import Employee
from tests.lti_support import BASE, INSTITUTION_ADMIN, launch, login, reason


def _storage_login(tool, platform):
    """A login inside an LMS iframe with Platform Storage: returns the client and the browser secret the
    login page hands to the platform's storage frame (lti.put_data)."""
    client = tool.test_client()
    response = client.post(
        "/lti/login",
        base_url=BASE,
        data={
            "iss": platform.issuer,
            "login_hint": "u1",
            "target_link_uri": BASE + "/lti/launch",
            "client_id": platform.client_id,
            "lti_storage_target": "post_message_forwarding",
        },
    )
    page = response.get_data(as_text=True)
    assert 'data-storage-target="post_message_forwarding"' in page and "/static/lti/login.js" in page
    assert "lti.put_data" in tool.test_client().get("/static/lti/login.js").get_data(as_text=True)
    secret = re.search(r'data-secret="([^"]+)"', page).group(1)
    state, nonce = (re.search(rf"{k}=([^&\"]+)", page).group(1) for k in ("state", "nonce"))
    return secret, state, nonce


def test_without_cookies_the_launch_asks_platform_storage_for_the_proof(org, tool, platform):
    secret, state, nonce = _storage_login(tool, platform)
    token = platform.sign(platform.claims(nonce))
    cookieless = tool.test_client()  # third-party cookies blocked: nothing comes back
    page = launch(cookieless, token, state)
    assert page.status_code == 200 and "lti.get_data" in page.get_data(as_text=True)
    relaunched = launch(cookieless, token, state, lti_storage_proof=secret)
    assert relaunched.status_code == 303 and relaunched.headers["Location"].endswith("/me/")


def test_a_wrong_platform_storage_proof_is_refused(org, tool, platform):
    _secret, state, nonce = _storage_login(tool, platform)
    response = launch(tool.test_client(), platform.sign(platform.claims(nonce)), state, lti_storage_proof="guessed")
    assert reason(response) == "state_browser_mismatch"


def test_login_page_checks_cookies_and_offers_a_new_window(org, tool, platform):
    page = (
        tool.test_client()
        .post(
            "/lti/login",
            base_url=BASE,
            data={
                "iss": platform.issuer,
                "login_hint": "u1",
                "target_link_uri": BASE + "/lti/launch",
                "client_id": platform.client_id,
            },
        )
        .get_data(as_text=True)
    )
    script = tool.test_client().get("/static/lti/login.js").get_data(as_text=True)
    assert "flipside_cookie_probe" in script and "Open Flipside in a new window" in page
    assert "flipside_new_window=1" in page and 'data-secret=""' in page  # no secret without Platform Storage


def test_unmatched_user_waits_for_a_manual_link_then_gets_in(org, tool, platform):
    learner = tool.test_client()
    state, nonce = login(learner, platform)
    response = launch(learner, platform.sign(platform.claims(nonce, sub="lms-77", email="unknown@example.com")), state)
    assert response.status_code == 403 and reason(response) == "no_employee_match"
    assert "HR admin" in response.get_data(as_text=True)

    admin = tool.test_client()
    state, nonce = login(admin, platform)
    launch(
        admin,
        platform.sign(platform.claims(nonce, sub="lms-admin", email="ada@example.com", roles=[INSTITUTION_ADMIN])),
        state,
    )
    page = admin.get("/admin/", base_url=BASE).get_data(as_text=True)
    link_id = re.search(r'action="/admin/links/(\d+)"', page).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    employee_id = db.session.query(Employee).execution_options(all_tenants=True).one().id
    assert (
        admin.post(
            f"/admin/links/{link_id}", base_url=BASE, data={"csrf_token": csrf, "employee_id": employee_id}
        ).status_code
        == 303
    )

    state, nonce = login(learner, platform)
    again = launch(learner, platform.sign(platform.claims(nonce, sub="lms-77", email="unknown@example.com")), state)
    assert again.status_code == 303


def test_launch_locale_drives_the_ui_language(org, tool, platform):
    client = tool.test_client()
    state, nonce = login(client, platform)
    claims = platform.claims(
        nonce, **{"https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {"locale": "de-DE"}}
    )
    assert launch(client, platform.sign(claims), state).status_code == 303
    page = client.get("/me/", base_url=BASE).get_data(as_text=True)
    assert 'lang="de"' in page and "Willkommen" in page and "Teilnehmer" in page
