"""The CP-SAT warm start, and the edges it lets CP-SAT leave out.

`mend` turns the flow answer (which ignores the function mix) into panels that obey it, executive
by executive: for each panel that breaks the mix it tries a few seeds (one of the best own- or
other-function candidates) and fills the rest greedily by score, so few slots are lost.

`fixings` is reduced-cost fixing. The flow answer's value UB bounds every answer that obeys the mix,
and a mended hint's value LB is one of them. An edge whose reduced cost (from the flow's potentials)
exceeds UB - LB cannot be in any better answer, so it is left out of the model; a chosen edge whose
removal would cost more than UB - LB stays in. Exact, and it usually leaves CP-SAT only the few
panels where the mix bites.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plugin.domain.matching.candidates import CandidateGraph, group_by
from plugin.domain.matching.cpsat import MixCounts, panel_can_obey
from plugin.domain.matching.flow import edge_costs
from plugin.domain.matching.rules import mix_holds

SEEDS = 3


@dataclass(frozen=True)
class EdgeFacts:
    """Per edge: own function or not, the mentor's country and the score; plus the panel rules."""

    own: np.ndarray
    country: np.ndarray
    score: np.ndarray
    mix: MixCounts
    distinct: bool

    def obeys(self, e: int, panel: list[int] | np.ndarray) -> bool:
        """Whether executive e's new mentors (edge indices) keep to the mix and distinct countries."""
        if self.distinct and len(np.unique(self.country[panel])) < len(panel):
            return False
        own = int(self.own[panel].sum()) if len(panel) else 0
        return mix_holds(
            self.mix.rule,
            self.mix.k,
            own + int(self.mix.locked_own[e]),
            len(panel) - own + int(self.mix.locked_other[e]),
        )


def mend(graph: CandidateGraph, chosen: np.ndarray, facts: EdgeFacts) -> tuple[np.ndarray, bool]:
    """The flow answer with every panel that breaks the mix rebuilt; and whether all now obey it."""
    hint, feasible = chosen.copy(), True
    busy = np.zeros(int(graph.edge_mentor.max(initial=-1)) + 1, dtype=bool)
    busy[graph.edge_mentor[chosen]] = True
    for e, edges in group_by(graph.edge_exec, np.arange(graph.size)).items():
        edges = edges[np.argsort(-graph.edge_score[edges], kind="stable")]
        mine = edges[hint[edges]]
        n_own = int(facts.own[edges].sum())
        frozen = not panel_can_obey(n_own, len(edges) - n_own, facts.mix, e)
        if not len(mine) if frozen else facts.obeys(e, mine):
            continue
        busy[graph.edge_mentor[mine]] = hint[mine] = False
        pool = edges[~busy[graph.edge_mentor[edges]]]
        panel = [] if frozen else _rebuild(pool, int(graph.slots[e]), facts, e)
        feasible &= frozen or facts.obeys(e, panel)
        hint[panel] = busy[graph.edge_mentor[panel]] = True
    return hint, feasible


def _rebuild(pool: np.ndarray, slots: int, facts: EdgeFacts, e: int) -> list[int]:
    """The best panel found: seeded with one of the top own or other candidates, filled by score."""
    seeds = [None] + [i for kind in (True, False) for i in pool[facts.own[pool] == kind][:SEEDS].tolist()]
    best, best_key = [], (-1, 0.0)
    for seed in seeds:
        panel = _fill(pool, seed, slots, facts, e)
        key = (len(panel), float(facts.score[panel].sum()) if panel else 0.0)
        if facts.obeys(e, panel) and key > best_key:
            best, best_key = panel, key
    return best


def _fill(pool: np.ndarray, seed: int | None, slots: int, facts: EdgeFacts, e: int) -> list[int]:
    own_cap = 1 - int(facts.mix.locked_own[e]) if facts.mix.rule == "exactly_one_own" else slots
    panel, countries, own = [], set(), 0
    for i in ([seed] if seed is not None else []) + pool.tolist():
        country = int(facts.country[i])
        if len(panel) == slots:
            break
        if i in panel or (facts.distinct and country in countries) or (facts.own[i] and own >= own_cap):
            continue
        panel.append(i)
        countries.add(country)
        own += int(facts.own[i])
    return panel


def fixings(
    graph: CandidateGraph, flow: np.ndarray, hint: np.ndarray, reduced: np.ndarray, fill: int
) -> tuple[np.ndarray, np.ndarray]:
    """Edges CP-SAT still has to decide (mask), and edges it must take (mask)."""
    values = fill + edge_costs(graph)
    room = int(values[flow].sum() - values[hint].sum())
    needed = flow | (reduced <= room)
    forced = flow & (-reduced > room)
    return needed, forced
