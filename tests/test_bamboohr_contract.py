"""The BambooHR emulator answers, and the connector asks, as BambooHR's own OpenAPI document says.

Schemas come from tests/fixtures/vendors/bamboohr/openapi.yaml (BambooHR's published spec) and are
checked with jsonschema (OpenAPI 3.1 schemas are JSON Schema 2020-12).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import cache
from urllib.parse import quote

import pytest
import requests
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from plugin.connectors.bamboohr import BambooHRConnector
from plugin.connectors.http import RetryPolicy
from plugin.emulators.bamboohr import BambooHREmulator
from tests.factories import FIXTURES, make_workforce

SPEC_URI = "urn:bamboohr-openapi"


@cache
def spec() -> dict:
    return yaml.safe_load((FIXTURES / "vendors" / "bamboohr" / "openapi.yaml").read_text())


@cache
def registry() -> Registry:
    resource = Resource.from_contents(spec(), default_specification=DRAFT202012)
    return Registry().with_resource(SPEC_URI, resource)


def validator(*pointer: str) -> Draft202012Validator:
    escaped = "/".join(quote(p.replace("~", "~0").replace("/", "~1"), safe="~") for p in pointer)
    return Draft202012Validator({"$ref": f"{SPEC_URI}#/{escaped}"}, registry=registry(), format_checker=FormatChecker())


def response_schema(path: str, method: str, status: int, media: str = "application/json"):
    return validator("paths", path, method, "responses", str(status), "content", media, "schema")


def request_schema(path: str, method: str):
    return validator("paths", path, method, "requestBody", "content", "application/json", "schema")


def spec_path(emulated_path: str) -> str:
    """The spec's path template for a path the emulator served (either host form)."""
    path = re.sub(r"^/api/gateway\.php/[^/]+/(v\d)/", r"/api/\1/", emulated_path)
    for template in spec()["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and ("{" not in template or template.count("/") == path.count("/")):
            exact = template == path
            if exact or not any(t == path for t in spec()["paths"]):
                return template
    raise AssertionError(f"{emulated_path} is not in BambooHR's API")


@pytest.fixture(scope="module")
def emulator():
    emu = BambooHREmulator(make_workforce(30), restricted_fields={"workEmail"}).start()
    yield emu
    emu.stop()


def get(emu, path, **kw):
    kw.setdefault("auth", ("key", "x"))
    return requests.get(f"{emu.base_url}/api/v1{path}", timeout=10, **kw)


def post(emu, path, body, version="v1", **kw):
    return requests.post(
        f"{emu.base_url}/api/{version}{path}",
        data=json.dumps(body),
        auth=("key", "x"),
        headers={"Content-Type": "application/json"},
        timeout=10,
        **kw,
    )


def test_read_endpoints_answer_per_the_spec(emulator):
    checks = [
        ("/api/v1/employees/directory", get(emulator, "/employees/directory", headers={"Accept": "application/json"})),
        (
            "/api/v1/employees/changed",
            get(emulator, "/employees/changed", params={"since": "2020-01-01T00:00:00+00:00"}),
        ),
        ("/api/v1/employees/{id}/tables/{table}", get(emulator, "/employees/all/tables/jobInfo")),
        (
            "/api/v1/employees/changed/tables/{table}",
            get(emulator, "/employees/changed/tables/jobInfo", params={"since": "2020-01-01T00:00:00Z"}),
        ),
        ("/api/v1/webhooks", get(emulator, "/webhooks")),
    ]
    changed = response_schema("/api/v1/employees/changed", "get", 200)
    assert not changed.is_valid({"latest": 5, "employees": []})  # the validator really validates
    for path, response in checks:
        assert response.status_code == 200, path
        response_schema(path, "get", 200).validate(response.json())


def test_custom_report_and_dataset_answers_per_the_spec(emulator):
    report = post(emulator, "/reports/custom?format=json", {"fields": ["firstName", "hireDate", "workEmail"]})
    response_schema("/api/v1/reports/custom", "post", 200).validate(report.json())
    assert "workEmail" not in report.json()["employees"][0]  # restricted: dropped silently
    query = {"fields": ["firstName"], "page": 2, "pageSize": 10}
    data = post(emulator, "/datasets/employee/data", query, "v2")
    response_schema("/api/v2/datasets/{datasetName}/data", "post", 200).validate(data.json())
    problem = post(emulator, "/datasets/employee/data", {"fields": ["firstName"], "pageSize": 5000}, "v2")
    assert problem.status_code == 422
    response_schema("/api/v2/datasets/{datasetName}/data", "post", 422).validate(problem.json())


def test_oauth_list_and_its_bad_page_answer_per_the_spec(emulator):
    token = emulator.tokens.issue("client")
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    page = get(
        emulator, "/employees", auth=None, headers=bearer, params={"page[limit]": 5, "fields": "workEmail,hireDate"}
    )
    response_schema("/api/v1/employees", "get", 200).validate(page.json())
    assert page.json()["data"][0]["_restrictedFields"] == ["workEmail"]
    stale = get(emulator, "/employees", auth=None, headers=bearer, params={"page[after]": "99999"})
    assert stale.status_code == 400
    response_schema("/api/v1/employees", "get", 400).validate(stale.json())
    assert stale.json()["error"]["code"] == "BadPage"


def test_the_connector_sends_what_the_spec_accepts():
    emu = BambooHREmulator(make_workforce(12)).start()
    try:
        for host, bulk in [("current", "custom_report"), ("legacy", "dataset")]:
            reader = BambooHRConnector(
                "acme", api_key="key", origin=emu.base_url, host=host, bulk=bulk, policy=RetryPolicy(attempts=1)
            )
            list(reader.iter_employees())
            list(reader.iter_changes(datetime(2020, 1, 1, tzinfo=UTC)))
            list(reader.iter_job_history(datetime(2020, 1, 1, tzinfo=UTC)))
        reader.register_webhook("https://flipside.example/webhooks/bamboohr/1")
        oauth = BambooHRConnector.oauth_client(
            "acme",
            client_id="client",
            client_secret="secret",
            token={**emu.tokens.issue("client"), "expires_at": 2**40},
        )
        list(BambooHRConnector("acme", oauth=oauth, origin=emu.base_url).iter_listed(limit=5))
    finally:
        emu.stop()
    assert len(emu.requests) >= 8
    for sent in emu.requests:
        template = spec_path(sent.path)
        operation = spec()["paths"][template][sent.method.lower()]
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query" and parameter["name"] in sent.query:
                value = sent.query[parameter["name"]]
                if parameter["schema"].get("type") == "array":  # form style, not exploded: a,b,c
                    value = value.split(",")
                validator(
                    "paths",
                    template,
                    sent.method.lower(),
                    "parameters",
                    str(operation["parameters"].index(parameter)),
                    "schema",
                ).validate(value)
            if parameter.get("in") == "query" and parameter.get("required"):
                assert parameter["name"] in sent.query, (template, parameter["name"])
        if sent.method == "POST":
            assert sent.content_type == "application/json", template  # exactly, no charset
            request_schema(template, "post").validate(json.loads(sent.body))
