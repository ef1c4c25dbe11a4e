"""Cadence jobs: find the pairs behind their programme's cadence and record and email one reminder per period."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..db import db, transaction
from ..models import RUNNING_PAIR, Pair
from ..services import pair_health, reminders
from ..services.tenant import Tenant
from .queue import enqueue
from .task import task


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
