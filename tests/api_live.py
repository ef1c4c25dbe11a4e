"""schemathesis against a live Flipside (gunicorn on an ephemeral port, PostgreSQL): the API contract holds.

    python -m tests.api_live [--max-examples N] [--checks all]

Makes a throwaway PostgreSQL database (DATABASE_URL's server, or the local default), migrates and seeds it
(an organisation, an active programme with pairs, a draft one to match, an API token), serves the app with
gunicorn, runs every schemathesis check against /api/v1/openapi.json, and compares the document with the
app's registered /api routes. Prints one line `RESULT server_errors=.. schema_violations=.. failures=..
undocumented_operations=.. operations=..` and exits 1 unless the contract holds: no server error, no answer
the document does not describe, no undocumented operation. `failures` counts schemathesis' other findings
(a schema-valid request the app refuses as a conflict with stored state, say): they are listed, not fatal.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

# schemathesis failure codes (`st explain CODE`): ST101-102 a 5xx; ST103-111 a response the document does
# not describe (status, content type, headers, body); the rest are other broken promises.
SERVER_ERRORS = ("ST101", "ST102")
SCHEMA_VIOLATIONS = tuple(f"ST1{n:02d}" for n in range(3, 12))
CONTRACT = ("server_errors", "schema_violations", "undocumented_operations", "aborted")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=50)
    parser.add_argument("--checks", default="all")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fs-api-") as folder, _database() as database_url:
        env = _environment(database_url, folder)
        token, operations = _seed(env)
        with _gunicorn(env, args.workers) as base:
            report = _schemathesis(base, token, args, Path(folder))
        report["undocumented_operations"] = len(operations["undocumented"])
        report["operations"] = operations["registered"]
    for route in operations["undocumented"]:
        print(f"undocumented: {route}")
    print("RESULT " + " ".join(f"{k}={v}" for k, v in report.items()))
    return 0 if not any(report[k] for k in CONTRACT) else 1


@contextmanager
def _database() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards."""
    from tests.conftest import ThrowawayPostgres, postgres_server_url

    server = postgres_server_url()
    if server is None:
        raise SystemExit("schemathesis run needs PostgreSQL: set DATABASE_URL to a server")
    with ThrowawayPostgres(server) as url:
        yield url


def _environment(database_url: str, folder: str) -> dict[str, str]:
    from tests.conftest import redis_server_url

    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        FLIPSIDE_INSTANCE_PATH=folder,
        FLIPSIDE_QUEUE_PREFIX=f"api{uuid.uuid4().hex[:8]}",
        FLIPSIDE_LOG_LEVEL="WARNING",
    )
    redis_url = redis_server_url()
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)  # the embedded Redis, started by the seeding step below
    return env


def _seed(env: dict[str, str]) -> tuple[str, dict]:
    """Migrate and seed in this process; returns the API token and the registered-versus-documented routes."""
    from plugin import create_app, migration_state
    from plugin.config import from_environment
    from plugin.db import db
    from plugin.services import api_tokens
    from plugin.web.api.openapi import undocumented_operations
    from tests.admin_world import add_employee, add_pair, add_programme, load_workforce, matching_programme

    settings = from_environment(env)
    migration_state.upgrade(settings.resolved_database_url)
    app = create_app(settings)
    with app.app_context():
        from plugin.services.organisations import create_organisation
        from plugin.services.tenant import Tenant

        tenant = Tenant(db.session, create_organisation(db.session, "api-live", "API Live").id)
        programme = add_programme(tenant)
        for n in range(6):
            add_pair(tenant, programme, add_employee(tenant, n), add_employee(tenant, 100 + n, job_level=8))
        load_workforce(tenant, size=120)
        matching_programme(tenant)
        token = api_tokens.issue(tenant, "schemathesis")
        db.session.commit()
        missing = undocumented_operations(app)
        registered = sum(len(_methods(rule)) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/"))
    return token, {"undocumented": missing, "registered": registered}


def _methods(rule) -> set[str]:
    return set(rule.methods or ()) - {"HEAD", "OPTIONS"}


@contextmanager
def _gunicorn(env: dict[str, str], workers: int) -> Iterator[str]:
    """`gunicorn plugin.wsgi:app` on a free loopback port, stopped (and waited for) whatever happens."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "5",
        "plugin.wsgi:app",
    ]
    process = subprocess.Popen(command, env=env)  # noqa: S603
    try:
        yield _wait_until_up(f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(base: str, process: subprocess.Popen, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                return base
        except requests.RequestException:
            pass
        if process.poll() is not None:
            raise SystemExit("gunicorn exited before it answered")
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _schemathesis(base: str, token: str, args, folder: Path) -> dict[str, int]:
    report = folder / "report.ndjson"
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{base}/api/v1/openapi.json",
        "-H",
        f"Authorization: Bearer {token}",
        "--checks",
        args.checks,
        "--max-examples",
        str(args.max_examples),
        "--seed",
        "1",
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--suppress-health-check",
        "all",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
    ]
    finished = subprocess.run(command, check=False, cwd=folder)  # noqa: S603  (its cache stays in the temp folder)
    counts = _count_failures(report)
    # schemathesis stopped for another reason (schema error, network) when it failed and reported nothing
    counts["aborted"] = int(bool(finished.returncode) and not any(counts.values()))
    return counts


def _count_failures(report: Path) -> dict[str, int]:
    """Distinct failures by kind, from schemathesis' ndjson report."""
    seen: set[tuple[str, str, str]] = set()
    for line in report.read_text().splitlines() if report.exists() else ():
        for failure in _failures(json.loads(line)):
            seen.add((failure["operation"], failure["code"], failure.get("title") or ""))
    server = sum(1 for _op, code, _title in seen if code in SERVER_ERRORS)
    schema = sum(1 for _op, code, _title in seen if code in SCHEMA_VIOLATIONS)
    return {"server_errors": server, "schema_violations": schema, "failures": len(seen) - server - schema}


def _failures(value):
    """Every failure object nested anywhere in an ndjson event."""
    if isinstance(value, dict):
        if "code" in value and "operation" in value and "message" in value:
            yield value
        for item in value.values():
            yield from _failures(item)
    elif isinstance(value, list):
        for item in value:
            yield from _failures(item)


if __name__ == "__main__":
    sys.exit(main())
