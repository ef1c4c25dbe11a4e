"""The programme set-up wizard: each step validates its fields into a draft kept in the session.

The same steps edit a programme after it was created: `draft_of` turns the stored programme back into a
draft, and `changed_data` hands the programme service only what the admin changed (an active programme's
pairing rules are frozen, so resending them unchanged must not count as changing them). A template fills a
new draft with a programme shape HR often starts from.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext, lazy_gettext

from ...domain.matching import CRITERIA, DEFAULT_WEIGHTS, FUNCTION_MIXES
from ...domain.matching.profile import MAX_FIREWALL_DEPTH
from ...domain.topics import from_catalogue
from ...errors import ValidationError
from ...models.programme import ENROLMENTS

STEPS = ("basics", "people", "weights", "rhythm", "review")
REQUIRED = ("basics", "people", "rhythm")  # the weights step may keep the defaults unvisited
STEP_LABELS = {
    "basics": lazy_gettext("Basics"),
    "people": lazy_gettext("People"),
    "weights": lazy_gettext("Matching weights"),
    "rhythm": lazy_gettext("Rhythm"),
    "review": lazy_gettext("Review"),
}
CRITERION_LABELS = {
    "language": lazy_gettext("A shared working language"),
    "communication": lazy_gettext("Similar ways of working"),
    "culture": lazy_gettext("Views from different countries"),
    "hours": lazy_gettext("Shared working hours"),
    "goals": lazy_gettext("The mentor knows what the executive wants to learn"),
    "cross_function": lazy_gettext("A view from another function"),
    "aspirations": lazy_gettext("The mentor hopes to grow towards the executive's field"),
    "personality": lazy_gettext("Personality fit (optional questionnaire)"),
}
MIX_LABELS = {
    "none": lazy_gettext("Any functions"),
    "at_least_one_other": lazy_gettext("At least one mentor from another function"),
    "exactly_one_own": lazy_gettext("Exactly one mentor from the executive's own function"),
}
ENROLMENT_LABELS = {
    "hr_assigned": lazy_gettext("HR assigns people: everyone eligible takes part unless they opt out"),
    "opt_in": lazy_gettext("People opt in: everyone eligible is invited and takes part once they say yes"),
}
MAX_WEIGHT = 5.0
MAX_LIST = 30  # functions, countries or regions in one eligibility list (the draft lives in the session cookie)
COUNTRY = re.compile(r"[A-Z]{2}")
KEY = "wizard"

# Shapes HR starts from; each fills the whole draft and can be changed step by step
TEMPLATES = {
    "pilot": {
        "label": lazy_gettext("A small pilot"),
        "hint": lazy_gettext("The top executives, one mentor each, for twelve weeks."),
        "values": {
            "name": "Pilot",
            "mentee_min_level": 9,
            "mentor_max_level": 2,
            "mentors_per_executive": 1,
            "distinct_countries": False,
            "function_mix": "none",
            "cadence_days": 14,
            "session_minutes": 45,
            "duration_weeks": 12,
            "min_sessions": 4,
            "final_reflection": True,
        },
    },
    "cross_cultural": {
        "label": lazy_gettext("A six-month cross-cultural programme"),
        "hint": lazy_gettext("Two mentors from two countries, views from other cultures weighed double."),
        "values": {
            "name": "Cross-cultural 26 weeks",
            "mentors_per_executive": 2,
            "distinct_countries": True,
            "duration_weeks": 26,
            "cadence_days": 14,
            "session_minutes": 45,
            "min_sessions": 10,
            "final_reflection": True,
            "weights": {**DEFAULT_WEIGHTS, "culture": 2.0, "language": 1.5},
        },
    },
    "panels_of_three": {
        "label": lazy_gettext("Panels of three"),
        "hint": lazy_gettext("Three mentors from three countries, at least one from another function."),
        "values": {
            "name": "Panels of three",
            "mentors_per_executive": 3,
            "distinct_countries": True,
            "function_mix": "at_least_one_other",
            "duration_weeks": 26,
            "cadence_days": 21,
            "session_minutes": 60,
            "min_sessions": 6,
            "final_reflection": True,
        },
    },
}


def _int(form, key: str, low: int, high: int, errors: dict) -> int | None:
    try:
        value = int(form.get(key, ""))
    except ValueError:
        errors[key] = gettext("Enter a whole number")
        return None
    if not low <= value <= high:
        errors[key] = gettext("Between %(low)s and %(high)s", low=low, high=high)
    return value


def _basics(form, errors: dict) -> dict:
    name = form.get("name", "").strip()
    if not 1 <= len(name) <= 200:
        errors["name"] = gettext("Give the programme a name (up to 200 characters)")
    picked = form.getlist("topics") if hasattr(form, "getlist") else [form.get("topics", "")]
    topics, unknown = from_catalogue(t for value in picked for t in value.split(","))  # ticks, or "ai, inclusion"
    if unknown:
        errors["topics"] = gettext(
            "Pick topics from the catalogue; not in it: %(topics)s", topics=", ".join(unknown)[:200]
        )
    return {"name": name, "objectives": form.get("objectives", "").strip(), "topics": topics}


def _list(form, key: str, errors: dict, *, countries: bool = False) -> list[str]:
    """A comma-separated list of functions, regions or (upper-cased, two-letter) country codes."""
    items = list(dict.fromkeys(t.strip() for t in form.get(key, "").split(",") if t.strip()))
    if countries:
        items = [t.upper() for t in items]
        if any(not COUNTRY.fullmatch(t) for t in items):
            errors[key] = gettext("Use two-letter country codes separated by commas, like DE, JP, BR")
    if len(items) > MAX_LIST or any(len(t) > 80 for t in items):
        errors[key] = gettext("At most %(num)s entries of up to 80 characters each", num=MAX_LIST)
    return items


def _people(form, errors: dict) -> dict:
    mentor_max = _int(form, "mentor_max_level", 1, 10, errors)
    mentee_min = _int(form, "mentee_min_level", 1, 10, errors)
    per_executive = _int(form, "mentors_per_executive", 1, 3, errors)
    if mentor_max is not None and mentee_min is not None and mentor_max >= mentee_min and not errors:
        errors["mentee_min_level"] = gettext("Executives must be senior to their mentors")
    tenure = None
    if form.get("mentor_max_tenure", "").strip():
        tenure = _int(form, "mentor_max_tenure", 1, 50, errors)
    mix = form.get("function_mix", "none")
    if mix not in FUNCTION_MIXES:
        errors["function_mix"] = gettext("Choose one of the function mixes offered")
    enrolment = form.get("enrolment", "hr_assigned")
    if enrolment not in ENROLMENTS:
        errors["enrolment"] = gettext("Choose whether HR assigns people or invites them to opt in")
    # a panel's mentors from as many countries as the panel has places (on by default; the page ticks it)
    distinct = form.get("distinct_countries") == "on" and (per_executive or 1) >= 2
    return {
        "mentor_max_level": mentor_max,
        "mentee_min_level": mentee_min,
        "mentor_max_tenure": tenure,
        "mentor_functions": _list(form, "mentor_functions", errors),
        "mentor_countries": _list(form, "mentor_countries", errors, countries=True),
        "mentor_regions": _list(form, "mentor_regions", errors),
        "mentee_functions": _list(form, "mentee_functions", errors),
        "mentee_countries": _list(form, "mentee_countries", errors, countries=True),
        "mentee_regions": _list(form, "mentee_regions", errors),
        "mentors_per_executive": per_executive,
        "distinct_countries": distinct,
        "function_mix": mix if mix in FUNCTION_MIXES else "none",
        "enrolment": enrolment if enrolment in ENROLMENTS else "hr_assigned",
        "firewall_depth": _firewall(form, errors),
    }


def _firewall(form, errors: dict) -> int | None:
    """None keeps each executive's whole reporting chain out; a number, only that many levels below them."""
    choice = form.get("firewall", "chain")
    if choice == "chain":
        return None
    if choice != "levels":
        errors["firewall"] = gettext("Choose the whole chain or a number of levels")
        return None
    return _int(form, "firewall_depth", 1, MAX_FIREWALL_DEPTH, errors)


