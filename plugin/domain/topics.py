"""Reverse-mentoring topics, and who tends to know them or want to learn them."""

from __future__ import annotations

import random
from functools import cache

from plugin.domain.geography import AMERICAS, APAC, EUROPE, MIDDLE_EAST
from plugin.domain.language import N_
from plugin.domain.sampling import Weighted

TOPICS = (
    "ai",
    "social-media",
    "sustainability",
    "inclusion",
    "new-ways-of-working",
    "consumer-trends",
    "digital-tools",
    "gen-z-culture",
)

TOPIC_LABELS = {  # catalogue message ids: pages show them translated, never the code
    "ai": N_("Digital and AI"),
    "social-media": N_("Social media"),
    "sustainability": N_("Sustainability"),
    "inclusion": N_("Diversity and inclusion"),
    "new-ways-of-working": N_("New ways of working"),
    "consumer-trends": N_("Consumer trends"),
    "digital-tools": N_("Digital tools"),
    "gen-z-culture": N_("Gen Z culture"),
}

_ORDER = {topic: index for index, topic in enumerate(TOPICS)}


def from_catalogue(values) -> tuple[list[str], list[str]]:
    """The catalogue topics named (codes, any case, in catalogue order) and the names that are not in it."""
    named = [str(v).strip() for v in values or [] if str(v).strip()]
    known = {v.lower() for v in named if v.lower() in _ORDER}
    unknown = list(dict.fromkeys(v for v in named if v.lower() not in _ORDER))
    return sorted(known, key=_ORDER.__getitem__), unknown


# What juniors tend to be good at, before function and region tilt it.
_EXPERTISE = {
    "ai": 3,
    "social-media": 4,
    "sustainability": 3,
    "inclusion": 2,
    "new-ways-of-working": 2,
    "consumer-trends": 2,
    "digital-tools": 4,
    "gen-z-culture": 3,
}
# What executives most often ask to learn.
_GOALS = {
    "ai": 5,
    "social-media": 3,
    "sustainability": 2,
    "inclusion": 2,
    "new-ways-of-working": 2,
    "consumer-trends": 2,
    "digital-tools": 3,
    "gen-z-culture": 3,
}

_FUNCTION_EXPERTISE = {
    "Engineering": {"ai": 4, "digital-tools": 3},
    "Product": {"ai": 2, "digital-tools": 2, "consumer-trends": 2},
    "Marketing": {"social-media": 4, "consumer-trends": 3, "gen-z-culture": 2},
    "Sales": {"social-media": 2, "consumer-trends": 2},
    "Customer Service": {"digital-tools": 2, "social-media": 1.5},
    "Operations": {"new-ways-of-working": 2, "sustainability": 1.5},
    "Supply Chain": {"sustainability": 4, "ai": 1.5},
    "Finance": {"ai": 1.5, "digital-tools": 2, "sustainability": 1.5},
    "Human Resources": {"inclusion": 4, "new-ways-of-working": 3},
    "Legal": {"ai": 1.5, "inclusion": 1.5, "sustainability": 1.5},
}
_FUNCTION_GOALS = {
    "Executive": {"ai": 1.5, "gen-z-culture": 1.5},
    "Engineering": {"ai": 0.6, "new-ways-of-working": 1.5, "inclusion": 1.5},
    "Product": {"consumer-trends": 1.5, "gen-z-culture": 1.5},
    "Marketing": {"social-media": 2, "consumer-trends": 2, "gen-z-culture": 1.5},
    "Sales": {"social-media": 2, "digital-tools": 1.5},
    "Customer Service": {"digital-tools": 1.5, "ai": 1.3},
    "Operations": {"ai": 1.5, "new-ways-of-working": 1.5},
    "Supply Chain": {"sustainability": 2, "ai": 1.5},
    "Finance": {"ai": 1.5, "sustainability": 2},
    "Human Resources": {"inclusion": 2, "new-ways-of-working": 2, "gen-z-culture": 1.5},
    "Legal": {"ai": 2, "social-media": 1.3},
}
_REGION = {
    EUROPE: {"sustainability": 2, "new-ways-of-working": 1.5},
    APAC: {"digital-tools": 1.5, "ai": 1.5, "consumer-trends": 1.3},
    AMERICAS: {"inclusion": 1.6, "social-media": 1.3},
    MIDDLE_EAST: {"ai": 1.6, "digital-tools": 1.4, "sustainability": 1.2},
}


@cache
def expertise_weights(function: str, region: str, young: bool) -> Weighted[str]:
    """How likely each topic is to be a person's expertise; Gen Z culture only for the young."""
    weights = _tilted(_EXPERTISE, _FUNCTION_EXPERTISE.get(function, {}), _REGION.get(region, {}))
    if young:
        weights["social-media"] *= 1.5
    else:
        weights["gen-z-culture"] = 0
    return Weighted(weights.items())


@cache
def goal_weights(function: str, region: str) -> Weighted[str]:
    """How likely each topic is to be something a person wants to learn."""
    return Weighted(_tilted(_GOALS, _FUNCTION_GOALS.get(function, {}), _REGION.get(region, {})).items())


def draw_topics(
    rng: random.Random, weights: Weighted[str], count: int, exclude: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """Up to `count` distinct topics, none of `exclude`, in TOPICS order."""
    if count == 0:
        return ()
    chosen: list[str] = []
    for _ in range(count * 4):
        if len(chosen) >= count:
            break
        topic = weights.pick(rng)
        if topic not in chosen and topic not in exclude:
            chosen.append(topic)
    return tuple(sorted(chosen, key=_ORDER.__getitem__))


def _tilted(base: dict[str, float], *tilts: dict[str, float]) -> dict[str, float]:
    weights = dict(base)
    for tilt in tilts:
        for topic, factor in tilt.items():
            weights[topic] *= factor
    return weights
