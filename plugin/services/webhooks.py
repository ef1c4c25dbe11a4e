"""Webhook endpoints (the secret each vendor's deliveries are checked with) and the delivery inbox.

BambooHR: Flipside registers its webhook through the API and stores the private key BambooHR returns
once, encrypted. Workday: the integration's outbound notification is configured with Basic credentials
that the admin gives Flipside (`set_workday_credentials`). Every accepted delivery is recorded under a
unique (connection, key) so vendor retries and duplicates are dropped.

The inbox: the request path hands deliveries to Redis in one round trip (`Inbox.hand_off`, a Lua script
that SETs each delivery key NX for the signature window and XADDs the new ones to the connection's stream);
the drain job (`plugin.jobs.inbox`) reads the stream through a consumer group, stores a batch (`store`:
delivery rows and the coalesced sync request, one transaction) and acknowledges it only after the commit.
A drain killed before its ack leaves the entries pending; the next drain claims them, and the unique key
drops any it had already stored, so a delivery is stored and synced once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

import redis
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..domain.delivery import Delivery
from ..errors import NotFound
from ..models import Connection, WebhookDelivery, WebhookEndpoint
from ..vault import Vault
from . import audit, hris, sync_requests
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
    row = session.execute(
        select(Connection.organisation_id, WebhookEndpoint.username, WebhookEndpoint.secret_ciphertext)
        .join(WebhookEndpoint, WebhookEndpoint.connection_id == Connection.id)
        .where(Connection.id == connection_id, Connection.vendor == vendor)
        .execution_options(all_tenants=True)
    ).first()  # the URL names the tenant
    if row is None:
        raise NotFound(f"no {vendor} webhook is set up for connection {connection_id}")
    return Receiver(row.organisation_id, connection_id, row.username, vault.decrypt(row.secret_ciphertext))


def _store_endpoint(
    tenant: Tenant, vault: Vault, connection_id: int, *, secret: str, remote_id: str = "", username: str = ""
) -> WebhookEndpoint:
    endpoint = tenant.session.scalar(tenant.select(WebhookEndpoint, WebhookEndpoint.connection_id == connection_id))
    if endpoint is None:
        endpoint = tenant.add(WebhookEndpoint(connection_id=connection_id))
    endpoint.remote_id, endpoint.username = remote_id, username
    endpoint.secret_ciphertext = vault.encrypt(secret)
    return endpoint


def register_bamboohr(
    tenant: Tenant, vault: Vault, engine, connection_id: int, url: str, actor: str = "system"
) -> WebhookEndpoint:
    """Create Flipside's webhook in BambooHR (pointing at `url`) and keep its private key, encrypted."""
    conn = tenant.get(Connection, connection_id)
    created = hris.connector_for(conn, vault, engine).register_webhook(url)
    endpoint = _store_endpoint(tenant, vault, connection_id, secret=created.private_key, remote_id=created.id)
    audit.record(tenant, actor, "webhook.registered", "connection", connection_id, remote_id=created.id)
    return endpoint


def set_workday_credentials(
    tenant: Tenant, vault: Vault, connection_id: int, username: str, secret: str, actor: str = "system"
) -> WebhookEndpoint:
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
    rows = [
        {
            "organisation_id": tenant.organisation_id,
            "connection_id": connection_id,
            "key": d.key,
            "event": d.event,
            "source_id": d.source_id,
        }
        for d in unique
    ]
    stmt = (
        insert(WebhookDelivery)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["connection_id", "key"])
        .returning(WebhookDelivery.key)
    )
    fresh = set(tenant.session.scalars(stmt))
    return [d for d in unique if d.key in fresh]


def store(tenant: Tenant, connection_id: int, deliveries: list[Delivery]) -> tuple[list[Delivery], int | None]:
    """Record a batch of deliveries and add their employees to the connection's open sync request (not
    committed); the fresh deliveries and the request's id (None when all were duplicates)."""
    fresh = record(tenant, connection_id, deliveries)
    # every event kind asks the sync to re-read the employee; one no longer returned is marked deleted
    named = {d.source_id for d in fresh}
    if not named:
        return fresh, None
    return fresh, sync_requests.request_employees(tenant, connection_id, named).id


