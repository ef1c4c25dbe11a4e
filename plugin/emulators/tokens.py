"""An emulated OAuth 2.0 authorization server: codes, access tokens that expire, refresh rotation."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from ..errors import FlipsideError


class InvalidGrant(FlipsideError):
    """The code or refresh token is unknown, used up, rotated away or revoked."""


@dataclass
class Issued:
    client_id: str
    scope: str


class TokenIssuer:
    """Issues and checks tokens for registered clients; `rotate` makes each refresh token single-use."""

    def __init__(self, clients: dict[str, str], *, rotate: bool = True, lifetime: int = 3600):
        self.clients, self.rotate, self.lifetime = dict(clients), rotate, lifetime
        self._access: dict[str, Issued] = {}
        self._refresh: dict[str, Issued] = {}
        self._codes: dict[str, tuple[Issued, str]] = {}
        self._lock = threading.Lock()
        self.refreshes = 0

    def client_ok(self, client_id: str | None, secret: str | None) -> bool:
        """Whether the client credentials are registered."""
        return bool(client_id) and secrets.compare_digest(self.clients.get(client_id, "\0"), secret or "")

    def grant_refresh_token(self, client_id: str, scope: str = "offline_access", token: str | None = None) -> str:
        """Mint a refresh token directly (Workday: made for an integration system user in the tenant)."""
        token = token or secrets.token_urlsafe(24)
        self._refresh[token] = Issued(client_id, scope)
        return token

    def code(self, client_id: str, scope: str, redirect_uri: str) -> str:
        """An authorization code for the consent step."""
        code = secrets.token_urlsafe(16)
        self._codes[code] = (Issued(client_id, scope), redirect_uri)
        return code

    def exchange(self, client_id: str, code: str, redirect_uri: str | None) -> dict:
        """Trade a code (once) for tokens."""
        with self._lock:
            issued, uri = self._codes.pop(code, (None, None))
        if issued is None or issued.client_id != client_id or (redirect_uri and redirect_uri != uri):
            raise InvalidGrant("unknown or used authorization code")
        return self._token(issued, with_refresh="offline_access" in issued.scope.split())

    def refresh(self, client_id: str, refresh_token: str) -> dict:
        """A new access token (and, when rotating, a new refresh token that replaces the old one)."""
        with self._lock:
            issued = self._refresh.get(refresh_token)
            if issued is None or issued.client_id != client_id:
                raise InvalidGrant("refresh token is invalid, rotated or revoked")
            if self.rotate:
                del self._refresh[refresh_token]
            self.refreshes += 1
        return self._token(issued, with_refresh=self.rotate)

    def issue(self, client_id: str, scope: str = "employee") -> dict:
        """An access token without the consent dance (for tests that only need to call the API)."""
        return self._token(Issued(client_id, scope), with_refresh=False)

    def _token(self, issued: Issued, *, with_refresh: bool) -> dict:
        access = secrets.token_urlsafe(24)
        self._access[access] = issued
        token = {"access_token": access, "token_type": "Bearer", "expires_in": self.lifetime, "scope": issued.scope}
        if with_refresh:
            token["refresh_token"] = self.grant_refresh_token(issued.client_id, issued.scope)
        return token

    def valid(self, access_token: str) -> bool:
        """Whether an access token is live."""
        return access_token in self._access

    def expire_access_tokens(self) -> None:
        """Every access token dies now (the next call answers 401)."""
        self._access.clear()

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token dies now (the next refresh answers invalid_grant)."""
        self._refresh.clear()
