"""Response headers every page carries: a strict Content-Security-Policy (scripts only from Flipside or
inline with this response's nonce), nosniff, a referrer policy, and frame ancestors limited to the
registered platforms' origins on the pages an LMS embeds.

OWASP Secure Headers and CSP Level 3 ('strict' nonce-based policy). Inline `style` stays allowed: the
pages use a few style attributes, and styles cannot run code.
"""

from __future__ import annotations

import functools
import secrets
from urllib.parse import urlsplit

from flask import request
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from ..db import db
from ..errors import ValidationError
from ..lti.cache import TtlCache
from ..models.lti import LtiRegistration

EMBEDDED = ("/lti/", "/me/", "/admin/", "/credentials/")  # pages an LMS shows in its iframe
ORIGINS = TtlCache(ttl=60.0)  # a new registration can be framed within a minute
MAX_BODY_BYTES = 1024 * 1024  # every request body; real forms, launches and API bodies are far smaller
MAX_CSV_BYTES = 5 * 1024 * 1024
# The exception, by endpoint: the CSV import (the file plus the form around it)
BODY_LIMITS = {"workspace.participants_import": MAX_CSV_BYTES + 64 * 1024}


def csp_nonce() -> str:
    """This response's script nonce (templates: `<script nonce="{{ csp_nonce() }}">`)."""
    if "flipside.csp_nonce" not in request.environ:
        request.environ["flipside.csp_nonce"] = secrets.token_urlsafe(16)
    return request.environ["flipside.csp_nonce"]


def platform_origins() -> tuple[str, ...]:
    """https origins of active registrations: their login and token URLs and the hosts an admin added."""

    def load() -> tuple[str, ...]:
        rows = db.session.execute(
            select(LtiRegistration.auth_login_url, LtiRegistration.auth_token_url, LtiRegistration.trusted_hosts).where(
                LtiRegistration.status == "active"
            )
        ).all()
        origins = set()
        for login, token, hosts in rows:
            origins |= {f"{p.scheme}://{p.netloc}" for p in (urlsplit(login), urlsplit(token)) if p.netloc}
            origins |= {f"https://{h}" for h in hosts or ()}
        return tuple(sorted(origins))

    try:
        return ORIGINS.get(("origins",), load)
    except SQLAlchemyError:
        db.session.rollback()
        return ()  # no registration can be read (a database not migrated or away): no platform may frame us


def _origin_of(url: str) -> tuple[str, ...]:
    parts = urlsplit(url)
    ok = parts.scheme in ("http", "https") and parts.netloc and not set(parts.netloc) & set(" ;,'\"")
    return (f"{parts.scheme}://{parts.netloc}",) if ok else ()


@functools.lru_cache(maxsize=64)
def _policy_without_nonce(ancestors: tuple[str, ...]) -> str:
    """The policy of a page without inline script (the LTI login, redirects, JSON), built once per origin set."""
    return policy(None, ancestors)


def policy(nonce: str | None, ancestors: tuple[str, ...]) -> str:
    scripts = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors " + " ".join(("'self'", *ancestors)),
        )
    )


def _limit_body() -> None:
    """Werkzeug refuses a declared Content-Length past the limit at once (413) and stops a chunked body as
    soon as it passes it, before any of it is parsed."""
    limit = BODY_LIMITS.get(request.endpoint or "")
    if limit is not None:
        request.max_content_length = limit


def bounded_body(limit: int) -> bytes:
    """The raw body, refused (413) past `limit`: at once when the declared Content-Length is larger, or
    one byte past the limit while a chunked body streams in (Werkzeug alone would silently cut it)."""
    if request.content_length is not None and request.content_length > limit:
        raise ValidationError(f"The request body is larger than {limit // 1024} KB", code="too_large", status=413)
    request.max_content_length = limit + 1
    body = request.get_data(cache=True)
    if len(body) > limit:
        raise ValidationError(f"The request body is larger than {limit // 1024} KB", code="too_large", status=413)
    return body


def _headers(response):
    embedded = request.path.startswith(EMBEDDED)
    ancestors = platform_origins() if embedded else ()
    if request.endpoint == "lti.dynamic_registration":  # the LMS registering shows this page in its dialog
        ancestors = (*ancestors, *_origin_of(request.args.get("openid_configuration", "")))
    nonce = request.environ.get("flipside.csp_nonce")
    csp = policy(nonce, ancestors) if nonce else _policy_without_nonce(ancestors)
    response.headers.setdefault("Content-Security-Policy", csp)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    return response


def init_app(app) -> None:
    """Register the body limits, the header hook and the template function."""
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_body)  # before any hook reads the form
    app.after_request(_headers)
    if app.config["FLIPSIDE"].production:  # behind the TLS proxy: https and the host come from it
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
