"""Programmes: the list, the set-up wizard, one programme's overview (participants are in participants.py)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session
from flask_babel import gettext as _

from ...errors import IntegrationError, ValidationError
from ...models import Programme
from ...services import cohorts, lms_courses, pair_health, programmes
from .. import access
from . import bp, tenant
from .wizard import STEP_LABELS, STEPS, draft_data, save_step


@bp.get("/programmes/")
def programme_list():
    seen = access.current()
    rows = sorted(
        (p for p in tenant().all(Programme) if seen.may_see_programme(p.id)), key=lambda p: p.id, reverse=True
    )
    return render_template("admin/programmes.html", programmes=rows)


@bp.route("/programmes/new", methods=["GET", "POST"])
def wizard():
    """Set up a programme in steps; nothing is stored until the last one."""
    step = request.args.get("step", STEPS[0])
    if step not in STEPS:
        step = STEPS[0]
    errors = {}
    if request.method == "POST":
        current = step
        try:
            step = save_step(session, step, request.form)
            course = _chosen_course() if step == "done" else {}
        except ValidationError as exc:
            step, errors = current, exc.errors or {"form": exc.message}
        else:
            if step == "done":
                programme = programmes.create_programme(tenant(), {**draft_data(session), **course}, actor="admin")
                session.pop("wizard", None)
                return redirect(f"/admin/programmes/{programme.id}/", code=303)
            return redirect(f"/admin/programmes/new?step={step}", code=303)
    picker = _picker(request.values.get("lms_connection_id")) if step == "review" else None
    return render_template(
        "admin/wizard.html",
        step=step,
        steps=STEPS,
        step_labels=STEP_LABELS,
        draft=session.get("wizard", {}),
        errors=errors,
        picker=picker,
    ), 400 if errors else 200


def _chosen_course() -> dict:
    """The LMS course the form picked, checked against the LMS's list; {} when none was picked."""
    choice = lms_courses.picked(request.form)
    if choice is None:
        return {}
    app = current_app
    try:
        course = lms_courses.verified_course(
            tenant(), app.config["FLIPSIDE"], app.extensions["flipside.vault"], *choice
        )
    except IntegrationError as err:
        raise ValidationError(err.message, errors={"lms_course_id": err.message}) from err
    return {"lms_connection_id": choice[0], "lms_course_id": course.id}


def _picker(raw_connection: str | None) -> dict:
    """The LMS connections, the chosen one (the only one, or the one asked for) and its live course list."""
    found = lms_courses.lms_connections(tenant())
    chosen = next((c for c in found if str(c.id) == (raw_connection or "")), found[0] if len(found) == 1 else None)
    courses, error = [], ""
    if chosen is not None:
        app = current_app
        try:
            courses = lms_courses.course_list(
                tenant(), app.config["FLIPSIDE"], app.extensions["flipside.vault"], chosen.id
            )
        except IntegrationError as err:
            error = err.message
    return {"connections": found, "chosen": chosen, "courses": courses, "error": error}


@bp.route("/programmes/<int:programme_id>/course", methods=["GET", "POST"])
def programme_course(programme_id: int):
    """Pick (or change) the programme's LMS course from the LMS's own list."""
    programme = tenant().get(Programme, programme_id)
    errors = {}
    if request.method == "POST":
        try:
            course = _chosen_course()
            programmes.update_programme(
                tenant(), programme.id, course or {"lms_connection_id": None, "lms_course_id": None}, actor="admin"
            )
        except ValidationError as exc:
            errors = exc.errors or {"form": exc.message}
        else:
            return redirect(f"/admin/programmes/{programme.id}/", code=303)
    wanted = request.values.get("lms_connection_id") or (str(programme.lms_connection_id or ""))
    return render_template(
        "admin/programme_course.html", programme=programme, picker=_picker(wanted), errors=errors
    ), 400 if errors else 200


@bp.get("/programmes/<int:programme_id>/")
def programme_view(programme_id: int):
    programme = tenant().get(Programme, programme_id)
    counts = {role: len(programmes.participants(tenant(), programme.id, role)) for role in ("mentor", "mentee")}
    health = pair_health.programme_assessment(tenant(), programme.id)
    at_risk = sum(1 for h in health if h.at_risk)
    return render_template(
        "admin/programme.html", programme=programme, counts=counts, pairs=len(health), at_risk=at_risk
    )


@bp.post("/programmes/<int:programme_id>/status")
def programme_status(programme_id: int):
    target = request.form.get("status", "")
    if target == "completed":
        closing = cohorts.close_programme(tenant(), programme_id, actor="admin")
        flash(
            _(
                "Programme closed: %(completed)s pairs completed, %(ended)s ended; %(alumni)s alumni.",
                completed=len(closing.completed),
                ended=len(closing.ended),
                alumni=closing.alumni,
            )
        )
    else:
        programmes.transition(tenant(), programme_id, target, actor="admin")
    return redirect(f"/admin/programmes/{programme_id}/", code=303)


@bp.post("/programmes/<int:programme_id>/next")
def next_cohort(programme_id: int):
    successor = cohorts.next_cohort(tenant(), programme_id, request.form.get("name", ""), actor="admin")
    return redirect(f"/admin/programmes/{successor.id}/", code=303)


@bp.post("/programmes/<int:programme_id>/enrol")
def enrol(programme_id: int):
    programmes.enrol_eligible(tenant(), programme_id)
    return redirect(f"/admin/programmes/{programme_id}/participants", code=303)
