"""Tenant isolation: one organisation never reads or changes another's rows through the services."""

import pytest

from plugin.errors import NotFound
from plugin.models import AuditEvent, Connection, Employee
from plugin.services import connections, employees, roster
from tests.factories import make_record


@pytest.fixture
def two_orgs(make_org, session):
    a, b = make_org("acme"), make_org("globex")
    roster.upsert_employees(a, [make_record("1", email="ana@acme.test"), make_record("2", manager="1")])
    roster.upsert_employees(b, [make_record("1", email="bo@globex.test")])
    session.commit()
    return a, b


def test_same_source_id_lives_separately_in_each_organisation(two_orgs, session):
    a, b = two_orgs
    assert a.count(Employee) == 2 and b.count(Employee) == 1
    assert {e.work_email for e in b.all(Employee)} == {"bo@globex.test"}


def test_an_organisation_cannot_fetch_another_organisations_employee_by_id(two_orgs):
    a, b = two_orgs
    foreign = b.all(Employee)[0]
    with pytest.raises(NotFound):
        employees.get_employee(a, foreign.id)
    assert employees.get_employee(b, foreign.id).work_email == "bo@globex.test"


def test_email_lookup_is_scoped(two_orgs):
    a, b = two_orgs
    assert employees.find_by_email(a, "bo@globex.test") is None
    assert employees.find_by_email(b, "BO@globex.test ").source_id == "1"


def test_connections_and_audit_are_scoped(two_orgs, vault, session):
    a, b = two_orgs
    conn = connections.create_connection(
        a, vault, "bamboohr", settings={"company": "acme"}, credentials={"api_key": "k"}
    )
    session.commit()
    assert b.count(Connection) == 0 and b.count(AuditEvent) == 0
    with pytest.raises(NotFound):
        b.get(Connection, conn.id)
    assert a.get(Connection, conn.id).vendor == "bamboohr"


def test_manager_links_never_cross_organisations(two_orgs, session):
    a, b = two_orgs
    roster.upsert_employees(b, [make_record("2", manager="1")])
    roster.relink_managers(a)
    roster.relink_managers(b)
    session.commit()
    for tenant in (a, b):
        report = next(e for e in tenant.all(Employee) if e.source_id == "2")
        assert report.manager.organisation_id == tenant.organisation_id


def test_a_query_that_names_no_organisation_is_refused(two_orgs, session):
    from sqlalchemy import func, select

    from plugin.errors import TenancyError

    with pytest.raises(TenancyError, match="employee"):
        session.scalars(select(Employee)).all()
    with pytest.raises(TenancyError):  # hidden in a subquery of an untenanted table
        from plugin.models import Organisation

        session.scalars(select(Organisation).where(Organisation.id.in_(select(Employee.organisation_id)))).all()
    assert session.scalar(select(func.count()).select_from(Employee).execution_options(all_tenants=True)) == 3


def test_the_session_scopes_joins_subqueries_updates_and_deletes(two_orgs, session):
    from sqlalchemy import delete, func, select, update

    a, b = two_orgs
    joined = select(func.count()).select_from(Employee).join(AuditEvent, AuditEvent.organisation_id == 0, isouter=True)
    assert a.session.scalar(joined) == 2 and b.session.scalar(joined) == 1
    ids = select(Employee.id).scalar_subquery()
    assert a.session.scalar(select(func.count()).select_from(Employee).where(Employee.id.in_(ids))) == 2
    a.session.execute(update(Employee).values(department="Renamed").execution_options(synchronize_session=False))
    b.session.execute(delete(AuditEvent))
    session.commit()
    assert {e.department for e in b.all(Employee)} != {"Renamed"}
    assert {e.department for e in a.all(Employee)} == {"Renamed"}


def test_a_row_another_organisation_loaded_stays_invisible(two_orgs, session):
    a, b = two_orgs
    theirs = b.all(Employee)[0]  # now in the session's identity map
    with pytest.raises(NotFound):
        a.get(Employee, theirs.id)
    assert a.session.get(Employee, theirs.id) is None
