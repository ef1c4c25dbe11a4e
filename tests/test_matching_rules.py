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


@pytest.mark.parametrize(("rules", "code"), [
    (ProgrammeRules(exclusions=frozenset({(10, 100)})), "excluded"),
    (ProgrammeRules(past_pairs=frozenset({(10, 100)})), "past_pair"),
])
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


def test_the_same_person_twice_in_one_list_is_refused():
    with pytest.raises(ValidationError):
        solve([make_participant(1)], [make_participant(100), make_participant(100)], ProgrammeRules())
