"""Pricing: proof that the answer on the short lists is optimal over every feasible pair.

The flow problem is a linear programme whose constraint matrix is totally unimodular, so LP duality
applies. Node potentials pi that make every residual arc's reduced cost non-negative prove the flow
optimal on the candidate graph; the same potentials price a pair (e, m) that is not in the graph:
adding it as an arc m -> (e, country) with cost -value is harmless iff value <= pi(m) - pi(group).
A mentor outside the graph takes pi(source); a missing (executive, country) node takes pi(exec).
When every feasible pair prices out, the short-list optimum is the optimum of the whole programme.
Otherwise the pairs that price in are added and the flow is solved again (column generation).

Both objectives become one here: each pair is worth FILL + score in thousandths, with FILL larger
than any total of scores, which orders answers exactly as "most slots filled, then best score".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plugin.domain.matching.candidates import CandidateBuilder, CandidateGraph, Nearest, group_by, in_threads
from plugin.domain.matching.flow import SCALE, edge_costs
from plugin.domain.matching.mentor_table import NEG

MAX_SWEEPS = 1_000  # typically under a hundred; past this, give up proving rather than stall
PRICED_PER_EXECUTIVE = 10
DEPTH_MARGIN = 50  # thousandths of a score point: thresholds move less than this between rounds
_NONE = np.empty(0, dtype=np.int64)


@dataclass(frozen=True)
class Potentials:
    """Per node potentials of the residual network, laid out as the arrays below."""

    fill: int
    mentor: np.ndarray
    group: dict[int, dict[int, int]]
    executive: np.ndarray
    source: int


def potentials(
    graph: CandidateGraph, chosen: np.ndarray, edge_country: np.ndarray, n_mentors: int, distinct: bool
) -> Potentials | None:
    """Shortest-path potentials of the residual network of an optimal flow; None if none settle."""
    n_exec = len(graph.slots)
    fill = SCALE * int(graph.slots.sum()) + 1
    value = fill + edge_costs(graph)
    if distinct:
        keys, group_of = np.unique(
            graph.edge_exec * (int(edge_country.max(initial=0)) + 1) + edge_country, return_inverse=True
        )
        group_exec = np.zeros(len(keys), dtype=np.int64)
        group_exec[group_of] = graph.edge_exec
    else:
        keys, group_of, group_exec = np.arange(n_exec), graph.edge_exec, np.arange(n_exec)
    layout = _Layout(n_mentors, len(keys), n_exec)
    tails, heads, costs = _residual_arcs(graph, chosen, value, group_of, group_exec, layout, distinct)
    pi = _bellman_ford(tails, heads, costs, layout.nodes)
    if pi is None:
        return None
    groups: dict[int, dict[int, int]] = {}
    if distinct:
        countries = edge_country[np.unique(group_of, return_index=True)[1]]
        for g, (e, c) in enumerate(zip(group_exec.tolist(), countries.tolist(), strict=True)):
            groups.setdefault(e, {})[c] = int(pi[layout.group + g])
    return Potentials(
        fill,
        pi[layout.mentor : layout.mentor + n_mentors],
        groups,
        pi[layout.executive : layout.executive + n_exec],
        int(pi[0]),
    )


def reduced_costs(graph: CandidateGraph, p: Potentials, edge_country: np.ndarray, distinct: bool) -> np.ndarray:
    """Per edge, its arc's reduced cost: >= 0 off the answer, <= 0 on it (in FILL + score units)."""
    into = p.executive[graph.edge_exec].copy()
    if distinct:
        width = int(edge_country.max(initial=0)) + 1
        keys = np.array([e * width + c for e, pots in p.group.items() for c in pots], dtype=np.int64)
        pots = np.array([pot for pots in p.group.values() for pot in pots.values()], dtype=np.int64)
        order = np.argsort(keys)
        at = np.searchsorted(keys[order], graph.edge_exec * width + edge_country)
        into = pots[order][np.minimum(at, len(keys) - 1)]
    return -(p.fill + edge_costs(graph)) + p.mentor[graph.edge_mentor] - into


