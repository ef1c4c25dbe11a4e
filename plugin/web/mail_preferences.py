"""What a person hears from Flipside: one-click unsubscribe (RFC 8058) and the preferences page under /me/."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..db import db
from ..errors import ValidationError
from ..models import Employee
from ..services import preferences
from ..services.tenant import Tenant
from .learner import current_user, tenant_of

bp = Blueprint("mail_preferences", __name__)
ONE_CLICK = ("List-Unsubscribe", "One-Click")  # the body RFC 8058 section 3.1 requires of the POST


def _person(signed: str) -> tuple[Tenant, Employee, str]:
    organisation_id, employee_id, category = preferences.read_token(current_app.config["SECRET_KEY"], signed)
    tenant = Tenant(db.session, organisation_id)
    return tenant, tenant.get(Employee, employee_id), category


@bp.get("/unsubscribe/<signed>")
def confirm(signed: str):
    """A page with one button: a GET never unsubscribes (mail scanners follow links), RFC 8058 section 2."""
    _tenant, _employee, category = _person(signed)
    return render_template("mail/unsubscribe.html", signed=signed, category=_label(category), done=False)


@bp.post("/unsubscribe/<signed>")
def one_click(signed: str):
    """Unsubscribe the person the signed token names from its category; no login, no CSRF token (RFC 8058)."""
    tenant, employee, category = _person(signed)
    if request.form.get(ONE_CLICK[0]) != ONE_CLICK[1]:
        raise ValidationError("an unsubscribe POST carries List-Unsubscribe=One-Click (RFC 8058)")
    preferences.unsubscribe(tenant, employee.id, category)
    db.session.commit()
    return render_template("mail/unsubscribe.html", signed=signed, category=_label(category), done=True)


@bp.get("/me/messages")
def page():
    """The signed-in person's categories and quiet hours."""
    user = current_user()
    row = preferences.preference(tenant_of(user), user["employee_id"])
    return render_template(
        "mail/preferences.html",
        row=row,
        wanted=[c for c in preferences.CATEGORIES if preferences.wants(row, c)],
        categories={c: _(label) for c, label in preferences.CATEGORIES.items()},
    )


@bp.post("/me/messages")
def save():
    user = current_user()
    quiet = None
    if request.form.get("quiet_start") or request.form.get("quiet_end"):
        try:
            quiet = (int(request.form.get("quiet_start", "")), int(request.form.get("quiet_end", "")))
        except ValueError:
            raise ValidationError("quiet hours are two whole hours from 0 to 23", errors={"quiet": "hours"}) from None
    preferences.save(tenant_of(user), user["employee_id"], set(request.form.getlist("category")), quiet)
    db.session.commit()
    return redirect(url_for("mail_preferences.page"), code=303)


def _label(category: str) -> str:
    return _(preferences.CATEGORIES[category]) if category in preferences.CATEGORIES else category
