"""Per-criterion scores in [0, 1] for one executive and one mentor, each with a reason a person can read.

These pure functions are the definition of a score. `mentor_table` computes the same numbers for
thousands of mentors at once; a property test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from plugin.domain.matching.profile import CRITERIA, FLUENCY_LABELS, Participant, ProgrammeRules
from plugin.domain.personality import HIGHEST, LOWEST, TRAITS

STYLE_FIELDS = ("cadence", "tone", "medium")
# The personality rule (see `personality_fit`): trait positions in `TRAITS`, and whether a pair should
# be alike (True) or differ (False) on it.
PERSONALITY_RULE = (
    (TRAITS.index("agreeableness"), True),
    (TRAITS.index("conscientiousness"), True),
    (TRAITS.index("intellect"), True),
    (TRAITS.index("extraversion"), False),
)
PERSONALITY_NEUTRAL = 0.5
PERSONALITY_REASON = "Personality questionnaire taken into account (the answers stay private)"


@dataclass(frozen=True, slots=True)
class CriterionScore:
    """One criterion's score in [0, 1], its share of the total, and why."""

    criterion: str
    score: float
    share: float
    reason: str


@dataclass(frozen=True, slots=True)
class PairScore:
    """The weighted total in [0, 1] and the per-criterion breakdown behind it."""

    total: float
    criteria: tuple[CriterionScore, ...]


def tag_text(tag: str) -> str:
    return tag.replace("_", " ")


def common_languages(e: Participant, m: Participant, min_fluency: int) -> list[tuple[str, int]]:
    """Languages both speak at `min_fluency` or better, with the lower of the two levels, best first."""
    theirs = dict(m.languages)
    shared = [
        (lang, min(level, theirs[lang]))
        for lang, level in e.languages
        if level >= min_fluency and theirs.get(lang, 0) >= min_fluency
    ]
    return sorted(shared, key=lambda item: -item[1])


def language_fit(e: Participant, m: Participant, min_fluency: int) -> tuple[float, str]:
    shared = common_languages(e, m, min_fluency)
    if not shared:
        return 0.0, "No common working language"
    spoken = [f"{lang} ({FLUENCY_LABELS[level]})" for lang, level in shared]
    return shared[0][1] / 5, "Both speak " + _and_join(spoken)


def communication_fit(e: Participant, m: Participant) -> tuple[float, str]:
    agree, differ = [], []
    for name in STYLE_FIELDS:
        mine, theirs = getattr(e, name), getattr(m, name)
        if mine is None or theirs is None or mine == theirs:
            if mine or theirs:
                agree.append(mine or theirs)
        else:
            differ.append(f"{mine} vs {theirs}")
    score = (len(STYLE_FIELDS) - len(differ)) / len(STYLE_FIELDS)
    if not differ:
        return score, "Same way of working" + (f": {', '.join(agree)}" if agree else "")
    reason = f"Agree on {', '.join(agree)}; differ on " if agree else "Differ on "
    return score, reason + ", ".join(differ)


def culture_fit(e: Participant, m: Participant) -> tuple[float, str]:
    if e.country == m.country:
        return 0.0, f"Both in {e.country}"
    if e.region == m.region:
        return 0.5, f"Same region ({e.region}), different countries: {e.country} and {m.country}"
    return 1.0, f"Across regions: {e.country} ({e.region}) and {m.country} ({m.region})"


def utc_window(p: Participant) -> tuple[float, float]:
    """Start of the working day in UTC hours [0, 24) and its length in hours, at most 24."""
    length = p.work_end - p.work_start
    if length < 0:
        length += 24.0
    return (p.work_start - p.utc_offset) % 24.0, min(length, 24.0)


def shared_hours(e: Participant, m: Participant) -> tuple[float, tuple[float, float]]:
    """Hours of the day both are at work, and the longest shared stretch as UTC (start, end)."""
    a, la = utc_window(e)
    b, lb = utc_window(m)
    total, best = 0.0, (0.0, 0.0)
    for shift in (-24.0, 0.0, 24.0):
        start, end = max(a, b + shift), min(a + la, b + shift + lb)
        if end > start:
            total += end - start
            if end - start > best[1] - best[0]:
                best = (start, end)
    return total, best


def hours_fit(e: Participant, m: Participant, ideal_hours: float) -> tuple[float, str]:
    hours, (start, end) = shared_hours(e, m)
    if hours <= 0:
        return 0.0, "No shared working hours"
    city = e.timezone.rsplit("/", 1)[-1].replace("_", " ")
    span = f"{_clock(start + e.utc_offset)}–{_clock(end + e.utc_offset)} {city}"
    return min(hours, ideal_hours) / ideal_hours, f"{_hours(hours)} of shared working hours ({span})"


