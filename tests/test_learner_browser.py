"""In a real browser (Debian's Chromium driven by Playwright), in Japanese, Brazilian Portuguese and Arabic, as the
junior mentor and as the executive of a pair: /me/ shows the pair with its framing in the reader's language and no
English left on the page, the pair page is reached without any profile form, the confidentiality agreement is
accepted, and the pair is left with no fault and the offer of a new match.

Every label the test clicks or reads is looked up in the catalogue, so a missing translation fails here.
Screenshots land in test-artifacts/ (not committed); the best ones are copied to docs/screenshots/.
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from plugin.services import framing
from tests.catalogue_text import english_left
from tests.factories import make_active_pair, make_person
from tests.test_admin_browser import ARTIFACTS, browser_page, server  # noqa: F401  (fixtures)


def signed_in_as(app, page, base: str, user: dict) -> None:
    """The session cookie an LTI launch would leave, signed with the app's own serializer."""
    cookie = app.session_interface.get_signing_serializer(app).dumps({"user": user})
    page.context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie, "url": base}])


def say(app, locale: str, message: str, **values) -> str:
    with app.test_request_context(), force_locale(locale.replace("-", "_")):
        return gettext(message, **values)


@pytest.mark.parametrize("locale, direction", [("ja", "ltr"), ("pt-BR", "ltr"), ("ar", "rtl")])
@pytest.mark.parametrize("side", ["executive", "mentor"])
def test_a_partner_reads_the_pair_in_their_language_accepts_the_agreement_and_leaves_with_no_fault(
    app, make_org, server, browser_page, locale, direction, side
):  # noqa: F811
    tenant = make_org()
    mentor = make_person(
        tenant, 1, country="BR", timezone="America/Sao_Paulo", first_name="Bia", last_name="Lima", job_title=""
    )
    executive = make_person(
        tenant, 2, country="JP", timezone="Asia/Tokyo", first_name="Kenji", last_name="Sato", job_title=""
    )
    pair = make_active_pair(tenant, mentor=mentor, mentee=executive, topics=["ai"], objectives="")
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
    page.screenshot(path=str(ARTIFACTS / f"learner-left-{shot}.png"))
    tenant.session.expire_all()
    assert tenant.session.get(type(pair), pair.id).end_reason == "no fault"
