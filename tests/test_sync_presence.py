"""Field-level presence: a value BambooHR did not send keeps the stored one; a value sent empty clears it;
the run counts both, per field, and says it could not read what it did not get."""

from __future__ import annotations

import pytest

from plugin.connectors.bamboohr import listed_record
from plugin.connectors.mapping import FieldMapping
from plugin.db import db
from plugin.emulators.bamboohr import DROPPED, BambooHREmulator
from plugin.models import Connection, Employee
from plugin.services.sync import sync_connection
from tests.factories import make_bamboohr_connection, make_workforce


@pytest.fixture
def bamboo():
    emu = BambooHREmulator(make_workforce(300)).start()
    yield emu
    emu.stop()


def stored(tenant) -> dict[str, Employee]:
    tenant.session.expire_all()
    return {e.source_id: e for e in tenant.all(Employee)}


def test_rows_lacking_fields_keep_the_stored_values_and_the_run_says_so(make_org, vault, bamboo):
    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    sync_connection(tenant, vault, db.engine, conn.id)
    before = {i: (e.department, e.job_title) for i, e in stored(tenant).items()}
    lacking = sorted(before)[:120]  # not the first row only: a slice of the read
    for source_id in lacking:
        bamboo.serve_raw(source_id, department=DROPPED, jobTitle=DROPPED)
    run = sync_connection(tenant, vault, db.engine, conn.id, full=True)
    after = {i: (e.department, e.job_title) for i, e in stored(tenant).items()}
    assert after == before
    assert all(after[i][0] for i in lacking)
    assert run.status == "partial" and run.updated == 0
    assert run.field_counts["department"]["not_sent"] == 120
    assert run.field_counts["job_title"]["not_sent"] == 120
    assert any(f.startswith("department") for f in run.unreadable_fields)
    assert "COULD NOT READ" in tenant.get(Connection, conn.id).status_detail


def test_a_value_sent_empty_clears_the_stored_one_and_is_counted_apart(make_org, vault, bamboo):
    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    sync_connection(tenant, vault, db.engine, conn.id)
    first = stored(tenant)
    with_division = sorted(i for i, e in first.items() if e.division)[:4]
    blanked, unsent = with_division[:2], with_division[2:]
    for source_id in blanked:
        bamboo.serve_raw(source_id, division="")
    for source_id in unsent:
        bamboo.serve_raw(source_id, division=DROPPED)
    run = sync_connection(tenant, vault, db.engine, conn.id, full=True)
    after = stored(tenant)
    assert [after[i].division for i in blanked] == [None, None]
    assert [after[i].division for i in unsent] == [first[i].division for i in unsent]
    assert run.updated == 2
    counts = run.field_counts["division"]
    assert counts["not_sent"] == 2 and counts["sent_empty"] >= 2


def test_a_missing_status_never_reactivates_or_terminates(make_org, vault, bamboo):
    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    sync_connection(tenant, vault, db.engine, conn.id)
    first = stored(tenant)
    leaver = next(i for i, e in first.items() if not e.active)
    for field in ("status", "employmentHistoryStatus", "terminationDate"):
        bamboo.serve_raw(leaver, **{field: DROPPED})
    sync_connection(tenant, vault, db.engine, conn.id, full=True)
    again = stored(tenant)[leaver]
    assert (again.active, again.employment_status, again.termination_date) == (
        False,
        first[leaver].employment_status,
        first[leaver].termination_date,
    )


def test_a_new_employee_lacking_fields_is_stored_with_what_was_sent(make_org, vault, bamboo):
    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    bamboo.serve_raw("5", department=DROPPED)
    run = sync_connection(tenant, vault, db.engine, conn.id)
    assert stored(tenant)["5"].department is None and stored(tenant)["5"].first_name
    assert run.field_counts["department"]["not_sent"] == 1


def test_the_mapping_tells_not_sent_from_sent_empty():
    convert = FieldMapping.build({"source_id": "id", "department": "dept", "job_title": "title"}).compile("x")
    record = convert({"id": "1", "title": ""})
    assert record.unsent == frozenset({"department"}) and record.job_title is None
    assert convert({"id": "1", "dept": "Sales", "title": "Engineer"}).unsent == frozenset()


def test_restricted_list_fields_are_not_sent_rather_than_blank():
    record = listed_record(
        {"employeeId": "4", "firstName": "Ana", "departmentName": None, "_restrictedFields": ["departmentName"]}
    )
    assert "department" in record.unsent and "job_title" not in record.unsent


def test_workday_keeps_a_column_no_row_carries_and_blanks_one_a_row_omits(make_org, vault):
    from plugin.emulators.state import WallClock
    from plugin.emulators.workday import WorkdayEmulator
    from tests.factories import make_workday_connection

    emu = WorkdayEmulator(make_workforce(40, "workday"), clock=WallClock()).start()
    try:
        tenant = make_org()
        conn = make_workday_connection(tenant, vault, emu)
        sync_connection(tenant, vault, db.engine, conn.id)
        first = stored(tenant)
        titled = sorted(i for i, e in first.items() if e.job_title)
        emu.update(titled[0], job_title=None)  # HR cleared it: Workday omits the empty value
        emu.omit = frozenset({"Supervisory_Organization"})  # the ISU lost access to the column
        run = sync_connection(tenant, vault, db.engine, conn.id, full=True)
        after = stored(tenant)
    finally:
        emu.stop()
    assert after[titled[0]].job_title is None and after[titled[1]].job_title == first[titled[1]].job_title
    assert any(e.department for e in first.values())
    assert all(after[i].department == e.department for i, e in first.items())
    assert run.status == "partial" and run.field_counts["department"]["not_sent"] == 40
