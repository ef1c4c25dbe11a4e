"""Hard rules: a pair inside one reporting line, or without a shared language or hours, never forms."""

import pytest

from plugin.domain.matching import ProgrammeRules, solve, violated_rule
from plugin.errors import ValidationError
from tests.matching_factories import make_participant

CEO, VP = 1, 2
vp = make_participant(VP, ancestors=(CEO,))
ceo = make_participant(CEO)


def test_an_executive_never_mentored_by_anyone_in_their_chain_below():
    skip_level_report = make_participant(100, ancestors=(500, VP, CEO))
    assert violated_rule(vp, skip_level_report, ProgrammeRules()) == "reporting_line"
    assert violated_rule(ceo, skip_level_report, ProgrammeRules()) == "reporting_line"


def test_the_rule_holds_the_other_way_round_and_for_the_same_person():
    assert violated_rule(vp, make_participant(CEO), ProgrammeRules()) == "reporting_line"
    assert violated_rule(vp, make_participant(VP), ProgrammeRules()) == "reporting_line"


def test_someone_reporting_to_the_executives_own_manager_is_a_peer():
    chief_of_staff = make_participant(100, ancestors=(CEO,))
    assert violated_rule(vp, chief_of_staff, ProgrammeRules()) == "peer_of_direct_report"


def test_someone_in_another_branch_may_mentor():
    other_branch = make_participant(100, "India", ancestors=(501, 3, CEO))
    assert violated_rule(vp, other_branch, ProgrammeRules(min_overlap_hours=1)) is None


def test_a_common_working_language_is_required():
    exec_ = make_participant(10, "Japan", languages=(("Japanese", 5), ("English", 2)))
    mentor = make_participant(100, "Japan", languages=(("English", 5),))
    assert violated_rule(exec_, mentor, ProgrammeRules()) == "no_common_language"
    assert violated_rule(exec_, mentor, ProgrammeRules(min_fluency=2)) is None


def test_too_few_shared_hours_rule_a_pair_out():
    tokyo = make_participant(10, "Japan")
    new_york = make_participant(100, "United States")
    assert violated_rule(tokyo, new_york, ProgrammeRules()) == "hours_overlap"
    assert violated_rule(tokyo, new_york, ProgrammeRules(min_overlap_hours=0)) is None


@pytest.mark.parametrize(
    ("rules", "code"),
    [
        (ProgrammeRules(exclusions=frozenset({(10, 100)})), "excluded"),
        (ProgrammeRules(past_pairs=frozenset({(10, 100)})), "past_pair"),
    ],
)
def test_admin_exclusions_and_past_pairs(rules, code):
    assert violated_rule(make_participant(10), make_participant(100), rules) == code


def test_opting_out_on_either_side_wins_over_everything():
    rules = ProgrammeRules(exclusions=frozenset({(10, 100)}))
    assert violated_rule(make_participant(10, opted_out=True), make_participant(100), rules) == "opted_out"
    assert violated_rule(make_participant(10), make_participant(100, opted_out=True), rules) == "opted_out"


def test_impossible_programme_rules_are_refused_with_the_field():
    with pytest.raises(ValidationError) as err:
        ProgrammeRules(k=4, function_mix="mostly_own")
    assert set(err.value.errors) == {"k", "function_mix"}


@pytest.mark.parametrize("weight", [float("nan"), float("inf"), -1.0])
def test_a_weight_that_is_not_a_finite_non_negative_number_is_refused(weight):
    """NaN passes every comparison test (nan < 0 is False) and would turn every score into NaN."""
    with pytest.raises(ValidationError) as err:
        ProgrammeRules(weights={"goals": 1.0, "personality": weight})
    assert set(err.value.errors) == {"weights"}


def test_the_same_person_twice_in_one_list_is_refused():
    with pytest.raises(ValidationError):
        solve([make_participant(1)], [make_participant(100), make_participant(100)], ProgrammeRules())


def _company_under_a_ceo():
    """A CEO (Executive Office) over three VPs, each over a director, each over four analysts in one
    country per branch; and two analysts in the CEO's own office three levels down."""
    chief = make_participant(CEO, function="Executive Office")
    juniors, countries = [], ("India", "Germany", "Japan")
    for branch, country in enumerate(countries):
        vp_id, director = 10 + branch, 20 + branch
        juniors.append(make_participant(vp_id, country, function="Sales", ancestors=(CEO,)))
        juniors.append(make_participant(director, country, function="Sales", ancestors=(vp_id, CEO)))
        juniors += [
            make_participant(
                100 + 10 * branch + n,
                country,
                function="Sales",
                ancestors=(director, vp_id, CEO),
                languages=(("English", 5),),
            )
            for n in range(4)
        ]
    juniors += [
        make_participant(190 + n, "Germany", function="Executive Office", ancestors=(20, 10, CEO)) for n in range(2)
    ]
    return chief, juniors


def test_the_whole_chain_is_the_default_so_a_ceo_gets_no_mentor():
    chief, juniors = _company_under_a_ceo()
    result = solve([chief], juniors, ProgrammeRules(k=3, min_overlap_hours=0))
    assert result.pairs == ()
    assert result.unfilled[0].reason == "no_candidate_passes:reporting_line"


def test_with_depth_two_the_ceo_gets_mentors_and_never_one_within_two_levels():
    chief, juniors = _company_under_a_ceo()
    result = solve([chief], juniors, ProgrammeRules(k=3, min_overlap_hours=0, firewall_depth=2))
    by_id = {m.employee_id: m for m in juniors}
    panel = [by_id[p.mentor_id] for p in result.pairs]
    assert len(panel) == 3 and result.unfilled == ()
    assert all(m.ancestors.index(CEO) >= 2 for m in panel), "no VP (level 1) nor director (level 2)"
    assert all(m.function != "Executive Office" for m in panel), "never the CEO's own function"
    assert {m.country for m in panel} == {"India", "Germany", "Japan"}


@pytest.mark.parametrize(
    ("mentor", "depth", "code"),
    [
        (make_participant(100, ancestors=(VP, CEO)), 2, "reporting_line"),  # two levels below
        (make_participant(100, "India", ancestors=(500, VP, CEO)), 2, None),  # three levels below
        (make_participant(100, "India", ancestors=(500, VP, CEO)), 3, "reporting_line"),
        (make_participant(100, "India", function="Board", ancestors=(500, VP, CEO)), 2, "reporting_line"),
        (make_participant(100, "India", ancestors=(500, VP, CEO)), None, "reporting_line"),
    ],
)
def test_the_firewall_depth_counts_levels_below_the_executive_and_keeps_their_function(mentor, depth, code):
    chief = make_participant(CEO, function="Board")
    assert violated_rule(chief, mentor, ProgrammeRules(min_overlap_hours=0, firewall_depth=depth)) == code


def test_a_mentor_above_the_executive_stays_out_whatever_the_depth():
    assert violated_rule(vp, make_participant(CEO, "India"), ProgrammeRules(firewall_depth=1)) == "reporting_line"


@pytest.mark.parametrize("depth", [0, -1, 11])
def test_a_firewall_depth_outside_one_to_ten_is_refused(depth):
    with pytest.raises(ValidationError) as caught:
        ProgrammeRules(firewall_depth=depth)
    assert "firewall_depth" in caught.value.errors
