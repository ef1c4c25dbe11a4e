"""BambooHR connector against recorded responses: what the sync receives, and what it sends."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime

import pytest
import responses
from responses import matchers, registries

from plugin.connectors.bamboohr import BambooHRConnector
from plugin.connectors.base import JobChange, Rejection
from plugin.domain.employee import EmployeeRecord, EmploymentStatus
from plugin.errors import FatalError, NeedsReconnect
from tests.factories import recorded

CURRENT = "https://acme.bamboohr.com/api/v1"
LEGACY = "https://api.bamboohr.com/api/gateway.php/acme/v1"
TOKEN_URL = "https://acme.bamboohr.com/token.php?request=token"


def oauth_token(refresh_token="rt-1"):
    return {
        "access_token": "at-1",
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_at": int(time.time()) + 3600,
    }


SINCE = datetime(2026, 2, 1, tzinfo=UTC)
NOTHING_CHANGED = {"latest": "2026-02-01T00:00:00+00:00", "employees": {}}


def connector(no_wait, **kw):
    kw.setdefault("api_key", "key")
    return BambooHRConnector("acme", policy=no_wait, today=date(2026, 2, 1), **kw)


@responses.activate
def test_bulk_read_yields_records_and_rejects_bad_ones_one_by_one(no_wait):
    responses.post(f"{CURRENT}/reports/custom", **recorded("bamboohr", "custom_report_mixed"))
    items = list(connector(no_wait).iter_employees())
    records = {i.source_id: i for i in items if isinstance(i, EmployeeRecord)}
    rejections = [i for i in items if isinstance(i, Rejection)]
    assert sorted(records) == ["101", "102", "106"]
    assert records["101"].work_email == "bryony.hale@example.com"
    assert records["102"].hire_date is None  # 0000-00-00 is "no date", not a reason to reject
    assert records["102"].manager_source_id == "101"
    assert records["101"].expertise == ("python", "sql")
    assert records["106"].employment_status == EmploymentStatus.TERMINATED
    assert records["106"].termination_date == date(2025, 11, 30)
    reasons = {r.source_id: r.reason for r in rejections}
    assert reasons[None] == "record has no employee id"
    assert "hire_date" in reasons["104"] and "31/02/2020" in reasons["104"]
    assert "kofi@example.com" in reasons["105"] and "102" in reasons["105"]


@responses.activate
def test_bulk_read_sends_an_exact_json_content_type_and_the_mapped_fields(no_wait):
    responses.post(
        f"{CURRENT}/reports/custom",
        **recorded("bamboohr", "custom_report_mixed"),
        match=[
            matchers.query_param_matcher({"format": "json"}),
            matchers.header_matcher({"Content-Type": "application/json"}),
        ],
    )
    list(connector(no_wait).iter_employees())
    sent = json.loads(responses.calls[0].request.body)
    assert sent["fields"][0] == "id" and "customJobLevel" in sent["fields"]
    assert responses.calls[0].request.headers["Authorization"].startswith("Basic ")


@responses.activate
def test_fields_the_report_dropped_are_reported_unreadable(no_wait):
    responses.post(f"{LEGACY}/reports/custom", **recorded("bamboohr", "custom_report_mixed"))
    reader = connector(no_wait, host="legacy")
    list(reader.iter_employees())
    assert reader.unreadable_fields == {"customJobLevel"}


@responses.activate
def test_incremental_reads_the_changed_map_then_only_those_employees(no_wait):
    since = datetime(2026, 2, 1, tzinfo=UTC)
    responses.get(
        f"{CURRENT}/employees/changed",
        **recorded("bamboohr", "changed_map"),
        match=[matchers.query_param_matcher({"since": "2026-02-01T00:00:00+00:00", "type": "all"})],
    )
    responses.post(f"{CURRENT}/reports/custom", **recorded("bamboohr", "changed_report"))
    reader = connector(no_wait)
    items = list(reader.iter_changes(since))
    assert [(i.source_id, i.deleted) for i in items] == [("106", True), ("102", False), ("107", False)]
    assert items[1].job_title == "Senior Engineer"
    assert json.loads(responses.calls[1].request.body)["filters"] == {"employeeIds": [102, 107]}
    assert reader.next_since == datetime(2026, 2, 1, 10, 0, 5, tzinfo=UTC)


@responses.activate
def test_a_200_that_carries_an_error_is_an_error(no_wait):
    responses.get(f"{CURRENT}/employees/changed", **recorded("bamboohr", "ok_200_with_error_body"))
    with pytest.raises(FatalError, match="since is in the future"):
        list(connector(no_wait).iter_changes(datetime(2026, 2, 1, tzinfo=UTC)))


@responses.activate
def test_job_history_since_reads_the_changed_table(no_wait):
    responses.get(f"{CURRENT}/employees/changed/tables/jobInfo", **recorded("bamboohr", "jobinfo_changed"))
    rows = list(connector(no_wait).iter_job_history(since=datetime(2026, 1, 1, tzinfo=UTC)))
    assert rows[-1] == JobChange(
        "102", date(2026, 2, 1), "Senior Engineer", "Engineering", "Product", "London", "Bryony Hale"
    )


@responses.activate(registry=registries.OrderedRegistry)
def test_dataset_bulk_path_pages_until_the_page_count(no_wait):
    url = "https://acme.bamboohr.com/api/v2/datasets/employee/data"
    responses.post(url, **recorded("bamboohr", "dataset_page1"))
    responses.post(url, **recorded("bamboohr", "dataset_page2"))
    items = list(connector(no_wait, bulk="dataset", page_size=2).iter_employees())
    assert [i.source_id for i in items] == ["101", "102", "103"]
    assert [json.loads(c.request.body)["page"] for c in responses.calls] == [1, 2]


@responses.activate(registry=registries.OrderedRegistry)
def test_oauth_401_refreshes_once_persists_the_rotated_token_and_retries(no_wait):
    stored = []
    oauth = BambooHRConnector.oauth_client(
        "acme", client_id="cid", client_secret="cs", on_token=stored.append, token=oauth_token()
    )
    responses.get(f"{CURRENT}/employees/changed", **recorded("bamboohr", "unauthorized_401"))
    responses.post(TOKEN_URL, **recorded("bamboohr", "token_rotated"))
    responses.get(f"{CURRENT}/employees/changed", json=NOTHING_CHANGED)
    assert list(connector(no_wait, api_key=None, oauth=oauth).iter_changes(SINCE)) == []
    assert [t["refresh_token"] for t in stored] == ["rt-2"]
    assert responses.calls[2].request.headers["Authorization"] == "Bearer at-2"


@responses.activate(registry=registries.OrderedRegistry)
def test_oauth_invalid_grant_on_refresh_needs_reconnect(no_wait):
    oauth = BambooHRConnector.oauth_client("acme", client_id="cid", client_secret="cs", token=oauth_token("rt-old"))
    responses.get(f"{CURRENT}/employees/changed", **recorded("bamboohr", "unauthorized_401"))
    responses.post(TOKEN_URL, **recorded("bamboohr", "token_invalid_grant"))
    with pytest.raises(NeedsReconnect):
        list(connector(no_wait, api_key=None, oauth=oauth).iter_changes(SINCE))
    assert len(responses.calls) == 2


@responses.activate(registry=registries.OrderedRegistry)
def test_throttled_bulk_read_waits_and_then_reads_everything(no_wait):
    responses.post(f"{CURRENT}/reports/custom", **recorded("bamboohr", "throttled_429"))
    responses.post(f"{CURRENT}/reports/custom", **recorded("bamboohr", "unavailable_503"))
    responses.post(f"{CURRENT}/reports/custom", **recorded("bamboohr", "custom_report_mixed"))
    items = list(connector(no_wait).iter_employees())
    assert sum(isinstance(i, EmployeeRecord) for i in items) == 3
    assert no_wait.waits == [7.0, 2.0]


@responses.activate
def test_register_webhook_posts_the_spec_body_and_returns_the_private_key(no_wait):
    responses.post(f"{CURRENT}/webhooks", **recorded("bamboohr", "webhook_created"))
    hook = connector(no_wait).register_webhook(
        "https://flipside.example/webhooks/bamboohr/7", monitor_fields=["firstName", "jobTitle"]
    )
    assert (hook.id, hook.private_key) == ("4", "3f1c9a0d5b7e")
    sent = json.loads(responses.calls[0].request.body)
    assert sent == {
        "name": "Flipside",
        "url": "https://flipside.example/webhooks/bamboohr/7",
        "format": "json",
        "events": ["employee.created", "employee.updated", "employee.deleted"],
        "monitorFields": ["firstName", "jobTitle"],
    }
