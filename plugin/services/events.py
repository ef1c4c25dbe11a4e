"""Domain events: capabilities subscribe a job to an event; publishing records those jobs in the outbox.

    events.subscribe(events.EMPLOYEE_TERMINATED, "plugin.jobs.departures:handle_departure",
                     key="departure-{organisation_id}-{employee_id}", ids=("employee_id",))
    events.publish(tenant, events.EMPLOYEE_TERMINATED, employee_id=7, source_id="123", connection_id=2)

`publish` writes one outbox row per subscribed job in the publisher's own transaction: the jobs exist
exactly when the change that caused them was committed (a rollback discards both), and a Redis outage
delays them instead of losing them (the relay retries). Each job gets the organisation id and the ids
its subscription names; its key, formatted from the event's ids, is the start of its job id.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from . import outbox
from .tenant import Tenant

EMPLOYEE_TERMINATED = "employee.terminated"  # ids: employee_id, source_id, connection_id
SYNC_FINISHED = "sync.finished"  # ids: sync_run_id, connection_id
CONNECTION_NEEDS_RECONNECT = "connection.needs_reconnect"  # ids: connection_id


@dataclass(frozen=True)
class Subscription:
    """A job to run after an event: its target, its key template and the event ids it takes."""

    target: str
    key: str
    ids: tuple[str, ...]
    queue: str = "default"


_subscriptions: dict[str, list[Subscription]] = defaultdict(list)


def subscribe(name: str, target: str, *, key: str, ids: tuple[str, ...] = (), queue: str = "default") -> Subscription:
    """After every committed `name` event, run the job `target(organisation_id, **those ids)`."""
    subscription = Subscription(target, key, tuple(ids), queue)
    if subscription not in _subscriptions[name]:
        _subscriptions[name].append(subscription)
    return subscription


def unsubscribe(name: str, subscription: Subscription) -> None:
    """Stop recording `subscription`'s job for `name`."""
    if subscription in _subscriptions.get(name, []):
        _subscriptions[name].remove(subscription)


def subscriptions(name: str) -> list[Subscription]:
    """The jobs `name` records, in subscription order."""
    return list(_subscriptions.get(name, []))


def publish(tenant: Tenant, name: str, **ids) -> None:
    """Record every job subscribed to `name` in the tenant's session (sent once it commits)."""
    for sub in subscriptions(name):
        missing = [i for i in sub.ids if i not in ids]
        if missing:
            raise TypeError(f"event {name} lacks {', '.join(missing)} for {sub.target}")
        outbox.later(
            tenant.session,
            sub.target,
            key=sub.key.format(organisation_id=tenant.organisation_id, **ids),
            queue=sub.queue,
            organisation_id=tenant.organisation_id,
            **{i: ids[i] for i in sub.ids},
        )
