"""authlib OAuth 2.0 sessions that refresh themselves and hand every new token to the caller to persist.

`OAuthClient` wraps authlib's requests `OAuth2Session`:

- authlib refreshes an expired access token before a request (refresh-token grant) and, through
  `update_token`, our `on_token(token)` callback receives the newest token; the caller stores it
  encrypted. Vendors that do not rotate refresh tokens answer without one: authlib keeps the old one,
  so `on_token` always sees the refresh token to use next (BambooHR "always store the newest").
- `refresh()` forces a refresh; `plugin.connectors.http.send(refresh=client.refresh)` calls it on a 401,
  since tokens can die before `expires_in` says (Workday: "refresh on 401 rather than trusting expires_in").
- Token endpoint answers are translated into the one error tree: `invalid_grant` (refresh token
  revoked, rotated away or lapsed) and refused client credentials -> `NeedsReconnect`; 429/5xx and
  network failures -> `RetriableError`; anything else -> `FatalError`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session

from plugin.connectors.http import THROTTLED, make_session, parse_retry_after
from plugin.errors import FatalError, NeedsReconnect, RetriableError

RECONNECT_ERRORS = frozenset(
    {"invalid_grant", "invalid_client", "unauthorized_client", "missing_token", "token_expired"}
)
TokenCallback = Callable[[dict], None]


@contextmanager
def token_errors(vendor: str = "vendor"):
    """Translate authlib and token-endpoint failures raised inside the block into Flipside errors."""
    try:
        yield
    except AuthlibBaseError as err:
        message = f"{vendor} refused the token request: {err.error}: {err.description or ''}".strip()
        if err.error in RECONNECT_ERRORS:
            raise NeedsReconnect(message) from err
        raise FatalError(message) from err
    except requests.HTTPError as err:
        status = err.response.status_code if err.response is not None else 0
        if status in THROTTLED or status >= 500:
            retry_after = parse_retry_after(err.response.headers.get("Retry-After"))
            message = f"{vendor} token endpoint answered {status}"
            raise RetriableError(message, retry_after=retry_after) from err
        raise FatalError(f"{vendor} token endpoint answered {status}") from err


class _Session(OAuth2Session):
    """authlib's session with its automatic refresh translated into the error tree."""

    vendor = "vendor"

    def request(self, method, url, withhold_token=False, auth=None, **kwargs):
        with token_errors(self.vendor):
            return super().request(method, url, withhold_token=withhold_token, auth=auth, **kwargs)


class OAuthClient:
    """An OAuth 2.0 client for one connection: a bearer session plus refresh, authorize and code exchange."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        token_endpoint: str,
        token: dict | None = None,
        on_token: TokenCallback | None = None,
        auth_method: str = "client_secret_basic",
        scope: str | None = None,
        redirect_uri: str | None = None,
        vendor: str = "vendor",
        leeway: int = 60,
    ):
        self.token_endpoint = token_endpoint
        self.vendor = vendor
        self._on_token = on_token
        self.session = make_session(
            session=_Session(
                client_id=client_id,
                client_secret=client_secret,
                token_endpoint_auth_method=auth_method,
                scope=scope,
                redirect_uri=redirect_uri,
                token=token,
                token_endpoint=token_endpoint,
                update_token=self._updated,
                leeway=leeway,
            )
        )
        self.session.vendor = vendor

    @property
    def token(self) -> dict | None:
        """The current token (access, refresh, expiry) as authlib holds it."""
        return dict(self.session.token) if self.session.token else None

    def _updated(self, token, refresh_token=None, access_token=None) -> None:
        if self._on_token is not None:
            self._on_token(dict(token))

    def refresh(self) -> dict:
        """Use the refresh-token grant now; `on_token` receives the new token."""
        if not self.session.token or not self.session.token.get("refresh_token"):
            raise NeedsReconnect(f"{self.vendor} connection has no refresh token; reconnect it")
        with token_errors(self.vendor):
            return dict(self.session.refresh_token(self.token_endpoint))

    def authorization_url(self, authorize_endpoint: str, *, state: str, **params) -> str:
        """The vendor URL to send the admin to for consent."""
        url, _ = self.session.create_authorization_url(authorize_endpoint, state=state, **params)
        return url

    def exchange_code(self, code: str, *, redirect_uri: str | None = None, **params) -> dict:
        """Trade an authorization code for tokens; `on_token` receives them."""
        with token_errors(self.vendor):
            token = self.session.fetch_token(
                self.token_endpoint,
                code=code,
                grant_type="authorization_code",
                redirect_uri=redirect_uri or self.session.redirect_uri,
                **params,
            )
        self._updated(token)
        return dict(token)
