"""CP-SAT for panels whose rules cut across each other: countries and the function mix together.

Each candidate edge is a yes/no choice. Every mentor serves at most once, a panel takes at most its
open slots and at most one mentor per country (when asked), and the function mix holds for every
non-empty panel, counting mentors locked into it:

* ``at_least_one_other``: own <= k * other, so a panel with someone from the executive's own
  function also has someone from another function;
* ``exactly_one_own``: own <= 1 and other <= (k - 1) * own.

The objective mirrors the flow's order of priorities: each filled slot is worth more than any total
of scores (FILL), then scores count in thousandths. The search starts from a hint (the flow answer,
mended until it obeys the mix; see `hint`), runs deterministically (interleaved workers and a
deterministic time limit; a wall-clock limit of twice that is the safety net) and reports
the gap between its answer and the best proven bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plugin.domain.matching.candidates import CandidateGraph, group_by
from plugin.domain.matching.flow import SCALE, edge_costs


@dataclass(frozen=True)
class PanelAnswer:
    chosen: np.ndarray
    optimal: bool
    gap: float
    objective: int
    bound: float


@dataclass(frozen=True)
class MixCounts:
    """Per executive: the mix rule, k, and the own/other-function mentors locked into the panel."""

    rule: str
    k: int
    locked_own: np.ndarray
    locked_other: np.ndarray


def solve_panels(
    graph: CandidateGraph,
    edge_country: np.ndarray,
    edge_own: np.ndarray,
    mix: MixCounts,
    distinct_countries: bool,
    hint: np.ndarray,
    time_limit_s: float,
    needed: np.ndarray | None = None,
    forced: np.ndarray | None = None,
    ceiling: int | None = None,
) -> PanelAnswer:
    """Best panels under every rule, within `time_limit_s` of deterministic search time.

    Edges outside `needed` are known not to be in any better answer and stay out of the model;
    edges in `forced` are known to be in every better one. `ceiling` is a known upper bound on
    the objective (a relaxation's): the search stops as soon as an answer reaches it.
    """
    from ortools.sat.python import cp_model  # heavy import, only when panels need it

    ids = np.flatnonzero(needed) if needed is not None else np.arange(graph.size)
    model = cp_model.CpModel()
    x = {i: model.new_bool_var(f"x{i}") for i in ids.tolist()}
    for i in np.flatnonzero(forced).tolist() if forced is not None else []:
        model.add(x[i] == 1)
    for group in _groups(graph.edge_mentor[ids]):
        model.add_at_most_one(x[i] for i in ids[group].tolist())
    if distinct_countries:
        width = int(edge_country.max(initial=0)) + 1
        for group in _groups(graph.edge_exec[ids] * width + edge_country[ids]):
            model.add_at_most_one(x[i] for i in ids[group].tolist())
    for e, edges in group_by(graph.edge_exec, np.arange(graph.size)).items():
        n_own = int(edge_own[edges].sum())
        own = [x[i] for i in edges.tolist() if i in x and edge_own[i]]
        other = [x[i] for i in edges.tolist() if i in x and not edge_own[i]]
        if panel_can_obey(n_own, len(edges) - n_own, mix, e):
            model.add(sum(own) + sum(other) <= int(graph.slots[e]))
            _mix_constraint(model, own, other, mix, e)
        else:
            model.add(sum(own) + sum(other) == 0)
    values = SCALE * int(graph.slots.sum()) + 1 + edge_costs(graph)
    model.maximize(sum(int(values[i]) * xi for i, xi in x.items()))
    for i, xi in x.items():
        model.add_hint(xi, bool(hint[i]))
    return _run(cp_model, model, x, graph.size, time_limit_s, ceiling)


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


def _run(cp_model, model, x: dict, size: int, time_limit_s: float, ceiling: int | None) -> PanelAnswer:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.interleave_search = True
    solver.parameters.max_deterministic_time = time_limit_s
    solver.parameters.max_time_in_seconds = 2 * time_limit_s
    status = solver.solve(model, _StopAt(ceiling) if ceiling is not None else None)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return PanelAnswer(np.zeros(size, dtype=bool), False, float("inf"), 0, float("inf"))
    chosen = np.zeros(size, dtype=bool)
    chosen[[i for i, xi in x.items() if solver.boolean_value(xi)]] = True
    objective, bound = solver.objective_value, solver.best_objective_bound
    if ceiling is not None:
        bound = min(bound, ceiling)
    gap = max(0.0, bound - objective) / max(1.0, abs(objective))
    return PanelAnswer(chosen, status == cp_model.OPTIMAL or gap == 0.0, gap, int(objective), bound)


class _StopAt:
    """Stops the search once an answer's objective reaches a known upper bound."""

    def __new__(cls, ceiling: int):
        from ortools.sat.python import cp_model

        class StopAt(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                if self.objective_value >= ceiling:
                    self.stop_search()

        return StopAt()


def _groups(keys: np.ndarray) -> list[np.ndarray]:
    """Edge indices grouped by key, groups in key order, indices ascending within a group."""
    if len(keys) == 0:
        return []
    order = np.argsort(keys, kind="stable")
    cuts = np.flatnonzero(np.diff(keys[order])) + 1
    return np.split(order, cuts)
