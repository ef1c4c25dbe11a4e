"""Flask's signed cookie session, its signer built once per secret instead of on every request.

Flask builds a new URLSafeTimedSerializer for every request that opens or saves the session; the serializer
holds only the keys, the salt and the algorithms, so one per set of keys is enough (a rotated secret or
fallback list gets its own).
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionCookie(SecureCookieSessionInterface):
    """The same cookie, signature and lifetime as Flask's default; only the signer is reused."""

    def __init__(self) -> None:
        self._signers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        signer = self._signers.get(keys)
        if signer is None:
            signer = self._signers[keys] = super().get_signing_serializer(app)
        return signer


def init_app(app: Flask) -> None:
    app.session_interface = SessionCookie()
