"""Match review: run matching, page through scores and reasons, lock, exclude, change a mentor, approve."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote

from flask import current_app, redirect, render_template, request
from flask_babel import gettext, lazy_gettext, ngettext

from ...db import db
from ...errors import Conflict, ValidationError
from ...models import Employee, Pair, Programme
from ...services import (
    enrolment_batch,
    match_listing,
    match_review,
    matching,
    members,
    mentor_change,
    privacy,
)
from .. import access
from . import bp, tenant

# What an action did, in the admin's language: the note travels in the redirect and the page shows it
DONE = {
    "lock": lazy_gettext("pair locked"),
    "unlock": lazy_gettext("pair unlocked"),
    "exclude": lazy_gettext("pair excluded"),
}
EMPTY_SHOWN = 20


def _back(programme_id: int, note: str = "", query: str = ""):
    params = "&".join(x for x in (query, f"done={quote(note)}" if note else "") if x)
    return redirect(f"/admin/programmes/{programme_id}/matches" + (f"?{params}" if params else ""), code=303)


def _id(value: str | None, field: str) -> int:
    try:
        number = int(value or "")
    except ValueError as exc:
        raise ValidationError("Choose a mentor", errors={field: "not a number"}) from exc
    if not 0 < number < 2**31:
        raise ValidationError("Choose a mentor", errors={field: "out of range"})
    return number


@bp.get("/programmes/<int:programme_id>/matches")
def matches(programme_id: int):
    programme = tenant().get(Programme, programme_id)
    query = match_listing.ReviewQuery.from_args(request.args)
    listing = match_listing.review_list(tenant(), programme.id, query)
    empty = match_listing.empty_slots(tenant(), programme.id)
    ended = match_review.ended_pairs(tenant(), programme.id)[:50]
    ids = {p.mentor_employee_id for p in ended} | {p.mentee_employee_id for p in ended}
    people = {e.id: members.full_name(e) for e in tenant().all(Employee, Employee.id.in_(ids))} if ids else {}
    privacy.viewed(
        tenant(),
        access.actor(),
        "match review",
        "programme",
        programme.id,
        shown=len(listing.rows) + len(ended) + len(empty[:EMPTY_SHOWN]),
    )
    return render_template(
        "admin/matches.html",
        programme=programme,
        listing=listing,
        query=query,
        empty=empty[:EMPTY_SHOWN],
        empty_total=len(empty),
        ended=ended,
        people=people,
        no_fault=match_review.NO_FAULT,
        bands=match_listing.BANDS,
        done=request.args.get("done", ""),
    )


@bp.post("/programmes/<int:programme_id>/matches/run")
def run(programme_id: int):
    result, _ = matching.run_matching(tenant(), programme_id, actor="admin")
    return _back(
        programme_id, gettext("proposed %(filled)s of %(slots)s places", filled=result.filled, slots=result.slots)
    )


@bp.post("/programmes/<int:programme_id>/matches/approve")
def approve(programme_id: int):
    """Approve the chosen pairs, or every proposed pair; with an LMS course set, queue their enrolment once
    the approval is stored."""
    if request.form.get("scope") == "selected":
        chosen = [_id(v, "pair_id") for v in request.form.getlist("pair_id")]
        approved = match_review.approve(tenant(), programme_id, actor="admin", pair_ids=chosen)
    else:
        approved = match_review.approve(tenant(), programme_id, actor="admin")
    db.session.commit()  # a worker must find the approved pairs
    jobs = enrolment_batch.enqueue_cohort(tenant(), current_app.config["FLIPSIDE"], approved)
    note = ngettext("approved %(num)d pair", "approved %(num)d pairs", len(approved))
    if jobs:
        note = ngettext(
            "%(note)s; %(num)d enrolment job queued", "%(note)s; %(num)d enrolment jobs queued", len(jobs), note=note
        )
    return _back(programme_id, note)


@bp.post("/programmes/<int:programme_id>/matches/<int:pair_id>")
def act(programme_id: int, pair_id: int):
    """Lock, unlock or exclude one pair."""
    action = request.form.get("action")
    if action in ("lock", "unlock"):
        match_review.set_locked(tenant(), pair_id, action == "lock", actor="admin")
    elif action == "exclude":
        match_review.exclude(tenant(), pair_id, request.form.get("reason", ""), actor="admin")
    else:
        raise ValidationError("Unknown action", errors={"action": action})
    return _back(programme_id, str(DONE[action]), _same_view(request.form.get("back", "")))


def _same_view(back: str) -> str:
    """The list's filters the admin acted from, re-read and re-written (never echoed as sent)."""
    try:
        return match_listing.ReviewQuery.from_args(dict(parse_qsl(back[:1000]))).link()
    except ValidationError:
        return ""


@bp.get("/programmes/<int:programme_id>/matches/<int:pair_id>/change")
def change_mentor(programme_id: int, pair_id: int):
    """Find a mentor by name for this pair; with `mentor`, preview the new scores before confirming."""
    pair = tenant().get(Pair, pair_id)
    search = (request.args.get("q") or "").strip()[: match_listing.MAX_SEARCH]
    if request.args.get("mentor"):
        change = mentor_change.preview(tenant(), pair.id, _id(request.args["mentor"], "mentor"))
        privacy.viewed(tenant(), access.actor(), "mentor change preview", "pair", pair.id, mentor=change.mentor_id)
        return render_template(
            "admin/mentor_change.html",
            programme=pair_programme(pair),
            pair=pair,
            change=change,
            options=None,
            search=search,
        )
    options = mentor_change.candidates(tenant(), pair.id, search)
    privacy.viewed(tenant(), access.actor(), "mentor search", "pair", pair.id, shown=len(options))
    return render_template(
        "admin/mentor_change.html",
        programme=pair_programme(pair),
        pair=pair,
        change=None,
        options=options,
        blocked=mentor_change.blocked_text(options.blocked),
        search=search,
    )


@bp.post("/programmes/<int:programme_id>/matches/<int:pair_id>/change")
def change_mentor_confirm(programme_id: int, pair_id: int):
    """Give the pair the previewed mentor (a swap when that mentor was on another pair); a refusal shows the
    preview again with its reason in the page's language."""
    mentor_id = _id(request.form.get("mentor_id"), "mentor_id")
    try:
        changed = mentor_change.change_mentor(tenant(), pair_id, mentor_id, actor="admin")
    except Conflict:
        db.session.rollback()
        pair = tenant().get(Pair, pair_id)
        change = mentor_change.preview(tenant(), pair.id, mentor_id)
        page = render_template(
            "admin/mentor_change.html",
            programme=pair_programme(pair),
            pair=pair,
            change=change,
            options=None,
            search="",
        )
        return page, 409
    return _back(programme_id, "mentors swapped" if len(changed) == 2 else "mentor replaced")


def pair_programme(pair: Pair) -> Programme:
    return tenant().get(Programme, pair.programme_id)
