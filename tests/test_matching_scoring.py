"""Scores a person can read, and the batched scorer agreeing with the pure one."""

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.domain.matching import ProgrammeRules, score_pair, violated_rule
from plugin.domain.matching.mentor_table import MentorTable, ranked_mentors
from tests.matching_factories import make_participant, workforces


def reasons(e, m, rules=None):
    scored = score_pair(e, m, rules or ProgrammeRules())
    return {c.criterion: (round(c.score, 3), c.reason) for c in scored.criteria}


def test_every_criterion_explains_itself_in_words():
    exec_ = make_participant(
        1,
        "Japan",
        function="Finance",
        work_start=9,
        work_end=18,
        languages=(("Japanese", 5), ("English", 4)),
        learning_goals=("generative_ai", "gaming"),
        expertise=("strategy",),
        cadence="sync",
        tone="formal",
        medium="video",
    )
    mentor = make_participant(
        100,
        "Brazil",
        function="Engineering",
        utc_offset=0.0,
        work_start=6,
        work_end=12,
        languages=(("English", 5), ("Japanese", 4)),
        expertise=("generative_ai",),
        aspirations=("strategy", "sales"),
        cadence="async",
        tone="formal",
        medium=None,
    )
    got = reasons(exec_, mentor)
    assert got["language"] == (0.8, "Both speak Japanese (fluent) and English (fluent)")
    assert got["hours"] == (0.75, "3 h of shared working hours (15:00–18:00 Tokyo)")
    assert got["culture"] == (1.0, "Across regions: Japan (Asia Pacific) and Brazil (Latin America)")
    assert got["goals"] == (0.5, "Covers 1 of 2 goals: generative ai")
    assert got["cross_function"] == (1.0, "Engineering brings a view from outside Finance")
    assert got["aspirations"] == (0.5, "Wants to grow towards strategy, the executive's field")
    assert got["communication"] == (0.667, "Agree on formal, video; differ on sync vs async")


def test_pairing_within_a_region_counts_half_and_within_a_country_nothing():
    berlin, munich = make_participant(1, "Germany"), make_participant(2, "Germany")
    assert reasons(berlin, munich)["culture"] == (0.0, "Both in Germany")
    assert reasons(berlin, make_participant(3, "India"))["culture"][0] == 1.0


def test_weights_set_each_criterions_share_of_the_total():
    e = make_participant(1, "Japan", learning_goals=("gaming",))
    m = make_participant(2, "Brazil", expertise=("gaming",))
    only_goals = ProgrammeRules(weights={"goals": 1.0})
    scored = score_pair(e, m, only_goals)
    assert scored.total == 1.0
    assert {c.criterion: c.share for c in scored.criteria}["goals"] == 1.0


def test_working_hours_wrap_around_midnight():
    night = make_participant(1, "Germany", work_start=22, work_end=6)
    early = make_participant(2, "Germany", work_start=4, work_end=12)
    hours = reasons(night, early)["hours"]
    assert hours[1].startswith("2 h of shared working hours (04:00–06:00")


@settings(max_examples=60, deadline=None)
@given(workforces(max_executives=3, max_mentors=8), st.sampled_from([None, 1, 2]))
def test_batched_scores_match_the_pure_definition(wf, depth):
    rules = ProgrammeRules(exclusions=wf.exclusions, past_pairs=wf.past_pairs, firewall_depth=depth)
    table = MentorTable(wf.mentors, rules, wf.executives)
    for e in wf.executives:
        got = table.scores(e)
        for pos, j in enumerate(table.orig.tolist()):
            m = wf.mentors[j]
            if violated_rule(e, m, rules) is None:
                assert abs(float(got[pos]) - score_pair(e, m, rules).total) < 1e-5
            else:
                assert got[pos] == -np.inf


@settings(max_examples=60, deadline=None)
@given(workforces(max_executives=3, max_mentors=8), st.sampled_from([None, 1, 2]))
def test_rule_breakdown_counts_the_first_rule_each_mentor_breaks(wf, depth):
    rules = ProgrammeRules(exclusions=wf.exclusions, past_pairs=wf.past_pairs, firewall_depth=depth)
    table = MentorTable(wf.mentors, rules, wf.executives)
    for e in wf.executives:
        counts, feasible = table.rule_breakdown(e)
        expected = Counter(violated_rule(e, m, rules) for m in wf.mentors)
        assert len(feasible) == expected.pop(None, 0)
        assert {k: v for k, v in counts.items() if v} == dict(expected)


@settings(max_examples=40, deadline=None)
@given(workforces(max_executives=2, max_mentors=8))
def test_ranked_mentors_are_those_the_rules_allow_best_score_first(wf):
    rules = ProgrammeRules(exclusions=wf.exclusions, past_pairs=wf.past_pairs)
    for e in wf.executives:
        ranked = ranked_mentors(e, wf.mentors, rules)
        allowed = {m.employee_id for m in wf.mentors if violated_rule(e, m, rules) is None}
        assert len(ranked) == len(allowed) and {m.employee_id for m in ranked} == allowed
        totals = [score_pair(e, m, rules).total for m in ranked]
        assert all(a >= b - 1e-5 for a, b in zip(totals, totals[1:], strict=False))
