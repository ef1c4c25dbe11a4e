"""Pair health: every live pair against its cadence, pairs at risk first, and the nudge button."""

from __future__ import annotations

from flask import redirect, render_template

from ...models import Pair, Programme
from ...services import pair_health, privacy
from .. import access
from ..paging import page_number
from . import bp, tenant


@bp.get("/programmes/<int:programme_id>/health")
def health(programme_id: int):
    programme = tenant().get(Programme, programme_id)
    found = pair_health.programme_health(tenant(), programme.id, page=page_number())
    privacy.viewed(
        tenant(), access.actor(), "pair health", "programme", programme.id, shown=len(found.rows), page=found.page
    )
    return render_template(
        "admin/health.html", programme=programme, found=found, rows=found.rows, summary=found.summary
    )


@bp.post("/pairs/<int:pair_id>/nudge")
def nudge(pair_id: int):
    pair = tenant().get(Pair, pair_id)
    pair_health.nudge(tenant(), pair.id, actor="admin")
    return redirect(f"/admin/programmes/{pair.programme_id}/health?nudged={pair.id}", code=303)
