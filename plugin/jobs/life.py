"""Jobs of programme life: completion write-back, recognition, cadence reminders, erasure of leavers."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..config import Settings
from ..db import db, transaction
from ..models import RUNNING_PAIR, Pair
from ..services import audit, completion, credentials, events, pair_health, privacy, reminders
from ..services.tenant import Tenant
from . import notify
from .queue import enqueue
from .task import task


def enqueue_completion(settings: Settings, organisation_id: int, pair_id: int) -> list:
    """Queue the write-back and the credentials of a completed pair (ids make a second call a no-op)."""
    return [
        enqueue(
            settings,
            write_completion,
            organisation_id,
            pair_id,
            job_id=f"completion-{pair_id}",
            organisation_id=organisation_id,
        ),
        enqueue(
            settings,
            issue_credentials,
            organisation_id,
            pair_id,
            job_id=f"credentials-{pair_id}",
            organisation_id=organisation_id,
        ),
    ]


def enqueue_daily(settings: Settings, organisation_id: int, today: date | None = None) -> list:
    """Queue one organisation's daily jobs (ids carry the day, so a second run that day is a no-op)."""
    day = (today or datetime.now(UTC).date()).isoformat()
    return [
        enqueue(
            settings,
            check_cadence,
            organisation_id,
            day,
            job_id=f"cadence-{organisation_id}-{day}",
            organisation_id=organisation_id,
        ),
        enqueue(
            settings,
            erase_leavers,
            organisation_id,
            job_id=f"erasure-{organisation_id}-{day}",
            organisation_id=organisation_id,
        ),
        enqueue(
            settings,
            notify.invite_sessions,
            organisation_id,
            job_id=f"invitations-{organisation_id}-{day}",
            organisation_id=organisation_id,
        ),
    ]


@task
def write_completion(organisation_id: int, pair_id: int) -> dict:
    """AGS scores for both partners, then HRIS training records for both; receipts make reruns safe."""
    tenant = Tenant(db.session, organisation_id)
    summary = completion.write_back(tenant, pair_id)
    with transaction(db.session):
        audit.record(
            tenant,
            "worker",
            "completion.written",
            "pair",
            pair_id,
            scores=summary.scores,
            training_records=summary.training_records,
            skipped=summary.skipped,
        )
    return {"scores": summary.scores, "training_records": summary.training_records, "skipped": summary.skipped}


@task
def issue_credentials(organisation_id: int, pair_id: int) -> list[str]:
    """Sign and store the recognition credential of each partner."""
    tenant = Tenant(db.session, organisation_id)
    with transaction(db.session):
        issued = credentials.issue_for_pair(tenant, pair_id, current_app.config["FLIPSIDE"].base_url)
        return [c.uid for c in issued]


@task
def check_cadence(organisation_id: int, today: str | None = None) -> int:
    """Queue a reminder for every active pair behind its programme's cadence; returns how many were queued."""
    tenant = Tenant(db.session, organisation_id)
    day = date.fromisoformat(today) if today else datetime.now(UTC).date()
    settings = current_app.config["FLIPSIDE"]
    queued = 0
    for pair_id, health in pair_health.assess_pairs(
        tenant, tenant.all(Pair, Pair.status.in_(RUNNING_PAIR)), day
    ).items():
        if not health.cadence.on_track:
            enqueue(
                settings,
                remind_pair,
                organisation_id,
                pair_id,
                health.cadence.period,
                health.cadence.behind,
                job_id=f"reminder-{pair_id}-{health.cadence.period}",
                organisation_id=organisation_id,
            )
            queued += 1
    return queued


@task
def remind_pair(organisation_id: int, pair_id: int, period: int, behind: int) -> bool:
    """Record and email the period's reminder for a pair (shown on both partners' pages); once per period."""
    tenant = Tenant(db.session, organisation_id)
    try:
        with transaction(db.session):
            return reminders.remind(tenant, pair_id, period, behind) is not None
    except IntegrityError:  # another worker recorded this period's reminder at the same moment
        return False


@task
def schedule_erasure(organisation_id: int, employee_id: int) -> str:
    """A leaver's personal data falls due for erasure after the organisation's grace period."""
    tenant = Tenant(db.session, organisation_id)
    with transaction(db.session):
        return privacy.on_employee_terminated(tenant, employee_id).due_on.isoformat()


def subscribe() -> None:
    """A termination queues the erasure schedule (one waiting per leaver)."""
    events.subscribe(
        events.EMPLOYEE_TERMINATED,
        "plugin.jobs.life:schedule_erasure",
        key="erasure-schedule-{organisation_id}-{employee_id}",
        ids=("employee_id",),
    )


@task
def erase_leavers(organisation_id: int) -> int:
    """Erase leavers whose grace period is over, and notes past their retention period."""
    tenant = Tenant(db.session, organisation_id)
    with transaction(db.session):
        erased = privacy.erase_due(tenant)
        privacy.purge_old_notes(tenant)
    return erased
