"""Pair health: every live pair against its cadence, pairs at risk first, and the nudge button."""

from __future__ import annotations

from flask import redirect, render_template

from ...domain.pair_health import summarise
from ...models import Pair, Programme
from ...services import pair_health, privacy
from .. import access
from . import bp, tenant


@bp.get("/programmes/<int:programme_id>/health")
def health(programme_id: int):
    programme = tenant().get(Programme, programme_id)
    rows = pair_health.programme_health(tenant(), programme.id)
    privacy.viewed(tenant(), access.actor(), "pair health", "programme", programme.id, shown=len(rows))
    return render_template(
        "admin/health.html", programme=programme, rows=rows, summary=summarise([r.health for r in rows])
    )


@bp.post("/pairs/<int:pair_id>/nudge")
def nudge(pair_id: int):
    pair = tenant().get(Pair, pair_id)
    pair_health.nudge(tenant(), pair.id, actor="admin")
    return redirect(f"/admin/programmes/{pair.programme_id}/health?nudged={pair.id}", code=303)
