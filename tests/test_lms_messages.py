"""The pairing announcement and HR's nudge as LMS messages, end to end against the loopback Moodle and Canvas
emulators (and the loopback SMTP server for the email beside them): who receives them, in which language,
what the LMS stored, exactly once across retries, and what a refusal leaves on record."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import update

from plugin.db import db
from plugin.emulators.canvas import CanvasEmulator
from plugin.emulators.moodle import MoodleEmulator
from plugin.emulators.moodle_functions import new_course
from plugin.emulators.moodle_site import MoodleSite
from plugin.jobs import notify
from plugin.jobs.queue import all_queues
from plugin.models import OutboundMessage, Pair, Programme, utcnow
from plugin.services import connections, framing, lms_check, match_review, messages, pair_health, preferences
from plugin.services.connections import create_connection
from plugin.services.enrolment import enqueue_enrolments
from plugin.services.lms_messages import NO_ACCOUNT, account
from tests.factories import REASONS, make_person
from tests.lms_fixtures import STUDENT_ROLE, TOKEN, moodle_connection, work

SEND = "core_message_send_instant_messages"
ZERO = {"sent": 0, "retry": 0, "failed": 0, "recovered": 0}


@pytest.fixture(autouse=True)
def _clean_queues(app, settings):
    yield
    for queue in all_queues(settings):
        queue.empty()


@pytest.fixture
def moodle():
    site = MoodleSite.blank(
        token=TOKEN, student_role=STUDENT_ROLE, teacher_role=4, functions=("core_group_get_course_groups", SEND)
    )
    emulator = MoodleEmulator(site)
    emulator.url = emulator.start()
    emulator.course = str(new_course(site, {"shortname": "RM27", "fullname": "Reverse mentoring"})["id"])
    yield emulator
    emulator.stop()


@pytest.fixture
def canvas():
    emulator = CanvasEmulator()
    emulator.start()
    yield emulator
    emulator.stop()


def canvas_connection(tenant, vault, emulator):
    conn = create_connection(
        tenant,
        vault,
        "canvas",
        settings={"base_url": emulator.url, "account_id": "1", "rate_limit_per_s": 500, "rate_burst": 50},
        credentials={"client_id": emulator.client_id, "client_secret": emulator.client_secret},
    )
    connections.store_tokens(conn, vault, emulator.issue_token())
    tenant.session.commit()
    return conn


PEOPLE = {  # name: (n, first, last, country, region, timezone, language, job level)
    "haruto": (1, "Haruto", "Sato", "JP", "Asia", "Asia/Tokyo", "ja", 2),
    "beatriz": (2, "Beatriz", "Lima", "BR", "Americas", "America/Sao_Paulo", None, 8),
    "sam": (3, "Sam", "Reed", "US", "Americas", "America/Chicago", None, 2),
    "olivia": (4, "Olivia", "Hart", "GB", "Europe", "Europe/London", None, 9),
}
LOCALES = {"haruto": "ja", "beatriz": "pt-BR", "sam": "en", "olivia": "en"}
PAIRS = (("haruto", "beatriz"), ("sam", "olivia"))


def world(tenant, conn_id: int, course: str, *, status: str = "proposed", started_days_ago: int = 0):
    """A programme on the LMS course and two pairs: a Japanese mentor with a Brazilian executive, two English."""
    started = datetime.now(UTC) - timedelta(days=started_days_ago)
    programme = tenant.add(
        Programme(
            name="Flip 2026",
            cadence_days=14,
            session_minutes=45,
            duration_weeks=26,
            max_extensions=1,
            extension_weeks=12,
            status="matching" if status == "proposed" else "active",
            starts_on=started.date(),
            objectives="Learn together",
            lms_connection_id=conn_id,
            lms_course_id=course,
        )
    )
    people = {}
    for name, (n, first, last, country, region, zone, language, level) in PEOPLE.items():
        extra = {"preferred_language": language} if language else {}
        people[name] = make_person(
            tenant,
            n,
            first_name=first,
            last_name=last,
            country=country,
            region=region,
            timezone=zone,
            job_level=level,
            **extra,
        )
    tenant.session.flush()
    pairs = []
    for mentor, mentee in PAIRS:
        pair = tenant.add(
            Pair(
                programme_id=programme.id,
                mentor_employee_id=people[mentor].id,
                mentee_employee_id=people[mentee].id,
                status=status,
                score=0.8,
                explanation=REASONS,
            )
        )
        if status != "proposed":
            pair.approved_at = started
        pairs.append(pair)
    tenant.session.commit()
    return programme, people, pairs


def words(locale, message_id, **values):
    with force_locale(locale.replace("-", "_")):
        return gettext(message_id, **values)


def lms_rows(tenant):
    tenant.session.expire_all()
    return {r.recipient_id: r for r in tenant.all(OutboundMessage, OutboundMessage.channel == "lms")}


def make_due(tenant):
    """Let the backoff pass for every waiting LMS message."""
    tenant.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.channel == "lms", OutboundMessage.state == "queued")
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        .execution_options(all_tenants=True)
    )
    tenant.session.commit()


def enrolled(tenant, settings, conn, course, **kw):
    """The world with its pairs running and enrolled in the LMS course (accounts linked)."""
    programme, people, pairs = world(tenant, conn.id, course, status="active", **kw)
    enqueue_enrolments(tenant, settings, [p.id for p in pairs])
    work(settings)
    users = {name: account(tenant, conn.id, person.id) for name, person in people.items()}
    assert all(users.values())
    return programme, people, pairs, users


def nudge(tenant, pair):
    pair_health.nudge(tenant, pair.id, today=date.today())
    tenant.session.commit()


# -- Moodle ------------------------------------------------------------------------------------------


def test_the_announcement_waits_for_the_lms_account_then_reaches_each_partner_once_in_their_language(
    make_org, settings, vault, moodle, smtp_server
):
    tenant = make_org()
    conn = moodle_connection(tenant, vault, moodle.url, http_attempts=1)
    programme, people, _ = world(tenant, conn.id, moodle.course)
    ids = match_review.approve(tenant, programme.id)
    db.session.commit()
    enqueue_enrolments(tenant, settings, ids)
    # the emails go at once; the LMS copies wait: the enrolment that links the accounts has not run
    assert notify.deliver() == {"sent": 4, "retry": 4, "failed": 0, "recovered": 0}
    assert moodle.site.messages == []
    assert {r.last_error for r in lms_rows(tenant).values()} == {
        "waiting for the participant's LMS account: their enrolment has not finished"
    }
    work(settings)
    make_due(tenant)
    assert notify.deliver() == {"sent": 4, "retry": 0, "failed": 0, "recovered": 0}
    assert notify.deliver() == ZERO
    assert len(moodle.site.messages) == 4 and len(smtp_server.inbox.received) == 4
    rows = lms_rows(tenant)
    for (mentor, mentee), roles in zip(PAIRS, (("mentee", "mentor"),) * 2, strict=True):
        for reader, partner, partner_role in ((mentor, mentee, roles[0]), (mentee, mentor, roles[1])):
            person, locale = people[reader], LOCALES[reader]
            user = account(tenant, conn.id, person.id)
            [message] = moodle.site.inbox(int(user))
            wording = framing.for_person(person, programme.framing, locale=locale)
            text = message["text"]
            assert message["useridfrom"] == 2 and message["textformat"] == 1  # the token's user, HTML
            subject = words(
                locale,
                "Your %(relationship)s partner: %(partner)s",
                relationship=wording.relationship,
                partner=f"{people[partner].first_name} {people[partner].last_name}",
            )
            assert text.startswith("<p><strong>") and subject.replace("'", "&#39;") in text
            assert words(locale, "Hello %(name)s,", name=f"{person.first_name} {person.last_name}") in text
            assert wording[partner_role] in text and words(locale, "you share a working language") in text
            assert "/me/pairs/" in text and "<!doctype" not in text
            row = rows[person.id]
            assert row.state == "sent" and row.locale == locale and row.vendor_ref == str(message["id"])
            assert row.address == f"moodle user {user}" and row.attempts == 2
    assert "Olá, Beatriz Lima," in moodle.site.inbox(int(account(tenant, conn.id, people["beatriz"].id)))[0]["text"]
    ja = moodle.site.inbox(int(account(tenant, conn.id, people["haruto"].id)))[0]["text"]
    assert "knowledge exchange" not in ja and words("ja", "you share a working language") in ja


def test_a_moodle_outage_is_retried_with_backoff_and_sends_no_duplicate(make_org, settings, vault, moodle, smtp_server):
    tenant = make_org()
    conn = moodle_connection(tenant, vault, moodle.url, http_attempts=1)
    _, people, pairs, users = enrolled(tenant, settings, conn, moodle.course, started_days_ago=60)
    moodle.inject(SEND, status=503, body="Service Unavailable")
    nudge(tenant, pairs[0])
    assert notify.deliver() == {
        "sent": 2,
        "retry": 2,
        "failed": 0,
        "recovered": 0,
    }  # the email went; the LMS held both back
    assert moodle.site.messages == []
    waiting = lms_rows(tenant)
    assert {r.state for r in waiting.values()} == {"queued"} and all("503" in r.last_error for r in waiting.values())
    assert all(r.next_attempt_at.replace(tzinfo=UTC) > datetime.now(UTC) for r in waiting.values())
    assert notify.deliver() == ZERO  # the backoff is respected
    make_due(tenant)
    assert notify.deliver() == {"sent": 2, "retry": 0, "failed": 0, "recovered": 0}
    assert notify.deliver() == ZERO
    for name in ("haruto", "beatriz"):
        assert len(moodle.site.inbox(int(users[name]))) == 1
    assert len(moodle.site.messages) == 2 and moodle.site.calls[SEND] == 2  # the 503 stored nothing
    kenji_subject = words(
        "ja",
        "A reminder from %(programme)s: time to meet your %(role)s",
        programme="Flip 2026",
        role=framing.for_person(people["haruto"], {}, locale="ja").mentee,
    )
    assert kenji_subject in moodle.site.inbox(int(users["haruto"]))[0]["text"]


def test_a_worker_killed_while_handing_a_message_over_never_causes_a_second_copy(
    make_org, settings, vault, moodle, smtp_server
):
    tenant = make_org()
    conn = moodle_connection(tenant, vault, moodle.url, http_attempts=1)
    _, people, pairs, users = enrolled(tenant, settings, conn, moodle.course, started_days_ago=60)
    nudge(tenant, pairs[0])
    rows = lms_rows(tenant)
    # a worker leased both LMS messages, marked Haruto's as being handed over, and was SIGKILLed there
    held = messages.claim(tenant.session, 10)
    assert {r.channel for r in held} == {"email", "lms"}
    haruto = next(r for r in held if r.id == rows[people["haruto"].id].id)
    messages.in_flight(tenant.session, haruto)
    tenant.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id.in_([r.id for r in held]))
        .values(lease_until=utcnow() - timedelta(seconds=1))
        .execution_options(all_tenants=True)
    )
    tenant.session.commit()
    assert notify.deliver() == {
        "sent": 3,
        "retry": 0,
        "failed": 1,
        "recovered": 0,
    }  # the lease ran out: another worker takes over
    rows = lms_rows(tenant)
    assert rows[people["haruto"].id].state == "failed" and rows[people["haruto"].id].last_error == notify.INTERRUPTED
    assert rows[people["beatriz"].id].state == "sent"  # never handed over before the kill: sent now, once
    assert moodle.site.inbox(int(users["haruto"])) == [] and len(moodle.site.inbox(int(users["beatriz"]))) == 1
    assert len(smtp_server.inbox.to(people["haruto"].work_email)) == 1  # he still hears, by email
    make_due(tenant)
    assert notify.deliver() == ZERO


@pytest.mark.parametrize("refusal", ["function-not-in-service", "unknown-user", "privacy", "messaging-off"])
def test_a_moodle_refusal_is_kept_failed_with_its_reason_and_never_retried(
    make_org, settings, vault, moodle, smtp_server, refusal
):
    tenant = make_org()
    conn = moodle_connection(tenant, vault, moodle.url, http_attempts=1)
    _, _, pairs, users = enrolled(tenant, settings, conn, moodle.course, started_days_ago=60)
    site = moodle.site
    if refusal == "function-not-in-service":
        site.services["probe_service"]["functions"].remove(SEND)
    elif refusal == "unknown-user":
        del site.users[int(users["beatriz"])]  # deleted in Moodle after the enrolment
    elif refusal == "privacy":
        site.unreachable.add(int(users["beatriz"]))
    else:
        site.set_messaging(False)
    nudge(tenant, pairs[0])
    counts = notify.deliver()
    rows = lms_rows(tenant)
    beatriz, haruto = rows[pairs[0].mentee_employee_id], rows[pairs[0].mentor_employee_id]
    reason = {
        "function-not-in-service": "accessexception",
        "unknown-user": f"user id ({users['beatriz']}) that doesn't exist",
        "privacy": "due to their message preferences",
        "messaging-off": "Enable messaging system",
    }[refusal]
    assert beatriz.state == "failed" and reason in beatriz.last_error
    if refusal in ("unknown-user", "privacy"):  # only her message was refused; her partner's went
        assert counts == {"sent": 3, "retry": 0, "failed": 1, "recovered": 0} and haruto.state == "sent"
        assert len(site.inbox(int(users["haruto"]))) == 1
    else:
        assert counts == {"sent": 2, "retry": 0, "failed": 2, "recovered": 0} and haruto.state == "failed"
        assert site.messages == []
    make_due(tenant)
    assert notify.deliver() == ZERO  # a refusal is not retried
    assert "<" not in beatriz.last_error  # Moodle's words, without its markup


def test_unsubscribing_and_quiet_hours_apply_to_lms_messages_as_to_email(
    make_org, settings, vault, moodle, smtp_server
):
    tenant = make_org()
    conn = moodle_connection(tenant, vault, moodle.url, http_attempts=1)
    _, people, pairs, users = enrolled(tenant, settings, conn, moodle.course, started_days_ago=60)
    preferences.unsubscribe(tenant, people["beatriz"].id, "nudge")
    hour = datetime.now(ZoneInfo("Asia/Tokyo")).hour
    preferences.save(tenant, people["haruto"].id, set(preferences.CATEGORIES), (hour, (hour + 2) % 24))
    tenant.session.commit()
    nudge(tenant, pairs[0])
    assert notify.deliver() == ZERO  # one unsubscribed, one asleep: nothing goes now, on either channel
    rows = lms_rows(tenant)
    beatriz, haruto = rows[people["beatriz"].id], rows[people["haruto"].id]
    assert beatriz.state == "skipped" and beatriz.last_error == "unsubscribed from nudge"
    assert haruto.state == "queued" and haruto.next_attempt_at.replace(tzinfo=UTC) > datetime.now(UTC)
    make_due(tenant)
    assert notify.deliver()["sent"] == 1  # the quiet hours are over: his LMS copy goes (his email still waits)
    assert moodle.site.inbox(int(users["beatriz"])) == [] and len(moodle.site.inbox(int(users["haruto"]))) == 1


def test_a_participant_without_an_lms_account_gets_email_only(make_org, settings, vault, moodle, smtp_server):
    tenant = make_org()
    conn = moodle_connection(tenant, vault, moodle.url, http_attempts=1)
    _, people, pairs = world(tenant, conn.id, moodle.course, status="active", started_days_ago=60)  # never enrolled
    nudge(tenant, pairs[0])
    assert notify.deliver() == {"sent": 2, "retry": 0, "failed": 0, "recovered": 0}
    assert {r.state for r in lms_rows(tenant).values()} == {"skipped"}
    assert {r.last_error for r in lms_rows(tenant).values()} == {NO_ACCOUNT}
    assert moodle.site.messages == [] and len(smtp_server.inbox.to(people["haruto"].work_email)) == 1


def test_a_message_naming_another_organisations_connection_is_failed_and_sends_nothing(
    make_org, settings, vault, moodle, smtp_server
):
    ours, theirs = make_org(), make_org()
    foreign = moodle_connection(theirs, vault, moodle.url)
    person = make_person(ours, 1)
    ours.session.flush()
    messages.queue_lms(ours, "nudge-x", "nudge", person, foreign.id, "Subject", "Text", "<p>Text</p>", "en")
    ours.session.commit()
    assert notify.deliver() == {"sent": 0, "retry": 0, "failed": 1, "recovered": 0}
    [row] = lms_rows(ours).values()
    assert row.state == "failed" and "not one of this organisation's connections" in row.last_error
    assert moodle.site.messages == [] and moodle.site.calls == {}


def test_a_programme_without_an_lms_course_writes_no_lms_message(make_org, settings, vault, moodle, smtp_server):
    tenant = make_org()
    programme, _, _ = world(tenant, None, None)
    match_review.approve(tenant, programme.id)
    db.session.commit()
    assert notify.deliver()["sent"] == 4 and lms_rows(tenant) == {}


def test_the_connection_test_reports_whether_moodle_messaging_is_allowed(make_org, settings, vault, moodle):
    tenant = make_org()
    conn = moodle_connection(tenant, vault, moodle.url)

    def detail():
        checks = lms_check.check_lms(tenant, settings, vault, tenant.get(type(conn), conn.id), [])
        [check] = [c for c in checks if c.name == f"function {SEND} (optional)"]
        assert check.ok  # optional: its absence never fails the test
        return check.detail

    assert detail() == "send participants Moodle messages"
    moodle.site.set_messaging(False)
    assert "messaging is switched off for the site" in detail()
    moodle.site.set_messaging(True)
    moodle.site.services["probe_service"]["functions"].remove(SEND)
    assert detail().startswith("optional, not in the service: add it")


# -- Canvas ------------------------------------------------------------------------------------------


def test_canvas_nudge_is_a_new_private_conversation_per_partner_in_their_language(
    make_org, settings, vault, canvas, smtp_server
):
    tenant = make_org()
    conn = canvas_connection(tenant, vault, canvas)
    _, people, pairs, users = enrolled(tenant, settings, conn, "1", started_days_ago=60)
    nudge(tenant, pairs[0])
    nudge(tenant, pairs[1])
    assert notify.deliver() == {"sent": 8, "retry": 0, "failed": 0, "recovered": 0}
    assert notify.deliver() == ZERO
    assert len(canvas.conversations) == 4
    rows = lms_rows(tenant)
    for name, person in people.items():
        locale = LOCALES[name]
        [conversation] = canvas.inbox(int(users[name]))
        row = rows[person.id]
        assert conversation["recipients"] == [int(users[name])]  # one person each, never a shared thread
        assert conversation["force_new"] and not conversation["group_conversation"]
        assert conversation["subject"] == row.subject and conversation["body"] == row.body_text
        assert words(locale, "Hello %(name)s,", name=f"{person.first_name} {person.last_name}") in conversation["body"]
        assert row.vendor_ref == str(conversation["id"]) and row.address == f"canvas user {users[name]}"
    for name, role in (("beatriz", "mentor"), ("haruto", "mentee")):
        wording = framing.for_person(people[name], {}, locale=LOCALES[name])
        expected = words(
            LOCALES[name],
            "A reminder from %(programme)s: time to meet your %(role)s",
            programme="Flip 2026",
            role=wording[role],
        )
        assert canvas.inbox(int(users[name]))[0]["subject"] == expected
    assert canvas.inbox(int(users["beatriz"]))[0]["subject"].startswith("Um lembrete")


def test_canvas_throttling_is_retried_with_backoff_without_a_duplicate(make_org, settings, vault, canvas, smtp_server):
    tenant = make_org()
    conn = canvas_connection(tenant, vault, canvas)
    _, _, pairs, users = enrolled(tenant, settings, conn, "1", started_days_ago=60)
    for _ in range(3):  # beyond the request's own three tries: the job's backoff takes over
        canvas.inject(
            "POST",
            "/api/v1/conversations",
            status=429,
            body='{"errors":[{"message":"Rate limit exceeded"}]}',
            headers={"Retry-After": "0"},
        )
    nudge(tenant, pairs[1])
    assert notify.deliver() == {"sent": 2, "retry": 2, "failed": 0, "recovered": 0}
    assert canvas.conversations == {}
    make_due(tenant)
    assert notify.deliver() == {"sent": 2, "retry": 0, "failed": 0, "recovered": 0}
    assert [len(canvas.inbox(int(users[n]))) for n in ("sam", "olivia")] == [1, 1]


def test_a_missing_conversations_scope_is_failed_with_the_reason_and_reported_by_the_connection_test(
    make_org, settings, vault, canvas, smtp_server
):
    tenant = make_org()
    conn = canvas_connection(tenant, vault, canvas)
    _, _, pairs, _ = enrolled(tenant, settings, conn, "1", started_days_ago=60)
    granted = {"url:GET|/api/v1/courses"}  # the key enforces scopes; conversations is not among them

    def optional():
        checks = lms_check.check_lms(tenant, settings, vault, tenant.get(type(conn), conn.id), [])
        [check] = [c for c in checks if c.name == "scope url:POST|/api/v1/conversations (optional)"]
        assert check.ok
        return check.detail

    assert optional() == "send participants Canvas messages"
    canvas.scopes = granted
    assert optional().startswith("optional, not granted: add this scope to the developer key")
    nudge(tenant, pairs[0])
    assert notify.deliver() == {"sent": 2, "retry": 0, "failed": 2, "recovered": 0}
    assert all("lacks the scope" in r.last_error for r in lms_rows(tenant).values())
    assert canvas.conversations == {}
