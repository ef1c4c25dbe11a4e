"""Preparation job: read each partner's completion of their role's activities back from the LMS (read-only,
so no receipts: a rerun reads again and keeps the newer reading)."""

from __future__ import annotations

from flask import current_app

from ..config import Settings
from ..db import db
from ..services import enrolment, lms, preparation
from ..services.tenant import Tenant
from .connection import current_connection
from .queue import enqueue
from .task import task


def enqueue_reads(settings: Settings, organisation_id: int, day: str) -> list:
    """Queue a reading of every running pair whose preparation is not complete (ids carry the day: once a day)."""
    pair_ids = preparation.pairs_to_read(Tenant(db.session, organisation_id))
    return [
        enqueue(
            settings,
            read_preparation,
            organisation_id,
            pair_id,
            job_id=f"preparation-{pair_id}-{day}",
            organisation_id=organisation_id,
        )
        for pair_id in pair_ids
    ]


@task
def read_preparation(organisation_id: int, pair_id: int) -> dict:
    """Store the last reading, with its time, for both partners of the pair."""
    tenant = Tenant(db.session, organisation_id)
    settings, vault = current_app.config["FLIPSIDE"], current_app.extensions["flipside.vault"]
    conn = enrolment.placement(tenant, pair_id).connection
    connector = lms.open_connector(settings, vault, conn, client=current_connection(settings))
    tenant.session.commit()  # a token fetched from the LMS is kept
    rows = preparation.read_back(tenant, connector, pair_id)
    tenant.session.commit()
    return {"pair_id": pair_id, "done": {r.role: len(r.done) for r in rows}}
