"""Locked pairs: the admin's pins, kept through every re-run unless a rule now forbids them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from plugin.domain.matching.profile import Participant, ProgrammeRules
from plugin.domain.matching.result import DroppedLock
from plugin.domain.matching.rules import violated_rule


@dataclass(frozen=True)
class Locks:
    """Kept locks as (executive index, mentor index), in input order, and the ones that had to go."""

    kept: tuple[tuple[int, int], ...]
    dropped: tuple[DroppedLock, ...]


def settle_locks(executives: Sequence[Participant], mentors: Sequence[Participant], rules: ProgrammeRules) -> Locks:
    """Keep each lock that passes the hard rules and fits its panel; explain the others."""
    exec_at = {e.employee_id: i for i, e in enumerate(executives)}
    mentor_at = {m.employee_id: i for i, m in enumerate(mentors)}
    order = sorted(
        rules.locked,
        key=lambda pair: (exec_at.get(pair[0], len(exec_at)), mentor_at.get(pair[1], len(mentor_at)), repr(pair)),
    )
    kept, dropped, used = [], [], set()
    panels: dict[int, list[Participant]] = {}
    for exec_id, mentor_id in order:
        if exec_id not in exec_at or mentor_id not in mentor_at:
            dropped.append(DroppedLock(exec_id, mentor_id, "not_in_programme"))
            continue
        i, j = exec_at[exec_id], mentor_at[mentor_id]
        reason = _why_not(executives[i], mentors[j], panels.get(i, []), j in used, rules)
        if reason:
            dropped.append(DroppedLock(exec_id, mentor_id, reason))
            continue
        kept.append((i, j))
        used.add(j)
        panels.setdefault(i, []).append(mentors[j])
    return Locks(tuple(kept), tuple(dropped))


def _why_not(
    e: Participant, m: Participant, panel: list[Participant], mentor_taken: bool, rules: ProgrammeRules
) -> str | None:
    if mentor_taken:
        return "mentor_locked_twice"
    if len(panel) >= rules.k:
        return "panel_full"
    if rules.distinct_countries and any(p.country == m.country for p in panel):
        return "distinct_countries"
    return violated_rule(e, m, rules)
