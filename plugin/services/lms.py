"""Opening an LMS connection: credentials out of the vault, a shared rate limit, the vendor's connector."""

from __future__ import annotations

import redis
from flask import current_app

from ..config import Settings
from ..connectors import moodle
from ..connectors.http import RetryPolicy, make_session
from ..connectors.lms import LmsConnector
from ..connectors.ratelimit import RateLimiter, limit
from ..errors import ConfigError
from ..models import Connection
from ..vault import Vault
from . import connection_settings, connections


def limiter_for(settings: Settings, client: redis.Redis, conn: Connection) -> RateLimiter:
    """The connection's token bucket in Redis (the caller's client), shared by every worker process."""
    typed = connection_settings.lms(conn)
    return RateLimiter(
        client, f"{settings.queue_prefix}:lms-rate:{conn.id}", rate=typed.rate_limit_per_s, burst=typed.rate_burst
    )


def open_connector(
    settings: Settings, vault: Vault, conn: Connection, client: redis.Redis | None = None
) -> LmsConnector:
    """The connector for an LMS connection, paced by its shared rate limit in Redis: `client` (a job passes
    its worker's), else the app's own (`flipside.redis`, which create_app sets: services never import jobs)."""
    limiter = limiter_for(settings, client or current_app.extensions["flipside.redis"](), conn)
    policy = RetryPolicy(attempts=connection_settings.lms(conn).http_attempts)
    if conn.vendor == "moodle":
        return _moodle(vault, conn, limiter, policy)
    if conn.vendor == "canvas":
        from .canvas_auth import canvas_connector

        return canvas_connector(vault, conn, limiter, policy)
    raise ConfigError(f"connection {conn.id} is not an LMS connection ({conn.vendor})")


def _moodle(vault: Vault, conn: Connection, limiter: RateLimiter, policy: RetryPolicy):
    settings = connection_settings.lms(conn)
    base_url = settings.base_url
    session = limit(make_session(), limiter)
    token = connections.tokens(conn, vault).get("token") or connections.credentials(conn, vault).get("token")
    if not token:
        creds = connections.credentials(conn, vault)
        token = moodle.fetch_token(
            base_url, creds["username"], creds["password"], creds["service"], session=session, policy=policy
        )
        connections.store_tokens(conn, vault, {"token": token})
    return moodle.MoodleConnector(
        base_url, token, session=session, policy=policy, role_ids=settings.role_ids, user_auth=settings.user_auth
    )


def remember_roles(conn: Connection, connector: LmsConnector) -> None:
    """Keep role ids a Moodle connector discovered, so the site is asked once."""
    discovered = getattr(connector, "role_ids", None)
    if discovered and discovered != connection_settings.lms(conn).role_ids:
        connection_settings.edit(conn, role_ids=dict(discovered))
