"""Fixtures: settings, app, client, database (SQLite or a throwaway PostgreSQL database), Redis, factories."""

from __future__ import annotations

import os
import random
import uuid

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from plugin import create_app, migration_state
from plugin.config import from_environment, normalise_database_url
from plugin.connectors.http import RetryPolicy
from plugin.db import Base, db
from plugin.services.organisations import create_organisation
from plugin.services.tenant import Tenant

REQUIRE_SERVICES = os.environ.get("FLIPSIDE_REQUIRE_SERVICES") == "1"
DEFAULT_POSTGRES = "postgresql+psycopg://127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def need(reason: str):
    """Skip with a reason locally; in CI (FLIPSIDE_REQUIRE_SERVICES=1) a missing service is a failure."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def postgres_server_url() -> str | None:
    """A reachable PostgreSQL server: DATABASE_URL when it is one, else the local default."""
    env = os.environ.get("DATABASE_URL", "")
    candidate = (
        normalise_database_url(env)
        if env.startswith("postgres")
        else (os.environ.get("FLIPSIDE_TEST_POSTGRES_URL") or DEFAULT_POSTGRES)
    )
    try:
        engine = create_engine(candidate, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return candidate
    except Exception:  # noqa: BLE001 - any failure means "no server here"
        return None


def redis_server_url() -> str | None:
    """A reachable Redis server: REDIS_URL, else the local default."""
    candidate = os.environ.get("REDIS_URL") or DEFAULT_REDIS
    try:
        redis.Redis.from_url(candidate, socket_connect_timeout=1).ping()
        return candidate
    except (redis.RedisError, OSError):
        return None


class ThrowawayPostgres:
    """A fresh database on a PostgreSQL server, dropped afterwards."""

    def __init__(self, server_url: str):
        self.server_url = server_url
        self.name = f"flipside_t_{uuid.uuid4().hex[:10]}"
        self.url = make_url(server_url).set(database=self.name).render_as_string(hide_password=False)

    def __enter__(self) -> str:
        self._admin(f'CREATE DATABASE "{self.name}"')
        return self.url

    def __exit__(self, *exc):
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        engine = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(sql))
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The suite's database, migrated to head: PostgreSQL when DATABASE_URL names one, else SQLite."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        server = postgres_server_url()
        if server is None:
            pytest.fail("DATABASE_URL names a PostgreSQL server that does not answer")
        with ThrowawayPostgres(server) as url:
            migration_state.upgrade(url)
            yield url
        return
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'flipside.sqlite3'}"
    migration_state.upgrade(url)
    yield url


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory):
    # Short path: the embedded Redis socket lives here and UNIX socket paths are limited to ~100 bytes.
    return str(tmp_path_factory.mktemp("inst"))


@pytest.fixture(scope="session")
def queue_prefix():
    return f"t{uuid.uuid4().hex[:8]}"


@pytest.fixture
def settings(database_url, instance_path, queue_prefix):
    return from_environment(
        database_url=database_url,
        instance_path=instance_path,
        queue_prefix=queue_prefix,
        redis_url=os.environ.get("REDIS_URL", ""),
    )


@pytest.fixture
def app(settings):
    app = create_app(settings)
    app.config["TESTING"] = True
    with app.app_context():
        yield app
        db.session.rollback()
        _empty_tables()


def _empty_tables() -> None:
    with db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture
def vault(app):
    return app.extensions["flipside.vault"]


@pytest.fixture
def make_org(session):
    """Factory: a committed organisation and its Tenant."""
    counter = iter(range(1, 10_000))

    def make(slug: str | None = None) -> Tenant:
        row = create_organisation(session, slug or f"org-{next(counter)}", "Zephyr Labs")  # no catalogue word
        session.commit()
        return Tenant(session, row.id)

    return make


@pytest.fixture(autouse=True)
def _test_jobs_in_the_outbox(monkeypatch):
    """Tests may name their own job functions (tests.job_functions) in outbox rows and subscriptions."""
    from plugin.services import outbox

    monkeypatch.setattr(outbox, "JOB_PACKAGES", (*outbox.JOB_PACKAGES, "tests.job_functions:"))


@pytest.fixture
def no_wait():
    """A retry policy that records the waits it would have slept."""
    waits: list[float] = []
    policy = RetryPolicy(attempts=3, base=0.5, cap=8.0, sleep=waits.append, rng=random.Random(1))
    policy.waits = waits
    return policy


@pytest.fixture
def smtp_server(app):
    """A real loopback SMTP server (aiosmtpd) the app sends to; `smtp_server.inbox` holds what it received."""
    from dataclasses import replace

    from tests.smtp_server import LoopbackSmtp

    with LoopbackSmtp() as server:
        app.config["FLIPSIDE"] = replace(app.config["FLIPSIDE"], smtp_url=server.url)
        yield server


from tests.lms_fixtures import moodle_emulator  # noqa: E402,F401  (LMS fixtures)
from tests.lti_support import jwks_mock, org, platform, tool  # noqa: E402,F401  (LTI fixtures)
