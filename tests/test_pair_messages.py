"""People hear of their pair's life: confirm the logged session, extensions, the cancellation note, completion
with the credential and the cadence reminder, each over the loopback SMTP server in the reader's words.

A job run in the test (delivery, credentials, reminders) closes the test thread's session on its way out, as a
worker's would; so every step here takes a fresh `tenant()` of the current session and keeps people as values.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from flask import current_app
from rq import SimpleWorker

from plugin.db import db, transaction
from plugin.domain import cadence
from plugin.domain.pair_health import CANCELLATION_NOTES
from plugin.jobs import cadence as cadence_jobs
from plugin.jobs import completion as completion_jobs
from plugin.jobs import notify
from plugin.jobs.queue import enqueue, get_queue
from plugin.models import Credential, Employee, ExtensionProposal, Pair, Programme, Reminder
from plugin.services import (
    announcements,
    completion,
    credentials,
    extensions,
    framing,
    preferences,
    reminders,
    sessions,
)
from plugin.services.tenant import Tenant
from tests.factories import make_active_pair, make_person
from tests.smtp_server import stored_messages
from tests.test_announcements import words
from tests.test_credentials import tool_keys  # noqa: F401  (the signing keys fixture)

BASE = "https://flipside.example"


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str
    locale: str
    wording: framing.Wording


@dataclass(frozen=True)
class World:
    organisation_id: int
    programme_id: int
    people: dict
    pairs: dict  # by mentor's name: pair id

    def tenant(self) -> Tenant:
        return Tenant(db.session, self.organisation_id)


PEOPLE = {  # name: (country, time zone, job level); mentor -> executive
    "haruto": ("Haruto", "Sato", "JP", "Asia/Tokyo", 2),
    "beatriz": ("Beatriz", "Lima", "BR", "America/Sao_Paulo", 8),
    "sam": ("Sam", "Reed", "US", "America/Chicago", 2),
    "olivia": ("Olivia", "Hart", "GB", "Europe/London", 9),
    "ana": ("Ana", "Costa", "BR", "America/Sao_Paulo", 2),
    "kenji": ("Kenji", "Mori", "JP", "Asia/Tokyo", 9),
}
PAIRS = {"haruto": "beatriz", "sam": "olivia", "ana": "kenji"}


@pytest.fixture
def world(app, make_org, smtp_server) -> World:
    """Haruto (ja) mentors Beatriz (pt-BR), Sam (en) mentors Olivia (en, UK), Ana (pt-BR) mentors Kenji (ja)."""
    app.config["FLIPSIDE"] = replace(app.config["FLIPSIDE"], base_url=BASE)
    tenant = make_org()
    rows = {
        name: make_person(tenant, n, first_name=first, last_name=last, country=country, timezone=zone, job_level=level)
        for n, (name, (first, last, country, zone, level)) in enumerate(PEOPLE.items(), start=1)
    }
    programme = None
    pairs = {}
    for mentor, mentee in PAIRS.items():
        pair = make_active_pair(
            tenant, mentor=rows[mentor], mentee=rows[mentee], programme=programme, agreed=True, started_days_ago=40
        )
        programme = programme or tenant.get(Programme, pair.programme_id)
        pairs[mentor] = pair.id
    people = {
        name: Person(
            row.id,
            row.work_email,
            f"{row.first_name} {row.last_name}",
            framing.reader_locale(row),
            framing.for_person(row, programme.framing, locale=framing.reader_locale(row)),
        )
        for name, row in rows.items()
    }
    db.session.commit()
    return World(tenant.organisation_id, programme.id, people, pairs)


def mail_to(server, person: Person):
    """The one message the person received (fails when there are none or several): (mail, text, html)."""
    [mail] = server.inbox.to(person.email)
    return mail, mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()


def day_in(day: date, person: Person) -> str:
    return format_date(day, "long", locale=person.locale.replace("-", "_"))


def assert_unsubscribes_from(mail, person: Person, category: str):
    """RFC 8058 headers whose signed link names this person and this category, nobody else's."""
    link = mail["List-Unsubscribe"]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" and link.startswith(f"<{BASE}/unsubscribe/")
    signed = link[1:].split(">", 1)[0].rsplit("/", 1)[1]
    assert preferences.read_token(current_app.config["FLIPSIDE"].secret_key, signed)[1:] == (person.id, category)


