"""Webhook endpoints (the secret each vendor's deliveries are checked with) and the delivery inbox.

BambooHR: Flipside registers its webhook through the API and stores the private key BambooHR returns
once, encrypted. Workday: the integration's outbound notification is configured with Basic credentials
that the admin gives Flipside (`set_workday_credentials`). Every accepted delivery is recorded under a
unique (connection, key) so vendor retries and duplicates are dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..domain.delivery import Delivery
from ..errors import NotFound
from ..models import Connection, WebhookDelivery, WebhookEndpoint
from ..vault import Vault
from . import audit, hris
from .tenant import Tenant


@dataclass(frozen=True)
class Receiver:
    """The connection a webhook URL names, and the secret to check its deliveries with."""

    organisation_id: int
    connection_id: int
    username: str
    secret: str


def receiver(session: Session, vault: Vault, vendor: str, connection_id: int) -> Receiver:
    """The receiver of `/webhooks/<vendor>/<connection_id>`, or NotFound (unknown, other vendor, no secret)."""
    row = session.execute(select(Connection.organisation_id, WebhookEndpoint.username,
                                 WebhookEndpoint.secret_ciphertext)
                          .join(WebhookEndpoint, WebhookEndpoint.connection_id == Connection.id)
                          .where(Connection.id == connection_id, Connection.vendor == vendor)
                          .execution_options(all_tenants=True)).first()  # the URL names the tenant
    if row is None:
        raise NotFound(f"no {vendor} webhook is set up for connection {connection_id}")
    return Receiver(row.organisation_id, connection_id, row.username, vault.decrypt(row.secret_ciphertext))


def _store_endpoint(tenant: Tenant, vault: Vault, connection_id: int, *, secret: str, remote_id: str = "",
                    username: str = "") -> WebhookEndpoint:
    endpoint = tenant.session.scalar(tenant.select(WebhookEndpoint, WebhookEndpoint.connection_id == connection_id))
    if endpoint is None:
        endpoint = tenant.add(WebhookEndpoint(connection_id=connection_id))
    endpoint.remote_id, endpoint.username = remote_id, username
    endpoint.secret_ciphertext = vault.encrypt(secret)
    return endpoint


def register_bamboohr(tenant: Tenant, vault: Vault, engine, connection_id: int, url: str,
                      actor: str = "system") -> WebhookEndpoint:
    """Create Flipside's webhook in BambooHR (pointing at `url`) and keep its private key, encrypted."""
    conn = tenant.get(Connection, connection_id)
    created = hris.connector_for(conn, vault, engine).register_webhook(url)
    endpoint = _store_endpoint(tenant, vault, connection_id, secret=created.private_key, remote_id=created.id)
    audit.record(tenant, actor, "webhook.registered", "connection", connection_id, remote_id=created.id)
    return endpoint


def set_workday_credentials(tenant: Tenant, vault: Vault, connection_id: int, username: str, secret: str,
                            actor: str = "system") -> WebhookEndpoint:
    """Store the Basic credentials Workday's outbound notifications to this connection carry."""
    tenant.get(Connection, connection_id)
    endpoint = _store_endpoint(tenant, vault, connection_id, secret=secret, username=username)
    audit.record(tenant, actor, "webhook.credentials_set", "connection", connection_id)
    return endpoint


def record(tenant: Tenant, connection_id: int, deliveries: list[Delivery]) -> list[Delivery]:
    """Store deliveries not seen before and return them; duplicates (same key) are dropped."""
    unique = list({d.key: d for d in deliveries}.values())
    if not unique:
        return []
    dialect = tenant.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = [{"organisation_id": tenant.organisation_id, "connection_id": connection_id, "key": d.key,
             "event": d.event, "source_id": d.source_id} for d in unique]
    stmt = insert(WebhookDelivery).values(rows).on_conflict_do_nothing(
        index_elements=["connection_id", "key"]).returning(WebhookDelivery.key)
    fresh = set(tenant.session.scalars(stmt))
    return [d for d in unique if d.key in fresh]
