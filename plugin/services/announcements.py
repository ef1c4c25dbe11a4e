"""Telling people about their pair's life, written to the message outbox in the event's own transaction.

    approval            -> the pairing announcement, to both partners              (transactional)
    HR's nudge          -> both partners                                           (nudge)
    a session logged    -> "confirm the session your partner logged", to the other (confirmation)
    extension proposed  -> the other partner; extension agreed -> both             (extension)
    executive cancels   -> a gentle note to the executive at each CANCELLATION_NOTES count (cancellations)
    credentials issued  -> completion with each one's own credential, to both      (transactional)
    cadence reminder    -> both partners, once per pair and cadence period         (reminder)

Each is written in the caller's transaction, one message per recipient, event key and channel, so an event
that rolls back tells nobody and a committed one (however often it is retried) tells each recipient once.
The pairing announcement and the nudge also go as an LMS message when the programme has an LMS course
(services.lms_messages); the others are email only.
"""

from __future__ import annotations

from datetime import date

from flask import current_app

from ..domain import cadence
from ..domain.completion import other_role
from ..domain.pair_health import EXECUTIVE
from ..models import Credential, Employee, ExtensionProposal, Pair, Programme, SessionLog
from . import letters, lms_messages, messages
from .calendar import planned_slots
from .framing import reader_locale
from .invitations import REMINDER
from .tenant import Tenant

PAIRING, NUDGE, COMPLETION = "pairing", "nudge", "completion"
CONFIRMATION, EXTENSION, CANCELLATIONS = "confirmation", "extension", "cancellations"


def _partners(tenant: Tenant, pair: Pair):
    mentor, mentee = tenant.get(Employee, pair.mentor_employee_id), tenant.get(Employee, pair.mentee_employee_id)
    return ((mentor, mentee, "mentee"), (mentee, mentor, "mentor"))


def _link(pair: Pair) -> str:
    return f"{current_app.config['FLIPSIDE'].base_url}/me/pairs/{pair.id}"


def _person(tenant: Tenant, pair: Pair, role: str) -> Employee:
    return tenant.get(Employee, pair.mentor_employee_id if role == "mentor" else pair.mentee_employee_id)


def _write(tenant: Tenant, event_key: str, category: str, reader: Employee, letter: letters.Letter, locale: str):
    return messages.queue_email(
        tenant, event_key, category, reader, letter.subject, letter.text(), letter.html(), locale
    )


def _write_with_lms(
    tenant: Tenant, programme: Programme, key: str, category: str, reader: Employee, letter: letters.Letter, locale: str
) -> list:
    """The letter by email, and its LMS copy when the programme has an LMS course."""
    email = _write(tenant, key, category, reader, letter, locale)
    copy = lms_messages.queue_copy(
        tenant, programme, key, category, reader, letter.subject, letter.text(), letter.fragment(), locale
    )
    return [email] if copy is None else [email, copy]


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
            written += _write_with_lms(tenant, programme, f"pair-approved-{pair.id}", PAIRING, reader, letter, locale)
    return written


def nudge_pair(tenant: Tenant, pair: Pair, day: date) -> list:
    """Write HR's nudge to both partners; keyed by pair and day, so two clicks at once still send one each."""
    programme = tenant.get(Programme, pair.programme_id)
    written = []
    for reader, partner, partner_role in _partners(tenant, pair):
        locale = reader_locale(reader)
        letter = letters.nudge(programme, reader, partner, partner_role, locale, _link(pair))
        written += _write_with_lms(
            tenant, programme, f"nudge-{pair.id}-{day.isoformat()}", NUDGE, reader, letter, locale
        )
    return written


