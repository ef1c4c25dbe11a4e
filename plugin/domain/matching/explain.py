"""Reasons rendered for people: why these two were matched, why a slot is empty, how a run went."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from plugin.domain.matching.diagnosis import Unfilled
from plugin.domain.matching.profile import EmployeeId
from plugin.domain.matching.result import MatchResult, Pair
from plugin.domain.matching.scoring import CriterionScore

LABELS = {
    "goals": "Learning goals",
    "language": "Language",
    "culture": "Culture",
    "hours": "Working hours",
    "aspirations": "Aspirations",
    "communication": "Working style",
    "cross_function": "Function",
    "personality": "Personality",
}


# What would fill an empty slot, by the reason it is empty (the rule code after "no_candidate_passes:").
REMEDIES = {
    "opted_out": "Nothing while the executive stays opted out",
    "excluded": "Lift some exclusions, or add mentors",
    "past_pair": "Add mentors they have not been paired with before",
    "reporting_line": "Add mentors from outside their reporting line; for a top executive, set the "
    "programme's firewall to a number of levels",
    "peer_of_direct_report": "Add mentors who do not report to the executive's manager",
    "no_common_language": "Add mentors who speak the executive's working languages, or lower the fluency needed",
    "hours_overlap": "Add mentors in nearer time zones, or lower the minimum shared hours",
    "distinct_countries": "Add mentors from more countries, or allow two mentors from one country",
    "function_mix": "Relax the function mix, or add mentors from the functions it asks for",
    "capacity": "Add mentors, or lower the number of mentors per executive",
}


def points(score: float) -> int:
    """A score in [0, 1] on the one scale people read everywhere: points out of 100."""
    return round(score * 100)


def by_contribution(criteria: Iterable[CriterionScore]) -> list[CriterionScore]:
    """The criteria that added to the score, the largest contribution first (ties in criteria order)."""
    return sorted((c for c in criteria if c.score * c.share > 0), key=lambda c: -c.score * c.share)


def remedy(reason: str) -> str:
    """What would fill a slot left empty for `reason` (an `Unfilled.reason`)."""
    return REMEDIES.get(reason.removeprefix("no_candidate_passes:"), REMEDIES["capacity"])


def explain_pair(pair: Pair, names: Mapping[EmployeeId, str] | None = None) -> str:
    """Several lines: who, the score out of 100, then each criterion by the points it added."""
    names = names or {}
    who = f"{names.get(pair.mentor_id, pair.mentor_id)} mentors "
    who += str(names.get(pair.executive_id, pair.executive_id))
    lines = [f"{who}: {points(pair.score)}/100" + (" (locked)" if pair.locked else "")]
    for c in by_contribution(pair.criteria):
        lines.append(f"  {LABELS[c.criterion]} +{points(c.score * c.share)}: {c.reason}")
    return "\n".join(lines)


def explain_unfilled(unfilled: Unfilled, names: Mapping[EmployeeId, str] | None = None) -> str:
    """One line: whose panel, how many slots stay empty, and why."""
    who = (names or {}).get(unfilled.executive_id, unfilled.executive_id)
    slots = "slot" if unfilled.missing == 1 else "slots"
    return f"{who}: {unfilled.missing} {slots} empty. {unfilled.detail}. To fill: {remedy(unfilled.reason)}."


def summary(result: MatchResult) -> str:
    """One line on the run: slots filled, quality of the answer, and the method."""
    proof = "proven optimal" if result.optimal else f"best found (gap {result.gap:.2%})"
    return (
        f"{result.filled} of {result.slots} slots filled, average score "
        f"{points(result.total_score / max(1, result.filled))}/100; {proof} by {result.method.replace('_', ' ')}"
    )
