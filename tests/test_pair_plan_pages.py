"""The plan on the pair page: both partners edit it in their own language, the form needs its CSRF token, a
javascript: link is refused with a message in the page's language, and nobody else reaches it."""

from __future__ import annotations

import re

from plugin.models import AuditEvent, PairPlan, PreRead
from plugin.services import admin_login, pair_plans
from tests.factories import make_person
from tests.test_learner_home import accept_agreement, world  # noqa: F401  (the fixture)
from tests.test_page_language import launch

GOAL = "取締役会向けにAIのリスクを説明できるようになる"


def token_of(client, pair):
    page = client.get(f"/me/pairs/{pair.id}").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def post(client, path, token, **form):
    return client.post(path, data={"csrf_token": token, **form}, follow_redirects=True)


def both_agreed(client, tenant, pair):
    accept_agreement(client, tenant, pair, "mentee", "ja")
    accept_agreement(client, tenant, pair, "mentor", "pt-BR")


def test_both_partners_edit_the_plan_each_in_their_language(client, world):  # noqa: F811
    tenant, pair, _ = world
    both_agreed(client, tenant, pair)
    launch(client, tenant, pair.mentee_employee_id, "ja")
    saved = post(client, f"/me/pairs/{pair.id}/plan", token_of(client, pair), goals=GOAL, agenda="1. 自己紹介")
    html = saved.get_data(as_text=True)
    assert "保存しました：目標とアジェンダ" in html and GOAL in html and "二人だけが見られます" in html
    launch(client, tenant, pair.mentor_employee_id, "pt-BR")
    token = token_of(client, pair)
    shared = post(
        client, f"/me/pairs/{pair.id}/pre-reads", token, title="Guia de prompts", url="https://example.org/guia"
    ).get_data(as_text=True)
    assert "Compartilhado: seu parceiro vê a leitura prévia." in shared and "Leituras prévias" in shared
    assert GOAL in shared and 'href="https://example.org/guia"' in shared
    launch(client, tenant, pair.mentee_employee_id, "ja")
    assert "Guia de prompts" in client.get(f"/me/pairs/{pair.id}").get_data(as_text=True)


def test_a_javascript_link_is_refused_in_the_pages_language(client, world):  # noqa: F811
    tenant, pair, _ = world
    both_agreed(client, tenant, pair)
    launch(client, tenant, pair.mentor_employee_id, "pt-BR")
    token = token_of(client, pair)
    for url in ("javascript:alert(document.cookie)", "http://example.org", "jAvAsCrIpT:alert(1)"):
        html = post(
            client, f"/me/pairs/{pair.id}/pre-reads", token, title="x", url=url, back=f"/me/pairs/{pair.id}"
        ).get_data(as_text=True)
        assert "Informe um link que comece com https://" in html, url
        assert "javascript:" not in html.lower()
    launch(client, tenant, pair.mentee_employee_id, "ja")
    html = post(
        client, f"/me/pairs/{pair.id}/plan", token_of(client, pair), goals="g" * 2001, back=f"/me/pairs/{pair.id}"
    ).get_data(as_text=True)
    assert "2000" in html and "目標" in html and tenant.count(PairPlan) == 0 and tenant.count(PreRead) == 0


def test_without_the_csrf_token_nothing_is_saved(client, world):  # noqa: F811
    tenant, pair, _ = world
    both_agreed(client, tenant, pair)
    launch(client, tenant, pair.mentor_employee_id, "ja")
    token_of(client, pair)
    for data in ({}, {"csrf_token": "forged"}):
        answer = client.post(f"/me/pairs/{pair.id}/plan", data={**data, "goals": "forged"})
        assert answer.status_code in (400, 403)
    assert tenant.count(PairPlan) == 0


def test_a_non_partner_a_coordinator_and_hr_do_not_reach_the_plan(client, world):  # noqa: F811
    tenant, pair, _ = world
    both_agreed(client, tenant, pair)
    launch(client, tenant, pair.mentor_employee_id, "ja")
    post(client, f"/me/pairs/{pair.id}/plan", token_of(client, pair), goals="private goal")
    read = pair_plans.add_pre_read(tenant, pair.id, pair.mentor_employee_id, "private read", "https://example.org")
    tenant.session.commit()
    outsider = make_person(tenant, 9)
    tenant.session.commit()
    for role in ("participant", "coordinator"):
        with client.session_transaction() as s:
            s["user"] = {
                "organisation_id": tenant.organisation_id,
                "employee_id": outsider.id,
                "role": role,
                "locale": "ja",
            }
            s["csrf_token"] = "t"
        assert client.get(f"/me/pairs/{pair.id}").status_code == 404
        for path, form in (
            (f"/me/pairs/{pair.id}/plan", {"goals": "taken over"}),
            (f"/me/pairs/{pair.id}/pre-reads", {"title": "spam", "url": "https://evil.example"}),
            (f"/me/pairs/{pair.id}/pre-reads/{read.id}/remove", {}),
        ):
            assert client.post(path, data={"csrf_token": "t", **form}).status_code == 404, (role, path)
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(tenant.organisation_id)
    assert client.get(f"/me/pairs/{pair.id}").status_code in (403, 404)
    for path in (
        f"/admin/programmes/{pair.programme_id}/",
        f"/admin/programmes/{pair.programme_id}/health",
        f"/admin/programmes/{pair.programme_id}/participants",
        f"/admin/programmes/{pair.programme_id}/participants.csv",
        f"/admin/programmes/{pair.programme_id}/matches",
        "/admin/audit",
    ):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert "private" not in answer.get_data(as_text=True), path
    assert tenant.all(PairPlan)[0].goals == "private goal" and tenant.count(PreRead) == 1
    assert tenant.count(AuditEvent, AuditEvent.action.like("pre_read.%")) == 1