@dataclass(frozen=True)
class _Layout:
    n_mentors: int
    n_groups: int
    n_exec: int

    mentor = 2

    @property
    def group(self) -> int:
        return 2 + self.n_mentors

    @property
    def executive(self) -> int:
        return self.group + self.n_groups

    @property
    def nodes(self) -> int:
        return self.executive + self.n_exec


def _residual_arcs(graph, chosen, value, group_of, group_exec, layout: _Layout, distinct: bool):
    """Residual arcs as (tails, heads, costs): forward where capacity is left, backward where flow is."""
    arcs: list[tuple] = []
    busy = np.zeros(layout.n_mentors, dtype=bool)
    busy[graph.edge_mentor[chosen]] = True
    mentors = layout.mentor + np.arange(layout.n_mentors)
    arcs.append((np.zeros((~busy).sum(), dtype=np.int64), mentors[~busy], 0))
    arcs.append((mentors[busy], np.zeros(busy.sum(), dtype=np.int64), 0))
    into = layout.group + group_of if distinct else layout.executive + graph.edge_exec
    arcs.append((layout.mentor + graph.edge_mentor[~chosen], into[~chosen], -value[~chosen]))
    arcs.append((into[chosen], layout.mentor + graph.edge_mentor[chosen], value[chosen]))
    if distinct:
        used = np.zeros(layout.n_groups, dtype=bool)
        used[group_of[chosen]] = True
        ids = np.arange(layout.n_groups)
        arcs.append((layout.group + ids[~used], layout.executive + group_exec[~used], 0))
        arcs.append((layout.executive + group_exec[used], layout.group + ids[used], 0))
    flow = np.bincount(graph.edge_exec[chosen], minlength=layout.n_exec)
    execs = layout.executive + np.arange(layout.n_exec)
    arcs.append((execs[flow < graph.slots], np.ones((flow < graph.slots).sum(), dtype=np.int64), 0))
    arcs.append((np.ones((flow > 0).sum(), dtype=np.int64), execs[flow > 0], 0))
    arcs.append((np.array([1]), np.array([0]), 0))  # sink -> source closes the circulation
    tails = np.concatenate([t for t, _, _ in arcs]).astype(np.int64)
    heads = np.concatenate([h for _, h, _ in arcs]).astype(np.int64)
    costs = np.concatenate([np.broadcast_to(np.asarray(c, dtype=np.int64), len(t)) for t, _, c in arcs])
    return tails, heads, costs


def _bellman_ford(tails: np.ndarray, heads: np.ndarray, costs: np.ndarray, nodes: int) -> np.ndarray | None:
    """Distances from a virtual root joined to every node at cost 0 (so all are <= 0)."""
    pi = np.zeros(nodes, dtype=np.int64)
    for _ in range(MAX_SWEEPS):
        relaxed = pi.copy()
        np.minimum.at(relaxed, heads, pi[tails] + costs)
        if np.array_equal(relaxed, pi):
            return pi
        pi = relaxed
    return None


def fill_columns(
    builder: CandidateBuilder, graph: CandidateGraph, chosen: np.ndarray, distinct: bool
) -> list[tuple[np.ndarray, ...]]:
    """Edges to free mentors for executives with open slots: the part of pricing that matters most.

    A free feasible mentor from a country the panel does not use yet always prices in (a filled
    slot outweighs any score), so short lists alone never leave such a slot empty.
    """
    filled = np.bincount(graph.edge_exec[chosen], minlength=len(graph.slots))
    short = [i for i in np.flatnonzero(filled < graph.slots).tolist() if not builder.executives[i].opted_out]
    taken = graph.edge_mentor[chosen]
    listed = group_by(graph.edge_exec, graph.edge_mentor)
    used = group_by(graph.edge_exec[chosen], builder.table.country[graph.edge_mentor[chosen]])
    columns = []
    for i in short:
        exclude = np.concatenate([taken, listed.get(i, _NONE)])
        if distinct and i in used:
            exclude = np.concatenate([exclude, np.flatnonzero(np.isin(builder.table.country, used[i]))])
        positions, scores = builder.free_picks(i, exclude)
        if len(positions):
            columns.append((np.full(len(positions), i, dtype=np.int64), positions, scores))
    return columns


