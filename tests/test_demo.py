"""`flipside demo`: the synthetic workforce arrives through the emulator, a worker, and a signed webhook."""

from __future__ import annotations

import dataclasses
import re
from io import StringIO

import pytest
from rich.console import Console

from plugin.demo.walkthrough import run_demo
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.jobs.queue import all_queues
from plugin.models import Employee, Organisation, OutboundMessage, SyncRun, WebhookDelivery
from plugin.services.tenant import Tenant


def test_the_demo_syncs_the_workforce_and_a_webhook_change_arrives(settings, session, monkeypatch):
    for q in all_queues(settings):
        q.empty()
    served = []
    original = BambooHREmulator.start
    monkeypatch.setattr(BambooHREmulator, "start", lambda self: served.append(self) or original(self))
    out = StringIO()
    settings = dataclasses.replace(settings, base_url="http://127.0.0.1:5400")  # `flipside demo --port 5400`
    result = run_demo(settings, seed=3, employees=150, console=Console(file=out, width=200))
    tenant = Tenant(session, result["organisation_id"])
    assert result["sync"].inserted == 150 and result["sync"].status == "ok"
    assert tenant.count(Employee) == 150 == len(served[0].expected())
    changed = session.scalar(tenant.select(Employee, Employee.source_id == result["sync"].changed_employee))
    assert changed.job_title == result["sync"].new_title
    assert [r.kind for r in sorted(tenant.all(SyncRun), key=lambda r: r.id)] == ["full", "employees"]
    assert tenant.count(WebhookDelivery) == 1
    assert "answered 202" in out.getvalue() and "error" not in out.getvalue().lower()
    printed = out.getvalue()
    assert "http://127.0.0.1:5400/" in printed and ":5000" not in printed  # every link where we serve
    assert f"slug {tenant.get(Organisation, result['organisation_id']).slug}" in printed
    # the scenario's messages really went out: the loopback SMTP server, the Moodle emulator and the Slack
    # webhook emulator counted what they received, and every one is a `sent` receipt; it says so last
    last = printed.strip().splitlines()[-1]
    line = re.fullmatch(r"messages delivered: (\d+) \(email (\d+), moodle (\d+), chat (\d+)\)", last)
    assert line, last
    total, email, moodle, chat = (int(n) for n in line.groups())
    assert (email, moodle, chat) == (
        result["messages"]["email"],
        result["messages"]["moodle"],
        result["messages"]["chat"],
    )
    assert total == email + moodle + chat and email > 0 and moodle > 0 and chat > 0
    sent = {
        channel: tenant.count(OutboundMessage, OutboundMessage.state == "sent", OutboundMessage.channel == channel)
        for channel in ("email", "lms", "slack")
    }
    assert sent == {"email": email, "lms": moodle, "slack": chat}
    approved = result["matching"]["approved"]
    assert moodle >= 2 * approved  # the pairing announcement reached both partners in Moodle too


@pytest.mark.parametrize(
    "host, port, environ, expected",
    [
        ("127.0.0.1", 5400, {}, "http://127.0.0.1:5400"),
        ("0.0.0.0", 8080, {}, "http://127.0.0.1:8080"),  # noqa: S104 - serving on every interface
        ("::1", 5400, {}, "http://[::1]:5400"),
        ("127.0.0.1", 5400, {"FLIPSIDE_BASE_URL": "https://flipside.example.com"}, "https://flipside.example.com"),
    ],
)
def test_serving_on_a_port_sets_the_links_unless_a_public_url_is_configured(monkeypatch, host, port, environ, expected):
    from plugin.cli import _served_settings

    monkeypatch.delenv("FLIPSIDE_BASE_URL", raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    assert _served_settings(host, port).base_url == expected
