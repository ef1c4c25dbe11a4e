"""The JSON API for HR admins (`/api/v1`): bearer-token auth, marshmallow schemas, an OpenAPI document."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, g, jsonify, request
from marshmallow import ValidationError as SchemaError

from ...db import commit_unless_failed, db
from ...errors import ValidationError
from ...services import api_tokens
from ...services.tenant import Tenant

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC = {"api.openapi"}


@bp.before_request
def _authenticate():
    if request.endpoint in PUBLIC:
        return
    token = api_tokens.token_for(db.session, request.headers.get("Authorization"))
    g.tenant = Tenant(db.session, token.organisation_id)
    g.actor = f"api_token:{token.id}"  # who, in the audit trail


bp.after_request(commit_unless_failed)


def load(schema, *, partial: bool = False) -> dict:
    """Validate the JSON body against a schema; every problem comes back at once, nothing is stored."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("The request body must be a JSON object")
    try:
        data = schema.load(body, partial=partial)
    except SchemaError as exc:
        raise ValidationError("The request body is not valid", errors=exc.messages) from exc
    if has_nul(data):  # what is kept, not keys the schema drops (PostgreSQL text cannot store NUL)
        raise ValidationError("Text may not contain NUL characters (\\u0000)")
    return data


def query(schema) -> dict:
    """Validate the query string against a schema; every problem comes back at once."""
    if has_nul(request.args.to_dict()):
        raise ValidationError("Text may not contain NUL characters (\\u0000)")
    try:
        return schema.load(request.args.to_dict())
    except SchemaError as exc:
        raise ValidationError("The query is not valid", errors=exc.messages) from exc


def has_nul(value) -> bool:
    """Whether any string in a JSON value holds a NUL character, which PostgreSQL text cannot store."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def dump(schema, obj, status: int = 200):
    return jsonify(schema.dump(obj)), status


def paged(items: list, found) -> Response:
    """A JSON list that is one page of a longer one: `Link` (next, prev, first, last) and `X-Total-Count`."""
    answer = jsonify(items)
    links = {"first": 1, "last": found.pages}
    if found.page > 1:
        links["prev"] = found.page - 1
    if found.page < found.pages:
        links["next"] = found.page + 1
    base = request.base_url
    answer.headers["Link"] = ", ".join(
        f'<{base}?{urlencode({"page": n, "per_page": found.per_page})}>; rel="{rel}"' for rel, n in links.items()
    )
    answer.headers["X-Total-Count"] = str(found.total)
    return answer


def register(app) -> None:
    from . import analytics, insights, matching, openapi, programmes  # noqa: F401  (routes attach to bp)

    app.register_blueprint(bp)
