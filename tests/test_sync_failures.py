"""Failures at the service level: expired and revoked tokens, a vendor that keeps failing, and faults."""

from __future__ import annotations

import pytest

from plugin.db import db
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.emulators.state import Faults
from plugin.errors import RetriableError
from plugin.models import AuditEvent, Connection, Employee, OutboxMessage, SyncRun
from plugin.services import connections, events
from plugin.services.connections import create_connection
from plugin.services.sync import cursor_of, sync_connection
from tests.factories import QUICK_RETRY, make_bamboohr_connection, make_workforce
from tests.sync_helpers import BAMBOO_FIELDS, as_the_job_would, differences


@pytest.fixture
def bamboo():
    emu = BambooHREmulator(make_workforce(80)).start()
    yield emu
    emu.stop()


def oauth_connection(tenant, vault, emu):
    """A BambooHR OAuth connection holding a live access token and a refresh token."""
    token = emu.tokens.refresh("client", emu.tokens.grant_refresh_token("client"))
    conn = create_connection(
        tenant,
        vault,
        "bamboohr",
        credentials={"client_id": "client", "client_secret": "secret"},
        settings={"company": emu.company, "origin": emu.base_url, "retry": QUICK_RETRY},
    )
    connections.store_tokens(conn, vault, token)
    tenant.session.commit()
    return conn, token


def run(tenant, vault, conn, **kw):
    return sync_connection(tenant, vault, db.engine, conn.id, **kw)


def test_an_expired_access_token_is_refreshed_once_and_the_new_tokens_kept(make_org, vault, bamboo):
    tenant = make_org()
    conn, first = oauth_connection(tenant, vault, bamboo)
    bamboo.tokens.expire_access_tokens()
    refreshes = bamboo.tokens.refreshes
    result = run(tenant, vault, conn)
    assert result.status == "ok" and result.inserted == 80
    assert bamboo.tokens.refreshes == refreshes + 1
    tenant.session.expire_all()
    kept = connections.tokens(tenant.get(Connection, conn.id), vault)
    assert kept["refresh_token"] != first["refresh_token"] and bamboo.tokens.valid(kept["access_token"])


def test_a_revoked_refresh_token_asks_the_admin_to_reconnect(make_org, vault, bamboo):
    tenant = make_org()
    conn, _ = oauth_connection(tenant, vault, bamboo)
    told = events.subscribe(
        events.CONNECTION_NEEDS_RECONNECT,
        "tests.job_functions:noted",
        key="noted-reconnect-{connection_id}",
        ids=("connection_id",),
    )
    bamboo.tokens.expire_access_tokens()
    bamboo.tokens.revoke_refresh_tokens()
    try:
        result = run(tenant, vault, conn)
    finally:
        events.unsubscribe(events.CONNECTION_NEEDS_RECONNECT, told)
    assert result.status == "failed" and "invalid_grant" in result.error
    stored = tenant.get(Connection, conn.id)
    assert stored.status == "needs_reconnect" and "invalid_grant" in stored.status_detail
    audit = tenant.all(AuditEvent, AuditEvent.action == "connection.needs_reconnect")
    assert [a.subject_id for a in audit] == [str(conn.id)]
    assert [m.kwargs for m in tenant.all(OutboxMessage, OutboxMessage.target == told.target)] == [
        {"organisation_id": tenant.organisation_id, "connection_id": conn.id}
    ]
    assert tenant.count(Employee) == 0 and cursor_of(tenant, conn.id) is None


def test_a_wrong_api_key_is_an_error_not_a_retry(make_org, vault, bamboo):
    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo, api_key="wrong")
    result = run(tenant, vault, conn)
    assert result.status == "failed"
    assert tenant.get(Connection, conn.id).status == "needs_reconnect"
    assert tenant.count(Employee) == 0


def test_a_vendor_that_keeps_failing_raises_retriable_and_moves_no_cursor(make_org, vault):
    emu = BambooHREmulator(make_workforce(20), faults=Faults(rate=1.0, kinds=("503",))).start()
    try:
        tenant = make_org()
        conn = make_bamboohr_connection(tenant, vault, emu)
        with pytest.raises(RetriableError):
            run(tenant, vault, conn)
    finally:
        emu.stop()
    runs = tenant.all(SyncRun)
    assert [(r.status, r.kind) for r in runs] == [("failed", "full")]
    stored = tenant.get(Connection, conn.id)
    assert stored.status == "connected" and stored.status_detail.startswith("sync will retry")
    assert tenant.count(Employee) == 0 and cursor_of(tenant, conn.id) is None


def test_a_full_sync_converges_to_exact_data_when_a_fifth_of_calls_fail(make_org, vault):
    faults = Faults(rate=0.2, seed=5, hang=0.5)
    emu = BambooHREmulator(make_workforce(1500), faults=faults).start()
    try:
        tenant = make_org()
        conn = make_bamboohr_connection(tenant, vault, emu, bulk="dataset", page_size=100, timeout=[1, 0.25])
        result = as_the_job_would(lambda: run(tenant, vault, conn))
        assert result.status == "ok" and tenant.count(Employee) == 1500
        assert differences(tenant, emu, BAMBOO_FIELDS) == {}
    finally:
        emu.stop()
    assert set(faults.injected) == {"429", "503", "timeout"}