def read_weights(form, errors: dict) -> dict:
    """Each criterion's weight, 0 to 5 (decimals allowed), not all zero."""
    weights = {}
    for criterion in CRITERIA:
        raw = str(form.get(f"weight_{criterion}", DEFAULT_WEIGHTS[criterion])).strip().replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not 0 <= value <= MAX_WEIGHT or value != value:  # NaN is not between anything
            errors[f"weight_{criterion}"] = gettext("A weight from 0 to %(max)s", max=int(MAX_WEIGHT))
            continue
        weights[criterion] = round(value, 2)
    if len(weights) == len(CRITERIA) and not any(weights.values()):
        errors["weights"] = gettext("Give at least one criterion a weight above 0")
    return {"weights": weights}


def _rhythm(form, errors: dict) -> dict:
    values = {
        "cadence_days": _int(form, "cadence_days", 1, 90, errors),
        "session_minutes": _int(form, "session_minutes", 10, 240, errors),
        "duration_weeks": _int(form, "duration_weeks", 1, 104, errors),
        # older forms and scripts send no completion fields: they keep the standard rule
        "max_extensions": _int(form, "max_extensions", 0, 5, errors) if "max_extensions" in form else 1,
        "min_sessions": _int(form, "min_sessions", 1, 52, errors) if "min_sessions" in form else 6,
        "final_reflection": form.get("final_reflection") == "on" if "min_sessions" in form else True,
        "starts_on": None,
    }
    if form.get("starts_on"):
        try:
            values["starts_on"] = date.fromisoformat(form["starts_on"]).isoformat()
        except ValueError:
            errors["starts_on"] = gettext("Use a date like %(example)s", example="2027-01-15")
    return values


