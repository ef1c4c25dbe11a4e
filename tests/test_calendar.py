"""The pair's calendar file: each partner's local time, and the awkward hour taken in turns."""

from datetime import date

from icalendar import Calendar

from plugin.domain.scheduling import Hours, outside_minutes, plan
from plugin.services.calendar import pair_calendar
from tests.factories import make_active_pair, make_person


def test_far_apart_partners_take_the_inconvenient_slot_in_turns():
    junior, executive = Hours("mentor", "America/Sao_Paulo"), Hours("mentee", "Asia/Tokyo")
    slots = plan(junior, executive, date(2026, 3, 3), 14, 6, 45)
    assert [s.burden for s in slots] == ["mentee", "mentor"] * 3
    for slot in slots:
        burdened = junior if slot.burden == "mentor" else executive
        other = executive if burdened is junior else junior
        assert outside_minutes(other, slot.starts_at, 45) == 0


def test_partners_whose_days_overlap_always_meet_inside_both():
    slots = plan(Hours("mentor", "Europe/Berlin"), Hours("mentee", "Europe/London"), date(2026, 3, 3), 14, 4, 45)
    assert {s.burden for s in slots} == {None}


def test_the_calendar_file_shows_both_local_times_and_the_regional_framing(make_org):
    tenant = make_org()
    mentor = make_person(tenant, 1, country="BR", timezone="America/Sao_Paulo")
    mentee = make_person(tenant, 2, country="JP", timezone="Asia/Tokyo")
    pair = make_active_pair(tenant, mentor=mentor, mentee=mentee, duration_weeks=8, cadence_days=14)
    cal = Calendar.from_ical(pair_calendar(tenant, pair, "mentee"))
    events = cal.walk("VEVENT")
    assert len(events) == 4
    assert "knowledge exchange partnership" in str(cal["x-wr-calname"])
    description = str(events[0]["description"])
    assert "(Brazil (São Paulo) Time)" in description and "(Japan Time)" in description  # CLDR names, not ids
    starts = [e.decoded("dtstart") for e in events]
    assert starts == sorted(starts) and len({s.hour for s in starts}) == 2  # two alternating slots
