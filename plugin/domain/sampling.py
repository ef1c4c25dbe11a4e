"""Weighted draws from a seeded random.Random, cheap enough for millions of calls."""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """A fixed set of items with weights; `pick` draws one in O(log n)."""

    __slots__ = ("items", "_cumulative", "_total")

    def __init__(self, pairs: Iterable[tuple[T, float]]):
        items: list[T] = []
        cumulative: list[float] = []
        total = 0.0
        for item, weight in pairs:
            if weight > 0:
                total += weight
                items.append(item)
                cumulative.append(total)
        if not items:
            raise ValueError("Weighted needs at least one item with a positive weight")
        # random() < 1, but random() * total can round up to total: the last bound catches it.
        cumulative[-1] = math.inf
        self.items = tuple(items)
        self._cumulative = cumulative
        self._total = total

    def pick(self, rng: random.Random) -> T:
        """One item, drawn with probability proportional to its weight."""
        return self.items[bisect_right(self._cumulative, rng.random() * self._total)]


def between(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high]; like rng.randint, a few times faster, and as repeatable."""
    return low + int(rng.random() * (high - low + 1))


def one_of(rng: random.Random, items: Sequence[T]) -> T:
    """One of `items`, each equally likely; like rng.choice, faster."""
    return items[int(rng.random() * len(items))]
