"""Who mentors whom: `solve` a programme, or `rematch_panel` one executive's panel.

Locked pairs are placed first. Every other executive gets a short list (`candidates`), then
min-cost flow picks the most filled slots and, among those, the highest total score, with
distinct-country panels built into the network (`flow`). Free mentors who could fill an empty
slot are added to the lists and the flow solved again (`pricing.fill_columns`); with
`certify=True`, pricing continues until LP duality proves the answer optimal over every feasible
pair. A function-mix rule cuts across the country rule, so then CP-SAT decides, warm-started from
the flow answer mended to obey the mix (`hint`, `cpsat`). The same input gives the same answer.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from plugin.domain.matching.candidates import CandidateBuilder, CandidateGraph
from plugin.domain.matching.cpsat import MixCounts, solve_panels
from plugin.domain.matching.diagnosis import PanelState, diagnose
from plugin.domain.matching.flow import SCALE, edge_costs, max_fill_min_cost, split_fill_min_cost
from plugin.domain.matching.hint import EdgeFacts, fixings, mend
from plugin.domain.matching.locks import Locks, settle_locks
from plugin.domain.matching.mentor_table import MentorTable
from plugin.domain.matching.pricing import fill_columns, potentials, price, reduced_costs
from plugin.domain.matching.profile import EmployeeId, Participant, ProgrammeRules
from plugin.domain.matching.result import MatchResult, Pair
from plugin.domain.matching.rules import same_function
from plugin.domain.matching.scoring import score_pair
from plugin.errors import ValidationError

PRICING_ROUNDS = 8


class MatchRun:
    """The working state of one solve: table, locks, short lists."""

    def __init__(self, executives: Sequence[Participant], mentors: Sequence[Participant], rules: ProgrammeRules):
        self.executives, self.mentors, self.rules = executives, mentors, rules
        for side, people in (("executives", executives), ("mentors", mentors)):
            if len({p.employee_id for p in people}) != len(people):
                raise ValidationError(f"{side} repeat an employee_id", errors={side: "duplicate ids"})
        self.locks: Locks = settle_locks(executives, mentors, rules)
        self.table = MentorTable(mentors, rules, executives, taken=frozenset(j for _, j in self.locks.kept))
        n = len(executives)
        self.locked_own = np.zeros(n, dtype=np.int64)
        self.locked_countries: list[list[int]] = [[] for _ in range(n)]
        for i, j in self.locks.kept:
            self.locked_own[i] += int(same_function(executives[i], mentors[j]))
            self.locked_countries[i].append(self.table.countries.get(mentors[j].country, -1 - j))
        held = np.bincount([i for i, _ in self.locks.kept], minlength=n).astype(np.int64)
        opted = np.fromiter((e.opted_out for e in executives), dtype=bool, count=n)
        self.slots = np.where(opted, 0, rules.k - held)
        blocked = {i: set(c) for i, c in enumerate(self.locked_countries) if c and rules.distinct_countries}
        self.builder = CandidateBuilder(self.table, executives, rules, self.slots, blocked)

    def edge_country(self, graph: CandidateGraph) -> np.ndarray:
        return self.table.country[graph.edge_mentor]

    def edge_own(self, graph: CandidateGraph) -> np.ndarray:
        exec_fn = graph.exec_function[graph.edge_exec]
        return (self.table.function[graph.edge_mentor] == exec_fn) & (exec_fn != 0)

    def mix(self) -> MixCounts:
        held = np.asarray([len(c) for c in self.locked_countries], dtype=np.int64)
        return MixCounts(self.rules.function_mix, self.rules.k, self.locked_own, held - self.locked_own)


def prepare(
    executives: Sequence[Participant], mentors: Sequence[Participant], rules: ProgrammeRules
) -> tuple[MatchRun, CandidateGraph]:
    """Settle locks and build the candidate graph: what every solver, greedy included, starts from."""
    run = MatchRun(executives, mentors, rules)
    return run, run.builder.build()


def solve(
    executives: Sequence[Participant],
    mentors: Sequence[Participant],
    rules: ProgrammeRules,
    *,
    time_limit_s: float = 10.0,
    certify: bool = False,
) -> MatchResult:
    """Match every executive to up to k mentors under `rules`; see the module docstring.

    With `certify`, pricing rounds extend the short lists until LP duality proves the answer
    optimal over every feasible pair (`MatchResult.certified`); slower, by a few flow solves.
    `time_limit_s` bounds CP-SAT (function mix only): its deterministic time, and twice that on
    the wall clock.
    """
    started = time.perf_counter()
    run, graph = prepare(executives, mentors, rules)
    timings = {"candidates": time.perf_counter() - started}
    chosen, optimal, certified, gap, method = _choose(run, graph, time_limit_s, certify)
    timings["solve"] = time.perf_counter() - started - timings["candidates"]
    result = replace(result_of(run, graph, chosen, optimal, gap, method), certified=certified)
    timings["total"] = time.perf_counter() - started
    timings["explain"] = timings["total"] - timings["solve"] - timings["candidates"]
    return replace(result, timings=timings)


def _choose(
    run: MatchRun, graph: CandidateGraph, time_limit_s: float, certify: bool
) -> tuple[np.ndarray, bool, bool, float, str]:
    """Chosen edges, optimal over the graph, proven optimal over every pair, gap, method."""
    chosen, certified, gap = _priced_flow(run, graph) if certify else _filled_flow(run, graph)
    if run.rules.function_mix == "none":
        return chosen, True, certified, gap, "min_cost_flow"
    chosen, optimal, gap = _mixed_panels(run, graph, chosen, time_limit_s)
    return chosen, optimal, False, gap, "cp_sat"


def _mixed_panels(
    run: MatchRun, graph: CandidateGraph, flow: np.ndarray, time_limit_s: float
) -> tuple[np.ndarray, bool, float]:
    """Panels under the function mix: a relaxation's answer, mended, then CP-SAT if it can do better.

    The relaxation (the flow, or for "exactly_one_own" the flow with own and other mentors counted
    apart) bounds every answer; when the mended hint reaches that bound it is proven optimal.
    """
    distinct, country = run.rules.distinct_countries, run.edge_country(graph)
    facts = EdgeFacts(run.edge_own(graph), country, graph.edge_score, run.mix(), distinct)
    needed = forced = None
    if facts.mix.rule == "exactly_one_own":
        own_cap = np.maximum(0, 1 - facts.mix.locked_own)
        other_cap = np.maximum(0, run.rules.k - 1 - facts.mix.locked_other)
        flow = split_fill_min_cost(graph, country, distinct, facts.own, own_cap, other_cap).chosen
    hint, feasible = mend(graph, flow, facts)
    fill = SCALE * int(graph.slots.sum()) + 1
    bound, value = (int((fill + edge_costs(graph))[chosen].sum()) for chosen in (flow, hint))
    if feasible and value == bound:
        return hint, True, 0.0
    duals = potentials(graph, flow, country, run.table.size, distinct) if feasible else None
    if duals is not None and facts.mix.rule != "exactly_one_own":
        needed, forced = fixings(graph, flow, hint, reduced_costs(graph, duals, country, distinct), fill)
    panels = solve_panels(
        graph, country, facts.own, facts.mix, distinct, hint, time_limit_s, needed, forced, ceiling=bound
    )
    if panels.gap == float("inf"):
        return hint, False, (bound - value) / max(1, value) if feasible else float("inf")
    return panels.chosen, panels.optimal, panels.gap


def _filled_flow(run: MatchRun, graph: CandidateGraph) -> tuple[np.ndarray, bool, float]:
    """Min-cost flow on the short lists, widened where free mentors could fill an empty slot."""
    distinct = run.rules.distinct_countries
    answer = max_fill_min_cost(graph, run.edge_country(graph), distinct)
    for _ in range(PRICING_ROUNDS):
        columns = fill_columns(run.builder, graph, answer.chosen, distinct)
        if not columns:
            break
        for execs, positions, scores in columns:
            graph.extend(execs, positions, scores)
        answer = max_fill_min_cost(graph, run.edge_country(graph), distinct)
    return answer.chosen, False, 0.0


def _priced_flow(run: MatchRun, graph: CandidateGraph) -> tuple[np.ndarray, bool, float]:
    """Min-cost flow on the short lists, then pricing rounds until no other pair could improve it.

    Rounds price each executive's nearest mentors only (cheap) until those stop pricing in, then
    every mentor once; when that finds nothing either, the answer is proven optimal. Returns the
    chosen edges, whether they are proven optimal over every feasible pair, and the relative gap
    to the bound the last pricing proved (0 when proven).
    """
    distinct = run.rules.distinct_countries
    answer = max_fill_min_cost(graph, run.edge_country(graph), distinct)
    excess = float("nan")
    for round_ in range(PRICING_ROUNDS):
        duals = potentials(graph, answer.chosen, run.edge_country(graph), run.table.size, distinct)
        if duals is None:
            break
        everyone = round_ == 0
        columns, excess = price(run.builder, graph, duals, distinct, everyone=everyone)
        if not columns and not everyone:
            columns, excess = price(run.builder, graph, duals, distinct, everyone=True)
        if not columns:
            return answer.chosen, True, 0.0
        for execs, positions, scores in columns:
            graph.extend(execs, positions, scores)
        answer = max_fill_min_cost(graph, run.edge_country(graph), distinct)
    value = (SCALE * int(graph.slots.sum()) + 1) * int(answer.chosen.sum()) + answer.objective
    return answer.chosen, False, excess / max(1, value)


def result_of(
    run: MatchRun, graph: CandidateGraph, chosen: np.ndarray, optimal: bool, gap: float, method: str
) -> MatchResult:
    members = [(i, j, True) for i, j in run.locks.kept]
    picked = np.flatnonzero(chosen)
    members += zip(
        graph.edge_exec[picked].tolist(),
        run.table.orig[graph.edge_mentor[picked]].tolist(),
        [False] * len(picked),
        strict=True,
    )
    pairs = []
    for i, j, locked in members:
        e, m = run.executives[i], run.mentors[j]
        scored = score_pair(e, m, run.rules)
        pair = Pair(e.employee_id, m.employee_id, scored.total, scored.criteria, locked)
        pairs.append((i, -scored.total, j, pair))
    pairs.sort(key=lambda item: item[:3])
    filled = np.bincount([i for i, *_ in pairs], minlength=len(run.executives))
    unfilled = []
    for i, e in enumerate(run.executives):
        if filled[i] < run.rules.k:
            state = PanelState(tuple(run.locked_countries[i]), int(run.locked_own[i]), int(filled[i]))
            elsewhere = (run.mentors[j] for li, j in run.locks.kept if li != i)
            unfilled += diagnose(run.table, e, state, run.rules, elsewhere)
    return MatchResult(
        tuple(p for *_, p in pairs),
        tuple(unfilled),
        run.rules.k * len(run.executives),
        optimal,
        gap,
        method,
        dropped_locks=run.locks.dropped,
    )


def obeys_function_mix(
    panel: Sequence[Pair], e: Participant, mentors: Sequence[Participant], rules: ProgrammeRules
) -> bool:
    """Whether executive e's panel (its pairs) obeys the programme's function-mix rule."""
    if not panel or rules.function_mix == "none":
        return True
    by_id = {m.employee_id: m for m in mentors}
    own = sum(same_function(e, by_id[p.mentor_id]) for p in panel)
    return own < len(panel) if rules.function_mix == "at_least_one_other" else own == 1


def rematch_panel(
    result: MatchResult,
    executive_id: EmployeeId,
    executives: Sequence[Participant],
    mentors: Sequence[Participant],
    rules: ProgrammeRules,
    *,
    time_limit_s: float = 10.0,
) -> MatchResult:
    """Re-fill one executive's panel (say, after a mentor left) without touching any other pair.

    The panel keeps the mentors it still may have; other panels' mentors are not available. If the
    executive is no longer in `executives`, their panel is simply removed.
    """
    others = tuple(p for p in result.pairs if p.executive_id != executive_id)
    rest = tuple(u for u in result.unfilled if u.executive_id != executive_id)
    scope = f"panel:{executive_id}"
    person = next((e for e in executives if e.employee_id == executive_id), None)
    if person is None:
        return replace(result, pairs=others, unfilled=rest, scope=scope)
    busy = {p.mentor_id for p in others}
    free = [m for m in mentors if m.employee_id not in busy]
    pinned = {pair for pair in rules.locked if pair[0] == executive_id}
    present = {m.employee_id for m in free}
    keep = {
        (executive_id, p.mentor_id) for p in result.pairs if p.executive_id == executive_id and p.mentor_id in present
    }
    sub = solve(
        [person], free, replace(rules, locked=frozenset(keep | pinned)), time_limit_s=time_limit_s, certify=True
    )
    if not obeys_function_mix(sub.pairs, person, free, rules):
        # what is left of the panel cannot be completed under the mix: re-match it from scratch
        sub = solve([person], free, replace(rules, locked=frozenset(pinned)), time_limit_s=time_limit_s, certify=True)
    mine = tuple(replace(p, locked=(p.executive_id, p.mentor_id) in rules.locked) for p in sub.pairs)
    return _merged(result, executives, others + mine, rest + sub.unfilled, sub, scope, pinned)


def _merged(
    result: MatchResult,
    executives: Sequence[Participant],
    pairs: tuple[Pair, ...],
    unfilled: tuple,
    sub: MatchResult,
    scope: str,
    pinned: set,
) -> MatchResult:
    rank = {e.employee_id: i for i, e in enumerate(executives)}
    last = len(rank)
    return replace(
        result,
        pairs=tuple(sorted(pairs, key=lambda p: (rank.get(p.executive_id, last), -p.score))),
        unfilled=tuple(sorted(unfilled, key=lambda u: rank.get(u.executive_id, last))),
        optimal=sub.optimal,
        certified=sub.certified,
        gap=sub.gap,
        method=sub.method,
        scope=scope,
        dropped_locks=tuple(d for d in sub.dropped_locks if (d.executive_id, d.mentor_id) in pinned),
        timings=sub.timings,
    )
