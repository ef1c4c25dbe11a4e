"""OAuth connect flows for HRIS and Canvas connections: a signed link starts it, state and PKCE guard the callback.

An admin gets a connect link (`flipside connect oauth CONNECTION`) signed with the tool's secret key and
valid for an hour: it names the connection, so nobody can start a flow for a connection they were not
given. The flow's state and PKCE verifier live in the signed session cookie of the browser that started
it (RFC 6749 section 10.12: state binds the callback to that browser; RFC 7636 PKCE with S256; BambooHR
does not document PKCE, and a server that ignores it is unaffected).
"""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..connectors import canvas
from ..connectors.bamboohr import BambooHRConnector
from ..connectors.oauth import OAuthClient
from ..errors import Forbidden, ValidationError
from ..models import Connection
from ..vault import Vault
from . import audit, connection_settings, connections
from .tenant import Tenant

LINK_MAX_AGE = 3600
SALT = "flipside.connect"
DEFAULT_SCOPES = {
    "bamboohr": "offline_access employee report webhooks webhooks.write",
    "workday": "Staffing Human_Resources",
}


def connect_link(secret_key: str, base_url: str, conn: Connection) -> str:
    """The URL that starts the OAuth flow for `conn` (signed, valid for an hour)."""
    token = URLSafeTimedSerializer(secret_key, salt=SALT).dumps({"c": conn.id, "v": conn.vendor})
    return f"{base_url}/connect/{conn.vendor}/start?link={token}"


def read_link(secret_key: str, vendor: str, token: str | None) -> int:
    """The connection id a connect link names, or Forbidden if it is forged, stale or for another vendor."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt=SALT).loads(token or "", max_age=LINK_MAX_AGE)
    except SignatureExpired as err:
        raise Forbidden("this connect link has expired; ask for a new one") from err
    except BadSignature as err:
        raise Forbidden("this connect link is not valid") from err
    if data.get("v") != vendor:
        raise Forbidden("this connect link is for another system")
    return int(data["c"])


def _client(conn: Connection, vault: Vault, redirect_uri: str) -> tuple[OAuthClient, str]:
    creds = connections.credentials(conn, vault)
    if not creds.get("client_id"):
        raise ValidationError(f"connection {conn.id} has no OAuth client id; set one before connecting")
    if conn.vendor == "canvas":  # a developer key; Canvas's consent page is /login/oauth2/auth
        base_url = connection_settings.lms(conn).base_url.rstrip("/")
        client = canvas.oauth_client(
            base_url,
            client_id=creds["client_id"],
            client_secret=creds.get("client_secret", ""),
            redirect_uri=redirect_uri,
        )
        return client, f"{base_url}/login/oauth2/auth"
    settings = connection_settings.hris(conn)
    origin = settings.origin
    if conn.vendor == "bamboohr":
        client = BambooHRConnector.oauth_client(
            settings.company,
            client_id=creds["client_id"],
            client_secret=creds.get("client_secret", ""),
            redirect_uri=redirect_uri,
            origin=origin,
        )
        return client, BambooHRConnector.authorize_endpoint(settings.company, origin)
    root = (origin or f"https://{settings.host}").rstrip("/")
    tenant = settings.tenant
    client = OAuthClient(
        client_id=creds["client_id"],
        client_secret=creds.get("client_secret", ""),
        token_endpoint=f"{root}/ccx/oauth2/{tenant}/token",
        redirect_uri=redirect_uri,
        vendor="workday",
    )
    return client, f"{root}/{tenant}/authorize"


def begin(conn: Connection, vault: Vault, redirect_uri: str) -> tuple[str, dict]:
    """The vendor consent URL, and the flow state to keep in the browser's session."""
    client, authorize = _client(conn, vault, redirect_uri)
    client.session.code_challenge_method = "S256"
    state, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    if conn.vendor == "canvas":  # no scope asked: the token gets every scope the developer key has
        url = client.authorization_url(authorize, state=state, code_verifier=verifier)
    else:
        scope = connection_settings.hris(conn).scope or DEFAULT_SCOPES[conn.vendor]
        url = client.authorization_url(authorize, state=state, code_verifier=verifier, scope=scope)
    return url, {"connection_id": conn.id, "vendor": conn.vendor, "state": state, "verifier": verifier}


def complete(
    tenant: Tenant, vault: Vault, flow: dict, *, state: str | None, code: str | None, redirect_uri: str
) -> Connection:
    """Check the callback against the browser's flow, trade the code for tokens and keep them encrypted."""
    if not flow or not state or not secrets.compare_digest(str(flow.get("state", "")), state):
        raise Forbidden("this sign-in did not start in this browser (state mismatch); start again")
    if not code:
        raise ValidationError("the HRIS sent no authorization code")
    conn = tenant.get(Connection, int(flow["connection_id"]))
    client, _ = _client(conn, vault, redirect_uri)
    token = client.exchange_code(code, redirect_uri=redirect_uri, code_verifier=flow["verifier"])
    connections.store_tokens(conn, vault, token)
    connections.set_status(conn, "connected", "connected through OAuth")
    audit.record(tenant, "admin", "connection.connected", "connection", conn.id, vendor=conn.vendor)
    return conn