def test_a_logged_session_asks_the_other_partner_and_only_them_to_confirm(world, smtp_server):
    p, day = world.people, date.today() - timedelta(days=2)
    sessions.log_session(world.tenant(), world.pairs["haruto"], p["haruto"].id, day, 45, ["ai"])
    sessions.log_session(world.tenant(), world.pairs["haruto"], p["beatriz"].id, day, 30, ["ai"])
    sessions.log_session(world.tenant(), world.pairs["sam"], p["olivia"].id, day, 50, [])
    db.session.commit()
    assert notify.deliver()["sent"] == 3
    assert len(smtp_server.inbox.received) == 3 and not smtp_server.inbox.to(p["olivia"].email)
    for reader, logger, role, minutes, pair in (
        ("beatriz", "haruto", "mentor", 45, "haruto"),
        ("haruto", "beatriz", "mentee", 30, "haruto"),
        ("sam", "olivia", "mentee", 50, "sam"),
    ):
        mail, text, html = mail_to(smtp_server, p[reader])
        you = p[reader]
        assert mail["Content-Language"] == you.locale
        assert mail["Subject"] == words(
            you.locale,
            "Please confirm your %(relationship)s session of %(day)s",
            relationship=you.wording.relationship,
            day=day_in(day, you),
        )
        assert p[logger].name in text and you.wording[role] in text and f"{minutes}" in text
        assert f"{BASE}/me/pairs/{world.pairs[pair]}" in text and f"{BASE}/me/pairs/{world.pairs[pair]}" in html
        assert mail["Message-ID"].startswith("<") and mail["Message-ID"].endswith(">")
        assert_unsubscribes_from(mail, you, "confirmation")
    assert "registrou uma sessão" in mail_to(smtp_server, p["beatriz"])[1]
    ja = mail_to(smtp_server, p["haruto"])[1]
    assert "logged a session" not in ja and "セッション" in ja
    assert "Olivia Hart, your " in mail_to(smtp_server, p["sam"])[1]


def test_a_session_that_rolls_back_asks_nobody_and_a_retried_ask_asks_once(world, smtp_server):
    p = world.people
    sessions.log_session(world.tenant(), world.pairs["sam"], p["sam"].id, date.today(), 45, [])
    db.session.rollback()
    assert stored_messages().count() == 0
    held = sessions.log_session(world.tenant(), world.pairs["sam"], p["sam"].id, date.today(), 45, [])
    db.session.commit()
    tenant = world.tenant()
    announcements.session_logged(tenant, tenant.get(Pair, world.pairs["sam"]), held)  # the event handled again
    db.session.commit()
    assert [m.recipient_id for m in stored_messages()] == [p["olivia"].id]
    notify.deliver()
    notify.deliver()
    assert len(smtp_server.inbox.to(p["olivia"].email)) == 1 and len(smtp_server.inbox.received) == 1


def test_someone_who_unsubscribed_from_confirmations_gets_none_but_still_the_rest(world, smtp_server, client):
    p = world.people
    signed = preferences.token(current_app.config["SECRET_KEY"], world.organisation_id, p["olivia"].id, "confirmation")
    assert client.post(f"/unsubscribe/{signed}", data={"List-Unsubscribe": "One-Click"}).status_code == 200
    sessions.log_session(world.tenant(), world.pairs["sam"], p["sam"].id, date.today(), 45, [])
    extensions.propose(world.tenant(), world.pairs["sam"], p["sam"].id)
    db.session.commit()
    assert notify.deliver()["sent"] == 1
    [mail] = smtp_server.inbox.to(p["olivia"].email)
    assert mail["Subject"] == f"Sam Reed proposes to extend your {p['olivia'].wording.relationship}"
    assert {m.category: m.state for m in stored_messages()} == {"confirmation": "skipped", "extension": "sent"}


