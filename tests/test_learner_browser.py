"""In a real browser (Debian's Chromium driven by Playwright), in Japanese, Brazilian Portuguese and Arabic, as the
junior mentor and as the executive of a pair: /me/ shows the pair with its framing in the reader's language and no
English left on the page, the pair page is reached without any profile form and shows the preparation read back
from the LMS (the Moodle emulator), the confidentiality agreement is accepted, and the pair is left with no fault:
the executive's panel refills with a new mentor on /me/, the junior mentor is told a new match will be offered.

Every label the test clicks or reads is looked up in the catalogue, so a missing translation fails here.
Screenshots land in test-artifacts/ (not committed); the best ones are copied to docs/screenshots/.
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from plugin.connectors.moodle import MoodleConnector
from plugin.models import HELD_PAIR, Pair, Participant, Programme
from plugin.services import framing, preparation
from plugin.services.receipts import Receipts
from tests.catalogue_text import english_left
from tests.factories import make_active_pair, make_person
from tests.lms_fixtures import STUDENT_ROLE, TOKEN, moodle_connection, moodle_emulator  # noqa: F401  (fixture)
from tests.test_admin_browser import ARTIFACTS, browser_page, server  # noqa: F401  (fixtures)


def signed_in_as(app, page, base: str, user: dict) -> None:
    """The session cookie an LTI launch would leave, signed with the app's own serializer."""
    cookie = app.session_interface.get_signing_serializer(app).dumps({"user": user})
    page.context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie, "url": base}])


def say(app, locale: str, message: str, **values) -> str:
    with app.test_request_context(), force_locale(locale.replace("-", "_")):
        return gettext(message, **values)


def prepared_in_moodle(tenant, vault, emulator, pair, lms_users: dict[int, int]) -> dict[str, int]:
    """The programme's course in the Moodle emulator with two preparation activities for both roles; each
    partner has done the first one in Moodle, and Flipside has read that back."""
    site, course = emulator.site, int(emulator.course)
    site.services["probe_service"]["functions"] += [
        "core_course_get_contents",
        "core_completion_get_activities_completion_status",
    ]
    conn = moodle_connection(tenant, vault, emulator.url)
    programme = tenant.get(Programme, pair.programme_id)
    programme.lms_connection_id, programme.lms_course_id = conn.id, str(course)
    tenant.session.flush()
    receipts = Receipts.for_connection(tenant, conn.id, pair.id)
    for employee_id, lms_user in lms_users.items():  # enrolled earlier: their Moodle accounts are known
        receipts.once("user", f"user:{employee_id}", lambda u=lms_user: str(u))
        site.enrol(course, lms_user, STUDENT_ROLE, False)
    modules = {name: site.add_module(course, name) for name in ("RM-101", "RM-102")}
    lms = MoodleConnector(emulator.url, TOKEN)
    chosen = [str(modules["RM-101"]), str(modules["RM-102"])]
    preparation.choose(tenant, lms, pair.programme_id, {"mentor": chosen, "mentee": chosen}, "hr:test")
    for lms_user in lms_users.values():
        site.complete_module(modules["RM-101"], lms_user)
    preparation.read_back(tenant, lms, pair.id)
    return modules


