"""`flipside connect test`: what works on a connection — auth, reading employees, each mapped field."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import IntegrationError, NeedsReconnect
from ..models import Connection
from ..vault import Vault
from . import hris
from .tenant import Tenant

SAMPLE = 20


@dataclass(frozen=True)
class Check:
    """One thing tested and whether it works."""

    name: str
    ok: bool
    detail: str = ""


def check_connection(tenant: Tenant, vault: Vault, engine, connection_id: int) -> list[Check]:
    """Authenticate, read a sample of employees, and say which mapped fields came back."""
    conn = tenant.get(Connection, connection_id)
    try:
        connector = hris.connector_for(conn, vault, engine)
        rows = connector.sample_raw(SAMPLE)
    except NeedsReconnect as err:
        return [Check("authentication", False, err.message)]
    except IntegrationError as err:
        return [Check("authentication", True), Check("read employees", False, err.message)]
    checks = [Check("authentication", True), Check("read employees", bool(rows), f"{len(rows)} read")]
    present = set().union(*(row.keys() for row in rows)) if rows else set()
    for target, vendor in hris.mapping_for(conn).fields.items():
        ok = vendor in present
        detail = vendor if ok else f"{vendor}: not returned in {len(rows)} records (restricted, unknown or empty)"
        checks.append(Check(f"field {target}", ok, detail))
    return checks
