"""Running workers: in this process, as child processes, and beside the web server on the embedded default."""
from __future__ import annotations

import logging
import os
import subprocess
import sys

import redis
from rq import Worker

from ..config import Settings
from ..errors import ValidationError
from . import notify, recovery
from .connection import redis_connection
from .queue import QUEUE_NAMES, get_queue

log = logging.getLogger(__name__)

MAINTENANCE_INTERVAL_S = 120


class RecoveringWorker(Worker):
    """RQ's worker whose periodic maintenance also puts back jobs that a killed worker took with it.

    One worker at a time sweeps (a lock in Redis); an orphan goes back on its queue on the first sweep
    that finds it orphaned for longer than `recovery.ORPHAN_GRACE_S`.
    """

    def __init__(self, queues, *args, settings: Settings | None = None, **kwargs):
        super().__init__(queues, *args, **kwargs)
        self.settings = settings

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        if self.settings is None:
            return
        lock = f"flipside:{self.settings.queue_prefix}:orphans-lock"
        if not self.connection.set(lock, self.name, nx=True, ex=MAINTENANCE_INTERVAL_S - 1):
            return
        try:
            recovery.sweep(self.settings)
        except redis.RedisError:
            log.exception("orphaned-job sweep failed; the next maintenance tries again")
        notify.sweep_quietly(self.settings)


def run_worker(settings: Settings, queues: tuple[str, ...] = (), *, burst: bool = False) -> None:
    """Work the named queues (all of them by default) until stopped, or until empty with burst."""
    unknown = [q for q in queues if q not in QUEUE_NAMES]
    if unknown:
        raise ValidationError(f"Unknown queue(s) {', '.join(unknown)}; choose from {', '.join(QUEUE_NAMES)}")
    names = queues or QUEUE_NAMES
    from .task import preload_app

    preload_app()  # built once here and inherited by every forked work horse, not rebuilt per job
    worker = RecoveringWorker([get_queue(settings, n) for n in names], connection=redis_connection(settings),
                              maintenance_interval=MAINTENANCE_INTERVAL_S, settings=settings)
    worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level)


def worker_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "plugin", "worker", *args]


def worker_environment(settings: Settings) -> dict[str, str]:
    """The environment a child worker needs to see the same database, Redis and queues."""
    env = dict(os.environ)
    env.update({"FLIPSIDE_INSTANCE_PATH": os.path.abspath(settings.instance_path),
                "DATABASE_URL": settings.resolved_database_url,
                "FLIPSIDE_QUEUE_PREFIX": settings.queue_prefix,
                "FLIPSIDE_ENV": settings.env, "FLIPSIDE_SECRET_KEY": settings.secret_key,
                "FLIPSIDE_ENCRYPTION_KEYS": ",".join(settings.encryption_keys),
                "FLIPSIDE_BASE_URL": settings.base_url})
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    else:
        env.pop("REDIS_URL", None)
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


def serve(settings: Settings, host: str, port: int) -> None:
    """Serve the app with a threaded server; start a worker child on the embedded default."""
    from werkzeug.serving import run_simple

    from .. import create_app

    app = create_app(settings)
    child = spawn_worker(settings) if settings.embedded_redis else None
    try:
        print(f"Flipside is serving on http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        if child is not None:
            child.terminate()
            child.wait(timeout=30)
