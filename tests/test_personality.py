"""The Mini-IPIP: published keying, whole-questionnaire validation, and its matching criterion."""

from __future__ import annotations

import numpy as np
import pytest

from plugin.domain.matching import DEFAULT_WEIGHTS, Pair, Participant, ProgrammeRules, explain_pair, score_pair
from plugin.domain.matching.mentor_table import MentorTable
from plugin.domain.matching.scoring import PERSONALITY_REASON
from plugin.domain.personality import ITEMS, TRAITS, trait_scores, validate_answers
from plugin.errors import ValidationError

# Donnellan et al. 2006, Table 1: the reverse-keyed items
REVERSED = {6, 7, 8, 9, 10, 15, 16, 17, 18, 19, 20}


def test_items_follow_the_published_order_traits_and_keying():
    assert [i.number for i in ITEMS] == list(range(1, 21))
    assert {i.number for i in ITEMS if i.reverse} == REVERSED
    assert [i.trait for i in ITEMS[:5]] == list(TRAITS)  # E, A, C, N, I repeat in that order
    assert all(ITEMS[n].trait == ITEMS[n % 5].trait for n in range(20))
    assert ITEMS[0].text == "Am the life of the party." and ITEMS[19].text == "Do not have a good imagination."


def test_scores_are_trait_means_with_reverse_keyed_items_flipped():
    answers = [5 if i.number not in REVERSED else 1 for i in ITEMS]  # the trait's high end throughout
    assert trait_scores(answers) == (5.0, 5.0, 5.0, 5.0, 5.0)
    assert trait_scores([5] * 20) == (3.0, 3.0, 3.0, 3.0, 2.0)  # intellect has three reversed items


@pytest.mark.parametrize(
    "answers", [[3] * 19, [3] * 21, [3] * 19 + [6], [3] * 19 + [0], [3] * 19 + ["5"], [3] * 19 + [True], "3" * 20]
)
def test_a_partial_or_out_of_range_questionnaire_is_refused_whole(answers):
    with pytest.raises(ValidationError):
        validate_answers(answers)


def _person(pid, answers=None):
    return Participant(pid, "JP", "japan", languages=(("en", 5),), personality=answers and trait_scores(answers))


HIGH = [5 if i.number not in REVERSED else 1 for i in ITEMS]
LOW = [1 if i.number not in REVERSED else 5 for i in ITEMS]
RULES = ProgrammeRules(weights={**DEFAULT_WEIGHTS, "personality": 1.0})


def test_alike_on_three_traits_and_different_in_extraversion_scores_best():
    quiet_twin = [LOW[i] if ITEMS[i].trait == "extraversion" else HIGH[i] for i in range(20)]
    e = _person(1, HIGH)

    def fit(m):
        return next(c for c in score_pair(e, m, RULES).criteria if c.criterion == "personality")

    assert fit(_person(2, quiet_twin)).score == 1.0
    assert fit(_person(3, HIGH)).score == 0.75
    assert fit(_person(4, LOW)).score == 0.25
    assert fit(_person(5)).score == 0.5  # not answered: the middle, neither a good nor a poor fit
    assert "extraversion" not in fit(_person(2, quiet_twin)).reason.lower()  # HR reads reasons: no trait named


def test_the_batched_table_scores_personality_as_score_pair_does():
    rng = np.random.default_rng(7)
    people = [_person(i, None if i % 4 == 0 else rng.integers(1, 6, 20).tolist()) for i in range(40)]
    executives, mentors = people[:8], people[8:]
    table = MentorTable(mentors, RULES, executives)
    for e in executives:
        batched = table.scores(e)
        for pos, m in enumerate(table.people):
            assert batched[pos] == pytest.approx(score_pair(e, m, RULES).total, abs=1e-5)


def test_off_by_default_so_answers_change_no_score():
    assert DEFAULT_WEIGHTS["personality"] == 0.0
    e, m = _person(1, HIGH), _person(2, LOW)
    assert score_pair(e, m, ProgrammeRules()).total == score_pair(_person(1), _person(2), ProgrammeRules()).total


def test_a_weighted_personality_criterion_is_explained_like_the_others_without_naming_a_trait():
    scored = score_pair(_person(1, HIGH), _person(2, HIGH), RULES)
    lines = explain_pair(Pair(1, 2, scored.total, scored.criteria)).splitlines()
    shown = next(line for line in lines if line.lstrip().startswith("Personality +"))
    assert shown.endswith(PERSONALITY_REASON) and "extraversion" not in shown.lower()
