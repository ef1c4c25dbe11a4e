"""Workday connector against recorded responses: RaaS rows, REST paging, refresh-token failures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import responses
from responses import matchers, registries

from plugin.connectors.base import Rejection
from plugin.connectors.workday import WorkdayConnector
from plugin.domain.employee import EmployeeRecord, EmploymentStatus
from plugin.errors import NeedsReconnect
from tests.factories import recorded

HOST = "https://wd5-impl-services1.workday.com"
TOKEN_URL = f"{HOST}/ccx/oauth2/acme/token"
REPORT = f"{HOST}/ccx/service/customreport2/acme/isu_flipside/Workers"
WORKERS = f"{HOST}/ccx/api/v1/acme/workers"
NOW = datetime(2026, 2, 1, 12, tzinfo=UTC)


def connector(no_wait, stored=None, **kw):
    oauth = WorkdayConnector.oauth_client(
        "wd5-impl-services1.workday.com",
        "acme",
        client_id="cid",
        client_secret="cs",
        refresh_token="isu-rt",
        on_token=(stored if stored is not None else []).append,
    )
    return WorkdayConnector(
        "wd5-impl-services1.workday.com",
        "acme",
        oauth=oauth,
        report="isu_flipside/Workers",
        policy=no_wait,
        clock=lambda: NOW,
        today=date(2026, 2, 1),
        **kw,
    )


@responses.activate
def test_report_rows_become_records_with_hire_termination_and_manager(no_wait):
    stored = []
    responses.post(TOKEN_URL, **recorded("workday", "token_ok"))
    responses.get(
        REPORT, **recorded("workday", "report_workers"), match=[matchers.query_param_matcher({"format": "json"})]
    )
    reader = connector(no_wait, stored)
    items = list(reader.iter_employees())
    ceo, leaver = items[0], items[1]
    assert ceo.source_id == "3aa5550b7fe348b98d7b5741afc65534" and ceo.is_manager is True
    assert ceo.job_level == 1 and ceo.languages == ("English", "Spanish")
    assert ceo.hire_date == date(2000, 1, 1)
    assert ceo.source_modified_at == datetime(2026, 1, 31, 18, 11, 12, tzinfo=UTC)
    assert leaver.employment_status == EmploymentStatus.TERMINATED
    assert leaver.termination_date == date(2025, 12, 31)
    assert leaver.manager_source_id == ceo.source_id
    assert items[2] == Rejection(None, "record has no employee id")
    assert "Original_Hire_Date" in reader.unreadable_fields and "Hire_Date" not in reader.unreadable_fields
    token_call = responses.calls[0].request
    assert token_call.headers["Authorization"].startswith("Basic ")  # client auth Basic
    assert "grant_type=refresh_token" in token_call.body and "refresh_token=isu-rt" in token_call.body
    assert stored[0]["access_token"] == "wd-at-1" and stored[0]["refresh_token"] == "isu-rt"


@responses.activate
def test_incremental_asks_the_report_for_the_window_and_moves_the_cursor(no_wait):
    since = datetime(2026, 1, 31, tzinfo=UTC)
    responses.post(TOKEN_URL, **recorded("workday", "token_ok"))
    responses.get(
        REPORT,
        **recorded("workday", "report_changed"),
        match=[
            matchers.query_param_matcher(
                {"format": "json", "Updated_From": since.isoformat(), "Updated_Through": NOW.isoformat()}
            )
        ],
    )
    reader = connector(no_wait)
    items = list(reader.iter_changes(since))
    assert [i.employment_status for i in items] == [EmploymentStatus.TERMINATED]
    assert reader.next_since == NOW


@responses.activate(registry=registries.OrderedRegistry)
def test_workers_paging_stops_on_a_short_page_though_total_says_303(no_wait):
    responses.post(TOKEN_URL, **recorded("workday", "token_ok"))
    responses.get(
        WORKERS,
        **recorded("workday", "workers_page1"),
        match=[matchers.query_param_matcher({"limit": "2", "offset": "0"})],
    )
    responses.get(
        WORKERS,
        **recorded("workday", "workers_page2_short"),
        match=[matchers.query_param_matcher({"limit": "2", "offset": "2"})],
    )
    workers = list(connector(no_wait).iter_workers(limit=2))
    assert [w.display_name for w in workers] == ["Logan McNeil", "Teresa Serrano", "Hank Hill"]
    assert workers[0].department == "Global Modern Services" and workers[2].is_manager is True
    assert len(responses.calls) == 3


@responses.activate(registry=registries.OrderedRegistry)
def test_workers_paging_never_asks_for_more_than_100_and_stops_on_an_empty_page(no_wait):
    responses.post(TOKEN_URL, **recorded("workday", "token_ok"))
    full = {"total": 100, "data": [{"id": f"w{i}", "descriptor": f"W {i}"} for i in range(100)]}
    responses.get(WORKERS, json=full, match=[matchers.query_param_matcher({"limit": "100", "offset": "0"})])
    responses.get(WORKERS, **recorded("workday", "workers_page_empty"))
    assert len(list(connector(no_wait).iter_workers(limit=500))) == 100
    assert len(responses.calls) == 3


@responses.activate(registry=registries.OrderedRegistry)
def test_401_refreshes_once_and_retries(no_wait):
    responses.post(TOKEN_URL, **recorded("workday", "token_ok"))
    responses.get(f"{WORKERS}/abc", **recorded("workday", "unauthorized_401"))
    responses.post(TOKEN_URL, **recorded("workday", "token_ok_2"))
    responses.get(f"{WORKERS}/abc", **recorded("workday", "worker_detail"))
    worker = connector(no_wait).fetch_worker("abc")
    assert worker.location == "Arlen"
    assert responses.calls[3].request.headers["Authorization"] == "Bearer wd-at-2"


@responses.activate
def test_a_lapsed_isu_refresh_token_needs_reconnect(no_wait):
    responses.post(TOKEN_URL, **recorded("workday", "token_invalid_grant"))
    with pytest.raises(NeedsReconnect):
        list(connector(no_wait).iter_employees())
    assert len(responses.calls) == 1


@responses.activate(registry=registries.OrderedRegistry)
def test_throttled_report_waits_retry_after(no_wait):
    responses.post(TOKEN_URL, **recorded("workday", "token_ok"))
    responses.get(REPORT, **recorded("workday", "throttled_429"))
    responses.get(REPORT, **recorded("workday", "report_workers"))
    items = list(connector(no_wait).iter_employees())
    assert sum(isinstance(i, EmployeeRecord) for i in items) == 2
    assert no_wait.waits == [3.0]
