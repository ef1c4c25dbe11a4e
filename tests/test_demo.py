"""`flipside demo`: the synthetic workforce arrives through the emulator, a worker, and a signed webhook."""
from __future__ import annotations

from io import StringIO

from rich.console import Console

from plugin.demo.walkthrough import run_demo
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.jobs.queue import all_queues
from plugin.models import Employee, SyncRun, WebhookDelivery
from plugin.services.tenant import Tenant


def test_the_demo_syncs_the_workforce_and_a_webhook_change_arrives(settings, session, monkeypatch):
    for q in all_queues(settings):
        q.empty()
    served = []
    original = BambooHREmulator.start
    monkeypatch.setattr(BambooHREmulator, "start", lambda self: served.append(self) or original(self))
    out = StringIO()
    result = run_demo(settings, seed=3, employees=150, console=Console(file=out, width=120))
    tenant = Tenant(session, result["organisation_id"])
    assert result["sync"].inserted == 150 and result["sync"].status == "ok"
    assert tenant.count(Employee) == 150 == len(served[0].expected())
    changed = session.scalar(tenant.select(Employee, Employee.source_id == result["sync"].changed_employee))
    assert changed.job_title == result["sync"].new_title
    assert [r.kind for r in sorted(tenant.all(SyncRun), key=lambda r: r.id)] == ["full", "employees"]
    assert tenant.count(WebhookDelivery) == 1
    assert "answered 202" in out.getvalue() and "error" not in out.getvalue().lower()
