"""A loopback Workday built from the vendor facts, serving a workforce given as EmployeeRecords.

OAuth "API Client for Integrations" (`/ccx/oauth2/{tenant}/token`, client auth Basic, refresh-token
grant for an integration system user; `invalid_grant` once the refresh token lapses), REST workers
(`limit` <= 100, default 20, empty values omitted, unknown keys, a `total` that can drift), and a
Reports-as-a-Service report streamed as one `{"Report_Entry": [...]}` with `Updated_From` /
`Updated_Through` prompts for incremental reads; outbound notifications for webhook tests; faults;
learning records written back on an assumed REST form (`/ccx/api/learning/v1/{tenant}/records`).

    emulator = WorkdayEmulator(workforce).start()
    refresh_token = emulator.refresh_token            # minted for the ISU
    connector = WorkdayConnector("wd", "acme", oauth=..., report=emulator.report, origin=emulator.base_url)
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from flask import Flask, Response, request

from plugin.domain.employee import EmployeeRecord, EmploymentStatus
from plugin.emulators.hris import HrisEmulator
from plugin.emulators.server import LoopbackServer, json_array_chunks
from plugin.emulators.state import Clock, Faults, Roster, Seen, seen
from plugin.emulators.tokens import InvalidGrant, TokenIssuer

STATUS = {
    EmploymentStatus.ACTIVE: ("Active", "1"),
    EmploymentStatus.PENDING: ("Active", "1"),
    EmploymentStatus.ON_LEAVE: ("On Leave", "1"),
    EmploymentStatus.TERMINATED: ("Terminated", "0"),
    EmploymentStatus.OTHER: ("Inactive", "0"),
}
CARRIED = (
    "source_id",
    "employee_number",
    "first_name",
    "last_name",
    "preferred_name",
    "work_email",
    "job_title",
    "job_level",
    "department",
    "division",
    "function",
    "location",
    "country",
    "region",
    "timezone",
    "manager_source_id",
    "is_manager",
    "employment_status",
    "employment_type",
    "hire_date",
    "start_date",
    "termination_date",
    "preferred_language",
    "languages",
    "expertise",
)


def report_entry(r: EmployeeRecord, changed: datetime, omit: frozenset = frozenset()) -> dict:
    """One Report_Entry row of Flipside's suggested report; empty values are left out, as Workday does."""
    status, active = STATUS[r.employment_status]
    row = {
        "Workday_ID": r.source_id,
        "Employee_ID": r.employee_number,
        "First_Name": r.first_name,
        "Last_Name": r.last_name,
        "Preferred_Name": r.preferred_name,
        "Work_Email": r.work_email,
        "Business_Title": r.job_title,
        "Management_Level": f"{r.job_level} Level" if r.job_level else None,
        "Supervisory_Organization": r.department,
        "Company": r.division,
        "Job_Family_Group": r.function,
        "Location": r.location,
        "Country": r.country,
        "Region": r.region,
        "Time_Zone": r.timezone,
        "Manager_Workday_ID": r.manager_source_id,
        "Is_Manager": "1" if r.is_manager else "0",
        "Worker_Status": r.employment_status_raw or status,
        "Active_Status": active,
        "Worker_Type": r.employment_type,
        "Hire_Date": _wd_date(r.hire_date),
        "Original_Hire_Date": _wd_date(r.start_date),
        "Termination_Date": _wd_date(r.termination_date),
        "Preferred_Language": r.preferred_language,
        "Languages": [{"Language": x} for x in r.languages] or None,
        "Skills": [{"Skill": x} for x in r.expertise] or None,
        "Last_Updated": changed.isoformat(),
    }
    return {k: v for k, v in row.items() if v not in (None, "") and k not in omit}


def _wd_date(value) -> str | None:
    return f"{value.isoformat()}-08:00" if value else None  # Workday dates carry the tenant's offset


