"""The OpenAPI document of the JSON API, built from the same marshmallow schemas that validate requests."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, jsonify

from . import analytics, bp, schemas

DOCUMENTED = {
    "/programmes": {"get": ("List programmes", None, "Programme[]"), "post": ("Create a programme", "Programme",
                                                                              "Programme")},
    "/programmes/{programme_id}": {"get": ("Read a programme", None, "Programme"),
                                   "patch": ("Change a programme", "Programme", "Programme")},
    "/programmes/{programme_id}/status": {"post": ("Move through the lifecycle", "Transition", "Programme")},
}


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_spec(current_app.config["FLIPSIDE"].base_url).to_dict())


def build_spec(base_url: str) -> APISpec:
    """The API's OpenAPI 3 document."""
    spec = APISpec(title="Flipside HR admin API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()], servers=[{"url": f"{base_url}/api/v1"}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name in ("Programme", "Transition", "Pair", "PairAction", "Swap"):
        spec.components.schema(name, schema=getattr(schemas, f"{name}Schema"))
    for path, operations in DOCUMENTED.items():
        spec.path(path=path, operations={m: _operation(*op, path) for m, op in operations.items()})
    analytics.document(spec)
    return spec


def _operation(summary: str, body: str | None, answer: str, path: str) -> dict:
    ref = {"$ref": f"#/components/schemas/{answer.rstrip('[]')}"}
    content = {"type": "array", "items": ref} if answer.endswith("[]") else ref
    op = {"summary": summary, "security": [{"bearer": []}],
          "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": content}}},
                        "400": {"description": "Invalid input"}, "401": {"description": "No valid token"},
                        "404": {"description": "Not found in this organisation"}}}
    if "{programme_id}" in path:
        op["parameters"] = [{"name": "programme_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{body}"}}}}
    return op
