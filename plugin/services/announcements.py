"""Telling people: the pairing announcement on approval and HR's nudge, written to the message outbox.

Both are written in the caller's transaction (the approval's, the nudge's), one message per partner,
so a rolled-back approval tells nobody and a committed one tells both partners exactly once.
"""

from __future__ import annotations

from datetime import date

from flask import current_app

from ..models import Employee, Pair, Programme
from . import letters, messages
from .calendar import planned_slots
from .framing import reader_locale
from .tenant import Tenant

PAIRING, NUDGE = "pairing", "nudge"


def _partners(tenant: Tenant, pair: Pair):
    mentor, mentee = tenant.get(Employee, pair.mentor_employee_id), tenant.get(Employee, pair.mentee_employee_id)
    return ((mentor, mentee, "mentee"), (mentee, mentor, "mentor"))


def _link(pair: Pair) -> str:
    return f"{current_app.config['FLIPSIDE'].base_url}/me/pairs/{pair.id}"


def announce_pairs(tenant: Tenant, pair_ids: list[int]) -> list:
    """Write the pairing announcement to both partners of each pair; returns the messages."""
    written = []
    for pair in tenant.all(Pair, Pair.id.in_(pair_ids)):
        programme = tenant.get(Programme, pair.programme_id)
        slots = planned_slots(tenant, pair)
        first = slots[0].starts_at if slots else None
        for reader, partner, partner_role in _partners(tenant, pair):
            locale = reader_locale(reader)
            letter = letters.announcement(programme, pair, reader, partner, partner_role, locale, first, _link(pair))
            written.append(
                messages.queue_email(
                    tenant,
                    f"pair-approved-{pair.id}",
                    PAIRING,
                    reader,
                    letter.subject,
                    letter.text(),
                    letter.html(),
                    locale,
                )
            )
    return written


def nudge_pair(tenant: Tenant, pair: Pair, day: date) -> list:
    """Write HR's nudge to both partners; keyed by pair and day, so two clicks at once still send one each."""
    programme = tenant.get(Programme, pair.programme_id)
    written = []
    for reader, partner, partner_role in _partners(tenant, pair):
        locale = reader_locale(reader)
        letter = letters.nudge(programme, reader, partner, partner_role, locale, _link(pair))
        written.append(
            messages.queue_email(
                tenant,
                f"nudge-{pair.id}-{day.isoformat()}",
                NUDGE,
                reader,
                letter.subject,
                letter.text(),
                letter.html(),
                locale,
            )
        )
    return written
