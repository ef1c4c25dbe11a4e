"""Adding, editing, testing and removing connections (HR admins only): thin views over
services.connection_forms and services.connection_test."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request

from ...db import db
from ...errors import ValidationError
from ...models import Connection
from ...services import connection_forms, connection_test, oauth_connect
from ..connect import VENDORS as OAUTH_VENDORS
from . import bp, tenant
from .connections import _actor


def _form(vendor: str, conn: Connection | None, errors: dict, values):
    return render_template(
        "admin/connection_form.html",
        vendor=vendor,
        label=connection_forms.LABELS[vendor],
        fields=connection_forms.FIELDS[vendor],
        conn=conn,
        errors=errors,
        values=values,
    ), 400 if errors else 200


@bp.route("/connections/new", methods=["GET", "POST"])
def connection_new():
    vendor = request.args.get("vendor", "")
    if vendor not in connection_forms.FIELDS:
        return render_template(
            "admin/connection_form.html", vendor=None, labels=connection_forms.LABELS, errors={}, values={}, conn=None
        )
    if request.method == "GET":
        return _form(vendor, None, {}, {})
    try:
        conn = connection_forms.add(tenant(), current_app.extensions["flipside.vault"], vendor, request.form, _actor())
    except ValidationError as exc:
        db.session.rollback()
        return _form(vendor, None, exc.errors or {"form": exc.message}, request.form)
    return redirect(f"/admin/connections#connection-{conn.id}", code=303)


@bp.route("/connections/<int:connection_id>/edit", methods=["GET", "POST"])
def connection_edit(connection_id: int):
    conn = tenant().get(Connection, connection_id)
    if request.method == "GET":
        return _form(conn.vendor, conn, {}, {**(conn.settings or {}), "name": conn.name})
    try:
        connection_forms.edit(tenant(), current_app.extensions["flipside.vault"], conn.id, request.form, _actor())
    except ValidationError as exc:
        db.session.rollback()
        return _form(
            conn.vendor, tenant().get(Connection, connection_id), exc.errors or {"form": exc.message}, request.form
        )
    return redirect(f"/admin/connections#connection-{conn.id}", code=303)


@bp.post("/connections/<int:connection_id>/test")
def connection_test_run(connection_id: int):
    app = current_app
    checks = connection_test.test_connection(
        tenant(), app.config["FLIPSIDE"], app.extensions["flipside.vault"], db.engine, connection_id, actor=_actor()
    )
    conn = tenant().get(Connection, connection_id)
    db.session.commit()
    consent = None
    if conn.vendor in OAUTH_VENDORS and connection_forms.wants_consent(conn, app.extensions["flipside.vault"]):
        consent = oauth_connect.connect_link(app.secret_key, app.config["FLIPSIDE"].base_url, conn)
    return render_template(
        "admin/connection_test.html",
        conn=conn,
        checks=checks,
        consent=consent,
        label=connection_forms.LABELS[conn.vendor],
    )


@bp.route("/connections/<int:connection_id>/remove", methods=["GET", "POST"])
def connection_remove(connection_id: int):
    errors = {}
    if request.method == "POST":
        try:
            connection_forms.remove(tenant(), connection_id, _actor(), confirm=request.form.get("confirm", ""))
        except ValidationError as exc:
            errors = exc.errors or {"confirm": exc.message}
        else:
            return redirect("/admin/connections", code=303)
    found = connection_forms.consequences(tenant(), connection_id)
    return render_template(
        "admin/connection_remove.html",
        found=found,
        errors=errors,
        label=connection_forms.LABELS[found.connection.vendor],
    ), 400 if errors else 200
