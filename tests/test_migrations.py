"""Migrations: an empty database upgrades from base to head on SQLite and PostgreSQL, and the models match."""
import pytest
from sqlalchemy import create_engine, inspect

from plugin import schema
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
    assert schema.current_revision(empty_database) is None
    assert schema.upgrade(empty_database) == schema.head_revision()
    engine = create_engine(empty_database)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert set(Base.metadata.tables) <= tables


def test_models_and_migrations_do_not_drift(empty_database):
    schema.upgrade(empty_database)
    assert schema.drift(empty_database) == []


def test_downgrade_to_base_and_back(empty_database):
    schema.upgrade(empty_database)
    schema.downgrade(empty_database, "base")
    engine = create_engine(empty_database)
    assert "employee" not in inspect(engine).get_table_names()
    engine.dispose()
    schema.upgrade(empty_database)
    assert schema.current_revision(empty_database) == schema.head_revision()


def test_drift_is_detected(empty_database):
    """The drift check is not vacuous: a column missing from the migrations is reported."""
    schema.upgrade(empty_database)
    engine = create_engine(empty_database)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE audit_event DROP COLUMN subject_type")
    engine.dispose()
    assert any("subject_type" in str(d) for d in schema.drift(empty_database))
