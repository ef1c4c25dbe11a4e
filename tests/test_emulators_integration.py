"""Real connectors against the loopback emulators: full reads, faults, incremental changes, tokens."""

from __future__ import annotations

from datetime import date

import pytest
import requests

from plugin.connectors.bamboohr import DEFAULT_FIELDS, BambooHRConnector
from plugin.connectors.http import RetryPolicy
from plugin.connectors.mapping import FieldMapping, preview_mapping
from plugin.connectors.workday import WorkdayConnector
from plugin.domain.employee import EmployeeRecord, EmploymentStatus
from plugin.emulators import bamboohr_shape
from plugin.emulators import workday as workday_emulator
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.emulators.state import Faults
from plugin.emulators.workday import WorkdayEmulator
from plugin.errors import NeedsReconnect
from plugin.webhooks import bamboohr as bamboohr_webhook
from plugin.webhooks.signature import verify_bamboohr
from tests.factories import make_employee, make_workforce, same_person
from tests.sync_helpers import as_the_job_would

BAMBOO_FIELDS = (*bamboohr_shape.CARRIED, "is_manager")
QUICK = RetryPolicy(attempts=3, base=0.01, cap=0.05)


def bamboo_reader(emu, **kw):
    mapping = FieldMapping.build(DEFAULT_FIELDS, {"is_manager": "customIsManager"})
    kw.setdefault("api_key", "key")
    return BambooHRConnector("acme", origin=emu.base_url, mapping=mapping, policy=QUICK, **kw)


def workday_reader(emu, stored=None, **kw):
    oauth = WorkdayConnector.oauth_client(
        "wd",
        emu.tenant,
        client_id="client",
        client_secret="secret",
        refresh_token=emu.refresh_token,
        origin=emu.base_url,
        on_token=(stored if stored is not None else []).append,
    )
    return WorkdayConnector(
        "wd", emu.tenant, oauth=oauth, report=emu.report, origin=emu.base_url, policy=QUICK, clock=emu.clock.now, **kw
    )


def assert_same_people(items, expected, fields):
    records = {i.source_id: i for i in items if isinstance(i, EmployeeRecord)}
    assert len(records) == len(items) == len(expected)
    differences = {e.source_id: same_person(records[e.source_id], e, fields) for e in expected}
    assert {k: v for k, v in differences.items() if v} == {}


@pytest.fixture(scope="module")
def bamboo():
    emu = BambooHREmulator(make_workforce(2000)).start()
    yield emu
    emu.stop()


@pytest.fixture(scope="module")
def workday():
    emu = WorkdayEmulator(make_workforce(2000, "workday")).start()
    yield emu
    emu.stop()


@pytest.mark.parametrize(("host", "bulk"), [("current", "custom_report"), ("legacy", "dataset")])
def test_full_bamboohr_read_equals_the_emulated_company(bamboo, host, bulk):
    reader = bamboo_reader(bamboo, host=host, bulk=bulk)
    assert_same_people(list(reader.iter_employees()), bamboo.expected(), BAMBOO_FIELDS)
    assert reader.unreadable_fields == frozenset()


def test_full_workday_read_equals_the_emulated_tenant(workday):
    items = list(workday_reader(workday).iter_employees())
    assert_same_people(items, workday.expected(), workday_emulator.CARRIED)
    statuses = {i.employment_status for i in items}
    assert statuses == set(EmploymentStatus)


def test_workday_rest_paging_reads_every_worker_despite_a_drifting_total():
    emu = WorkdayEmulator(make_workforce(250, "workday"), total_drift=+40).start()
    try:
        workers = list(workday_reader(emu).iter_workers())
    finally:
        emu.stop()
    assert [w.source_id for w in workers] == [e.source_id for e in emu.expected()]
    assert {q.query["limit"] for q in emu.requests if q.path.endswith("/workers")} == {"100"}


