"""BambooHR connector: bulk and incremental employee reads, job history, webhook registration.

Declares BambooHR's specifics and leaves the loops to the shared pieces:
- hosts: `https://{company}.bamboohr.com/api/v1/...` (host="current") or the legacy
  `https://api.bamboohr.com/api/gateway.php/{company}/v1/...` (host="legacy"); `origin` replaces the
  scheme and host (a loopback emulator in tests);
- auth: an API key as the Basic username (password "x"), or an `OAuthClient` (see `oauth_client()`);
- bulk: one streamed `POST /reports/custom?format=json` (Content-Type exactly `application/json`,
  parsed with ijson so 100k employees never sit in memory) or the paged `POST /api/v2/datasets/{name}/data`;
- incremental: `GET /employees/changed` (a map keyed by id), then the changed ids through the bulk path;
- fields the key may not read are dropped silently by BambooHR: `unreadable_fields` names them.
The dataset field names are assumed to be the custom-report aliases (unverified).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import ijson
import requests

from plugin.connectors.base import Item, JobChange, records_from
from plugin.connectors.http import DEFAULT_TIMEOUT, BodyStream, RetryPolicy, make_session, send
from plugin.connectors.mapping import FieldMapping, missing_fields, to_date, to_datetime, to_email, to_text
from plugin.connectors.oauth import OAuthClient, TokenCallback
from plugin.connectors.pagination import Page, cursor_pages, numbered_pages
from plugin.domain.employee import EmployeeRecord, EmploymentStatus
from plugin.errors import BadRecord, ConfigError, FatalError, RetriableError

VENDOR = "bamboohr"
ERROR_HEADERS = ("X-BambooHR-Error-Message", "X-BambooHR-Error-Messsage")  # the misspelling is seen live
DEFAULT_FIELDS: dict[str, str | None] = {
    "source_id": "id",
    "employee_number": "employeeNumber",
    "first_name": "firstName",
    "last_name": "lastName",
    "preferred_name": "preferredName",
    "display_name": "displayName",
    "work_email": "workEmail",
    "job_title": "jobTitle",
    "department": "department",
    "division": "division",
    "location": "location",
    "country": "country",
    "manager_source_id": "supervisorEId",
    "employment_status_raw": "employmentHistoryStatus",
    "active": "status",
    "hire_date": "hireDate",
    "termination_date": "terminationDate",
    "source_modified_at": "lastChanged",
    # custom fields most tenants add for this; a connection re-points them to its own field ids
    "job_level": "customJobLevel",
    "function": "customFunction",
    "languages": "customLanguages",
    "expertise": "customExpertise",
    "preferred_language": "customPreferredLanguage",
    "learning_goals": "customLearningGoals",
    "birth_year": "dateOfBirth",
}
BATCH = 500  # employee ids per incremental report request
WEBHOOK_EVENTS = ("employee.created", "employee.updated", "employee.deleted")
LISTED_TARGETS = {
    "workEmail": "work_email",
    "departmentName": "department",
    "divisionName": "division",
    "locationName": "location",
    "reportsToId": "manager_source_id",
    "jobTitleName": "job_title",
    "employmentStatusName": "employment_status_raw",
    "preferredName": "preferred_name",
}
LIST_FIELDS = ("workEmail", "departmentName", "divisionName", "locationName", "reportsToId", "employmentStatusName")


@dataclass(frozen=True)
class WebhookRegistration:
    """A webhook BambooHR created for us; the private key is shown once and must be stored encrypted."""

    id: str
    private_key: str
    url: str


class BambooHRConnector:
    """Reads one BambooHR company's employees as EmployeeRecords (or Rejections)."""

    source_system = VENDOR

    def __init__(
        self,
        company: str,
        *,
        api_key: str | None = None,
        oauth: OAuthClient | None = None,
        host: str = "current",
        origin: str | None = None,
        mapping: FieldMapping | None = None,
        bulk: str = "custom_report",
        dataset: str = "employee",
        page_size: int = 1000,
        policy: RetryPolicy | None = None,
        timeout=DEFAULT_TIMEOUT,
        today: date | None = None,
    ):
        if (api_key is None) == (oauth is None):
            raise ConfigError("give exactly one of api_key or oauth")
        if host not in ("current", "legacy") or bulk not in ("custom_report", "dataset"):
            raise ConfigError(f"unknown host form {host!r} or bulk path {bulk!r}")
        self.company, self.host, self.bulk, self.dataset = company, host, bulk, dataset
        self.origin = origin.rstrip("/") if origin else None
        self.mapping = mapping or FieldMapping.build(DEFAULT_FIELDS)
        self.page_size = min(page_size, 1000)
        self.policy, self.timeout, self.today = policy or RetryPolicy(), timeout, today
        self.session = oauth.session if oauth else make_session()
        self._refresh = oauth.refresh if oauth else None
        if api_key is not None:
            self.session.auth = (api_key, "x")
        self.unreadable_fields: frozenset[str] = frozenset()
        self.next_since: datetime | None = None

    @staticmethod
    def oauth_client(
        company: str,
        *,
        client_id: str,
        client_secret: str,
        token: dict | None = None,
        on_token: TokenCallback | None = None,
        redirect_uri: str | None = None,
        origin: str | None = None,
    ) -> OAuthClient:
        """An OAuthClient for BambooHR's token endpoint (client credentials in the form body)."""
        root = (origin or f"https://{company}.bamboohr.com").rstrip("/")
        return OAuthClient(
            client_id=client_id,
            client_secret=client_secret,
            token=token,
            on_token=on_token,
            token_endpoint=f"{root}/token.php?request=token",
            auth_method="client_secret_post",
            redirect_uri=redirect_uri,
            vendor=VENDOR,
        )

    @staticmethod
    def authorize_endpoint(company: str, origin: str | None = None) -> str:
        """Where the admin consents (add client_id, redirect_uri, scope, state via OAuthClient)."""
        return f"{(origin or f'https://{company}.bamboohr.com').rstrip('/')}/authorize.php?request=authorize"

    def url(self, path: str, version: str = "v1") -> str:
        """The API URL of `path` in this connection's host form."""
        if self.host == "legacy":
            return f"{self.origin or 'https://api.bamboohr.com'}/api/gateway.php/{self.company}/{version}/{path}"
        return f"{self.origin or f'https://{self.company}.bamboohr.com'}/api/{version}/{path}"

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        kwargs.setdefault("headers", {}).setdefault("Accept", "application/json")
        return send(
            self.session,
            method,
            url,
            policy=self.policy,
            refresh=self._refresh,
            vendor=VENDOR,
            error_headers=ERROR_HEADERS,
            timeout=self.timeout,
            **kwargs,
        )

    def request_json(self, method: str, path: str, **kwargs):
        """One API call answered with JSON (training write-back and other small endpoints)."""
        return self._json(method, path, **kwargs)

    def _json(self, method: str, path: str, version: str = "v1", **kwargs):
        body = self._send(method, self.url(path, version), **kwargs).json()
        if isinstance(body, dict) and isinstance(body.get("error"), dict) and len(body) == 1:
            raise FatalError(f"{VENDOR} answered an error: {body['error'].get('message') or body['error']}")
        return body

    # -- employees ---------------------------------------------------------------------------------
    def iter_employees(self) -> Iterator[Item]:
        """Every employee, active and inactive, through the bulk path."""
        return records_from(self._raw_records(), self._converter())

    def iter_changes(self, since: datetime) -> Iterator[Item]:
        """Employees inserted, updated or deleted after `since`; then `next_since` holds BambooHR's latest."""
        body = self._json("GET", "employees/changed", params={"since": _iso(since), "type": "all"})
        changed = body.get("employees") or {}
        self.next_since = to_datetime(body.get("latest"), "latest") or since
        deleted = [(i, e) for i, e in changed.items() if (e or {}).get("action") == "Deleted"]
        live = [int(i) for i, e in changed.items() if (e or {}).get("action") != "Deleted"]
        for source_id, entry in deleted:
            yield EmployeeRecord(
                source_system=VENDOR,
                source_id=str(source_id),
                deleted=True,
                source_modified_at=_when(entry.get("lastChanged")),
            )
        for start in range(0, len(live), BATCH):
            yield from records_from(self._raw_records(live[start : start + BATCH]), self._converter())

    def iter_employees_by_id(self, source_ids: list[str]) -> Iterator[Item]:
        """The named employees only (a webhook's), through the bulk path filtered by id."""
        ids = [int(i) if str(i).isdigit() else str(i) for i in source_ids]  # BambooHR's ids are numeric
        for start in range(0, len(ids), BATCH):
            yield from records_from(self._raw_records(ids[start : start + BATCH]), self._converter())

    def sample_raw(self, n: int = 5) -> list[dict]:
        """The first `n` raw records of the bulk read, for the mapping preview."""
        rows = []
        for raw in self._raw_records():
            rows.append(dict(raw))
            if len(rows) >= n:
                break
        return rows

    def _converter(self):
        return self.mapping.compile(VENDOR, today=self.today)

    def _raw_records(self, ids: list[int | str] | None = None) -> Iterator[Mapping]:
        # BambooHR drops fields the key may not read, and may leave others out of single rows: every
        # row is checked (the record itself keeps stored values for what it lacks, see mapping.compile)
        fields = self.mapping.vendor_fields()
        read = self._custom_report if self.bulk == "custom_report" else self._dataset
        missing = set(self.unreadable_fields)
        for raw in read(fields, ids):
            if not all(f in raw for f in fields):
                missing |= missing_fields(fields, raw)
                self.unreadable_fields = frozenset(missing)
            yield raw

    def _custom_report(self, fields: list[str], ids: list[int | str] | None) -> Iterator[Mapping]:
        report = {"title": "Flipside sync", "fields": fields, "filterDuplicates": "yes"}
        if ids is not None:
            report["filters"] = {"employeeIds": ids}
        response = self._send(
            "POST",
            self.url("reports/custom"),
            params={"format": "json"},
            stream=True,
            data=json.dumps(report),
            headers={"Content-Type": "application/json"},
        )
        with response:
            try:
                yield from ijson.items(BodyStream(response, vendor=VENDOR), "employees.item")
            except ijson.JSONError as err:
                raise RetriableError(f"{VENDOR} custom report was cut short: {err}") from err

    def _dataset(self, fields: list[str], ids: list[int | str] | None) -> Iterator[Mapping]:
        query: dict = {"fields": fields, "pageSize": self.page_size}
        if ids is not None:
            query["filter"] = f"id in ({','.join(str(i) for i in ids)})"

        def fetch(number: int) -> Page:
            body = self._json("POST", f"datasets/{self.dataset}/data", "v2", json={**query, "page": number})
            rows = [row.get("fields") or {} for row in body.get("data") or []]
            return Page(rows, total=(body.get("meta") or {}).get("totalPages"))

        return numbered_pages(fetch, page_size=self.page_size)

    # -- the list API (OAuth only) ----------------------------------------------------------------
    def iter_listed(self, *, limit: int = 100, restarts: int = 3) -> Iterator[EmployeeRecord]:
        """Every employee from the cursor-paged `/employees` list (OAuth); a stale cursor restarts it.

        BambooHR answers 400 BadPage when the boundary employee changed between calls; the read then
        starts again and skips people already yielded. Restricted fields are reported unreadable.
        """
        seen: set[str] = set()
        restricted: set[str] = set()
        for _ in range(restarts + 1):
            try:
                for item in cursor_pages(self._list_page(min(limit, 100), restricted)):
                    if item["employeeId"] not in seen:
                        seen.add(item["employeeId"])
                        yield listed_record(item)
                self.unreadable_fields = frozenset(restricted)
                return
            except _StaleCursor:
                continue
        raise RetriableError(f"{VENDOR} employee list kept changing under the cursor")

    def _list_page(self, limit: int, restricted: set[str]):
        def fetch(cursor) -> Page:
            params = {"page[limit]": limit, "fields": ",".join(LIST_FIELDS)}
            if cursor:
                params["page[after]"] = cursor
            response = self._send("GET", self.url("employees"), params=params, passthrough=(400,))
            body = response.json()
            if response.status_code == 400:
                if (body.get("error") or {}).get("code") == "BadPage":
                    raise _StaleCursor
                raise FatalError(f"{VENDOR} refused the employee list: {body.get('error')}")
            for item in body.get("data") or []:
                restricted.update(item.get("_restrictedFields") or ())
            next_cursor = ((body.get("meta") or {}).get("page") or {}).get("nextCursor")
            return Page(body.get("data") or [], next=next_cursor)

        return fetch

    # -- job history -------------------------------------------------------------------------------
    def iter_job_history(self, since: datetime | None = None) -> Iterator[JobChange]:
        """Job info rows (title, department, manager... by date) of everyone, or of employees changed."""
        if since is None:
            rows = self._json("GET", "employees/all/tables/jobInfo")
        else:
            body = self._json("GET", "employees/changed/tables/jobInfo", params={"since": _iso(since)})
            changed = (body.get("employees") or {}).items()
            rows = [
                dict(row, employeeId=row.get("employeeId") or eid)
                for eid, entry in changed
                for row in entry.get("rows") or []
            ]
        for row in rows or []:
            yield _job_change(row)

    # -- webhooks ----------------------------------------------------------------------------------
    def register_webhook(
        self,
        url: str,
        *,
        name: str = "Flipside",
        events: Iterable[str] = WEBHOOK_EVENTS,
        monitor_fields: Iterable[str] | None = None,
        form_encoded: bool = False,
    ) -> WebhookRegistration:
        """Create BambooHR's webhook to `url` (https) and return its id and once-only private key."""
        monitor = list(monitor_fields) if monitor_fields is not None else self._monitorable()
        body = {
            "name": name,
            "url": url,
            "format": "form-encoded" if form_encoded else "json",
            "events": list(events),
            "monitorFields": monitor,
        }
        created = self._json("POST", "webhooks", json=body)
        if not created.get("privateKey"):
            raise FatalError(f"{VENDOR} created webhook {created.get('id')} without a private key")
        return WebhookRegistration(id=str(created["id"]), private_key=created["privateKey"], url=url)

    def _monitorable(self) -> list[str]:
        return [f for f in self.mapping.vendor_fields() if f not in ("id", "lastChanged")]


