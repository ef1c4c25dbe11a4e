"""Acceptances: a Redis mark for each message the SMTP server accepted, kept until the database says `sent`.

A mark is one Redis round trip where a `sent` stamp is a database commit, so the delivery job marks each
acceptance at once and stamps the rows in batch commits (jobs.notify). A worker killed between a mark and
its batch commit leaves the marks behind, and the rows leased: whoever leases those rows again reads the
marks first and stamps the rows sent without sending them again. A kill therefore doubles at most the one
message between the server's acceptance and its mark, as before, and drops none.

A mark outlives any lease and any plausible outage before a row is leased again (`KEEP_S`); it is removed
as soon as its row is stamped, so only a killed worker's few marks ever wait for their expiry.
"""

from __future__ import annotations

from datetime import UTC, datetime

import redis

from ..config import Settings

KEEP_S = 7 * 86400  # a week: a dead worker's rows are leased again after its lease and a sweep, not days later


class Acceptances:
    """The marks of one Redis, keyed by the message's own Message-ID (unique per row) under the queue prefix."""

    def __init__(self, settings: Settings, connection: redis.Redis):
        self.prefix, self.connection = f"{settings.queue_prefix}:accepted:", connection

    def key(self, message_id: str) -> str:
        return self.prefix + message_id

    def mark(self, message_id: str, at: datetime) -> None:
        """Record that the server accepted this message at `at`; redis.RedisError if Redis did not take it."""
        self.connection.set(self.key(message_id), f"{at.timestamp():.6f}", ex=KEEP_S)

    def marked(self, message_ids: list[str]) -> dict[str, datetime]:
        """The accepted ones among these messages, with when; redis.RedisError if Redis cannot say."""
        if not message_ids:
            return {}
        values = self.connection.mget([self.key(m) for m in message_ids])
        return {m: _moment(v) for m, v in zip(message_ids, values, strict=True) if v is not None}

    def forget(self, message_ids: list[str]) -> None:
        """Drop the marks of rows the database now has as sent; if Redis refuses, they simply expire."""
        if not message_ids:
            return
        try:
            self.connection.delete(*(self.key(m) for m in message_ids))
        except redis.RedisError:
            pass


def _moment(value: bytes) -> datetime:
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError):  # a mark someone else wrote: accepted, time unknown
        return datetime.now(UTC)
