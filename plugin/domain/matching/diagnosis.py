"""Why a panel has empty slots, in words an admin can act on.

Reasons, most fundamental first:

* ``no_candidate_passes:<rule>``: no mentor passes the hard rules; <rule> is the one at which the
  last candidates fell, checking rules in `RULES` order (e.g. every junior is in a CEO's chain);
* ``distinct_countries``: the mentors who pass come from fewer countries than the panel has slots;
* ``function_mix``: the function-mix rule leaves fewer possible panel members than that;
* ``capacity``: mentors who would fit are matched to other executives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from plugin.domain.matching.mentor_table import MentorTable
from plugin.domain.matching.profile import EmployeeId, Participant, ProgrammeRules
from plugin.domain.matching.rules import RULE_TEXT, RULES, mix_holds, same_function, violated_rule


@dataclass(frozen=True, slots=True)
class Unfilled:
    """`missing` slots of one executive's panel stay empty, for `reason`, explained in `detail`."""

    executive_id: EmployeeId
    missing: int
    reason: str
    detail: str


@dataclass(frozen=True)
class PanelState:
    """What an executive's panel holds: locked mentors (country and function codes) and its size."""

    locked_countries: tuple[int, ...]
    locked_own: int
    filled: int


def diagnose(
    table: MentorTable,
    e: Participant,
    state: PanelState,
    rules: ProgrammeRules,
    locked_elsewhere: Iterable[Participant] = (),
) -> list[Unfilled]:
    """The reasons executive `e`'s panel has fewer than k mentors (empty when it is full).

    `locked_elsewhere` are mentors locked to other panels (the table leaves them out).
    """
    missing = rules.k - state.filled
    if missing <= 0:
        return []
    counts, feasible = table.rule_breakdown(e)
    if len(feasible) == 0:
        if not e.opted_out and any(violated_rule(e, m, rules) is None for m in locked_elsewhere):
            return [Unfilled(e.employee_id, missing, "capacity", "Those who fit are locked to other panels")]
        return [_no_candidate(e, missing, counts)]
    by_country = _functions_by_country(table, feasible, table.function_code(e))
    reachable = _max_panel(by_country, state, rules.k, rules.distinct_countries, "none")
    mixed = _max_panel(by_country, state, rules.k, rules.distinct_countries, rules.function_mix)
    found = []
    if rules.k > reachable:
        n = len(by_country)
        found.append(
            Unfilled(
                e.employee_id,
                rules.k - reachable,
                "distinct_countries",
                f"Mentors who pass every rule come from only {n} countr{'y' if n == 1 else 'ies'}",
            )
        )
    if reachable > mixed:
        found.append(
            Unfilled(
                e.employee_id,
                reachable - mixed,
                "function_mix",
                f"The function mix ({rules.function_mix.replace('_', ' ')}) leaves room "
                f"for {mixed} mentor{'s' if mixed != 1 else ''}",
            )
        )
    if mixed > state.filled:
        found.append(
            Unfilled(
                e.employee_id,
                mixed - state.filled,
                "capacity",
                f"{len(feasible)} mentors pass every rule, but those who fit are matched to other executives",
            )
        )
    return found


def _no_candidate(e: Participant, missing: int, counts: dict[str, int]) -> Unfilled:
    if e.opted_out:
        return Unfilled(e.employee_id, missing, "no_candidate_passes:opted_out", "The executive opted out")
    last = next((rule for rule in reversed(RULES) if counts.get(rule, 0)), None)
    if last is None:
        return Unfilled(e.employee_id, missing, "capacity", "Every mentor is already on a panel")
    earlier = sum(counts.get(rule, 0) for rule in RULES[: RULES.index(last)])
    detail = f"No mentor left after '{RULE_TEXT[last]}' ruled out {counts[last]}"
    if earlier:
        detail += f" (earlier rules ruled out {earlier})"
    return Unfilled(e.employee_id, missing, f"no_candidate_passes:{last}", detail)


def _functions_by_country(table: MentorTable, feasible: np.ndarray, own_code: int) -> dict[int, list[int]]:
    """For each country with a feasible mentor: how many are [own-function, other-function]."""
    own = (table.function[feasible] == own_code) & (own_code != 0)
    found: dict[int, list[int]] = {}
    for country, is_own in zip(table.country[feasible].tolist(), own.tolist(), strict=True):
        found.setdefault(country, [0, 0])[0 if is_own else 1] += 1
    return found


def _max_panel(by_country: dict[int, list[int]], state: PanelState, k: int, distinct: bool, mix: str) -> int:
    """The largest panel the executive could have if no other panel competed for mentors.

    Tries every number of own-function (a) and other-function (b) mentors to add. With distinct
    countries, a and b fit iff a <= |own countries|, b <= |other countries|, a + b <= |all countries|.
    """
    locked = len(state.locked_countries)
    free = {c: n for c, n in by_country.items() if not distinct or c not in state.locked_countries}
    if distinct:
        own, other, either = (sum(1 for n in free.values() if n[0]), sum(1 for n in free.values() if n[1]), len(free))
    else:
        own, other = sum(n[0] for n in free.values()), sum(n[1] for n in free.values())
        either = own + other
    best = locked
    for a in range(k - locked + 1):
        for b in range(k - locked - a + 1):
            if (
                a <= own
                and b <= other
                and a + b <= either
                and mix_holds(mix, k, state.locked_own + a, locked - state.locked_own + b)
            ):
                best = max(best, locked + a + b)
    return best


def diagnose_proposal(
    executives: Sequence[Participant],
    mentors: Sequence[Participant],
    rules: ProgrammeRules,
    held: Iterable[tuple[EmployeeId, EmployeeId]],
) -> list[Unfilled]:
    """Why each executive's panel in a stored proposal (`held` (executive, mentor) pairs) is short, if it is.

    The held pairs count as pinned: their mentors are taken, as after an admin's swaps and exclusions.
    """
    mentor_at = {m.employee_id: j for j, m in enumerate(mentors)}
    panels: dict[EmployeeId, list[Participant]] = defaultdict(list)
    for exec_id, mentor_id in held:
        if mentor_id in mentor_at:
            panels[exec_id].append(mentors[mentor_at[mentor_id]])
    short = [e for e in executives if len(panels[e.employee_id]) < rules.k]
    if not short:
        return []
    taken = frozenset(mentor_at[m.employee_id] for panel in panels.values() for m in panel)
    table = MentorTable(mentors, rules, executives, taken=taken)
    found = []
    for e in short:
        panel = panels[e.employee_id]
        state = PanelState(
            tuple(table.countries.get(m.country, -1 - mentor_at[m.employee_id]) for m in panel),
            sum(same_function(e, m) for m in panel),
            len(panel),
        )
        elsewhere = (mentors[j] for j in taken if mentors[j] not in panel)
        found += diagnose(table, e, state, rules, elsewhere)
    return found
