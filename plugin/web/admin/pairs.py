"""Pair health: every live pair against its cadence, pairs at risk first, and the nudge button."""

from __future__ import annotations

from flask import redirect, render_template, request

from ...domain.roles import HR_ADMIN
from ...errors import NotFound
from ...models import Pair, Programme
from ...services import access as grants
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
    pair_health.nudge(tenant(), pair.id, actor=access.actor())
    if not access.current().may_see_programme(pair.programme_id):  # a regional coordinator's nudge
        return redirect(f"/admin/region?nudged={pair.id}", code=303)
    return redirect(f"/admin/programmes/{pair.programme_id}/health?nudged={pair.id}", code=303)


@bp.get("/region")
def region_pairs():
    """A region's live pairs in every programme: a regional coordinator's granted regions, or the region an
    HR admin picks."""
    seen = access.current()
    known = grants.regions(tenant())
    if seen.role == HR_ADMIN:
        picked = request.args.get("region") or (known[0] if known else "")
        regions = [picked] if picked in known else []
    else:
        regions = sorted(seen.regions)
        if not regions:
            raise NotFound("No region has been granted to you")
    found = pair_health.region_health(tenant(), regions, page=page_number())
    privacy.viewed(
        tenant(),
        access.actor(),
        "region pairs",
        "region",
        ",".join(regions)[:64],
        shown=len(found.rows),
        page=found.page,
    )
    names = {p.id: p.name for p in tenant().all(Programme, Programme.id.in_({r.pair.programme_id for r in found.rows}))}
    return render_template(
        "admin/region.html",
        regions=regions,
        known=known if seen.role == HR_ADMIN else (),
        found=found,
        rows=found.rows,
        summary=found.summary,
        programme_names=names,
    )
