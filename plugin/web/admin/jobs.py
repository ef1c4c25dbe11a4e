"""Background jobs of this organisation: queued, running, failed with the reason, and a retry button."""

from __future__ import annotations

from flask import current_app, redirect, render_template

from ...jobs import board as job_board
from . import bp, tenant


@bp.get("/jobs")
def job_list():
    rows = job_board.organisation_jobs(tenant(), current_app.config["FLIPSIDE"])
    return render_template("admin/jobs.html", jobs=rows)


@bp.post("/jobs/<job_id>/retry")
def retry(job_id: str):
    job_board.retry(tenant(), current_app.config["FLIPSIDE"], job_id)
    return redirect("/admin/jobs", code=303)
