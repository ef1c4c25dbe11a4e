"""Programme endpoints: create, read, change, move through the lifecycle, participants and profile CSV."""

from __future__ import annotations

from flask import g, jsonify, request

from ...errors import ValidationError
from ...models import Programme
from ...services import cohorts, profiles, programmes
from ..security import MAX_CSV_BYTES
from . import bp, dump, load
from .answers import EnrolledSchema, ProfileImportSchema
from .openapi import Text, documented
from .schemas import ProgrammeSchema, TransitionSchema


@bp.get("/programmes")
@documented("List programmes", ProgrammeSchema(many=True), errors=(401,))
def list_programmes():
    rows = g.tenant.all(Programme)
    return jsonify(ProgrammeSchema(many=True).dump(rows))


@bp.post("/programmes")
@documented("Create a programme", ProgrammeSchema, body=ProgrammeSchema, status=201, errors=(400, 401, 409))
def create_programme():
    data = load(ProgrammeSchema())
    return dump(ProgrammeSchema(), programmes.create_programme(g.tenant, data, actor="api"), 201)


@bp.get("/programmes/<int:programme_id>")
@documented("Read a programme", ProgrammeSchema, errors=(401, 404))
def get_programme(programme_id: int):
    return dump(ProgrammeSchema(), g.tenant.get(Programme, programme_id))


@bp.patch("/programmes/<int:programme_id>")
@documented(
    "Change a programme (only the fields sent)",
    ProgrammeSchema,
    body=ProgrammeSchema(partial=True),
    errors=(400, 401, 404, 409),
)
def update_programme(programme_id: int):
    data = load(ProgrammeSchema(), partial=True)
    return dump(ProgrammeSchema(), programmes.update_programme(g.tenant, programme_id, data, actor="api"))


@bp.post("/programmes/<int:programme_id>/status")
@documented("Move through the lifecycle", ProgrammeSchema, body=TransitionSchema, errors=(400, 401, 404, 409))
def change_status(programme_id: int):
    data = load(TransitionSchema())
    if data["status"] == "completed":  # completing is closing: the running pairs complete or end with it
        cohorts.close_programme(g.tenant, programme_id, actor="api")
        return dump(ProgrammeSchema(), g.tenant.get(Programme, programme_id))
    return dump(ProgrammeSchema(), programmes.transition(g.tenant, programme_id, data["status"], actor="api"))


@bp.post("/programmes/<int:programme_id>/participants")
@documented("Add every eligible active employee as a candidate", EnrolledSchema, errors=(401, 404, 409))
def enrol_eligible(programme_id: int):
    """Add every eligible active employee as a candidate mentor or mentee."""
    return jsonify(added=programmes.enrol_eligible(g.tenant, programme_id)), 200


# UTF-8 text (a BOM allowed), no NUL, whose header row names an email column (unquoted fields before it)
PROFILE_CSV = Text(
    "text/csv",
    {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_CSV_BYTES // 4,
        "pattern": '^\\ufeff?([^\\r\\n",\\u0000]*,)*email([,\\r\\n][^\\u0000]*)?$',
    },
)


@bp.post("/profiles/import")
@documented(
    "Import participant profiles from CSV (header row with an email column); bad rows are listed by line",
    ProfileImportSchema,
    body=PROFILE_CSV,
    errors=(400, 401),
)
def import_profiles():
    """Import participant profiles from CSV (text/csv body); bad rows are listed by line, good rows kept."""
    if request.content_length and request.content_length > MAX_CSV_BYTES:
        raise ValidationError("The CSV is larger than 5 MB", status=413)
    try:
        text = request.get_data(cache=False).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError("The CSV must be UTF-8 encoded") from exc
    if not text.strip():
        raise ValidationError("Send the CSV as the request body (Content-Type: text/csv), header row first")
    report = profiles.import_csv(g.tenant, text)
    rejected = [{"line": line, "reason": reason} for line, reason in report.rejected]
    return jsonify(imported=report.imported, rejected=rejected), 200
