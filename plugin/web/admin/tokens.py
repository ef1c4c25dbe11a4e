"""API tokens for HR's own BI tools: issue (the plaintext is shown once), list, revoke."""

from __future__ import annotations

from flask import redirect, render_template, request

from ...errors import ValidationError
from ...models import ApiToken
from ...services import api_tokens
from . import bp, tenant


@bp.get("/tokens")
def token_list():
    rows = sorted(tenant().all(ApiToken), key=lambda t: t.id, reverse=True)
    return render_template("admin/tokens.html", tokens=rows, issued=None)


@bp.post("/tokens")
def token_issue():
    name = request.form.get("name", "").strip()
    if not 1 <= len(name) <= 120:
        raise ValidationError("Name the token after the tool that will use it (up to 120 characters)")
    plaintext = api_tokens.issue(tenant(), name, actor="admin")
    rows = sorted(tenant().all(ApiToken), key=lambda t: t.id, reverse=True)
    return render_template("admin/tokens.html", tokens=rows, issued=plaintext)


@bp.post("/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int):
    api_tokens.revoke(tenant(), token_id, actor="admin")
    return redirect("/admin/tokens", code=303)
