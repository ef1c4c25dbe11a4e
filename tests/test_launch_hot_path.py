"""The LTI login and launch skip app-wide hooks they do not need (issue 18), and lose nothing a person or an
operator would notice: CSRF stays exempt only by name, each request's language, headers, metrics and a fresh
session for every other person."""

from __future__ import annotations

from plugin.web import csrf
from plugin.web.hot_path import HOT_VIEWS
from tests.lti_support import BASE, launch, login

SESSION_COOKIE = "session"


def session_cookies(response) -> list[str]:
    return [c for c in response.headers.getlist("Set-Cookie") if c.startswith(SESSION_COOKIE + "=")]


def test_every_hot_view_is_csrf_exempt_by_name_so_skipping_the_hook_drops_no_check():
    assert set(HOT_VIEWS) <= set(csrf.EXEMPT_VIEWS)


def test_a_form_post_to_any_other_view_is_still_refused_without_its_token(tool):
    client = tool.test_client()
    response = client.post("/me/pairs/1/leave", data={}, base_url=BASE)
    assert response.status_code == 403 and "This form has expired" in response.get_data(as_text=True)


def test_the_login_page_speaks_each_requests_language_in_one_app_context(org, tool, platform):
    client = tool.test_client()
    pages = {}
    for accept in ("de", "fr", "ja", "en"):
        data = {
            "iss": platform.issuer,
            "login_hint": "u1",
            "target_link_uri": BASE + "/lti/launch",
            "client_id": platform.client_id,
        }
        response = client.post("/lti/login", data=data, base_url=BASE, headers={"Accept-Language": accept})
        pages[accept] = response.get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in pages["de"] and "Flipside in einem neuen Fenster öffnen" in pages["de"]
    assert '<html lang="fr" dir="ltr">' in pages["fr"] and "Ouvrir Flipside dans une nouvelle fenêtre" in pages["fr"]
    assert "Flipside を新しいウィンドウで開く" in pages["ja"]
    assert '<html lang="en" dir="ltr">' in pages["en"] and "Open Flipside in a new window" in pages["en"]


def test_hot_views_keep_security_headers_request_ids_and_metrics(org, tool, platform):
    client = tool.test_client()
    response = client.post(
        "/lti/login",
        data={"iss": platform.issuer, "login_hint": "u1", "target_link_uri": BASE + "/lti/launch"},
        base_url=BASE,
        headers={"X-Request-ID": "launch-req-0001"},
    )
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://lms.test" in csp and "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Request-ID"] == "launch-req-0001"
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'flipside_http_requests_total{endpoint="lti.login",method="POST",status="200"}' in metrics


def test_the_login_writes_no_session_cookie_only_the_browser_binding(org, tool, platform):
    client = tool.test_client()
    response = client.post(
        "/lti/login",
        data={"iss": platform.issuer, "login_hint": "u1", "target_link_uri": BASE + "/lti/launch"},
        base_url=BASE,
        headers={"Accept-Language": "de"},
    )
    assert response.status_code == 200 and session_cookies(response) == []
    assert [c.split("=", 1)[0] for c in response.headers.getlist("Set-Cookie")] == ["flipside_lti_browser"]


def test_a_launch_after_browsing_starts_a_fresh_session(org, tool, platform):
    client = tool.test_client()
    state, nonce = login(client, platform)
    launch(client, platform.sign(platform.claims(nonce)), state)
    client.get("/me/", base_url=BASE)  # the pages leave their own keys (CSRF token, kept locale) in the session
    with client.session_transaction(base_url=BASE) as session:
        session["csrf_token"] = "from-before-the-launch"
    state, nonce = login(client, platform)
    again = launch(client, platform.sign(platform.claims(nonce)), state)
    assert session_cookies(again)
    with client.session_transaction(base_url=BASE) as session:
        assert "csrf_token" not in session and session["user"]["employee_id"]


def test_the_reused_session_signer_follows_a_rotated_secret(org, tool, platform):
    client = tool.test_client()
    state, nonce = login(client, platform)
    launch(client, platform.sign(platform.claims(nonce)), state)
    assert client.get("/me/", base_url=BASE).status_code == 200
    old = tool.config["SECRET_KEY"]
    tool.config["SECRET_KEY"] = "a-new-secret-after-rotation-of-enough-length"
    assert client.get("/me/", base_url=BASE).status_code in (401, 403)  # the old cookie no longer signs anyone in
    tool.config["SECRET_KEY_FALLBACKS"] = [old]
    assert client.get("/me/", base_url=BASE).status_code == 200  # ...unless the old secret is a fallback
