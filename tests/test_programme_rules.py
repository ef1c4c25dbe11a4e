"""Programme rules: lifecycle steps, eligibility, and regional framing."""

from datetime import date

import pytest

from plugin.domain.framing import framing_for
from plugin.domain.programme import Person, RuleError, check_transition, eligible, validate_rules

TODAY = date(2026, 11, 1)


def person(**kw):
    base = dict(
        employee_id=1,
        job_level=2,
        hire_date=date(2025, 1, 1),
        birth_year=2000,
        function="Marketing",
        country="BR",
        region="Americas",
        department="Marketing - Brand",
    )
    base.update(kw)
    return Person(**base)


def test_lifecycle_allows_only_forward_steps_and_back_to_draft_from_matching():
    check_transition("draft", "matching")
    check_transition("matching", "draft")
    check_transition("matching", "active")
    with pytest.raises(RuleError, match="cannot become active"):
        check_transition("draft", "active")
    with pytest.raises(RuleError, match="finished"):
        check_transition("completed", "active")


def test_junior_rule_tenure_under_three_years_and_level_at_most_three():
    rules = {"all": [{"field": "tenure_years", "op": "<", "value": 3}, {"field": "job_level", "op": "<=", "value": 3}]}
    assert eligible(person(), rules, TODAY)
    assert not eligible(person(hire_date=date(2020, 1, 1)), rules, TODAY)
    assert not eligible(person(job_level=5), rules, TODAY)
    assert not eligible(person(hire_date=None), rules, TODAY), "an unknown value never qualifies"


def test_named_executives_qualify_whatever_their_fields():
    rules = {"all": [{"field": "job_level", "op": ">=", "value": 8}], "employee_ids": [42]}
    assert eligible(person(employee_id=42, job_level=1), rules, TODAY)
    assert not eligible(person(employee_id=43, job_level=7), rules, TODAY)


def test_empty_rules_admit_nobody():
    assert not eligible(person(), {}, TODAY)


def test_rule_validation_names_each_problem():
    problems = validate_rules(
        {
            "all": [
                {"field": "salary", "op": "<", "value": 1},
                {"field": "age", "op": "~"},
            ],
            "employee_ids": ["x"],
        }
    )
    assert len(problems) == 4
    assert any("salary" not in p and "field must be" in p for p in problems)


@pytest.mark.parametrize(
    "country, relationship",
    [
        ("JP", "knowledge exchange partnership"),
        ("BR", "insight circle"),
        ("DE", "specialist consultation"),
        ("AE", "strategic advisory panel"),
        ("SE", "two-way mentoring"),
        (None, "reverse mentoring"),
    ],
)
def test_regional_framing_defaults(country, relationship):
    assert framing_for(country).relationship == relationship


def test_admin_can_override_a_regions_framing():
    assert framing_for("JP", {"JP": {"relationship": "mutual learning"}}).relationship == "mutual learning"
    assert framing_for("JP", {"JP": {"relationship": "mutual learning"}}).mentor == "knowledge partner"
    assert framing_for("AT", {"dach": {"mentee": "Vorstand"}}).mentee == "Vorstand"
    assert framing_for("AT", {"dach": {"mentee": "Vorstand"}}).written == {"mentee"}
