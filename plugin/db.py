"""Engine and session lifecycle: one engine per app, one scoped session per request or job."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

EXTENSION = "flipside.db"


class Base(DeclarativeBase):
    """Declarative base for every ORM class."""


def make_engine(url: str) -> Engine:
    """An engine tuned for the database kind: WAL and foreign keys on SQLite, pre-ping on servers."""
    if url.startswith("sqlite"):
        _ensure_folder(url)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _ensure_folder(url: str) -> None:
    """SQLite creates the file but not its folder: make the instance folder on first use."""
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).resolve().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """The database extension: binds an engine and a scoped session to each app."""

    def init_app(self, app) -> None:
        engine = make_engine(app.config["FLIPSIDE"].resolved_database_url)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        app.extensions[EXTENSION] = {"engine": engine, "session": scoped_session(factory)}

        @app.teardown_appcontext
        def _remove_session(_exc=None):
            app.extensions[EXTENSION]["session"].remove()

    @staticmethod
    def _state():
        from flask import current_app

        return current_app.extensions[EXTENSION]

    @property
    def engine(self) -> Engine:
        return self._state()["engine"]

    @property
    def session(self) -> Session:
        return self._state()["session"]()

    @property
    def lazy_session(self) -> scoped_session:
        """The scoped-session registry: used like a Session, it opens one only when a query actually runs
        (hot paths that are usually served from caches then cost no session at all)."""
        return self._state()["session"]


db = Database()


@contextmanager
def transaction(session: Session):
    """Commit on success, roll back on any error, and re-raise."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def commit_unless_failed(response):
    """An after_request hook: commit the request's work when it succeeded, roll it back otherwise."""
    session = db.session
    if response.status_code < 400:
        session.commit()
    else:
        session.rollback()
    return response
