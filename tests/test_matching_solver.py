"""The solver on random workforces: rules always hold, the answer is optimal, re-runs keep locks."""

from collections import Counter

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from plugin.domain.matching import ProgrammeRules, rematch_panel, score_pair, solve, violated_rule
from tests.matching_factories import workforces

rule_sets = st.builds(
    ProgrammeRules,
    k=st.integers(1, 3),
    distinct_countries=st.booleans(),
    function_mix=st.sampled_from(["none", "at_least_one_other", "exactly_one_own"]),
    min_overlap_hours=st.sampled_from([0.0, 2.0]),
)


# re-run tests need a first answer with pairs in it: no opt-outs, hours always overlap enough
anytime_rule_sets = st.builds(
    ProgrammeRules,
    k=st.integers(1, 3),
    distinct_countries=st.booleans(),
    function_mix=st.sampled_from(["none", "at_least_one_other", "exactly_one_own"]),
    min_overlap_hours=st.just(0.0),
)


def with_lists(rules, wf, **more):
    fields = {f: getattr(rules, f) for f in ("k", "distinct_countries", "function_mix", "min_overlap_hours")}
    return ProgrammeRules(**fields, exclusions=wf.exclusions, past_pairs=wf.past_pairs, **more)


def assert_panels_obey(result, wf, rules):
    execs = {e.employee_id: e for e in wf.executives}
    mentors = {m.employee_id: m for m in wf.mentors}
    assert len({p.mentor_id for p in result.pairs}) == len(result.pairs), "a mentor serves twice"
    for exec_id in execs:
        panel = [mentors[p.mentor_id] for p in result.panel(exec_id)]
        assert len(panel) <= rules.k
        for m in panel:
            assert violated_rule(execs[exec_id], m, rules) is None
        if rules.distinct_countries:
            assert len({m.country for m in panel}) == len(panel)
        own = sum(m.function == execs[exec_id].function for m in panel)
        if panel and rules.function_mix == "at_least_one_other":
            assert own < len(panel)
        if panel and rules.function_mix == "exactly_one_own":
            assert own == 1


@settings(max_examples=50, deadline=None)
@given(workforces(), rule_sets)
def test_no_hard_or_panel_rule_is_ever_broken_and_every_empty_slot_has_a_reason(wf, base):
    rules = with_lists(base, wf)
    result = solve(wf.executives, wf.mentors, rules)
    assert_panels_obey(result, wf, rules)
    assert result.filled + sum(u.missing for u in result.unfilled) == result.slots


def best_by_brute_force(wf, rules):
    """The most filled slots, then the highest total score, over every possible assignment."""
    execs = wf.executives
    options = [[i for i, e in enumerate(execs) if violated_rule(e, m, rules) is None] for m in wf.mentors]
    best = (0, 0.0)

    def fits(panel, m, e):
        members = panel + [m]
        own = sum(x.function == e.function for x in members)
        if len(members) > rules.k or (rules.distinct_countries and m.country in {x.country for x in panel}):
            return False
        return rules.function_mix != "exactly_one_own" or own <= 1

    def obeys_mix(panel, e):
        own = sum(x.function == e.function for x in panel)
        if not panel or rules.function_mix == "none":
            return True
        return own < len(panel) if rules.function_mix == "at_least_one_other" else own == 1

    def walk(j, panels, value):
        nonlocal best
        if j == len(wf.mentors):
            if all(obeys_mix(panels[i], e) for i, e in enumerate(execs)):
                best = max(best, value)
            return
        walk(j + 1, panels, value)
        m = wf.mentors[j]
        for i in options[j]:
            if fits(panels[i], m, execs[i]):
                panels[i].append(m)
                walk(j + 1, panels, (value[0] + 1, value[1] + score_pair(execs[i], m, rules).total))
                panels[i].pop()

    walk(0, [[] for _ in execs], best)
    return best


@settings(max_examples=50, deadline=None)
@given(workforces(max_executives=3, max_mentors=7), st.integers(1, 2), st.booleans())
def test_min_cost_flow_finds_the_brute_force_optimum(wf, k, distinct):
    rules = ProgrammeRules(k=k, distinct_countries=distinct, exclusions=wf.exclusions, past_pairs=wf.past_pairs)
    result = solve(wf.executives, wf.mentors, rules)
    filled, total = best_by_brute_force(wf, rules)
    assert (result.method, result.optimal, result.gap) == ("min_cost_flow", True, 0.0)
    assert result.filled == filled
    # the solver counts scores in thousandths, so each pair may round by half of one
    assert total - 0.001 * filled - 1e-9 <= result.total_score <= total + 1e-9


@settings(max_examples=50, deadline=None)
@given(workforces(max_executives=3, max_mentors=7), st.integers(1, 2), st.booleans())
def test_pricing_proves_the_optimum_even_from_one_candidate_per_slot(wf, k, distinct):
    rules = ProgrammeRules(
        k=k, distinct_countries=distinct, candidates_per_executive=k, exclusions=wf.exclusions, past_pairs=wf.past_pairs
    )
    result = solve(wf.executives, wf.mentors, rules, certify=True)
    filled, total = best_by_brute_force(wf, rules)
    assert result.certified
    assert result.filled == filled
    assert total - 0.001 * filled - 1e-9 <= result.total_score <= total + 1e-9


