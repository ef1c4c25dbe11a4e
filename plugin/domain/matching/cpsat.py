"""CP-SAT for panels whose rules cut across each other: countries and the function mix together.

Each candidate edge is a yes/no choice. Every mentor serves at most once, a panel takes at most its
open slots and at most one mentor per country (when asked), and the function mix holds for every
non-empty panel, counting mentors locked into it:

* ``at_least_one_other``: own <= k * other, so a panel with someone from the executive's own
  function also has someone from another function;
* ``exactly_one_own``: own <= 1 and other <= (k - 1) * own.

The objective mirrors the flow's order of priorities: each filled slot is worth more than any total
of scores (FILL), then scores count in thousandths. The search starts from a hint (the flow answer,
trimmed until it obeys the mix), runs deterministically (interleaved workers, deterministic time
limit) and reports the gap between its answer and the best proven bound.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plugin.domain.matching.candidates import CandidateGraph
from plugin.domain.matching.flow import SCALE, edge_costs


@dataclass(frozen=True)
class PanelAnswer:
    chosen: np.ndarray
    optimal: bool
    gap: float
    objective: int


@dataclass(frozen=True)
class MixCounts:
    """Per executive: the mix rule, k, and the own/other-function mentors locked into the panel."""

    rule: str
    k: int
    locked_own: np.ndarray
    locked_other: np.ndarray


def solve_panels(graph: CandidateGraph, edge_country: np.ndarray, edge_own: np.ndarray, mix: MixCounts,
                 distinct_countries: bool, hint: np.ndarray, time_limit_s: float) -> PanelAnswer:
    """Best panels under every rule, within `time_limit_s` of deterministic search time."""
    from ortools.sat.python import cp_model  # heavy import, only when panels need it

    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(graph.size)]
    for group in _groups(graph.edge_mentor):
        model.add_at_most_one(x[i] for i in group)
    if distinct_countries:
        for group in _groups(graph.edge_exec * (int(edge_country.max(initial=0)) + 1) + edge_country):
            model.add_at_most_one(x[i] for i in group)
    for group in _groups(graph.edge_exec):
        e = int(graph.edge_exec[group[0]])
        own = [x[i] for i in group if edge_own[i]]
        other = [x[i] for i in group if not edge_own[i]]
        if panel_can_obey(len(own), len(other), mix, e):
            model.add(sum(own) + sum(other) <= int(graph.slots[e]))
            _mix_constraint(model, own, other, mix, e)
        else:
            model.add(sum(own) + sum(other) == 0)
    fill = SCALE * int(graph.slots.sum()) + 1
    values = (fill + edge_costs(graph)).tolist()
    model.maximize(sum(v * xi for v, xi in zip(values, x, strict=True)))
    for xi, on in zip(x, hint.tolist(), strict=True):
        model.add_hint(xi, on)
    return _run(cp_model, model, x, time_limit_s)


def panel_can_obey(own: int, other: int, mix: MixCounts, e: int) -> bool:
    """Whether some choice among `own` and `other` candidates makes executive e's panel obey the mix.

    Locked mentors can break the mix beyond repair; such a panel keeps its locks and gets no more.
    """
    locked_own, locked_other = int(mix.locked_own[e]), int(mix.locked_other[e])
    if mix.rule == "at_least_one_other":
        return not (locked_own and not locked_other and not other)
    if mix.rule == "exactly_one_own":
        return locked_own <= 1 and not (locked_other and not locked_own and not own)
    return True


def _mix_constraint(model, own: list, other: list, mix: MixCounts, e: int) -> None:
    own_count = sum(own) + int(mix.locked_own[e])
    other_count = sum(other) + int(mix.locked_other[e])
    if mix.rule == "at_least_one_other":
        model.add(own_count <= mix.k * other_count)
    elif mix.rule == "exactly_one_own":
        model.add(own_count <= 1)
        model.add(other_count <= (mix.k - 1) * own_count)


def _run(cp_model, model, x: list, time_limit_s: float) -> PanelAnswer:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.interleave_search = True
    solver.parameters.max_deterministic_time = time_limit_s
    solver.parameters.max_time_in_seconds = 3 * time_limit_s
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return PanelAnswer(np.zeros(len(x), dtype=bool), False, float("inf"), 0)
    chosen = np.fromiter((solver.boolean_value(xi) for xi in x), dtype=bool, count=len(x))
    objective, bound = solver.objective_value, solver.best_objective_bound
    gap = max(0.0, bound - objective) / max(1.0, abs(objective))
    return PanelAnswer(chosen, status == cp_model.OPTIMAL, gap, int(objective))


def _groups(keys: np.ndarray) -> list[np.ndarray]:
    """Edge indices grouped by key, groups in key order, indices ascending within a group."""
    if len(keys) == 0:
        return []
    order = np.argsort(keys, kind="stable")
    cuts = np.flatnonzero(np.diff(keys[order])) + 1
    return np.split(order, cuts)


def trim_to_mix(graph: CandidateGraph, chosen: np.ndarray, edge_own: np.ndarray,
                mix: MixCounts) -> np.ndarray:
    """The flow answer with mentors dropped, lowest score first, until every panel obeys the mix."""
    hint = chosen.copy()
    for group in _groups(graph.edge_exec[chosen]):
        picked = np.flatnonzero(chosen)[group]
        picked = picked[np.argsort(graph.edge_score[picked], kind="stable")]
        e = int(graph.edge_exec[picked[0]])
        own = [i for i in picked if edge_own[i]]
        other = [i for i in picked if not edge_own[i]]
        if not panel_can_obey(len(own), len(other), mix, e):
            hint[picked] = False
            continue
        for i in _to_drop(own, other, int(mix.locked_own[e]), int(mix.locked_other[e]), mix):
            hint[i] = False
    return hint


def _to_drop(own: list, other: list, locked_own: int, locked_other: int, mix: MixCounts) -> list:
    if mix.rule == "at_least_one_other" and own and not other and not locked_other:
        return own
    if mix.rule == "exactly_one_own":
        keep_own = max(0, 1 - locked_own)
        dropped = own[: max(0, len(own) - keep_own)]
        if locked_own + len(own) - len(dropped) == 0 and not locked_other:
            return dropped + other
        return dropped
    return []
