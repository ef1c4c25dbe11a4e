"""CSRF protection on every unsafe request, unless its view is exempt here by name (OWASP CSRF Prevention
Cheat Sheet: synchronizer token pattern, per-session token compared in constant time).

A new form is protected without anyone remembering to check: the app-wide hook runs before the view.
"""

from __future__ import annotations

import hmac
import secrets

from flask import request, session

from ..errors import Forbidden
from .hot_path import skipped_on_hot_path

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"  # for scripts that post JSON from our own pages
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Views reached without a Flipside browser session, each with what protects it instead.
EXEMPT_VIEWS = {
    "lti.login": "the LMS posts the OIDC login initiation; state and nonce bind the launch to the browser",
    "lti.launch": "the LMS posts a signed id_token; signature, nonce and state are checked (1EdTech Security "
    "Framework 5.1.1)",
    "webhooks.receive": "the vendor signs the raw body; the signature is verified before anything is read",
    "mail_preferences.one_click": "RFC 8058 one-click unsubscribe is posted by the mail client without a session; "
    "the signed token in the URL names the person and category, and it only opts out",
    "join.answer": "an opt-in invitation's link is followed from the mail without a session; the signed token in "
    "the URL names the person and programme, and it only answers that person's own open invitation",
}
EXEMPT_BLUEPRINTS = {
    "api": "bearer tokens in the Authorization header, which a browser never sends by itself",
}


class CsrfRefused(Forbidden):
    """The form's CSRF token is missing or is not this session's."""

    code = "csrf"
    title = "This form has expired"
    advice = "Reload the page and send the form again."

    def __init__(self):
        super().__init__("This form has expired or did not come from Flipside; reload the page and try again.")


def csrf_token() -> str:
    """The session's token (created on first use), for a hidden form field."""
    if FIELD not in session:
        session[FIELD] = secrets.token_urlsafe(32)
    return session[FIELD]


def exempt(endpoint: str | None, blueprint: str | None) -> bool:
    """Whether a view is exempt from the CSRF check (only the ones named above)."""
    return endpoint in EXEMPT_VIEWS or blueprint in EXEMPT_BLUEPRINTS


def protect() -> None:
    """Refuse an unsafe request to a non-exempt view unless it carries this session's token."""
    if request.method in SAFE_METHODS or request.routing_exception is not None:
        return  # unknown paths and methods get their own 404/405
    if exempt(request.endpoint, request.blueprint):
        return
    sent = request.form.get(FIELD) or request.headers.get(HEADER) or ""
    expected = session.get(FIELD, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused()


def init_app(app) -> None:
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.before_request(skipped_on_hot_path(protect))  # the hot views are exempt by name above
