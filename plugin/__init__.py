"""Flipside: reverse mentoring as an LTI 1.3 tool with HRIS and LMS connectors."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import TYPE_CHECKING

from . import config as config_module

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict | config_module.Settings | None = None) -> Flask:
    """Build the app: settings -> extensions -> blueprints -> error handlers."""
    from flask import Flask  # here, so that importing the framework-free core (plugin.domain) loads no Flask

    from . import logs
    from .db import db
    from .lti import views as lti_views
    from .vault import Vault
    from .web import (
        account,
        admin,
        api,
        connect,
        converters,
        credential_pages,
        csrf,
        deep_link_pages,
        error_pages,
        health,
        join,
        labels,
        learner,
        learner_profile,
        locale,
        mail_preferences,
        pages,
        security,
        session_cookie,
    )
    from .webhooks import views as webhook_views

    settings = _settings(config)
    settings.check()
    app = Flask(
        __name__,
        instance_path=str(_abs(settings.instance_path)),
        template_folder="web/templates",
        static_folder="web/static",
    )
    secure = settings.base_url.startswith("https://")
    # Inside an LMS iframe the session cookie is third-party: SameSite=None + Partitioned (CHIPS) over https.
    app.config.update(
        SECRET_KEY=settings.secret_key,
        FLIPSIDE=settings,
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="None" if secure else "Lax",
        SESSION_COOKIE_PARTITIONED=secure,
    )
    app.config.update(settings.extra)
    logs.configure(settings.log_level)
    app.extensions["flipside.vault"] = Vault(settings.encryption_keys)
    db.init_app(app)
    from .jobs.connection import redis_connection

    app.extensions["flipside.redis"] = functools.partial(redis_connection, settings)  # for services' rate limits
    if settings.embedded_redis:
        redis_connection(settings)  # start the embedded server with the app, not on first use
    logs.init_app(app)
    health.init_app(app)
    converters.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(lti_views.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(deep_link_pages.bp)
    if not settings.production:  # the development LMS plays a platform for the demo; never in production
        from .lti import devplatform

        app.register_blueprint(devplatform.bp)
        from .web import dev_mail

        app.register_blueprint(dev_mail.bp)  # the development mailbox: what was sent, every organisation's
    for blueprint in (learner.bp, learner_profile.bp, credential_pages.bp, mail_preferences.bp, join.bp):
        app.register_blueprint(blueprint)
    admin.init_app(app)
    locale.init_app(app)
    labels.init_app(app)
    csrf.init_app(app)
    security.init_app(app)
    session_cookie.init_app(app)
    webhook_views.init_app(app)
    api.register(app)
    connect.init_app(app)
    error_pages.init_app(app)
    from .jobs import departures, erasure, relay
    from .lti import gradebook, keys, nrps

    gradebook.install()  # completion writes scores through LTI AGS
    keys.install()  # credentials are signed with the tool's LTI key
    nrps.install()  # roster jobs read course memberships through LTI NRPS
    relay.install()  # outbox rows a commit recorded are sent at once (the relay thread catches the rest)
    departures.subscribe()  # HRIS terminations end pairs, re-fill panels and unenrol, by jobs
    erasure.subscribe()  # ... and schedule the erasure of the leaver's personal data
    return app


def _settings(config) -> config_module.Settings:
    """Flipside's settings (lower-case keys) with Flask's own config keys (upper case, e.g. TESTING) beside them."""
    if isinstance(config, config_module.Settings):
        return config
    flask_keys = {k: v for k, v in (config or {}).items() if k.isupper()}
    ours = {k: v for k, v in (config or {}).items() if not k.isupper()}
    if "SECRET_KEY" in flask_keys:  # one secret: the production check must see the one Flask signs with
        if "secret_key" in ours:
            raise config_module.ConfigError("Give the secret key once: SECRET_KEY or secret_key, not both")
        ours["secret_key"] = flask_keys.pop("SECRET_KEY")
    settings = config_module.from_environment(**ours)
    return replace(settings, extra={**settings.extra, **flask_keys}) if flask_keys else settings


def _abs(path: str):
    from pathlib import Path

    folder = Path(path).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder
