"""Canvas connector against recorded-shape answers: paging, throttling, token refresh, permissions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses

from plugin.connectors import canvas
from plugin.connectors.http import RetryPolicy
from plugin.errors import FatalError, NeedsReconnect, RetriableError

FIXTURES = Path(__file__).parent / "fixtures" / "http" / "canvas"
BASE = "https://canvas.example.test"


def answer(name: str, method: str, url: str, **match) -> responses.Response:
    """A `responses` entry built from a fixture file."""
    data = json.loads((FIXTURES / name).read_text())
    body = data["body"] if isinstance(data["body"], str) else json.dumps(data["body"])
    headers = {k: v for k, v in data["headers"].items() if k != "Content-Type"}
    return responses.Response(
        method,
        url,
        body=body,
        status=data["status"],
        headers=headers,
        content_type=data["headers"].get("Content-Type", "application/json"),
        **match,
    )


def connector(**kw) -> canvas.CanvasConnector:
    sleeps: list[float] = []
    conn = canvas.CanvasConnector(BASE, policy=RetryPolicy(attempts=4, sleep=sleeps.append), **kw)
    conn.sleeps = sleeps
    return conn


@responses.activate(registry=responses.registries.OrderedRegistry)
def test_user_search_follows_opaque_link_urls_and_matches_by_email():
    responses.add(answer("users_page1.json", "GET", f"{BASE}/api/v1/accounts/self/users"))
    page2 = json.loads((FIXTURES / "users_page1.json").read_text())["headers"]["Link"].split(">")[0][1:]
    responses.add(answer("users_page2.json", "GET", page2))
    found = connector().find_users(["Ana@example.test"])
    assert {k: v.id for k, v in found.items()} == {"ana@example.test": "16"}
    assert responses.calls[1].request.url == page2  # the bookmark URL is used exactly as given


@pytest.mark.parametrize("throttle", ["throttled_403.json", "throttled_429.json"])
@responses.activate(registry=responses.registries.OrderedRegistry)
def test_throttled_answer_is_retried_after_a_pause_and_nothing_is_lost(throttle):
    url = f"{BASE}/api/v1/courses/7/enrollments"
    responses.add(answer(throttle, "POST", url))
    responses.add(answer("enrollment_created.json", "POST", url))
    conn = connector(throttle_pause=3.0)
    assert conn.enrol("7", "16") == "812"
    assert len(responses.calls) == 2 and conn.sleeps == [3.0] and conn.pacer.throttled == 1


@responses.activate
def test_throttling_that_does_not_end_is_retriable_for_the_job():
    responses.add(answer("throttled_403.json", "POST", f"{BASE}/api/v1/courses/7/enrollments"))
    with pytest.raises(RetriableError) as err:
        connector().enrol("7", "16")
    assert err.value.retry_after == 2.0 and len(responses.calls) == 3  # three tries in one request, then the job


@responses.activate
def test_falling_rate_limit_remaining_paces_requests():
    responses.add(answer("enrollment_created.json", "POST", f"{BASE}/api/v1/courses/7/enrollments"))
    conn = connector(low_water=700.0, max_pause=1.0)
    conn.enrol("7", "16")
    assert conn.pacer.paused == pytest.approx(1.0 * (700 - 650) / 700)


@responses.activate(registry=responses.registries.OrderedRegistry)
def test_401_with_www_authenticate_refreshes_and_stores_the_new_token():
    url = f"{BASE}/api/v1/courses/7/enrollments"
    responses.add(answer("token_expired_401.json", "POST", url))
    responses.add(answer("token_refreshed.json", "POST", f"{BASE}/login/oauth2/token"))
    responses.add(answer("enrollment_created.json", "POST", url))
    stored: list[dict] = []
    client = canvas.oauth_client(
        BASE,
        client_id="k",
        client_secret="s",
        on_token=stored.append,
        token={"access_token": "old", "refresh_token": "r1", "token_type": "Bearer", "expires_at": 4102444800},
    )
    assert connector(oauth=client).enrol("7", "16") == "812"
    assert stored[-1]["access_token"] == "new-access" and stored[-1]["refresh_token"] == "r1"
    assert responses.calls[2].request.headers["Authorization"] == "Bearer new-access"


@responses.activate
def test_401_without_www_authenticate_is_a_permission_problem_not_a_refresh():
    responses.add(answer("permission_401.json", "POST", f"{BASE}/api/v1/courses/7/enrollments"))
    with pytest.raises(FatalError) as err:
        connector().enrol("7", "16")
    assert not isinstance(err.value, NeedsReconnect) and "permission" in str(err.value)
    assert len(responses.calls) == 1


@responses.activate
def test_progress_is_read_back_as_our_own_dataclass():
    responses.add(answer("progress.json", "GET", f"{BASE}/api/v1/courses/7/users/16/progress"))
    progress = connector().progress("7", "16")
    assert progress.completed and (progress.criteria_done, progress.criteria_total) == (4, 4)
    assert progress.completed_at.isoformat() == "2027-03-12T10:00:00+00:00"
