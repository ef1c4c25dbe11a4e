"""Matching endpoints: run (or preview) a match, review pairs, lock/exclude/swap, approve."""

from __future__ import annotations

from flask import current_app, g, jsonify, request

from ...domain.matching import points, remedy
from ...services import enrolment_batch, match_review, matching
from . import bp, load, paged, query
from .answers import ApprovalSchema, ExcludedSchema, MatchQuerySchema, MatchRunSchema
from .openapi import documented
from .schemas import ApproveSchema, PageQuerySchema, PairActionSchema, PairSchema, SwapSchema


@bp.post("/programmes/<int:programme_id>/match")
@documented(
    "Match the programme (or preview with dry_run)", MatchRunSchema, query=MatchQuerySchema, errors=(400, 401, 404, 409)
)
def run_match(programme_id: int):
    """Solve the programme; `?dry_run=1` previews without storing."""
    dry_run = query(MatchQuerySchema())["dry_run"]
    result, names = matching.run_matching(g.tenant, programme_id, dry_run=dry_run, actor="api")
    return jsonify(
        dry_run=dry_run,
        slots=result.slots,
        filled=result.filled,
        optimal=result.optimal,
        gap=result.gap,
        method=result.method,
        total_score=points(result.total_score),
        pairs=[
            {
                "mentee_employee_id": p.executive_id,
                "mentor_employee_id": p.mentor_id,
                "score": points(p.score),
                "locked": p.locked,
                "explanation": matching.explanation(p),
            }
            for p in result.pairs
        ],
        unfilled=[
            {
                "mentee_employee_id": u.executive_id,
                "missing": u.missing,
                "reason": u.reason,
                "detail": u.detail,
                "remedy": remedy(u.reason),
            }
            for u in result.unfilled
        ],
    )


@bp.get("/programmes/<int:programme_id>/pairs")
@documented(
    "A page of the programme's proposed and approved pairs (Link header: next page)",
    PairSchema(many=True),
    query=PageQuerySchema,
    errors=(400, 401, 404),
)
def list_pairs(programme_id: int):
    wanted = query(PageQuerySchema())
    found = match_review.live_pairs(g.tenant, programme_id, wanted["page"], wanted["per_page"])
    return paged(PairSchema(many=True).dump(found.rows), found)


@bp.post("/pairs/<int:pair_id>")
@documented(
    "Lock, unlock or exclude a proposed pair",
    (PairSchema, ExcludedSchema),
    body=PairActionSchema,
    errors=(400, 401, 404, 409),
)
def act_on_pair(pair_id: int):
    data = load(PairActionSchema())
    if data["action"] == "exclude":
        match_review.exclude(g.tenant, pair_id, data["reason"], actor="api")
        return jsonify(excluded=pair_id)
    pair = match_review.set_locked(g.tenant, pair_id, data["action"] == "lock", actor="api")
    return jsonify(PairSchema().dump(pair))


@bp.post("/programmes/<int:programme_id>/swap")
@documented(
    "Exchange the mentors of two proposed pairs", PairSchema(many=True), body=SwapSchema, errors=(400, 401, 404, 409)
)
def swap_pairs(programme_id: int):
    data = load(SwapSchema())
    pairs = match_review.swap(g.tenant, data["pair_id"], data["other_pair_id"], actor="api")
    return jsonify(PairSchema(many=True).dump(pairs))


@bp.post("/programmes/<int:programme_id>/approve")
@documented(
    "Approve the proposal, or the chosen pairs of it; enrolment jobs are queued",
    ApprovalSchema,
    body=ApproveSchema,
    body_optional=True,
    errors=(400, 401, 404, 409),
)
def approve(programme_id: int):
    """Approve the proposal (or, with `pair_ids`, only those pairs); enrolment jobs are queued: one per
    course and up to 500 pairs for a Moodle cohort, else one per pair."""
    chosen = load(ApproveSchema()).get("pair_ids") if request.get_data() else None
    pair_ids = match_review.approve(g.tenant, programme_id, actor="api", pair_ids=chosen)
    g.tenant.session.commit()  # workers must see the approved pairs before their jobs run
    jobs = enrolment_batch.enqueue_cohort(g.tenant, current_app.config["FLIPSIDE"], pair_ids)
    return jsonify(approved=pair_ids, enrolment_jobs=jobs)