def test_reads_converge_to_exact_data_when_a_fifth_of_calls_fail():
    faults = Faults(rate=0.2, seed=11, hang=0.5)
    emu = BambooHREmulator(make_workforce(2000), faults=faults).start()
    try:
        reader = bamboo_reader(emu, bulk="dataset", page_size=100, timeout=(1, 0.25))
        people = as_the_job_would(lambda: list(reader.iter_employees()))
        assert_same_people(people, emu.expected(), BAMBOO_FIELDS)
    finally:
        emu.stop()
    assert set(faults.injected) == {"429", "503", "timeout"}


def test_workday_reads_converge_when_a_fifth_of_calls_fail():
    faults = Faults(rate=0.2, seed=5, hang=0.5)
    emu = WorkdayEmulator(make_workforce(2000, "workday"), faults=faults).start()
    try:
        reader = workday_reader(emu, timeout=(1, 0.25))
        for _ in range(3):
            people = as_the_job_would(lambda: list(reader.iter_employees()))
            assert_same_people(people, emu.expected(), workday_emulator.CARRIED)
        assert len(as_the_job_would(lambda: list(reader.iter_workers()))) == 2000
    finally:
        emu.stop()
    assert sum(faults.injected.values()) >= 3


def test_bamboohr_incremental_sees_hires_updates_terminations_and_deletions():
    emu = BambooHREmulator(make_workforce(50)).start()
    try:
        reader = bamboo_reader(emu)
        list(reader.iter_employees())
        since = emu.clock.now()
        emu.update("7", job_title="Staff Engineer", department="Platform")
        emu.terminate("8", on=date(2026, 1, 9))
        emu.hire(make_employee("bamboohr", 51, first_name="Nia"))
        emu.delete("9")
        items = {i.source_id: i for i in reader.iter_changes(since)}
        assert sorted(items) == ["51", "7", "8", "9"]
        assert items["7"].job_title == "Staff Engineer"
        assert items["8"].employment_status == EmploymentStatus.TERMINATED
        assert items["8"].termination_date == date(2026, 1, 9)
        assert items["9"].deleted and items["51"].first_name == "Nia"
        history = [h for h in reader.iter_job_history(since) if h.source_id == "7"]
        assert [h.job_title for h in history][-1] == "Staff Engineer"
        assert list(reader.iter_changes(reader.next_since)) == []
    finally:
        emu.stop()


def test_workday_incremental_sees_hires_updates_and_terminations():
    emu = WorkdayEmulator(make_workforce(50, "workday")).start()
    try:
        reader = workday_reader(emu)
        list(reader.iter_employees())
        since = emu.clock.now()
        emu.update("w7", job_title="Principal")
        emu.terminate("w8", on=date(2026, 1, 9))
        emu.hire(make_employee("workday", 51))
        items = {i.source_id: i for i in reader.iter_changes(since)}
        assert sorted(items) == ["w51", "w7", "w8"]
        assert items["w8"].employment_status == EmploymentStatus.TERMINATED
        assert list(reader.iter_changes(reader.next_since)) == []
    finally:
        emu.stop()


def test_bamboohr_oauth_connect_expiry_rotation_and_revocation():
    emu = BambooHREmulator(make_workforce(20)).start()
    stored = []
    try:
        oauth = BambooHRConnector.oauth_client(
            "acme",
            client_id="client",
            client_secret="secret",
            on_token=stored.append,
            origin=emu.base_url,
            redirect_uri="https://flipside.example/connect/bamboohr/callback",
        )
        authorize = BambooHRConnector.authorize_endpoint("acme", emu.base_url)
        consent = oauth.authorization_url(authorize, state="s", scope="employee report offline_access")
        callback = requests.get(consent, allow_redirects=False, timeout=5).headers["Location"]
        code = callback.split("code=")[1].split("&")[0]
        oauth.exchange_code(code)
        reader = bamboo_reader(emu, api_key=None, oauth=oauth)
        assert len(list(reader.iter_employees())) == 20
        first_refresh = stored[-1]["refresh_token"]
        emu.tokens.expire_access_tokens()  # dies early: 401, refresh once, retry
        assert len(list(reader.iter_employees())) == 20
        assert stored[-1]["refresh_token"] != first_refresh  # rotated and handed over to persist
        emu.tokens.expire_access_tokens()
        emu.tokens.revoke_refresh_tokens()
        with pytest.raises(NeedsReconnect):
            list(reader.iter_employees())
    finally:
        emu.stop()


