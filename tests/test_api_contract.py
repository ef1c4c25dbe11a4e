"""The API contract cannot drift: every /api route is in the OpenAPI document, and every field an answer
carries is documented (each answer is checked against its schema with no undeclared properties allowed)."""

import copy

import jsonschema
import pytest

from plugin.web.api.openapi import build_spec, undocumented_operations
from plugin.web.converters import ID_MAX
from tests.admin_world import add_employee, add_pair, add_programme, load_workforce, matching_programme

ANSWERS = [  # (method, path, expected status) for every operation a seeded organisation can answer with 2xx
    ("GET", "/programmes", 200),
    ("GET", "/programmes/{active}", 200),
    ("GET", "/programmes/{active}/pairs", 200),
    ("GET", "/programmes/{active}/pair-health", 200),
    ("GET", "/programmes/{active}/impact", 200),
    ("GET", "/programmes/{active}/impact/settings", 200),
    ("GET", "/insights/reflections?by=role", 200),
    ("POST", "/programmes/{draft}/match?dry_run=true", 200),
    ("POST", "/programmes/{draft}/participants", 200),
    ("GET", "/openapi.json", 200),
    ("GET", "/programmes/{active}/nope-not-here", 404),
]


@pytest.fixture
def seeded(app, make_org, session):
    from plugin.services import api_tokens

    tenant = make_org()
    active = add_programme(tenant)
    for n in range(6):
        add_pair(tenant, active, add_employee(tenant, n), add_employee(tenant, 100 + n, job_level=8))
    load_workforce(tenant, size=150)
    draft = matching_programme(tenant)
    token = api_tokens.issue(tenant, "contract")
    session.commit()
    return {"active": active.id, "draft": draft.id}, {"Authorization": f"Bearer {token}"}


def test_every_registered_api_route_is_documented(app):
    assert undocumented_operations(app) == []
    paths = build_spec(app).to_dict()["paths"]
    assert sum(len(methods) for methods in paths.values()) >= 20


def test_a_new_route_without_a_contract_is_reported(app):
    app.add_url_rule("/api/v1/reports/<int:report_id>", "api.new_report", lambda report_id: {})
    assert undocumented_operations(app) == ["GET /reports/{report_id}"]


def test_path_ids_and_body_integers_are_bounded(app):
    spec = build_spec(app).to_dict()
    for path, methods in spec["paths"].items():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["schema"]["type"] == "integer":
                    assert (parameter["schema"]["minimum"], parameter["schema"]["maximum"]) == (1, ID_MAX), path
    for name in ("Programme", "ProgrammeChange", "Swap", "ImpactSettings", "Rules"):
        for field, schema in _integers(spec["components"]["schemas"][name]):
            assert "maximum" in schema or "enum" in schema, (name, field)


def _integers(schema, prefix=""):
    for field, prop in (schema.get("properties") or {}).items():
        kinds = prop.get("type") if isinstance(prop.get("type"), list) else [prop.get("type")]
        if "integer" in kinds:
            yield prefix + field, prop
        items = prop.get("items") or {}
        if "integer" in ([items.get("type")] if not isinstance(items.get("type"), list) else items["type"]):
            yield prefix + field + "[]", items


@pytest.mark.parametrize(("method", "path", "status"), ANSWERS)
def test_every_field_of_every_answer_is_documented(app, client, seeded, method, path, status):
    ids, auth = seeded
    url = "/api/v1" + path.format(**ids)
    answer = client.open(url, method=method, headers=auth)
    assert answer.status_code == status, answer.get_data(as_text=True)
    spec = build_spec(app).to_dict()
    template = path.split("?")[0].replace("{active}", "{programme_id}").replace("{draft}", "{programme_id}")
    fallback = spec["paths"]["/programmes/{programme_id}"]["get"]  # a 404 has the same Error schema everywhere
    operation = spec["paths"].get(template, {}).get(method.lower()) or fallback
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    jsonschema.validate(
        answer.get_json(), _closed(schema, spec["components"]["schemas"]), cls=jsonschema.Draft202012Validator
    )


def test_an_undocumented_field_fails_the_check(app):
    spec = build_spec(app).to_dict()
    closed = _closed({"$ref": "#/components/schemas/Nudge"}, spec["components"]["schemas"])
    with pytest.raises(jsonschema.ValidationError, match="Additional properties"):
        jsonschema.validate({"id": 1, "pair_id": 2, "sent_at": "2026-01-01T00:00:00", "secret": "x"}, closed)


