"""The programme set-up wizard: each step validates its fields into a draft kept in the session."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext, lazy_gettext

from ...domain.matching.profile import MAX_FIREWALL_DEPTH
from ...errors import ValidationError

STEPS = ("basics", "people", "rhythm", "review")
STEP_LABELS = {
    "basics": lazy_gettext("Basics"),
    "people": lazy_gettext("People"),
    "rhythm": lazy_gettext("Rhythm"),
    "review": lazy_gettext("Review"),
}
KEY = "wizard"


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
    topics = [t.strip() for t in form.get("topics", "").split(",") if t.strip()]
    if any(len(t) > 60 for t in topics):
        errors["topics"] = gettext("Each topic is at most 60 characters")
    return {"name": name, "objectives": form.get("objectives", "").strip(), "topics": topics}


def _people(form, errors: dict) -> dict:
    mentor_max = _int(form, "mentor_max_level", 1, 10, errors)
    mentee_min = _int(form, "mentee_min_level", 1, 10, errors)
    per_executive = _int(form, "mentors_per_executive", 1, 3, errors)
    if mentor_max is not None and mentee_min is not None and mentor_max >= mentee_min and not errors:
        errors["mentee_min_level"] = gettext("Executives must be senior to their mentors")
    # a panel's mentors from as many countries as the panel has places (on by default; the page ticks it)
    distinct = form.get("distinct_countries") == "on" and (per_executive or 1) >= 2
    return {
        "mentor_max_level": mentor_max,
        "mentee_min_level": mentee_min,
        "mentors_per_executive": per_executive,
        "distinct_countries": distinct,
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


def _rhythm(form, errors: dict) -> dict:
    values = {
        "cadence_days": _int(form, "cadence_days", 1, 90, errors),
        "session_minutes": _int(form, "session_minutes", 10, 240, errors),
        "duration_weeks": _int(form, "duration_weeks", 1, 104, errors),
        "starts_on": None,
    }
    if form.get("starts_on"):
        try:
            values["starts_on"] = date.fromisoformat(form["starts_on"]).isoformat()
        except ValueError:
            errors["starts_on"] = gettext("Use a date like %(example)s", example="2027-01-15")
    return values


READERS = {"basics": _basics, "people": _people, "rhythm": _rhythm}


def save_step(session, step: str, form) -> str:
    """Validate one step into the draft; returns the next step, or 'done' after the review."""
    if step == "review":
        missing = [s for s in STEPS[:-1] if s not in session.get(KEY, {}).get("steps", [])]
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
    draft = dict(session.get(KEY, {}))
    draft.update(values)
    draft["steps"] = sorted(set(draft.get("steps", [])) | {step})
    session[KEY] = draft
    return STEPS[STEPS.index(step) + 1]


def draft_data(session) -> dict:
    """The finished draft as the programme service's input."""
    draft = session.get(KEY, {})
    return {
        "name": draft["name"],
        "objectives": draft["objectives"],
        "topics": draft["topics"],
        "mentor_rules": {"all": [{"field": "job_level", "op": "<=", "value": draft["mentor_max_level"]}]},
        "mentee_rules": {"all": [{"field": "job_level", "op": ">=", "value": draft["mentee_min_level"]}]},
        "mentors_per_executive": draft["mentors_per_executive"],
        "firewall_depth": draft.get("firewall_depth"),
        "distinct_countries": bool(draft.get("distinct_countries")),
        "cadence_days": draft["cadence_days"],
        "session_minutes": draft["session_minutes"],
        "duration_weeks": draft["duration_weeks"],
        "starts_on": date.fromisoformat(draft["starts_on"]) if draft.get("starts_on") else None,
    }
