"""Training write-back behind one narrow interface: BambooHR training records and the Workday learning record.

A writer is told a completion (our `TrainingCompletion`) for one person by their HRIS id; it can also find a
completion it wrote before, by the reference Flipside puts in it, so a rerun after a crash writes nothing twice.

BambooHR: `GET /training/type` (object keyed by id), `POST /training/type` (201), `GET
/training/record/employee/{id}` (object keyed by record id, or `[]` when none; `type` is a string there) and
`POST /training/record/employee/{id}` with `type` as an int (201).
Workday: the Learning web service's exact REST form is unverified; `WorkdayLearningWriter` keeps it to two
calls on one configurable path, so a tenant-specific form changes only this class.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from plugin.connectors.bamboohr import BambooHRConnector
from plugin.connectors.http import send
from plugin.connectors.workday import WorkdayConnector
from plugin.errors import FatalError


@dataclass(frozen=True)
class TrainingCompletion:
    """What an HRIS is told about one person's completion: nothing from sessions or reflections."""

    title: str  # e.g. "Reverse mentoring: mentor"
    completed_on: date
    hours: float  # the programme's planned hours, not logged minutes
    reference: str  # Flipside's idempotency reference, also written into the notes

    @property
    def notes(self) -> str:
        return f"Completed in Flipside ({self.reference})"


class TrainingWriter(Protocol):
    """The one interface completion jobs use for any HRIS."""

    vendor: str

    def find(self, person_id: str, completion: TrainingCompletion) -> str | None:
        """The id of a record this completion already produced, if any."""

    def write(self, person_id: str, completion: TrainingCompletion) -> str:
        """Create the record; returns its id."""


class BambooHRTrainingWriter:
    """BambooHR training records, with the training type created the first time it is needed."""

    vendor = "bamboohr"

    def __init__(self, connector: BambooHRConnector):
        self.connector = connector
        self._types: dict[str, int] = {}

    def type_id(self, title: str) -> int:
        """The id of the training type named `title`, created if missing."""
        if title not in self._types:
            listed = self.connector.request_json("GET", "training/type") or {}
            found = {str(t.get("name")): int(t.get("id") or k) for k, t in dict(listed).items()}
            if title not in found:
                created = self.connector.request_json("POST", "training/type", json={"name": title})
                found[title] = int(created["id"])
            self._types[title] = found[title]
        return self._types[title]

    def find(self, person_id: str, completion: TrainingCompletion) -> str | None:
        type_id = self.type_id(completion.title)
        records = self.connector.request_json("GET", f"training/record/employee/{person_id}", params={"type": type_id})
        for record_id, record in records.items() if isinstance(records, dict) else ():
            if str(record.get("type")) == str(type_id) and completion.reference in (record.get("notes") or ""):
                return str(record.get("id") or record_id)
        return None

    def write(self, person_id: str, completion: TrainingCompletion) -> str:
        body = {
            "completed": completion.completed_on.isoformat(),
            "type": self.type_id(completion.title),
            "hours": completion.hours,
            "notes": completion.notes,
        }
        created = self.connector.request_json("POST", f"training/record/employee/{person_id}", json=body)
        if not isinstance(created, dict) or "id" not in created:
            raise FatalError(f"bamboohr created a training record without an id: {created!r}")
        return str(created["id"])


class WorkdayLearningWriter:
    """A Workday learning record (external learning completion) for a worker, on one configurable path."""

    vendor = "workday"

    def __init__(self, connector: WorkdayConnector, path: str = "/ccx/api/learning/v1/{tenant}/records"):
        self.connector = connector
        self.url = connector.origin + path.format(tenant=connector.tenant)

    def _call(self, method: str, **kwargs):
        return send(
            self.connector.session,
            method,
            self.url,
            policy=self.connector.policy,
            refresh=self.connector._refresh,
            vendor=self.vendor,
            timeout=self.connector.timeout,
            headers={"Accept": "application/json"},
            **kwargs,
        ).json()

    def find(self, person_id: str, completion: TrainingCompletion) -> str | None:
        body = self._call("GET", params={"worker": person_id, "externalReference": completion.reference})
        found = body.get("data") or []
        return str(found[0]["id"]) if found else None

    def write(self, person_id: str, completion: TrainingCompletion) -> str:
        body = {
            "worker": {"id": person_id},
            "learningContent": {"descriptor": completion.title},
            "completionDate": completion.completed_on.isoformat(),
            "hours": completion.hours,
            "externalReference": completion.reference,
            "comment": completion.notes,
        }
        return str(self._call("POST", json=body)["id"])
