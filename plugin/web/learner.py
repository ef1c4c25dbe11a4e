"""Learner pages after an LTI launch (`/me/...`): the pair, sessions, reflections, extension, calendar."""

from __future__ import annotations

import functools
from datetime import date

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ..db import db
from ..errors import Forbidden, ValidationError
from ..jobs.completion import enqueue_completion
from ..services import (
    agreements,
    calendar,
    completion,
    enrolment,
    extensions,
    learner,
    match_review,
    pair_plans,
    preparation,
    privacy,
    programmes,
    reflections,
    sessions,
)
from ..services.tenant import Tenant
from .access import signed_in
from .csrf import csrf_token

bp = Blueprint("learner", __name__)


def current_user() -> dict:
    """The launched participant (organisation_id, employee_id, role, locale); 401 before a launch."""
    user = signed_in()
    if not user.get("employee_id"):
        raise Forbidden("These pages are for programme participants with an employee record.")
    return user


KEPT_LOCALE = "launch_locale_kept"  # the launch language already written for this session's person


@bp.before_request
def _keep_launch_locale():
    """A learner's first page after a launch keeps the LMS's language for their messages (once a session)."""
    user = session.get("user") or {}
    locale = user.get("locale")
    if not (user.get("employee_id") and locale):
        return
    if session.get(KEPT_LOCALE) == locale:
        return
    learner.remember_launch_locale(tenant_of(user), user["employee_id"], locale)
    db.session.commit()
    session[KEPT_LOCALE] = locale


def tenant_of(user: dict) -> Tenant:
    return Tenant(db.session, user["organisation_id"])


@bp.app_context_processor
def _strings():
    return {"csrf_token": csrf_token}


def form_action(view):
    """Commit on success; a refused input comes back to the pair page as a message."""

    @functools.wraps(view)
    def run(**kwargs):
        user = current_user()
        try:
            target = view(user, tenant_of(user), **kwargs)
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            flash(refusal(exc))
            target = request.form.get("back") or url_for("learner.pairs")
        return redirect(target, code=303)

    return run


def refusal(exc: ValidationError) -> str:
    """The refused input worded in the page's language, from the field it names (services speak English)."""
    fields = exc.errors or {}
    if fields.get("held_on") == "future":
        return _("A session can only be logged once it has happened")
    if "minutes" in fields:
        return _("Give the minutes as a whole number between 1 and %(max)s", max=sessions.MAX_MINUTES)
    if "answers" in fields:
        return _("Answer each of the three questions on the 1 to 5 scale")
    if "date" in fields:
        return _("Give the date as YYYY-MM-DD")
    if "agreement_version" in fields:
        return _("The agreement changed since you opened it; please read the current version.")
    if "agreement" in fields:
        return _("Both of you accept the confidentiality agreement before the first session.")
    if "confirm" in fields:
        return _("Tick the box to confirm that you want to leave this pair.")
    if "pair" in fields:
        return _("This pair has already ended.")
    if "url" in fields:
        return _("Give a link that starts with https://")
    if "title" in fields:
        return _("Give the pre-read a title of up to %(max)s characters", max=pair_plans.MAX_TITLE)
    if "goals" in fields or "agenda" in fields:
        return _(
            "Keep the goals under %(goals)s and the agenda under %(agenda)s characters, without control characters",
            goals=pair_plans.MAX_GOALS,
            agenda=pair_plans.MAX_AGENDA,
        )
    if "session" in fields:
        return _("Choose the session this reflection is about")
    return _("This was not saved; nothing was changed.")


@bp.get("/me/pairs")
def pairs():
    """The pairs; the profile is offered here, never required before a pair can be reached."""
    user = current_user()
    tenant = tenant_of(user)
    mine = learner.summaries(tenant, user["employee_id"])
    invited = programmes.invitations(tenant, user["employee_id"])
    if len(mine) == 1 and not invited:
        return redirect(url_for("learner.pair", pair_id=mine[0][0].id))
    return render_template(
        "learner/pairs.html",
        pairs=mine,
        invitations=invited,
        own_profile=learner.has_own_profile(tenant, user["employee_id"]),
    )


@bp.post("/me/programmes/<int:programme_id>/invitation")
@form_action
def answer_invitation(user, tenant, programme_id: int):
    """Join an opt-in programme that invited you, or say no thanks."""
    join = request.form.get("answer") == "join"
    programmes.answer_invitation(tenant, user["employee_id"], programme_id, join)
    flash(_("Welcome: you take part in the programme.") if join else _("Thank you: you will not be matched in it."))
    return url_for("learner.pairs")


@bp.get("/me/pairs/<int:pair_id>")
def pair(pair_id: int):
    user = current_user()
    tenant = tenant_of(user)
    plan = pair_plans.plan(tenant, pair_id, user["employee_id"])  # first: anyone but the partners gets not-found
    page = learner.pair_page(tenant, pair_id, user["employee_id"])
    steps, read_at = preparation.mine(tenant, pair_id, user["employee_id"])
    threshold = privacy.settings_for(tenant).min_group_size
    return render_template(
        "learner/pair.html",
        page=page,
        threshold=threshold,
        today=date.today(),
        match_reasons=learner.reasons(page.pair),
        agreement=agreements.state(tenant, page.pair, user["employee_id"]),
        partner_word=learner.partner_role_word(page),
        mine=learner.proposal_is_mine(page),
        plan=plan,
        prep_steps=steps,
        prep_read_at=read_at,
        plan_limits={"goals": pair_plans.MAX_GOALS, "agenda": pair_plans.MAX_AGENDA, "title": pair_plans.MAX_TITLE},
    )


