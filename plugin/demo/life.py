"""`flipside demo`, programme life: one pair through sessions, reflections, completion (real worker) and recognition.

The HRIS write-back goes to a loopback BambooHR emulator serving the pair's two people; the AGS score goes
to the course gradebook when a launch has told Flipside where it is (otherwise it is reported as skipped).
"""

from __future__ import annotations

from datetime import date, timedelta

from rich.console import Console
from rich.table import Table

from ..config import Settings
from ..db import db
from ..domain.employee import EmployeeRecord
from ..domain.topics import TOPICS
from ..emulators.bamboohr import BambooHREmulator
from ..jobs.completion import enqueue_completion
from ..jobs.runner import run_burst
from ..models import RUNNING_PAIR, Credential, Employee, Pair, Programme
from ..services import agreements, completion, connections, credentials, insights, reflections, sessions
from ..services.tenant import Tenant

DEMO_API_KEY = "demo-bamboohr-key"  # noqa: S105 - a loopback emulator's key


def run_programme_life(settings: Settings, organisation_id: int, console: Console) -> dict:
    """Take an active pair (made from the workforce if matching made none) to completion and recognition."""
    tenant = Tenant(db.session, organisation_id)
    pair = _running_pair(tenant)
    mentor, mentee = tenant.get(Employee, pair.mentor_employee_id), tenant.get(Employee, pair.mentee_employee_id)
    emulator = BambooHREmulator([_record(mentor), _record(mentee)], api_key=DEMO_API_KEY).start()
    try:
        _connect(tenant, emulator, mentor, mentee)
        _meet(tenant, pair, mentor, mentee, console)
        jobs = enqueue_completion(settings, organisation_id, pair.id)
        with console.status("A worker process writes the completion back and signs the credentials..."):
            status = run_burst(settings, quiet=True)
        for job in jobs:
            job.refresh()
        written = jobs[0].return_value() or {}
        console.print(
            f"[green]✓[/] worker exit {status}: {written.get('scores', 0)} LMS score(s), "
            f"{len(emulator.training.all_records())} BambooHR training record(s); "
            f"skipped: {', '.join(written.get('skipped') or []) or 'nothing'}"
        )
        return _recognition(tenant, pair, emulator, console)
    finally:
        emulator.stop()


def _running_pair(tenant: Tenant) -> Pair:
    found = tenant.all(Pair, Pair.status.in_(RUNNING_PAIR))
    if found:
        return found[0]
    people = tenant.all(Employee, Employee.active.is_(True))
    executive = _pick(people, lambda e: (e.job_level or 0) >= 7, "JP")
    junior = _pick(people, lambda e: (e.job_level or 99) <= 2, "BR")
    programme = tenant.add(
        Programme(
            name="Demo reverse mentoring",
            status="active",
            starts_on=date.today() - timedelta(days=30),
            cadence_days=14,
            duration_weeks=26,
            topics=list(TOPICS),
            objectives="Executives learn how younger colleagues work, buy and decide.",
        )
    )
    tenant.session.flush()
    pair = tenant.add(
        Pair(
            programme_id=programme.id,
            mentee_employee_id=executive.id,
            mentor_employee_id=junior.id,
            status="approved",
            score=0.8,
            explanation=[{"criterion": "demo", "score": 1.0, "share": 1.0, "text": "Chosen for the demo"}],
        )
    )
    tenant.session.commit()
    return pair


def _pick(people: list[Employee], rule, country: str) -> Employee:
    fits = [p for p in people if rule(p)]
    return next((p for p in fits if p.country == country), fits[0])


def _record(person: Employee) -> EmployeeRecord:
    return EmployeeRecord(
        source_system="bamboohr",
        source_id=person.source_id,
        first_name=person.first_name,
        last_name=person.last_name,
        work_email=person.work_email,
    )


def _connect(tenant: Tenant, emulator: BambooHREmulator, *people: Employee) -> None:
    from flask import current_app

    conn = connections.create_connection(
        tenant,
        current_app.extensions["flipside.vault"],
        "bamboohr",
        name="BambooHR (loopback emulator)",
        credentials={"api_key": DEMO_API_KEY},
        settings={"company": "acme", "origin": emulator.base_url},
    )
    for person in people:
        person.connection_id = conn.id
    tenant.session.commit()


def _meet(tenant: Tenant, pair: Pair, mentor: Employee, mentee: Employee, console: Console) -> None:
    completion.set_rule(tenant, pair.programme_id, min_sessions=3, final_reflection=True)
    version = tenant.get(Programme, pair.programme_id).agreement_version
    for person in (mentor, mentee):  # the service refuses sessions before both accepted
        agreements.accept(tenant, pair.id, person.id, version)
    for n, days_ago in enumerate((28, 14, 1)):
        logger, confirmer = (mentor, mentee) if n % 2 == 0 else (mentee, mentor)
        held = sessions.log_session(tenant, pair.id, logger.id, date.today() - timedelta(days=days_ago), 45, ["ai"])
        sessions.confirm_session(tenant, held.id, confirmer.id)
        for person in (mentor, mentee):
            reflections.submit(tenant, pair.id, person.id, [4, 3 + n % 2, 5], "private note", session_id=held.id)
    for person in (mentor, mentee):
        reflections.submit(tenant, pair.id, person.id, [5, 4, 5], final=True)
    done = completion.complete_if_done(tenant, pair.id)
    tenant.session.commit()
    console.print(
        f"[green]✓[/] pair {pair.id}: 3 sessions logged and confirmed, 8 private reflections, "
        f"completed on {done.completed_on}"
    )


def _recognition(tenant: Tenant, pair: Pair, emulator: BambooHREmulator, console: Console) -> dict:
    issued = tenant.all(Credential, Credential.pair_id == pair.id)
    table = Table(title="Recognition (Open Badges 3.0, signed with the tool's key)")
    for column in ("role", "achievement", "verifies", "verification URL"):
        table.add_column(column)
    for row in issued:
        table.add_row(
            row.role,
            row.document["name"],
            "yes" if credentials.verify_token(row.jws, row).valid else "NO",
            row.document["id"],
        )
    console.print(table)
    report = insights.reflection_insights(tenant, ("role",), as_of=date.today() + timedelta(days=7))
    hidden = sum(1 for c in report.cells if c.suppressed)
    console.print(
        f"[green]✓[/] HR insights by role: {hidden} of {len(report.cells)} cell(s) hidden "
        f"(fewer than {report.threshold} people)"
    )
    return {
        "pair_id": pair.id,
        "credentials": len(issued),
        "training_records": len(emulator.training.all_records()),
        "suppressed_cells": hidden,
    }
