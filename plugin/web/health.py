"""Operations endpoints: /healthz (database and Redis) and /metrics (Prometheus)."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..db import db
from ..jobs.connection import redis_connection

bp = Blueprint("health", __name__)

REQUESTS = Counter("flipside_http_requests_total", "HTTP requests", ["method", "endpoint", "status"])
LATENCY = Histogram("flipside_http_request_seconds", "HTTP request latency", ["endpoint"])
# The labelled series, looked up once per process: `labels()` checks and locks on every call
_COUNTERS: dict[tuple[str, str, str], Counter] = {}
_TIMERS: dict[str, Histogram] = {}


@bp.get("/healthz")
def healthz():
    """Database and Redis status; 503 when either is down."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    ok = all(c["ok"] for c in checks.values())
    return jsonify(status="ok" if ok else "degraded", checks=checks), 200 if ok else 503


def _check_database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True, "kind": db.engine.dialect.name}
    except SQLAlchemyError as exc:
        db.session.rollback()
        return {"ok": False, "kind": db.engine.dialect.name, "error": type(exc).__name__}


def _check_redis() -> dict:
    settings = current_app.config["FLIPSIDE"]
    kind = "embedded" if settings.embedded_redis else "server"
    try:
        redis_connection(settings, start=False).ping()
        return {"ok": True, "kind": kind}
    except (RedisError, OSError) as exc:
        return {"ok": False, "kind": kind, "error": type(exc).__name__}


@bp.get("/metrics")
def metrics():
    return generate_latest(), 200, {"Content-Type": CONTENT_TYPE_LATEST}


def init_app(app) -> None:
    """Count and time every request by endpoint (never by raw path: ids stay out of labels)."""

    @app.before_request
    def _start_timer():
        g.started = time.perf_counter()

    @app.after_request
    def _observe(response):
        endpoint = request.endpoint or "unknown"
        key = (request.method, endpoint, str(response.status_code))
        counter = _COUNTERS.get(key)
        if counter is None:
            counter = _COUNTERS[key] = REQUESTS.labels(*key)
        counter.inc()
        started = g.get("started")
        if started is not None:
            timer = _TIMERS.get(endpoint)
            if timer is None:
                timer = _TIMERS[endpoint] = LATENCY.labels(endpoint)
            timer.observe(time.perf_counter() - started)
        return response

    app.register_blueprint(bp)