def test_an_extension_proposed_tells_the_other_and_agreed_tells_both_with_the_new_last_day(world, smtp_server):
    p, pair_id = world.people, world.pairs["haruto"]
    tenant = world.tenant()
    pair, programme = tenant.get(Pair, pair_id), tenant.get(Programme, world.programme_id)
    start = cadence.start_day(pair.approved_at, pair.created_at, programme.starts_on)
    until = cadence.end_date(start, programme.duration_weeks, 1, programme.extension_weeks)
    proposal_id = extensions.propose(tenant, pair_id, p["beatriz"].id).id
    db.session.commit()
    assert notify.deliver()["sent"] == 1
    mail, text, _ = mail_to(smtp_server, p["haruto"])
    haruto = p["haruto"]
    assert mail["Content-Language"] == "ja"
    assert mail["Subject"] == words(
        "ja",
        "%(partner)s proposes to extend your %(relationship)s",
        partner="Beatriz Lima",
        relationship=haruto.wording.relationship,
    )
    assert day_in(until, haruto) in text and haruto.wording.mentee in text
    assert_unsubscribes_from(mail, haruto, "extension")

    extensions.decide(world.tenant(), proposal_id, haruto.id, agree=True)
    db.session.rollback()  # the agreement failed to commit: nobody is told, nothing changed
    assert stored_messages().count() == 1 and world.tenant().get(Pair, pair_id).extensions == 0
    extensions.decide(world.tenant(), proposal_id, haruto.id, agree=True)
    db.session.commit()
    agreed = stored_messages().filter_by(event_key=f"extension-agreed-{proposal_id}").all()
    assert sorted(m.recipient_id for m in agreed) == sorted((haruto.id, p["beatriz"].id))
    assert world.tenant().get(Pair, pair_id).extensions == 1
    assert notify.deliver()["sent"] == 2
    for name, count in (("haruto", 2), ("beatriz", 1)):
        you = p[name]
        received = smtp_server.inbox.to(you.email)
        assert len(received) == count
        assert received[-1]["Content-Language"] == you.locale
        assert received[-1]["Subject"] == words(
            you.locale,
            "Your %(relationship)s continues until %(day)s",
            relationship=you.wording.relationship,
            day=day_in(until, you),
        )
        assert_unsubscribes_from(received[-1], you, "extension")
    assert smtp_server.inbox.to(p["beatriz"].email)[0]["Subject"].startswith("Sua ")


def test_a_declined_extension_tells_nobody_and_english_readers_read_english(world, smtp_server):
    p = world.people
    proposal_id = extensions.propose(world.tenant(), world.pairs["sam"], p["olivia"].id).id
    db.session.commit()
    extensions.decide(world.tenant(), proposal_id, p["sam"].id, agree=False)
    db.session.commit()
    assert notify.deliver()["sent"] == 1
    mail, text, _ = mail_to(smtp_server, p["sam"])
    assert mail["Subject"] == f"Olivia Hart proposes to extend your {p['sam'].wording.relationship}"
    assert f"Olivia Hart, your {p['sam'].wording.mentee}, proposes to continue your" in text
    assert not smtp_server.inbox.to(p["olivia"].email)
    assert [x.status for x in world.tenant().all(ExtensionProposal)] == ["declined"]


def cancel(world, mentor, who, days_ago):
    sessions.cancel_session(
        world.tenant(), world.pairs[mentor], world.people[who].id, date.today() - timedelta(days=days_ago)
    )


def test_the_executive_gets_one_gentle_note_per_threshold_and_the_mentor_none(world, smtp_server):
    p, pair_id = world.people, world.pairs["haruto"]
    assert CANCELLATION_NOTES == (2, 4)
    cancel(world, "haruto", "haruto", 20)  # the mentor's own cancellations never count towards the executive's
    cancel(world, "haruto", "haruto", 19)
    cancel(world, "haruto", "beatriz", 18)
    db.session.commit()
    assert stored_messages().count() == 0
    cancel(world, "haruto", "beatriz", 17)
    db.session.rollback()  # the second cancellation did not commit: no note
    assert stored_messages().count() == 0
    cancel(world, "haruto", "beatriz", 17)
    db.session.commit()
    cancel(world, "haruto", "beatriz", 16)  # a third: the note for two went, four is not reached
    db.session.commit()
    [note] = stored_messages().all()
    assert (note.recipient_id, note.category, note.event_key) == (
        p["beatriz"].id,
        "cancellations",
        f"executive-cancellations-{pair_id}-2",
    )
    cancel(world, "haruto", "beatriz", 15)
    db.session.commit()
    assert notify.deliver()["sent"] == 2
    assert not smtp_server.inbox.to(p["haruto"].email)
    beatriz = p["beatriz"]
    for mail, count in zip(smtp_server.inbox.to(beatriz.email), (2, 4), strict=True):
        text = mail.get_body(("plain",)).get_content()
        assert mail["Content-Language"] == "pt-BR"
        assert mail["Subject"] == words(
            "pt-BR",
            "Keeping your %(relationship)s with %(partner)s going",
            relationship=beatriz.wording.relationship,
            partner="Haruto Sato",
        )
        assert f": {count}." in text and beatriz.wording.mentor in text
        assert_unsubscribes_from(mail, beatriz, "cancellations")


