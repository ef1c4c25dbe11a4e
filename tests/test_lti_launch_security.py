"""Security Framework checklist: each check is its own test with a hand-made token, refused with a reason."""

from __future__ import annotations

import logging
import time

import jwt
import pytest

from tests.lti_support import BASE, CLAIM, INSTITUTION_ADMIN, INSTRUCTOR, Platform, launch, login, reason


@pytest.fixture
def client(tool):
    return tool.test_client()


def refused(response, code: str, status: int | None = None) -> bool:
    assert reason(response) == code, response.get_data(as_text=True)[-600:]
    assert 400 <= response.status_code < 500
    if status:
        assert response.status_code == status
    return True


def test_valid_launch_signs_the_learner_in(org, client, platform):
    state, nonce = login(client, platform)
    response = launch(client, platform.sign(platform.claims(nonce)), state)
    assert response.status_code == 303 and response.headers["Location"].endswith("/me/")
    page = client.get("/me/", base_url=BASE).get_data(as_text=True)
    assert "Acme Ltd" in page and "Ada" in page and "Participant" in page


def test_forged_signature_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    forger = Platform()
    token = jwt.encode(platform.claims(nonce), forger.pem(forger.kid), algorithm="RS256", headers={"kid": platform.kid})
    assert refused(launch(client, token, state), "bad_signature", 401)


def test_alg_none_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    token = jwt.encode(platform.claims(nonce), key=None, algorithm="none", headers={"kid": platform.kid})
    assert refused(launch(client, token, state), "alg_not_allowed", 401)


def test_hs256_signed_with_the_public_key_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    token = jwt.encode(
        platform.claims(nonce),
        "not-a-platform-key-but-long-enough-for-hmac-32b",
        algorithm="HS256",
        headers={"kid": platform.kid},
    )
    assert refused(launch(client, token, state), "alg_not_allowed")


def test_unknown_kid_before_rotation_is_refused_after_one_refetch(org, client, platform, jwks_mock):
    state, nonce = login(client, platform)
    assert launch(client, platform.sign(platform.claims(nonce)), state).status_code == 303  # JWKS cached
    fetches = len(jwks_mock.calls)
    new_kid = platform.add_key(publish=False)
    state, nonce = login(client, platform)
    assert refused(launch(client, platform.sign(platform.claims(nonce), kid=new_kid), state), "unknown_kid")
    assert len(jwks_mock.calls) == fetches + 1  # exactly one refetch


def test_the_first_launch_right_after_a_rotation_is_accepted(org, client, platform, jwks_mock):
    """The rotation race: the key set was fetched a moment ago, then the platform rotates; the very next
    launch, signed with the new key, triggers one refetch and gets in (it used to fail for 2 s)."""
    state, nonce = login(client, platform)
    assert launch(client, platform.sign(platform.claims(nonce)), state).status_code == 303
    fetches = len(jwks_mock.calls)
    platform.kid = platform.add_key(publish=True)  # the platform rotates and publishes its new key
    state, nonce = login(client, platform)
    assert launch(client, platform.sign(platform.claims(nonce)), state).status_code == 303
    assert len(jwks_mock.calls) == fetches + 1


def test_a_stream_of_forged_kids_refetches_the_platform_keys_only_within_the_budget(org, client, platform, jwks_mock):
    from plugin.lti.platform_keys import REFETCH_BUDGET

    state, nonce = login(client, platform)
    assert launch(client, platform.sign(platform.claims(nonce)), state).status_code == 303
    fetches = len(jwks_mock.calls)
    for _ in range(REFETCH_BUDGET + 5):
        forged = platform.add_key(publish=False)
        state, nonce = login(client, platform)
        assert refused(launch(client, platform.sign(platform.claims(nonce), kid=forged), state), "unknown_kid")
    assert len(jwks_mock.calls) == fetches + REFETCH_BUDGET


def test_wrong_issuer_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    token = platform.sign(platform.claims(nonce, iss="https://evil.test"))
    assert refused(launch(client, token, state), "wrong_issuer", 401)


def test_aud_list_with_our_client_and_azp_is_accepted(org, client, platform):
    state, nonce = login(client, platform)
    token = platform.sign(platform.claims(nonce, aud=["other-client", platform.client_id], azp=platform.client_id))
    assert launch(client, token, state).status_code == 303


