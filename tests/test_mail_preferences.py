"""One-click unsubscribe (RFC 8058), per-person preferences under /me/, quiet hours, and the /dev/mail mailbox."""

import re
from dataclasses import replace
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from plugin import create_app
from plugin.config import from_environment
from plugin.db import db
from plugin.jobs import notify
from plugin.models import MessagePreference, OutboundMessage, utcnow
from plugin.services import messages, preferences
from plugin.services.tenant import Tenant
from plugin.vault import generate_key
from tests.factories import make_person
from tests.smtp_server import LoopbackSmtp, one, stored_messages

BASE = "https://flipside.example.com"


@pytest.fixture
def smtp_server(app):
    with LoopbackSmtp() as server:
        app.config["FLIPSIDE"] = replace(
            app.config["FLIPSIDE"], smtp_url=server.url, base_url=BASE, mail_from="Flipside <programme@example.org>"
        )
        yield server


def write(tenant, person, key, category="nudge"):
    return messages.queue_email(tenant, key, category, person, f"Subject {key}", "Plain", "<p>HTML</p>", "en")


def stored_preferences():
    return db.session.query(MessagePreference).execution_options(all_tenants=True).all()


def aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_a_nudge_carries_one_click_headers_and_their_post_unsubscribes_with_no_login(make_org, smtp_server, client):
    tenant = make_org()
    ada = make_person(tenant, 1)
    write(tenant, ada, "nudge-1")
    write(tenant, ada, "pair-approved-1", category="pairing")
    db.session.commit()
    assert notify.deliver()["sent"] == 2
    (nudge,) = [m for m in smtp_server.inbox.received if m["Subject"] == "Subject nudge-1"]
    (announcement,) = [m for m in smtp_server.inbox.received if m["Subject"] == "Subject pair-approved-1"]
    assert announcement["List-Unsubscribe"] is None and announcement["List-Unsubscribe-Post"] is None
    assert nudge["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = re.findall(r"<([^>]+)>", nudge["List-Unsubscribe"])
    assert https.startswith(f"{BASE}/unsubscribe/") and mailto.startswith("mailto:programme@example.org?subject=")
    path = https[len(BASE) :]
    assert client.get(path).status_code == 200 and stored_preferences() == []  # a GET (a link scanner) changes nothing
    answer = client.post(path, data={"List-Unsubscribe": "One-Click"})  # no session, no CSRF token: RFC 8058
    assert answer.status_code == 200
    [stored] = stored_preferences()
    assert (stored.employee_id, stored.unsubscribed) == (ada.id, ["nudge"])
    client.post(path, data={"List-Unsubscribe": "One-Click"})  # a second click is the same as one
    assert [p.unsubscribed for p in stored_preferences()] == [["nudge"]]
    tenant = Tenant(db.session, tenant.organisation_id)  # jobs ran: the test's session is a new one
    later = write(tenant, ada, "nudge-2")
    again = write(tenant, ada, "pair-approved-2", category="pairing")
    db.session.commit()
    assert notify.deliver()["sent"] == 1  # the transactional one only
    assert (one(later.id).state, one(later.id).last_error) == ("skipped", "unsubscribed from nudge")
    assert one(again.id).state == "sent"


def test_an_unsubscribe_after_writing_still_stops_the_send(make_org, smtp_server):
    tenant = make_org()
    ada = make_person(tenant, 1)
    row = write(tenant, ada, "nudge-1")
    preferences.unsubscribe(tenant, ada.id, "nudge")
    db.session.commit()
    assert notify.deliver() == {"sent": 0, "retry": 0, "failed": 0, "recovered": 0}
    assert one(row.id).state == "skipped" and smtp_server.inbox.received == []


def test_forged_tampered_or_malformed_unsubscribes_change_nothing(make_org, app, client):
    tenant, other = make_org(), make_org()
    ada, bob = make_person(tenant, 1), make_person(other, 2)
    db.session.commit()
    key = app.config["SECRET_KEY"]
    forged = preferences.token("not-our-secret", tenant.organisation_id, ada.id, "nudge")
    assert client.post(f"/unsubscribe/{forged}", data={"List-Unsubscribe": "One-Click"}).status_code == 403
    assert client.post("/unsubscribe/garbage", data={"List-Unsubscribe": "One-Click"}).status_code == 403
    transactional = preferences.token(key, tenant.organisation_id, ada.id, "pairing")
    assert client.post(f"/unsubscribe/{transactional}", data={"List-Unsubscribe": "One-Click"}).status_code == 400
    crossed = preferences.token(key, tenant.organisation_id, bob.id, "nudge")  # Bob is not in this organisation
    assert client.post(f"/unsubscribe/{crossed}", data={"List-Unsubscribe": "One-Click"}).status_code == 404
    good = preferences.token(key, tenant.organisation_id, ada.id, "nudge")
    assert client.post(f"/unsubscribe/{good}", data={"List-Unsubscribe": "yes"}).status_code == 400
    assert stored_preferences() == []


def test_a_message_due_in_quiet_hours_waits_for_their_end_in_the_recipients_zone(make_org, smtp_server):
    tenant = make_org()
    kenji = make_person(tenant, 1, timezone="Asia/Tokyo", first_name="Kenji")
    hour = utcnow().astimezone(ZoneInfo("Asia/Tokyo")).hour
    preferences.save(tenant, kenji.id, {"nudge", "reminder"}, (hour, (hour + 2) % 24))
    db.session.commit()
    row = write(tenant, kenji, "nudge-1")
    db.session.commit()
    until = aware(one(row.id).next_attempt_at).astimezone(ZoneInfo("Asia/Tokyo"))
    assert (until.hour, until.minute) == ((hour + 2) % 24, 0) and timedelta(hours=1) < until - utcnow() <= timedelta(
        hours=2
    )
    assert notify.deliver()["sent"] == 0 and one(row.id).state == "queued"  # deferred, not dropped
    db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == row.id)
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        .execution_options(all_tenants=True)
    )
    db.session.commit()
    assert notify.deliver()["sent"] == 1 and len(smtp_server.inbox.to(kenji.work_email)) == 1


