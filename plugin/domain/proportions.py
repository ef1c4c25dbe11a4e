"""Confidence intervals for proportions, their difference and their ratio (95% unless told).

Methods, chosen because HR cells are small and rates sit near 0 or 1 where the Wald interval fails:
- one proportion: Wilson score interval;
- difference of two proportions: Newcombe's hybrid score interval (his method 10), built from the two
  Wilson intervals (Newcombe 1998, Statistics in Medicine 17:873-890);
- ratio of two proportions: the log-ratio (Katz) interval, undefined when either rate is 0.
A weighted proportion (a comparison group standardised to the participants) enters with its Kish
effective sample size, (sum w)^2 / sum w^2, in place of n.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    """A point estimate with its lower and upper confidence bounds."""

    estimate: float
    low: float
    high: float

    def covers(self, value: float) -> bool:
        """Whether `value` lies inside the interval (bounds included)."""
        return self.low <= value <= self.high

    def scaled(self, factor: float) -> Interval:
        """The same interval multiplied by a non-negative factor."""
        return Interval(self.estimate * factor, self.low * factor, self.high * factor)


def wilson(rate: float, n: float, z: float = Z95) -> Interval:
    """Wilson score interval for a proportion observed on n (possibly effective, fractional) people."""
    if n <= 0:
        raise ValueError("a proportion needs at least one person")
    denominator = 1 + z * z / n
    centre = (rate + z * z / (2 * n)) / denominator
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / denominator
    return Interval(rate, max(0.0, centre - half), min(1.0, centre + half))


def difference(p1: float, n1: float, p2: float, n2: float, z: float = Z95) -> Interval:
    """Newcombe's hybrid score interval for p1 - p2."""
    one, two = wilson(p1, n1, z), wilson(p2, n2, z)
    estimate = p1 - p2
    low = estimate - math.sqrt((p1 - one.low) ** 2 + (two.high - p2) ** 2)
    high = estimate + math.sqrt((one.high - p1) ** 2 + (p2 - two.low) ** 2)
    return Interval(estimate, low, high)


def ratio(p1: float, n1: float, p2: float, n2: float, z: float = Z95) -> Interval | None:
    """Log-ratio interval for p1 / p2; None when either rate is 0 (the log is undefined)."""
    if p1 <= 0 or p2 <= 0:
        return None
    estimate = p1 / p2
    se = math.sqrt((1 - p1) / (n1 * p1) + (1 - p2) / (n2 * p2))
    return Interval(estimate, estimate * math.exp(-z * se), estimate * math.exp(z * se))


def kish_effective_size(weights: list[float]) -> float:
    """Kish's effective sample size of a weighted group."""
    total = sum(weights)
    squares = sum(w * w for w in weights)
    return total * total / squares if squares else 0.0