def test_workday_lapsed_refresh_token_needs_reconnect():
    emu = WorkdayEmulator(make_workforce(5, "workday")).start()
    try:
        emu.tokens.revoke_refresh_tokens()
        with pytest.raises(NeedsReconnect):
            list(workday_reader(emu).iter_employees())
    finally:
        emu.stop()


def test_restricted_fields_are_reported_unreadable_and_the_preview_shows_five_rows():
    emu = BambooHREmulator(make_workforce(20), restricted_fields={"customJobLevel", "workEmail"}).start()
    try:
        reader = bamboo_reader(emu)
        records = list(reader.iter_employees())
        assert reader.unreadable_fields == {"customJobLevel", "workEmail"}
        assert all(r.work_email is None for r in records)
        rows = preview_mapping(reader, n=5)
    finally:
        emu.stop()
    assert len(rows) == 5 and rows[0].values["job_title"] == ("jobTitle", "Engineer", "Engineer")


def test_directory_is_xml_unless_json_is_asked_for(bamboo):
    url = f"{bamboo.base_url}/api/gateway.php/acme/v1/employees/directory"
    xml = requests.get(url, auth=("key", "x"), timeout=5)
    assert xml.headers["Content-Type"].startswith("application/xml") and xml.text.startswith("<?xml")
    as_json = requests.get(url, auth=("key", "x"), headers={"Accept": "application/json"}, timeout=5).json()
    assert {e["id"] for e in as_json["employees"]} <= {e.source_id for e in bamboo.expected()}


def test_registered_webhook_deliveries_verify_and_parse(bamboo):
    hook = bamboo_reader(bamboo).register_webhook("https://flipside.example/webhooks/bamboohr/1")
    body, headers = bamboo.webhook_delivery(hook.id, "7", "updated", ["jobTitle"])
    verify_bamboohr(
        body,
        signature=headers["X-BambooHR-Signature"],
        timestamp=headers["X-BambooHR-Timestamp"],
        private_key=hook.private_key,
    )
    [delivery] = bamboohr_webhook.parse(body, headers["Content-Type"])
    assert (delivery.source_id, delivery.event, delivery.changed_fields) == ("7", "updated", ("jobTitle",))


def test_the_oauth_list_restarts_on_a_stale_cursor_and_reports_restricted_fields():
    emu = BambooHREmulator(make_workforce(250), restricted_fields={"workEmail"}).start()
    try:
        token = emu.tokens.issue("client")
        oauth = BambooHRConnector.oauth_client(
            "acme",
            client_id="client",
            client_secret="secret",
            origin=emu.base_url,
            token={**token, "expires_at": 2**40},
        )
        reader = bamboo_reader(emu, api_key=None, oauth=oauth)
        listed = reader.iter_listed()
        first = [next(listed) for _ in range(100)]
        emu.delete(first[-1].source_id)  # the cursor's boundary employee vanishes: BadPage
        rest = list(listed)
    finally:
        emu.stop()
    ids = [r.source_id for r in first + rest]
    assert len(ids) == len(set(ids)) == 250
    assert sum(1 for q in emu.requests if q.path.endswith("/employees") and "page[after]" not in q.query) == 2
    assert reader.unreadable_fields == {"workEmail"}
    assert all(r.work_email is None for r in rest)
