"""The BambooHR emulator's training endpoints: types keyed by id, records keyed by id or `[]` when none.

`type` is an int in the create answer and a string when records are listed, as BambooHR does.
`before_record` lets a test hold a record POST (the record is stored once it is let go, even if the
client has gone: a lost answer, the hardest case for exactly-once write-back).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from flask import Response, request


def _json(body, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


class TrainingApi:
    """Training types and employee training records of one emulated company."""

    def __init__(self, emu):
        self.emu = emu
        self.types: dict[int, dict] = {}
        self.records: dict[str, dict[int, dict]] = {}
        self.before_record: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._next = 1

    def _id(self) -> int:
        with self._lock:
            self._next += 1
            return self._next

    def type_list(self, **kw):
        """GET/POST /training/type."""
        if request.method == "GET":
            return _json({str(k): v for k, v in self.types.items()})
        body = request.get_json(silent=True) or {}
        if not body.get("name"):
            return self.emu.fail(400, "name is required")
        new = {
            "id": self._id(),
            "name": body["name"],
            "renewable": bool(body.get("renewable")),
            "frequency": body.get("frequency"),
            "required": body.get("required"),
            "category": [],
            "linkUrl": None,
            "description": body.get("description"),
            "allowEmployeesToMarkComplete": False,
        }
        self.types[new["id"]] = new
        return _json(new, 201)

    def employee_records(self, employee_id, **kw):
        """GET/POST /training/record/employee/{id}."""
        if employee_id not in self.emu.roster.records:
            return self.emu.fail(404, "Employee not found")
        if request.method == "GET":
            rows = self.records.get(employee_id, {})
            wanted = request.args.get("type")
            rows = {k: v for k, v in rows.items() if wanted is None or v["type"] == str(wanted)}
            return _json({str(k): v for k, v in rows.items()} if rows else [])
        return self._create(employee_id, request.get_json(silent=True) or {})

    def _create(self, employee_id: str, body: dict):
        if not body.get("completed") or not isinstance(body.get("type"), int):
            return self.emu.fail(400, "completed (yyyy-mm-dd) and an integer type are required")
        if body["type"] not in self.types:
            return self.emu.fail(400, "This must be an existing training type ID")
        if self.before_record is not None:
            self.before_record()
        record = {
            "id": self._id(),
            "employeeId": employee_id,
            "completed": body["completed"],
            "notes": body.get("notes"),
            "instructor": None,
            "credits": None,
            "hours": None if body.get("hours") is None else str(body["hours"]),
            "cost": None,
            "type": str(body["type"]),
        }
        self.records.setdefault(employee_id, {})[record["id"]] = record
        return _json({**record, "type": body["type"]}, 201)

    def all_records(self) -> list[dict]:
        """Every stored record, for assertions."""
        return [r for rows in self.records.values() for r in rows.values()]

    def mount(self, app) -> None:
        """Mount on both host forms."""
        for n, prefix in enumerate(("/api/v1", "/api/gateway.php/<company>/v1")):
            app.add_url_rule(f"{prefix}/training/type", f"training_types{n}", self.type_list, methods=["GET", "POST"])
            app.add_url_rule(
                f"{prefix}/training/record/employee/<employee_id>",
                f"training_records{n}",
                self.employee_records,
                methods=["GET", "POST"],
            )
