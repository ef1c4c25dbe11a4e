"""A Canvas connector for a stored connection: its OAuth token refreshes itself and is kept encrypted."""

from __future__ import annotations

from sqlalchemy.orm import object_session

from ..connectors import canvas
from ..connectors.http import RetryPolicy, make_session
from ..connectors.ratelimit import RateLimiter
from ..errors import NeedsReconnect
from ..models import Connection
from ..vault import Vault
from . import connection_settings, connections


def canvas_connector(vault: Vault, conn: Connection, limiter: RateLimiter, policy: RetryPolicy):
    """Build the connector; every refreshed token is stored (encrypted) and committed at once."""
    creds, token = connections.credentials(conn, vault), connections.tokens(conn, vault)
    if not token.get("access_token"):
        raise NeedsReconnect(f"Canvas connection {conn.id} has no token yet; connect it first")

    def keep(new_token: dict) -> None:
        connections.store_tokens(conn, vault, new_token)
        session = object_session(conn)
        if session is not None:
            session.commit()

    settings = connection_settings.lms(conn)
    if not creds.get("client_id"):  # a token made on the developer key or the user's settings: no refresh
        session = make_session()
        session.headers["Authorization"] = f"Bearer {token['access_token']}"
        return canvas.CanvasConnector(
            settings.base_url,
            session=session,
            limiter=limiter,
            policy=policy,
            account_id=settings.account_id,
            auth_provider=settings.auth_provider,
            **settings.pacing,
        )
    client = canvas.oauth_client(
        settings.base_url,
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        token=token,
        on_token=keep,
    )
    return canvas.CanvasConnector(
        settings.base_url,
        oauth=client,
        limiter=limiter,
        policy=policy,
        account_id=settings.account_id,
        auth_provider=settings.auth_provider,
        **settings.pacing,
    )