def test_the_cancellation_note_in_japanese_and_english(world, smtp_server):
    p = world.people
    for mentor, executive in (("ana", "kenji"), ("sam", "olivia")):
        for days_ago in (10, 9):
            cancel(world, mentor, executive, days_ago)
    db.session.commit()
    assert notify.deliver()["sent"] == 2
    kenji, kenji_text, _ = mail_to(smtp_server, p["kenji"])
    assert kenji["Content-Language"] == "ja"
    assert kenji["Subject"] == words(
        "ja",
        "Keeping your %(relationship)s with %(partner)s going",
        relationship=p["kenji"].wording.relationship,
        partner="Ana Costa",
    )
    assert "Busy weeks" not in kenji_text and "：2" in kenji_text
    olivia, olivia_text, _ = mail_to(smtp_server, p["olivia"])
    assert olivia["Subject"] == f"Keeping your {p['olivia'].wording.relationship} with Sam Reed going"
    assert "Busy weeks happen." in olivia_text and "that you had to cancel so far: 2." in olivia_text
    assert not smtp_server.inbox.to(p["ana"].email) and not smtp_server.inbox.to(p["sam"].email)


def complete(world, mentor):
    tenant, executive = world.tenant(), PAIRS[mentor]
    pair_id = world.pairs[mentor]
    completion.set_rule(tenant, world.programme_id, 1, False)
    held = sessions.log_session(tenant, pair_id, world.people[mentor].id, date.today(), 45, [])
    sessions.confirm_session(tenant, held.id, world.people[executive].id)
    completion.complete_if_done(tenant, pair_id)
    db.session.commit()


def completions_to(server, person: Person) -> list:
    return [m for m in server.inbox.to(person.email) if "/credentials/" in m.get_body(("plain",)).get_content()]


@pytest.mark.usefixtures("tool_keys")
def test_completion_tells_both_partners_each_with_their_own_credential(world, smtp_server):
    p, pair_id = world.people, world.pairs["haruto"]
    complete(world, "haruto")
    with pytest.raises(RuntimeError), transaction(db.session):
        credentials.issue_for_pair(world.tenant(), pair_id, BASE)
        raise RuntimeError("the worker died before the commit")
    assert world.tenant().all(Credential) == [] and not stored_messages().filter_by(category="completion").count()
    for _ in range(2):  # the job retried after it committed: issued once, told once
        completion_jobs.issue_credentials(world.organisation_id, pair_id)
    own = {c.employee_id: c.uid for c in world.tenant().all(Credential)}
    notify.deliver()
    for name, partner, role in (("haruto", "beatriz", "mentor"), ("beatriz", "haruto", "mentee")):
        you = p[name]
        [mail] = completions_to(smtp_server, you)
        text = mail.get_body(("plain",)).get_content()
        assert mail["Content-Language"] == you.locale
        assert mail["Subject"] == words(
            you.locale, "You completed %(programme)s: your credential", programme="Flip 2026"
        )
        assert f"{BASE}/credentials/{own[you.id]}" in text and own[p[partner].id] not in text  # never the partner's
        assert you.wording.title(role) in text and p[partner].name in text
        assert mail["List-Unsubscribe"] is None  # transactional: no unsubscribe
    assert stored_messages().filter_by(category="completion").count() == 2


@pytest.mark.usefixtures("tool_keys")
def test_completion_in_english(world, smtp_server):
    complete(world, "sam")
    completion_jobs.issue_credentials(world.organisation_id, world.pairs["sam"])
    notify.deliver()
    [mail] = completions_to(smtp_server, world.people["olivia"])
    assert mail["Subject"] == "You completed Flip 2026: your credential"
    text = mail.get_body(("plain",)).get_content()
    assert "You and Sam Reed completed your" in text and "Thank you for the time you gave each other." in text


