"""The pair's calendar file: every planned session, with each partner's local time, the awkward hour shared."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from babel.dates import format_datetime, get_timezone_location
from flask_babel import get_locale, gettext
from icalendar import Calendar, Event, vCalAddress, vText

from ..domain import cadence, scheduling
from ..models import Employee, Pair, Profile, Programme
from . import framing
from .tenant import Tenant

PRODID = "-//Flipside//Reverse mentoring//EN"


def hours_of(tenant: Tenant, employee: Employee, role: str) -> scheduling.Hours:
    """A partner's working day: their own profile first, then the HRIS time zone, else UTC 9 to 17."""
    profile = next(iter(tenant.all(Profile, Profile.employee_id == employee.id)), None)
    zone = (profile.timezone if profile else None) or employee.timezone or "UTC"
    start, end = (profile.work_start_hour, profile.work_end_hour) if profile else (9, 17)
    return scheduling.Hours(role=role, timezone=zone, start_hour=start, end_hour=end)


def planned_slots(tenant: Tenant, pair: Pair, today: date | None = None) -> list[scheduling.Slot]:
    """The remaining sessions of a pair, one per cadence period, rotating the inconvenient slot."""
    programme = tenant.get(Programme, pair.programme_id)
    mentor, mentee = tenant.get(Employee, pair.mentor_employee_id), tenant.get(Employee, pair.mentee_employee_id)
    start = cadence.start_day(pair.approved_at, pair.created_at, programme.starts_on)
    ends = cadence.end_date(start, programme.duration_weeks, pair.extensions, programme.extension_weeks)
    first = max(start, today or start)
    count = max(0, (ends - first).days // programme.cadence_days + 1)
    return scheduling.plan(
        hours_of(tenant, mentor, "mentor"),
        hours_of(tenant, mentee, "mentee"),
        first,
        programme.cadence_days,
        count,
        programme.session_minutes,
    )


def pair_calendar(tenant: Tenant, pair: Pair, viewer_role: str, today: date | None = None) -> bytes:
    """An iCalendar file of the pair's planned sessions, worded with the viewer's regional framing."""
    programme = tenant.get(Programme, pair.programme_id)
    viewer = tenant.get(Employee, pair.mentor_employee_id if viewer_role == "mentor" else pair.mentee_employee_id)
    wording = framing.for_person(viewer, programme.framing)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{programme.name}: {wording.relationship}")
    for n, slot in enumerate(planned_slots(tenant, pair, today), start=1):
        cal.add_component(_event(pair, programme.name, wording, n, slot))
    return cal.to_ical()


def _event(pair: Pair, programme: str, wording: framing.Wording, n: int, slot: scheduling.Slot) -> Event:
    event = Event()
    event.add("uid", f"flipside-pair-{pair.id}-session-{n}@flipside")
    event.add("dtstamp", datetime.now(UTC).replace(microsecond=0))
    event.add("dtstart", slot.starts_at)
    event.add("dtend", slot.starts_at + timedelta(minutes=slot.minutes))
    event.add("summary", session_title(wording, n, programme))
    event.add("description", session_lines(wording, slot))
    return event


def session_title(wording: framing.Wording, n: int, programme: str) -> str:
    """ "Reverse mentoring session 3 (Flip 2026)", in the current locale."""
    return gettext(
        "%(relationship)s session %(n)s (%(programme)s)",
        n=n,
        programme=programme,
        relationship=wording.relationship[:1].upper() + wording.relationship[1:],
    )


def session_lines(wording: framing.Wording, slot: scheduling.Slot) -> str:
    """Each partner's local time of a session, and who takes the inconvenient hour this time."""
    lines = [
        f"{wording[role]}: {format_datetime(local, 'EEE d MMM HH:mm', locale=get_locale())} "
        f"({get_timezone_location(local.tzinfo.key, locale=get_locale())})"
        for role, local in slot.local.items()
    ]
    if slot.burden in ("mentor", "mentee"):
        lines.append(
            gettext(
                "Outside working hours for the %(role)s this time; the next one favours them.",
                role=wording[slot.burden],
            )
        )
    return "\n".join(lines)


def invitation(
    method: str,
    uid: str,
    sequence: int,
    starts_at: datetime,
    minutes: int,
    organizer: tuple[str, str],
    attendees: list[tuple[str, str]],
    summary: str,
    description: str,
) -> str:
    """An iTIP (RFC 5546) REQUEST or CANCEL for one session; `organizer` and `attendees` are (name, address)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", datetime.now(UTC).replace(microsecond=0))
    event.add("dtstart", starts_at)
    event.add("dtend", starts_at + timedelta(minutes=minutes))
    event.add("summary", summary)
    event.add("description", description)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("organizer", _address(*organizer))
    for name, address in attendees:
        person = _address(name, address)
        person.params.update({"role": "REQ-PARTICIPANT", "partstat": "NEEDS-ACTION", "rsvp": "TRUE"})
        event.add("attendee", person, encode=0)
    cal.add_component(event)
    return cal.to_ical().decode()


def _address(name: str, address: str) -> vCalAddress:
    value = vCalAddress(f"mailto:{address}")
    value.params["cn"] = vText(name)
    return value
