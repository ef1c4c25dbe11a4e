"""Sending one LMS message: the requests the Moodle and Canvas connectors make, and every bad answer handled."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl

import pytest
import responses

from plugin.connectors import canvas, moodle
from plugin.connectors.http import RetryPolicy
from plugin.errors import FatalError, NeedsReconnect, RetriableError

MOODLE = "https://moodle.example.test"
CANVAS = "https://canvas.example.test"
SERVER = MOODLE + "/webservice/rest/server.php"
RECORDINGS = Path(__file__).parent / "fixtures" / "http" / "moodle"
SUBJECT, TEXT, HTML = "Your partner: Beatriz", "Olá, Beatriz\n\nhttps://x.test/me/pairs/1\n", "<p>Olá, Beatriz</p>"


def moodle_client() -> moodle.MoodleConnector:
    return moodle.MoodleConnector(MOODLE, "<TOKEN>", policy=RetryPolicy(attempts=2, sleep=lambda s: None))


def canvas_client() -> canvas.CanvasConnector:
    return canvas.CanvasConnector(CANVAS, policy=RetryPolicy(attempts=2, sleep=lambda s: None), throttle_pause=0.01)


def moodle_answers(body, status: int = 200, content_type: str = "application/json") -> None:
    text = body if isinstance(body, str) else json.dumps(body)
    responses.add(responses.POST, SERVER, body=text, status=status, content_type=content_type)


def recorded(name: str) -> str:
    return json.dumps(json.loads((RECORDINGS / f"{name}.json").read_text())["response"]["body"])


@responses.activate
def test_moodle_sends_one_html_instant_message_in_php_form_and_returns_its_id():
    moodle_answers(
        [
            {
                "msgid": 41,
                "clientmsgid": "flipside-7",
                "timecreated": 1796000000,
                "candeletemessagesforallusers": True,
                "conversationid": 3,
                "useridfrom": 2,
                "text": "<p>Olá</p>",
            }
        ]
    )
    ref = moodle_client().send_message("5", SUBJECT, TEXT, HTML, client_ref="flipside-7")
    assert ref == "41"
    form = dict(parse_qsl(responses.calls[0].request.body))
    assert form["wsfunction"] == "core_message_send_instant_messages" and form["moodlewsrestformat"] == "json"
    assert form["messages[0][touserid]"] == "5" and form["messages[0][textformat]"] == "1"  # FORMAT_HTML
    assert form["messages[0][text]"] == "<p><strong>Your partner: Beatriz</strong></p><p>Olá, Beatriz</p>"
    assert form["messages[0][clientmsgid]"] == "flipside-7"


@responses.activate
def test_moodle_escapes_a_subject_that_carries_markup():
    moodle_answers([{"msgid": 2}])
    moodle_client().send_message("5", "<script>alert(1)</script>", TEXT, HTML)
    form = dict(parse_qsl(responses.calls[0].request.body))
    assert "<script>" not in form["messages[0][text]"] and "&lt;script&gt;" in form["messages[0][text]"]


@responses.activate
@pytest.mark.parametrize(
    "errormessage",
    [
        "You can not send a message to a user id (99999) that doesn't exist",
        "You can't message <b>Ana Souza</b> due to their message preferences. Try adding them as a contact.",
        None,
    ],
    ids=["unknown-user", "privacy", "no-reason"],
)
def test_a_message_moodle_refused_inside_a_200_is_a_permanent_failure_with_its_reason(errormessage):
    refused = {"msgid": -1, "candeletemessagesforallusers": False}
    if errormessage is not None:
        refused["errormessage"] = errormessage
    moodle_answers([refused])
    with pytest.raises(moodle.MoodleError) as err:
        moodle_client().send_message("99999", SUBJECT, TEXT, HTML)
    assert err.value.errorcode == "messagenotsent" and not isinstance(err.value, RetriableError)
    assert "user 99999" in err.value.message and "<b>" not in err.value.message
    if errormessage:
        assert errormessage.split(" ")[2] in err.value.message


@responses.activate
def test_the_function_missing_from_the_service_is_refused_with_a_hint():
    moodle_answers(recorded("ws__core_course_delete_courses__not_in_service"))
    with pytest.raises(moodle.MoodleError) as err:
        moodle_client().send_message("5", SUBJECT, TEXT, HTML)
    assert err.value.errorcode == "accessexception" and "web service" in err.value.message


@responses.activate
def test_messaging_switched_off_names_the_site_setting():
    moodle_answers({"exception": "moodle_exception", "errorcode": "disabled", "message": "Messaging is disabled"})
    with pytest.raises(moodle.MoodleError, match="Enable messaging system"):
        moodle_client().send_message("5", SUBJECT, TEXT, HTML)


@responses.activate
def test_an_invalid_token_needs_reconnect():
    moodle_answers({"exception": "moodle_exception", "errorcode": "invalidtoken", "message": "Invalid token"})
    with pytest.raises(NeedsReconnect):
        moodle_client().send_message("5", SUBJECT, TEXT, HTML)


@responses.activate
@pytest.mark.parametrize(
    "body",
    [[], {}, "null", [{"clientmsgid": "x"}], [{"msgid": "abc"}], ["41"]],
    ids=["empty-list", "object", "null", "no-msgid", "msgid-not-a-number", "list-of-strings"],
)
def test_a_malformed_moodle_answer_is_never_taken_for_a_sent_message(body):
    moodle_answers(body)
    with pytest.raises(moodle.MoodleError):
        moodle_client().send_message("5", SUBJECT, TEXT, HTML)


@responses.activate
def test_an_html_maintenance_page_is_not_json_and_not_sent():
    moodle_answers("<html>Site under maintenance</html>", content_type="text/html")
    with pytest.raises(FatalError):
        moodle_client().send_message("5", SUBJECT, TEXT, HTML)


@responses.activate
def test_moodle_5xx_is_retried_in_the_request_then_sent_once():
    moodle_answers("Bad gateway", status=502, content_type="text/plain")
    moodle_answers([{"msgid": 8}])
    assert moodle_client().send_message("5", SUBJECT, TEXT, HTML) == "8"
    assert len(responses.calls) == 2


@responses.activate
def test_moodle_503_past_the_request_budget_is_left_to_the_job():
    for _ in range(2):
        moodle_answers("busy", status=503, content_type="text/plain")
    with pytest.raises(RetriableError):
        moodle_client().send_message("5", SUBJECT, TEXT, HTML)


def canvas_answers(body, status: int = 201, **headers) -> None:
    responses.add(
        responses.POST, CANVAS + "/api/v1/conversations", body=json.dumps(body), status=status, headers=headers
    )


@responses.activate
def test_canvas_starts_a_new_private_conversation_and_returns_its_id():
    canvas_answers([{"id": 812, "subject": SUBJECT, "participants": [{"id": 1}, {"id": 16}]}])
    assert canvas_client().send_message("16", SUBJECT, TEXT, HTML) == "812"
    form = parse_qs(responses.calls[0].request.body)
    assert form["recipients[]"] == ["16"] and form["subject"] == [SUBJECT] and form["body"] == [TEXT]
    assert form["force_new"] == ["true"] and form["group_conversation"] == ["false"]


@responses.activate
def test_canvas_answering_200_instead_of_201_is_sent_as_well():
    canvas_answers([{"id": 9}], status=200)
    assert canvas_client().send_message("16", SUBJECT, TEXT, HTML) == "9"


@responses.activate
@pytest.mark.parametrize(
    "body, reason",
    [
        ([{"attribute": "recipients", "message": "invalid"}], "recipients invalid"),
        ({"errors": {"recipients": "blank"}}, "recipients blank"),
        ("not json at all", "not json at all"),
    ],
    ids=["attribute-list", "errors-object", "text"],
)
def test_canvas_refusing_the_conversation_is_permanent_with_the_reason(body, reason):
    if isinstance(body, str):
        responses.add(responses.POST, CANVAS + "/api/v1/conversations", body=body, status=400)
    else:
        canvas_answers(body, status=400)
    with pytest.raises(FatalError, match=reason) as err:
        canvas_client().send_message("16", SUBJECT, TEXT, HTML)
    assert "user 16" in err.value.message and not isinstance(err.value, RetriableError)


@responses.activate
def test_a_missing_conversations_scope_is_a_permission_error():
    canvas_answers({"errors": [{"message": "Insufficient scopes on access token."}]}, status=401)
    with pytest.raises(canvas.CanvasPermissionError, match="scope"):
        canvas_client().send_message("16", SUBJECT, TEXT, HTML)


@responses.activate
@pytest.mark.parametrize("style", ["429", "403"])
def test_canvas_throttling_past_the_request_budget_is_retriable_and_sends_nothing(style):
    for _ in range(2):
        if style == "429":
            canvas_answers({"errors": [{"message": "Rate limit exceeded"}]}, status=429, **{"Retry-After": "1"})
        else:
            responses.add(
                responses.POST, CANVAS + "/api/v1/conversations", body="403 Forbidden (Rate Limit Exceeded)", status=403
            )
    with pytest.raises(RetriableError):
        canvas_client().send_message("16", SUBJECT, TEXT, HTML)


@responses.activate
@pytest.mark.parametrize(
    "body", [[], {}, [{"subject": "no id"}], "<html>oops</html>"], ids=["empty", "obj", "noid", "html"]
)
def test_a_malformed_canvas_answer_is_never_taken_for_a_sent_message(body):
    if isinstance(body, str):
        responses.add(responses.POST, CANVAS + "/api/v1/conversations", body=body, status=201)
    else:
        canvas_answers(body)
    with pytest.raises(FatalError, match="not a conversation list"):
        canvas_client().send_message("16", SUBJECT, TEXT, HTML)


@responses.activate
def test_canvas_queueing_a_batch_with_202_counts_as_accepted():
    canvas_answers([], status=202)
    assert canvas_client().send_message("16", SUBJECT, TEXT, HTML) == "queued"
