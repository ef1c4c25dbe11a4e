"""Moodle connector against the recorded Moodle 4.3 answers: every HTTP-200 error lands in our error tree."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import responses

from plugin.connectors import moodle
from plugin.connectors.http import RetryPolicy
from plugin.connectors.lms import LmsPerson
from plugin.errors import FatalError, NeedsReconnect, RetriableError

RECORDINGS = Path(__file__).parent / "fixtures" / "http" / "moodle"
BASE = "https://moodle.example.test"


def replay(name: str) -> dict:
    """Register the recorded answer of `name` for its path; returns the recorded request form."""
    data = json.loads((RECORDINGS / f"{name}.json").read_text())
    answer = data["response"]
    body = (
        answer.get("body_raw")
        if "body_raw" in answer
        else (answer["body"] if isinstance(answer["body"], str) else json.dumps(answer["body"]))
    )
    content_type = answer["headers"].get("Content-type") or answer["headers"].get("Content-Type")
    responses.add(
        responses.POST, BASE + data["request"]["path"], body=body, status=answer["status"], content_type=content_type
    )
    return data["request"]["form"]


def client(**kw) -> moodle.MoodleConnector:
    return moodle.MoodleConnector(BASE, "<TOKEN>", policy=RetryPolicy(attempts=1), **kw)


def sent() -> dict:
    return dict(parse_qsl(responses.calls[-1].request.body))


@responses.activate
@pytest.mark.parametrize(
    "name", ["ws__core_webservice_get_site_info__invalidtoken", "ws__core_webservice_get_site_info__missing_wstoken"]
)
def test_invalid_token_needs_reconnect(name):
    replay(name)
    with pytest.raises(NeedsReconnect, match="invalidtoken"):
        client().site_info()


@responses.activate
def test_invalid_parameter_is_fatal_and_names_the_request_not_moodles_text():
    replay("ws__core_user_create_users__duplicate_username")
    with pytest.raises(moodle.MoodleError) as err:
        client().create_user(LmsPerson("teacher1@example.com", "Tea", "Cher"))
    assert err.value.errorcode == "invalidparameter" and not isinstance(err.value, NeedsReconnect)
    assert "core_user_create_users(users)" in str(err.value)


@responses.activate
def test_debuginfo_is_passed_on_when_the_site_has_debugging_on():
    replay("ws__core_group_create_groups__duplicate_name__debug")
    with pytest.raises(moodle.MoodleError, match="Group with the same name already exists"):
        client().call("core_group_create_groups", groups=[{"courseid": 2, "name": "Group A"}])


@responses.activate
@pytest.mark.parametrize(
    "name, code",
    [
        ("ws__enrol_manual_enrol_users__invalid_user", "codingerror"),
        ("ws__core_group_add_group_members__unknown_group", "invalidrecord"),
        ("ws__core_course_delete_courses__not_in_service", "accessexception"),
        ("ws__enrol_manual_enrol_users__invalid_role", "wsusercannotassign"),
        ("ws__no_such_function__error", "invalidrecord"),
    ],
)
def test_other_moodle_errors_are_classified_fatal_with_their_code(name, code):
    form = replay(name)
    with pytest.raises(moodle.MoodleError) as err:
        client().call(form["wsfunction"])
    assert err.value.errorcode == code


@responses.activate
def test_course_without_manual_enrolment_gets_a_clear_message():
    replay("ws__enrol_manual_enrol_users__wsnoinstance")
    with pytest.raises(moodle.MoodleError) as err:
        client(role_ids={"student": 5}).enrol("4", "5")
    assert "course 4 has no enabled manual-enrolment instance" in str(err.value) and "{$a" not in str(err.value)


@responses.activate
def test_password_policy_html_never_reaches_the_message():
    replay("ws__core_user_create_users__weak_password")
    with pytest.raises(moodle.MoodleError) as err:
        client().create_user(LmsPerson("weakpw@example.com", "Weak", "Password"))
    assert err.value.errorcode == "passwordpolicy" and "<div>" not in str(err.value)


@responses.activate
def test_transient_database_error_is_retriable():
    responses.add(
        responses.POST,
        BASE + moodle.SERVER,
        content_type="application/json",
        body='{"exception":"dml_write_exception","errorcode":"dmlwriteexception","message":"x"}',
    )
    with pytest.raises(RetriableError):
        client().call("core_group_create_groups")


@responses.activate
def test_null_success_body_and_role_ids_discovered_from_the_course():
    replay("ws__core_enrol_get_enrolled_users__ok")
    replay("ws__enrol_manual_enrol_users__ok")
    connector = client()
    assert connector.enrol("2", "5") == "5@2"
    assert connector.role_ids == {"student": 5, "editingteacher": 3}
    assert sent()["enrolments[0][roleid]"] == "5" and sent()["moodlewsrestformat"] == "json"


@responses.activate
def test_users_are_found_by_email_and_misses_dropped():
    replay("ws__core_user_get_users_by_field__email_multi")
    found = client().find_users(["Student1@example.com", "nobody@example.com", "learner2@example.com"])
    assert {k: v.id for k, v in found.items()} == {"student1@example.com": "3", "learner2@example.com": "5"}
    assert sent()["values[1]"] == "nobody@example.com"


@responses.activate
def test_created_user_uses_the_configured_auth_and_no_password():
    replay("ws__core_user_create_users__ok")
    user = client(user_auth="oidc").create_user(LmsPerson("teacher1@example.com", "Tea", "Cher", "E-7"))
    assert user.id == "4"
    form = sent()
    assert form["users[0][auth]"] == "oidc" and "users[0][password]" not in form
    assert form["users[0][username]"] == "teacher1@example.com"


@responses.activate
@pytest.mark.parametrize(
    "name, state",
    [
        ("completed", "complete"),
        ("criteria_done_before_cron", "awaiting_aggregation"),
        ("not_complete", "in_progress"),
        ("nocriteriaset", "not_tracked"),
        ("user_not_enrolled", "not_enrolled"),
    ],
)
def test_completion_traps_become_states(name, state):
    replay(f"ws__core_completion_get_course_completion_status__{name}")
    progress = client().progress("2", "3")
    assert progress.state == state
    assert (progress.completed_at is not None) == (state == "complete")


@responses.activate
def test_xml_answer_is_refused_clearly():
    replay("ws__core_webservice_get_site_info__xml_default_format")
    with pytest.raises(moodle.MoodleError, match="not JSON"):
        client().site_info()


@responses.activate
@pytest.mark.parametrize(
    "name, error",
    [
        ("login__token__invalidlogin", NeedsReconnect),
        ("login__token__student_not_authorised_for_service", NeedsReconnect),
    ],
)
def test_token_php_errors(name, error):
    replay(name)
    with pytest.raises(
        error, match=name.split("__")[-1].replace("student_not_authorised_for_service", "usernotallowed")
    ):
        moodle.fetch_token(BASE, "admin", "pw", "probe_service")


@responses.activate
def test_token_php_issues_a_token():
    replay("login__token__ok_admin_probe_service")
    assert moodle.fetch_token(BASE, "admin", "pw", "probe_service") == "<TOKEN>"
    assert isinstance(NeedsReconnect(), FatalError)
