"""One sync at a time per connection: a lock held by the run from its start to its end.

PostgreSQL: a session-level advisory lock on a connection of its own, so the run's batch commits do not
release it and a worker that dies releases it with its connection. SQLite: an exclusive lock on a file
beside the database, released by the operating system when the process dies; SQLite's own write lock
would do it too, but holding it for a whole run would stop every other writer (webhooks, admin pages)
for as long. Re-entrant within a thread, so a job may take it before calling the sync service.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..errors import LockTimeout

WAIT_S = 5.0
RETRY_AFTER_S = 15.0
_NAMESPACE = 0x53594E43 & 0x7FFFFFFF  # "SYNC": keeps these advisory locks apart from anyone else's
_POLL_S = 0.1
_held = threading.local()


@contextmanager
def holding(engine: Engine, connection_id: int, *, wait_s: float | None = None) -> Iterator[None]:
    """Hold the connection's sync lock, waiting up to `wait_s`; LockTimeout if another run keeps it."""
    held: set = _held.__dict__.setdefault("ids", set())
    key = (str(engine.url), connection_id)
    if key in held:
        yield
        return
    lock = _advisory if engine.dialect.name == "postgresql" else _file
    with lock(engine, connection_id, time.monotonic() + (WAIT_S if wait_s is None else wait_s)):
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)


def _busy(connection_id: int) -> LockTimeout:
    return LockTimeout(f"another sync of connection {connection_id} is running", retry_after=RETRY_AFTER_S)


@contextmanager
def _advisory(engine: Engine, connection_id: int, deadline: float) -> Iterator[None]:
    with engine.connect() as conn:
        while not conn.scalar(text("SELECT pg_try_advisory_lock(:ns, :id)"), {"ns": _NAMESPACE, "id": connection_id}):
            conn.commit()
            if time.monotonic() >= deadline:
                raise _busy(connection_id)
            time.sleep(_POLL_S)
        conn.commit()  # the lock is the session's; no transaction stays open for the run
        try:
            yield
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:ns, :id)"), {"ns": _NAMESPACE, "id": connection_id})
                conn.commit()
            except SQLAlchemyError:
                pass  # the connection is gone, and the lock went with it


@contextmanager
def _file(engine: Engine, connection_id: int, deadline: float) -> Iterator[None]:
    database = engine.url.database
    if not database or database == ":memory:":
        yield  # one process owns an in-memory database: nobody to exclude
        return
    folder = Path(database).resolve().parent / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / f"sync-{connection_id}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _busy(connection_id) from None
                time.sleep(_POLL_S)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
