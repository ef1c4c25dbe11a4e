"""The one backoff rule, for retries inside a request and for job retries alike."""

from __future__ import annotations

import random


def full_jitter(attempt: int, *, base: float, cap: float, retry_after: float | None = None, rng=random) -> float:
    """Seconds before retry number `attempt` (0-based): uniform in [0, min(cap, base * 2**attempt)].

    This is "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"): clients that failed
    together spread over the whole window instead of retrying in step. Never sooner than the vendor's
    Retry-After.
    """
    delay = rng.uniform(0, min(cap, base * (2 ** max(attempt, 0))))
    return delay if retry_after is None else max(delay, float(retry_after))
