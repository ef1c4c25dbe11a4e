"""Migration state: Alembic driven from code, the revision a database is at, and a models/migrations drift check."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Engine

from .db import Base, make_engine
from .errors import NotMigrated

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "head") -> str:
    """Apply migrations up to `revision`; returns the revision the database is at afterwards."""
    command.upgrade(alembic_config(database_url), revision)
    return current_revision(database_url) or "base"


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current_revision(database_url: str) -> str | None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


@cache
def head_revision() -> str:
    return _scripts().get_current_head()


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(""))


def require_current(database_url: str) -> None:
    """Refuse (NotMigrated, saying what to run) unless the database is at the revision this code needs."""
    engine = make_engine(database_url)
    try:
        require_current_engine(engine)
    finally:
        engine.dispose()


def require_current_engine(engine: Engine) -> None:
    with engine.connect() as conn:
        at = MigrationContext.configure(conn).get_current_revision()
    head = head_revision()
    if at != head:
        raise NotMigrated(_behind(at, head))


def _behind(at: str | None, head: str) -> str:
    if at is None:
        return "The database has no Flipside tables yet: run `flipside db upgrade` to create them."
    if not _known(at):
        return (
            f"The database is at revision {at}, which this version of Flipside does not know (it needs "
            f"{head}): run the Flipside version that migrated it, or check DATABASE_URL."
        )
    return f"The database is at revision {at} and this version of Flipside needs {head}: run `flipside db upgrade`."


def _known(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def drift(database_url: str) -> list:
    """Differences between the models and a database migrated to head (empty when they agree)."""
    from . import models  # noqa: F401  (registers every table)

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(ctx, Base.metadata)
    finally:
        engine.dispose()
