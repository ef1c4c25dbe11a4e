"""Participants: full names, search and filters a page at a time, bulk remove and role change, CSV out and in.

Every page and export that shows people's names writes an `identifiable.viewed` audit event.
"""

from __future__ import annotations

from flask import Response, redirect, render_template, request, session

from ...domain.spreadsheet import csv_text
from ...errors import ValidationError
from ...models import Programme
from ...services import course_rosters, member_import, members, privacy
from .. import access
from ..paging import page_number
from ..security import MAX_CSV_BYTES
from . import bp, tenant

NOTE = "participants_note"  # what the last bulk action did, shown once on the next page


def _page(programme: Programme, report=None, status: int = 200):
    filters = members.Filters.parse(request.args)
    found = members.search(tenant(), programme.id, filters, page_number())
    privacy.viewed(
        tenant(), access.actor(), "participant list", "programme", programme.id, shown=len(found.rows), page=found.page
    )
    args = {
        k: v
        for k, v in (
            ("role", filters.role),
            ("country", filters.country),
            ("department", filters.department),
            ("q", filters.text),
        )
        if v
    }
    return render_template(
        "admin/participants.html",
        programme=programme,
        found=found,
        filters=filters,
        args=args,
        departments=members.departments(tenant(), programme.id),
        report=report,
        note=session.pop(NOTE, None),
        full_name=members.full_name,
        columns=member_import.COLUMNS,
        rosters=course_rosters.for_programme(tenant(), programme),
    ), status


@bp.get("/programmes/<int:programme_id>/participants")
def participants(programme_id: int):
    return _page(tenant().get(Programme, programme_id))


@bp.get("/programmes/<int:programme_id>/participants.csv")
def participants_csv(programme_id: int):
    programme = tenant().get(Programme, programme_id)
    found = members.every(tenant(), programme.id, members.Filters.parse(request.args))
    privacy.viewed(tenant(), access.actor(), "participant CSV", "programme", programme.id, shown=len(found))
    rows = (
        [
            employee.id,
            members.full_name(employee),
            employee.work_email or "",
            participant.role,
            employee.department or "",
            employee.job_level or "",
            employee.country or "",
        ]
        for participant, employee in found
    )
    text = csv_text(["employee_id", "name", "email", "role", "department", "job_level", "country"], rows)
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=participants-{programme.id}.csv"},
    )


@bp.get("/programmes/<int:programme_id>/participants/template.csv")
def participants_template(programme_id: int):
    """The columns the import reads, as a header row to fill in."""
    tenant().get(Programme, programme_id)
    return Response(
        member_import.template(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=participants-template.csv"},
    )


@bp.post("/programmes/<int:programme_id>/participants/bulk")
def participants_bulk(programme_id: int):
    """Remove the ticked participants, or give them another role; people in pairs are left as they are."""
    tenant().get(Programme, programme_id)
    action = request.form.get("action", "")
    ids = members.parse_ids(request.form.getlist("ids"))
    if action == "remove":
        result = members.remove(tenant(), programme_id, ids, access.actor())
    elif action == "role":
        result = members.change_role(tenant(), programme_id, ids, request.form.get("role", ""), access.actor())
    else:
        raise ValidationError("Choose remove or change role", errors={"action": action})
    session[NOTE] = {
        "action": action,
        "changed": result.changed,
        "in_pairs": result.in_pairs[:20],
        "kept": len(result.in_pairs),
        "not_found": result.not_found,
    }
    query = request.query_string.decode()
    return redirect(f"/admin/programmes/{programme_id}/participants" + (f"?{query}" if query else ""), code=303)


@bp.post("/programmes/<int:programme_id>/participants/roster")
def participants_roster(programme_id: int):
    """Ask for an import of the programme's course roster(s) from the LMS now (a job, via the outbox)."""
    programme = tenant().get(Programme, programme_id)
    rosters = course_rosters.for_programme(tenant(), programme)
    if not rosters:
        raise ValidationError(
            "No course roster is known yet: launch Flipside once from the course as an "
            "instructor or admin, then import",
            errors={"roster": "unknown"},
        )
    for roster in rosters:
        course_rosters.ask_import(tenant(), roster)
    tenant().session.commit()
    session[NOTE] = {"action": "roster", "changed": len(rosters), "in_pairs": [], "kept": 0, "not_found": 0}
    return redirect(f"/admin/programmes/{programme_id}/participants#roster", code=303)


@bp.post("/programmes/<int:programme_id>/participants/import")
def participants_import(programme_id: int):
    """Add members (and their profiles) from an uploaded CSV; bad rows are listed by line, good rows kept."""
    programme = tenant().get(Programme, programme_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError("Choose a CSV file to import", errors={"file": "missing"})
    data = upload.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise ValidationError("The CSV is larger than 5 MB; nothing was imported", status=413)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError("The CSV must be UTF-8 encoded; nothing was imported") from exc
    report = member_import.import_members(tenant(), programme.id, text, access.actor())
    return _page(programme, report)
