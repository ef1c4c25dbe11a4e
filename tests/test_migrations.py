"""Migrations: an empty database upgrades from base to head on SQLite and PostgreSQL, and the models match."""

import pytest
from sqlalchemy import create_engine, inspect

from plugin import migration_state
from plugin.db import Base
from tests.conftest import ThrowawayPostgres, need, postgres_server_url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    server = postgres_server_url()
    if server is None:
        need("no PostgreSQL server reachable (set DATABASE_URL or start one on 127.0.0.1:5432)")
    with ThrowawayPostgres(server) as url:
        yield url


def test_upgrade_from_base_to_head_creates_every_table(empty_database):
    assert migration_state.current_revision(empty_database) is None
    assert migration_state.upgrade(empty_database) == migration_state.head_revision()
    engine = create_engine(empty_database)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert set(Base.metadata.tables) <= tables


def test_models_and_migrations_do_not_drift(empty_database):
    migration_state.upgrade(empty_database)
    assert migration_state.drift(empty_database) == []


def test_downgrade_to_base_and_back(empty_database):
    migration_state.upgrade(empty_database)
    migration_state.downgrade(empty_database, "base")
    engine = create_engine(empty_database)
    assert "employee" not in inspect(engine).get_table_names()
    engine.dispose()
    migration_state.upgrade(empty_database)
    assert migration_state.current_revision(empty_database) == migration_state.head_revision()


def test_drift_is_detected(empty_database):
    """The drift check is not vacuous: a column missing from the migrations is reported."""
    migration_state.upgrade(empty_database)
    engine = create_engine(empty_database)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE audit_event DROP COLUMN subject_type")
    engine.dispose()
    assert any("subject_type" in str(d) for d in migration_state.drift(empty_database))


def test_the_two_receipt_tables_merge_into_one_and_split_back(empty_database):
    """0021: every LMS receipt and completion write-back keeps its key, state and vendor reference."""
    migration_state.upgrade(empty_database, "0017")
    engine = create_engine(empty_database)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO organisation (id, slug, name, settings, created_at) "
            "VALUES (1, 'acme', 'Acme', '{}', '2026-01-02')"
        )
        conn.exec_driver_sql(
            "INSERT INTO connection (id, organisation_id, vendor, kind, name, settings, status, "
            "status_detail, created_at, updated_at) VALUES (7, 1, 'moodle', 'lms', 'M', '{}', "
            "'connected', '', '2026-01-02', '2026-01-02')"
        )
        conn.exec_driver_sql(
            "INSERT INTO lms_receipt (organisation_id, connection_id, action, key, vendor_ref, state,"
            " created_at, done_at) VALUES (1, 7, 'user', 'user:5', '42', 'done', '2026-01-02', "
            "'2026-01-02'), (1, 7, 'enrol', 'enrol:3:5', '', 'pending', '2026-01-02', NULL)"
        )
        conn.exec_driver_sql(
            "INSERT INTO write_receipt (organisation_id, key, target, status, external_id, attempts,"
            " written_at) VALUES (1, 'ags:pair:9:mentor', 'ags', 'done', 'score-1', 1, '2026-01-02')"
        )
    engine.dispose()
    migration_state.upgrade(empty_database)
    engine = create_engine(empty_database)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT scope, key, connection_id, state, vendor_ref FROM receipt ORDER BY key"
        ).all()
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("ags", "ags:pair:9:mentor", None, "done", "score-1"),
        ("connection:7", "enrol:3:5", 7, "pending", ""),
        ("connection:7", "user:5", 7, "done", "42"),
    ]
    assert not tables & {"lms_receipt", "write_receipt"}
    migration_state.downgrade(empty_database, "0017")
    engine = create_engine(empty_database)
    with engine.connect() as conn:
        lms = conn.exec_driver_sql("SELECT key, state, vendor_ref FROM lms_receipt ORDER BY key").all()
        back = conn.exec_driver_sql("SELECT key, target, status, external_id FROM write_receipt").all()
    engine.dispose()
    assert [tuple(r) for r in lms] == [("enrol:3:5", "pending", ""), ("user:5", "done", "42")]
    assert [tuple(r) for r in back] == [("ags:pair:9:mentor", "ags", "done", "score-1")]
