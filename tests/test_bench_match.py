"""The match benchmark reports what the product promises, in the shape `flipside bench` prints."""

from bench.match import RESULT_KEYS, result_line, run


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