def _closed(schema, components):
    """The schema with every $ref inlined and every object closed to properties it does not name."""
    schema = copy.deepcopy(schema)
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _closed(components[schema["$ref"].rsplit("/", 1)[-1]], components)
        schema = {k: _closed(v, components) for k, v in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [_closed(item, components) for item in schema]
    return schema


@pytest.mark.parametrize(
    "body",
    ["\r0", "email\r\nsam0@example.test,\x00", "\ufeff", "name,languages\nSam,en:5\n"],
    ids=["no-email-header", "nul", "bom-only", "no-email-column"],
)
def test_an_unreadable_csv_is_refused_and_nothing_is_imported(client, seeded, session, body):
    from plugin.models import Profile

    _ids, auth = seeded
    before = session.query(Profile).execution_options(all_tenants=True).count()
    answer = client.post("/api/v1/profiles/import", data=body.encode(), content_type="text/csv", headers=auth)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert answer.json["error"]["code"] == "invalid"
    assert "nothing was imported" in answer.json["error"]["message"] or "CSV" in answer.json["error"]["message"]
    assert session.query(Profile).execution_options(all_tenants=True).count() == before


def test_a_csv_without_an_email_column_names_the_columns_it_takes(client, seeded):
    _ids, auth = seeded
    answer = client.post(
        "/api/v1/profiles/import", data=b"name,languages\nSam,en:5\n", content_type="text/csv", headers=auth
    )
    assert answer.status_code == 400
    message = answer.json["error"]["message"]
    assert "email column" in message and "learning_goals" in message and "nothing was imported" in message


CONDITIONS = [  # (condition, accepted by the API)
    ({"field": "age", "op": "<", "value": 40}, True),
    ({"field": "tenure_years", "op": ">=", "value": 1.5}, True),
    ({"field": "job_level", "op": "in", "value": [7, 8]}, True),
    ({"field": "country", "op": "==", "value": "JP"}, True),
    ({"field": "region", "op": "not in", "value": ["EMEA", "APAC"]}, True),
    ({"field": "age", "op": "<", "value": "forty"}, False),
    ({"field": "age", "op": "<", "value": True}, False),
    ({"field": "job_level", "op": "in", "value": 7}, False),
    ({"field": "country", "op": "==", "value": 81}, False),
    ({"field": "country", "op": "in", "value": ["JP", 3]}, False),
    ({"field": "age", "op": "<", "value": None}, False),
]


@pytest.mark.parametrize("condition, accepted", CONDITIONS, ids=lambda c: str(c) if not isinstance(c, bool) else "")
def test_a_rule_value_is_typed_by_its_field_in_the_document_and_the_api_alike(
    app, client, seeded, session, condition, accepted
):
    from plugin.models import Programme

    _ids, auth = seeded
    spec = build_spec(app).to_dict()
    components = spec["components"]["schemas"]
    documented = jsonschema.Draft202012Validator(_closed(components["Condition"], components)).is_valid(condition)
    before = session.query(Programme).execution_options(all_tenants=True).count()
    body = {"name": "Typed rules", "mentor_rules": {"all": [condition]}}
    answer = client.post("/api/v1/programmes", json=body, headers=auth)
    assert documented is accepted
    assert answer.status_code == (201 if accepted else 400), answer.get_data(as_text=True)
    stored = session.query(Programme).execution_options(all_tenants=True).count()
    assert stored == before + (1 if accepted else 0)
    if not accepted:
        assert "needs" in str(answer.json["error"]) or "value" in str(answer.json["error"])


def test_a_patch_with_a_half_written_condition_is_refused_and_the_rules_stay(client, seeded, session):
    from plugin.models import Programme

    ids, auth = seeded
    stored = session.query(Programme).execution_options(all_tenants=True).filter_by(id=ids["draft"])
    before = stored.one().mentor_rules
    body = {"mentor_rules": {"all": [{"field": "region", "op": "in"}]}}
    answer = client.patch(f"/api/v1/programmes/{ids['draft']}", json=body, headers=auth)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert "value" in str(answer.json["error"]["fields"])
    session.expire_all()
    assert stored.one().mentor_rules == before


def test_nul_in_a_key_the_schema_ignores_is_harmless_but_in_a_kept_value_refused(client, seeded):
    _ids, auth = seeded
    ignored = client.post("/api/v1/programmes", json={"name": "Kept", "x\u0000": 1}, headers=auth)
    assert ignored.status_code == 201, ignored.get_data(as_text=True)
    kept = client.post("/api/v1/programmes", json={"name": "Bad\u0000name"}, headers=auth)
    assert kept.status_code == 400 and "NUL" in kept.json["error"]["message"]


@pytest.mark.parametrize(
    "topic, accepted", [("ai", True), ("AI", True), ("new-ways-of-working", True), ("astrology", False), ("ai ", False)]
)
def test_a_topic_is_documented_as_the_catalogue_accepts_it(app, client, seeded, topic, accepted):
    import re

    _ids, auth = seeded
    item = build_spec(app).to_dict()["components"]["schemas"]["Programme"]["properties"]["topics"]["items"]
    assert bool(re.search(item["pattern"], topic)) is accepted
    answer = client.post("/api/v1/programmes", json={"name": "Topics", "topics": [topic]}, headers=auth)
    assert answer.status_code == (201 if accepted else 400), answer.get_data(as_text=True)
