"""The confidentiality agreement: shown on the pair page until accepted, each acceptance stored with its version
and time, sessions only once both partners accepted the version in force."""

from __future__ import annotations

import re
from datetime import date

import pytest

from plugin.errors import NotAgreed
from plugin.models import (
    RUNNING_PAIR,
    AgreementAcceptance,
    AuditEvent,
    ExtensionProposal,
    Pair,
    Programme,
    Reflection,
    SessionLog,
)
from plugin.services import agreements, sessions
from tests.factories import make_person
from tests.test_learner_home import accept_agreement, world  # noqa: F401  (the fixture)
from tests.test_page_language import launch

AGREEMENT = "守秘義務に関する合意"


def page_of(client, pair):
    return client.get(f"/me/pairs/{pair.id}").get_data(as_text=True)


def test_the_pair_page_shows_the_agreement_until_each_partner_accepts(client, world):  # noqa: F811
    tenant, pair, _ = world
    launch(client, tenant, pair.mentee_employee_id, "ja")
    before = page_of(client, pair)
    assert AGREEMENT in before and "第1版" in before and f"/me/pairs/{pair.id}/sessions" not in before
    accepted = accept_agreement(client, tenant, pair, "mentee").get_data(as_text=True)
    assert "守秘義務に関する合意に同意しました" in accepted and "パートナーはまだ同意していません" in accepted
    assert f"/me/pairs/{pair.id}/agreement" not in accepted  # no second button
    accept_agreement(client, tenant, pair, "mentor", "pt-BR")
    launch(client, tenant, pair.mentee_employee_id, "ja")
    after = page_of(client, pair)
    assert AGREEMENT not in after and f"/me/pairs/{pair.id}/sessions" in after
    rows = sorted(tenant.all(AgreementAcceptance), key=lambda r: r.role)
    assert [(r.employee_id, r.role, r.version) for r in rows] == [
        (pair.mentee_employee_id, "mentee", 1),
        (pair.mentor_employee_id, "mentor", 1),
    ]
    assert all(r.accepted_at is not None for r in rows)
    assert tenant.count(AuditEvent, AuditEvent.action == "agreement.accepted") == 2


def test_accepting_twice_is_stored_once(client, world):  # noqa: F811
    tenant, pair, _ = world
    launch(client, tenant, pair.mentor_employee_id, "ja")
    page = page_of(client, pair)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    for _ in range(2):  # a double click, or the form sent again with the back button
        client.post(f"/me/pairs/{pair.id}/agreement", data={"csrf_token": token, "version": "1"})
    assert tenant.count(AgreementAcceptance) == 1


def test_a_stale_or_forged_version_is_refused_and_nothing_is_stored(client, world):  # noqa: F811
    tenant, pair, _ = world
    launch(client, tenant, pair.mentor_employee_id, "ar")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page_of(client, pair)).group(1)
    for version in ("0", "2", "abc", ""):
        refused = client.post(
            f"/me/pairs/{pair.id}/agreement", data={"csrf_token": token, "version": version}, follow_redirects=True
        ).get_data(as_text=True)
        assert "تغيّرت الاتفاقية منذ أن فتحتها" in refused, version
    assert tenant.count(AgreementAcceptance) == 0


def test_no_session_before_both_accept(client, world):  # noqa: F811
    tenant, pair, _ = world
    accept_agreement(client, tenant, pair, "mentor")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page_of(client, pair)).group(1)
    refused = client.post(
        f"/me/pairs/{pair.id}/sessions",
        data={
            "csrf_token": token,
            "held_on": "2026-01-02",
            "minutes": "40",
            "topics": "ai",
            "back": f"/me/pairs/{pair.id}",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "最初のセッションの前に、お二人とも守秘義務に関する合意に同意してください。" in refused
    assert tenant.count(SessionLog) == 0


def test_a_new_version_is_shown_again_and_needs_a_new_acceptance(client, world):  # noqa: F811
    tenant, pair, _ = world
    accept_agreement(client, tenant, pair, "mentor")
    accept_agreement(client, tenant, pair, "mentee")
    programme = tenant.get(Programme, pair.programme_id)
    programme.agreement_text, programme.agreement_version = "Chatham House rules apply.", 2
    tenant.session.commit()
    page = page_of(client, pair)
    assert "Chatham House rules apply." in page and "第2版" in page
    accept_agreement(client, tenant, pair, "mentee")
    assert sorted(r.version for r in tenant.all(AgreementAcceptance)) == [1, 1, 2]


def test_someone_outside_the_pair_cannot_accept_for_it(client, world):  # noqa: F811
    tenant, pair, _ = world
    outsider = make_person(tenant, 77)
    tenant.session.commit()
    launch(client, tenant, pair.mentor_employee_id, "ja")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page_of(client, pair)).group(1)
    launch(client, tenant, outsider.id, "ja")
    with client.session_transaction() as s:
        s["csrf_token"] = s.get("csrf_token") or token
    response = client.post(f"/me/pairs/{pair.id}/agreement", data={"csrf_token": token, "version": "1"})
    assert response.status_code in (403, 404)
    assert tenant.count(AgreementAcceptance) == 0


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("sessions", {"held_on": "2026-01-02", "minutes": "40", "topics": "ai"}),
        ("cancellations", {"planned_on": "2026-01-02"}),
        ("reflections", {"final": "1", "q1": "4", "q2": "5", "q3": "3", "text": "Aprendi"}),
        ("extension", {}),
    ],
)
def test_a_forged_post_before_both_accept_is_refused_and_stores_nothing(client, world, path, form):  # noqa: F811
    """The form is not on the page yet, but a partner who sends the request by hand is refused by the service."""
    tenant, pair, _ = world
    accept_agreement(client, tenant, pair, "mentor", "pt-BR")  # the partner has not accepted
    token = re.search(r'name="csrf_token" value="([^"]+)"', page_of(client, pair)).group(1)
    refused = client.post(
        f"/me/pairs/{pair.id}/{path}",
        data={"csrf_token": token, "back": f"/me/pairs/{pair.id}", **form},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Vocês dois aceitam o acordo de confidencialidade antes da primeira sessão." in refused
    assert (tenant.count(SessionLog), tenant.count(Reflection), tenant.count(ExtensionProposal)) == (0, 0, 0)


def test_jobs_and_the_demo_calling_the_service_obey_the_agreement_too(world):  # noqa: F811
    """No caller can go around the rule: the service itself refuses, with the error tree's NotAgreed (409)."""
    tenant, pair, _ = world
    agreements.accept(tenant, pair.id, pair.mentee_employee_id, 1)
    with pytest.raises(NotAgreed) as refused:
        sessions.log_session(tenant, pair.id, pair.mentee_employee_id, date.today(), 45, [])
    assert refused.value.status == 409 and refused.value.errors == {"agreement": "missing"}
    agreements.accept(tenant, pair.id, pair.mentor_employee_id, 1)
    held = sessions.log_session(tenant, pair.id, pair.mentee_employee_id, date.today(), 45, [])
    assert sessions.confirm_session(tenant, held.id, pair.mentor_employee_id).status == "confirmed"


def test_leaving_needs_no_agreement(client, world):  # noqa: F811
    """The no-fault exit stays open to a partner who never accepted: nobody is held in a pair by the rule."""
    tenant, pair, _ = world
    launch(client, tenant, pair.mentee_employee_id, "ja")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page_of(client, pair)).group(1)
    client.post(f"/me/pairs/{pair.id}/leave", data={"csrf_token": token, "confirm": "1"})
    tenant.session.expire_all()
    assert tenant.get(Pair, pair.id).status not in RUNNING_PAIR