@bp.post("/me/pairs/<int:pair_id>/sessions")
@form_action
def log_session(user, tenant, pair_id: int):
    form = request.form
    topics = [x.strip() for x in form.get("topics", "").split(",")]
    sessions.log_session(
        tenant, pair_id, user["employee_id"], _day(form.get("held_on")), _int(form.get("minutes"), "minutes"), topics
    )
    return url_for("learner.pair", pair_id=pair_id)


@bp.post("/me/pairs/<int:pair_id>/agreement")
@form_action
def accept_agreement(user, tenant, pair_id: int):
    agreements.accept(tenant, pair_id, user["employee_id"], _int(request.form.get("version"), "agreement_version"))
    flash(_("Thank you: you accepted the confidentiality agreement."))
    return url_for("learner.pair", pair_id=pair_id)


@bp.post("/me/pairs/<int:pair_id>/plan")
@form_action
def save_plan(user, tenant, pair_id: int):
    """Either partner saves the pair's goals and agenda."""
    pair_plans.save(tenant, pair_id, user["employee_id"], request.form.get("goals", ""), request.form.get("agenda", ""))
    flash(_("Saved: your goals and agenda."))
    return url_for("learner.pair", pair_id=pair_id) + "#plan"


@bp.post("/me/pairs/<int:pair_id>/pre-reads")
@form_action
def add_pre_read(user, tenant, pair_id: int):
    """One partner shares a pre-read with the other."""
    form = request.form
    pair_plans.add_pre_read(tenant, pair_id, user["employee_id"], form.get("title", ""), form.get("url", ""))
    flash(_("Shared: your partner sees the pre-read."))
    return url_for("learner.pair", pair_id=pair_id) + "#plan"


@bp.post("/me/pairs/<int:pair_id>/pre-reads/<int:pre_read_id>/remove")
@form_action
def remove_pre_read(user, tenant, pair_id: int, pre_read_id: int):
    pair_plans.remove_pre_read(tenant, pair_id, user["employee_id"], pre_read_id)
    return url_for("learner.pair", pair_id=pair_id) + "#plan"


@bp.post("/me/pairs/<int:pair_id>/leave")
@form_action
def leave(user, tenant, pair_id: int):
    """End the pair without a reason; the LMS follows once the ending is stored."""
    if request.form.get("confirm") != "1":
        raise ValidationError("Tick the box to confirm", errors={"confirm": "missing"})
    added = match_review.leave_pair(tenant, pair_id, user["employee_id"])
    db.session.commit()
    settings = current_app.config["FLIPSIDE"]
    enrolment.enqueue_unenrolments(tenant, settings, [pair_id])
    approved = [p for p in added if learner.pair_of(tenant, p).status == "approved"]
    enrolment.enqueue_enrolments(tenant, settings, approved)
    flash(_("You have left this pair. You stay in the programme."))
    return url_for("account.me")


@bp.post("/me/sessions/<int:session_id>/confirm")
@form_action
def confirm(user, tenant, session_id: int):
    row = sessions.confirm_session(tenant, session_id, user["employee_id"])
    _complete(tenant, user, row.pair_id)
    return url_for("learner.pair", pair_id=row.pair_id)


@bp.post("/me/pairs/<int:pair_id>/cancellations")
@form_action
def cancel(user, tenant, pair_id: int):
    sessions.cancel_session(tenant, pair_id, user["employee_id"], _day(request.form.get("planned_on")))
    return url_for("learner.pair", pair_id=pair_id)


@bp.post("/me/pairs/<int:pair_id>/reflections")
@form_action
def reflect(user, tenant, pair_id: int):
    form = request.form
    answers = [_int(form.get(f"q{n}"), "answers") for n in (1, 2, 3)]
    final = form.get("final") == "1"
    reflections.submit(
        tenant,
        pair_id,
        user["employee_id"],
        answers,
        form.get("text", ""),
        session_id=None if final else _int(form.get("session_id"), "session"),
        final=final,
    )
    _complete(tenant, user, pair_id)
    flash(_("Your reflection is saved. Only you can read it."))
    return url_for("learner.pair", pair_id=pair_id)


@bp.post("/me/pairs/<int:pair_id>/extension")
@form_action
def propose(user, tenant, pair_id: int):
    extensions.propose(tenant, pair_id, user["employee_id"])
    return url_for("learner.pair", pair_id=pair_id)


@bp.post("/me/extensions/<int:proposal_id>")
@form_action
def decide(user, tenant, proposal_id: int):
    row = extensions.decide(tenant, proposal_id, user["employee_id"], request.form.get("agree") == "1")
    return url_for("learner.pair", pair_id=row.pair_id)


@bp.get("/me/pairs/<int:pair_id>/calendar.ics")
def calendar_file(pair_id: int):
    user = current_user()
    tenant = tenant_of(user)
    page = learner.pair_page(tenant, pair_id, user["employee_id"])
    body = calendar.pair_calendar(tenant, page.pair, page.role, date.today())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="flipside-pair-{pair_id}.ics"'},
    )


def _complete(tenant: Tenant, user: dict, pair_id: int) -> None:
    """Complete the pair if its rule is now met; the write-back and credentials follow as jobs."""
    if completion.complete_if_done(tenant, pair_id) is not None:
        db.session.commit()
        enqueue_completion(current_app.config["FLIPSIDE"], user["organisation_id"], pair_id)


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError as exc:
        raise ValidationError("Give the date as YYYY-MM-DD", errors={"date": text}) from exc


def _int(text: str | None, name: str) -> int:
    if not (text or "").strip().isdigit():
        raise ValidationError(f"{name} must be a whole number", errors={name: text})
    return int(text)
