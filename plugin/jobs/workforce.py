"""Jobs over an organisation's workforce."""
from __future__ import annotations

from ..db import db, transaction
from ..domain.workforce import iter_workforce
from ..services import audit, roster
from ..services.tenant import Tenant
from .task import task


@task
def load_synthetic_workforce(organisation_id: int, size: int, seed: int) -> dict:
    """Generate a synthetic workforce and store it as the organisation's employees (demo and benchmarks)."""
    tenant = Tenant(db.session, organisation_id)
    with transaction(db.session):
        summary = roster.upsert_employees(tenant, iter_workforce(size, seed=seed))
        roster.relink_managers(tenant)
        audit.record(tenant, "worker", "workforce.loaded", "organisation", organisation_id,
                     inserted=summary.inserted, updated=summary.updated, unchanged=summary.unchanged)
    return {"inserted": summary.inserted, "updated": summary.updated, "unchanged": summary.unchanged}
