"""OAuth refresh: new tokens reach the caller, rotation is kept, revoked grants ask for a reconnect."""

from __future__ import annotations

import time

import pytest
import responses
from responses import registries

from plugin.connectors.bamboohr import BambooHRConnector
from plugin.connectors.http import send
from plugin.errors import NeedsReconnect, RetriableError
from tests.factories import recorded

TOKEN_URL = "https://acme.bamboohr.com/token.php?request=token"
API = "https://acme.bamboohr.com/api/v1/employees/changed"


def client(stored, **token):
    token = {
        "access_token": "at-1",
        "token_type": "Bearer",
        "refresh_token": "rt-1",
        "expires_at": int(time.time()) + 3600,
        **token,
    }
    return BambooHRConnector.oauth_client(
        "acme", client_id="cid", client_secret="cs", token=token, on_token=stored.append
    )


@responses.activate
def test_refresh_hands_the_rotated_token_to_the_caller():
    stored = []
    responses.post(TOKEN_URL, **recorded("bamboohr", "token_rotated"))
    client(stored).refresh()
    assert [t["refresh_token"] for t in stored] == ["rt-2"]
    assert stored[0]["access_token"] == "at-2"
    form = responses.calls[0].request.body
    assert "grant_type=refresh_token" in form and "refresh_token=rt-1" in form and "client_secret=cs" in form


@responses.activate
def test_a_refresh_without_a_new_refresh_token_keeps_the_old_one():
    stored = []
    responses.post(TOKEN_URL, **recorded("bamboohr", "token_not_rotated"))
    client(stored).refresh()
    assert stored[0]["refresh_token"] == "rt-1"
    assert stored[0]["access_token"] == "at-3"


@responses.activate
def test_invalid_grant_means_reconnect():
    responses.post(TOKEN_URL, **recorded("bamboohr", "token_invalid_grant"))
    with pytest.raises(NeedsReconnect, match="invalid_grant"):
        client([]).refresh()


@responses.activate
def test_token_endpoint_outage_is_retriable():
    responses.post(TOKEN_URL, **recorded("bamboohr", "unavailable_503"))
    with pytest.raises(RetriableError):
        client([]).refresh()


@responses.activate(registry=registries.OrderedRegistry)
def test_an_expired_token_is_refreshed_before_the_call(no_wait):
    stored = []
    responses.post(TOKEN_URL, **recorded("bamboohr", "token_rotated"))
    responses.get(API, json={"latest": "2026-01-01T00:00:00+00:00", "employees": {}})
    oauth = client(stored, expires_at=int(time.time()) - 10)
    send(oauth.session, "GET", API, policy=no_wait, refresh=oauth.refresh)
    assert responses.calls[1].request.headers["Authorization"] == "Bearer at-2"
    assert stored[0]["refresh_token"] == "rt-2"


@responses.activate(registry=registries.OrderedRegistry)
def test_automatic_refresh_with_a_revoked_grant_means_reconnect(no_wait):
    responses.post(TOKEN_URL, **recorded("bamboohr", "token_invalid_grant"))
    oauth = client([], expires_at=int(time.time()) - 10)
    with pytest.raises(NeedsReconnect):
        send(oauth.session, "GET", API, policy=no_wait, refresh=oauth.refresh)


def test_authorization_url_carries_client_redirect_scope_and_state():
    oauth = BambooHRConnector.oauth_client(
        "acme", client_id="cid", client_secret="cs", redirect_uri="https://flipside.example/connect/bamboohr/callback"
    )
    url = oauth.authorization_url(
        BambooHRConnector.authorize_endpoint("acme"), state="s1", scope="employee report offline_access"
    )
    assert url.startswith("https://acme.bamboohr.com/authorize.php?request=authorize&")
    for part in ("client_id=cid", "state=s1", "response_type=code", "offline_access", "redirect_uri="):
        assert part in url
