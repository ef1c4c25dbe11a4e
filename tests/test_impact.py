"""Impact analytics: planted effects are recovered, no effect covers zero, small cells are suppressed."""

from datetime import date

import pytest

from plugin.domain.impact import (
    SELF_SELECTION_WARNING,
    ImpactSettings,
    PersonOutcome,
    add_months,
    age_band,
    compare,
    impact_report,
    report_rows,
    tenure_band,
)
from plugin.domain.proportions import difference, ratio, wilson
from tests.impact_world import AS_OF, INDEX, make_world

PLANTED_RETENTION = 0.10
PLANTED_PROMOTION = 0.08


@pytest.fixture(scope="module")
def planted():
    world = make_world(retention_lift=PLANTED_RETENTION, promotion_lift=PLANTED_PROMOTION)
    return impact_report(world, INDEX, AS_OF, ImpactSettings(replacement_cost=40_000, programme_cost=100_000))


@pytest.fixture(scope="module")
def null_world():
    return make_world(seed=12)


def test_planted_lifts_are_recovered_within_their_intervals(planted):
    expected = {
        ("retention", 24): PLANTED_RETENTION,
        ("retention", 12): PLANTED_RETENTION / 2,
        ("promotion", 24): PLANTED_PROMOTION,
        ("promotion", 12): PLANTED_PROMOTION / 2,
    }
    shown = [c for c in planted.cells if c.status == "shown"]
    assert {c.group for c in shown} == {"mentors", "mentees", "under_30"}
    for cell in shown:
        assert cell.absolute.covers(expected[cell.outcome, cell.months]), cell


def test_a_large_planted_effect_is_distinguished_from_zero(planted):
    for group in ("mentors", "under_30"):
        cell = planted.cell(group, "retention", 24)
        assert cell.absolute.low > 0
        assert cell.relative.low > 0


def test_no_planted_effect_gives_intervals_that_cover_zero(null_world):
    report = impact_report(null_world, INDEX, AS_OF)
    assert all(c.status == "shown" for c in report.cells)
    for cell in (c for c in report.cells if c.group in ("mentors", "under_30")):
        assert cell.absolute.covers(0), cell
        assert cell.relative is None or cell.relative.covers(0), cell


def test_without_an_effect_about_95_percent_of_all_intervals_cover_zero():
    cells = [
        c
        for seed in range(40, 50)
        for c in impact_report(make_world(size=4_000, seed=seed), INDEX, AS_OF).cells
        if c.status == "shown"
    ]
    covered = sum(c.absolute.covers(0) for c in cells)
    assert len(cells) >= 100
    assert covered / len(cells) >= 0.88


def test_matching_removes_the_bias_a_naive_comparison_shows(null_world):
    end = add_months(INDEX, 24)
    employed = [p for p in null_world if p.hired_on <= INDEX]
    stayed = {p.employee_id for p in employed if p.terminated_on is None or p.terminated_on > end}
    mentors = [p for p in employed if p.role == "mentor"]
    others = [p for p in employed if p.role is None]
    naive = sum(p.employee_id in stayed for p in mentors) / len(mentors) - sum(
        p.employee_id in stayed for p in others
    ) / len(others)
    matched = compare(null_world, "mentors", "retention", 24, INDEX, AS_OF)
    assert not matched.absolute.covers(naive)
    assert matched.absolute.covers(0)


def test_intervals_cover_the_truth_in_most_replications():
    covered = 0
    for seed in range(20, 32):
        world = make_world(size=4_000, seed=seed, retention_lift=PLANTED_RETENTION)
        covered += compare(world, "mentors", "retention", 24, INDEX, AS_OF).absolute.covers(PLANTED_RETENTION)
    assert covered >= 10  # nominal 95%: 12 of 12 expected, 10 of 12 happens by chance about 2% of the time


def person(n: int, role: str | None, **overrides) -> PersonOutcome:
    values = dict(
        employee_id=n,
        role=role,
        department="Sales",
        level=2,
        location="EMEA",
        hired_on=date(2022, 1, 10),
        birth_year=1999,
    )
    values.update(overrides)
    return PersonOutcome(**values)


def test_cells_under_the_threshold_show_no_numbers():
    people = [person(n, "mentor") for n in range(4)] + [person(100 + n, None) for n in range(20)]
    cell = compare(people, "mentors", "retention", 12, INDEX, AS_OF)
    assert cell.status == "suppressed"
    assert (cell.participants, cell.participant_rate, cell.absolute) == (None, None, None)
    shown = compare(people, "mentors", "retention", 12, INDEX, AS_OF, threshold=3)
    assert (shown.status, shown.participants, shown.comparison) == ("shown", 4, 20)


