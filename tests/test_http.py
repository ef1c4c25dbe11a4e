"""The shared send(): what a caller sees for throttling, outages, timeouts, 401s and refusals."""

from __future__ import annotations

import pytest
import requests
import responses
from responses import registries

from plugin.connectors.http import RetryPolicy, make_session, parse_retry_after, send
from plugin.errors import FatalError, NeedsReconnect, RetriableError
from tests.factories import recorded

URL = "https://acme.bamboohr.com/api/v1/employees/changed"
HEADERS = ("X-BambooHR-Error-Message", "X-BambooHR-Error-Messsage")


def ok():
    return {"status": 200, "json": {"latest": "2026-01-01T00:00:00+00:00", "employees": {}}}


@responses.activate(registry=registries.OrderedRegistry)
def test_429_waits_exactly_retry_after_then_succeeds(no_wait):
    responses.get(URL, **recorded("bamboohr", "throttled_429"))
    responses.get(URL, **ok())
    response = send(make_session(), "GET", URL, policy=no_wait)
    assert response.status_code == 200
    assert no_wait.waits == [7.0]
    assert len(responses.calls) == 2


@responses.activate(registry=registries.OrderedRegistry)
def test_503_honours_retry_after_like_429(no_wait):
    responses.get(URL, **recorded("bamboohr", "unavailable_503"))
    responses.get(URL, **ok())
    assert send(make_session(), "GET", URL, policy=no_wait).status_code == 200
    assert no_wait.waits == [2.0]


@responses.activate(registry=registries.OrderedRegistry)
def test_5xx_and_timeouts_back_off_exponentially_with_jitter_capped(no_wait):
    responses.get(URL, **recorded("bamboohr", "server_error_500"))
    responses.get(URL, body=requests.ReadTimeout("read timed out"))
    responses.get(URL, **ok())
    assert send(make_session(), "GET", URL, policy=no_wait).status_code == 200
    assert len(responses.calls) == 3
    caps = [min(no_wait.cap, no_wait.base * 2**n) for n in range(2)]
    assert all(0 <= wait <= cap for wait, cap in zip(no_wait.waits, caps, strict=True))
    assert len(set(no_wait.waits)) == 2  # jittered, not a fixed schedule


@responses.activate(registry=registries.OrderedRegistry)
def test_connect_errors_are_retried_too(no_wait):
    responses.get(URL, body=requests.ConnectTimeout("connect timed out"))
    responses.get(URL, body=requests.ConnectionError("reset"))
    responses.get(URL, **ok())
    assert send(make_session(), "GET", URL, policy=no_wait).status_code == 200
    assert len(responses.calls) == 3 and len(no_wait.waits) == 2


@responses.activate(registry=registries.OrderedRegistry)
def test_a_request_is_tried_three_times_at_most_whatever_the_policy_asks():
    waits = []
    policy = RetryPolicy(attempts=6, base=0.01, cap=0.01, sleep=waits.append)
    for _ in range(6):
        responses.get(URL, **recorded("bamboohr", "server_error_500"))
    with pytest.raises(RetriableError):
        send(make_session(), "GET", URL, policy=policy)
    assert len(responses.calls) == 3 and len(waits) == 2


@responses.activate(registry=registries.OrderedRegistry)
def test_a_retry_after_beyond_the_budget_goes_to_the_job_without_sleeping(no_wait):
    responses.get(URL, status=429, headers={"Retry-After": "120"}, json={"error": "slow down"})
    responses.get(URL, **ok())
    with pytest.raises(RetriableError) as caught:
        send(make_session(), "GET", URL, policy=no_wait)
    assert caught.value.retry_after == 120.0  # the job's retry waits it out
    assert len(responses.calls) == 1 and no_wait.waits == []


@responses.activate(registry=registries.OrderedRegistry)
def test_waits_inside_one_request_never_add_up_past_thirty_seconds():
    waits = []
    policy = RetryPolicy(base=1, cap=60, budget=3600, sleep=waits.append)
    for _ in range(2):
        responses.get(URL, status=503, headers={"Retry-After": "20"}, json={"error": "down"})
    responses.get(URL, **ok())
    with pytest.raises(RetriableError):
        send(make_session(), "GET", URL, policy=policy)
    assert waits == [20.0] and len(responses.calls) == 2  # a second 20 s would pass 30 s


