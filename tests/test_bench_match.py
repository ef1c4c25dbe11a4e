"""The match benchmark reports what the product promises, in the shape `flipside bench` prints."""

from dataclasses import replace

import pytest

from bench.match import RESULT_KEYS, parse_weights, result_line, run
from plugin.domain.matching.synthetic import synthetic_programme, with_answers
from plugin.domain.personality import HIGHEST, LOWEST


def test_a_small_benchmark_reports_every_result_key_with_sane_values():
    result = run(executives=30, juniors=300, k=3, seed=7)
    assert list(result)[: len(RESULT_KEYS)] == list(RESULT_KEYS)
    assert result["slots"] == 90
    assert result["greedy_filled"] <= result["filled"] <= result["slots"]
    assert result["optimal"] == 1 and result["certified"] == 1
    assert 0 < result["greedy_score_ratio"] <= 1
    assert result["global_score_ratio"] <= 1
    line = result_line(result)
    assert line.startswith("RESULT executives=30 juniors=300 k=3 seconds=")
    assert "\n" not in line


def test_the_personality_criterion_weighted_on_changes_the_scores_and_is_named_in_the_result():
    plain = run(executives=30, juniors=300, k=3, seed=7, certify=False)
    weighted = run(executives=30, juniors=300, k=3, seed=7, certify=False, weights={"personality": 1.0}, answered=0.7)
    assert weighted["filled"] == plain["filled"]  # a soft criterion: the hard rules decide what can be filled
    assert weighted["total_score"] != plain["total_score"]
    assert "weights=personality:1 answered=0.7" in result_line(weighted)
    assert "weights=" not in result_line(plain)


def test_synthetic_answers_leave_everything_else_as_it_was():
    programme = synthetic_programme(20, 200, 3)
    answered = with_answers(programme, 0.5, 3)
    people = [*answered.executives, *answered.mentors]
    assert 0.3 < sum(p.personality is not None for p in people) / len(people) < 0.7
    assert [replace(p, personality=None) for p in people] == [*programme.executives, *programme.mentors]
    assert all(LOWEST <= t <= HIGHEST for p in people if p.personality for t in p.personality)


@pytest.mark.parametrize(
    "text",
    [
        "personality",
        "charm=1",
        "personality=-1",
        "personality=one",
        "goals=0,language=0,culture=0,hours=0,communication=0,cross_function=0,aspirations=0,personality=0",
        "personality=nan",
    ],
)
def test_bad_weights_are_refused_before_any_run(text):
    with pytest.raises(ValueError):
        parse_weights(text)


def test_the_command_line_passes_weights_through_and_refuses_bad_ones():
    from click.testing import CliRunner

    from plugin.cli import main

    assert parse_weights("personality=1, goals=2") == {"personality": 1.0, "goals": 2.0}
    refused = CliRunner().invoke(main, ["bench", "match", "--weights", "charm=1", "--repeat", "1"])
    assert refused.exit_code == 2 and "--weights" in refused.output
