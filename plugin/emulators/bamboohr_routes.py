"""The BambooHR emulator's API endpoints, mounted under both host forms."""

from __future__ import annotations

import json
import math
import re
import secrets
from datetime import datetime

from flask import Response, abort, g, request

from plugin.emulators import bamboohr_shape as shape

LIST_FIELDS = {
    "workEmail": "workEmail",
    "hireDate": "hireDate",
    "departmentName": "department",
    "divisionName": "division",
    "locationName": "location",
    "reportsToId": "supervisorEId",
    "employmentStatusName": "employmentHistoryStatus",
}
_ID_FILTER = re.compile(r"^\s*id\s+in\s*\(([\d,\s]*)\)\s*$")


def _json(body, status: int = 200, mimetype: str = "application/json") -> Response:
    return Response(json.dumps(body), status=status, mimetype=mimetype)


def _since(emu):
    try:
        return datetime.fromisoformat(request.args["since"])
    except (KeyError, ValueError):
        abort(emu.fail(400, "The since parameter is missing or is not a valid ISO 8601 date"))


class BambooHRApi:
    """The emulated API's views over one emulator's state."""

    def __init__(self, emu):
        self.emu = emu

    def _company_ok(self, kw):
        if kw.get("company", self.emu.company) != self.emu.company:
            abort(self.emu.fail(404, "Unknown company"))

    def _readable(self, fields):
        return [f for f in fields if f in shape.FIELD_TYPES and f not in self.emu.restricted]

    def _manager_name(self, source_id):
        boss = self.emu.roster.records.get(source_id or "")
        return f"{boss.first_name} {boss.last_name}" if boss else ""

    def directory(self, **kw):
        """GET /employees/directory: active employees, XML unless JSON is asked for."""
        self._company_ok(kw)
        if not self.emu.directory_shared:
            return self.emu.fail(403, "The company directory is not shared")
        only_current = request.args.get("onlyCurrent", "true").lower() != "false"
        rows = [
            self.emu.vendor_row(i)
            for i, r in list(self.emu.roster.records.items())
            if r.active and not (only_current and r.employment_status == "pending")
        ]
        if not rows:
            return self.emu.fail(404, "The directory is empty")
        fields = self._readable(shape.DIRECTORY_FIELDS)
        rows = [{"id": row["id"], **{f: row[f] for f in fields}} for row in rows]
        if "application/json" in request.headers.get("Accept", ""):
            return _json({"fields": shape.field_meta(fields), "employees": rows})
        return Response(shape.directory_xml(fields, rows), mimetype="application/xml")

    def employees(self, **kw):
        """GET /employees (OAuth only): cursor pages, `_restrictedFields`, BadPage on a stale cursor."""
        self._company_ok(kw)
        if not g.oauth:
            return self.emu.fail(403, "This endpoint requires OAuth")
        ids = list(self.emu.roster.records)
        after, limit = request.args.get("page[after]"), int(request.args.get("page[limit]", 250))
        if after is not None and after not in self.emu.roster.records:
            return _json({"error": {"code": "BadPage", "message": "The page cursor is no longer valid"}}, 400)
        start = ids.index(after) + 1 if after is not None else 0
        page = ids[start : start + limit]
        extra = [f for f in request.args.get("fields", "").split(",") if f in LIST_FIELDS]
        data = [_list_item(self.emu.vendor_row(i), extra, self.emu.restricted) for i in page]
        more = start + limit < len(ids)
        base = f"{request.base_url}?page%5Blimit%5D={limit}"
        links = {"self": {"href": request.url}}
        if more:
            links["next"] = {"href": f"{base}&page%5Bafter%5D={page[-1]}"}
        meta = {
            "total": len(ids),
            "page": {"limit": limit, "nextCursor": page[-1] if more else None, "prevCursor": None},
        }
        return _json({"data": data, "meta": meta, "_links": links})

    def employee(self, employee_id, **kw):
        """GET /employees/{id}: the asked fields, restricted ones omitted."""
        self._company_ok(kw)
        if employee_id not in self.emu.roster.records:
            return self.emu.fail(404, "Employee not found")
        row = self.emu.vendor_row(employee_id)
        wanted = self._readable(request.args.get("fields", "firstName,lastName").split(","))
        return _json({"id": employee_id, **{f: row[f] for f in wanted}})

    def changed(self, **kw):
        """GET /employees/changed: a map keyed by id of employees changed after `since`."""
        self._company_ok(kw)
        since, kind = _since(self.emu), request.args.get("type", "all").lower()
        if kind not in ("inserted", "updated", "deleted", "all"):
            return self.emu.fail(400, "type must be inserted, updated, deleted or all")
        hits = [(i, c) for i, c in self.emu.roster.changed_since(since) if kind in ("all", c.action.lower())]
        latest = max((c.at for _, c in hits), default=since)
        return _json(
            {
                "latest": shape.stamp(latest),
                "employees": {i: {"id": i, "action": c.action, "lastChanged": shape.stamp(c.at)} for i, c in hits},
            }
        )

    def _job_rows(self, source_id):
        rows = []
        for n, (effective, rec) in enumerate(self.emu.roster.jobs.get(source_id, []), start=1):
            row = shape.job_row(n, rec, effective, self._manager_name(rec.manager_source_id))
            rows.append({k: v for k, v in row.items() if k not in self.emu.restricted})
        return rows

    def table(self, employee_id, table_name, **kw):
        """GET /employees/{id|all}/tables/jobInfo."""
        self._company_ok(kw)
        if table_name != "jobInfo":
            return self.emu.fail(404, "Only the jobInfo table is emulated")
        ids = list(self.emu.roster.records) if employee_id == "all" else [employee_id]
        if employee_id != "all" and employee_id not in self.emu.roster.records:
            return self.emu.fail(404, "Employee not found")
        return _json([row for i in ids for row in self._job_rows(i)])

    def changed_table(self, table_name, **kw):
        """GET /employees/changed/tables/jobInfo: every row of each changed employee."""
        self._company_ok(kw)
        if table_name != "jobInfo":
            return self.emu.fail(404, "Only the jobInfo table is emulated")
        since = _since(self.emu)
        hits = [(i, c) for i, c in self.emu.roster.changed_since(since) if i in self.emu.roster.records]
        return _json(
            {
                "table": table_name,
                "employees": {i: {"lastChanged": shape.stamp(c.at), "rows": self._job_rows(i)} for i, c in hits},
            }
        )

    def custom_report(self, **kw):
        """POST /reports/custom: a streamed report; exact JSON Content-Type or 400 "Malformed XML"."""
        self._company_ok(kw)
        if request.headers.get("Content-Type") != "application/json":
            return self.emu.fail(400, "Malformed XML")
        fmt = request.args.get("format")
        accept_json = fmt is None and request.headers.get("Accept") == "application/json"
        if (fmt or "").lower() != "json" and not accept_json:
            return self.emu.fail(404, "Report format not found")
        try:
            spec = json.loads(request.get_data() or b"{}")
        except ValueError:
            return self.emu.fail(400, "Malformed JSON")
        asked = spec.get("fields") or []
        if len(asked) > 400:
            return self.emu.fail(400, "At most 400 fields per report")
        fields = [f for f in self._readable(asked) if f != "id"]
        filters = spec.get("filters") or {}
        ids = _report_ids(self.emu, filters)
        rows = (row for i in ids if (row := self.emu.report_row(i, fields)) is not None)
        return Response(shape.report_chunks(spec.get("title") or "Report", fields, rows), mimetype="application/json")

    def dataset(self, dataset_name, **kw):
        """POST /api/v2/datasets/{name}/data: numbered pages of at most 1000, RFC 7807 problems."""
        self._company_ok(kw)
        spec = request.get_json(silent=True) or {}
        page, size = int(spec.get("page", 1)), int(spec.get("pageSize", 100))
        problem = _dataset_problem(dataset_name, spec, page, size)
        if problem:
            return _json(problem, problem["status"], "application/problem+json")
        ids = list(self.emu.roster.records)
        if spec.get("filter"):
            wanted = set(_ID_FILTER.match(spec["filter"]).group(1).replace(" ", "").split(","))
            ids = [i for i in ids if i in wanted]
        fields = self._readable(spec.get("fields") or [])
        pages = max(1, math.ceil(len(ids) / size))
        data = [
            {"fields": {f: row[f] for f in fields if f in row}}
            for i in ids[(page - 1) * size : page * size]
            if (row := self.emu.report_row(i, fields)) is not None
        ]
        links = {
            "next": f"{request.base_url}?page={page + 1}" if page < pages else None,
            "prev": f"{request.base_url}?page={page - 1}" if page > 1 else None,
        }
        meta = {"page": page, "pageSize": size, "totalPages": pages, "totalItems": len(ids)}
        return _json({"data": data, "links": links, "meta": meta})

    def webhooks(self, **kw):
        """GET/POST /webhooks: list, or create one and return its private key once."""
        self._company_ok(kw)
        if request.method == "GET":
            return _json(
                {
                    "webhooks": [
                        {k: h[k] for k in ("id", "name", "created", "lastSent", "url")}
                        for h in self.emu.webhooks.values()
                    ]
                }
            )
        return _create_webhook(self.emu, request.get_json(silent=True))

    def mount(self, app) -> None:
        """Mount every endpoint on `/api/{v}/...` and `/api/gateway.php/{company}/{v}/...`."""
        routes = [
            ("/employees/directory", self.directory, ["GET"]),
            ("/employees", self.employees, ["GET"]),
            ("/employees/changed", self.changed, ["GET"]),
            ("/webhooks", self.webhooks, ["GET", "POST"]),
            ("/employees/changed/tables/<table_name>", self.changed_table, ["GET"]),
            ("/employees/<employee_id>", self.employee, ["GET"]),
            ("/employees/<employee_id>/tables/<table_name>", self.table, ["GET"]),
            ("/reports/custom", self.custom_report, ["POST"]),
        ]
        for n, prefix in enumerate(("/api/v1", "/api/gateway.php/<company>/v1")):
            for path, view, methods in routes:
                app.add_url_rule(prefix + path, f"{view.__name__}{n}", view, methods=methods)
        for n, prefix in enumerate(("/api/v2", "/api/gateway.php/<company>/v2")):
            app.add_url_rule(f"{prefix}/datasets/<dataset_name>/data", f"dataset{n}", self.dataset, methods=["POST"])


