"""Long lists come a page at a time: pair health (HR page and API) and the API's pairs, the whole list's
counts and order kept across pages, bad page arguments refused with nothing recorded."""

from datetime import date, timedelta

import pytest

from plugin.models import AuditEvent
from plugin.services import admin_login, api_tokens
from tests.admin_world import add_employee, add_pair, add_programme

FRESH, SILENT = 3, 52


@pytest.fixture
def world(make_org, session):
    """3 pairs approved two days ago (created first, so lowest ids), then 52 silent since the programme began."""
    tenant = make_org()
    programme = add_programme(tenant)
    fresh = date.today() - timedelta(days=2)
    for n in range(FRESH + SILENT):
        add_pair(
            tenant,
            programme,
            add_employee(tenant, n),
            add_employee(tenant, 1000 + n, job_level=8, department="Leadership"),
            approved=fresh if n < FRESH else None,
        )
    token = api_tokens.issue(tenant, "bi")
    session.commit()
    return tenant, programme, {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin(client, world):
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(world[0].organisation_id)
        s["csrf_token"] = "t"
    return client


def _shown_pairs(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('data-pair="')[1:]]


def test_pair_health_shows_fifty_pairs_at_risk_first_with_the_counts_of_all(admin, world):
    tenant, programme, _ = world
    first = admin.get(f"/admin/programmes/{programme.id}/health").get_data(as_text=True)
    assert len(_shown_pairs(first)) == 50
    assert first.count('class="badge at_risk"') == 50  # every pair at risk comes before any other
    assert "52 at risk" in first and "Page 1 of 2" in first and 'rel="next" href="?page=2"' in first
    second = admin.get(f"/admin/programmes/{programme.id}/health?page=2").get_data(as_text=True)
    assert len(_shown_pairs(second)) == FRESH + SILENT - 50
    assert second.count('class="badge at_risk"') == 2 and "52 at risk" in second
    assert set(_shown_pairs(first)).isdisjoint(_shown_pairs(second))
    beyond = admin.get(f"/admin/programmes/{programme.id}/health?page=99").get_data(as_text=True)
    assert _shown_pairs(beyond) == _shown_pairs(second)  # past the end: the last page
    viewed = [e.detail for e in tenant.all(AuditEvent, AuditEvent.action == "identifiable.viewed")]
    assert [(d["shown"], d["page"]) for d in viewed] == [(50, 1), (5, 2), (5, 2)]


def test_the_organisation_pair_health_page_is_paged_too(admin, world):
    page = admin.get("/admin/pairs/health").get_data(as_text=True)
    assert "Page 1 of 2" in page and page.count("<tr>") == 1 + 50


def test_the_api_pages_pair_health_with_link_headers(client, world):
    _, programme, auth = world
    url = f"/api/v1/programmes/{programme.id}/pair-health"
    answer = client.get(f"{url}?per_page=20&page=2", headers=auth)
    assert answer.status_code == 200 and answer.headers["X-Total-Count"] == "55"
    assert [row["status"] for row in answer.get_json()] == ["at_risk"] * 20
    links = answer.headers["Link"]
    assert f'{url}?page=3&per_page=20>; rel="next"' in links and 'page=1&per_page=20>; rel="prev"' in links
    assert 'page=3&per_page=20>; rel="last"' in links
    last = client.get(f"{url}?per_page=20&page=3", headers=auth)
    assert len(last.get_json()) == 15 and 'rel="next"' not in last.headers["Link"]
    every = [r["pair_id"] for p in (1, 2, 3) for r in client.get(f"{url}?per_page=20&page={p}", headers=auth).json]
    assert len(every) == len(set(every)) == 55


@pytest.mark.parametrize("args", ["per_page=0", "per_page=501", "page=0", "page=abc", "per_page=1e3", "page=-1"])
def test_bad_page_arguments_are_refused_and_record_no_view(client, world, args):
    tenant, programme, auth = world
    for path in ("pair-health", "pairs"):
        answer = client.get(f"/api/v1/programmes/{programme.id}/{path}?{args}", headers=auth)
        assert answer.status_code == 400, (path, args)
        error = answer.get_json()["error"]
        assert error["code"] == "invalid" and set(error["fields"]) == {args.split("=")[0]}, error
    assert tenant.all(AuditEvent, AuditEvent.action == "identifiable.viewed") == []


def test_the_api_pairs_list_is_paged_in_a_stable_order(client, world):
    _, programme, auth = world
    url = f"/api/v1/programmes/{programme.id}/pairs"
    default = client.get(url, headers=auth)
    assert len(default.get_json()) == 55 and default.headers["X-Total-Count"] == "55"
    pages = [client.get(f"{url}?per_page=10&page={p}", headers=auth).get_json() for p in range(1, 7)]
    assert [len(p) for p in pages] == [10, 10, 10, 10, 10, 5]
    assert [r["id"] for p in pages for r in p] == [r["id"] for r in default.get_json()]
