"""In-process domain events: capabilities subscribe by name; events published in a transaction fire after commit.

    events.subscribe("employee.terminated", handler)     # handler(organisation_id, **ids)
    events.publish(tenant, "employee.terminated", employee_id=7, source_id="123")

An event published inside a transaction is held on its session and dispatched only once that
transaction commits (a rollback discards it), so subscribers never react to data that was not stored.
Handlers take ids only, like jobs. They run after the commit, outside the publisher's transaction:
one that needs the database enqueues a job or opens its own session. A failing handler is logged and
does not undo the commit or stop the other handlers.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from .tenant import Tenant

log = logging.getLogger(__name__)

EMPLOYEE_TERMINATED = "employee.terminated"  # ids: employee_id, source_id, connection_id
SYNC_FINISHED = "sync.finished"  # ids: sync_run_id, connection_id
CONNECTION_NEEDS_RECONNECT = "connection.needs_reconnect"  # ids: connection_id
PENDING = "flipside.events"

Handler = Callable[..., None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str, handler: Handler) -> Handler:
    """Call `handler(organisation_id, **ids)` after every committed `name` event; returns the handler."""
    if handler not in _handlers[name]:
        _handlers[name].append(handler)
    return handler


def unsubscribe(name: str, handler: Handler) -> None:
    """Stop calling `handler` for `name`."""
    if handler in _handlers.get(name, []):
        _handlers[name].remove(handler)


def publish(tenant: Tenant, name: str, **ids) -> None:
    """Queue an event on the tenant's session; it is dispatched when that session commits."""
    if not tenant.session.in_transaction():
        tenant.session.begin()  # so a rollback before any SQL still discards the event
    tenant.session.info.setdefault(PENDING, []).append((tenant.organisation_id, name, ids))


def dispatch(organisation_id: int, name: str, **ids) -> None:
    """Run every handler of `name` now (after-commit dispatch calls this; so may tests)."""
    for handler in list(_handlers.get(name, [])):
        try:
            handler(organisation_id, **ids)
        except Exception:  # noqa: BLE001 - a subscriber's failure must not undo or stop the publisher
            log.exception("event handler failed", extra={"event": name, "handler": handler.__qualname__})


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, [])
    for organisation_id, name, ids in pending:
        dispatch(organisation_id, name, **ids)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous) -> None:
    session.info.pop(PENDING, None)
