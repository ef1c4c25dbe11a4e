"""The synthetic workforce the demo, the HRIS emulators and the benchmarks serve."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plugin.demo.countries import COUNTRIES, REGIONS
from plugin.demo.workforce import (
    DEFAULT_AS_OF,
    TOPICS,
    generate_workforce,
    is_executive,
    is_junior,
    iter_workforce,
    validate_tree,
)
from plugin.domain.employee import EmployeeRecord, EmploymentStatus
from plugin.domain.positions import CEO_LEVEL, EXECUTIVE_MIN_LEVEL, JUNIOR_MAX_LEVEL

AS_OF = date(2026, 11, 1)


@pytest.fixture(scope="module")
def workforce() -> list[EmployeeRecord]:
    return generate_workforce(3000, seed=11, as_of=AS_OF)


def serialise(records: list[EmployeeRecord]) -> bytes:
    return json.dumps([dataclasses.asdict(r) for r in records], default=str, sort_keys=True).encode()


def reports_of(records: list[EmployeeRecord]) -> Counter[str | None]:
    return Counter(r.manager_source_id for r in records)


def make_record(source_id: str, manager: str | None = None) -> EmployeeRecord:
    return EmployeeRecord(source_system="test", source_id=source_id, manager_source_id=manager)


# Determinism and size


def test_the_same_seed_gives_byte_identical_records():
    assert serialise(generate_workforce(800, seed=5)) == serialise(generate_workforce(800, seed=5))


def test_different_seeds_give_different_workforces():
    first, second = generate_workforce(800, seed=5), generate_workforce(800, seed=6)
    assert serialise(first) != serialise(second)
    assert [r.name for r in first] != [r.name for r in second]


def test_the_default_as_of_is_a_fixed_date_not_today():
    assert DEFAULT_AS_OF == AS_OF
    implicit, explicit = generate_workforce(300, seed=2), generate_workforce(300, seed=2, as_of=AS_OF)
    assert serialise(implicit) == serialise(explicit)


def test_iterating_yields_the_same_records_as_the_list():
    assert list(iter_workforce(500, seed=3)) == generate_workforce(500, seed=3)


@pytest.mark.parametrize("size", [1, 2, 7, 13, 250, 3001])
def test_the_size_asked_for_is_the_size_generated(size):
    assert len(generate_workforce(size, seed=1)) == size


def test_a_workforce_of_one_is_just_the_chief_executive():
    (ceo,) = generate_workforce(1)
    assert ceo.manager_source_id is None
    assert ceo.job_level == CEO_LEVEL
    assert ceo.job_title == "Chief Executive Officer"
    assert not ceo.is_manager
    assert ceo.active


@pytest.mark.parametrize("size", [0, -3])
def test_a_size_below_one_is_refused_when_asked_not_when_iterated(size):
    with pytest.raises(ValueError, match="at least 1 employee"):
        generate_workforce(size)
    with pytest.raises(ValueError, match="at least 1 employee"):
        iter_workforce(size)


def test_records_carry_the_source_system_they_are_served_as():
    records = generate_workforce(50, source_system="bamboohr")
    assert {r.source_system for r in records} == {"bamboohr"}


# The reporting tree


def test_the_workforce_forms_one_tree_under_the_chief_executive(workforce):
    assert validate_tree(workforce) == []
    roots = [r for r in workforce if r.manager_source_id is None]
    assert len(roots) == 1
    assert roots[0].job_level == CEO_LEVEL
    assert len({r.source_id for r in workforce}) == len(workforce)


def test_every_manager_comes_before_their_reports(workforce):
    seen: set[str] = set()
    for record in workforce:
        assert record.manager_source_id is None or record.manager_source_id in seen
        seen.add(record.source_id)


def test_is_manager_means_having_direct_reports_and_spans_stay_between_3_and_10(workforce):
    reports = reports_of(workforce)
    for record in workforce:
        assert record.is_manager == (reports[record.source_id] > 0)
        if record.is_manager:
            assert 3 <= reports[record.source_id] <= 10, record


def test_managers_outrank_their_reports(workforce):
    level = {r.source_id: r.job_level for r in workforce}
    assert all(level[r.manager_source_id] > r.job_level for r in workforce if r.manager_source_id)


def test_levels_form_a_pyramid_many_juniors_few_executives(workforce):
    levels = Counter(r.job_level for r in workforce)
    assert set(levels) <= set(range(1, CEO_LEVEL + 1))
    assert levels[CEO_LEVEL] == 1
    juniors = sum(is_junior(r) for r in workforce)
    executives = sum(is_executive(r) for r in workforce)
    assert juniors > len(workforce) / 2
    assert 10 < executives < len(workforce) / 20
    assert levels[1] > levels[5] > levels[EXECUTIVE_MIN_LEVEL]


def test_job_titles_follow_level_and_function(workforce):
    for record in workforce:
        title, level = record.job_title, record.job_level
        if level == 1:
            assert title.startswith("Associate ")
        elif level == 5:
            assert title == f"Manager, {record.function}"
        elif level == 6:
            assert title == f"Senior Manager, {record.function}"
        elif level == 9:
            assert title.startswith("Chief ")
        assert record.department.startswith(record.function)
        assert record.division


# validate_tree on any source's records


def test_validate_tree_accepts_a_small_valid_tree():
    assert validate_tree([make_record("a"), make_record("b", "a"), make_record("c", "b")]) == []


def test_validate_tree_finds_a_cycle():
    problems = validate_tree([make_record("root"), make_record("a", "b"), make_record("b", "a")])
    assert len(problems) == 1
    assert "cycle" in problems[0] and "'a'" in problems[0] and "'b'" in problems[0]


def test_validate_tree_finds_someone_managing_themselves():
    problems = validate_tree([make_record("root"), make_record("a", "a")])
    assert problems == ["cycle of 1: 'a' -> 'a'"]


def test_validate_tree_finds_a_manager_who_is_not_an_employee():
    problems = validate_tree([make_record("root"), make_record("a", "ghost")])
    assert problems == ["employee 'a' reports to 'ghost', who is not an employee"]


def test_validate_tree_finds_two_roots():
    problems = validate_tree([make_record("a"), make_record("b"), make_record("c", "a")])
    assert problems == ["2 roots, expected one: 'a', 'b'"]


def test_validate_tree_finds_duplicates_and_a_tree_with_no_root():
    problems = validate_tree([make_record("a", "b"), make_record("b", "a"), make_record("a", "b")])
    assert "employee 'a' appears more than once" in problems
    assert "no root: everyone has a manager" in problems


def test_validate_tree_catches_a_cycle_planted_in_a_generated_workforce(workforce):
    broken = list(workforce)
    ceo, first_report = broken[0], broken[1]
    broken[0] = dataclasses.replace(ceo, manager_source_id=first_report.source_id)
    problems = validate_tree(broken)
    assert "no root: everyone has a manager" in problems
    assert any(p.startswith("cycle of 2") for p in problems)


# Geography and languages


def test_the_workforce_spans_ten_countries_in_all_four_regions(workforce):
    assert len({r.country for r in workforce}) >= 10
    assert {r.region for r in workforce} == set(REGIONS)


def test_every_timezone_is_a_real_iana_zone():
    for country in COUNTRIES:
        for city in country.cities:
            ZoneInfo(city.timezone)


def test_people_carry_their_country_region_city_and_zone(workforce):
    by_code = {c.code: c for c in COUNTRIES}
    for record in workforce:
        country = by_code[record.country]
        assert record.region == country.region
        assert (record.location, record.timezone) in {(c.name, c.timezone) for c in country.cities}


def test_people_speak_their_preferred_language_and_often_english(workforce):
    assert all(r.preferred_language == r.languages[0] for r in workforce)
    assert all(len(set(r.languages)) == len(r.languages) for r in workforce)
    japanese = [r for r in workforce if r.country == "JP"]
    assert japanese and all(r.preferred_language == "ja" for r in japanese)
    with_english = sum(any(lang.startswith("en") for lang in r.languages) for r in workforce)
    assert with_english > len(workforce) * 0.6
    assert any(len(r.languages) >= 3 for r in workforce)


def test_work_emails_are_unique_ascii_first_last_n(workforce):
    emails = [r.work_email for r in workforce]
    assert len(set(emails)) == len(emails)
    for record in workforce:
        assert record.work_email.isascii()
        assert re.fullmatch(r"[a-z-]+\.[a-z-]+\.\d+@example-corp\.test", record.work_email)
        assert record.work_email.startswith(record.first_name.lower())


# Careers: dates, leavers, promotions


def test_some_people_have_left_and_nobody_active_reports_to_a_leaver(workforce):
    leavers = [r for r in workforce if r.employment_status == EmploymentStatus.TERMINATED]
    assert 0.05 < len(leavers) / len(workforce) < 0.15
    assert all(r.hire_date < r.termination_date < AS_OF for r in leavers)
    assert all(r.termination_date is None for r in workforce if r.active)
    left = {r.source_id for r in leavers}
    assert not any(r.manager_source_id in left for r in workforce if r.active)
    assert validate_tree([r for r in workforce if r.active]) == []


def test_dates_are_consistent_and_never_after_as_of(workforce):
    end_of_as_of = datetime.combine(AS_OF + timedelta(days=1), datetime.min.time(), UTC)
    for record in workforce:
        assert record.start_date == record.hire_date <= AS_OF
        assert record.hire_date.year - record.birth_year >= 18
        assert record.hire_date.weekday() < 5
        assert record.source_modified_at.tzinfo is not None
        assert record.source_modified_at < end_of_as_of


def test_a_later_as_of_moves_every_date_with_it():
    later = date(2030, 6, 30)
    records = generate_workforce(300, seed=4, as_of=later)
    assert max(r.hire_date for r in records) > AS_OF
    assert all(r.hire_date <= later for r in records)


def test_juniors_are_gen_z_and_new_executives_are_older_and_long_serving(workforce):
    associates = [r for r in workforce if r.job_level == 1]
    assert all(1997 <= r.birth_year <= 2005 for r in associates)
    juniors = [r for r in workforce if is_junior(r)]
    recent = sum((r.termination_date or AS_OF) - r.hire_date < timedelta(days=3 * 365) for r in juniors)
    assert recent > len(juniors) * 0.7
    executives = [r for r in workforce if is_executive(r)]
    assert all(r.birth_year <= 1986 for r in executives)
    assert all(AS_OF - r.hire_date > timedelta(days=4 * 365) for r in executives)


def test_promotions_are_recorded_between_hire_and_leaving(workforce):
    promoted = [r for r in workforce if "last_promotion_date" in r.custom_fields]
    assert len(workforce) * 0.1 < len(promoted) < len(workforce) * 0.6
    for record in promoted:
        when = date.fromisoformat(record.custom_fields["last_promotion_date"])
        assert record.hire_date < when <= (record.termination_date or AS_OF)
    assert not any("last_promotion_date" in r.custom_fields for r in workforce if r.job_level == 1)


# Topics: what juniors know and executives want to learn


def test_executives_want_to_learn_and_juniors_have_expertise(workforce):
    executives = [r for r in workforce if is_executive(r)]
    juniors = [r for r in workforce if r.job_level is not None and r.job_level <= JUNIOR_MAX_LEVEL]
    assert executives and all(r.learning_goals for r in executives)
    assert juniors and all(r.expertise for r in juniors)
    for record in workforce:
        assert set(record.expertise) <= set(TOPICS)
        assert set(record.learning_goals) <= set(TOPICS)
        assert not set(record.expertise) & set(record.learning_goals)


def test_executives_goals_vary(workforce):
    goals = Counter(tuple(r.learning_goals) for r in workforce if is_executive(r))
    assert len(goals) > 5


def test_expertise_follows_function_and_age():
    records = generate_workforce(8000, seed=9)

    def share(topic: str, function: str) -> float:
        group = [r for r in records if is_junior(r) and r.function == function]
        return sum(topic in r.expertise for r in group) / len(group)

    assert share("ai", "Engineering") > 1.5 * share("ai", "Marketing")
    assert share("social-media", "Marketing") > 1.5 * share("social-media", "Finance")
    assert share("inclusion", "Human Resources") > 2 * share("inclusion", "Engineering")
    older = [r for r in records if AS_OF.year - r.birth_year > 29]
    assert not any("gen-z-culture" in r.expertise for r in older)