READERS = {"basics": _basics, "people": _people, "weights": read_weights, "rhythm": _rhythm}


def save_step(session, step: str, form, key: str = KEY) -> str:
    """Validate one step into the draft; returns the next step, or 'done' after the review."""
    if step == "review":
        missing = [s for s in REQUIRED if s not in session.get(key, {}).get("steps", [])]
        if missing:
            raise ValidationError(
                gettext("Some steps are not filled in yet"),
                errors={
                    "form": gettext(
                        "Some steps are not filled in yet: %(steps)s",
                        steps=", ".join(str(STEP_LABELS[s]) for s in missing),
                    )
                },
            )
        return "done"
    errors: dict = {}
    values = READERS[step](form, errors)
    if errors:
        raise ValidationError(gettext("Please correct the highlighted fields"), errors=errors)
    draft = dict(session.get(key, {}))
    draft.update(values)
    draft["steps"] = sorted(set(draft.get("steps", [])) | {step})
    session[key] = draft
    return STEPS[STEPS.index(step) + 1]


def start_from_template(session, name: str) -> bool:
    """Begin a new draft from a template; False when there is no such template."""
    template = TEMPLATES.get(name)
    if template is None:
        return False
    session[KEY] = {**template["values"], "template": name, "steps": []}
    return True


def _rules(draft: dict, role: str, stored: dict | None) -> dict:
    if role == "mentor":
        conditions = [{"field": "job_level", "op": "<=", "value": draft["mentor_max_level"]}]
        if draft.get("mentor_max_tenure"):
            conditions.append({"field": "tenure_years", "op": "<", "value": draft["mentor_max_tenure"]})
    else:
        conditions = [{"field": "job_level", "op": ">=", "value": draft["mentee_min_level"]}]
    for field, key in (("function", "functions"), ("country", "countries"), ("region", "regions")):
        if draft.get(f"{role}_{key}"):
            conditions.append({"field": field, "op": "in", "value": list(draft[f"{role}_{key}"])})
    # what this form does not show (other conditions, people named one by one) is kept as the programme has it;
    # it stays out of the draft, which lives in the session cookie
    extra = _extras(stored or {}, role)
    rules = {"all": conditions + extra["all"]}
    if extra["employee_ids"]:
        rules["employee_ids"] = extra["employee_ids"]
    return rules