def test_the_cadence_reminder_reaches_both_partners_once_per_period(world, smtp_server, settings):
    p = world.people
    tenant = world.tenant()
    for ended in ("sam", "ana"):  # an ended pair is never reminded
        tenant.get(Pair, world.pairs[ended]).status = "ended"
    db.session.commit()
    for _ in range(2):  # the daily job twice the same day: one reminder
        enqueue(settings, cadence_jobs.check_cadence, world.organisation_id, job_id=None)
        queue = get_queue(settings)
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    db.session.expire_all()
    [reminder] = world.tenant().all(Reminder)
    pair_id, period, behind = reminder.pair_id, reminder.period, reminder.behind
    assert pair_id == world.pairs["haruto"] and behind > 0
    sent = stored_messages().filter_by(category="reminder", event_key=f"reminder-{pair_id}-{period}")
    assert sorted(m.recipient_id for m in sent) == sorted((p["haruto"].id, p["beatriz"].id))
    assert cadence_jobs.remind_pair(world.organisation_id, pair_id, period, behind) is False  # a repeat: nothing
    notify.deliver()
    for name, partner, role in (("haruto", "beatriz", "mentee"), ("beatriz", "haruto", "mentor")):
        you = p[name]
        mail, text, _ = mail_to(smtp_server, you)
        assert mail["Content-Language"] == you.locale
        assert mail["Subject"] == words(
            you.locale, "Time to meet %(partner)s, your %(role)s", partner=p[partner].name, role=you.wording[role]
        )
        assert f"{behind}" in text and f"/me/pairs/{pair_id}" in text
        assert_unsubscribes_from(mail, you, "reminder")
    assert cadence_jobs.remind_pair(world.organisation_id, pair_id, period + 1, behind) is True  # next period: again
    notify.deliver()
    assert len(smtp_server.inbox.received) == 4


def test_a_reminder_in_english_and_none_for_a_rolled_back_one(world, smtp_server):
    with pytest.raises(RuntimeError), transaction(db.session):
        reminders.remind(world.tenant(), world.pairs["sam"], 2, 2)
        raise RuntimeError("the job failed before the commit")
    assert stored_messages().count() == 0 and world.tenant().all(Reminder) == []
    assert cadence_jobs.remind_pair(world.organisation_id, world.pairs["sam"], 2, 2) is True
    notify.deliver()
    mail, text, _ = mail_to(smtp_server, world.people["olivia"])
    assert mail["Subject"] == f"Time to meet Sam Reed, your {world.people['olivia'].wording.mentor}"
    assert "Sessions you and Sam Reed are behind your programme's rhythm: 2." in text


def test_a_name_a_broken_hris_sent_with_markup_and_a_line_break_stays_text_in_one_subject_line(world, smtp_server):
    p = world.people
    tenant = world.tenant()
    hostile = "Sam\r\nBcc: victim@example.com <script>alert(1)</script>"
    tenant.get(Employee, p["sam"].id).first_name = hostile
    db.session.commit()
    extensions.propose(world.tenant(), world.pairs["sam"], p["sam"].id)  # the proposer's name is in the subject
    db.session.commit()
    assert notify.deliver() == {"sent": 1, "retry": 0, "failed": 0, "recovered": 0}
    [mail] = smtp_server.inbox.received
    assert mail["To"] == p["olivia"].email and mail["Bcc"] is None
    assert mail["Subject"].startswith("Sam Bcc: victim@example.com <script>")  # one line, the name as text
    html = mail.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_messages_follow_the_language_of_the_latest_launch_before_the_hris_one(client, make_org, session):
    from plugin.models import Employee
    from plugin.services.framing import reader_locale
    from tests.factories import make_person
    from tests.test_learner_pages import launch

    tenant = make_org()
    person = make_person(tenant, 9, country="DE", preferred_language="de")
    session.commit()
    assert reader_locale(person) == "de"  # no launch yet: the HRIS language
    launch(client, tenant, person.id, "ja-JP")
    assert client.get("/me/pairs").status_code == 200
    session.expire_all()
    kept = tenant.get(Employee, person.id)
    assert kept.launch_locale == "ja" and reader_locale(kept) == "ja"
    launch(client, tenant, person.id, "tlh-KL")  # a language Flipside does not speak changes nothing
    client.get("/me/pairs")
    session.expire_all()
    assert tenant.get(Employee, person.id).launch_locale == "ja"
    launch(client, tenant, person.id, "pt_BR")
    client.get("/me/pairs")
    session.expire_all()
    assert reader_locale(tenant.get(Employee, person.id)) == "pt-BR"