def test_aud_list_without_azp_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    token = platform.sign(platform.claims(nonce, aud=["other-client", platform.client_id]))
    assert refused(launch(client, token, state), "azp_missing", 401)


def test_aud_list_with_foreign_azp_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    token = platform.sign(platform.claims(nonce, aud=[platform.client_id, "other"], azp="other"))
    assert refused(launch(client, token, state), "azp_mismatch", 401)


def test_aud_list_without_our_client_is_refused(org, client, platform):
    """pylti1p3 checks only aud[0]; we check membership of the whole list."""
    state, nonce = login(client, platform)
    token = platform.sign(platform.claims(nonce, aud=["other", "another"], azp="other"))
    assert refused(launch(client, token, state), "aud_mismatch", 401)


def test_missing_exp_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    claims = platform.claims(nonce)
    del claims["exp"]
    assert refused(launch(client, platform.sign(claims), state), "exp_missing", 401)


def test_missing_iat_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    claims = platform.claims(nonce)
    del claims["iat"]
    assert refused(launch(client, platform.sign(claims), state), "iat_missing", 401)


def test_expired_token_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    now = int(time.time())
    token = platform.sign(platform.claims(nonce, iat=now - 600, exp=now - 120))
    assert refused(launch(client, token, state), "token_expired", 401)


def test_iat_in_the_future_beyond_leeway_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    now = int(time.time())
    token = platform.sign(platform.claims(nonce, iat=now + 120, exp=now + 400))
    assert refused(launch(client, token, state), "iat_in_future", 401)


def test_iat_in_the_future_within_leeway_is_accepted(org, client, platform):
    """A platform clock a few seconds ahead must not break launches (pylti1p3 has no leeway)."""
    state, nonce = login(client, platform)
    now = int(time.time())
    token = platform.sign(platform.claims(nonce, iat=now + 30, exp=now + 300))
    assert launch(client, token, state).status_code == 303


def test_reused_nonce_with_a_fresh_token_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    assert launch(client, platform.sign(platform.claims(nonce)), state).status_code == 303
    state2, _ = login(client, platform)
    fresh = platform.sign(platform.claims(nonce, iat=int(time.time()) + 1))
    assert refused(launch(client, fresh, state2), "nonce_reused", 401)


def test_nonce_not_issued_to_this_login_is_refused(org, client, platform):
    state, _ = login(client, platform)
    assert refused(launch(client, platform.sign(platform.claims("made-up-nonce")), state), "nonce_mismatch", 401)


def test_replayed_state_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    token = platform.sign(platform.claims(nonce))
    assert launch(client, token, state).status_code == 303
    assert refused(launch(client, token, state), "state_unknown", 400)


def test_wrong_state_is_refused(org, client, platform):
    _, nonce = login(client, platform)
    assert refused(launch(client, platform.sign(platform.claims(nonce)), "state-we-never-issued"), "state_unknown", 400)


def test_state_from_another_browser_is_refused(org, tool, client, platform):
    state, nonce = login(client, platform)
    other_browser = tool.test_client()
    assert refused(launch(other_browser, platform.sign(platform.claims(nonce)), state), "state_browser_mismatch", 403)


def test_unknown_deployment_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    token = platform.sign(platform.claims(nonce, **{CLAIM + "deployment_id": "dep-unknown"}))
    assert refused(launch(client, token, state), "unknown_deployment", 403)


def test_wrong_message_type_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    token = platform.sign(platform.claims(nonce, **{CLAIM + "message_type": "LtiSubmissionReviewRequest"}))
    assert refused(launch(client, token, state), "wrong_message_type")


def test_wrong_version_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    token = platform.sign(platform.claims(nonce, **{CLAIM + "version": "1.1"}))
    assert refused(launch(client, token, state), "wrong_version")


def test_missing_roles_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    claims = platform.claims(nonce)
    del claims[CLAIM + "roles"]
    assert refused(launch(client, platform.sign(claims), state), "roles_missing")


def test_missing_resource_link_is_refused(org, client, platform):
    state, nonce = login(client, platform)
    claims = platform.claims(nonce)
    del claims[CLAIM + "resource_link"]
    assert refused(launch(client, platform.sign(claims), state), "resource_link_missing")