def draft_data(session, key: str = KEY, programme=None) -> dict:
    """The finished draft as the programme service's input (for an edit, with what the form does not show
    of the programme's eligibility rules kept)."""
    draft = session.get(key, {})
    return {
        "name": draft["name"],
        "objectives": draft.get("objectives", ""),
        "topics": draft.get("topics", []),
        "mentor_rules": _rules(draft, "mentor", programme.mentor_rules if programme is not None else None),
        "mentee_rules": _rules(draft, "mentee", programme.mentee_rules if programme is not None else None),
        "mentors_per_executive": draft["mentors_per_executive"],
        "firewall_depth": draft.get("firewall_depth"),
        "distinct_countries": bool(draft.get("distinct_countries")),
        "function_mix": draft.get("function_mix") or "none",
        "enrolment": draft.get("enrolment") or "hr_assigned",
        "weights": dict(draft.get("weights") or DEFAULT_WEIGHTS),
        "cadence_days": draft["cadence_days"],
        "session_minutes": draft["session_minutes"],
        "duration_weeks": draft["duration_weeks"],
        "max_extensions": draft.get("max_extensions", 1),
        "starts_on": date.fromisoformat(draft["starts_on"]) if draft.get("starts_on") else None,
    }


def completion_of(session, key: str = KEY) -> tuple[int, bool]:
    """The draft's completion rule: confirmed sessions, and whether both give a final reflection."""
    draft = session.get(key, {})
    return int(draft.get("min_sessions") or 6), bool(draft.get("final_reflection", True))


def draft_of(programme, rule) -> dict:
    """A stored programme (and its completion rule) as a draft every step has already filled."""
    draft = {
        "name": programme.name,
        "objectives": programme.objectives or "",
        "topics": from_catalogue(programme.topics)[0],
        "mentors_per_executive": programme.mentors_per_executive,
        "distinct_countries": bool(programme.distinct_countries),
        "function_mix": programme.function_mix or "none",
        "enrolment": programme.enrolment or "hr_assigned",
        "firewall_depth": programme.firewall_depth,
        "weights": {**DEFAULT_WEIGHTS, **(programme.weights or {})},
        "cadence_days": programme.cadence_days,
        "session_minutes": programme.session_minutes,
        "duration_weeks": programme.duration_weeks,
        "max_extensions": programme.max_extensions,
        "min_sessions": rule.min_sessions,
        "final_reflection": bool(rule.final_reflection),
        "starts_on": programme.starts_on.isoformat() if programme.starts_on else None,
        "steps": list(STEPS[:-1]),
    }
    for role, stored in (("mentor", programme.mentor_rules or {}), ("mentee", programme.mentee_rules or {})):
        draft.update(_fields_of(role, stored))
    return draft


LIST_FIELDS = {"function": "functions", "country": "countries", "region": "regions"}


def _shown(role: str, cond: dict) -> bool:
    """Whether the form shows this condition (else it is kept aside, unchanged)."""
    field, op, value = cond.get("field"), cond.get("op"), cond.get("value")
    if field == "job_level":
        return op == ("<=" if role == "mentor" else ">=") and isinstance(value, int)
    if field == "tenure_years":
        return role == "mentor" and op == "<" and isinstance(value, int)
    return field in LIST_FIELDS and op == "in" and isinstance(value, list)


def _fields_of(role: str, rules: dict) -> dict:
    """The eligibility fields this form shows, read back from stored rules."""
    level_key = "mentor_max_level" if role == "mentor" else "mentee_min_level"
    fields: dict = {level_key: 2 if role == "mentor" else 7}
    for cond in rules.get("all", []):
        if not _shown(role, cond):
            continue
        if cond["field"] == "job_level":
            fields[level_key] = cond["value"]
        elif cond["field"] == "tenure_years":
            fields["mentor_max_tenure"] = cond["value"]
        else:
            fields[f"{role}_{LIST_FIELDS[cond['field']]}"] = list(cond["value"])
    return fields


def _extras(rules: dict, role: str) -> dict:
    """What the form does not show of a role's stored rules: other conditions, and people named by id."""
    return {
        "all": [c for c in rules.get("all", []) if not _shown(role, c)],
        "employee_ids": list(rules.get("employee_ids", [])),
    }


def changed_data(programme, data: dict) -> dict:
    """Only the settings that differ from the stored programme's."""
    return {key: value for key, value in data.items() if getattr(programme, key) != value}
