"""Session reminders with calendar invitations: one per planned session, at the programme's cadence.

Each planned session of a running pair (numbered from the pair's start, the rotating slot of
domain/scheduling) gets one iTIP REQUEST to both partners when it comes within a cadence period, with a
stable UID. When the plan changes (a partner's time zone or hours), the same UID goes out again with
SEQUENCE + 1; when the pair ends, every session still invited is cancelled (METHOD:CANCEL, SEQUENCE + 1).
Every message is keyed by (pair, session, sequence), so running this twice sends nothing twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale

from ..domain import scheduling
from ..domain.language import babel_id
from ..models import Employee, OutboundMessage, Pair, PairInvitation, Programme, utcnow
from ..models.programme import RUNNING_PAIR
from . import calendar, letters, messages
from .framing import for_person, reader_locale
from .tenant import Tenant

REMINDER = "reminder"
REQUESTED, CANCELLED = "requested", "cancelled"


def refresh(tenant: Tenant, now: datetime | None = None) -> list[OutboundMessage]:
    """Invite, re-invite and cancel as the organisation's pairs need; the caller commits. Returns the messages."""
    now = now or utcnow()
    written = []
    for pair in tenant.all(Pair, Pair.status.in_(RUNNING_PAIR)):
        written += _running(tenant, pair, now)
    for invite in tenant.all(PairInvitation, PairInvitation.state == REQUESTED):
        pair = tenant.get(Pair, invite.pair_id)
        if pair.status not in RUNNING_PAIR and _aware(invite.starts_at) > now:
            written += _send(tenant, pair, invite, "CANCEL", bump=True)
    return written


def _running(tenant: Tenant, pair: Pair, now: datetime) -> list[OutboundMessage]:
    programme = tenant.get(Programme, pair.programme_id)
    slots = calendar.planned_slots(tenant, pair)
    invited = {i.session_number: i for i in tenant.all(PairInvitation, PairInvitation.pair_id == pair.id)}
    written = []
    for invite in invited.values():  # what was sent and has since changed
        if invite.state != REQUESTED or _aware(invite.starts_at) <= now:
            continue
        slot = slots[invite.session_number - 1] if invite.session_number <= len(slots) else None
        if slot is None:
            written += _send(tenant, pair, invite, "CANCEL", bump=True)
        elif (slot.starts_at, slot.minutes) != (_aware(invite.starts_at), invite.minutes):
            invite.starts_at, invite.minutes = slot.starts_at, slot.minutes
            written += _send(tenant, pair, invite, "REQUEST", bump=True, slot=slot)
    window = now + timedelta(days=programme.cadence_days)
    for n, slot in enumerate(slots, start=1):
        if now < slot.starts_at <= window and n not in invited:
            invite = tenant.add(
                PairInvitation(
                    pair_id=pair.id,
                    session_number=n,
                    sequence=0,
                    state=REQUESTED,
                    uid=f"flipside-{tenant.organisation_id}-pair-{pair.id}-session-{n}@{_host()}",
                    starts_at=slot.starts_at,
                    minutes=slot.minutes,
                )
            )
            tenant.session.flush()
            written += _send(tenant, pair, invite, "REQUEST", bump=False, slot=slot)
    return written


def _send(
    tenant: Tenant, pair: Pair, invite: PairInvitation, method: str, bump: bool, slot: scheduling.Slot | None = None
) -> list[OutboundMessage]:
    """Write the invitation (or its cancellation) to both partners, each in their own language."""
    if bump:
        invite.sequence += 1
    if method == "CANCEL":
        invite.state = CANCELLED
    invite.updated_at = utcnow()
    settings = current_app.config["FLIPSIDE"]
    programme = tenant.get(Programme, pair.programme_id)
    mentor, mentee = tenant.get(Employee, pair.mentor_employee_id), tenant.get(Employee, pair.mentee_employee_id)
    slot = slot or scheduling.Slot(
        starts_at=_aware(invite.starts_at),
        minutes=invite.minutes,
        burden=None,
        local=_locals(tenant, mentor, mentee, _aware(invite.starts_at)),
    )
    organizer = parseaddr(settings.mail_from)
    attendees = [(letters.name_of(p), p.work_email or "") for p in (mentor, mentee)]
    change = "cancelled" if method == "CANCEL" else ("moved" if bump else "new")
    written = []
    for reader, partner in ((mentor, mentee), (mentee, mentor)):
        locale = reader_locale(reader)
        wording = for_person(reader, programme.framing, locale=locale)
        with force_locale(babel_id(locale)):
            ical = calendar.invitation(
                method,
                invite.uid,
                invite.sequence,
                slot.starts_at,
                slot.minutes,
                (organizer[0] or programme.name, organizer[1]),
                attendees,
                calendar.session_title(wording, invite.session_number, programme.name),
                calendar.session_lines(wording, slot),
            )
        letter = letters.invitation(
            programme, reader, partner, locale, slot.starts_at, change, f"{settings.base_url}/me/pairs/{pair.id}"
        )
        written.append(
            messages.queue_email(
                tenant,
                f"invite-{pair.id}-{invite.session_number}-{invite.sequence}",
                REMINDER,
                reader,
                letter.subject,
                letter.text(),
                letter.html(),
                locale,
                calendar=ical,
                calendar_method=method,
            )
        )
    return written


def _locals(tenant: Tenant, mentor: Employee, mentee: Employee, starts_at: datetime) -> dict:
    hours = (calendar.hours_of(tenant, mentor, "mentor"), calendar.hours_of(tenant, mentee, "mentee"))
    return {h.role: starts_at.astimezone(ZoneInfo(h.timezone)) for h in hours}


def _host() -> str:
    return current_app.config["FLIPSIDE"].base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives stored times back naive
