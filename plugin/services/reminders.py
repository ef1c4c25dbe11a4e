"""Reminders at the cadence: one per pair and cadence period, recorded and written to both partners.

The row is what both partners' pair pages show; the email goes out with it in the same transaction.
A second reminder for the same period (the daily job run twice, two workers at once) records and
sends nothing: the check here, then the row's unique (pair, period) and the message's event key.
"""

from __future__ import annotations

from ..models import RUNNING_PAIR, Pair, Reminder
from . import announcements, audit
from .tenant import Tenant


def remind(tenant: Tenant, pair_id: int, period: int, behind: int) -> Reminder | None:
    """Record and send the period's reminder of a running pair; None when it was made already or the pair ended."""
    pair = tenant.get(Pair, pair_id)
    if pair.status not in RUNNING_PAIR or tenant.all(Reminder, Reminder.pair_id == pair.id, Reminder.period == period):
        return None
    row = tenant.add(Reminder(pair_id=pair.id, period=period, behind=behind))
    tenant.session.flush()
    announcements.remind(tenant, pair, period, behind)
    audit.record(tenant, "worker", "pair.reminded", "pair", pair.id, period=period, behind=behind)
    return row
