"""Session reminders carry an iTIP invitation naming both partners: REQUEST, SEQUENCE on change, CANCEL at the end."""

from dataclasses import replace

import pytest
from flask_babel import force_locale
from icalendar import Calendar

from plugin.db import db
from plugin.jobs import notify
from plugin.models import Employee, Pair, PairInvitation, utcnow
from plugin.services import calendar, framing, invitations
from plugin.services.tenant import Tenant
from tests.factories import make_active_pair, make_person
from tests.smtp_server import LoopbackSmtp, stored_messages


@pytest.fixture
def smtp_server(app):
    with LoopbackSmtp() as server:
        app.config["FLIPSIDE"] = replace(
            app.config["FLIPSIDE"], smtp_url=server.url, mail_from="Flip 2026 <programme@example.org>"
        )
        yield server


def invitation_of(mail):
    [part] = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    cal = Calendar.from_ical(part.get_content())
    [event] = cal.walk("VEVENT")
    return part, cal, event


def attendees(event):
    found = event.get("attendee")
    return sorted(str(a).lower() for a in (found if isinstance(found, list) else [found]))


def world(tenant):
    """Haruto in Tokyo (ja) mentors Beatriz in São Paulo (pt-BR); Sam (en) mentors Olivia; both start tomorrow."""
    haruto = make_person(
        tenant,
        1,
        first_name="Haruto",
        last_name="Sato",
        country="JP",
        region="Asia",
        timezone="Asia/Tokyo",
        preferred_language="ja",
        job_level=2,
    )
    beatriz = make_person(
        tenant,
        2,
        first_name="Beatriz",
        last_name="Lima",
        country="BR",
        region="Americas",
        timezone="America/Sao_Paulo",
        job_level=8,
    )
    sam = make_person(
        tenant,
        3,
        first_name="Sam",
        last_name="Reed",
        country="US",
        region="Americas",
        timezone="America/Chicago",
        job_level=2,
    )
    olivia = make_person(
        tenant,
        4,
        first_name="Olivia",
        last_name="Hart",
        country="GB",
        region="Europe",
        timezone="Europe/London",
        job_level=9,
    )
    far = make_active_pair(tenant, mentor=haruto, mentee=beatriz, started_days_ago=-1)
    near = make_active_pair(tenant, mentor=sam, mentee=olivia, started_days_ago=-1)
    db.session.commit()
    return far, near, {"haruto": haruto, "beatriz": beatriz, "sam": sam, "olivia": olivia}


def test_the_next_session_invites_both_partners_in_their_own_language(make_org, smtp_server):
    tenant = make_org()
    far, near, people = world(tenant)
    invitations.refresh(tenant, utcnow())
    db.session.commit()
    assert notify.deliver()["sent"] == 4
    tenant = Tenant(db.session, tenant.organisation_id)
    invitations.refresh(tenant, utcnow())  # the next day's run: nothing new to say
    db.session.commit()
    assert notify.deliver()["sent"] == 0 and len(smtp_server.inbox.received) == 4
    for pair, names in ((far, ("haruto", "beatriz")), (near, ("sam", "olivia"))):
        first = calendar.planned_slots(tenant, pair)[0]
        uids = set()
        for name, locale in zip(names, [framing.reader_locale(people[n]) for n in names], strict=True):
            [mail] = smtp_server.inbox.to(people[name].work_email)
            part, cal, event = invitation_of(mail)
            assert part.get_param("method") == "REQUEST" and str(cal["method"]) == "REQUEST"
            assert event["sequence"] == 0 and event.decoded("dtstart") == first.starts_at
            assert (event.decoded("dtend") - event.decoded("dtstart")).total_seconds() == 45 * 60
            assert str(event["organizer"]) == "mailto:programme@example.org"
            assert event["organizer"].params["cn"] == "Flip 2026"
            assert attendees(event) == sorted(f"mailto:{people[n].work_email}" for n in names)
            assert {a.params["cn"] for a in event["attendee"]} == {
                f"{people[n].first_name} {people[n].last_name}" for n in names
            }
            wording = framing.for_person(people[name], {}, locale=locale)
            with force_locale(locale.replace("-", "_")):
                assert str(event["summary"]) == calendar.session_title(wording, 1, "Flip 2026")
            assert mail["Content-Language"] == locale
            assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            uids.add(str(event["uid"]))
        assert len(uids) == 1  # one event, the same for both partners
    ja = smtp_server.inbox.to(people["haruto"].work_email)[0]
    assert "第1回" in str(invitation_of(ja)[2]["summary"]) and "session" not in ja["Subject"]
    pt = smtp_server.inbox.to(people["beatriz"].work_email)[0].get_body(("plain",)).get_content()
    assert pt.startswith("Olá, Beatriz Lima,")


def test_a_changed_plan_updates_the_same_uid_and_an_ended_pair_cancels_it(make_org, smtp_server):
    tenant = make_org()
    far, _, people = world(tenant)
    invitations.refresh(tenant, utcnow())
    db.session.commit()
    notify.deliver()
    [before] = [invitation_of(m)[2] for m in smtp_server.inbox.to(people["beatriz"].work_email)]
    tenant = Tenant(db.session, tenant.organisation_id)  # a job ran: the test's session is a new one
    tenant.get(Employee, people["beatriz"].id).timezone = "Asia/Kolkata"  # Tokyo's and her days overlap now
    db.session.commit()
    invitations.refresh(tenant, utcnow())
    db.session.commit()
    assert notify.deliver()["sent"] == 2
    moved = invitation_of(smtp_server.inbox.to(people["beatriz"].work_email)[-1])[2]
    assert str(moved["uid"]) == str(before["uid"]) and moved["sequence"] == 1
    assert moved.decoded("dtstart") == calendar.planned_slots(tenant, far)[0].starts_at != before.decoded("dtstart")
    tenant = Tenant(db.session, tenant.organisation_id)
    tenant.get(Pair, far.id).status = "ended"
    db.session.commit()
    invitations.refresh(tenant, utcnow())
    db.session.commit()
    assert notify.deliver()["sent"] == 2
    for person in (people["haruto"], people["beatriz"]):
        part, cal, event = invitation_of(smtp_server.inbox.to(person.work_email)[-1])
        assert part.get_param("method") == "CANCEL" and str(cal["method"]) == "CANCEL"
        assert str(event["uid"]) == str(before["uid"]) and event["sequence"] == 2
        assert str(event["status"]) == "CANCELLED"
    [stored] = tenant.all(PairInvitation, PairInvitation.pair_id == far.id)
    assert (stored.state, stored.sequence) == ("cancelled", 2)
    tenant = Tenant(db.session, tenant.organisation_id)
    invitations.refresh(tenant, utcnow())  # cancelled once: never again
    db.session.commit()
    assert notify.deliver()["sent"] == 0
    assert {m.calendar_method for m in stored_messages().filter_by(category="reminder")} == {"REQUEST", "CANCEL"}
