"""Match review: run matching, read scores and reasons, lock, exclude, swap, approve."""
from __future__ import annotations

from flask import current_app, redirect, render_template, request

from ...db import db
from ...errors import ValidationError
from ...models import Employee, Programme
from ...services import enrolment, match_review, matching, privacy
from .. import access
from . import bp, tenant

DONE = {"lock": "pair locked", "unlock": "pair unlocked", "exclude": "pair excluded", "swap": "mentors swapped"}


def _back(programme_id: int, note: str = ""):
    return redirect(f"/admin/programmes/{programme_id}/matches" + (f"?done={note}" if note else ""), code=303)


@bp.get("/programmes/<int:programme_id>/matches")
def matches(programme_id: int):
    programme = tenant().get(Programme, programme_id)
    pairs = match_review.live_pairs(tenant(), programme.id)
    ended = match_review.ended_pairs(tenant(), programme.id)
    ids = {p.mentor_employee_id for p in pairs + ended} | {p.mentee_employee_id for p in pairs + ended}
    people = {e.id: e for e in tenant().all(Employee, Employee.id.in_(ids))} if ids else {}
    proposed = [p for p in pairs if p.status == "proposed"]
    privacy.viewed(tenant(), access.actor(), "match review", "programme", programme.id, shown=len(pairs) + len(ended))
    return render_template("admin/matches.html", programme=programme, pairs=pairs, people=people,
                           proposed=proposed, ended=ended, no_fault=match_review.NO_FAULT,
                           done=request.args.get("done", ""))


@bp.post("/programmes/<int:programme_id>/matches/run")
def run(programme_id: int):
    result, _ = matching.run_matching(tenant(), programme_id, actor="admin")
    return _back(programme_id, f"proposed {result.filled} of {result.slots} places")


@bp.post("/programmes/<int:programme_id>/matches/approve")
def approve(programme_id: int):
    """Approve the proposal; with an LMS course set, queue the pairs' enrolment once the approval is stored."""
    approved = match_review.approve(tenant(), programme_id, actor="admin")
    db.session.commit()  # a worker must find the approved pairs
    jobs = enrolment.enqueue_enrolments(tenant(), current_app.config["FLIPSIDE"], approved)
    note = f"approved {len(approved)} pairs" + (f"; {len(jobs)} enrolment jobs queued" if jobs else "")
    return _back(programme_id, note)


@bp.post("/programmes/<int:programme_id>/matches/<int:pair_id>")
def act(programme_id: int, pair_id: int):
    """Lock, unlock, exclude or swap one pair."""
    action = request.form.get("action")
    if action in ("lock", "unlock"):
        match_review.set_locked(tenant(), pair_id, action == "lock", actor="admin")
    elif action == "exclude":
        match_review.exclude(tenant(), pair_id, request.form.get("reason", ""), actor="admin")
    elif action == "swap":
        try:
            other = int(request.form.get("other_pair_id", ""))
        except ValueError as exc:
            raise ValidationError("Choose the pair to swap mentors with") from exc
        match_review.swap(tenant(), pair_id, other, actor="admin")
    else:
        raise ValidationError("Unknown action", errors={"action": action})
    return _back(programme_id, DONE[action])
