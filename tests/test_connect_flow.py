"""OAuth connect flow against the loopback BambooHR: signed link, state and PKCE bound to the browser."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from plugin.db import db
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.models import AuditEvent, Connection, Employee
from plugin.services import connections
from plugin.services.connections import create_connection
from plugin.services.oauth_connect import connect_link
from plugin.services.sync import sync_connection
from tests.factories import QUICK_RETRY, make_workforce


@pytest.fixture
def emu():
    emulator = BambooHREmulator(make_workforce(25)).start()
    yield emulator
    emulator.stop()


@pytest.fixture
def pending(make_org, vault, emu, app):
    """A BambooHR connection with OAuth client credentials and no tokens yet, and its connect link."""
    tenant = make_org()
    conn = create_connection(
        tenant,
        vault,
        "bamboohr",
        credentials={"client_id": "client", "client_secret": "secret"},
        settings={"company": emu.company, "origin": emu.base_url, "retry": QUICK_RETRY},
    )
    tenant.session.commit()
    return tenant, conn, connect_link(app.secret_key, "", conn)


def test_the_admin_connects_through_consent_and_the_sync_uses_the_tokens(client, pending, vault, emu):
    tenant, conn, link = pending
    started = client.get(link)
    assert started.status_code == 302
    consent = urlsplit(started.location)
    query = parse_qs(consent.query)
    assert consent.path == "/authorize.php" and query["code_challenge_method"] == ["S256"]
    assert query["state"][0] and query["code_challenge"][0] and "offline_access" in query["scope"][0]
    back = requests.get(started.location, allow_redirects=False, timeout=5).headers["Location"]
    assert parse_qs(urlsplit(back).query)["state"] == query["state"]
    done = client.get(urlsplit(back).path + "?" + urlsplit(back).query)
    assert done.status_code == 200 and b"BambooHR is connected" in done.data
    tenant.session.expire_all()
    stored = tenant.get(Connection, conn.id)
    token = connections.tokens(stored, vault)
    assert stored.status == "connected" and token["refresh_token"].encode() not in stored.tokens_ciphertext
    assert tenant.count(AuditEvent, AuditEvent.action == "connection.connected") == 1
    assert sync_connection(tenant, vault, db.engine, conn.id).inserted == 25
    assert tenant.count(Employee) == 25


def test_a_callback_with_another_state_stores_nothing(client, pending):
    tenant, conn, link = pending
    client.get(link)
    answer = client.get("/connect/bamboohr/callback?code=stolen&state=forged")
    assert answer.status_code == 403
    tenant.session.expire_all()
    assert tenant.get(Connection, conn.id).tokens_ciphertext is None


def test_a_callback_in_a_browser_that_did_not_start_the_flow_is_refused(client, app, pending):
    tenant, conn, link = pending
    state = parse_qs(urlsplit(client.get(link).location).query)["state"][0]
    other_browser = app.test_client()
    assert other_browser.get(f"/connect/bamboohr/callback?code=x&state={state}").status_code == 403
    tenant.session.expire_all()
    assert tenant.get(Connection, conn.id).tokens_ciphertext is None


def test_forged_or_mismatched_links_do_not_start_a_flow(client, pending):
    _, _, link = pending
    assert client.get(link + "x").status_code == 403
    assert client.get(link.replace("/bamboohr/", "/workday/")).status_code == 403
    assert client.get("/connect/bamboohr/start").status_code == 403
