"""Workday connector: Reports-as-a-Service for bulk and incremental reads, REST workers for lookups.

Declares Workday's specifics and leaves the loops to the shared pieces:
- auth: an integration system user's refresh token through `oauth_client()` (client auth Basic,
  `grant_type=refresh_token` at `/ccx/oauth2/{tenant}/token`); a 401 refreshes once (tokens die
  before `expires_in` says); a lapsed refresh token (`invalid_grant`) -> `NeedsReconnect`;
- bulk: `GET /ccx/service/customreport2/{tenant}/{owner}/{report}?format=json`, one unpaged
  `{"Report_Entry": [...]}` parsed as a stream with ijson (100k rows never sit in memory);
- incremental: the same (or a second) report with date prompts (`Updated_From`, `Updated_Through` by
  default) over `[since, now]`; `next_since` is the `now` used, so no change falls between two reads;
- REST workers: `GET /ccx/api/v1/{tenant}/workers?limit&offset` (limit <= 100, ends on a short or empty
  page: `total` drifts) and `/workers/{id}` for one worker named by an outbound notification.

The report is defined by the customer; DEFAULT_FIELDS names the columns of Flipside's suggested
report definition, and a connection re-points any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime
from itertools import chain, islice

import ijson
import requests

from plugin.connectors.base import Item, records_from
from plugin.connectors.http import DEFAULT_TIMEOUT, BodyStream, RetryPolicy, send
from plugin.connectors.mapping import FieldMapping, to_bool, to_email, to_text
from plugin.connectors.oauth import OAuthClient, TokenCallback
from plugin.connectors.pagination import Page, offset_pages
from plugin.domain.employee import EmployeeRecord
from plugin.errors import FatalError, RetriableError

VENDOR = "workday"
DEFAULT_FIELDS: dict[str, str | None] = {
    "source_id": "Workday_ID",
    "employee_number": "Employee_ID",
    "first_name": "First_Name",
    "last_name": "Last_Name",
    "preferred_name": "Preferred_Name",
    "work_email": "Work_Email",
    "job_title": "Business_Title",
    "job_level": "Management_Level",
    "department": "Supervisory_Organization",
    "division": "Company",
    "function": "Job_Family_Group",
    "location": "Location",
    "country": "Country",
    "region": "Region",
    "timezone": "Time_Zone",
    "manager_source_id": "Manager_Workday_ID",
    "is_manager": "Is_Manager",
    "employment_status_raw": "Worker_Status",
    "active": "Active_Status",
    "employment_type": "Worker_Type",
    "hire_date": "Hire_Date",
    "start_date": "Original_Hire_Date",
    "termination_date": "Termination_Date",
    "preferred_language": "Preferred_Language",
    "languages": "Languages",
    "expertise": "Skills",
    "source_modified_at": "Last_Updated",
}
PROMPTS = ("Updated_From", "Updated_Through")
WORKERS_LIMIT = 100  # Workday's maximum page size
LOOKAHEAD = 500  # report rows read before the first is handed on, to learn which columns are readable


class WorkdayConnector:
    """Reads one Workday tenant's workers as EmployeeRecords (or Rejections)."""

    source_system = VENDOR

    def __init__(
        self,
        host: str,
        tenant: str,
        *,
        oauth: OAuthClient,
        report: str | None = None,
        incremental_report: str | None = None,
        prompts: tuple[str, str] = PROMPTS,
        mapping: FieldMapping | None = None,
        origin: str | None = None,
        policy: RetryPolicy | None = None,
        timeout=DEFAULT_TIMEOUT,
        clock: Callable[[], datetime] | None = None,
        today: date | None = None,
    ):
        self.host, self.tenant = host, tenant
        self.origin = (origin or f"https://{host}").rstrip("/")
        self.report, self.incremental_report, self.prompts = report, incremental_report or report, prompts
        self.mapping = mapping or FieldMapping.build(DEFAULT_FIELDS)
        self.session, self._refresh = oauth.session, oauth.refresh
        self.policy, self.timeout, self.today = policy or RetryPolicy(), timeout, today
        self.clock = clock or (lambda: datetime.now(UTC))
        self.unreadable_fields: frozenset[str] = frozenset()
        self.next_since: datetime | None = None

    @staticmethod
    def oauth_client(
        host: str,
        tenant: str,
        *,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        token: dict | None = None,
        on_token: TokenCallback | None = None,
        origin: str | None = None,
    ) -> OAuthClient:
        """An OAuthClient for an integration system user's refresh token (client auth Basic)."""
        root = (origin or f"https://{host}").rstrip("/")
        token = token or {"access_token": "", "token_type": "Bearer", "refresh_token": refresh_token, "expires_at": 0}
        return OAuthClient(
            client_id=client_id,
            client_secret=client_secret,
            token=token,
            on_token=on_token,
            token_endpoint=f"{root}/ccx/oauth2/{tenant}/token",
            vendor=VENDOR,
        )

    def _send(self, path: str, **kwargs) -> requests.Response:
        return send(
            self.session,
            "GET",
            f"{self.origin}{path}",
            policy=self.policy,
            refresh=self._refresh,
            vendor=VENDOR,
            timeout=self.timeout,
            headers={"Accept": "application/json"},
            **kwargs,
        )

    # -- reports -----------------------------------------------------------------------------------
    def iter_employees(self) -> Iterator[Item]:
        """Every worker the report returns (it should include terminated workers), as records."""
        return records_from(
            self._report_rows(self._require(self.report)),
            self._converter(),
            self.mapping.fields.get("source_id", "Workday_ID"),
        )

    def iter_changes(self, since: datetime) -> Iterator[Item]:
        """Workers changed in [since, now] through the report's date prompts; then `next_since` is now."""
        through = self.clock()
        params = {self.prompts[0]: _iso(since), self.prompts[1]: _iso(through)}
        rows = self._report_rows(self._require(self.incremental_report), params)
        yield from records_from(rows, self._converter(), self.mapping.fields.get("source_id", "Workday_ID"))
        self.next_since = through

    def sample_raw(self, n: int = 5) -> list[dict]:
        """The first `n` raw report rows, for the mapping preview."""
        rows = []
        for raw in self._report_rows(self._require(self.report)):
            rows.append(dict(raw))
            if len(rows) >= n:
                break
        return rows

    def _require(self, report: str | None) -> str:
        if not report:
            raise FatalError("no Workday report is configured for this connection (owner/report_name)")
        return report

    def _converter(self):
        return self.mapping.compile(VENDOR, today=self.today)

    def _report_rows(self, report: str, params: Mapping[str, str] | None = None) -> Iterator[Mapping]:
        fields = self.mapping.vendor_fields()
        self.unreadable_fields = frozenset()
        path = f"/ccx/service/customreport2/{self.tenant}/{report.strip('/')}"
        response = self._send(path, params={**(params or {}), "format": "json"}, stream=True)
        with response:
            rows = ijson.items(BodyStream(response, vendor=VENDOR), "Report_Entry.item", use_float=True)
            try:
                yield from self._noting_unreadable(rows, fields)
            except ijson.JSONError as err:
                raise RetriableError(f"{VENDOR} report was cut short: {err}") from err

    def _noting_unreadable(self, rows: Iterator[Mapping], fields: list[str]) -> Iterator[Mapping]:
        # Workday omits empty values entirely, so a column is unreadable only if no row carries it. A
        # column some row carries is readable: where a row lacks it, it is a blank (sent as null). A
        # column no row has carried yet is not sent, so the stored value stays; the first rows are read
        # ahead to learn the columns before any row is handed on.
        absent = set(fields)
        head = list(islice(rows, LOOKAHEAD))
        for row in head:
            absent.difference_update(row.keys())
        for row in chain(head, rows):
            if absent:
                absent.difference_update(row.keys())
            blanks = [f for f in fields if f not in row and f not in absent]
            yield {**row, **dict.fromkeys(blanks)} if blanks else row
        self.unreadable_fields = frozenset(absent)

    # -- REST workers ------------------------------------------------------------------------------
    def iter_workers(self, *, limit: int = WORKERS_LIMIT) -> Iterator[EmployeeRecord]:
        """Every worker through REST paging (fewer fields than the report; no termination data)."""
        limit = min(limit, WORKERS_LIMIT)

        def fetch(offset: int, size: int) -> Page:
            params = {"limit": size, "offset": offset}
            body = self._send(f"/ccx/api/v1/{self.tenant}/workers", params=params).json()
            return Page(body.get("data") or [], total=body.get("total"))

        return (worker_record(w) for w in offset_pages(fetch, limit=limit))

    def fetch_worker(self, worker_id: str) -> EmployeeRecord:
        """One worker by WID, as named by an outbound notification."""
        return worker_record(self._send(f"/ccx/api/v1/{self.tenant}/workers/{worker_id}").json())


def worker_record(worker: Mapping) -> EmployeeRecord:
    """An EmployeeRecord from a REST worker (`descriptor` is the display name)."""
    org = worker.get("primarySupervisoryOrganization") or {}
    location = worker.get("location") or {}
    return EmployeeRecord(
        source_system=VENDOR,
        source_id=str(worker["id"]),
        display_name=to_text(worker.get("descriptor")),
        job_title=to_text(worker.get("businessTitle")),
        work_email=to_email(worker.get("primaryWorkEmail")),
        department=to_text(org.get("descriptor")),
        is_manager=bool(to_bool(worker.get("isManager"))),
        location=to_text(location.get("descriptor") if isinstance(location, dict) else location),
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat()
