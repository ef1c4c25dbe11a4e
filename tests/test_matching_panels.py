"""What an admin sees on specific programmes: empty slots with reasons, locks, explanations."""

from plugin.domain.matching import ProgrammeRules, solve
from plugin.domain.matching.explain import explain_pair, explain_unfilled, summary
from plugin.domain.matching.greedy import greedy_match
from tests.matching_factories import make_participant

ANYTIME = dict(min_overlap_hours=0)


def reasons(result):
    return {(u.executive_id, u.reason): u.missing for u in result.unfilled}


def test_a_ceo_gets_no_mentor_because_everyone_is_in_their_chain():
    ceo = make_participant(1)
    juniors = [make_participant(100 + j, "India", ancestors=(50, 1)) for j in range(4)]
    result = solve([ceo], juniors, ProgrammeRules(k=2, **ANYTIME))
    assert result.pairs == ()
    assert reasons(result) == {(1, "no_candidate_passes:reporting_line"): 2}
    assert "management chain" in explain_unfilled(result.unfilled[0])


def test_a_panel_stops_where_the_countries_run_out():
    exec_ = make_participant(1, "Germany")
    juniors = [make_participant(100 + j, "India") for j in range(3)] + [make_participant(110, "Brazil")]
    result = solve([exec_], juniors, ProgrammeRules(k=3, **ANYTIME))
    assert sorted(juniors[[m.employee_id for m in juniors].index(p.mentor_id)].country for p in result.pairs) == [
        "Brazil",
        "India",
    ]
    assert reasons(result) == {(1, "distinct_countries"): 1}


def test_two_executives_wanting_the_only_mentor_leave_one_slot_to_capacity():
    execs = [make_participant(1, "Germany"), make_participant(2, "Germany")]
    result = solve(execs, [make_participant(100, "India")], ProgrammeRules(k=1, **ANYTIME))
    assert result.filled == 1
    loser = ({1, 2} - {result.pairs[0].executive_id}).pop()
    assert reasons(result) == {(loser, "capacity"): 1}


def test_exactly_one_own_function_mentor_or_none_at_all():
    exec_ = make_participant(1, "Germany", function="Finance")
    others = [make_participant(100, "India", function="Sales"), make_participant(101, "Brazil", function="Sales")]
    rules = ProgrammeRules(k=2, function_mix="exactly_one_own", **ANYTIME)
    assert reasons(solve([exec_], others, rules)) == {(1, "function_mix"): 2}
    own = make_participant(102, "Japan", function="Finance")
    result = solve([exec_], [*others, own], rules)
    assert result.filled == 2 and 102 in {p.mentor_id for p in result.pairs}
    assert result.method == "cp_sat" and result.optimal


def test_a_locked_pair_that_an_admin_later_excludes_is_dropped_with_the_reason():
    exec_, mentor = make_participant(1), make_participant(100, "India")
    rules = ProgrammeRules(k=1, locked=frozenset({(1, 100)}), exclusions=frozenset({(1, 100)}), **ANYTIME)
    result = solve([exec_], [mentor], rules)
    assert [(d.executive_id, d.mentor_id, d.reason) for d in result.dropped_locks] == [(1, 100, "excluded")]
    assert result.pairs == ()


def test_a_locked_pair_is_kept_even_when_a_better_mentor_appears():
    exec_ = make_participant(1, learning_goals=("gaming",))
    weak, strong = make_participant(100, "India"), make_participant(101, "Brazil", expertise=("gaming",))
    rules = ProgrammeRules(k=1, locked=frozenset({(1, 100)}), **ANYTIME)
    result = solve([exec_], [weak, strong], rules)
    assert [(p.mentor_id, p.locked) for p in result.pairs] == [(100, True)]


def test_short_lists_do_not_strand_executives_who_all_want_the_same_star_mentors():
    execs = [make_participant(i, "Germany", learning_goals=("gaming",)) for i in range(1, 7)]
    stars = [make_participant(100 + j, "India", expertise=("gaming",)) for j in range(3)]
    others = [make_participant(200 + j, "Brazil") for j in range(6)]
    rules = ProgrammeRules(k=1, candidates_per_executive=2, **ANYTIME)
    result = solve(execs, stars + others, rules)
    assert result.filled == 6
    assert {p.mentor_id for p in result.pairs} >= {m.employee_id for m in stars}


def test_greedy_obeys_the_rules_and_never_beats_the_optimum():
    execs = [make_participant(1, "Germany", learning_goals=("gaming",)), make_participant(2, "Japan")]
    mentors = [make_participant(100, "India", expertise=("gaming",)), make_participant(101, "Brazil")]
    rules = ProgrammeRules(k=1, **ANYTIME)
    best, quick = solve(execs, mentors, rules), greedy_match(execs, mentors, rules)
    assert quick.filled <= best.filled and quick.total_score <= best.total_score + 1e-9
    assert len({p.mentor_id for p in quick.pairs}) == quick.filled


def test_a_pair_reads_as_reasons_ordered_by_what_they_added():
    exec_ = make_participant(1, "Germany", function="Finance", learning_goals=("gaming",))
    mentor = make_participant(100, "India", function="Sales", expertise=("gaming",))
    result = solve([exec_], [mentor], ProgrammeRules(k=1, **ANYTIME))
    text = explain_pair(result.pairs[0], {1: "Ana", 100: "Ravi"})
    first, second = text.splitlines()[:2]
    assert first.startswith("Ravi mentors Ana: ")
    assert second.startswith("  Learning goals +29: Covers 1 of 1 goals: gaming")
    assert first.endswith(f": {round(result.pairs[0].score * 100)}/100")
    assert summary(result).startswith(f"1 of 1 slots filled, average score {round(result.pairs[0].score * 100)}/100")
    assert "No aspirations given" not in text, "a criterion that added nothing is not a reason"


def test_certifying_finds_the_swap_that_short_lists_miss():
    # both executives rank m1 first; b has nobody else worth having, so the best answer gives a m2
    a = make_participant(1, learning_goals=("gaming", "finance", "social_media", "strategy"))
    b = make_participant(2, learning_goals=("strategy", "generative_ai", "open_source"))
    m1 = make_participant(100, "India", expertise=("gaming", "finance", "social_media", "strategy", "generative_ai"))
    m2 = make_participant(101, "Brazil", expertise=("gaming", "finance", "social_media"))
    m3 = make_participant(102, "Japan", utc_offset=1.0)
    rules = ProgrammeRules(k=1, candidates_per_executive=1, weights={"goals": 1.0}, **ANYTIME)
    quick = solve([a, b], [m1, m2, m3], rules)
    proven = solve([a, b], [m1, m2, m3], rules, certify=True)
    assert quick.optimal and not quick.certified and proven.certified
    assert {(p.executive_id, p.mentor_id) for p in proven.pairs} == {(1, 101), (2, 100)}
    assert round(proven.total_score, 3) == round(0.75 + 2 / 3, 3) > quick.total_score
