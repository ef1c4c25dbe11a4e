"""Error responses: JSON under /api (and for machines), a page elsewhere; what happened and what to do, never internals.

Every error goes through `render`: our own (plugin.errors), Werkzeug's (routing, body size), database
errors (an un-migrated schema says to run `flipside db upgrade`) and anything unplanned (a 500 with a
reference to the log line, never a traceback).
"""

from __future__ import annotations

import logging

from flask import g, jsonify, make_response, render_template_string, request
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from .. import migration_state
from ..db import db
from ..errors import DatabaseUnavailable, FlipsideError, Forbidden, NotFound, NotMigrated, ValidationError

log = logging.getLogger(__name__)

PAGE = (
    "<!doctype html><html lang='en'><meta charset='utf-8'><title>{{ title }}</title>"
    "<main><h1>{{ title }}</h1><p>{{ message }}</p>"
    "{% if hint %}<p>{{ hint }}</p>{% endif %}"
    "{% if reference %}<p><small>Reference: {{ reference }}</small></p>{% endif %}</main></html>"
)
# Werkzeug's own errors, in the same words as ours: status -> (code, title, message, what to do).
HTTP = {
    400: ("bad_request", ValidationError.title, "The request could not be read.", ValidationError.advice),
    401: (
        "not_signed_in",
        "Please sign in",
        "This needs you to be signed in.",
        "Open Flipside from your LMS, or send a valid API token.",
    ),
    403: ("forbidden", Forbidden.title, "You may not do this.", Forbidden.advice),
    404: ("not_found", NotFound.title, "Nothing is at this address.", NotFound.advice),
    405: (
        "method_not_allowed",
        "Not possible here",
        "This address does not accept this method.",
        "Use the page's own buttons, or see the API document at /api/v1/openapi.json.",
    ),
    413: (
        "too_large",
        "Too large",
        "The request is larger than Flipside accepts.",
        "Send a smaller file, or split it into parts.",
    ),
    429: (
        "too_many_requests",
        "Too many requests",
        "Flipside is getting too many requests from you.",
        "Wait a minute, then try again.",
    ),
}
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def init_app(app) -> None:
    app.register_error_handler(FlipsideError, render)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, _database_error)
    # Flask hands every unhandled exception to the 500 handler as `original_exception`.
    app.register_error_handler(500, _unexpected)


def render(err: FlipsideError):
    """One of our errors as JSON for machines, or as a page with a title and what to do for people."""
    status = err.status if 400 <= err.status < 600 else 500
    if status >= 500:
        log.error("request failed", extra={"reason": err.code})
    if wants_json():
        body = {"error": {"code": err.code, "message": err.message}}
        if isinstance(err, ValidationError) and err.errors:
            body["error"]["fields"] = err.errors
        return jsonify(body), status
    reference = getattr(g, "request_id", None) if status >= 500 else None
    return render_template_string(
        PAGE, title=err.title, message=err.message, hint=err.hint or err.advice, reference=reference
    ), status


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/webhooks/", "/healthz")) or request.is_json


def _http_error(exc: HTTPException):
    if exc.code is None or exc.code >= 500:
        return _unexpected(exc)
    code, title, message, advice = HTTP.get(
        exc.code, (exc.name.lower().replace(" ", "_"), exc.name, f"{exc.name}.", "")
    )
    err = FlipsideError(message, code=code, status=exc.code)
    err.title, err.hint = title, advice
    response = make_response(render(err))
    for name in KEPT_HEADERS:  # what HTTP asks for: Allow on 405, Retry-After on 429
        if name in exc.get_response().headers:
            response.headers[name] = exc.get_response().headers[name]
    return response


def _database_error(exc: DBAPIError):
    """A failed query: an un-migrated schema says so (with the command), anything else is unexpected."""
    db.session.rollback()
    try:
        migration_state.require_current_engine(db.engine)
    except NotMigrated as not_migrated:
        log.error("database is not migrated", extra={"reason": not_migrated.code})
        return render(not_migrated)
    except SQLAlchemyError:
        return render(DatabaseUnavailable())
    return _unexpected(exc)


def _unexpected(exc):
    """An error nobody planned for: logged with its traceback, answered as a plain apology with a reference."""
    original = getattr(exc, "original_exception", None) or exc
    log.error("unexpected error", exc_info=(type(original), original, original.__traceback__))
    return render(FlipsideError("Flipside hit an unexpected problem and did not finish this request."))
