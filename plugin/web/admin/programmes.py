"""Programmes: the list, the set-up wizard, one programme's overview (participants are in participants.py)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session
from flask_babel import gettext as _

from ...errors import ValidationError
from ...models import Programme
from ...services import cohorts, pair_health, programmes
from .. import access
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
        try:
            step = save_step(session, step, request.form)
        except ValidationError as exc:
            errors = exc.errors or {"form": exc.message}
        else:
            if step == "done":
                programme = programmes.create_programme(tenant(), draft_data(session), actor="admin")
                session.pop("wizard", None)
                return redirect(f"/admin/programmes/{programme.id}/", code=303)
            return redirect(f"/admin/programmes/new?step={step}", code=303)
    return render_template("admin/wizard.html", step=step, steps=STEPS, draft=session.get("wizard", {}),
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
    target = request.form.get("status", "")
    if target == "completed":
        closing = cohorts.close_programme(tenant(), programme_id, actor="admin")
        flash(_("Programme closed: %(completed)s pairs completed, %(ended)s ended; %(alumni)s alumni.",
                completed=len(closing.completed), ended=len(closing.ended), alumni=closing.alumni))
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
