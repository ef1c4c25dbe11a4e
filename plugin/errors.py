"""One error tree, classified by what the caller must do, and the Flask handlers that render it."""
from __future__ import annotations

import logging

import redis.exceptions
from sqlalchemy import exc as sa_exc

log = logging.getLogger(__name__)


class FlipsideError(Exception):
    """Root of every error Flipside raises on purpose."""

    status = 500
    code = "internal"

    def __init__(self, message: str = "", *, code: str | None = None, status: int | None = None):
        super().__init__(message or self.__class__.__doc__ or self.code)
        if code:
            self.code = code
        if status:
            self.status = status

    @property
    def message(self) -> str:
        return str(self)


class ConfigError(FlipsideError):
    """The configuration is incomplete or unsafe."""

    code = "config"


class NotFound(FlipsideError):
    """The thing asked for does not exist for this organisation."""

    status = 404
    code = "not_found"


class ValidationError(FlipsideError):
    """Input was rejected; nothing was stored."""

    status = 400
    code = "invalid"

    def __init__(self, message: str = "", *, errors: dict | None = None, **kw):
        super().__init__(message, **kw)
        self.errors = errors or {}


class Forbidden(FlipsideError):
    """The caller may not do this."""

    status = 403
    code = "forbidden"


class LtiError(FlipsideError):
    """An LTI message or exchange failed a check."""

    status = 400
    code = "lti"


class SignatureError(FlipsideError):
    """A signature did not verify (webhook, token, credential)."""

    status = 401
    code = "bad_signature"


class IntegrationError(FlipsideError):
    """A vendor call failed."""

    status = 502
    code = "integration"


class RetriableError(IntegrationError):
    """The vendor call may succeed later (429, 5xx, timeouts)."""

    code = "retriable"

    def __init__(self, message: str = "", *, retry_after: float | None = None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class LockTimeout(RetriableError):
    """Another run holds the lock this work needs; it runs when that one is done."""

    code = "lock_timeout"
    counts_as_attempt = False  # waiting for a sibling run is not a failure: it spends no retry


class FatalError(IntegrationError):
    """Retrying will not help until a person changes something."""

    code = "fatal"


class NeedsReconnect(FatalError):
    """The connection's credentials were refused; an admin must reconnect it."""

    code = "needs_reconnect"


class BadRecord(IntegrationError):
    """One vendor record could not be read; it is skipped and reported, never fatal."""

    code = "bad_record"

    def __init__(self, message: str = "", *, source_id: str | None = None, **kw):
        super().__init__(message, **kw)
        self.source_id = source_id


# SQLSTATEs that a later attempt can get past: serialization failure, deadlock, lock not available,
# the server shutting down or refusing connections, and every connection exception (class 08)
_TRANSIENT_SQLSTATES = {"40001": "serialization_failure", "40P01": "deadlock", "55P03": "lock_timeout",
                        "57P01": "database_shutdown", "57P02": "database_shutdown", "57P03": "database_starting"}


def retriable_cause(exc: BaseException) -> str | None:
    """Why `exc` is worth retrying with backoff (a cause code), or None when retrying cannot help.

    Our own RetriableError says so; besides it a database or Redis that dropped the connection, a
    serialization failure, a deadlock or a lock timeout pass with time, so a job meeting one retries
    instead of failing for good.
    """
    if isinstance(exc, RetriableError):
        return exc.code
    if isinstance(exc, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
        return "redis_unavailable"
    if isinstance(exc, sa_exc.DBAPIError):
        state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or ""
        if state in _TRANSIENT_SQLSTATES:
            return _TRANSIENT_SQLSTATES[state]
        if exc.connection_invalidated or state.startswith("08") or isinstance(exc, sa_exc.InterfaceError):
            return "database_unavailable"
        if type(exc.orig).__module__.startswith("sqlite3"):
            locked = "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower()
            return "database_locked" if locked else None  # another writer held the file past busy_timeout
        if isinstance(exc, sa_exc.OperationalError) and not state:
            return "database_unavailable"  # no server answer at all (refused, reset, timed out)
    return None


def init_app(app) -> None:
    """Register JSON/HTML handlers that show the reason and never the internals."""
    from flask import jsonify, render_template_string, request

    page = (
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>{{ title }}</title>"
        "<main><h1>{{ title }}</h1><p>{{ message }}</p>"
        "{% if hint %}<p>{{ hint }}</p>{% endif %}</main></html>"
    )

    def wants_json() -> bool:
        return request.path.startswith(("/api/", "/webhooks/", "/healthz")) or request.is_json

    @app.errorhandler(FlipsideError)
    def handle_flipside(err: FlipsideError):
        status = err.status if 400 <= err.status < 600 else 500
        if status >= 500:
            log.error("request failed", extra={"reason": err.code})
        body = {"error": {"code": err.code, "message": err.message}}
        if isinstance(err, ValidationError) and err.errors:
            body["error"]["fields"] = err.errors
        if wants_json():
            return jsonify(body), status
        hint = getattr(err, "hint", None)
        return render_template_string(page, title=err.code.replace("_", " ").capitalize(),
                                      message=err.message, hint=hint), status
