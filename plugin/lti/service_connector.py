"""pylti1p3's ServiceConnector with access tokens cached per issuer + client_id + scopes, opaque next URLs."""

from __future__ import annotations

import hashlib
import re
import time
import uuid

import requests
from pylti1p3.exception import LtiServiceException
from pylti1p3.service_connector import ServiceConnector

from ..connectors.http import make_session
from ..errors import FatalError, RetriableError
from .storage import LaunchStore

NEXT_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?', re.IGNORECASE)
TOKEN_MARGIN = 60


def next_page_url(link_header: str) -> str | None:
    """The rel=next URL from a Link header, exactly as sent (pylti1p3 2.0.0 lower-cases it)."""
    for part in (link_header or "").replace("\n", " ").split(","):
        match = NEXT_LINK.search(part)
        if match:
            return match.group(1).strip()
    return None


class StrictServiceConnector(ServiceConnector):
    """Client-credentials tokens (Security Framework 4.1: iss = sub = client_id, aud = token URL, unique jti,
    short exp, RS256) shared through Redis and keyed by issuer + client_id + scopes, because every Canvas
    cloud customer shares one issuer and a token of one client must never serve another."""

    def __init__(self, registration, store: LaunchStore, requests_session: requests.Session | None = None):
        super().__init__(registration, requests_session or make_session())
        self.store = store

    def _token_key(self, scopes) -> str:
        reg = self._registration
        raw = "\n".join([reg.get_issuer() or "", reg.get_client_id() or "", *sorted(scopes)])
        return hashlib.sha256(raw.encode()).hexdigest()

    def get_access_token(self, scopes) -> str:
        key = self._token_key(scopes)
        cached = self.store.cached_token(key)
        if cached:
            return cached
        reg = self._registration
        now = int(time.time())
        claims = {
            "iss": reg.get_client_id(),
            "sub": reg.get_client_id(),
            "aud": reg.get_auth_audience() or reg.get_auth_token_url(),
            "iat": now - 5,
            "exp": now + 60,
            "jti": uuid.uuid4().hex,
        }
        assertion = self.encode_jwt(claims, reg.get_tool_private_key(), {"kid": reg.get_kid()})
        response = self._requests_session.post(
            reg.get_auth_token_url(),
            timeout=10,
            data={
                "grant_type": "client_credentials",
                "scope": " ".join(scopes),
                "client_assertion": assertion,
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            },
        )
        if not response.ok:
            raise _classify(LtiServiceException(response))
        body = response.json()  # Moodle serves this JSON as text/html
        token = body["access_token"]
        self.store.cache_token(key, token, int(body.get("expires_in") or 3600) - TOKEN_MARGIN)
        return token

    def make_service_request(
        self,
        scopes,
        url,
        is_post=False,
        data=None,
        content_type="application/json",
        accept="application/json",
        case_insensitive_headers=False,
    ):
        """One service call; the response keeps its status and its rel=next URL exactly as sent."""
        headers = {"Authorization": "Bearer " + self.get_access_token(scopes), "Accept": accept}
        if is_post:
            headers["Content-Type"] = content_type
            response = self._requests_session.post(url, data=data or None, headers=headers, timeout=30)
        else:
            response = self._requests_session.get(url, headers=headers, timeout=30)
        if response.status_code == 401:
            self.store.drop_token(self._token_key(scopes))  # revoked or expired early: fetch anew next time
        if not response.ok:
            raise _classify(LtiServiceException(response))
        return {
            "headers": response.headers if case_insensitive_headers else dict(response.headers),
            "body": response.json() if response.content else None,
            "status": response.status_code,
            "next_page_url": next_page_url(response.headers.get("Link", "")),
        }


def _classify(exc: LtiServiceException) -> Exception:
    """429/5xx (and a 401 after our cached token was dropped) may pass later; other 4xx need a person."""
    status = exc.response.status_code
    if status in (401, 429, 500, 502, 503, 504):
        retry_after = exc.response.headers.get("Retry-After", "")
        error = RetriableError(
            f"LTI service answered {status}",
            retry_after=float(retry_after) if retry_after.isdigit() else None,
        )
    else:
        error = FatalError(f"LTI service refused the request ({status})")
    error.http_status = status  # what callers that store a reason name (plugin/lti/nrps.py)
    return error


def connector_for(registration_id: int, http: requests.Session | None = None) -> StrictServiceConnector:
    """A service connector for a stored registration, outside any launch (jobs, CLI). Needs an app context."""
    from ..db import db
    from ..errors import NotFound
    from ..models.lti import LtiRegistration
    from .runtime import launch_store, tool_conf

    conf = tool_conf()
    row = db.session.get(LtiRegistration, registration_id)
    if row is None:
        raise NotFound(f"No LTI registration {registration_id}")
    return StrictServiceConnector(conf.as_registration(row), launch_store(), http)