def launch(client, tenant, employee_id):
    with client.session_transaction() as s:
        s["user"] = {
            "organisation_id": tenant.organisation_id,
            "employee_id": employee_id,
            "role": "participant",
            "locale": "pt-BR",
        }


def test_the_preferences_page_stores_categories_and_quiet_hours(make_org, client):
    tenant = make_org()
    bia = make_person(tenant, 1, country="BR", timezone="America/Sao_Paulo")
    db.session.commit()
    launch(client, tenant, bia.id)
    page = client.get("/me/messages").get_data(as_text=True)
    assert "Lembretes de sessão e convites de calendário" in page and "Horário de silêncio" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/me/messages", data={"category": "reminder"}).status_code == 403  # CSRF applies here
    assert (
        client.post(
            "/me/messages", data={"csrf_token": token, "category": "reminder", "quiet_start": "25", "quiet_end": "7"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/me/messages", data={"csrf_token": token, "category": "reminder", "quiet_start": "x", "quiet_end": "7"}
        ).status_code
        == 400
    )
    assert stored_preferences() == []
    answer = client.post(
        "/me/messages",
        data={"csrf_token": token, "category": ["reminder", "pairing"], "quiet_start": "22", "quiet_end": "7"},
    )
    assert answer.status_code == 303
    [stored] = stored_preferences()
    assert (stored.quiet_start_hour, stored.quiet_end_hour) == (22, 7)
    assert stored.unsubscribed == [
        "cancellations",
        "confirmation",
        "digest",
        "extension",
        "invitation",
        "nudge",
    ]  # all but the one kept


def test_the_development_mailbox_shows_what_was_sent_and_production_has_none(make_org, smtp_server, client, tmp_path):
    tenant = make_org()
    write(tenant, make_person(tenant, 1), "nudge-1")
    db.session.commit()
    notify.deliver()
    listing = client.get("/dev/mail/").get_data(as_text=True)
    [row] = stored_messages().all()
    assert "Subject nudge-1" in listing and "ada1@example.com" in listing and "sent" in listing
    assert "Plain" in client.get(f"/dev/mail/{row.id}").get_data(as_text=True)
    assert client.get("/dev/mail/999999").status_code == 404
    production = create_app(
        from_environment(
            {
                "FLIPSIDE_ENV": "production",
                "FLIPSIDE_SECRET_KEY": "s" * 40,
                "FLIPSIDE_ENCRYPTION_KEYS": generate_key(),
                "FLIPSIDE_BASE_URL": BASE,
                "FLIPSIDE_INSTANCE_PATH": str(tmp_path),
            }
        )
    )
    assert not [r.rule for r in production.url_map.iter_rules() if r.rule.startswith("/dev/mail")]
    assert production.test_client().get("/dev/mail/").status_code == 404