@responses.activate(registry=registries.OrderedRegistry)
def test_gives_up_after_the_last_attempt_with_a_retriable_error(no_wait):
    for _ in range(no_wait.attempts):
        responses.get(URL, **recorded("bamboohr", "unavailable_503"))
    with pytest.raises(RetriableError) as caught:
        send(make_session(), "GET", URL, policy=no_wait, vendor="bamboohr")
    assert caught.value.retry_after == 2.0
    assert len(responses.calls) == no_wait.attempts
    assert len(no_wait.waits) == no_wait.attempts - 1


def test_backoff_never_exceeds_the_cap_and_retry_after_is_bounded():
    policy = RetryPolicy(base=1, cap=5, max_retry_after=60)
    assert max(policy.delay(n) for n in range(20) for _ in range(20)) <= 5
    assert policy.delay(0, retry_after=3600) == 30  # at most 30 s inside one request


def test_retry_after_as_http_date():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None


@responses.activate(registry=registries.OrderedRegistry)
def test_401_refreshes_once_then_retries(no_wait):
    refreshed = []
    responses.get(URL, **recorded("bamboohr", "unauthorized_401"))
    responses.get(URL, **ok())
    response = send(make_session(), "GET", URL, policy=no_wait, refresh=lambda: refreshed.append(1))
    assert response.status_code == 200
    assert refreshed == [1]
    assert no_wait.waits == []


@responses.activate(registry=registries.OrderedRegistry)
def test_second_401_after_refresh_means_reconnect(no_wait):
    refreshed = []
    responses.get(URL, **recorded("bamboohr", "unauthorized_401"))
    responses.get(URL, **recorded("bamboohr", "unauthorized_401"))
    with pytest.raises(NeedsReconnect):
        send(make_session(), "GET", URL, policy=no_wait, refresh=lambda: refreshed.append(1))
    assert refreshed == [1]
    assert len(responses.calls) == 2


@responses.activate
def test_401_without_refresh_means_reconnect(no_wait):
    responses.get(URL, **recorded("bamboohr", "unauthorized_401"))
    with pytest.raises(NeedsReconnect):
        send(make_session(), "GET", URL, policy=no_wait)
    assert len(responses.calls) == 1


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("bad_request_400", "Malformed XML"),
        ("forbidden_403_misspelt", "You do not have access to this report"),
    ],
)
@responses.activate
def test_other_4xx_are_fatal_with_the_vendor_message_from_either_header(no_wait, fixture, message):
    responses.get(URL, **recorded("bamboohr", fixture))
    with pytest.raises(FatalError) as caught:
        send(make_session(), "GET", URL, policy=no_wait, error_headers=HEADERS, vendor="bamboohr")
    assert message in str(caught.value)
    assert not isinstance(caught.value, NeedsReconnect)
    assert len(responses.calls) == 1  # never retried


@responses.activate
def test_passthrough_statuses_are_returned_for_the_caller_to_read(no_wait):
    responses.get(URL, status=400, json={"error": {"code": "BadPage", "message": "stale"}})
    response = send(make_session(), "GET", URL, policy=no_wait, passthrough=(400,))
    assert response.json()["error"]["code"] == "BadPage"


def test_every_outbound_session_comes_from_the_one_factory():
    """No module but connectors/http.py builds a requests.Session: LTI service calls, JWKS fetches and dynamic
    registration share its pooled adapter, no adapter retries, and Flipside's User-Agent."""
    import ast
    from pathlib import Path

    import plugin
    from plugin.connectors.http import USER_AGENT
    from plugin.lti import views
    from plugin.lti.platform_keys import PlatformKeys
    from plugin.lti.service_connector import StrictServiceConnector

    root = Path(plugin.__file__).parent
    builders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "Session"
        and getattr(node.func.value, "id", "") == "requests"
    ]
    assert builders == ["connectors/http.py"]
    sessions = [views.HTTP, PlatformKeys().http, StrictServiceConnector(None, None)._requests_session]
    assert all(s.headers["User-Agent"] == USER_AGENT for s in sessions)
    assert all(s.get_adapter("https://lms.example.test").max_retries.total == 0 for s in sessions)
