"""Webhook endpoints: verify the raw body, hand the deliveries to Redis in one round trip, answer at once.

    POST /webhooks/bamboohr/<connection_id>   X-BambooHR-Signature / X-BambooHR-Timestamp, JSON or form
    POST /webhooks/workday/<connection_id>    Workday outbound notification, HTTP Basic

A bad signature or credentials, a stale timestamp and an unknown connection all get one identical 401
(so connection ids cannot be enumerated before authentication), a body past its cap 413 while it is still
streaming in, a malformed body 400; then nothing is stored and nothing is enqueued (4xx is never retried by
BambooHR). An accepted delivery is deduplicated and appended to the connection's inbox stream in one Redis
round trip (a Lua script); the drain job (`plugin.jobs.inbox`) stores it and asks for its sync. When Redis
refuses, the answer is 503 and nothing was accepted, so BambooHR retries it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from flask import Blueprint, current_app, jsonify, request

from ..db import db
from ..domain.delivery import Delivery
from ..errors import FlipsideError, Forbidden, NotFound, SignatureError
from ..jobs.connection import redis_connection
from ..jobs.inbox import request_drain
from ..lti.cache import TtlCache
from ..services import webhooks
from ..web.security import bounded_body
from . import bamboohr, workday
from .signature import DEFAULT_TOLERANCE, verify_bamboohr, verify_basic

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
log = logging.getLogger(__name__)
UNAUTHENTICATED = "The webhook delivery could not be authenticated."
MAX_BODY_BYTES = 256 * 1024  # real BambooHR and Workday deliveries are a few KB
# a delivery key is remembered in Redis for as long as its signed timestamp is accepted (either side of
# now); a later resend still finds the stored row's unique key in the drain
DEDUPE_WINDOW_S = int(2 * DEFAULT_TOLERANCE)
RECEIVER_TTL_S = 10.0  # an endpoint's removal is seen by every process within this (a new secret at once)
REFUSED = "Deliveries cannot be accepted right now; retry later."


def _verify_bamboohr(body: bytes, receiver: webhooks.Receiver) -> None:
    verify_bamboohr(
        body,
        signature=request.headers.get("X-BambooHR-Signature"),
        timestamp=request.headers.get("X-BambooHR-Timestamp"),
        private_key=receiver.secret,
    )


def _verify_workday(body: bytes, receiver: webhooks.Receiver) -> None:
    verify_basic(request.headers.get("Authorization"), username=receiver.username, secret=receiver.secret)


VENDORS: dict[str, tuple[Callable, Callable[[bytes], list[Delivery]]]] = {
    "bamboohr": (
        _verify_bamboohr,
        lambda body: bamboohr.parse(body, request.content_type, request.headers.get("X-BambooHR-Timestamp")),
    ),
    "workday": (_verify_workday, workday.parse),
}


@bp.post("/<vendor>/<int:connection_id>")
def receive(vendor: str, connection_id: int):
    """Verify, deduplicate and hand off to the inbox (one Redis round trip), answer 202; 503 if Redis refuses."""
    body = bounded_body(MAX_BODY_BYTES)  # the raw bytes, before anything parses them
    if vendor not in VENDORS:
        raise NotFound(f"no webhooks from {vendor!r}")
    verify, parse = VENDORS[vendor]
    if vendor == "workday" and current_app.config["FLIPSIDE"].production and request.scheme != "https":
        # Basic credentials over plain http were readable on the wire: refused before anything is looked up
        raise Forbidden("Workday notifications must be sent to the https URL", code="https_required")
    receiver = _authenticated(vendor, connection_id, body, verify)
    deliveries = parse(body)
    settings = current_app.config["FLIPSIDE"]
    try:
        handed = webhooks.Inbox(_redis(), settings.queue_prefix, connection_id).hand_off(deliveries, DEDUPE_WINDOW_S)
        if handed.drain_due:
            _queue_drain(settings, receiver)
    except redis.RedisError as exc:
        log.warning("webhook refused: Redis unavailable", extra={"reason": str(exc)[:80], "vendor": vendor})
        raise FlipsideError(REFUSED, code="queue_unavailable", status=503) from exc
    # the sync request is opened by the drain; the key stays for callers that read it
    return jsonify(accepted=len(handed.fresh), duplicates=handed.duplicates), 202  # synced by the drain job


def _queue_drain(settings, receiver: webhooks.Receiver) -> None:
    try:
        request_drain(settings, receiver.organisation_id, receiver.connection_id)
    except redis.RedisError:
        # the entries are in the stream; clear the flag so the sender's retry (it gets a 503) asks again,
        # and if even that fails the flag expires by itself before BambooHR's next retry
        try:
            webhooks.Inbox(_redis(), settings.queue_prefix, receiver.connection_id).forget_drain()
        except redis.RedisError:
            pass
        raise


def _redis() -> redis.Redis:
    """One client (one connection pool) per app for the request path."""
    app = current_app
    client = app.extensions.get("flipside.webhooks.redis")
    if client is None:
        client = app.extensions["flipside.webhooks.redis"] = redis_connection(app.config["FLIPSIDE"])
    return client


def _receivers() -> TtlCache:
    return current_app.extensions.setdefault("flipside.webhooks.receivers", TtlCache(RECEIVER_TTL_S))


def _authenticated(vendor: str, connection_id: int, body: bytes, verify: Callable) -> webhooks.Receiver:
    """The receiver, once the delivery is proven to be its vendor's; one answer for every failure."""
    cache = _receivers()
    try:
        receiver = cache.get((vendor, connection_id), lambda: _lookup(vendor, connection_id))
        try:
            verify(body, receiver)
        except SignatureError:
            # the secret may have been replaced since it was cached, and BambooHR never retries a 401:
            # check once more against the stored one before refusing
            fresh = _lookup(vendor, connection_id)
            if fresh == receiver:
                raise
            cache.clear()
            receiver = cache.get((vendor, connection_id), lambda: fresh)
            verify(body, receiver)
    except (NotFound, SignatureError) as exc:
        log.warning("webhook refused", extra={"reason": str(exc)[:80], "vendor": vendor})
        raise SignatureError(UNAUTHENTICATED) from exc
    return receiver


def _lookup(vendor: str, connection_id: int) -> webhooks.Receiver:
    receiver = webhooks.receiver(db.session, current_app.extensions["flipside.vault"], vendor, connection_id)
    db.session.commit()  # ends the read (nothing was written): the connection goes back to the pool now
    return receiver


def init_app(app) -> None:
    """Mount the webhook endpoints."""
    app.register_blueprint(bp)