def test_target_link_uri_mismatch_is_refused(org, client, platform):
    state, nonce = login(client, platform, target=BASE + "/lti/launch")
    token = platform.sign(platform.claims(nonce, **{CLAIM + "target_link_uri": BASE + "/admin/"}))
    assert refused(launch(client, token, state), "target_link_uri_mismatch")


def test_login_towards_a_foreign_target_is_refused(org, client, platform):
    response = client.post(
        "/lti/login",
        base_url=BASE,
        data={
            "iss": platform.issuer,
            "login_hint": "u",
            "client_id": platform.client_id,
            "target_link_uri": "https://evil.test/steal",
        },
    )
    assert refused(response, "target_link_uri_foreign")


def test_login_from_an_unregistered_client_is_refused(org, client, platform):
    response = client.post(
        "/lti/login",
        base_url=BASE,
        data={
            "iss": platform.issuer,
            "login_hint": "u",
            "client_id": "someone-else",
            "target_link_uri": BASE + "/lti/launch",
        },
    )
    assert refused(response, "unknown_registration")


def test_rejection_logs_the_reason_but_never_the_token(org, client, platform, caplog):
    state, nonce = login(client, platform)
    token = platform.sign(platform.claims(nonce, iss="https://evil.test"))
    with caplog.at_level(logging.WARNING):
        launch(client, token, state)
    records = [r for r in caplog.records if getattr(r, "reason", None) == "wrong_issuer"]
    assert records
    assert all(token not in r.getMessage() and token not in str(vars(r)) for r in caplog.records)


def test_instructor_lands_on_their_programmes_not_the_organisation_page(org, client, platform):
    state, nonce = login(client, platform)
    response = launch(client, platform.sign(platform.claims(nonce, roles=[INSTRUCTOR])), state)
    assert response.headers["Location"].endswith("/admin/programmes/")
    front = client.get("/admin/", base_url=BASE)  # the dashboard of their own programmes, not the organisation's
    assert front.status_code == 200 and "Programme coordinator" in front.get_data(as_text=True)
    assert 'href="/admin/connections"' not in front.get_data(as_text=True).split('id="work"')[1]


def test_institution_administrator_lands_on_the_admin_page(org, client, platform):
    state, nonce = login(client, platform)
    response = launch(client, platform.sign(platform.claims(nonce, roles=[INSTITUTION_ADMIN])), state)
    assert response.headers["Location"].endswith("/admin/")
    page = client.get("/admin/", base_url=BASE).get_data(as_text=True)
    assert "HR admin" in page and "Acme Ltd" in page


def test_browser_cookie_is_secure_samesite_none_partitioned(org, client, platform):
    response = client.post(
        "/lti/login",
        base_url=BASE,
        data={
            "iss": platform.issuer,
            "login_hint": "u",
            "client_id": platform.client_id,
            "target_link_uri": BASE + "/lti/launch",
        },
    )
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "SameSite=None" in cookie and "Partitioned" in cookie and "HttpOnly" in cookie


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30"])
def test_malformed_id_tokens_get_a_clear_4xx_page(org, client, platform, token):
    state, _nonce = login(client, platform)
    response = launch(client, token, state)
    assert 400 <= response.status_code < 500 and reason(response) in ("malformed_token", "missing_parameter")


def test_platform_error_response_is_explained(org, client, platform):
    state, _ = login(client, platform)
    response = client.post("/lti/launch", base_url=BASE, data={"error": "access_denied", "state": state})
    assert response.status_code == 400 and reason(response) == "platform_error"


def test_a_valid_launch_costs_one_redis_round_trip(org, tool, client, platform, monkeypatch):
    """State, browser binding, nonce and launch data are checked and spent together (the benchmark's path)."""
    from plugin.lti.runtime import launch_store

    first_state, first_nonce = login(client, platform)  # warms the caches and loads the Redis script
    assert launch(client, platform.sign(platform.claims(first_nonce)), first_state).status_code == 303
    state, nonce = login(client, platform)
    token = platform.sign(platform.claims(nonce))
    redis_client = launch_store(tool).redis
    calls = []
    original = redis_client.execute_command
    monkeypatch.setattr(redis_client, "execute_command", lambda *a, **k: calls.append(a[0]) or original(*a, **k))
    assert launch(client, token, state).status_code == 303
    assert calls == ["EVALSHA"]