@settings(max_examples=40, deadline=None)
@given(
    workforces(max_executives=3, max_mentors=6),
    st.integers(1, 3),
    st.sampled_from(["at_least_one_other", "exactly_one_own"]),
)
def test_cp_sat_finds_the_brute_force_optimum_when_the_function_mix_applies(wf, k, mix):
    rules = ProgrammeRules(k=k, function_mix=mix, exclusions=wf.exclusions, past_pairs=wf.past_pairs)
    result = solve(wf.executives, wf.mentors, rules)
    filled, total = best_by_brute_force(wf, rules)
    assert (result.method, result.optimal) == ("cp_sat", True)
    assert result.filled == filled
    assert total - 0.001 * filled - 1e-9 <= result.total_score <= total + 1e-9


@settings(max_examples=40, deadline=None)
@given(workforces(max_executives=4, max_mentors=10, opt_outs=False), anytime_rule_sets, st.data())
def test_locked_pairs_survive_a_rerun(wf, base, data):
    rules = with_lists(base, wf)
    first = solve(wf.executives, wf.mentors, rules)
    assume(first.pairs)
    pairs = [(p.executive_id, p.mentor_id) for p in first.pairs]
    locked = data.draw(st.sets(st.sampled_from(pairs), min_size=1))
    locked_execs = {e for e, _ in locked}
    others = [(p.executive_id, p.mentor_id) for p in first.pairs if p.executive_id not in locked_execs]
    rerun_rules = with_lists(base, wf, locked=frozenset(locked))
    rerun_rules = ProgrammeRules(**{**rerun_rules.__dict__, "exclusions": rules.exclusions | set(others[:1])})
    second = solve(wf.executives, wf.mentors, rerun_rules)
    kept = {(p.executive_id, p.mentor_id) for p in second.pairs if p.locked}
    assert kept == locked and not second.dropped_locks
    assert_panels_obey(second, wf, rerun_rules)


@settings(max_examples=40, deadline=None)
@given(workforces(max_executives=4, max_mentors=10, opt_outs=False), anytime_rule_sets, st.data())
def test_rematching_one_panel_leaves_every_other_pair_alone(wf, base, data):
    rules = with_lists(base, wf)
    first = solve(wf.executives, wf.mentors, rules)
    assume(first.pairs)
    leaving = data.draw(st.sampled_from(first.pairs))
    still_here = [m for m in wf.mentors if m.employee_id != leaving.mentor_id]
    after = rematch_panel(first, leaving.executive_id, wf.executives, still_here, rules)
    untouched = [p for p in first.pairs if p.executive_id != leaving.executive_id]
    assert [p for p in after.pairs if p.executive_id != leaving.executive_id] == untouched
    assert leaving.mentor_id not in {p.mentor_id for p in after.pairs}
    assert after.scope == f"panel:{leaving.executive_id}"
    assert_panels_obey(after, type(wf)(wf.executives, still_here, wf.exclusions, wf.past_pairs), rules)
    assert after.filled + sum(u.missing for u in after.unfilled) == after.slots


@settings(max_examples=25, deadline=None)
@given(workforces(max_executives=4, max_mentors=10), rule_sets)
def test_the_same_input_gives_the_same_answer(wf, base):
    rules = with_lists(base, wf)
    first, second = solve(wf.executives, wf.mentors, rules), solve(wf.executives, wf.mentors, rules)
    assert first.pairs == second.pairs and first.unfilled == second.unfilled


def test_reasons_for_empty_slots_add_up_per_executive():
    # a tiny fixed case keeps the bookkeeping honest beyond hypothesis' random draws
    from tests.matching_factories import make_participant

    execs = [make_participant(1, "Germany"), make_participant(2, "Germany")]
    mentors = [make_participant(100, "India", ancestors=(1,)), make_participant(101, "Brazil")]
    result = solve(execs, mentors, ProgrammeRules(k=2, min_overlap_hours=0))
    missing = Counter()
    for u in result.unfilled:
        missing[u.executive_id] += u.missing
    for e in execs:
        assert len(result.panel(e.employee_id)) + missing[e.employee_id] == 2


def test_the_certificate_catches_a_better_pair_left_out_of_the_short_lists():
    """Take the best chosen pair out of the graph: the flow on what is left is worse, and pricing
    over every mentor must find that pair again, so "certified" can fail when it should."""
    import numpy as np

    from plugin.domain.matching.flow import max_fill_min_cost
    from plugin.domain.matching.pricing import potentials, price
    from plugin.domain.matching.solver import prepare
    from plugin.domain.matching.synthetic import synthetic_programme

    programme = synthetic_programme(30, 300, 3)
    rules = ProgrammeRules(
        k=3, distinct_countries=True, exclusions=programme.exclusions, past_pairs=programme.past_pairs
    )
    run, graph = prepare(programme.executives, programme.mentors, rules)
    full = max_fill_min_cost(graph, run.edge_country(graph), True)
    planted = np.flatnonzero(full.chosen)[np.argmax(graph.edge_score[full.chosen])]
    pair = (int(graph.edge_exec[planted]), int(graph.edge_mentor[planted]))
    keep = np.arange(graph.size) != planted
    for name in ("edge_exec", "edge_mentor", "edge_score"):
        setattr(graph, name, getattr(graph, name)[keep])
    short = max_fill_min_cost(graph, run.edge_country(graph), True)
    assert short.objective < full.objective
    duals = potentials(graph, short.chosen, run.edge_country(graph), run.table.size, True)
    columns, excess = price(run.builder, graph, duals, True, everyone=True, most=run.table.size)
    found = {(int(i), int(m)) for execs, positions, _ in columns for i, m in zip(execs, positions, strict=True)}
    assert pair in found and excess > 0
    for execs, positions, scores in columns:
        graph.extend(execs, positions, scores)
    assert max_fill_min_cost(graph, run.edge_country(graph), True).objective == full.objective
