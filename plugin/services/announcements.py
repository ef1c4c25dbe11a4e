"""Telling people: the pairing announcement on approval and HR's nudge, written to the message outbox.

Both are written in the caller's transaction (the approval's, the nudge's), one message per partner and
channel, so a rolled-back approval tells nobody and a committed one tells both partners exactly once: by
email, and as an LMS message too when the programme has an LMS course (services.lms_messages).
"""

from __future__ import annotations

from datetime import date

from flask import current_app

from ..models import Employee, Pair, Programme
from . import letters, lms_messages, messages
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
            written += _send(tenant, programme, f"pair-approved-{pair.id}", PAIRING, reader, letter, locale)
    return written


def nudge_pair(tenant: Tenant, pair: Pair, day: date) -> list:
    """Write HR's nudge to both partners; keyed by pair and day, so two clicks at once still send one each."""
    programme = tenant.get(Programme, pair.programme_id)
    written = []
    for reader, partner, partner_role in _partners(tenant, pair):
        locale = reader_locale(reader)
        letter = letters.nudge(programme, reader, partner, partner_role, locale, _link(pair))
        written += _send(tenant, programme, f"nudge-{pair.id}-{day.isoformat()}", NUDGE, reader, letter, locale)
    return written


def _send(tenant: Tenant, programme: Programme, key: str, category: str, reader: Employee, letter, locale: str) -> list:
    """The letter by email, and its LMS copy when the programme has an LMS course."""
    email = messages.queue_email(tenant, key, category, reader, letter.subject, letter.text(), letter.html(), locale)
    copy = lms_messages.queue_copy(
        tenant, programme, key, category, reader, letter.subject, letter.text(), letter.fragment(), locale
    )
    return [email] if copy is None else [email, copy]
