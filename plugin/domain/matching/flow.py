"""Min-cost flow over the candidate graph: the most filled slots, then the highest total score.

The network is source -> mentor (capacity 1) -> (executive, country) (capacity 1) -> executive
(capacity = open slots) -> sink, so no mentor serves twice and, when panels must span distinct
countries, no panel takes two mentors from one country. Without that rule mentors feed executives
directly. Arc costs are -round(score * SCALE): scores count to a thousandth. Unfilled slots need no
bypass arc: `solve_max_flow_with_min_cost` first maximises the flow, then minimises its cost, which
is exactly "fill as many slots as possible, then score as high as possible".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from plugin.domain.matching.candidates import CandidateGraph
from plugin.errors import FlipsideError

SCALE = 1000


@dataclass(frozen=True)
class FlowAnswer:
    chosen: np.ndarray
    optimal: bool
    objective: int


def edge_costs(graph: CandidateGraph) -> np.ndarray:
    """Integer value of each edge: its score in thousandths."""
    return np.rint(graph.edge_score.astype(np.float64) * SCALE).astype(np.int64)


def max_fill_min_cost(graph: CandidateGraph, edge_country: np.ndarray, distinct_countries: bool) -> FlowAnswer:
    """Choose edges: maximum number of filled slots, and among those the maximum total score."""
    if graph.size == 0:
        return FlowAnswer(np.zeros(0, dtype=bool), True, 0)
    mentors, mentor_node = np.unique(graph.edge_mentor, return_inverse=True)
    execs, exec_node = np.unique(graph.edge_exec, return_inverse=True)
    first_exec = 2 + len(mentors)
    tails = [np.zeros(len(mentors), dtype=np.int64), 2 + mentor_node]
    heads = [2 + np.arange(len(mentors)), None]
    if distinct_countries:
        # an (executive, country) node with a single edge into it limits nothing: skip it
        _, group, size = np.unique(
            graph.edge_exec * (edge_country.max() + 1) + edge_country, return_inverse=True, return_counts=True
        )
        node = np.cumsum(size > 1) - 1
        shared = size[group] > 1
        first_group = first_exec + len(execs)
        heads[1] = np.where(shared, first_group + node[group], first_exec + exec_node)
        group_exec = np.zeros(int(node[-1]) + 1, dtype=np.int64)
        group_exec[node[group[shared]]] = exec_node[shared]
        tails.append(first_group + np.arange(len(group_exec)))
        heads.append(first_exec + group_exec)
    else:
        heads[1] = first_exec + exec_node
    tails.append(first_exec + np.arange(len(execs)))
    heads.append(np.ones(len(execs), dtype=np.int64))
    caps = [np.ones(len(t), dtype=np.int64) for t in tails[:-1]] + [graph.slots[execs].astype(np.int64)]
    costs = [np.zeros(len(t), dtype=np.int64) for t in tails]
    costs[1] = -edge_costs(graph)
    return _solve(tails, heads, caps, costs, int(graph.slots[execs].sum()), len(mentors))


def split_fill_min_cost(
    graph: CandidateGraph,
    edge_country: np.ndarray,
    distinct_countries: bool,
    edge_own: np.ndarray,
    own_cap: np.ndarray,
    other_cap: np.ndarray,
) -> FlowAnswer:
    """The same choice with own-function and other-function mentors counted apart, at most
    `own_cap` and `other_cap` per executive; distinct countries hold among the other-function ones.

    With caps 1 and k - 1 this relaxes "exactly one from the executive's own function" only where
    the own mentor shares a country with another, or is missing: a close bound and a good start.
    """
    if graph.size == 0:
        return FlowAnswer(np.zeros(0, dtype=bool), True, 0)
    mentors, mentor_node = np.unique(graph.edge_mentor, return_inverse=True)
    execs, exec_node = np.unique(graph.edge_exec, return_inverse=True)
    first_exec = 2 + len(mentors)
    first_own, first_other = first_exec + len(execs), first_exec + 2 * len(execs)
    hop = np.where(edge_own, first_own + exec_node, first_other + exec_node)
    tails = [np.zeros(len(mentors), dtype=np.int64), 2 + mentor_node]
    heads = [2 + np.arange(len(mentors)), hop]
    caps = [np.ones(len(mentors), dtype=np.int64), np.ones(graph.size, dtype=np.int64)]
    if distinct_countries:
        others = np.flatnonzero(~edge_own)
        keys = graph.edge_exec[others] * (edge_country.max() + 1) + edge_country[others]
        groups, group_node = np.unique(keys, return_inverse=True)
        first_group = first_exec + 3 * len(execs)
        hop[others] = first_group + group_node
        group_exec = np.zeros(len(groups), dtype=np.int64)
        group_exec[group_node] = exec_node[others]
        tails.append(first_group + np.arange(len(groups)))
        heads.append(first_other + group_exec)
        caps.append(np.ones(len(groups), dtype=np.int64))
    lanes = np.arange(len(execs))
    tails += [first_own + lanes, first_other + lanes, first_exec + lanes]
    heads += [first_exec + lanes, first_exec + lanes, np.ones(len(execs), dtype=np.int64)]
    caps += [own_cap[execs].astype(np.int64), other_cap[execs].astype(np.int64), graph.slots[execs].astype(np.int64)]
    costs = [np.zeros(len(t), dtype=np.int64) for t in tails]
    costs[1] = -edge_costs(graph)
    return _solve(tails, heads, caps, costs, int(graph.slots[execs].sum()), len(mentors))


def _solve(tails, heads, caps, costs, supply: int, n_mentors: int) -> FlowAnswer:
    flow = SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails).astype(np.int32),
        np.concatenate(heads).astype(np.int32),
        np.concatenate(caps),
        np.concatenate(costs),
    )
    flow.set_nodes_supplies(np.array([0, 1], dtype=np.int32), np.array([supply, -supply], dtype=np.int64))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise FlipsideError(f"min-cost flow failed with status {status}")
    edge_arcs = np.asarray(arcs)[n_mentors : n_mentors + len(tails[1])]
    chosen = flow.flows(edge_arcs) > 0
    return FlowAnswer(chosen, True, int(-flow.optimal_cost()))