@pytest.mark.parametrize("locale, direction", [("ja", "ltr"), ("pt-BR", "ltr"), ("ar", "rtl")])
@pytest.mark.parametrize("side", ["executive", "mentor"])
def test_a_partner_reads_the_pair_and_preparation_in_their_language_accepts_the_agreement_and_leaves_with_no_fault(
    app, vault, make_org, server, browser_page, moodle_emulator, locale, direction, side
):  # noqa: F811
    tenant = make_org()
    person = {"job_title": "", "languages": ["en"]}
    mentor = make_person(
        tenant,
        1,
        country="BR",
        timezone="America/Sao_Paulo",
        first_name="Bia",
        last_name="Lima",
        **person,
        preferred_language="pt",
        job_level=2,
    )
    executive = make_person(
        tenant,
        2,
        country="JP",
        timezone="Asia/Tokyo",
        first_name="Kenji",
        last_name="Sato",
        **person,
        preferred_language="ja",
        job_level=8,
    )
    spare = make_person(  # opted in, unpaired: the executive's panel refills with her
        tenant,
        3,
        country="IN",
        timezone="Asia/Kolkata",
        first_name="Ananya",
        last_name="Rao",
        **person,
        preferred_language="hi",
        job_level=2,
    )
    pair = make_active_pair(tenant, mentor=mentor, mentee=executive, topics=["ai"], objectives="")
    for member, role in ((mentor, "mentor"), (executive, "mentee"), (spare, "mentor")):
        tenant.add(Participant(programme_id=pair.programme_id, employee_id=member.id, role=role))
    prepared_in_moodle(tenant, vault, moodle_emulator, pair, {mentor.id: 3, executive.id: 2})
    tenant.session.commit()
    me, partner = (executive, mentor) if side == "executive" else (mentor, executive)
    partner_role = "mentor" if side == "executive" else "mentee"
    with app.test_request_context():
        wording = framing.for_person(me, None, locale=locale.replace("-", "_"))
    page = browser_page
    page.set_viewport_size({"width": 800, "height": 900})
    signed_in_as(
        app,
        page,
        server,
        {"organisation_id": tenant.organisation_id, "employee_id": me.id, "role": "participant", "locale": locale},
    )
    ARTIFACTS.mkdir(exist_ok=True)
    shot = f"{locale}-{side}"

    page.goto(f"{server}/me/")
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == (locale, direction)
    card = page.locator(f"#pair-{pair.id}")
    text = card.inner_text()
    assert partner.first_name in text and wording[partner_role].lower() in text.lower()
    assert say(app, locale, "Why you were matched") in text
    assert english_left(page.locator("body").inner_text(), locale) == []
    page.screenshot(path=str(ARTIFACTS / f"learner-home-{shot}.png"))

    card.get_by_role("link", name=f"{partner.first_name} {partner.last_name}").click()
    page.wait_for_url(f"**/me/pairs/{pair.id}")
    assert page.locator("#agreement").is_visible()  # reached with no profile form in the way
    assert wording.relationship in page.locator("#framing").inner_text()
    prepared = page.locator("#preparation").inner_text()  # read back from Moodle: RM-101 done, RM-102 not yet
    assert say(app, locale, "Preparation before the first session") in prepared
    steps = {line.split(":")[0].strip(): line for line in prepared.splitlines() if line.startswith("RM-")}
    assert say(app, locale, "done") in steps["RM-101"] and say(app, locale, "not done yet") in steps["RM-102"]
    assert english_left(page.locator("body").inner_text(), locale) == []
    page.get_by_role("button", name=say(app, locale, "I accept the confidentiality agreement")).click()
    accepted = say(app, locale, "You accepted. Your partner has not accepted yet; sessions start once you both have.")
    page.wait_for_selector(f"text={accepted}")
    page.screenshot(path=str(ARTIFACTS / f"learner-agreement-{shot}.png"))

    page.get_by_label(say(app, locale, "I want to end this pair")).check()
    page.get_by_role("button", name=say(app, locale, "Leave this pair")).click()
    page.wait_for_url("**/me/")
    ended = say(
        app,
        locale,
        "Your pair with %(name)s has ended, with no fault on either side. You stay in the "
        "programme and will be offered a new match.",
        name="\0",
    )
    body = page.locator(".card.ended").inner_text()
    assert all(part.strip() in body for part in ended.split("\0")) and partner.first_name in body
    assert page.locator(f"#pair-{pair.id}").count() == 0
    assert english_left(page.locator("body").inner_text(), locale) == []
    tenant.session.expire_all()
    assert tenant.session.get(type(pair), pair.id).end_reason == "no fault"
    refilled = tenant.all(Pair, Pair.mentee_employee_id == executive.id, Pair.status.in_(HELD_PAIR))
    assert [p.mentor_employee_id for p in refilled] == [spare.id]  # the executive's panel refilled
    if side == "executive":  # the rematch is on their home page at once: the new mentor's card
        new_card = page.locator(f"#pair-{refilled[0].id}")
        assert spare.first_name in new_card.inner_text()
    page.screenshot(path=str(ARTIFACTS / f"learner-left-{shot}.png"))
