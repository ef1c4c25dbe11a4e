"""The shape of a synthetic organisation: how many people sit under whom, and at which level.

Each manager is handed a headcount (themselves included) and splits the rest among 3..10 direct
reports; a report handed one person is an individual contributor, anyone else manages. A manager's
level follows the size of what they lead, so levels thin out towards the top like a real pyramid.
"""

from __future__ import annotations

import random

from plugin.domain.positions import CEO_LEVEL, CHIEF_LEVEL, FUNCTIONS, MANAGER_MIN_LEVEL, Function
from plugin.domain.sampling import Weighted, between

MIN_SPAN = 3
MAX_SPAN = 10
CHIEF_SHARE = 12
"""One C-suite function for every dozen people, until every function has its chief."""

# Most people a person at each level can have under them, themselves included.
_CAPACITY = {level: 1 for level in range(1, MANAGER_MIN_LEVEL)}
for _level in range(MANAGER_MIN_LEVEL, CEO_LEVEL):
    _CAPACITY[_level] = 1 + MAX_SPAN * _CAPACITY[_level - 1]

MAX_SIZE = 1 + len(FUNCTIONS) * _CAPACITY[CHIEF_LEVEL]

# The level a manager of at most this many people usually holds.
_NATURAL_LEVEL = ((7, 4), (11, 5), (35, 6), (150, 7), (1000, 8))
_MIN_TEAM = 1 + MIN_SPAN

# Individual contributors: many associates, fewer leads.
_IC_WEIGHTS = {1: 35, 2: 30, 3: 22, 4: 13}
_IC_LEVELS = {
    above: Weighted((level, weight) for level, weight in _IC_WEIGHTS.items() if level < above)
    for above in range(2, CEO_LEVEL + 1)
}


def split_company(rng: random.Random, size: int) -> list[tuple[Function, int]]:
    """The chief executive's direct reports: one chief per function, with the headcount each leads."""
    below = size - 1
    if below < 1:
        return []
    count = min(len(FUNCTIONS), -(-below // CHIEF_SHARE))
    chosen = FUNCTIONS[:count]
    weights = [function.weight * (0.8 + 0.4 * rng.random()) for function in chosen]
    return list(zip(chosen, _apportion(below, weights, 1, _CAPACITY[CHIEF_LEVEL]), strict=True))


def split_team(rng: random.Random, headcount: int, level: int) -> list[tuple[int, int]]:
    """(headcount, level) of each direct report of a level-`level` person leading `headcount` people.

    Teams of up to ten are all individual contributors. Larger ones split among 3..10 reports who
    each lead at least three people, plus now and then a senior individual contributor or two.
    """
    below = headcount - 1
    if below <= MAX_SPAN:
        return [(1, _IC_LEVELS[level].pick(rng)) for _ in range(below)]
    cap = _CAPACITY[level - 1]
    span = max(between(rng, MIN_SPAN, MAX_SPAN), -(-below // cap))
    solo = between(rng, 0, 2) if below <= (span - 2) * cap else 0
    managers = min(span - solo, (below - solo) // _MIN_TEAM)
    if managers + solo < MIN_SPAN:
        solo = MIN_SPAN - managers
    sizes = _apportion(below - solo, [0.3 + rng.random() for _ in range(managers)], _MIN_TEAM, cap)
    reports = [(size, _manager_level(size, level)) for size in sizes]
    reports += [(1, _IC_LEVELS[level].pick(rng)) for _ in range(solo)]
    return reports


def _manager_level(headcount: int, above: int) -> int:
    level = next((lvl for limit, lvl in _NATURAL_LEVEL if headcount <= limit), CHIEF_LEVEL)
    while _CAPACITY[level] < headcount:
        level += 1
    return min(level, above - 1)


def _apportion(total: int, weights: list[float], floor: int, cap: int) -> list[int]:
    """`total` split in proportion to `weights`, each share between `floor` and `cap`."""
    scale = total / sum(weights)
    shares = [min(cap, max(floor, int(weight * scale))) for weight in weights]
    left = total - sum(shares)
    while left > 0:  # what rounding down (or the cap) left over, spread from the first share on
        for index, share in enumerate(shares):
            extra = min(cap - share, left, max(1, left // len(shares)))
            shares[index] += extra
            left -= extra
    while left < 0:  # shares raised to the floor overshot; take back from the largest
        index = shares.index(max(shares))
        shares[index] -= 1
        left += 1
    return shares
