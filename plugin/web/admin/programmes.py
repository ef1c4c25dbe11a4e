"""Programmes: the list, the set-up wizard, one programme's overview (participants are in participants.py)."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, session
from flask_babel import gettext as _

from ...domain.framing import DEFAULT as DEFAULT_FRAMING
from ...domain.framing import FRAMINGS, framing_for
from ...domain.matching import CRITERIA, DEFAULT_WEIGHTS
from ...domain.roles import HR_ADMIN
from ...domain.topics import TOPICS
from ...errors import Conflict, IntegrationError, NotFound, ValidationError
from ...models import Programme
from ...services import (
    chat_channels,
    cohorts,
    completion,
    framing,
    lms_courses,
    matching,
    opt_in,
    pair_health,
    programmes,
)
from .. import access
from . import bp, tenant
from .wizard import (
    CRITERION_LABELS,
    ENROLMENT_LABELS,
    KEY,
    MIX_LABELS,
    STEP_LABELS,
    STEPS,
    TEMPLATES,
    changed_data,
    completion_of,
    draft_data,
    draft_of,
    read_weights,
    save_step,
    start_from_template,
)


@bp.get("/programmes/")
def programme_list():
    seen = access.current()
    rows = sorted(
        (p for p in tenant().all(Programme) if seen.may_see_programme(p.id)), key=lambda p: p.id, reverse=True
    )
    return render_template("admin/programmes.html", programmes=rows)


@bp.route("/programmes/new", methods=["GET", "POST"])
def wizard():
    """Set up a programme in steps; nothing is stored until the last one. `?template=` starts a new draft."""
    template = request.args.get("template")
    if template is not None and request.method == "GET":
        if not start_from_template(session, template):
            raise NotFound(_("There is no such programme template."))
        return redirect("/admin/programmes/new?step=basics", code=303)
    return _steps(KEY, "/admin/programmes/new", None)


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
def programme_edit(programme_id: int):
    """The same steps for a stored programme: the draft starts as the programme and replaces it at the end."""
    programme = tenant().get(Programme, programme_id)
    key = f"{KEY}:{programme.id}"
    if key not in session or (request.method == "GET" and "step" not in request.args):
        session[key] = draft_of(programme, completion.rule_for(tenant(), programme.id))
    return _steps(key, f"/admin/programmes/{programme.id}/edit", programme)


def _steps(key: str, base: str, programme: Programme | None):
    step = request.args.get("step", STEPS[0])
    if step not in STEPS:
        step = STEPS[0]
    errors, preview = {}, None
    if request.method == "POST" and step == "weights" and request.form.get("action") == "preview":
        errors = {}
        weights = read_weights(request.form, errors)  # the no-script preview: computed, nothing kept
        if not errors:
            preview = matching.preview(tenant(), {**_draft_settings(key), **weights}, programme)
    elif request.method == "POST":
        current = step
        try:
            step = save_step(session, step, request.form, key)
            course = _chosen_course() if step == "done" and programme is None else {}
            if step == "done":
                target = _store(key, programme, course)
        except Conflict:  # the only one the steps meet: an active programme's pairing rules
            step, errors = current, {"form": _("Pairing rules cannot change once a programme is active.")}
        except ValidationError as exc:
            step, errors = current, exc.errors or {"form": exc.message}
        else:
            if step == "done":
                session.pop(key, None)
                return redirect(f"/admin/programmes/{target.id}/", code=303)
            return redirect(f"{base}?step={step}", code=303)
    picker = _picker(request.values.get("lms_connection_id")) if step == "review" and programme is None else None
    draft = session.get(key, {})
    return render_template(
        "admin/wizard.html",
        step=step,
        steps=STEPS,
        step_labels=STEP_LABELS,
        draft=draft,
        errors=errors,
        picker=picker,
        base=base,
        programme=programme,
        templates=TEMPLATES,
        topic_codes=TOPICS,
        criteria=CRITERIA,
        criterion_labels=CRITERION_LABELS,
        mix_labels=MIX_LABELS,
        enrolment_labels=ENROLMENT_LABELS,
        weights={**DEFAULT_WEIGHTS, **(draft.get("weights") or {})},
        preview=preview,
        framings=framings_of(programme.framing if programme is not None else None) if step == "review" else (),
    ), 400 if errors else 200


def _draft_settings(key: str) -> dict:
    """The draft so far as programme settings (steps not filled yet keep the defaults)."""
    draft = {"name": "-", "mentor_max_level": 2, "mentee_min_level": 7, "mentors_per_executive": 1}
    draft.update({k: v for k, v in session.get(key, {}).items() if v is not None})
    draft.setdefault("cadence_days", 14)
    draft.setdefault("session_minutes", 45)
    draft.setdefault("duration_weeks", 26)
    return draft_data({key: draft}, key)


def _store(key: str, programme: Programme | None, course: dict) -> Programme:
    data = draft_data(session, key, programme)
    min_sessions, final_reflection = completion_of(session, key)
    if programme is None:
        programme = programmes.create_programme(tenant(), {**data, **course}, actor=access.actor())
    else:
        programmes.update_programme(tenant(), programme.id, changed_data(programme, data), actor=access.actor())
    completion.set_rule(tenant(), programme.id, min_sessions, final_reflection)
    return programme


def framings_of(overrides: dict | None) -> list:
    """Each region's wording (with a programme's own overrides) as its people will read it, in this
    page's language: (region, its countries, the wording)."""
    overrides = overrides or {}
    regions = (*FRAMINGS.values(), DEFAULT_FRAMING)
    return [
        (f.region, f.countries, framing.translate(framing_for(f.countries[0] if f.countries else None, overrides)))
        for f in regions
    ]


@bp.get("/programmes/new/preview")
def wizard_preview():
    """The weights step's live preview (JSON): how the draft would match today, with these weights."""
    return _preview(KEY, None)


@bp.get("/programmes/<int:programme_id>/edit/preview")
def programme_edit_preview(programme_id: int):
    programme = tenant().get(Programme, programme_id)
    return _preview(f"{KEY}:{programme.id}", programme)


def _preview(key: str, programme: Programme | None):
    errors: dict = {}
    weights = read_weights(request.args, errors)
    if errors:
        return jsonify({"errors": {k: str(v) for k, v in errors.items()}}), 400
    return jsonify(matching.preview(tenant(), {**_draft_settings(key), **weights}, programme))


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
    chats = chat_channels.of_programmes(tenant(), [programme.id]) if access.current().role == HR_ADMIN else []
    return render_template(
        "admin/programme.html", programme=programme, counts=counts, pairs=len(health), at_risk=at_risk, chats=chats
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


@bp.post("/programmes/<int:programme_id>/invite")
def invite(programme_id: int):
    """Invite everyone eligible for an opt-in programme by email, each with their own link to join."""
    settings = current_app.config["FLIPSIDE"]
    sent = opt_in.invite(tenant(), programme_id, current_app.config["SECRET_KEY"], settings.base_url)
    flash(_("Invitations written to the outbox: %(num)s.", num=len(sent)))
    return redirect(f"/admin/programmes/{programme_id}/", code=303)


@bp.post("/programmes/<int:programme_id>/enrol")
def enrol(programme_id: int):
    programmes.enrol_eligible(tenant(), programme_id)
    return redirect(f"/admin/programmes/{programme_id}/participants", code=303)
