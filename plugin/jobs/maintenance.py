"""Work a worker does beside its jobs, on a thread of its own: the outbox relay, the orphan sweep and
closing sync runs that died with their worker.

RQ runs its maintenance only between dequeues, and an idle worker blocks in one for minutes, so the
sweep for jobs a killed worker took (jobs.recovery) runs here instead, every `sweep_interval_s` (30 s), idle or
busy: an orphan goes back on its queue at most grace + interval (60 + 30 s) after it was orphaned. The
relay runs every `RELAY_INTERVAL_S`. The thread has its own database engine (the work horses forked
from this process must not share its connections) and survives Redis and database outages: a failed
round is logged and the next one tries again.
"""

from __future__ import annotations

import logging
import threading
import time

import redis
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..config import Settings
from ..db import make_engine
from ..services import abandoned_runs, outbox
from . import notify, recovery
from .connection import redis_connection
from .relay import relay_quietly

log = logging.getLogger(__name__)

RELAY_INTERVAL_S = 1.0


class Maintenance(threading.Thread):
    """A daemon thread that relays the outbox and, with `sweep`, puts back orphaned jobs."""

    def __init__(self, settings: Settings, *, sweep: bool = True, relay_interval: float = RELAY_INTERVAL_S):
        super().__init__(name="flipside-maintenance", daemon=True)
        self.settings, self.sweeps, self.relay_interval = settings, sweep, relay_interval
        self.sweep_interval, self.grace = settings.sweep_interval_s, settings.orphan_grace_s
        self.stopped = threading.Event()
        self.engine = make_engine(settings.resolved_database_url)

    def run(self) -> None:
        next_sweep = time.monotonic()
        while not self.stopped.is_set():
            relay_quietly(self.settings, self.engine)
            if self.sweeps and time.monotonic() >= next_sweep:
                self.sweep()
                next_sweep = time.monotonic() + self.sweep_interval
            self.stopped.wait(self.relay_interval)
        self.engine.dispose()

    def relay_now(self) -> int:
        """One relay round now, on the caller's thread."""
        return relay_quietly(self.settings, self.engine)

    def sweep(self) -> list[str]:
        """One orphan sweep, by one worker at a time across all of them (a lock in Redis), then close the
        sync runs that died with their worker; returns the ids of the jobs put back."""
        lock = f"flipside:{self.settings.queue_prefix}:orphans-lock"
        try:
            connection = redis_connection(self.settings)
            if not connection.set(lock, "1", nx=True, ex=max(1, int(self.sweep_interval) - 1)):
                return []
            requeued = recovery.sweep(self.settings, grace=self.grace)
            with Session(self.engine) as session:
                abandoned_runs.close_abandoned(session, self.engine)
                notify.sweep(self.settings, session)  # messages due again: retries, leases of killed workers
                outbox.prune(session)  # sent rows older than a week
                session.commit()
            return requeued
        except (redis.RedisError, SQLAlchemyError, OSError) as err:
            log.warning("orphaned-job sweep failed; the next one tries again", extra={"reason": str(err)})
            return []

    def stop(self) -> None:
        self.stopped.set()
