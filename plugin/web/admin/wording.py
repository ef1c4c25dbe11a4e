"""A programme's own regional wording: HR overrides how a region names the relationship and its two roles,
previews it as each region will read it, and saves it (pages, messages and credentials then use it)."""

from __future__ import annotations

from flask import redirect, render_template, request
from flask_babel import gettext as _

from ...domain.framing import DEFAULT, FIELDS, FRAMINGS
from ...models import Programme
from ...services import programmes
from .. import access
from . import bp, tenant
from .programmes import framings_of

MAX_WORDS = 80  # as the API's framing schema


def _overrides(form, errors: dict) -> dict:
    """The form's wording per region: only the fields HR wrote; a region with none keeps its standard words."""
    found = {}
    for region in (*FRAMINGS, DEFAULT.region):
        words = {f: form.get(f"{region}__{f}", "").strip() for f in FIELDS}
        words = {f: text for f, text in words.items() if text}
        if any(len(text) > MAX_WORDS for text in words.values()):
            errors[region] = _("At most %(num)s characters", num=MAX_WORDS)
        if words:
            found[region] = words
    return found


@bp.route("/programmes/<int:programme_id>/wording", methods=["GET", "POST"])
def programme_wording(programme_id: int):
    """Preview (nothing kept) or save the programme's wording per region."""
    programme = tenant().get(Programme, programme_id)
    errors: dict = {}
    overrides = dict(programme.framing or {})
    if request.method == "POST":
        overrides = _overrides(request.form, errors)
        if not errors and request.form.get("action") == "save":
            programmes.update_programme(tenant(), programme.id, {"framing": overrides}, actor=access.actor())
            return redirect(f"/admin/programmes/{programme.id}/wording?saved=1", code=303)
    return render_template(
        "admin/wording.html",
        programme=programme,
        overrides=overrides,
        fields=FIELDS,
        framings=framings_of(overrides),
        previewing=request.method == "POST" and not errors,
        errors=errors,
    ), 400 if errors else 200
