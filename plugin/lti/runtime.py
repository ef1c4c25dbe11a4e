"""Per-app LTI plumbing: the Redis launch store and a tool configuration with our current signing key."""

from __future__ import annotations

from flask import current_app

from ..db import db
from ..jobs.connection import redis_connection
from . import keys
from .cache import TtlCache
from .storage import LaunchStore
from .tool_conf import DbToolConf

EXTENSION = "flipside.lti.store"


def launch_store(app=None) -> LaunchStore:
    """One LaunchStore per app, on the configured (or embedded) Redis."""
    app = app or current_app
    store = app.extensions.get(EXTENSION)
    if store is None:
        settings = app.config["FLIPSIDE"]
        store = app.extensions[EXTENSION] = LaunchStore(redis_connection(settings), settings.queue_prefix)
    return store


def vault():
    return current_app.extensions["flipside.vault"]


def lookup_cache(app=None) -> TtlCache:
    """Registration and deployment lookups, cached per app for a few seconds."""
    app = app or current_app
    return app.extensions.setdefault("flipside.lti.lookups", TtlCache())


def tool_conf() -> DbToolConf:
    """The database-backed tool configuration, signing with our active key."""
    session = db.lazy_session
    return DbToolConf(session, keys.signing_key(session, vault()), lookup_cache())


def base_url() -> str:
    return current_app.config["FLIPSIDE"].base_url
