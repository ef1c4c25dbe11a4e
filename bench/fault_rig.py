"""The fault suite's machinery: the proxies in front of Redis and the database, and the worker processes.

On PostgreSQL + Redis both servers get a `TcpProxy`; the workers and the web app talk through them, the
suite itself (setting up, checking) talks to the servers directly. On the embedded default the proxy
sits in front of the embedded Redis server's unix socket (the workers reach it over TCP), and SQLite,
which has no server to become unreachable, is made unavailable instead: the suite holds its write lock
for the same 5 seconds, which is what a writer sees of a database that is away.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import time
from dataclasses import replace

from sqlalchemy.engine import make_url

from plugin.config import Settings
from plugin.jobs.connection import redis_connection
from plugin.jobs.runner import spawn_worker

from .proxy import TcpProxy


class Rig:
    """Proxies for Redis and the database, and the settings the workers and the web app use."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.redis = TcpProxy(self._redis_target(settings)).start()
        url = make_url(settings.resolved_database_url)
        self.sqlite_path = url.database if url.get_backend_name() == "sqlite" else None
        self.db = None if self.sqlite_path else TcpProxy((url.host or "127.0.0.1", url.port or 5432)).start()
        db_url = url if self.db is None else url.set(host="127.0.0.1", port=self.db.port)
        redis_db = make_url(settings.redis_url).database if settings.redis_url else None
        self.proxied = replace(
            settings,
            database_url=db_url.render_as_string(hide_password=False),
            redis_url=f"redis://127.0.0.1:{self.redis.port}/{redis_db or 0}",
        )

    @staticmethod
    def _redis_target(settings: Settings):
        if settings.redis_url:
            url = make_url(settings.redis_url)
            return (url.host or "127.0.0.1", url.port or 6379)
        client = redis_connection(settings)  # starts the embedded server; this process owns it
        return client.connection_pool.connection_kwargs["path"]

    def database_outage(self, seconds: float) -> str:
        """Make the database unreachable (PostgreSQL) or unavailable (SQLite's write lock) for `seconds`."""
        if self.db is not None:
            self.db.outage(seconds)
            return f"PostgreSQL unreachable {seconds:g} s (proxy)"
        lock = sqlite3.connect(self.sqlite_path, timeout=30, isolation_level=None)
        try:
            lock.execute("BEGIN EXCLUSIVE")
            time.sleep(seconds)
            lock.execute("COMMIT")
        finally:
            lock.close()
        return f"SQLite locked {seconds:g} s (exclusive lock)"

    def stop(self) -> None:
        """Stop both proxies (the servers behind them keep running)."""
        self.redis.stop()
        if self.db is not None:
            self.db.stop()


class Fleet:
    """`flipside worker` processes; a kill takes each worker's work horse too (RQ puts it in its own group)."""

    def __init__(self, settings: Settings, size: int, log_path: str):
        self.settings, self.size, self.log_path = settings, size, log_path
        self.children: list[subprocess.Popen] = []
        self.killed = 0
        self.died = 0  # workers that exited without being killed by the suite

    def start(self, count: int | None = None) -> None:
        """Start `count` workers (default: `size`)."""
        with open(self.log_path, "ab") as log:
            for _ in range(self.size if count is None else count):
                self.children.append(
                    spawn_worker(
                        self.settings,
                        start_new_session=True,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        env_overrides={"FLIPSIDE_LOG_LEVEL": "WARNING"},
                    )
                )

    def kill(self) -> None:
        """SIGKILL every live worker and its work horse at the same instant, as a machine losing power would."""
        victims = []
        for child in self.children:
            if child.poll() is None:
                self.killed += 1
                victims += [child.pid, *children_of(child.pid)]
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        for child in self.children:
            child.wait()
        self.children = []

    def replace_dead(self) -> int:
        """Start a new worker for each one that exited by itself; returns how many had."""
        dead = [child for child in self.children if child.poll() is not None]
        self.children = [child for child in self.children if child.poll() is None]
        self.died += len(dead)
        if dead:
            self.start(len(dead))
        return len(dead)

    def alive(self) -> int:
        """How many of the current workers still run."""
        return sum(child.poll() is None for child in self.children)

    def stop(self) -> None:
        """Ask every worker to stop (warm shutdown), then kill what is left."""
        for child in self.children:
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for child in self.children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        self.children = []


def children_of(pid: int) -> list[int]:
    """The direct children of a process (Linux /proc): a worker's work horse."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            out.append(int(entry))
    return out
