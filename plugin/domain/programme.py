"""Programme rules: lifecycle and who may take part (regional wording: plugin/domain/framing.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from ..errors import RuleError

TRANSITIONS = {
    "draft": ("matching",),
    "matching": ("draft", "active"),
    "active": ("completed",),
    "completed": (),
}
OPERATORS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
}
RULE_FIELDS = ("job_level", "tenure_years", "age", "function", "country", "region", "department")
NUMERIC_FIELDS = ("job_level", "tenure_years", "age")
TEXT_FIELDS = tuple(f for f in RULE_FIELDS if f not in NUMERIC_FIELDS)
LIST_OPERATORS = ("in", "not in")
SCALAR_OPERATORS = tuple(op for op in OPERATORS if op not in LIST_OPERATORS)


def check_transition(current: str, target: str) -> None:
    """Raise RuleError unless a programme may move from `current` to `target`."""
    if target not in TRANSITIONS.get(current, ()):
        allowed = ", ".join(TRANSITIONS.get(current, ())) or "nothing (it is finished)"
        raise RuleError(f"A {current} programme cannot become {target}; it can become {allowed}")


@dataclass(frozen=True)
class Person:
    """The facts eligibility rules read about one employee."""

    employee_id: int
    job_level: int | None
    hire_date: date | None
    birth_year: int | None
    function: str | None
    country: str | None
    region: str | None
    department: str | None

    def value(self, field: str, today: date):
        if field == "tenure_years":
            return None if self.hire_date is None else (today - self.hire_date).days / 365.25
        if field == "age":
            return None if self.birth_year is None else today.year - self.birth_year
        return getattr(self, field)


def validate_rules(rules: dict) -> list[str]:
    """Problems with an eligibility rule set (empty when it is usable)."""
    problems = []
    for i, cond in enumerate(rules.get("all", [])):
        if cond.get("field") not in RULE_FIELDS:
            problems.append(f"condition {i + 1}: field must be one of {', '.join(RULE_FIELDS)}")
        if cond.get("op") not in OPERATORS:
            problems.append(f"condition {i + 1}: op must be one of {', '.join(OPERATORS)}")
        if "value" not in cond:
            problems.append(f"condition {i + 1}: a value is required")
        elif cond.get("field") in RULE_FIELDS and cond.get("op") in OPERATORS and not value_fits(cond):
            kind = "a number" if cond["field"] in NUMERIC_FIELDS else "text"
            many = " list" if cond["op"] in LIST_OPERATORS else ""
            problems.append(f"condition {i + 1}: {cond['field']} {cond['op']} needs {kind}{many}")
    if not all(isinstance(x, int) for x in rules.get("employee_ids", [])):
        problems.append("employee_ids must be a list of employee ids")
    return problems


def value_fits(cond: dict) -> bool:
    """Whether the value can be compared with the field (a stored misfit would fail every later match)."""
    kind = (int, float) if cond["field"] in NUMERIC_FIELDS else str
    values = cond["value"] if cond["op"] in LIST_OPERATORS else [cond["value"]]
    return isinstance(values, list) and all(
        isinstance(v, kind) and not isinstance(v, bool) and (not isinstance(v, float) or math.isfinite(v))
        for v in values
    )


def eligible(person: Person, rules: dict, today: date) -> bool:
    """True when the person is named in the rules, or meets every condition (an unknown value fails)."""
    if person.employee_id in rules.get("employee_ids", []):
        return True
    conditions = rules.get("all", [])
    if not conditions:
        return False
    for cond in conditions:
        actual = person.value(cond["field"], today)
        if actual is None or not OPERATORS[cond["op"]](actual, cond["value"]):
            return False
    return True
