"""The one /admin guard: every admin URL answers a stranger with the sign-in page and a participant with 403."""

import json

import pytest

from plugin.services import admin_login

CSRF = "guard-test-token"
OPEN = {"/admin/login/<token>"}  # the one-time login link is how one signs in


def _admin_rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.rule.startswith("/admin") and rule.rule not in OPEN:
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield rule, method


def _url(rule) -> str:
    from werkzeug.routing import IntegerConverter

    return rule.build(
        {name: 1 if isinstance(conv, IntegerConverter) else "x" for name, conv in rule._converters.items()},
        append_unknown=False,
    )[1]


def _call(client, rule, method, **kw):
    return client.open(_url(rule), method=method, data={"csrf_token": CSRF} if method != "GET" else None, **kw)


@pytest.fixture
def org(make_org, session):
    tenant = make_org()
    session.commit()
    return tenant


def test_every_admin_url_sends_a_stranger_to_sign_in(app, client, org):
    with client.session_transaction() as s:
        s["csrf_token"] = CSRF  # a browser that has seen a page, so the CSRF check is not what answers
    walked = 0
    for rule, method in _admin_rules(app):
        answer = _call(client, rule, method)
        assert answer.status_code == 401, (method, rule.rule, answer.status_code)
        assert b"Please sign in" in answer.data and b"login-link" in answer.data, (method, rule.rule)
        walked += 1
    assert walked >= 35


def test_every_admin_url_answers_a_stranger_asking_for_json_with_401_json(app, client, org):
    with client.session_transaction() as s:
        s["csrf_token"] = CSRF
    for rule, method in _admin_rules(app):
        answer = client.open(_url(rule), method=method, json={}, headers={"X-CSRF-Token": CSRF})
        assert answer.status_code == 401, (method, rule.rule, answer.status_code)
        assert json.loads(answer.data)["error"]["code"] == "not_signed_in", (method, rule.rule)


def test_the_api_answers_a_stranger_with_401_json(client):
    answer = client.get("/api/v1/programmes")
    assert answer.status_code == 401 and answer.is_json


def test_every_admin_url_refuses_a_signed_in_participant_with_403(app, client, org, session):
    with client.session_transaction() as s:
        s["user"] = {**admin_login.session_user(org.organisation_id), "role": "participant", "lms_role": "participant"}
        s["csrf_token"] = CSRF
    for rule, method in _admin_rules(app):
        answer = _call(client, rule, method)
        assert answer.status_code == 403, (method, rule.rule, answer.status_code)
        assert b"HR admins" in answer.data, (method, rule.rule)
    # nothing a refused request could have written
    from plugin.models import AuditEvent

    assert org.count(AuditEvent) == 0
