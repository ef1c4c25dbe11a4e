"""Webhook endpoints: verify the raw body, record the delivery and the sync it asks for, answer at once.

    POST /webhooks/bamboohr/<connection_id>   X-BambooHR-Signature / X-BambooHR-Timestamp, JSON or form
    POST /webhooks/workday/<connection_id>    Workday outbound notification, HTTP Basic

A bad signature or credentials, a stale timestamp and an unknown connection all get one identical 401
(so connection ids cannot be enumerated before authentication), a body past its cap 413 while it is still
streaming in, a malformed body 400; then nothing is stored and nothing is enqueued (4xx is never retried by
BambooHR).
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, current_app, jsonify, request

from ..db import db
from ..domain.delivery import Delivery
from ..errors import Forbidden, NotFound, SignatureError
from ..services import sync_requests, webhooks
from ..services.tenant import Tenant
from ..web.security import bounded_body
from . import bamboohr, workday
from .signature import verify_bamboohr, verify_basic

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
log = logging.getLogger(__name__)
UNAUTHENTICATED = "The webhook delivery could not be authenticated."
MAX_BODY_BYTES = 256 * 1024  # real BambooHR and Workday deliveries are a few KB


def _verify_bamboohr(body: bytes, receiver: webhooks.Receiver) -> None:
    verify_bamboohr(body, signature=request.headers.get("X-BambooHR-Signature"),
                    timestamp=request.headers.get("X-BambooHR-Timestamp"), private_key=receiver.secret)


def _verify_workday(body: bytes, receiver: webhooks.Receiver) -> None:
    verify_basic(request.headers.get("Authorization"), username=receiver.username, secret=receiver.secret)


VENDORS: dict[str, tuple[Callable, Callable[[bytes], list[Delivery]]]] = {
    "bamboohr": (_verify_bamboohr, lambda body: bamboohr.parse(body, request.content_type,
                                                                request.headers.get("X-BambooHR-Timestamp"))),
    "workday": (_verify_workday, workday.parse),
}


def _refresh(plan: set[str], delivery: Delivery) -> None:
    plan.add(delivery.source_id)  # the sync re-reads them; one no longer returned is marked deleted


# what each kind of event asks of the sync; unknown events are recorded and otherwise ignored
EVENTS: dict[str, Callable[[set[str], Delivery], None]] = {
    "created": _refresh, "updated": _refresh, "deleted": _refresh, "terminated": _refresh,
}


@bp.post("/<vendor>/<int:connection_id>")
def receive(vendor: str, connection_id: int):
    """Verify, record (deliveries and the sync they ask for), answer 202."""
    body = bounded_body(MAX_BODY_BYTES)  # the raw bytes, before anything parses them
    if vendor not in VENDORS:
        raise NotFound(f"no webhooks from {vendor!r}")
    verify, parse = VENDORS[vendor]
    if vendor == "workday" and current_app.config["FLIPSIDE"].production and request.scheme != "https":
        # Basic credentials over plain http were readable on the wire: refused before anything is looked up
        raise Forbidden("Workday notifications must be sent to the https URL", code="https_required")
    receiver = _authenticated(vendor, connection_id, body, verify)
    deliveries = parse(body)
    tenant = Tenant(db.session, receiver.organisation_id)
    fresh = webhooks.record(tenant, connection_id, deliveries)
    plan: set[str] = set()
    for delivery in fresh:
        EVENTS.get(delivery.event, lambda *_: None)(plan, delivery)
    request_id = None
    if plan:  # one open request per connection collects the ids; its job goes out through the outbox
        request_id = sync_requests.request_employees(tenant, connection_id, plan).id
    db.session.commit()  # deliveries, ids and job in one transaction: a Redis outage delays, never loses
    return jsonify(accepted=len(fresh), duplicates=len(deliveries) - len(fresh), sync_request_id=request_id), 202


def _authenticated(vendor: str, connection_id: int, body: bytes, verify: Callable) -> webhooks.Receiver:
    """The receiver, once the delivery is proven to be its vendor's; one answer for every failure."""
    try:
        receiver = webhooks.receiver(db.session, current_app.extensions["flipside.vault"], vendor, connection_id)
        verify(body, receiver)
    except (NotFound, SignatureError) as exc:
        log.warning("webhook refused", extra={"reason": str(exc)[:80], "vendor": vendor})
        raise SignatureError(UNAUTHENTICATED) from exc
    return receiver


def init_app(app) -> None:
    """Mount the webhook endpoints."""
    app.register_blueprint(bp)