# Each delivery key is SET NX for the window; only the new ones are XADDed. The drain flag is SET NX on
# every call: whoever sets it asks for a drain job (also after a duplicate, so a sender retrying a 503
# whose drain was never queued asks again). Returns {due, index of each new delivery...}.
_HAND_OFF = """
local fresh = {}
for i = 3, #KEYS do
  if redis.call('set', KEYS[i], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('xadd', KEYS[1], '*', 'd', ARGV[i])
    fresh[#fresh + 1] = i - 2
  end
end
local due = 0
if redis.call('set', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then due = 1 end
table.insert(fresh, 1, due)
return fresh
"""
_HAND_OFF_SHA = hashlib.sha1(_HAND_OFF.encode()).hexdigest()  # noqa: S324 - Redis names scripts by SHA-1
GROUP = "drain"
DRAIN_FLAG_TTL_S = 60  # a drain asked for but never queued (Redis refused the enqueue) is asked again after this


@dataclass(frozen=True)
class HandOff:
    """What one hand-off did: the deliveries new to the window, and whether this call must queue a drain."""

    fresh: list[Delivery]
    duplicates: int
    drain_due: bool


class Inbox:
    """One connection's webhook inbox in Redis: a stream of deliveries, its dedupe keys and its drain flag."""

    def __init__(self, client: redis.Redis, prefix: str, connection_id: int):
        self.client, self.connection_id = client, connection_id
        base = f"flipside:{prefix}:webhooks:{connection_id}"
        self.stream, self.flag, self.seen = f"{base}:stream", f"{base}:drain-due", f"{base}:seen:"

    def hand_off(self, deliveries: list[Delivery], window_s: int) -> HandOff:
        """Deduplicate within `window_s` and append the new deliveries, in one round trip.

        Raises redis.RedisError when Redis refuses; then nothing was accepted and the sender must retry.
        """
        unique = list({d.key: d for d in deliveries}.values())
        keys = [self.stream, self.flag, *(self.seen + d.key for d in unique)]
        args = [int(window_s), DRAIN_FLAG_TTL_S, *(_encode(d) for d in unique)]
        try:  # by digest: the script's text goes over the wire only once per Redis server
            due, *fresh = self.client.evalsha(_HAND_OFF_SHA, len(keys), *keys, *args)
        except redis.exceptions.NoScriptError:
            due, *fresh = self.client.eval(_HAND_OFF, len(keys), *keys, *args)
        accepted = [unique[int(i) - 1] for i in fresh]
        return HandOff(accepted, len(deliveries) - len(accepted), bool(due))

    def forget_drain(self) -> None:
        """Deliveries from now on ask for a new drain (a drain job calls this before its first read)."""
        self.client.delete(self.flag)

    def claim(self, consumer: str, count: int, min_idle_ms: int) -> list[tuple[str, Delivery]]:
        """Up to `count` entries for `consumer`: first those a dead drain left unacknowledged for
        `min_idle_ms`, else new ones. Claimed entries stay pending until `acknowledge`."""
        self._ensure_group()
        _next, entries, *_ = self.client.xautoclaim(self.stream, GROUP, consumer, min_idle_ms, "0-0", count=count)
        if not entries:
            answer = self.client.xreadgroup(GROUP, consumer, {self.stream: ">"}, count=count)
            entries = answer[0][1] if answer else []
        return [(_text(entry_id), _decode(fields)) for entry_id, fields in entries if fields]

    def acknowledge(self, entry_ids: Iterable[str]) -> None:
        """Drop stored entries from the stream (after the database commit that stored them)."""
        ids = list(entry_ids)
        if ids:
            pipe = self.client.pipeline(transaction=True)
            pipe.xack(self.stream, GROUP, *ids)
            pipe.xdel(self.stream, *ids)
            pipe.execute()

    def pending(self) -> int:
        """Entries claimed by some drain and not yet acknowledged."""
        self._ensure_group()
        return int(self.client.xpending(self.stream, GROUP)["pending"])

    def waiting(self) -> int:
        """Entries in the stream, claimed or not."""
        return int(self.client.xlen(self.stream))

    def _ensure_group(self) -> None:
        try:
            self.client.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as err:
            if "BUSYGROUP" not in str(err):
                raise


def _encode(delivery: Delivery) -> str:
    return json.dumps([delivery.key, delivery.event, delivery.source_id], separators=(",", ":"))


def _decode(fields: dict) -> Delivery:
    key, event, source_id = json.loads(_text(fields.get(b"d", fields.get("d"))))
    return Delivery(str(source_id), str(event), str(key))


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
