"""Running workers: in this process, as child processes, and beside the web server on the embedded default."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import redis
import sqlalchemy.engine
import sqlalchemy.exc
from flask import Flask
from rq import Worker

from .. import migration_state
from ..config import Settings
from ..errors import ValidationError
from .connection import redis_connection
from .former_names import RenamedAwareJob
from .maintenance import Maintenance
from .queue import QUEUE_NAMES, get_queue
from .task import backoff_seconds, preload_app

log = logging.getLogger(__name__)

MAINTENANCE_INTERVAL_S = 60
# RQ blocks in a dequeue for worker_ttl - 15 s and runs its own maintenance (registries, restarting a
# scheduler that died with Redis) only between dequeues: 60 s keeps that within ~2 minutes, not ~7
WORKER_TTL_S = 60


class RecoveringWorker(Worker):
    """RQ's worker that remembers a stop request, so `run_worker` can tell a stop from an outage."""

    stopping = False

    def request_stop(self, signum, frame):
        self.stopping = True
        super().request_stop(signum, frame)


def run_worker(
    settings: Settings, app_factory: Callable[[], Flask], queues: tuple[str, ...] = (), *, burst: bool = False
) -> None:
    """Work the named queues (all of them by default) until stopped, or until empty with burst.

    RQ's loop exits when Redis goes away; this one waits with the one backoff until Redis answers and
    starts a fresh worker, so `flipside worker` outlives outages. A maintenance thread relays the
    outbox and sweeps for orphaned jobs meanwhile (jobs.maintenance).
    """
    unknown = [q for q in queues if q not in QUEUE_NAMES]
    if unknown:
        raise ValidationError(f"Unknown queue(s) {', '.join(unknown)}; choose from {', '.join(QUEUE_NAMES)}")
    stop = _Stop()
    stop.install()  # until RQ's loop installs its own handlers, a stop while we wait is honoured here
    if not _wait_for_database(settings, stop):
        return

    preload_app(app_factory)  # built once here and inherited by every forked work horse, not rebuilt per job
    maintenance = Maintenance(settings)
    maintenance.start()
    try:
        _work_until_stopped(settings, queues or QUEUE_NAMES, burst, maintenance, stop)
    finally:
        maintenance.stop()


def _wait_for_database(settings: Settings, stop: _Stop) -> bool:
    """Check the schema once the database answers; a (re)start during a database outage waits for it.

    Jobs against an old schema would fail one by one, so a schema that is behind still refuses at once
    (NotMigrated); only an unreachable server is waited out, with the one backoff. False if stopped.
    """
    attempt = 0
    while not stop.requested:
        try:
            migration_state.require_current(settings.resolved_database_url)
            if attempt:
                log.warning("worker reached the database", extra={"attempts": attempt + 1})
            return True
        except sqlalchemy.exc.OperationalError as err:
            if sqlalchemy.engine.make_url(settings.resolved_database_url).get_backend_name() == "sqlite":
                raise  # a file that cannot be opened is not an outage to wait out
            log.warning("worker cannot reach the database yet", extra={"reason": str(err).splitlines()[0]})
        _sleep_unless_stopped(backoff_seconds(min(attempt, 3)), stop)
        attempt += 1
    return False


def _sleep_unless_stopped(seconds: float, stop: _Stop) -> None:
    deadline = time.monotonic() + seconds
    while not stop.requested and time.monotonic() < deadline:
        time.sleep(0.2)


def _work_until_stopped(
    settings: Settings, names: tuple[str, ...], burst: bool, maintenance: Maintenance, stop: _Stop
) -> None:
    outages = 0
    while not stop.requested:
        if burst:
            maintenance.relay_now()  # what the outbox holds is part of the work
        worker = None
        try:  # building the worker talks to Redis too (CLIENT SETNAME): a (re)start during an outage waits
            worker = RecoveringWorker(
                [get_queue(settings, n) for n in names],
                connection=redis_connection(settings),
                job_class=RenamedAwareJob,
                maintenance_interval=MAINTENANCE_INTERVAL_S,
                worker_ttl=WORKER_TTL_S,
            )
            worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level)
        except (redis.ConnectionError, redis.TimeoutError) as err:
            log.warning("worker lost Redis", extra={"reason": str(err)})
        if (worker is not None and worker.stopping) or (burst and _answers(settings) and _drained(settings, names)):
            return
        stop.install()  # RQ's handlers are gone with its loop; a stop while we wait is still honoured
        outages += 1
        _wait_for_redis(settings, outages, stop)


