"""The per-connection rate limit lives in Redis, so every worker process draws from the same bucket."""

from __future__ import annotations

import uuid

import pytest

from plugin.connectors.ratelimit import RateLimiter
from plugin.jobs.connection import redis_connection


@pytest.fixture
def two_workers(settings):
    """Two limiters on one key, as two worker processes would hold them, with a shared fake clock."""
    client, key, now, slept = redis_connection(settings), f"test-rate-{uuid.uuid4().hex}", [1000.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    make = lambda: RateLimiter(client, key, rate=2, burst=2, sleep=sleep, clock=lambda: now[0])  # noqa: E731
    yield make(), make(), slept
    client.delete(key, key + ":hold")


def test_workers_share_one_bucket(two_workers):
    first, second, slept = two_workers
    first.acquire()
    second.acquire()  # the burst of 2 is used up between them
    assert slept == []
    second.acquire()
    assert slept == [pytest.approx(0.5)]  # 2 requests per second for the connection, not per worker


def test_a_hold_pauses_every_worker(two_workers):
    first, second, slept = two_workers
    first.hold(3.0)  # e.g. Canvas said X-Rate-Limit-Remaining is nearly gone
    second.acquire()
    assert sum(slept) == pytest.approx(3.0)
