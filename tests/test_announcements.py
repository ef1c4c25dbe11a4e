"""People hear from Flipside: the pairing announcement on approval and HR's nudge, in each reader's words."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from flask_babel import force_locale, gettext

from plugin.db import db
from plugin.errors import ValidationError
from plugin.jobs import notify
from plugin.models import Pair, Programme
from plugin.services import announcements, framing, match_review, pair_health
from tests.factories import REASONS, make_active_pair, make_person
from tests.smtp_server import LoopbackSmtp, stored_messages


@pytest.fixture
def smtp_server(app):
    with LoopbackSmtp() as server:
        app.config["FLIPSIDE"] = replace(app.config["FLIPSIDE"], smtp_url=server.url)
        yield server


def proposed_programme(tenant):
    """Two proposed pairs: a Japanese mentor with a Brazilian executive, and two English speakers."""
    programme = tenant.add(
        Programme(
            name="Flip 2026",
            cadence_days=14,
            session_minutes=45,
            duration_weeks=26,
            max_extensions=1,
            extension_weeks=12,
            status="matching",
            objectives="Learn together",
        )
    )
    people = {
        "haruto": make_person(
            tenant,
            1,
            first_name="Haruto",
            last_name="Sato",
            country="JP",
            region="Asia",
            timezone="Asia/Tokyo",
            preferred_language="ja",
            job_level=2,
        ),
        "beatriz": make_person(
            tenant,
            2,
            first_name="Beatriz",
            last_name="Lima",
            country="BR",
            region="Americas",
            timezone="America/Sao_Paulo",
            job_level=8,
        ),
        "sam": make_person(
            tenant,
            3,
            first_name="Sam",
            last_name="Reed",
            country="US",
            region="Americas",
            timezone="America/Chicago",
            job_level=2,
        ),
        "olivia": make_person(
            tenant,
            4,
            first_name="Olivia",
            last_name="Hart",
            country="GB",
            region="Europe",
            timezone="Europe/London",
            job_level=9,
        ),
    }
    tenant.session.flush()
    for mentor, mentee in (("haruto", "beatriz"), ("sam", "olivia")):
        tenant.add(
            Pair(
                programme_id=programme.id,
                mentor_employee_id=people[mentor].id,
                mentee_employee_id=people[mentee].id,
                status="proposed",
                score=0.8,
                explanation=REASONS,
            )
        )
    tenant.session.commit()
    return programme, people


def words(locale, message_id, **values):
    with force_locale(locale.replace("-", "_")):
        return gettext(message_id, **values)


def test_approval_tells_both_partners_in_their_language_and_framing(make_org, smtp_server):
    tenant = make_org()
    programme, people = proposed_programme(tenant)
    match_review.approve(tenant, programme.id)
    db.session.commit()
    assert notify.deliver()["sent"] == 4
    inbox = smtp_server.inbox
    assert sorted(m["To"] for m in inbox.received) == sorted(p.work_email for p in people.values())
    expect = {
        "haruto": ("ja", "beatriz", "mentee"),
        "beatriz": ("pt-BR", "haruto", "mentor"),
        "sam": ("en", "olivia", "mentee"),
        "olivia": ("en", "sam", "mentor"),
    }
    for name, (locale, partner, partner_role) in expect.items():
        [mail] = inbox.to(people[name].work_email)
        wording = framing.for_person(people[name], programme.framing, locale=locale)
        text = mail.get_body(("plain",)).get_content()
        assert mail["Content-Language"] == locale
        assert wording.relationship in mail["Subject"] and people[partner].first_name in mail["Subject"]
        assert words(locale, "Hello %(name)s,", name=f"{people[name].first_name} {people[name].last_name}") in text
        assert wording[partner_role] in text and "Flip 2026" in text
        assert words(locale, "you share a working language") in text
        assert "/me/pairs/" in text and mail["List-Unsubscribe"] is None  # the announcement is transactional
        assert mail["Message-ID"].startswith("<") and mail["Message-ID"].endswith(">")
    ja = inbox.to(people["haruto"].work_email)[0]
    assert "知識" in ja["Subject"] or "パートナー" in ja["Subject"]  # Japanese, not English, framing words
    assert "knowledge exchange" not in ja.get_body(("plain",)).get_content()
    pt = inbox.to(people["beatriz"].work_email)[0].get_body(("plain",)).get_content()
    assert pt.startswith("Olá, Beatriz Lima,") and "Sua primeira sessão sugerida" in pt
    olivia = inbox.to(people["olivia"].work_email)[0]
    assert olivia["Subject"] == "Your reverse mentoring partner: Sam Reed"  # the UK framing
    assert "senior mentee" not in olivia.get_body(("plain",)).get_content()  # her partner is the mentor
    assert "as your reverse mentor." in olivia.get_body(("plain",)).get_content()


def test_an_approval_that_rolls_back_tells_nobody_and_a_repeat_tells_nobody_twice(make_org, smtp_server):
    tenant = make_org()
    programme, _ = proposed_programme(tenant)
    match_review.approve(tenant, programme.id)
    db.session.rollback()
    assert stored_messages().count() == 0
    ids = match_review.approve(tenant, programme.id)
    db.session.commit()
    announcements.announce_pairs(tenant, ids)  # asked again (a retried request): the same receipts
    db.session.commit()
    notify.deliver()
    assert stored_messages().count() == 4 and len(smtp_server.inbox.received) == 4


def test_hrs_nudge_reaches_both_partners_once_per_period(make_org, smtp_server):
    tenant = make_org()
    mentor = make_person(tenant, 1, first_name="Ana", country="BR", timezone="America/Sao_Paulo")
    mentee = make_person(tenant, 2, first_name="Kenji", country="JP", timezone="Asia/Tokyo", job_level=8)
    pair = make_active_pair(tenant, mentor=mentor, mentee=mentee, started_days_ago=60)
    db.session.commit()
    today = date.today()
    pair_health.nudge(tenant, pair.id, today=today)
    db.session.commit()
    with pytest.raises(ValidationError, match="already nudged"):
        pair_health.nudge(tenant, pair.id, today=today + timedelta(days=3))
    db.session.rollback()
    addresses, kenji_words = (mentor.work_email, mentee.work_email), framing.for_person(mentee, {}, locale="ja")
    assert notify.deliver()["sent"] == 2
    ana, kenji = (smtp_server.inbox.to(a) for a in addresses)
    assert len(ana) == len(kenji) == 1
    assert ana[0]["Content-Language"] == "pt-BR" and "Kenji" in ana[0].get_body(("plain",)).get_content()
    assert kenji[0]["Content-Language"] == "ja" and "Ana" in kenji[0].get_body(("plain",)).get_content()
    assert (
        words(
            "ja",
            "A reminder from %(programme)s: time to meet your %(role)s",
            programme="Flip 2026",
            role=kenji_words.mentor,
        )
        == kenji[0]["Subject"]
    )
