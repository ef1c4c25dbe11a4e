"""The learner's own profile (asked at first launch) and leaving the programme (`/me/profile`)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..db import db
from ..domain import personality
from ..errors import ValidationError
from ..models import Employee
from ..services import learner, profiles
from .learner import current_user, tenant_of

bp = Blueprint("learner_profile", __name__)
FIELDS = (
    "languages",
    "sync_style",
    "formality",
    "medium",
    "expertise",
    "learning_goals",
    "aspirations",
    "timezone",
    "work_start_hour",
    "work_end_hour",
)


@bp.get("/me/profile")
def profile():
    user = current_user()
    tenant = tenant_of(user)
    row = profiles.profile_for(tenant, tenant.get(Employee, user["employee_id"]))
    db.session.commit()
    return render_template(
        "learner/profile.html", profile=row, styles=profiles.STYLES, first=request.args.get("first") == "1"
    )


@bp.post("/me/profile")
def save_profile():
    user = current_user()
    tenant = tenant_of(user)
    form = {k: request.form.get(k, "") for k in FIELDS}
    form["languages"] = form["languages"].replace(",", ";")
    try:
        values = profiles.parse_row(form)
    except profiles.RowError as exc:
        flash(refusal(exc))
        return redirect(url_for("learner_profile.profile"), code=303)
    row = profiles.profile_for(tenant, tenant.get(Employee, user["employee_id"]))
    for key, value in values.items():
        setattr(row, key, value)
    row.source = "self"
    db.session.commit()
    flash(_("Your profile is saved."))
    return redirect(url_for("learner.pairs"), code=303)


def refusal(exc: profiles.RowError) -> str:
    """The refused profile field worded in the page's language (the service's message is for CSV reports)."""
    fields = exc.errors or {}
    if "languages" in fields:
        return _("Give each language with a fluency from 1 to 5, like en:5; ja:3")
    if "timezone" in fields:
        return _("Give the time zone by its IANA name, like Europe/Berlin or Asia/Tokyo")
    if fields.get("work_end_hour") == "order":
        return _("The working day must start before it ends")
    if "work_start_hour" in fields or "work_end_hour" in fields:
        return _("Give the working hours as whole hours from 0 to 24")
    if any(key in fields for key in profiles.STYLES):
        return _("Choose one of the options offered")
    return _("This was not saved; nothing was changed.")


@bp.post("/me/opt-out")
def opt_out():
    user = current_user()
    if request.form.get("confirm") != "1":
        raise ValidationError("Tick the box to confirm that you want to leave")
    learner.leave(tenant_of(user), user["employee_id"])
    db.session.commit()
    flash(_("You have left the programme."))
    return redirect(url_for("learner_profile.profile"), code=303)


@bp.get("/me/profile/personality")
def personality_page():
    """The optional Mini-IPIP: twenty statements, each on the published five-point scale."""
    user = current_user()
    tenant = tenant_of(user)
    row = profiles.profile_for(tenant, tenant.get(Employee, user["employee_id"]))
    db.session.commit()
    return _questionnaire(row.personality or [], set())


SCALE_ANSWERS = {str(v) for v in range(personality.LOWEST, personality.HIGHEST + 1)}


def _questionnaire(answers: list, missing: set[int]) -> str:
    return render_template(
        "learner/personality.html", items=personality.ITEMS, scale=personality.SCALE, answers=answers, missing=missing
    )


@bp.post("/me/profile/personality")
def save_personality():
    """All twenty answers or none: a partial questionnaire is shown again with the gaps marked."""
    user = current_user()
    tenant = tenant_of(user)
    given = [request.form.get(f"item{item.number}", "") for item in personality.ITEMS]
    answers = [int(v) if v in SCALE_ANSWERS else None for v in given]
    missing = {item.number for item, value in zip(personality.ITEMS, answers, strict=True) if value is None}
    if missing:
        db.session.rollback()
        return _questionnaire(answers, missing), 400
    profiles.save_personality(tenant, tenant.get(Employee, user["employee_id"]), answers)
    db.session.commit()
    flash(_("Your answers are saved. They are used only to suggest partners, never shown to anyone."))
    return redirect(url_for("learner_profile.profile"), code=303)


@bp.post("/me/profile/personality/forget")
def forget_personality():
    user = current_user()
    tenant = tenant_of(user)
    profiles.forget_personality(tenant, tenant.get(Employee, user["employee_id"]))
    db.session.commit()
    flash(_("Your answers to the questionnaire are deleted."))
    return redirect(url_for("learner_profile.profile"), code=303)