class _Stop:
    """SIGTERM/SIGINT received while no RQ loop is running."""

    requested = False

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._request)

    def _request(self, _signum, _frame) -> None:
        self.requested = True


def _wait_for_redis(settings: Settings, outages: int, stop: _Stop) -> None:
    """Sleep with the one backoff (in short steps, so a stop is quick) until Redis answers again."""
    attempt = min(outages, 3)  # an outage is waited out in steps of at most ~40 s
    while not stop.requested:
        _sleep_unless_stopped(backoff_seconds(attempt - 1), stop)
        if _answers(settings):
            log.warning("worker reconnected to Redis", extra={"outages": outages})
            return
        attempt = min(attempt + 1, 3)


def _answers(settings: Settings) -> bool:
    try:
        return bool(redis_connection(settings).ping())
    except (redis.RedisError, OSError):
        return False


def _drained(settings: Settings, names: tuple[str, ...]) -> bool:
    try:
        return all(get_queue(settings, n).count == 0 for n in names)
    except redis.RedisError:
        return False


def worker_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "plugin", "worker", *args]


def worker_environment(settings: Settings) -> dict[str, str]:
    """The environment a child worker needs to see the same database, Redis and queues."""
    env = dict(os.environ)
    env.update(
        {
            "FLIPSIDE_INSTANCE_PATH": os.path.abspath(settings.instance_path),
            "DATABASE_URL": settings.resolved_database_url,
            "FLIPSIDE_QUEUE_PREFIX": settings.queue_prefix,
            "FLIPSIDE_ENV": settings.env,
            "FLIPSIDE_SECRET_KEY": settings.secret_key,
            "FLIPSIDE_ENCRYPTION_KEYS": ",".join(settings.encryption_keys),
            "FLIPSIDE_BASE_URL": settings.base_url,
            "FLIPSIDE_SWEEP_INTERVAL_S": str(settings.sweep_interval_s),
            "FLIPSIDE_ORPHAN_GRACE_S": str(settings.orphan_grace_s),
            "FLIPSIDE_MESSAGE_LEASE_S": str(settings.message_lease_s),
        }
    )
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    else:
        env.pop("REDIS_URL", None)
    if settings.smtp_url:  # a server the caller chose in code (the demo's loopback mailbox), not only the environment
        env.update({"FLIPSIDE_SMTP_URL": settings.smtp_url, "FLIPSIDE_MAIL_FROM": settings.mail_from})
    return env


def spawn_worker(settings: Settings, *args: str, env_overrides: dict | None = None, **popen) -> subprocess.Popen:
    """Start `flipside worker ARGS` as a child process sharing this process's settings."""
    redis_connection(settings).ping()  # make sure the embedded server is up before the child attaches
    env = worker_environment(settings) | (env_overrides or {})
    return subprocess.Popen(worker_command(*args), env=env, **popen)  # noqa: S603


def run_burst(settings: Settings, timeout: float = 600, *, quiet: bool = False) -> int:
    """Run one worker process until the queues are empty; returns its exit status."""
    child = spawn_worker(settings, "--burst", env_overrides={"FLIPSIDE_LOG_LEVEL": "WARNING"} if quiet else None)
    try:
        return child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        raise


def serve(settings: Settings, app_factory: Callable[[Settings], Flask], host: str, port: int) -> None:
    """Serve the app with a threaded server; start a worker child on the embedded default.

    Ctrl+C (SIGINT) and SIGTERM both stop the worker child first; the embedded Redis then stops with
    this process (plugin.jobs.connection), so nothing it started is left running.
    """
    from werkzeug.serving import run_simple

    migration_state.require_current(settings.resolved_database_url)
    app = app_factory(settings)  # plugin.cli passes create_app: the app sits above jobs
    # Its own session: a terminal's Ctrl+C reaches only us, and we stop the child with one warm shutdown.
    child = spawn_worker(settings, start_new_session=True) if settings.embedded_redis else None
    relay = Maintenance(settings, sweep=False)  # the outbox reaches Redis even with no worker beside
    relay.start()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        print(f"Flipside is serving on http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        signal.signal(signal.SIGTERM, previous)
        relay.stop()
        if child is not None:
            stop_child(child)


def _interrupt(_signum, _frame):
    """SIGTERM ends serving the way Ctrl+C does, so the clean-up below runs (Python's default just dies)."""
    raise KeyboardInterrupt


def stop_child(child: subprocess.Popen, timeout: float = 30) -> None:
    """Ask a worker child to finish its job and stop (SIGTERM: RQ's warm shutdown); kill it if it will not."""
    if child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
