"""Sync benchmark: a full sync of N employees from a loopback emulator in its own process into the configured
database, an incremental sync of M changes, and a baseline that GETs each employee on its own (a sample).

    flipside bench sync --vendor bamboohr --employees 100000 --changed 1000

Peak RSS is this process's (the emulator's copy of the workforce lives in the other process).
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from dataclasses import dataclass

import requests

from bench.sync_read import REFRESH_TOKEN, make_workforce
from plugin.connectors.bamboohr import BambooHRConnector
from plugin.connectors.workday import WorkdayConnector, worker_record
from plugin.db import db
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.emulators.state import WallClock
from plugin.emulators.workday import WorkdayEmulator
from plugin.services import roster
from plugin.services.connections import create_connection
from plugin.services.organisations import create_organisation
from plugin.services.sync import sync_connection
from plugin.services.tenant import Tenant

SLUG = "bench-sync"


@dataclass(frozen=True)
class Figures:
    """What one bench run measured."""

    employees: int
    seconds: float
    employees_per_s: int
    peak_rss_mb: float
    incremental_changes: int
    incremental_s: float
    baseline_sample: int
    baseline_employees_per_s: int
    status: str


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _serve(vendor: str, n: int, pipe) -> None:
    """The emulator process: serve, then apply `changed` requests from the pipe until told to stop."""
    people = make_workforce(n, vendor)
    emulator = (
        BambooHREmulator(people)
        if vendor == "bamboohr"
        else WorkdayEmulator(people, refresh_token=REFRESH_TOKEN, clock=WallClock())
    ).start()
    pipe.send(emulator.base_url)
    prefix = "w" if vendor == "workday" else ""
    while (message := pipe.recv()) != "stop":
        for i in range(1, message + 1):
            emulator.update(f"{prefix}{i * (n // message)}", job_title=f"Changed {i}")
        pipe.send("done")
    emulator.stop()


def _connection(tenant: Tenant, vault, vendor: str, base_url: str):
    if vendor == "bamboohr":
        settings, creds = {"company": "acme", "origin": base_url}, {"api_key": "key"}
    else:
        settings = {"host": "wd", "tenant": "acme", "report": "isu_flipside/Workers", "origin": base_url}
        creds = {"client_id": "client", "client_secret": "secret", "refresh_token": REFRESH_TOKEN}
    conn = create_connection(tenant, vault, vendor, settings=settings, credentials=creds, actor="bench")
    tenant.session.commit()
    return conn


def _fresh_org(session, slug: str) -> Tenant:
    from sqlalchemy import delete

    from plugin.models import Organisation

    session.execute(delete(Organisation).where(Organisation.slug == slug))
    org = create_organisation(session, slug, f"Benchmark ({slug})")
    session.commit()
    return Tenant(session, org.id)


def baseline(vendor: str, base_url: str, tenant: Tenant, sample: int) -> int:
    """Employees/s when each employee is fetched with its own GET (then stored like the sync stores them)."""
    session = requests.Session()
    started = time.perf_counter()
    records = []
    if vendor == "bamboohr":
        connector = BambooHRConnector("acme", api_key="key", origin=base_url)
        convert = connector.mapping.compile("bamboohr")
        fields = ",".join(connector.mapping.vendor_fields())
        for i in range(1, sample + 1):
            raw = connector._json("GET", f"employees/{i}", params={"fields": fields})
            records.append(convert(raw))
    else:
        oauth = WorkdayConnector.oauth_client(
            "wd",
            "acme",
            client_id="client",
            client_secret="secret",  # noqa: S106
            refresh_token=REFRESH_TOKEN,
            origin=base_url,
        )
        oauth.refresh()
        session = oauth.session
        for i in range(1, sample + 1):
            records.append(worker_record(session.get(f"{base_url}/ccx/api/v1/acme/workers/w{i}", timeout=30).json()))
    roster.upsert_employees(tenant, records)
    tenant.session.commit()
    return round(sample / (time.perf_counter() - started))


def run(app, vendor: str, employees: int, changed: int, sample: int) -> Figures:
    """Start the emulator process, then time the full sync, the incremental sync and the baseline."""
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    child = ctx.Process(target=_serve, args=(vendor, employees, theirs), daemon=True)
    child.start()
    try:
        base_url = ours.recv()
        with app.app_context():
            return _measure(app, vendor, base_url, ours, employees, changed, sample)
    finally:
        ours.send("stop")
        child.join(timeout=30)


def _measure(app, vendor, base_url, pipe, employees, changed, sample) -> Figures:
    vault = app.extensions["flipside.vault"]
    tenant = _fresh_org(db.session, SLUG)
    conn = _connection(tenant, vault, vendor, base_url)
    started = time.perf_counter()
    full = sync_connection(tenant, vault, db.engine, conn.id, full=True)
    seconds = time.perf_counter() - started
    peak = _rss_mb()
    incremental_s = 0.0
    if changed:
        pipe.send(changed)
        pipe.recv()
        started = time.perf_counter()
        sync_connection(tenant, vault, db.engine, conn.id)
        incremental_s = time.perf_counter() - started
    rate = baseline(vendor, base_url, _fresh_org(db.session, SLUG + "-baseline"), min(sample, employees))
    return Figures(
        employees=full.inserted + full.updated + full.unchanged,
        seconds=round(seconds, 2),
        employees_per_s=round(employees / seconds),
        peak_rss_mb=round(peak, 1),
        incremental_changes=changed,
        incremental_s=round(incremental_s, 3),
        baseline_sample=min(sample, employees),
        baseline_employees_per_s=rate,
        status=full.status,
    )