def session_logged(tenant: Tenant, pair: Pair, session: SessionLog) -> list:
    """Ask the partner who did not log a session to confirm it."""
    programme = tenant.get(Programme, pair.programme_id)
    logger = _person(tenant, pair, session.logged_by_role)
    reader = _person(tenant, pair, other_role(session.logged_by_role))
    locale = reader_locale(reader)
    letter = letters.confirm_request(
        programme, reader, logger, session.logged_by_role, locale, session.held_on, session.minutes, _link(pair)
    )
    return [_write(tenant, f"session-logged-{session.id}", CONFIRMATION, reader, letter, locale)]


def _ends_on(pair: Pair, programme: Programme, extensions: int) -> date:
    start = cadence.start_day(pair.approved_at, pair.created_at, programme.starts_on)
    return cadence.end_date(start, programme.duration_weeks, extensions, programme.extension_weeks)


def extension_proposed(tenant: Tenant, pair: Pair, proposal: ExtensionProposal) -> list:
    """Tell the other partner what the proposal would mean: the pair's last day if they agree."""
    programme = tenant.get(Programme, pair.programme_id)
    role = proposal.proposed_by_role
    reader, proposer = _person(tenant, pair, other_role(role)), _person(tenant, pair, role)
    locale = reader_locale(reader)
    until = _ends_on(pair, programme, pair.extensions + 1)
    letter = letters.extension_proposed(programme, reader, proposer, role, locale, until, _link(pair))
    return [_write(tenant, f"extension-proposed-{proposal.id}", EXTENSION, reader, letter, locale)]


def extension_agreed(tenant: Tenant, pair: Pair, proposal: ExtensionProposal) -> list:
    """Tell both partners the pair's new last day (the extension is already counted on the pair)."""
    programme = tenant.get(Programme, pair.programme_id)
    until = _ends_on(pair, programme, pair.extensions)
    written = []
    for reader, partner, _ in _partners(tenant, pair):
        locale = reader_locale(reader)
        letter = letters.extension_agreed(programme, reader, partner, locale, until, _link(pair))
        written.append(_write(tenant, f"extension-agreed-{proposal.id}", EXTENSION, reader, letter, locale))
    return written


def cancellations_noted(tenant: Tenant, pair: Pair, cancelled: int, threshold: int) -> list:
    """The executive's gentle note once their cancellations of this pair reached `threshold` (once per threshold)."""
    programme = tenant.get(Programme, pair.programme_id)
    reader, partner = _person(tenant, pair, EXECUTIVE), _person(tenant, pair, other_role(EXECUTIVE))
    locale = reader_locale(reader)
    letter = letters.cancellation_note(
        programme, reader, partner, other_role(EXECUTIVE), locale, cancelled, _link(pair)
    )
    return [_write(tenant, f"executive-cancellations-{pair.id}-{threshold}", CANCELLATIONS, reader, letter, locale)]


def completed(tenant: Tenant, pair: Pair, credentials: list[Credential], base_url: str) -> list:
    """Tell both partners the pair completed, each with the link to their own credential (its public page)."""
    programme = tenant.get(Programme, pair.programme_id)
    own = {c.employee_id: c for c in credentials}
    written = []
    for reader, partner, partner_role in _partners(tenant, pair):
        locale = reader_locale(reader)
        link = f"{base_url}/credentials/{own[reader.id].uid}"
        letter = letters.completion(programme, reader, partner, other_role(partner_role), locale, link)
        written.append(_write(tenant, f"completed-{pair.id}", COMPLETION, reader, letter, locale))
    return written


def remind(tenant: Tenant, pair: Pair, period: int, behind: int) -> list:
    """The reminder at the cadence to both partners of a pair behind; keyed by pair and period."""
    programme = tenant.get(Programme, pair.programme_id)
    written = []
    for reader, partner, partner_role in _partners(tenant, pair):
        locale = reader_locale(reader)
        letter = letters.reminder(programme, reader, partner, partner_role, locale, behind, _link(pair))
        written.append(_write(tenant, f"reminder-{pair.id}-{period}", REMINDER, reader, letter, locale))
    return written
