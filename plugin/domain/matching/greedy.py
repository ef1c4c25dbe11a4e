"""The greedy baseline: best-scoring candidate edges first, each taken if it still fits.

It works on the same candidate graph as the solver and obeys the same rules, so comparing the two
shows what optimisation buys.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from plugin.domain.matching.candidates import CandidateGraph
from plugin.domain.matching.hint import EdgeFacts, mend
from plugin.domain.matching.profile import Participant, ProgrammeRules
from plugin.domain.matching.result import MatchResult
from plugin.domain.matching.solver import MatchRun, prepare, result_of


def greedy_match(
    executives: Sequence[Participant], mentors: Sequence[Participant], rules: ProgrammeRules
) -> MatchResult:
    """Match by taking the highest-scoring feasible edge, over and over."""
    started = time.perf_counter()
    run, graph = prepare(executives, mentors, rules)
    candidates_s = time.perf_counter() - started
    chosen = _pick(run, graph, rules)
    result = result_of(run, graph, chosen, False, float("nan"), "greedy")
    total = time.perf_counter() - started
    timings = {"candidates": candidates_s, "solve": total - candidates_s, "total": total}
    return replace(result, timings=timings)


def _pick(run: MatchRun, graph: CandidateGraph, rules: ProgrammeRules) -> np.ndarray:
    country, own = run.edge_country(graph), run.edge_own(graph)
    chosen = np.zeros(graph.size, dtype=bool)
    room, owns = run.slots.copy(), run.locked_own.copy()
    mentor_free = np.ones(run.table.size, dtype=bool)
    used = {(i, c) for i, cs in enumerate(run.locked_countries) for c in cs}
    one_own = rules.function_mix == "exactly_one_own"
    for edge in np.argsort(-graph.edge_score, kind="stable").tolist():
        i, j, c = int(graph.edge_exec[edge]), int(graph.edge_mentor[edge]), int(country[edge])
        if room[i] == 0 or not mentor_free[j] or (rules.distinct_countries and (i, c) in used):
            continue
        if one_own and own[edge] and owns[i] >= 1:
            continue
        chosen[edge], mentor_free[j], room[i] = True, False, room[i] - 1
        owns[i] += int(own[edge])
        used.add((i, c))
    if rules.function_mix != "none":
        facts = EdgeFacts(own, country, graph.edge_score, run.mix(), rules.distinct_countries)
        chosen, _ = mend(graph, chosen, facts)
    return chosen
