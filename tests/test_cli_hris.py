"""`flipside connect ...`, `flipside connect test` and `flipside sync` against the loopback BambooHR."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from plugin.cli import main
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.jobs.runner import worker_environment
from plugin.models import Connection, Employee, SyncRun, WebhookEndpoint
from tests.factories import make_workforce


@pytest.fixture
def emu():
    emulator = BambooHREmulator(make_workforce(120), restricted_fields={"customLanguages"}).start()
    yield emulator
    emulator.stop()


def flipside(settings, *args, **env):
    return CliRunner().invoke(main, list(args), env=worker_environment(settings) | env, terminal_width=200)


def test_connect_test_and_sync_from_the_command_line(settings, make_org, emu):
    tenant = make_org("cli-org")
    made = flipside(
        settings, "connect", "bamboohr", "cli-org", "--company", "acme", "--api-key", "key", "--origin", emu.base_url
    )
    assert made.exit_code == 0, made.output
    conn = tenant.all(Connection)[0]
    tested = flipside(settings, "connect", "test", str(conn.id))
    lines = tested.output.splitlines()
    assert tested.exit_code == 1  # one mapped field is not readable with this key
    assert "ok   authentication" in lines and "ok   read employees  20 read" in lines
    assert any(line.startswith("FAIL field languages  customLanguages: not returned") for line in lines)
    assert "ok   field work_email  workEmail" in lines
    synced = flipside(settings, "sync", "cli-org")
    assert synced.exit_code == 1, synced.output  # partial: it must not go green silently
    assert "full sync partial: 120 new" in synced.output and "COULD NOT READ languages" in synced.output
    tenant.session.rollback()
    assert tenant.count(Employee) == 120
    again = flipside(settings, "sync", "cli-org", "--full")
    assert "0 new, 0 updated, 120 unchanged" in again.output
    assert [r.kind for r in sorted(tenant.all(SyncRun), key=lambda r: r.id)] == ["full", "full"]


def test_connect_webhook_registers_and_stores_the_key(settings, make_org, emu):
    tenant = make_org("hook-org")
    flipside(
        settings, "connect", "bamboohr", "hook-org", "--company", "acme", "--api-key", "key", "--origin", emu.base_url
    )
    conn = tenant.all(Connection)[0]
    emu.restricted = frozenset()
    result = flipside(settings, "connect", "webhook", str(conn.id), FLIPSIDE_BASE_URL="https://flipside.example")
    assert result.exit_code == 0, result.output
    tenant.session.rollback()
    assert [e.remote_id for e in tenant.all(WebhookEndpoint)] == ["1"]
    assert emu.webhooks["1"]["url"].endswith(f"/webhooks/bamboohr/{conn.id}")


def test_sync_of_an_unknown_organisation_says_so(settings):
    result = flipside(settings, "sync", "nobody")
    assert result.exit_code == 1 and "no organisation 'nobody'" in result.output
