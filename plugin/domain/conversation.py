"""What a pair might talk about this period: topics rotate through the programme's list, one prompt each."""

from __future__ import annotations

from collections.abc import Sequence

PROMPTS = ("prompt.1", "prompt.2", "prompt.3")  # message keys, worded per locale


def period_topics(topics: Sequence[str], period: int, per_period: int = 2) -> list[str]:
    """The topics suggested in a period: the next `per_period` of the list, wrapping around."""
    if not topics:
        return []
    count = min(per_period, len(topics))
    start = (period * count) % len(topics)
    return [topics[(start + i) % len(topics)] for i in range(count)]


def prompts_for(topics: Sequence[str], period: int) -> list[tuple[str, str]]:
    """(prompt key, topic) pairs: each suggested topic with a prompt, rotating the prompts by period."""
    return [(PROMPTS[(period + i) % len(PROMPTS)], topic) for i, topic in enumerate(topics)]
