"""Testing a connection, whichever its vendor: the HRIS checks or the LMS checks, and for an LMS the status
they earn (`ok` when everything passed, else `error` naming the first thing to fix)."""

from __future__ import annotations

from ..config import Settings
from ..models import Connection
from ..vault import Vault
from . import audit, connection_check, connections, lms_check
from .connection_check import Check
from .tenant import Tenant


def test_connection(
    tenant: Tenant,
    settings: Settings,
    vault: Vault,
    engine,
    connection_id: int,
    *,
    course_ids: list[str] | None = None,
    actor: str = "system",
) -> list[Check]:
    """Run every check; an LMS connection's status and detail then say how the test went (audited)."""
    conn = tenant.get(Connection, connection_id)
    if conn.kind != "lms":  # an HRIS's status is its last sync's; the test only reports
        return connection_check.check_connection(tenant, vault, engine, connection_id)
    checks = lms_check.check_lms(tenant, settings, vault, conn, course_ids)
    failed = [c for c in checks if not c.ok]
    if failed:
        connections.set_status(conn, "error", f"test failed: {failed[0].name}: {failed[0].detail}"[:2000])
    else:
        connections.set_status(conn, "ok", f"test passed: {len(checks)} checks")
    audit.record(
        tenant, actor, "connection.tested", "connection", conn.id, passed=not failed, failed=[c.name for c in failed]
    )
    return checks
