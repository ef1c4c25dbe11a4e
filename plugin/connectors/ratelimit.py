"""Per-connection request pacing shared by every worker: a token bucket in Redis, plus a shared hold.

Every request to a vendor, whichever worker process sends it, takes a token from the connection's bucket
(`rate` per second, up to `burst` saved up). A connector that learns the vendor wants it to slow down
(Canvas's falling X-Rate-Limit-Remaining, a throttled answer) calls `hold(seconds)`: every worker waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from requests.adapters import HTTPAdapter

from plugin.connectors.http import make_session

# KEYS: bucket, hold. ARGV: rate, burst, now. Returns seconds to wait ("0" = go).
_TAKE = """
local hold = tonumber(redis.call('GET', KEYS[2]) or '0')
local now = tonumber(ARGV[3])
if hold > now then return tostring(hold - now) end
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], 3600)
return tostring(wait)
"""


class RateLimiter:
    """A token bucket named by `key`, shared through Redis by every process using the same key."""

    def __init__(
        self,
        client: redis.Redis,
        key: str,
        *,
        rate: float,
        burst: int = 1,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ):
        self.client, self.key, self.rate, self.burst = client, key, float(rate), max(1, int(burst))
        self._take = client.register_script(_TAKE)
        self._sleep, self._clock = sleep, clock
        self.waited = 0.0

    def acquire(self) -> None:
        """Block until this process may send one request."""
        while True:
            wait = float(
                self._take(keys=[self.key, self.key + ":hold"], args=[self.rate, self.burst, f"{self._clock():.6f}"])
            )
            if wait <= 0:
                return
            self.waited += wait
            self._sleep(wait)

    def hold(self, seconds: float) -> None:
        """Make every user of this bucket wait `seconds` from now (never shortens an existing hold)."""
        until = self._clock() + max(0.0, seconds)
        hold_key = self.key + ":hold"
        current = float(self.client.get(hold_key) or 0)
        if until > current:
            self.client.set(hold_key, f"{until:.6f}", px=max(1, int(seconds * 1000) + 1000))


class LimitedAdapter(HTTPAdapter):
    """A transport adapter that takes a token before every request it sends (token refreshes included)."""

    def __init__(self, limiter: RateLimiter, **kwargs):
        self.limiter = limiter
        super().__init__(**kwargs)

    def send(self, request, *args, **kwargs):
        self.limiter.acquire()
        return super().send(request, *args, **kwargs)


def limit(session, limiter: RateLimiter | None, *, pool_size: int = 8):
    """Mount a LimitedAdapter on `session` (a plain or an OAuth session); no limiter leaves it as is."""
    if limiter is None:
        return session
    session = make_session(session=session, pool_size=pool_size)
    adapter = LimitedAdapter(limiter, pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
