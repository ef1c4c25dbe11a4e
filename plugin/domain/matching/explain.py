"""Reasons rendered for people: why these two were matched, why a slot is empty, how a run went."""
from __future__ import annotations

from collections.abc import Mapping

from plugin.domain.matching.diagnosis import Unfilled
from plugin.domain.matching.profile import EmployeeId
from plugin.domain.matching.result import MatchResult, Pair

LABELS = {
    "goals": "Learning goals",
    "language": "Language",
    "culture": "Culture",
    "hours": "Working hours",
    "aspirations": "Aspirations",
    "communication": "Working style",
    "cross_function": "Function",
}


def explain_pair(pair: Pair, names: Mapping[EmployeeId, str] | None = None) -> str:
    """Several lines: who, the score out of 100, then each criterion by how much it added."""
    names = names or {}
    who = f"{names.get(pair.mentor_id, pair.mentor_id)} mentors "
    who += str(names.get(pair.executive_id, pair.executive_id))
    lines = [f"{who}: {round(pair.score * 100)}/100" + (" (locked)" if pair.locked else "")]
    for c in sorted(pair.criteria, key=lambda c: -c.score * c.share):
        if c.share:
            lines.append(f"  {LABELS[c.criterion]} ({round(c.share * 100)}% of the score): {c.reason}")
    return "\n".join(lines)


def explain_unfilled(unfilled: Unfilled, names: Mapping[EmployeeId, str] | None = None) -> str:
    """One line: whose panel, how many slots stay empty, and why."""
    who = (names or {}).get(unfilled.executive_id, unfilled.executive_id)
    slots = "slot" if unfilled.missing == 1 else "slots"
    return f"{who}: {unfilled.missing} {slots} empty. {unfilled.detail}."


def summary(result: MatchResult) -> str:
    """One line on the run: slots filled, quality of the answer, and the method."""
    proof = "proven optimal" if result.optimal else f"best found (gap {result.gap:.2%})"
    return (f"{result.filled} of {result.slots} slots filled, average score "
            f"{result.total_score / max(1, result.filled):.2f}; {proof} by {result.method.replace('_', ' ')}")
