"""Messages that could not be delivered, as the admin workspace's delivery-failures page shows them.

An HR admin sees every failed message of the organisation; a coordinator those to the participants of
their programmes and the posts to their programmes' chat channels. A failed message can be put back in the
queue (the retry button), which is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from ..errors import NotFound
from ..models import ChatWebhook, Employee, OutboundMessage, Participant, Programme
from ..models.messages import FAILED
from . import audit, messages
from .letters import name_of
from .tenant import Tenant


@dataclass(frozen=True)
class FailedDelivery:
    """One failed message: where it was going, what it was, why it failed and when it was written."""

    id: int
    channel: str
    recipient: str  # the person's name, or the chat channel's programme and host
    kind: str  # the message's category ("nudge", "digest", ...)
    reason: str
    when: datetime


def _scoped(programme_ids):
    """Rows to participants of these programmes or to these programmes' chat channels."""
    people = select(Participant.employee_id).where(Participant.programme_id.in_(list(programme_ids)))
    channels = select(ChatWebhook.id).where(ChatWebhook.programme_id.in_(list(programme_ids)))
    return or_(OutboundMessage.recipient_id.in_(people), OutboundMessage.webhook_id.in_(channels))


def failed(tenant: Tenant, programme_ids=None, limit: int = 500) -> list[FailedDelivery]:
    """The failed messages in reach (`programme_ids` None: the whole organisation), newest first."""
    criteria = [OutboundMessage.state == FAILED]
    if programme_ids is not None:
        criteria.append(_scoped(programme_ids))
    newest = tenant.select(OutboundMessage, *criteria).order_by(OutboundMessage.id.desc()).limit(limit)
    rows = list(tenant.session.scalars(newest))
    people = {e.id: e for e in tenant.all(Employee, Employee.id.in_({r.recipient_id for r in rows if r.recipient_id}))}
    hooks = {w.id: w for w in tenant.all(ChatWebhook, ChatWebhook.id.in_({r.webhook_id for r in rows if r.webhook_id}))}
    names = {p.id: p.name for p in tenant.all(Programme, Programme.id.in_({w.programme_id for w in hooks.values()}))}
    return [
        FailedDelivery(r.id, r.channel, _recipient(r, people, hooks, names), r.category, r.last_error, r.created_at)
        for r in rows
    ]


def failed_count(tenant: Tenant, programme_ids=None) -> int:
    criteria = [OutboundMessage.state == FAILED]
    if programme_ids is not None:
        criteria.append(_scoped(programme_ids))
    return tenant.count(OutboundMessage, *criteria)


def retry(tenant: Tenant, message_id: int, actor: str, programme_ids=None) -> OutboundMessage:
    """Queue a failed message in reach again (NotFound outside it), and audit who did."""
    if programme_ids is not None and not tenant.count(
        OutboundMessage, OutboundMessage.id == message_id, _scoped(programme_ids)
    ):
        raise NotFound(f"No failed delivery {message_id} in your programmes")
    row = messages.retry(tenant, message_id)
    audit.record(tenant, actor, "message.retried", "outbound_message", row.id, channel=row.channel, kind=row.category)
    return row


def _recipient(row: OutboundMessage, people: dict, hooks: dict, names: dict) -> str:
    if row.webhook_id in hooks:
        hook = hooks[row.webhook_id]
        return f"{names.get(hook.programme_id, hook.coordinator_email or '?')} ({hook.host})"
    person = people.get(row.recipient_id)
    return name_of(person) if person is not None else "?"
