"""The workspace's front page (/admin/): each programme in numbers and charts, and the next things to do.

HR admins see every programme and the organisation's jobs and connections; a coordinator sees only their
programmes. Only counts are shown, except the LMS accounts waiting for a link (HR admins), which is audited.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template
from flask_babel import gettext as _

from ...db import db
from ...domain.roles import HR_ADMIN
from ...jobs import board as job_board
from ...lti import identity
from ...lti.landing import WANTED_SCOPES
from ...models import Employee, Organisation, Programme
from ...services import dashboard as numbers
from ...services import privacy
from ...services.employees import count_active
from .. import access
from ..access import signed_in
from ..bar_chart import stacked_bar
from . import bp, tenant

PAIR_COLOURS = {
    "proposed": "#8a90a2",
    "approved": "#5b7bb2",
    "active": "#2a7a4b",
    "completed": "#1d2330",
    "ended": "#b3452f",
}
HEALTH_COLOURS = {"at_risk": "#b3452f", "watch": "#c98a00", "healthy": "#2a7a4b", "not_started": "#8a90a2"}


def _pair_words() -> dict[str, str]:
    return {
        "proposed": _("Proposed"),
        "approved": _("Approved"),
        "active": _("Active"),
        "completed": _("Completed"),
        "ended": _("Ended"),
    }


def _health_words() -> dict[str, str]:
    return {"at_risk": _("At risk"), "watch": _("To watch"), "healthy": _("Healthy"), "not_started": _("Not started")}


def _scope_words() -> dict[str, str]:
    """The LTI scopes an LMS admin may withhold, in the words of what stops working."""
    words = (_("Gradebook columns (AGS line items)"), _("Gradebook scores (AGS)"), _("Course roster (NRPS)"))
    return dict(zip(WANTED_SCOPES, words, strict=True))


def _charts(summary: numbers.ProgrammeSummary) -> dict:
    ident = f"p{summary.programme.id}"
    pair_words, health_words = _pair_words(), _health_words()
    return {
        "pairs": stacked_bar(
            [(pair_words[s], summary.pairs[s], c) for s, c in PAIR_COLOURS.items()],
            _("Pairs by state"),
            f"{ident}-pairs",
            _("No pairs yet"),
        ),
        "health": stacked_bar(
            [(health_words[s], summary.health[s], c) for s, c in HEALTH_COLOURS.items()],
            _("Health of running pairs"),
            f"{ident}-health",
            _("No running pairs"),
        ),
    }


@bp.get("/")
def dashboard():
    seen = access.current()
    user = signed_in()
    today = date.today()
    programmes = sorted(
        (p for p in tenant().all(Programme) if seen.may_see_programme(p.id)),
        key=lambda p: (p.status == "completed", -p.id),
    )
    summaries = [numbers.summary(tenant(), p, today) for p in programmes]
    hr = seen.role == HR_ADMIN
    pending = identity.pending_links(tenant()) if hr else []
    if pending:
        privacy.viewed(
            tenant(),
            access.actor(),
            "LMS accounts waiting for a link",
            "organisation",
            tenant().organisation_id,
            shown=len(pending),
        )
    return render_template(
        "admin/dashboard.html",
        org=db.session.get(Organisation, tenant().organisation_id),
        hr=hr,
        employee=tenant().get(Employee, user["employee_id"]) if user.get("employee_id") else None,
        summaries=[(s, _charts(s)) for s in summaries],
        today=today,
        actions=numbers.next_actions(
            tenant(), job_board.failed_count_if_reachable(tenant(), current_app.config["FLIPSIDE"])
        )
        if hr
        else None,
        employees=count_active(tenant()) if hr else None,
        pending=pending,
        missing_scopes=[_scope_words().get(s, s) for s in user.get("missing_scopes") or []],
    )
