"""In a real browser (Debian's Chromium driven by Playwright): an executive launched in pt-BR opens /me/, reaches the
pair page without any profile form, accepts the confidentiality agreement, and leaves the pair with no fault.

Screenshots land in test-artifacts/ (not committed); the best ones are copied to docs/screenshots/.
"""
from __future__ import annotations

from tests.factories import make_active_pair, make_person
from tests.test_admin_browser import ARTIFACTS, browser_page, server  # noqa: F401  (fixtures)


def signed_in_as(app, page, base: str, user: dict) -> None:
    """The session cookie an LTI launch would leave, signed with the app's own serializer."""
    cookie = app.session_interface.get_signing_serializer(app).dumps({"user": user})
    page.context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie, "url": base}])


def test_an_executive_accepts_the_agreement_and_leaves_with_no_fault(app, make_org, server,  # noqa: F811
                                                                            browser_page):  # noqa: F811
    tenant = make_org()
    mentor = make_person(tenant, 1, country="BR", timezone="America/Sao_Paulo", first_name="Bia", last_name="Lima")
    executive = make_person(tenant, 2, country="JP", timezone="Asia/Tokyo", first_name="Kenji", last_name="Sato")
    pair = make_active_pair(tenant, mentor=mentor, mentee=executive, topics=["ai"], objectives="")
    tenant.session.commit()
    page = browser_page
    page.set_viewport_size({"width": 800, "height": 900})
    signed_in_as(app, page, server, {"organisation_id": tenant.organisation_id, "employee_id": executive.id,
                                     "role": "participant", "locale": "pt-BR"})
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{server}/me/")
    assert page.locator("html").get_attribute("lang") == "pt-BR"
    card = page.locator(f"#pair-{pair.id}")
    assert "Bia Lima" in card.inner_text() and "Vocês têm um idioma de trabalho em comum" in card.inner_text()
    page.screenshot(path=str(ARTIFACTS / "learner-home.png"))

    card.get_by_role("link", name="Bia Lima").click()
    page.wait_for_url(f"**/me/pairs/{pair.id}")
    assert page.locator("#agreement").is_visible()
    page.get_by_role("button", name="Aceito o acordo de confidencialidade").click()
    page.wait_for_selector("text=Obrigado: você aceitou o acordo de confidencialidade.")
    page.screenshot(path=str(ARTIFACTS / "learner-agreement.png"))

    page.get_by_label("Quero encerrar esta dupla").check()
    page.get_by_role("button", name="Sair desta dupla").click()
    page.wait_for_url("**/me/")
    assert "sem culpa de nenhum dos lados" in page.content()
    page.screenshot(path=str(ARTIFACTS / "learner-left.png"))
