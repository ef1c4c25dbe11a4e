"""Connections to HRIS and LMS systems, with credentials and tokens encrypted at rest."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ValidationError
from ..models import Connection
from ..vault import Vault
from . import audit, connection_settings
from .tenant import Tenant

VENDORS = {"bamboohr": "hris", "workday": "hris", "moodle": "lms", "canvas": "lms"}
STATUSES = ("new", "ok", "connected", "syncing", "warning", "needs_reconnect", "error", "disabled")


@dataclass(frozen=True)
class ConnectionView:
    """What admins and the API may see of a connection: never its secrets."""

    id: int
    vendor: str
    kind: str
    name: str
    status: str
    status_detail: str
    settings: dict
    has_credentials: bool


def create_connection(
    tenant: Tenant,
    vault: Vault,
    vendor: str,
    *,
    name: str = "",
    settings: dict | None = None,
    credentials: dict | None = None,
    tokens: dict | None = None,
    actor: str = "system",
) -> Connection:
    """Register a connection; credentials are encrypted before they touch the database."""
    if vendor not in VENDORS:
        raise ValidationError(
            f"Unknown vendor {vendor!r}; expected one of {', '.join(sorted(VENDORS))}", errors={"vendor": vendor}
        )
    connection_settings.check(vendor, settings or {})
    conn = tenant.add(
        Connection(
            vendor=vendor,
            kind=VENDORS[vendor],
            name=name or vendor,
            settings=dict(settings or {}),
            status="new",
            status_detail="",
        )
    )
    if credentials:
        conn.credentials_ciphertext = vault.encrypt_json(credentials)
    if tokens:
        conn.tokens_ciphertext = vault.encrypt_json(tokens)
    tenant.session.flush()
    audit.record(tenant, actor, "connection.created", "connection", conn.id, vendor=vendor)
    return conn


def credentials(conn: Connection, vault: Vault) -> dict:
    return vault.decrypt_json(conn.credentials_ciphertext)


def tokens(conn: Connection, vault: Vault) -> dict:
    return vault.decrypt_json(conn.tokens_ciphertext)


def store_tokens(conn: Connection, vault: Vault, token: dict) -> None:
    """Persist the newest OAuth token set (refresh tokens may rotate: always keep the latest)."""
    conn.tokens_ciphertext = vault.encrypt_json(dict(token))


def set_status(conn: Connection, status: str, detail: str = "") -> None:
    if status not in STATUSES:
        raise ValidationError(f"Unknown connection status {status!r}")
    conn.status, conn.status_detail = status, detail


def view(conn: Connection) -> ConnectionView:
    return ConnectionView(
        id=conn.id,
        vendor=conn.vendor,
        kind=conn.kind,
        name=conn.name,
        status=conn.status,
        status_detail=conn.status_detail,
        settings=dict(conn.settings or {}),
        has_credentials=conn.credentials_ciphertext is not None,
    )