def goals_fit(e: Participant, m: Participant) -> tuple[float, str]:
    goals = list(dict.fromkeys(e.learning_goals))
    if not goals:
        return 0.0, "No learning goals given"
    covered = [tag_text(g) for g in goals if g in m.expertise]
    if not covered:
        return 0.0, f"Covers none of the learning goals ({', '.join(tag_text(g) for g in goals)})"
    return len(covered) / len(goals), f"Covers {len(covered)} of {len(goals)} goals: {', '.join(covered)}"


def cross_function_fit(e: Participant, m: Participant) -> tuple[float, str]:
    if not e.function or not m.function:
        return 0.0, "Function not known"
    if e.function.lower() == m.function.lower():
        return 0.0, f"Both work in {e.function}"
    return 1.0, f"{m.function} brings a view from outside {e.function}"


def aspirations_fit(e: Participant, m: Participant) -> tuple[float, str]:
    hopes = list(dict.fromkeys(m.aspirations))
    if not hopes:
        return 0.0, "No aspirations given"
    met = [tag_text(h) for h in hopes if h in e.domain]
    if not met:
        return 0.0, f"Aspires to {', '.join(tag_text(h) for h in hopes)}; none is the executive's field"
    return len(met) / len(hopes), f"Wants to grow towards {', '.join(met)}, the executive's field"


def trait_fit(alike: bool, a: float, b: float) -> float:
    """1 when a pair meets the rule for one trait fully, 0 when they are at opposite ends of its scale."""
    distance = abs(a - b) / (HIGHEST - LOWEST)
    return 1.0 - distance if alike else distance


def personality_fit(e: Participant, m: Participant) -> tuple[float, str]:
    """Alike in agreeableness, conscientiousness and intellect, different in extraversion (Mini-IPIP means).

    Why: in mentoring, deep-level similarity (values, attitudes, personality) predicts how good
    the relationship is and how much support it gives, far more than surface likeness (Turban,
    Dougherty & Lee 2002, J. Vocational Behavior 61; the meta-analysis of Eby et al. 2013,
    Psychological Bulletin 139). So the pair should be alike in conscientiousness (the same sense of
    a kept appointment and a done follow-up), agreeableness (warmth) and intellect/imagination
    (curiosity about ideas, which a reverse mentoring exchange runs on). Extraversion is the one
    trait scored for difference: interpersonal theory predicts complementarity, not similarity, on
    the dominance axis (Carson 1969; Kiesler 1983), and pairs complementary in dominance report
    more satisfaction (Dryer & Horowitz 1997, JPSP 72); extraversion, with its assertiveness facet,
    is the Big Five trait nearest that axis, so a talker and a listener share the airtime better
    than two who both lead or both hold back. That proxy is a modelling choice, hence the lowest
    stake: one trait of four. Neuroticism is not used: sorting people by a trait tied to wellbeing
    has no support in the mentoring research and would feel intrusive.
    Someone who has not answered (the questionnaire is optional) scores the middle of the scale,
    better than a poor fit and worse than a good one. The reason never names a trait: HR reads it.
    """
    if e.personality is None or m.personality is None:
        return PERSONALITY_NEUTRAL, PERSONALITY_REASON
    fits = [trait_fit(alike, e.personality[t], m.personality[t]) for t, alike in PERSONALITY_RULE]
    return sum(fits) / len(fits), PERSONALITY_REASON


def score_pair(e: Participant, m: Participant, rules: ProgrammeRules) -> PairScore:
    """The weighted score of mentor `m` for executive `e`, with every criterion explained.

    Called for every pair a solve proposes (thousands), so it builds no dict and no generator."""
    fits = (  # in CRITERIA order
        language_fit(e, m, rules.min_fluency),
        communication_fit(e, m),
        culture_fit(e, m),
        hours_fit(e, m, rules.ideal_overlap_hours),
        goals_fit(e, m),
        cross_function_fit(e, m),
        aspirations_fit(e, m),
        personality_fit(e, m),
    )
    shares = rules.shares
    criteria = tuple([CriterionScore(c, fit[0], shares[c], fit[1]) for c, fit in zip(CRITERIA, fits, strict=True)])
    total = 0.0
    for c in criteria:  # the same sum, in the same order, as sum(...) over the criteria
        total += c.score * c.share
    return PairScore(total, criteria)


def _and_join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _clock(hour: float) -> str:
    minutes = round((hour % 24.0) * 60) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _hours(hours: float) -> str:
    return f"{hours:.0f} h" if abs(hours - round(hours)) < 0.05 else f"{hours:.1f} h"
