"""HRIS connectors built from a stored Connection: typed settings, decrypted credentials, tokens persisted on refresh.

The settings of each vendor are described and checked in services.connection_settings; credentials are
BambooHR {api_key} or {client_id, client_secret} with OAuth tokens, Workday {client_id, client_secret,
refresh_token}.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..connectors.bamboohr import DEFAULT_FIELDS as BAMBOOHR_FIELDS
from ..connectors.bamboohr import BambooHRConnector
from ..connectors.base import HrisConnector
from ..connectors.http import DEFAULT_TIMEOUT, RetryPolicy
from ..connectors.mapping import FieldMapping
from ..connectors.workday import DEFAULT_FIELDS as WORKDAY_FIELDS
from ..connectors.workday import WorkdayConnector
from ..errors import ConfigError, NeedsReconnect
from ..models import Connection
from ..vault import Vault
from . import connection_settings, connections
from .connection_settings import HrisSettings

DEFAULTS = {"bamboohr": BAMBOOHR_FIELDS, "workday": WORKDAY_FIELDS}


def mapping_for(conn: Connection) -> FieldMapping:
    """The connection's field mapping: the vendor defaults with its overrides on top."""
    settings = connection_settings.hris(conn)
    return FieldMapping.build(DEFAULTS[conn.vendor], settings.fields, settings.custom_fields)


def connector_for(conn: Connection, vault: Vault, engine) -> HrisConnector:
    """A connector for an HRIS connection; refreshed OAuth tokens are committed at once, on their own."""
    if conn.vendor not in DEFAULTS:
        raise ConfigError(f"connection {conn.id} is a {conn.vendor} connection, not an HRIS")
    build = _bamboohr if conn.vendor == "bamboohr" else _workday
    return build(conn, vault, _token_saver(conn.id, vault, engine))


def _common(conn: Connection, settings: HrisSettings) -> dict:
    retry = settings.retry
    policy = RetryPolicy(attempts=retry.attempts, base=retry.base, cap=retry.cap)
    return {
        "origin": settings.origin,
        "mapping": mapping_for(conn),
        "policy": policy,
        "timeout": settings.timeout or DEFAULT_TIMEOUT,
    }


def _bamboohr(conn: Connection, vault: Vault, on_token) -> BambooHRConnector:
    settings, creds = connection_settings.hris(conn), connections.credentials(conn, vault)
    company = settings.company
    options = dict(host=settings.host, bulk=settings.bulk, page_size=settings.page_size, **_common(conn, settings))
    if creds.get("api_key"):
        return BambooHRConnector(company, api_key=creds["api_key"], **options)
    if not creds.get("client_id") or not conn.tokens_ciphertext:
        raise NeedsReconnect(f"BambooHR connection {conn.id} has no API key and no OAuth tokens; connect it")
    oauth = BambooHRConnector.oauth_client(
        company,
        client_id=creds["client_id"],
        client_secret=creds.get("client_secret", ""),
        token=connections.tokens(conn, vault),
        on_token=on_token,
        origin=settings.origin,
    )
    return BambooHRConnector(company, oauth=oauth, **options)


def _workday(conn: Connection, vault: Vault, on_token) -> WorkdayConnector:
    settings, creds = connection_settings.hris(conn), connections.credentials(conn, vault)
    token = connections.tokens(conn, vault) if conn.tokens_ciphertext else None
    refresh_token = (token or {}).get("refresh_token") or creds.get("refresh_token")
    if not refresh_token:
        raise NeedsReconnect(f"Workday connection {conn.id} has no refresh token; connect it")
    oauth = WorkdayConnector.oauth_client(
        settings.host,
        settings.tenant,
        client_id=creds.get("client_id", ""),
        client_secret=creds.get("client_secret", ""),
        refresh_token=refresh_token,
        token=token,
        on_token=on_token,
        origin=settings.origin,
    )
    return WorkdayConnector(
        settings.host,
        settings.tenant,
        oauth=oauth,
        report=settings.report,
        incremental_report=settings.incremental_report,
        **_common(conn, settings),
    )


def _token_saver(connection_id: int, vault: Vault, engine):
    """Persist each new token in its own transaction: a rotated refresh token must outlive a failed sync."""

    def save(token: dict) -> None:
        with Session(engine) as session, session.begin():
            session.execute(
                update(Connection)
                .where(Connection.id == connection_id)
                .values(tokens_ciphertext=vault.encrypt_json(dict(token)))
                .execution_options(all_tenants=True)
            )  # the id came from a Tenant's row

    return save
