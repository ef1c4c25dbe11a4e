"""Completion jobs: a completed pair's write-back (AGS scores, HRIS training records) and both credentials."""

from __future__ import annotations

from flask import current_app

from ..config import Settings
from ..db import db, transaction
from ..services import audit, completion, credentials
from ..services.tenant import Tenant
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
