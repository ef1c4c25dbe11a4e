"""A tiny CSRF guard for our own HTML forms: a per-session token, compared in constant time."""

from __future__ import annotations

import hmac
import secrets

from flask import request, session

from ..errors import Forbidden

FIELD = "csrf_token"


def csrf_token() -> str:
    """The session's token (created on first use), for a hidden form field."""
    if FIELD not in session:
        session[FIELD] = secrets.token_urlsafe(32)
    return session[FIELD]


def check_csrf() -> None:
    """Refuse a form POST whose token is missing or not this session's."""
    sent = request.form.get(FIELD, "")
    expected = session.get(FIELD, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden(
            "This form has expired or did not come from Flipside; reload the page and try again.", code="csrf"
        )


def init_app(app) -> None:
    app.jinja_env.globals["csrf_token"] = csrf_token
