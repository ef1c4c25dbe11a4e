"""Programmes: the list, the set-up wizard, one programme's overview, participants with filters and CSV."""
from __future__ import annotations

from flask import Response, current_app, redirect, render_template, request, session

from ...domain.spreadsheet import csv_text
from ...errors import IntegrationError, ValidationError
from ...models import Programme
from ...services import lms_courses, pair_health, profiles, programmes
from .. import access
from ..security import MAX_CSV_BYTES
from . import bp, tenant
from .wizard import STEPS, draft_data, save_step


@bp.get("/programmes/")
def programme_list():
    seen = access.current()
    rows = sorted((p for p in tenant().all(Programme) if seen.may_see_programme(p.id)), key=lambda p: p.id,
                  reverse=True)
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
    return render_template("admin/wizard.html", step=step, steps=STEPS, draft=session.get("wizard", {}),
                           errors=errors, picker=picker), 400 if errors else 200


def _chosen_course() -> dict:
    """The LMS course the form picked, checked against the LMS's list; {} when none was picked."""
    choice = lms_courses.picked(request.form)
    if choice is None:
        return {}
    app = current_app
    try:
        course = lms_courses.verified_course(tenant(), app.config["FLIPSIDE"], app.extensions["flipside.vault"],
                                             *choice)
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
            courses = lms_courses.course_list(tenant(), app.config["FLIPSIDE"], app.extensions["flipside.vault"],
                                              chosen.id)
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
            programmes.update_programme(tenant(), programme.id, course or {"lms_connection_id": None,
                                                                          "lms_course_id": None}, actor="admin")
        except ValidationError as exc:
            errors = exc.errors or {"form": exc.message}
        else:
            return redirect(f"/admin/programmes/{programme.id}/", code=303)
    wanted = request.values.get("lms_connection_id") or (str(programme.lms_connection_id or ""))
    return render_template("admin/programme_course.html", programme=programme, picker=_picker(wanted),
                           errors=errors), 400 if errors else 200


@bp.get("/programmes/<int:programme_id>/")
def programme_view(programme_id: int):
    programme = tenant().get(Programme, programme_id)
    counts = {role: len(programmes.participants(tenant(), programme.id, role)) for role in ("mentor", "mentee")}
    health = pair_health.programme_health(tenant(), programme.id)
    at_risk = sum(1 for row in health if row.health.at_risk)
    return render_template("admin/programme.html", programme=programme, counts=counts, pairs=len(health),
                           at_risk=at_risk)


@bp.post("/programmes/<int:programme_id>/status")
def programme_status(programme_id: int):
    programmes.transition(tenant(), programme_id, request.form.get("status", ""), actor="admin")
    return redirect(f"/admin/programmes/{programme_id}/", code=303)


@bp.post("/programmes/<int:programme_id>/enrol")
def enrol(programme_id: int):
    programmes.enrol_eligible(tenant(), programme_id)
    return redirect(f"/admin/programmes/{programme_id}/participants", code=303)


def _filtered(programme_id: int) -> list:
    role = request.args.get("role") or None
    country = (request.args.get("country") or "").upper()
    text = (request.args.get("q") or "").lower()
    rows = programmes.participants(tenant(), programme_id, role if role in ("mentor", "mentee") else None)
    return [(p, e) for p, e in rows if (not country or e.country == country)
            and (not text or text in f"{e.display_name or ''} {e.department or ''} {e.work_email or ''}".lower())]


@bp.get("/programmes/<int:programme_id>/participants")
def participants(programme_id: int):
    programme = tenant().get(Programme, programme_id)
    return render_template("admin/participants.html", programme=programme, rows=_filtered(programme.id),
                           args=request.args, report=None)


@bp.get("/programmes/<int:programme_id>/participants.csv")
def participants_csv(programme_id: int):
    programme = tenant().get(Programme, programme_id)
    rows = ([employee.id, employee.display_name or "", employee.work_email or "", participant.role,
             employee.department or "", employee.job_level or "", employee.country or ""]
            for participant, employee in _filtered(programme.id))
    text = csv_text(["employee_id", "name", "email", "role", "department", "job_level", "country"], rows)
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=participants-{programme.id}.csv"})


@bp.post("/programmes/<int:programme_id>/participants/import")
def participants_import(programme_id: int):
    """Import profiles from an uploaded CSV; bad rows are listed by line, good rows kept."""
    programme = tenant().get(Programme, programme_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError("Choose a CSV file to import", errors={"file": "missing"})
    data = upload.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise ValidationError("The CSV is larger than 5 MB", status=413)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError("The CSV must be UTF-8 encoded") from exc
    report = profiles.import_csv(tenant(), text)
    return render_template("admin/participants.html", programme=programme, rows=_filtered(programme.id),
                           args={}, report=report)
