"""The one backoff rule: full jitter over a capped exponential window, never before Retry-After."""

from __future__ import annotations

import random

from plugin.domain.backoff import full_jitter


def test_full_jitter_spreads_over_the_whole_window_up_to_the_cap():
    rng = random.Random(7)
    draws = [full_jitter(3, base=5, cap=600, rng=rng) for _ in range(2000)]
    assert 0 <= min(draws) < 4 and 36 < max(draws) <= 40  # [0, 5 * 2**3], not the upper half only
    assert sum(d < 20 for d in draws) > 800  # equal jitter would never go below 20
    late = [full_jitter(20, base=5, cap=600, rng=rng) for _ in range(500)]
    assert max(late) <= 600


def test_a_vendor_retry_after_is_a_floor():
    rng = random.Random(1)
    assert all(full_jitter(0, base=5, cap=600, retry_after=90, rng=rng) >= 90 for _ in range(100))