def price(
    builder: CandidateBuilder,
    graph: CandidateGraph,
    p: Potentials,
    distinct: bool,
    *,
    everyone: bool,
    most: int = PRICED_PER_EXECUTIVE,
) -> tuple[list[tuple[np.ndarray, ...]], float]:
    """New edges (execs, positions, scores) that price in, up to `most` per executive, and the
    total by which they price in. Only executives' `Nearest` mentors are priced unless `everyone`;
    a pass with `everyone` that finds nothing proves the answer optimal.

    Pair (e, m) prices in when 1000 * score > [pi(m) - pi(source)] + [pi(source) - pi(group) - FILL];
    the first bracket is a mentor's price (never negative: no potential is below the source's), the
    second executive e's threshold for the group's country. Each executive's `Nearest` mentors are
    priced first; a mentor left out scores at most the bound, so unless the bound beats the lowest
    threshold, the pass over every mentor is skipped.
    """
    table = builder.table
    listed = group_by(graph.edge_exec, graph.edge_mentor)
    todo = [i for i in range(len(graph.slots)) if graph.slots[i] > 0 and not builder.executives[i].opted_out]
    mentor_price = (p.mentor - p.source).astype(np.float64)
    n_countries = int(table.country.max(initial=0)) + 1

    def work(chunk: list[int]) -> list[tuple]:
        found = []
        for i in chunk:
            groups = _group_potentials(p, i, n_countries, distinct)
            threshold = (p.source - p.fill - groups).astype(np.float64)
            near = builder.nearest[i]
            if near is None or (everyone and SCALE * near.bound > threshold.min() - 0.5):
                scores = builder.scores(i)
                positions = np.arange(len(scores))
                cut = mentor_price + np.repeat(threshold[table.b_country], table.counts)
                builder.nearest[i] = _deeper(scores, threshold.min())
            else:
                positions, scores = near.positions, near.scores
                cut = mentor_price[positions] + threshold[table.country[positions]]
            better, excess = priced_in(scores, cut, np.isin(positions, listed.get(i, _NONE)), most)
            if len(better):
                execs = np.full(len(better), i, dtype=np.int64)
                found.append((execs, positions[better], scores[better], excess))
        return found

    parts = in_threads(work, todo)
    columns = sorted((item for part in parts for item in part), key=lambda item: int(item[0][0]))
    return [c[:3] for c in columns], float(sum(c[3] for c in columns))


def _deeper(scores: np.ndarray, lowest: float) -> Nearest:
    """The mentors that could price in unless thresholds fall by more than DEPTH_MARGIN (table
    order): every later pass whose thresholds stay above the bound skips the scan over every mentor."""
    bound = (lowest - DEPTH_MARGIN) / SCALE
    kept = np.flatnonzero(scores > bound)
    return Nearest(kept, scores[kept], bound)


def _group_potentials(p: Potentials, i: int, n_countries: int, distinct: bool) -> np.ndarray:
    """pi of executive i's (executive, country) node per country; pi(executive) where there is none."""
    pots = np.full(n_countries, p.executive[i], dtype=np.int64)
    if distinct:
        for c, pot in p.group.get(i, {}).items():
            pots[c] = pot
    return pots


def priced_in(scores: np.ndarray, cut: np.ndarray, listed: np.ndarray, most: int) -> tuple[np.ndarray, float]:
    """Indices whose pair prices in (1000 * score, rounded, beats `cut`; `listed` ones are already
    in the graph), best first, and by how much all of them do together."""
    gain = np.rint(scores.astype(np.float64) * SCALE) - cut
    gain[~(scores > NEG) | listed] = -1.0
    better = np.flatnonzero(gain > 0.5)
    excess = float(gain[better].sum())
    if len(better) > most:
        better = better[np.argpartition(-gain[better], most - 1)[:most]]
    return better[np.lexsort((better, -gain[better]))], excess
