"""Following an opt-in programme's invitation link: a page with one button (a GET never joins: mail scanners
follow links), and the POST that takes the person the signed link names into the programme."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from ..db import db
from ..models import Employee, Programme
from ..services import opt_in, programmes
from ..services.tenant import Tenant

bp = Blueprint("join", __name__)


def _invited(signed: str) -> tuple[Tenant, Employee, Programme]:
    organisation_id, employee_id, programme_id = opt_in.read_token(current_app.config["SECRET_KEY"], signed)
    tenant = Tenant(db.session, organisation_id)
    return tenant, tenant.get(Employee, employee_id), tenant.get(Programme, programme_id)


@bp.get("/join/<signed>")
def invitation(signed: str):
    """What the programme is, and the buttons to join or say no thanks."""
    tenant, employee, programme = _invited(signed)
    open_ = any(p.id == programme.id for _, p in programmes.invitations(tenant, employee.id))
    return render_template("mail/join.html", signed=signed, programme=programme, open=open_, done=None)


@bp.post("/join/<signed>")
def answer(signed: str):
    """Join (or decline) the programme the signed link names, for the person it names; no sign-in needed."""
    tenant, employee, programme = _invited(signed)
    join = request.form.get("answer") != "decline"
    programmes.answer_invitation(tenant, employee.id, programme.id, join)
    db.session.commit()
    return render_template("mail/join.html", signed=signed, programme=programme, open=False, done=join)
