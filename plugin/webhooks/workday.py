"""Workday outbound notifications (SOAP-style XML) -> Deliveries naming the workers to fetch again.

Authenticate first with `plugin.webhooks.signature.verify_basic` (the integration's endpoint
credentials: the connection's shared secret). Workday sends no employee data worth trusting in the
message; the sync fetches each named worker (`WorkdayConnector.fetch_worker`). The element names are
matched by local name so namespaces and envelope versions do not matter (the exact message shape is
tenant-configured and unverified): every `Worker_Reference` names a worker by its `ID` of type WID
(Employee_ID as a fallback), and `Business_Process_Type`/`Event_Type` says what happened.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET  # noqa: S405 - entities are refused below before parsing

from plugin.domain.delivery import Delivery
from plugin.errors import ValidationError
from plugin.webhooks.payload import MAX_BODY, delivery_key

VENDOR = "workday"
EVENTS = {"hire": "created", "terminat": "terminated"}


def parse(body: bytes) -> list[Delivery]:
    """The workers named by one authenticated Workday notification; ValidationError if malformed."""
    if len(body) > MAX_BODY or b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise ValidationError("Workday notification is too large or declares entities")
    try:
        root = ET.fromstring(body)  # noqa: S314 - no DTD/entities (checked above); expat resolves none
    except ET.ParseError as err:
        raise ValidationError(f"Workday notification is not XML: {err}") from err
    event = _event(root)
    stamp = _text(root, "Event_Reference") or hashlib.sha256(body).hexdigest()
    workers = [wid for ref in _all(root, "Worker_Reference") if (wid := _worker_id(ref))]
    if not workers:
        raise ValidationError("Workday notification names no worker")
    return [Delivery(wid, event, delivery_key(VENDOR, wid, event, stamp)) for wid in dict.fromkeys(workers)]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _all(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if _local(el.tag) == name]


def _text(root: ET.Element, name: str) -> str | None:
    for el in _all(root, name):
        text = "".join(el.itertext()).strip()
        if text:
            return text
    return None


def _event(root: ET.Element) -> str:
    kind = (_text(root, "Business_Process_Type") or _text(root, "Event_Type") or "").lower()
    return next((event for word, event in EVENTS.items() if word in kind), "updated")


def _worker_id(ref: ET.Element) -> str | None:
    ids = {}
    for el in ref.iter():
        if _local(el.tag) == "ID":
            kind = next((v for k, v in el.attrib.items() if _local(k) == "type"), "")
            ids.setdefault(kind, (el.text or "").strip())
    return ids.get("WID") or ids.get("Employee_ID") or None