def _report_ids(emu, filters: dict) -> list[str]:
    ids = list(emu.roster.records)
    if filters.get("employeeIds") is not None:
        wanted = {str(i) for i in filters["employeeIds"]}
        ids = [i for i in ids if i in wanted]
    last = (filters.get("lastChanged") or {}).get("value")
    if last:
        since = datetime.fromisoformat(last)
        ids = [i for i in ids if emu.roster.changes[i].at >= since]
    return ids


def _dataset_problem(name: str, spec: dict, page: int, size: int) -> dict | None:
    def problem(status, title, detail):
        return {"type": "about:blank", "title": title, "status": status, "detail": detail}

    if name != "employee":
        return problem(404, "Not Found", f"Dataset {name} does not exist")
    if not isinstance(spec.get("fields"), list) or not spec["fields"]:
        return problem(400, "Bad Request", "fields is required")
    if not 1 <= size <= 1000 or page < 1:
        return problem(422, "Unprocessable Entity", "page must be >= 1 and pageSize between 1 and 1000")
    if spec.get("filter") and not _ID_FILTER.match(spec["filter"]):
        return problem(422, "Unprocessable Entity", "only `id in (...)` filters are emulated")
    return None


def _list_item(row: dict, extra: list[str], restricted: frozenset) -> dict:
    base = {
        "employeeId": row["id"],
        "firstName": row["firstName"],
        "lastName": row["lastName"],
        "preferredName": row["preferredName"] or None,
        "photoUrl": None,
        "jobTitleName": row["jobTitle"] or None,
        "status": row["status"],
    }
    base.update({name: row[LIST_FIELDS[name]] or None for name in extra})
    hidden = [
        k for k in base if LIST_FIELDS.get(k, k) in restricted or (k == "jobTitleName" and "jobTitle" in restricted)
    ]
    for k in hidden:
        base[k] = None
    base["_restrictedFields"] = hidden
    return base