def test_the_threshold_can_never_go_below_three():
    with pytest.raises(ValueError, match="below 3"):
        ImpactSettings(threshold=2)


def test_few_comparable_colleagues_suppress_the_cell_too():
    people = [person(n, "mentor") for n in range(30)] + [person(100 + n, None) for n in range(4)]
    people += [person(200 + n, None, department="Legal") for n in range(50)]
    cell = compare(people, "mentors", "retention", 12, INDEX, AS_OF)
    assert cell.status == "suppressed"


def test_participants_without_a_comparable_colleague_are_counted_as_unmatched():
    people = [person(n, "mentor") for n in range(10)] + [person(20 + n, "mentor", location="APAC") for n in range(3)]
    people += [person(100 + n, None) for n in range(10)]
    cell = compare(people, "mentors", "retention", 12, INDEX, AS_OF)
    assert (cell.participants, cell.unmatched) == (10, 3)


def test_under_30s_are_compared_only_with_under_30s():
    people = [person(n, "mentor", birth_year=1998) for n in range(10)]
    people += [person(100 + n, None, birth_year=1985) for n in range(40)]
    assert compare(people, "under_30", "retention", 12, INDEX, AS_OF).status == "suppressed"
    assert compare(people, "mentees", "retention", 12, INDEX, AS_OF).status == "empty"


def test_a_horizon_still_ahead_is_not_reported_yet():
    cell = compare(make_world(size=500), "mentors", "retention", 24, INDEX, date(2026, 8, 31))
    assert cell.status == "not_yet"


def test_people_who_left_before_the_start_are_not_counted():
    people = [person(n, "mentor") for n in range(6)] + [person(100 + n, None) for n in range(6)]
    people += [person(200 + n, None, terminated_on=date(2024, 1, 1)) for n in range(30)]
    cell = compare(people, "mentors", "retention", 12, INDEX, AS_OF)
    assert (cell.comparison, cell.comparison_rate) == (6, 1.0)


def test_self_selection_warning_only_for_opt_in_programmes(null_world):
    assert impact_report(null_world, INDEX, AS_OF).warning == SELF_SELECTION_WARNING
    assert impact_report(null_world, INDEX, AS_OF, ImpactSettings(opt_in=False)).warning is None


def test_roi_values_avoided_leavers_at_the_replacement_cost(planted):
    roi = planted.roi
    mentors, mentees = planted.cell("mentors", "retention", 12), planted.cell("mentees", "retention", 12)
    avoided = mentors.absolute.estimate * mentors.participants + mentees.absolute.estimate * mentees.participants
    assert roi.avoided_leavers.estimate == pytest.approx(avoided)
    assert roi.value.estimate == pytest.approx(avoided * 40_000)
    assert roi.roi.estimate == pytest.approx((avoided * 40_000 - 100_000) / 100_000)
    assert roi.value.low < roi.value.estimate < roi.value.high


def test_csv_rows_keep_suppressed_cells_with_empty_numbers():
    people = [person(n, "mentor") for n in range(4)] + [person(100 + n, None) for n in range(20)]
    rows = report_rows(impact_report(people, INDEX, AS_OF))
    assert len(rows) == 12
    mentors = next(r for r in rows if (r["group"], r["outcome"], r["months"]) == ("mentors", "retention", 12))
    assert mentors["status"] == "suppressed" and mentors["participants"] is None
    assert mentors["absolute_lift_low"] is None


def test_bands_and_month_arithmetic():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 15), 14) == date(2026, 1, 15)
    assert age_band(1995, date(2024, 9, 1)) == "under 30"
    assert age_band(1975, date(2024, 9, 1)) == "40-49"
    assert tenure_band(date(2024, 1, 1), date(2024, 9, 1)) == "<1y"
    assert tenure_band(date(2010, 1, 1), date(2024, 9, 1)) == "10y+"


def test_intervals_match_published_values():
    # Newcombe (1998), table II example (e): 56/70 - 48/80, method 10 gives 0.0524 to 0.3339.
    interval = difference(56 / 70, 70, 48 / 80, 80)
    assert (round(interval.low, 4), round(interval.high, 4)) == (0.0524, 0.3339)
    # Wilson interval for 0 of 10: upper bound 0.2775.
    assert round(wilson(0.0, 10).high, 4) == 0.2775
    assert ratio(0.0, 10, 0.5, 10) is None
