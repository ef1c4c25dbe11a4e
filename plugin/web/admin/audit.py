"""The audit log for HR admins: filter by actor, event and dates, page through it, export it as CSV.

Coordinators never reach it (the workspace guard keeps every page not listed for them to HR admins).
"""

from __future__ import annotations

from flask import Response, render_template, request

from ...services import audit, audit_log
from .. import access
from ..paging import page_number
from . import bp, tenant


@bp.get("/audit")
def audit_page():
    filters = audit_log.AuditFilters.parse(request.args)
    found = audit_log.events(tenant(), filters, page_number())
    args = {
        k: v
        for k, v in (
            ("actor", filters.actor),
            ("event", filters.action),
            ("from", filters.since.isoformat() if filters.since else ""),
            ("to", filters.until.isoformat() if filters.until else ""),
        )
        if v
    }
    return render_template(
        "admin/audit.html", found=found, filters=filters, args=args, actions=audit_log.actions(tenant())
    )


@bp.get("/audit.csv")
def audit_export():
    filters = audit_log.AuditFilters.parse(request.args)
    text = audit_log.export_csv(tenant(), filters)
    audit.record(
        tenant(),
        access.actor(),
        "audit.exported",
        "organisation",
        tenant().organisation_id,
        actor_filter=filters.actor,
        event=filters.action,
        since=filters.since.isoformat() if filters.since else "",
        until=filters.until.isoformat() if filters.until else "",
    )
    return Response(
        text, mimetype="text/csv", headers={"Content-Disposition": 'attachment; filename="flipside-audit.csv"'}
    )
