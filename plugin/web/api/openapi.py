"""The OpenAPI document, built from the app's registered /api routes and the marshmallow schemas each view
declares with `@documented`: a route cannot exist without showing up, and its path ids carry the same
bounds as the URL converter. `undocumented_operations` lists any route that has no declaration."""

from __future__ import annotations

import re
from dataclasses import dataclass

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, jsonify
from marshmallow import fields, validate

from ...domain.programme import LIST_OPERATORS, NUMERIC_FIELDS, SCALAR_OPERATORS, TEXT_FIELDS
from ..converters import IdConverter
from . import bp
from .answers import ErrorSchema
from .schemas import ProgrammeSchema

PREFIX = bp.url_prefix or ""
IGNORED_METHODS = {"HEAD", "OPTIONS"}
NO_NUL = "^[^\\u0000]*$"
ERRORS = {
    400: "The request is not valid; nothing was stored",
    401: "No valid API token",
    404: "Not found in this organisation",
    409: "Not possible in the current state; nothing was stored",
    413: "The request body is too large",
    503: "The database needs `flipside db upgrade`",
}


@dataclass(frozen=True)
class Text:
    """A request or answer body of a text media type, with the JSON Schema its text meets."""

    media_type: str
    schema: dict


@dataclass(frozen=True)
class Operation:
    """What one view promises: its summary, body, query and answer schemas, and its error statuses."""

    summary: str
    answer: object  # a schema (class or instance), a tuple of schemas (one of), a media type, or a JSON schema
    body: object = None  # a schema, a media type such as "text/csv", or a Text
    body_optional: bool = False  # the operation also runs with no body at all
    query: object = None
    status: int = 200
    errors: tuple[int, ...] = (400, 401, 404)
    public: bool = False


def documented(summary: str, answer, **options):
    """Declare a view's contract for the OpenAPI document (see Operation)."""

    def mark(view):
        view.openapi = Operation(summary, answer, **options)
        return view

    return mark


@bp.get("/openapi.json")
@documented("This document", {"type": "object"}, errors=(), public=True)
def openapi():
    return jsonify(build_spec(current_app).to_dict())


def build_spec(app) -> APISpec:
    """The API's OpenAPI 3 document, from the URL map and the views' declarations."""
    marshmallow = MarshmallowPlugin()
    # 3.1: JSON Schema's propertyNames says what a dict's keys may be (country codes, criteria)
    spec = APISpec(
        title="Flipside HR admin API",
        version="1",
        openapi_version="3.1.0",
        plugins=[marshmallow],
        servers=[{"url": f"{app.config['FLIPSIDE'].base_url}{PREFIX}"}],
    )
    marshmallow.converter.add_attribute_function(_text_rules)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.schema("ProgrammeChange", schema=ProgrammeSchema(partial=True))  # PATCH: every field optional
    for rule, method, operation in _operations(app):
        if operation is not None:
            path, parameters = _path(rule)
            spec.path(path=path, operations={method.lower(): _document(operation, parameters)})
    if "Condition" in spec.components.schemas:
        spec.components.schemas["Condition"] = condition_variants()
    return spec


def condition_variants() -> dict:
    """An eligibility condition as JSON Schema: a number (or a list of numbers for `in`/`not in`) for the
    numeric fields, text (or a list of text) for the others: what ConditionSchema accepts, no wider."""
    number = {"type": "number"}
    text = {"type": "string", "pattern": NO_NUL}
    variants = []
    for names, value in ((NUMERIC_FIELDS, number), (TEXT_FIELDS, text)):
        for operators, shape in ((SCALAR_OPERATORS, value), (LIST_OPERATORS, {"type": "array", "items": value})):
            variants.append(
                {
                    "type": "object",
                    "properties": {
                        "field": {"type": "string", "enum": list(names)},
                        "op": {"type": "string", "enum": list(operators)},
                        "value": shape,
                    },
                    "required": ["field", "op", "value"],
                    "additionalProperties": False,
                }
            )
    return {"oneOf": variants}


def _text_rules(_converter, field, ret=None, **_kw) -> dict:
    """What the fields' validators check but apispec leaves out: no NUL in text (PostgreSQL cannot store it,
    so `load` refuses it), and the keys a dict accepts."""
    rules = {}
    if isinstance(field, fields.String) and "pattern" not in (ret or {}):
        rules["pattern"] = NO_NUL
    if type(field) is fields.Raw and not field.allow_none:
        rules["not"] = {"type": "null"}
    if isinstance(field, fields.Dict) and field.key_field is not None:
        names = {"pattern": NO_NUL}
        for check in field.key_field.validators:
            if isinstance(check, validate.Length):
                names.update({k: v for k, v in (("minLength", check.min), ("maxLength", check.max)) if v is not None})
            if isinstance(check, validate.Regexp):
                names["pattern"] = check.regex.pattern
            if isinstance(check, validate.OneOf):
                names = {"enum": list(check.choices)}
        rules["propertyNames"] = names
    return rules


def undocumented_operations(app) -> list[str]:
    """`METHOD /path` of every /api route whose view declares no contract (should be empty)."""
    return [f"{method} {_path(rule)[0]}" for rule, method, operation in _operations(app) if operation is None]


def _operations(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(set(rule.methods or ()) - IGNORED_METHODS):
            yield rule, method, getattr(view, "openapi", None)


def _path(rule) -> tuple[str, list[dict]]:
    """`/programmes/{programme_id}` and its path parameters, bounded as the converters bound them."""
    parameters = []
    for name, converter in rule._converters.items():
        schema = {"type": "string", "minLength": 1, "maxLength": 200}
        if isinstance(converter, IdConverter):
            schema = {"type": "integer", "minimum": converter.low, "maximum": converter.high}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(PREFIX) :])
    return path, parameters


def _document(operation: Operation, parameters: list[dict]) -> dict:
    answer = {"description": operation.summary, "content": _content(operation.answer)}
    doc = {"summary": operation.summary, "parameters": list(parameters), "responses": {str(operation.status): answer}}
    if not operation.public:
        doc["security"] = [{"bearer": []}]
    if operation.query is not None:
        doc["parameters"].append({"in": "query", "schema": operation.query})
    if operation.body is not None:
        doc["requestBody"] = {"required": not operation.body_optional, "content": _content(operation.body)}
    for status in (*operation.errors, 503):
        doc["responses"][str(status)] = {
            "description": ERRORS[status],
            "content": {"application/json": {"schema": "Error"}},
        }
    if operation.body is not None:
        doc["responses"]["413"] = {"description": ERRORS[413], "content": {"application/json": {"schema": "Error"}}}
    return doc


def _content(value) -> dict:
    if isinstance(value, Text):
        return {value.media_type: {"schema": value.schema}}
    if isinstance(value, str):
        return {value: {"schema": {"type": "string"}}}
    if isinstance(value, tuple):
        return {"application/json": {"schema": {"oneOf": list(value)}}}
    return {"application/json": {"schema": value}}