def worker(r: EmployeeRecord, *, detail: bool = False) -> dict:
    """A REST worker; `detail` adds what `/workers/{id}` adds."""
    body = {
        "id": r.source_id,
        "descriptor": r.name,
        "businessTitle": r.job_title,
        "primaryWorkEmail": r.work_email,
        "isManager": r.is_manager,
        "_releaseNote": "unknown keys appear between releases",
        "primarySupervisoryOrganization": {"id": f"org-{r.department}", "descriptor": r.department}
        if r.department
        else None,
    }
    if detail:
        body.update(
            location={"id": f"loc-{r.location}", "descriptor": r.location} if r.location else None,
            yearsOfService=None,
            supervisoryOrganizationsManaged=None,
        )
    return {k: v for k, v in body.items() if v not in (None, "")}


class WorkdayEmulator(HrisEmulator):
    """One emulated Workday tenant. Mutate it with hire/update/terminate between reads."""

    def __init__(
        self,
        workforce: Iterable[EmployeeRecord],
        *,
        tenant: str = "acme",
        client_id: str = "client",
        client_secret: str = "secret",  # noqa: S107 - emulator only
        report: str = "isu_flipside/Workers",
        omit_columns: Iterable[str] = (),
        total_drift: int = 0,
        faults: Faults | None = None,
        clock: Clock | None = None,
        refresh_token: str | None = None,
    ):
        self.tenant, self.report = tenant, report
        self.clock = clock or Clock()
        self.roster = Roster(workforce, self.clock)
        self.tokens = TokenIssuer({client_id: client_secret}, rotate=False)
        self.refresh_token = self.tokens.grant_refresh_token(client_id, "system", refresh_token)
        self.omit = frozenset(omit_columns)
        self.total_drift, self.faults = total_drift, faults or Faults()
        self.requests: list[Seen] = []
        self.learning: list[dict] = []  # learning records written back (an assumed REST form)
        self.app = self._make_app()
        self.server = LoopbackServer(self.app)

    def expected(self) -> list[EmployeeRecord]:
        """The workers a full read should return."""
        return list(self.roster.records.values())

    def notification(self, source_id: str, process: str = "Hire") -> bytes:
        """An outbound notification naming one worker, as Workday would POST it."""
        r = self.roster.records[source_id]
        return (
            '<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/'
            'envelope/"><env:Body><wd:Worker_Event_Notification xmlns:wd="urn:com.workday/bsvc">'
            f'<wd:Event_Reference><wd:ID wd:type="WID">evt-{source_id}-{process}</wd:ID></wd:Event_Reference>'
            f"<wd:Business_Process_Type>{process}</wd:Business_Process_Type><wd:Worker_Reference>"
            f'<wd:ID wd:type="WID">{r.source_id}</wd:ID>'
            f'<wd:ID wd:type="Employee_ID">{r.employee_number or ""}</wd:ID></wd:Worker_Reference>'
            "</wd:Worker_Event_Notification></env:Body></env:Envelope>"
        ).encode()

    # -- the app -----------------------------------------------------------------------------------
    def _make_app(self) -> Flask:
        app = Flask(f"workday-emulator-{id(self)}")
        app.before_request(self._gate)
        t = "/ccx/oauth2/<tenant>/token"
        app.add_url_rule(t, "token", self._token, methods=["POST"])
        app.add_url_rule("/ccx/api/v1/<tenant>/workers", "workers", self._workers)
        app.add_url_rule("/ccx/api/v1/<tenant>/workers/<worker_id>", "worker", self._worker)
        app.add_url_rule("/ccx/service/customreport2/<tenant>/<owner>/<name>", "report", self._report)
        app.add_url_rule("/ccx/api/learning/v1/<tenant>/records", "learning", self._learning, methods=["GET", "POST"])
        return app

    def _gate(self):
        fault = self.faults.draw()
        if fault in ("429", "503"):
            return Response("", status=int(fault), headers={"Retry-After": str(self.faults.retry_after)})
        if fault == "timeout":
            return Response("", status=503)
        if request.view_args and request.view_args.get("tenant") != self.tenant:
            return _error(404, "Unknown tenant")
        self.requests.append(seen(request))
        if request.endpoint == "token":
            return None
        auth = request.authorization
        if auth is None or auth.type != "bearer" or not self.tokens.valid(auth.token or ""):
            return _error(401, "invalid or expired access token")
        return None

    def _token(self, tenant):
        client_id, secret = _basic(request.headers.get("Authorization"))
        if not self.tokens.client_ok(client_id, secret):
            return _error(401, "invalid_client", oauth=True)
        if request.form.get("grant_type") != "refresh_token":
            return _error(400, "unsupported_grant_type", oauth=True)
        try:
            token = self.tokens.refresh(client_id, request.form.get("refresh_token", ""))
        except InvalidGrant:
            return _error(400, "invalid_grant", oauth=True)
        return Response(json.dumps(token), mimetype="application/json")

    def _workers(self, tenant):
        try:
            limit, offset = int(request.args.get("limit", 20)), int(request.args.get("offset", 0))
        except ValueError:
            return _error(400, "limit and offset must be integers")
        if not 1 <= limit <= 100 or offset < 0:
            return _error(400, "limit must be between 1 and 100")
        ids = list(self.roster.records)
        data = [worker(self.roster.records[i]) for i in ids[offset : offset + limit]]
        return Response(
            json.dumps({"total": max(0, len(ids) + self.total_drift), "data": data}), mimetype="application/json"
        )

    def _worker(self, tenant, worker_id):
        record = self.roster.records.get(worker_id)
        if record is None:
            return _error(404, "worker not found")
        return Response(json.dumps(worker(record, detail=True)), mimetype="application/json")

    def _learning(self, tenant):
        if request.method == "GET":
            hits = [
                r
                for r in self.learning
                if r["worker"]["id"] == request.args.get("worker")
                and r["externalReference"] == request.args.get("externalReference")
            ]
            return Response(json.dumps({"total": len(hits), "data": hits}), mimetype="application/json")
        body = request.get_json(silent=True) or {}
        if (body.get("worker") or {}).get("id") not in self.roster.records or not body.get("completionDate"):
            return _error(400, "worker.id must name a worker and completionDate is required")
        record = {**body, "id": f"lr-{len(self.learning) + 1}"}
        self.learning.append(record)
        return Response(json.dumps(record), status=201, mimetype="application/json")

    def _report(self, tenant, owner, name):
        if f"{owner}/{name}" != self.report:
            return _error(404, "report not found")
        if request.args.get("format") != "json":
            return _error(400, "only format=json is emulated")
        try:
            since = _instant(request.args.get("Updated_From"))
            until = _instant(request.args.get("Updated_Through"))
        except ValueError:
            return _error(400, "Updated_From/Updated_Through must be ISO 8601 date-times")
        ids = [i for i, _ in self.roster.changed_since(since, until)] if since else list(self.roster.records)
        return Response(self._entries(ids), mimetype="application/json")

    def _entries(self, ids: list[str]) -> Iterator[bytes]:
        records, changes = self.roster.records, self.roster.changes
        rows = (report_entry(records[i], changes[i].at, self.omit) for i in ids if i in records)
        yield b'{"Report_Entry": ['
        yield from json_array_chunks(rows, 500)
        yield b"]}"


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _basic(header: str | None) -> tuple[str | None, str | None]:
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None, None
    user, _, password = base64.b64decode(encoded).decode().partition(":")
    return user, password


def _error(status: int, message: str, *, oauth: bool = False) -> Response:
    body = {"error": message} if oauth else {"error": message, "errors": [{"error": message}]}
    return Response(json.dumps(body), status=status, mimetype="application/json")
