"""The programme's preparation page: HR picks, per role, the course's activities from the LMS's own list, asks
for a reading of completion, and sees counts per role (never a person)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext

from ...errors import IntegrationError, ValidationError
from ...models import Connection, Programme
from ...services import lms, preparation
from . import bp, tenant


def _connector(programme: Programme):
    app = current_app
    conn = tenant().get(Connection, programme.lms_connection_id)
    return lms.open_connector(app.config["FLIPSIDE"], app.extensions["flipside.vault"], conn)


@bp.route("/programmes/<int:programme_id>/preparation", methods=["GET", "POST"])
def programme_preparation(programme_id: int):
    """The picker (checkboxes per role over the course's activity list) and the counts per role."""
    programme = tenant().get(Programme, programme_id)
    offered, error, status = [], "", 200
    if programme.lms_connection_id and programme.lms_course_id:
        try:
            connector = _connector(programme)
            if request.method == "POST":
                picked = {role: request.form.getlist(role) for role in preparation.ROLES}
                preparation.choose(tenant(), connector, programme.id, picked, actor="admin")
                flash(_("Saved: the preparation of each role."))
                return redirect(f"/admin/programmes/{programme.id}/preparation", code=303)
            offered = connector.activities(str(programme.lms_course_id))
        except ValidationError:
            error, status = _("Pick activities from the course's list."), 400
        except IntegrationError as err:
            error = err.message
    chosen = {
        role: {a.activity_id for a in preparation.activities(tenant(), programme.id, role)}
        for role in preparation.ROLES
    }
    return render_template(
        "admin/programme_preparation.html",
        programme=programme,
        offered=offered,
        chosen=chosen,
        counts=preparation.counts(tenant(), programme.id),
        error=error,
    ), status


@bp.post("/programmes/<int:programme_id>/preparation/read")
def read_preparation(programme_id: int):
    """Ask the LMS again, through the job queue, which partner completed what."""
    programme = tenant().get(Programme, programme_id)
    jobs = preparation.enqueue_readings(tenant(), current_app.config["FLIPSIDE"], programme.id)
    flash(
        ngettext(
            "Reading completion for %(num)d pair from the LMS.",
            "Reading completion for %(num)d pairs from the LMS.",
            len(jobs),
        )
    )
    return redirect(f"/admin/programmes/{programme.id}/preparation", code=303)
