"""The daily jobs of an organisation, queued by `flipside jobs daily` (cron): one place names them all."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ..config import Settings
from . import cadence, erasure, notify, preparation, roster
from .queue import enqueue


def enqueue_daily(settings: Settings, organisation_id: int, today: date | None = None) -> list:
    """Queue one organisation's daily jobs: cadence reminders, erasure of leavers, session invitations, the
    weekly digest, course roster imports and the preparation read back from the LMS (ids carry the day, the
    digest's its ISO week, so a second run is a no-op)."""
    today = today or datetime.now(UTC).date()
    day, year_week = today.isoformat(), today.isocalendar()[:2]
    return [
        enqueue(
            settings,
            cadence.check_cadence,
            organisation_id,
            day,
            job_id=f"cadence-{organisation_id}-{day}",
            organisation_id=organisation_id,
        ),
        enqueue(
            settings,
            erasure.erase_leavers,
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
        enqueue(
            settings,
            notify.weekly_digest,
            organisation_id,
            day,
            job_id=f"digest-{organisation_id}-{year_week[0]}-W{year_week[1]:02d}",
            organisation_id=organisation_id,
        ),
        *roster.enqueue_imports(settings, organisation_id, day),
        *preparation.enqueue_reads(settings, organisation_id, day),
    ]
