"""Impact while it matters: before outcomes can be measured, HR's impact page leads with momentum and
reflection answers by month (small months suppressed, no text), and each outcome not yet due takes one line."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from plugin.domain.impact import add_months
from plugin.domain.momentum import momentum
from plugin.domain.pair_health import PairHealth
from plugin.models import Programme, Reflection
from plugin.services import admin_login, reflections, sessions
from plugin.services import momentum as leading
from tests.factories import make_active_pair, make_person


def _health(expected, logged, confirmed, cancels):
    return PairHealth(1, "healthy", expected, logged, None, None, cancels, (), False, confirmed=confirmed)


def test_momentum_adds_up_the_pairs():
    found = momentum([_health(4, 3, 2, 0), _health(4, 1, 1, 2), _health(2, 0, 0, 3)])
    assert (found.pairs, found.expected_sessions, found.held_sessions, found.logged_sessions) == (3, 10, 3, 4)
    assert found.cadence_rate == pytest.approx(0.3) and found.confirmation_rate == pytest.approx(0.75)
    assert (found.executive_cancellations, found.pairs_with_repeated_cancellations) == (5, 2)
    empty = momentum([])
    assert empty.cadence_rate is None and empty.confirmation_rate is None


@pytest.fixture
def young(make_org, session):
    """A programme that started 50 days ago: six pairs, sessions logged and confirmed, executive cancellations,
    and reflections: this month six people answer, last month five, the month before two."""
    tenant = make_org()
    pairs, programme = [], None
    for n in range(6):
        mentor, mentee = make_person(tenant, 10 + n, job_level=2), make_person(tenant, 50 + n, job_level=8)
        pair = make_active_pair(
            tenant, agreed=True, mentor=mentor, mentee=mentee, programme=programme, started_days_ago=50
        )
        programme = programme or tenant.get(Programme, pair.programme_id)
        held = sessions.log_session(tenant, pair.id, mentor.id, date.today() - timedelta(days=20), 45, ["ai"])
        if n < 4:
            sessions.confirm_session(tenant, held.id, mentee.id)
        reflections.submit(tenant, pair.id, mentor.id, [4, 5, 3], f"private note {n}", session_id=held.id)
        if n < 5:
            reflections.submit(tenant, pair.id, mentee.id, [1, 1, 1], f"older private note {n}", session_id=held.id)
        if n < 2:
            earlier = sessions.log_session(tenant, pair.id, mentor.id, date.today() - timedelta(days=40), 30, [])
            reflections.submit(tenant, pair.id, mentee.id, [2, 2, 2], f"oldest private note {n}", session_id=earlier.id)
        pairs.append(pair)
    for day in (3, 5):
        sessions.cancel_session(tenant, pairs[0].id, pairs[0].mentee_employee_id, date.today() - timedelta(days=day))
    last_month = datetime.now(UTC).replace(day=1) - timedelta(days=3)
    before = last_month.replace(day=1) - timedelta(days=3)
    tenant.session.execute(update(Reflection).where(Reflection.q1 == 1).values(created_at=last_month))
    tenant.session.execute(update(Reflection).where(Reflection.q1 == 2).values(created_at=before))
    session.commit()
    return tenant, programme


def test_the_service_counts_momentum_and_suppresses_a_small_month(young):
    tenant, programme = young
    found = leading.leading_indicators(tenant, programme.id)
    assert (found.momentum.pairs, found.momentum.logged_sessions, found.momentum.held_sessions) == (6, 8, 4)
    assert found.momentum.executive_cancellations == 2 and found.momentum.pairs_with_repeated_cancellations == 1
    small, absorbing, shown = found.months
    assert small.key[0] < absorbing.key[0] < shown.key[0]
    # two people are hidden, and so is the month whose group they joined: it would reveal them by subtraction
    assert small.suppressed and absorbing.suppressed and small.means is None and absorbing.means is None
    assert (shown.people, shown.means["q1"], shown.means["q2"], shown.means["q3"]) == (6, 4.0, 5.0, 3.0)
    assert found.measurable_from == {12: add_months(programme.starts_on, 12), 24: add_months(programme.starts_on, 24)}


def test_a_young_programme_s_impact_page_leads_with_leading_indicators(client, young):
    tenant, programme = young
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(tenant.organisation_id)
    page = client.get(f"/admin/programmes/{programme.id}/impact").get_data(as_text=True)
    assert page.index("Leading indicators") < page.index("Return on investment")
    assert "4 confirmed of" in page and "4 of 8 logged" in page and "1 pairs with two or more" in page
    assert page.count('data-horizon="') == 2 and "Retention and promotion at 12 months can be measured from" in page
    assert 'class="badge not_yet"' not in page and "data-cell=" not in page  # no table of "not yet" rows
    assert page.count("hidden to keep groups of fewer than 5 people anonymous") == 2 and "private note" not in page
    japanese = client.get(f"/admin/programmes/{programme.id}/impact", headers={"Accept-Language": "ja"})
    assert "先行指標" in japanese.get_data(as_text=True)


def test_a_programme_with_outcomes_shows_them_first_and_momentum_after(client, make_org, session):
    from tests.admin_world import START, add_employee, add_pair, add_programme

    tenant = make_org()
    programme = add_programme(tenant)
    for n in range(6):
        add_pair(tenant, programme, add_employee(tenant, n), add_employee(tenant, 100 + n, job_level=8))
    session.commit()
    assert add_months(START, 12) < date.today()
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(tenant.organisation_id)
    page = client.get(f"/admin/programmes/{programme.id}/impact").get_data(as_text=True)
    assert "data-cell=" in page and page.index("data-cell=") < page.index("Leading indicators")
    assert 'data-horizon="12"' not in page
