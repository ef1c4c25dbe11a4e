"""BambooHR webhook payloads -> Deliveries: the event form and the legacy field form, JSON or form-encoded.

Call `plugin.webhooks.signature.verify_bamboohr` over the raw bytes first; only then `parse()`.
BambooHR retries 5xx answers up to five times and fires "created" then "updated" for a new
employee, so every Delivery carries a `key` for de-duplication, built from the payload's own
timestamp (which a retry repeats) and never from the delivery header.
"""
from __future__ import annotations

from plugin.connectors.mapping import to_datetime
from plugin.errors import BadRecord, ValidationError
from plugin.webhooks.payload import Delivery, decode_body, delivery_key

VENDOR = "bamboohr"
ACTIONS = {"inserted": "created", "created": "created", "updated": "updated", "deleted": "deleted"}


def parse(body: bytes, content_type: str | None = "application/json") -> list[Delivery]:
    """The employee events in one verified BambooHR delivery; ValidationError if it is neither form."""
    payload = decode_body(body, content_type)
    if "employees" in payload:
        return _legacy(payload["employees"])
    if "type" in payload and isinstance(payload.get("data"), dict):
        return [_event(payload)]
    raise ValidationError("not a BambooHR webhook payload (no `type`/`data` nor `employees`)")


def _event(payload: dict) -> Delivery:
    kind = str(payload["type"]).rsplit(".", 1)[-1].lower()
    data = payload["data"]
    return _delivery(data.get("employeeId"), kind, payload.get("timestamp"), data.get("changedFields"))


def _legacy(employees) -> list[Delivery]:
    if isinstance(employees, dict):  # form-encoded arrays with holes arrive as maps
        employees = list(employees.values())
    if not isinstance(employees, list) or not all(isinstance(e, dict) for e in employees):
        raise ValidationError("`employees` is not a list of objects")
    return [_delivery(e.get("id"), str(e.get("action", "")).lower(), e.get("timestamp"),
                      e.get("changedFields")) for e in employees]


def _delivery(source_id, action: str, stamp, changed) -> Delivery:
    event = ACTIONS.get(action)
    if event is None:
        raise ValidationError(f"unknown BambooHR webhook action {action!r}")
    if source_id in (None, "") or isinstance(source_id, dict | list):
        raise ValidationError("BambooHR webhook names no employee id")
    fields = _changed(changed)
    try:
        occurred = to_datetime(stamp, "timestamp") if stamp else None
    except BadRecord as err:
        raise ValidationError(str(err)) from err
    key = delivery_key(VENDOR, str(source_id), event, str(stamp or ""), ",".join(sorted(fields)))
    return Delivery(str(source_id), event, key, fields, occurred)


def _changed(changed) -> tuple[str, ...]:
    if changed in (None, ""):
        return ()
    if isinstance(changed, str):
        return (changed,)
    if isinstance(changed, dict):
        changed = list(changed.values())
    if not isinstance(changed, list):
        raise ValidationError("`changedFields` is not a list")
    return tuple(str(f) for f in changed)
