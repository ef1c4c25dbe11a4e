"""Enrolment jobs: a pair into its programme's LMS course and group, and out again (suspended)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

from flask import current_app

from ..db import db
from ..errors import FatalError, NeedsReconnect, RetriableError
from ..services import connections, enrolment, enrolment_batch, lms
from ..services.tenant import Tenant
from .connection import current_connection
from .task import task


@task
def enrol_pair(organisation_id: int, pair_id: int) -> dict:
    """Enrol both people of a pair and put them in their group; every LMS write happens once."""
    tenant = Tenant(db.session, organisation_id)
    with _outcome(tenant, pair_id):
        connector, conn = _connector(tenant, pair_id)
        row = enrolment.enrol(tenant, connector, pair_id)
        lms.remember_roles(conn, connector)
        tenant.session.commit()
    return {"pair_id": pair_id, "status": row.status, "group": row.group_ref}


@task
def enrol_pairs(organisation_id: int, pair_ids: list[int]) -> dict:
    """Enrol a batch of pairs of one course through the LMS's array calls; every item is written once."""
    tenant = Tenant(db.session, organisation_id)

    def mark(status: str, detail: str) -> None:  # a stop of the whole batch: every pair in that state
        enrolment_batch.mark_all(tenant, pair_ids, status, detail)

    with _outcome(tenant, pair_ids[0], mark):
        connector, conn = _connector(tenant, pair_ids[0])
        batch = enrolment_batch.enrol_batch(tenant, connector, conn.id, pair_ids)
        lms.remember_roles(conn, connector)
        tenant.session.commit()
    return {"pairs": len(pair_ids), "enrolled": len(pair_ids) - len(batch.failed), "failed": len(batch.failed)}


@task
def unenrol_pair(organisation_id: int, pair_id: int) -> dict:
    """Suspend (never delete) the course enrolments of a pair that ended, keeping course history."""
    tenant = Tenant(db.session, organisation_id)
    with _outcome(tenant, pair_id):
        connector, _ = _connector(tenant, pair_id)
        row = enrolment.unenrol(tenant, connector, pair_id)
    return {"pair_id": pair_id, "status": row.status}


def _connector(tenant: Tenant, pair_id: int):
    conn = enrolment.placement(tenant, pair_id).connection
    settings, vault = current_app.config["FLIPSIDE"], current_app.extensions["flipside.vault"]
    connector = lms.open_connector(settings, vault, conn, client=current_connection(settings))
    tenant.session.commit()  # a token fetched from /login/token.php is kept
    return connector, conn


@contextmanager
def _outcome(tenant: Tenant, pair_id: int, mark: Callable[[str, str], object] | None = None):
    """Store what HR must know when a step fails (on the pair, or through `mark` on a whole batch); the task
    decorator decides about retries."""
    mark = mark or (lambda status, detail: enrolment.set_state(tenant, pair_id, status, detail))
    try:
        yield
    except NeedsReconnect as err:
        tenant.session.rollback()
        _mark_connection(tenant, pair_id, str(err))
        mark("needs_reconnect", str(err))
        raise
    except RetriableError as err:
        tenant.session.rollback()
        mark("retrying", str(err))
        raise
    except FatalError as err:
        tenant.session.rollback()
        mark("failed", str(err))
        raise


def _mark_connection(tenant: Tenant, pair_id: int, detail: str) -> None:
    connections.set_status(enrolment.placement(tenant, pair_id).connection, "needs_reconnect", detail)