class _StaleCursor(RetriableError):
    """BambooHR's BadPage: the cursor's boundary employee changed; start the list again."""


def listed_record(item: Mapping) -> EmployeeRecord:
    """An EmployeeRecord from one `/employees` list item (fixed field names; restricted values are null)."""
    active = item.get("status") == "Active"
    restricted = frozenset(item.get("_restrictedFields") or ())
    unsent = frozenset(t for f, t in LISTED_TARGETS.items() if f in restricted)  # null, but not blank
    return EmployeeRecord(
        unsent=unsent,
        source_system=VENDOR,
        source_id=str(item["employeeId"]),
        first_name=to_text(item.get("firstName")) or "",
        last_name=to_text(item.get("lastName")) or "",
        preferred_name=to_text(item.get("preferredName")),
        job_title=to_text(item.get("jobTitleName")),
        work_email=to_email(item.get("workEmail")),
        department=to_text(item.get("departmentName")),
        division=to_text(item.get("divisionName")),
        location=to_text(item.get("locationName")),
        manager_source_id=to_text(item.get("reportsToId")),
        employment_status=EmploymentStatus.ACTIVE if active else EmploymentStatus.OTHER,
        employment_status_raw=to_text(item.get("employmentStatusName")),
    )


def _when(value) -> datetime | None:
    try:
        return to_datetime(value, "lastChanged")
    except BadRecord:
        return None


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _job_change(row: Mapping) -> JobChange:
    try:
        effective = to_date(row.get("date"), "jobInfo date")
    except BadRecord:
        effective = None  # an undated row still tells what the job was
    return JobChange(
        source_id=str(row.get("employeeId")),
        effective_date=effective,
        job_title=to_text(row.get("jobTitle")),
        department=to_text(row.get("department")),
        division=to_text(row.get("division")),
        location=to_text(row.get("location")),
        manager=to_text(row.get("reportsTo")),
    )