def _create_webhook(emu, body) -> Response:
    issues = []
    if not isinstance(body, dict):
        body, issues = {}, ["body must be a JSON object"]
    issues += [f"{k} is required" for k in ("name", "url", "format") if not body.get(k)]
    if body.get("url") and not str(body["url"]).startswith("https://"):
        issues.append("url must begin with https://")
    if body.get("format") and body["format"] not in ("json", "form-encoded"):
        issues.append("format must be json or form-encoded")
    events = body.get("events") or [
        "employee_with_fields.updated",
        "employee_with_fields.deleted",
        "employee_with_fields.created",
    ]
    if {"employee.updated", "employee_with_fields.updated"} & set(events) and not body.get("monitorFields"):
        issues.append("monitorFields is required for updated events")
    if issues:
        return _json({"errors": [{"error": "Invalid request body", "issues": issues}]}, 400)
    denied = [f for f in body.get("monitorFields") or [] if f in emu.restricted]
    if denied:
        return _json(
            {
                "errors": [
                    {
                        "error": "Permission denied to the following fields",
                        "monitorFields": [{"id": 0, "name": f} for f in denied],
                    }
                ]
            },
            403,
        )
    hook = {
        "id": str(len(emu.webhooks) + 1),
        "name": body["name"],
        "created": "2026-01-05 09:00:00",
        "lastSent": None,
        "monitorFields": body.get("monitorFields"),
        "postFields": body.get("postFields") or {},
        "url": body["url"],
        "format": body["format"],
        "privateKey": secrets.token_hex(32),
        "includeCompanyDomain": bool(body.get("includeCompanyDomain")),
        "events": events,
    }
    emu.webhooks[hook["id"]] = hook
    return _json(hook, 201)
