"""BambooHR webhook payloads -> Deliveries: the event form and the legacy field form, JSON or form-encoded.

Call `plugin.webhooks.signature.verify_bamboohr` over the raw bytes first; only then `parse()`.
BambooHR retries 5xx answers up to five times and fires "created" then "updated" for a new
employee, so every Delivery carries a `key` for de-duplication: the employee entry's content hash
with the payload's own timestamp (which a retry repeats). A body without its own timestamp (the
shape in BambooHR's documentation) is keyed by its content and the signed `X-BambooHR-Timestamp`:
a replay inside the signature's window is dropped, while the same change made again later is not.
A legacy entry without `action` is an update (the sync re-reads the employee whatever the action).
"""

from __future__ import annotations

from plugin.connectors.mapping import to_datetime
from plugin.domain.delivery import Delivery
from plugin.errors import BadRecord, ValidationError
from plugin.webhooks.payload import content_hash, decode_body, delivery_key

VENDOR = "bamboohr"
ACTIONS = {"inserted": "created", "created": "created", "updated": "updated", "deleted": "deleted"}


def parse(body: bytes, content_type: str | None = "application/json", signed_at: str | None = None) -> list[Delivery]:
    """The employee events in one verified BambooHR delivery; ValidationError if it is neither form.

    `signed_at` is the delivery's `X-BambooHR-Timestamp`; it keys entries that carry no timestamp.
    """
    payload = decode_body(body, content_type)
    if "employees" in payload:
        return _legacy(payload["employees"], signed_at)
    if "type" in payload and isinstance(payload.get("data"), dict):
        return [_event(payload, signed_at)]
    raise ValidationError("not a BambooHR webhook payload (no `type`/`data` nor `employees`)")


def _event(payload: dict, signed_at: str | None) -> Delivery:
    kind = str(payload["type"]).rsplit(".", 1)[-1].lower()
    data = payload["data"]
    return _delivery(
        data.get("employeeId"),
        kind,
        payload.get("timestamp"),
        data.get("changedFields"),
        content_hash(payload),
        signed_at,
    )


def _legacy(employees, signed_at: str | None) -> list[Delivery]:
    if isinstance(employees, dict):  # form-encoded arrays with holes arrive as maps
        employees = list(employees.values())
    if not isinstance(employees, list) or not all(isinstance(e, dict) for e in employees):
        raise ValidationError("`employees` is not a list of objects")
    return [
        _delivery(
            e.get("id", e.get("employeeId")),
            _action(e.get("action")),
            e.get("timestamp"),
            e.get("changedFields"),
            content_hash(e),
            signed_at,
        )
        for e in employees
    ]


def _action(action) -> str:
    # BambooHR's documented field payload has no `action`: a change to the listed fields
    return "updated" if action in (None, "") else str(action).lower()


def _delivery(source_id, action: str, stamp, changed, digest: str, signed_at: str | None) -> Delivery:
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
    # without its own timestamp an entry is only "the same delivery" inside the signature's window
    when = str(stamp) if stamp else f"signed:{(signed_at or '').strip()}"
    key = delivery_key(VENDOR, str(source_id), event, when, f"{','.join(sorted(fields))}|{digest}")
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
